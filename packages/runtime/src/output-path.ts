/**
 * The output-path guard: a command that will write a file (a report, `--output`, `--junit`, a plan) checks the path
 * before the run starts, so a bad path is reported at once with nothing done, instead of after minutes of work (or
 * with a stack trace), and an existing file is never replaced without an explicit flag. Light: node:fs only.
 */
import { accessSync, closeSync, constants, existsSync, openSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError, describeError } from './errors';
import { EXIT } from './exit';
import { formatCommand } from './shell-quote';
import { printable } from './redact';

/** Options of {@link checkOutputPath}. */
export interface CheckOutputPathOptions {
  /** Replace an existing regular file (the command's explicit flag was given). @default false */
  readonly overwrite?: boolean;
  /** Directory a relative path is resolved against. @default process.cwd() */
  readonly cwd?: string;
  /** How the path was given, for messages: `--output`, `--junit`, `CVAT_OPS_OUTPUT`. @default 'the output path' */
  readonly label?: string;
  /**
   * Whether the path came from a flag (a bad value is USAGE, 2) or from a variable or file (CONFIG, 4), as for
   * `--subscription`. @default 'flag'
   */
  readonly source?: 'flag' | 'variable';
  /** The flag that allows replacing an existing file, named in the refusal. @default '--overwrite' */
  readonly overwriteFlag?: string;
  /** The command as typed (argv with the program name), to suggest it again with {@link overwriteFlag}. @default - none */
  readonly rerun?: readonly string[];
}

/**
 * Checks that `path` can be written as a new (or, with `overwrite`, replaced) regular file, and returns its absolute
 * path. Nothing is left behind: the writability probe creates and removes one empty file next to the target.
 * Throws {@link CliError}, every message naming the path:
 *
 * - empty, or an existing directory, FIFO, socket or device, or under something that is not a directory, or a
 *   directory that cannot be written → USAGE (2), or CONFIG (4) when `source` is `variable`;
 * - the parent directory does not exist → NOT_FOUND (6);
 * - an existing regular file without `overwrite` → REFUSED (3), naming the flag that allows it.
 */
export function checkOutputPath(path: string, options: CheckOutputPathOptions = {}): string {
  const label = options.label ?? 'the output path';
  const bad = options.source === 'variable' ? EXIT.CONFIG : EXIT.USAGE;
  const shown = printable(path);
  if (typeof path !== 'string' || path.trim() === '' || path.includes('\0')) {
    throw new CliError(bad, `${label} (${shown || "''"}) must be a file path.`);
  }
  const full = resolve(options.cwd ?? process.cwd(), path);
  const existing = statOrUndefined(full);
  if (existing?.isDirectory()) {
    const example = printable(join(path, 'report.json'));
    throw new CliError(bad, `${label} (${shown}) is a directory; give the path of a file to write, e.g. ${example}. Nothing was written.`);
  }
  if (existing && !existing.isFile()) {
    throw new CliError(
      bad,
      `${label} (${shown}) is not a regular file (a FIFO, socket or device); give the path of a file to write. Nothing was written.`,
    );
  }
  if (existing && !options.overwrite) {
    const flag = options.overwriteFlag ?? '--overwrite';
    const rerun = options.rerun && options.rerun.length > 0 ? ` Run: ${formatCommand([...options.rerun, flag])}` : '';
    throw new CliError(
      EXIT.REFUSED,
      `${label} (${shown}) already exists; pass ${flag} to replace it, or choose another path. Nothing was changed.${rerun}`,
    );
  }
  const parent = dirname(full);
  const parentStat = statOrUndefined(parent);
  if (!parentStat) {
    const where = printable(parent);
    throw new CliError(EXIT.NOT_FOUND, `${label} (${shown}): the directory ${where} does not exist; create it first. Nothing was written.`);
  }
  if (!parentStat.isDirectory()) {
    throw new CliError(bad, `${label} (${shown}): ${printable(parent)} is not a directory. Nothing was written.`);
  }
  const unwritable = probeWritable(parent, basename(full));
  if (unwritable) {
    const where = printable(parent);
    throw new CliError(
      bad,
      `${label} (${shown}) cannot be written: the directory ${where} is not writable (${unwritable}). Nothing was written.`,
    );
  }
  if (existing) {
    try {
      accessSync(full, constants.W_OK);
    } catch (error) {
      throw new CliError(bad, `${label} (${shown}) exists and cannot be replaced (${describeError(error)}). Nothing was written.`);
    }
  }
  return full;
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Creates and removes an empty file in `dir` (exclusive create, so nothing existing is touched): the only check
 * that also catches read-only mounts, ACLs and root on a read-only filesystem. Returns the failure, or undefined.
 */
function probeWritable(dir: string, name: string): string | undefined {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    return describeError(error);
  }
  const probe = join(dir, `.${name.slice(0, 40)}.probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    closeSync(openSync(probe, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY));
  } catch (error) {
    return describeError(error);
  }
  try {
    unlinkSync(probe);
  } catch {
    // removed by someone else; nothing to clean up
  }
  return undefined;
}

/** Options of {@link checkOutputDirectory}. */
export interface CheckOutputDirectoryOptions extends Omit<CheckOutputPathOptions, 'overwrite'> {
  /** Replace the contents of an existing non-empty directory (the command's explicit flag was given). @default false */
  readonly overwrite?: boolean;
  /**
   * A file that marks a directory as this tool's own earlier output (e.g. `manifest.json` of a synth): a directory
   * holding it may be replaced without `overwrite`. @default - none: every non-empty directory needs `overwrite`
   */
  readonly ownedMarker?: string;
}

/**
 * Checks that `path` can be used as an output directory whose contents the command will (re)create, and returns its
 * absolute path. Nothing is created or changed (the writability probe creates and removes one empty file).
 *
 * - an existing file, FIFO or device, or an unwritable place → USAGE (2), or CONFIG (4) when `source` is `variable`;
 * - a missing directory whose nearest existing ancestor is not a writable directory → the same (it could not be created);
 * - an existing non-empty directory without `overwrite` that does not hold `ownedMarker` → REFUSED (3), naming
 *   the flag: its contents would be replaced.
 */
export function checkOutputDirectory(path: string, options: CheckOutputDirectoryOptions = {}): string {
  const label = options.label ?? 'the output directory';
  const bad = options.source === 'variable' ? EXIT.CONFIG : EXIT.USAGE;
  const shown = printable(path);
  if (typeof path !== 'string' || path.trim() === '' || path.includes('\0')) {
    throw new CliError(bad, `${label} (${shown || "''"}) must be a directory path.`);
  }
  const full = resolve(options.cwd ?? process.cwd(), path);
  const existing = statOrUndefined(full);
  if (existing && !existing.isDirectory()) {
    throw new CliError(bad, `${label} (${shown}) exists and is not a directory; give a directory path. Nothing was written.`);
  }
  if (existing) {
    const entries = readdirSync(full);
    const owned = options.ownedMarker !== undefined && existsSync(join(full, options.ownedMarker));
    if (entries.length > 0 && !owned && !options.overwrite) {
      const flag = options.overwriteFlag ?? '--overwrite';
      const rerun = options.rerun && options.rerun.length > 0 ? ` Run: ${formatCommand([...options.rerun, flag])}` : '';
      throw new CliError(
        EXIT.REFUSED,
        `${label} (${shown}) is a directory with ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'} that would be replaced; ` +
          `pass ${flag} to replace ${entries.length === 1 ? 'it' : 'them'}, ` +
          `or choose an empty or new directory. Nothing was changed.${rerun}`,
      );
    }
    const unwritable = probeWritable(full, 'output');
    if (unwritable) throw new CliError(bad, `${label} (${shown}) is not writable (${unwritable}). Nothing was written.`);
    return full;
  }
  let ancestor = dirname(full);
  while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  const ancestorStat = statOrUndefined(ancestor);
  if (!ancestorStat?.isDirectory()) {
    throw new CliError(bad, `${label} (${shown}) cannot be created: ${printable(ancestor)} is not a directory. Nothing was written.`);
  }
  const unwritable = probeWritable(ancestor, 'output');
  if (unwritable) {
    const where = printable(ancestor);
    throw new CliError(bad, `${label} (${shown}) cannot be created: ${where} is not writable (${unwritable}). Nothing was written.`);
  }
  return full;
}

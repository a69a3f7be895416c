/**
 * `cvat-infra synth`: synthesizes the stacks of one environment into a synth output folder (`packages/infra/cdktf.out`
 * by default) and returns its summary. Offline: no Azure credentials, no cdktf-cli, no terraform.
 *
 * The output folder is guarded: an existing folder must be empty or a previous synth output (it has a
 * `manifest.json`), else synth refuses (exit 3) unless `--force`; a file, an unwritable place, or a folder that
 * holds the repository itself is a usage error (exit 2). The stacks are written to a staging folder next to the
 * output and swapped in only on success, so a rejected configuration leaves the previous output untouched; nothing
 * outside the given path (and its staging sibling) is ever created or deleted.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, renameSync, rmSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, parse, posix, relative, resolve, sep } from 'node:path';
import { CliError, EXIT } from '@cvat-cloud/runtime';
import { buildApp, DEFAULT_OUTDIR, REPO_ROOT } from '../app';
import { ValidationError } from '../constructs/validation-error';
import { loadSynthesizedApp } from '../policy/model';
import { formatSummary, summarize, type SynthSummary } from '../summary';
import { type CommandResult, type InfraIo, loadInfraEnvironment, printWarnings } from './context';

/** Options of `cvat-infra synth`. */
export interface SynthCommandOptions {
  /** Environment name or YAML path. */
  readonly env: string;
  /** Output folder (relative to the working directory). @default packages/infra/cdktf.out */
  readonly out?: string;
  /** Replace the contents of a non-empty folder that is not a synth output. @default false */
  readonly force: boolean;
  /** @default false */
  readonly json: boolean;
}

/** Options of {@link runSynth}. */
export interface SynthOptions {
  /** Environment name or YAML path. */
  readonly env: string;
  /** Absolute output folder (the summary shows it with {@link workspacePath}). */
  readonly outdir: string;
  /** Directory to resolve the environment from. */
  readonly cwd: string;
  /** @default false */
  readonly force?: boolean;
  /** Where warnings go. @default - dropped */
  readonly warn?: (line: string) => void;
}

/**
 * How synth shows a path it wrote: relative to the workspace root, with `/` separators, when the path is inside the
 * workspace (`packages/infra/cdktf.out`), else absolute. Nx replays a cached synth's output verbatim in whichever
 * checkout asks, so an absolute path inside the workspace would name the checkout that ran it first.
 * @param root the workspace root @default REPO_ROOT
 */
export function workspacePath(path: string, root: string = REPO_ROOT): string {
  const rel = relative(root, path);
  if (rel === '') return '.';
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return path;
  return rel.split(sep).join(posix.sep);
}

/** True when `dir` is a synth output (cdktf writes `manifest.json` at its top). */
export function isSynthOutput(dir: string): boolean {
  return existsSync(resolve(dir, 'manifest.json'));
}

function errorCode(error: unknown): string {
  return (error as { code?: string }).code ?? (error as Error).message;
}

/** True when `inner` is `outer` or below it. */
function within(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/**
 * Checks the output folder before anything is synthesized or deleted; throws {@link CliError}:
 * - USAGE (2): the file-system root or a folder holding the repository or the working directory; a path that
 *   exists and is not a folder; a place that cannot be created or written.
 * - REFUSED (3): a non-empty folder that is not a synth output, without `force`.
 */
export function checkSynthOutput(outdir: string, options: { force: boolean; cwd: string }): void {
  const shown = `'--out' (${outdir})`;
  if (outdir === parse(outdir).root || within(REPO_ROOT, outdir) || within(options.cwd, outdir)) {
    throw new CliError(
      EXIT.USAGE,
      `${shown} holds the repository or the working directory; synth replaces ` +
        `the whole folder, so give a folder of its own. Nothing was changed.`,
    );
  }
  let stat: Stats | undefined;
  try {
    stat = statSync(outdir);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') {
      throw new CliError(EXIT.USAGE, `${shown} cannot be read (${errorCode(error)}); choose a folder you can write. Nothing was changed.`);
    }
  }
  if (stat && !stat.isDirectory())
    throw new CliError(EXIT.USAGE, `${shown} exists and is not a folder; give a folder path. Nothing was changed.`);
  if (stat && !isSynthOutput(outdir)) {
    let entries: string[];
    try {
      entries = readdirSync(outdir);
    } catch (error) {
      throw new CliError(EXIT.USAGE, `${shown} cannot be read (${errorCode(error)}); choose a folder you can write. Nothing was changed.`);
    }
    if (entries.length > 0 && !options.force) {
      throw new CliError(
        EXIT.REFUSED,
        `${shown} is a non-empty folder that is not a synth output (no manifest.json); synth would replace its ${entries.length} ` +
          `entr${entries.length === 1 ? 'y' : 'ies'}. Choose an empty or new ` +
          `folder, or pass --force to replace its contents. Nothing was changed.`,
      );
    }
  }
  // The staging folder is created next to the output, and the output is replaced by a rename: the nearest existing
  // folder above it must be a writable folder (nothing is created yet).
  let ancestor = dirname(outdir);
  while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  try {
    if (!statSync(ancestor).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(ancestor, constants.W_OK);
  } catch (error) {
    throw new CliError(EXIT.USAGE, `${shown} is not writable: ${ancestor} cannot be written (${errorCode(error)}). Nothing was changed.`);
  }
}

/**
 * Creates `dir` and its missing parents one level at a time (Node's recursive mkdir loops for ever on some special
 * file systems, e.g. under /proc); returns the folders it created, outermost first.
 */
function makeDirs(dir: string, shownOut: string): string[] {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  const created: string[] = [];
  try {
    for (const m of missing) {
      mkdirSync(m);
      created.push(m);
    }
  } catch (error) {
    for (const c of [...created].reverse()) rmSync(c, { recursive: true, force: true });
    throw new CliError(EXIT.USAGE, `'--out' (${shownOut}) cannot be created: ${dir} (${errorCode(error)}). Nothing was changed.`, {
      cause: error,
    });
  }
  return created;
}

/**
 * Loads and validates the environment, checks the output folder, synthesizes into a staging folder next to the
 * output, and only then replaces the output. Throws {@link CliError} (CONFIG for an invalid environment or a value a
 * construct rejected; USAGE/REFUSED for the output folder).
 */
export async function runSynth(options: SynthOptions): Promise<SynthSummary> {
  const env = await loadInfraEnvironment(options.env, { cwd: options.cwd }, `cvat-infra synth --env ${options.env}`);
  if (options.warn) printWarnings(env, { err: options.warn });
  checkSynthOutput(options.outdir, { force: options.force ?? false, cwd: options.cwd });

  removeStaleStaging(options.outdir, options.warn);
  const staging = `${options.outdir}${STAGING_SUFFIX}${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const created = makeDirs(dirname(options.outdir), options.outdir);
  // Removed on exit (Ctrl-C's process.exit included); SIGTERM/SIGHUP become an exit, so the hook runs.
  const removeStaging = (): void => rmSync(staging, { recursive: true, force: true });
  const onSignal = (): void => process.exit(EXIT.INTERRUPTED);
  process.on('exit', removeStaging);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  const release = (): void => {
    process.removeListener('exit', removeStaging);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGHUP', onSignal);
  };
  try {
    const { app } = buildApp({ config: env.config, catalogue: env.catalogue, outdir: staging });
    app.synth();
  } catch (error) {
    release();
    rmSync(staging, { recursive: true, force: true });
    if (created[0]) rmSync(created[0], { recursive: true, force: true });
    if (error instanceof ValidationError) {
      throw new CliError(EXIT.CONFIG, `synth refused a value of environment '${env.config.name}': ${error.message}. Nothing was changed.`, {
        cause: error,
      });
    }
    throw error;
  }
  try {
    if (existsSync(options.outdir)) rmSync(options.outdir, { recursive: true, force: true });
    renameSync(staging, options.outdir);
  } catch (error) {
    release();
    rmSync(staging, { recursive: true, force: true });
    throw new CliError(
      EXIT.USAGE,
      `'--out' (${options.outdir}) could not be replaced (${errorCode(error)}); the previous contents may be partly removed.`,
      {
        cause: error,
      },
    );
  }
  release();
  return summarize(loadSynthesizedApp(options.outdir), env.catalogue, env.config.name, workspacePath(options.outdir));
}

/** The staging folder of a synth: `<out>.staging-<pid>`, next to the output. */
const STAGING_SUFFIX = '.staging-';

/** True while a process with this id runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes the staging folders of earlier synths of the same output whose process is gone (killed with SIGKILL
 * mid-synth), naming each: only `<out>.staging-<pid>` siblings, never anything else.
 */
function removeStaleStaging(outdir: string, warn: ((line: string) => void) | undefined): void {
  const parent = dirname(outdir);
  const prefix = `${basename(outdir)}${STAGING_SUFFIX}`;
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    warn?.(`notice: removed ${workspacePath(join(parent, name))}, the staging folder of a synth that was killed`);
  }
}

/** `cvat-infra synth`. */
export async function synthCommand(options: SynthCommandOptions, io: InfraIo): Promise<CommandResult> {
  const outdir = options.out ? resolve(io.cwd, options.out) : DEFAULT_OUTDIR;
  const summary = await runSynth({ env: options.env, outdir, cwd: io.cwd, force: options.force, warn: (l) => io.err(l) });
  return { data: summary, text: formatSummary(summary) };
}

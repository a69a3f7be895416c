/**
 * Report files (`--junit`, `--json <file>`): checked before the run, so a path that cannot be written fails in
 * a second with exit 2 instead of after the whole run, and written atomically, so nothing but the given file
 * is ever replaced (a temporary file beside it is renamed over it; a failed write leaves no temporary behind).
 */
import { closeSync, constants, accessSync, openSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError, EXIT } from '@cvat-cloud/runtime/edge';

function code(error: unknown): string {
  return (error as { code?: string }).code ?? String(error);
}

function temporaryBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Checks that `path` (relative to `cwd`) can be written as a report: not empty, not a folder or a special file,
 * in an existing folder where a file can be created. Creates nothing that stays. Returns the absolute path.
 * Throws a {@link CliError} USAGE (2) naming the flag, the value and what is wrong.
 */
export function checkReportPath(flag: string, path: string, cwd: string): string {
  const bad = (what: string): CliError => new CliError(EXIT.USAGE, `'${flag}' (${JSON.stringify(path)}) ${what}`);
  if (path.trim() === '') throw bad('is empty; give a file path such as smoke.xml');
  const absolute = resolve(cwd, path);
  const example = `${path.replace(/\/+$/, '')}/${flag === '--junit' ? 'smoke.xml' : 'smoke.json'}`;
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(absolute);
  } catch (error) {
    if (code(error) === 'ENOTDIR') throw bad(`cannot be created: a part of its folder path is a file, not a folder`);
    if (code(error) !== 'ENOENT') throw bad(`cannot be checked (${code(error)})`);
  }
  if (existing?.isDirectory() || /[/\\]$/.test(path)) throw bad(`is a folder; give a file inside it, e.g. ${example}`);
  if (existing && !existing.isFile()) throw bad('is not a regular file (a device, pipe or socket); give a file path such as smoke.xml');
  const folder = dirname(absolute);
  let folderStat: ReturnType<typeof statSync>;
  try {
    folderStat = statSync(folder);
  } catch (error) {
    const missing = code(error) === 'ENOENT';
    throw bad(
      missing ? `cannot be written: the folder ${folder} does not exist; create it first` : `cannot be written: ${folder} (${code(error)})`,
    );
  }
  if (!folderStat.isDirectory()) throw bad(`cannot be written: ${folder} is not a folder`);
  try {
    if (existing) accessSync(absolute, constants.W_OK);
    // A file that is created and removed at once proves the folder takes new files (the report is written
    // beside the target and renamed over it), also where permission bits say yes but the file system says no.
    const probe = temporaryBeside(absolute);
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (error) {
    throw bad(`cannot be written (${code(error)}): choose a folder you can write to`);
  }
  return absolute;
}

/** Writes `content` to `path` atomically (a temporary file beside it, renamed over it). */
export function writeReportFile(flag: string, path: string, content: string): void {
  const temporary = temporaryBeside(path);
  try {
    writeFileSync(temporary, content, { flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // it was never created
    }
    const message = `could not write the '${flag}' report to ${path} (${code(error)}); the run's result is in the table above`;
    throw new CliError(EXIT.UNAVAILABLE, message, { cause: error });
  }
}

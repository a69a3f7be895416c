/**
 * The "load environment, resolve catalogue, format issues" preamble every command needs, written once: loading
 * `environments/<name>.yaml` (or a path) through the catalogue's own loader, resolving the catalogue, and turning
 * every issue into one {@link CliError} CONFIG that lists each field, its value and what is allowed. Which
 * environment was asked for is ./environment-ref.
 */
import { statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import {
  findRepoRoot,
  formatIssues,
  loadEnvironmentConfig,
  resolveCatalogue,
  resourceNames,
  type Catalogue,
  type EnvironmentConfig,
  type Issue,
  type ResourceNames,
} from '@cvat-cloud/catalogue';
import { CliError, describeError } from './errors';
import { EXIT } from './exit';
import { printable } from './redact';
import { formatCommand } from './shell-quote';

/** An environment with everything derived from it. */
export interface LoadedEnvironment {
  /** What was asked for (a name or a path). */
  readonly ref: string;
  readonly config: EnvironmentConfig;
  /** Azure resource names derived from the config (catalogue `resourceNames`). */
  readonly names: ResourceNames;
  /** The catalogue with the environment's overrides applied. */
  readonly catalogue: Catalogue;
  /** Warnings from loading the config and resolving the catalogue (not errors: the environment is usable). */
  readonly warnings: readonly Issue[];
}

/** Options of {@link loadEnvironment}. */
export interface LoadEnvironmentOptions {
  /** Directory to find `environments/` from (walking up) and to resolve a relative path against. */
  readonly cwd: string;
  /** A command that checks the fixed file, for the hint (e.g. `cvat-ops status --env dev --dry-run`). @default - none */
  readonly checkCommand?: string;
}

/** Issues as indented `- <file>: '<field>' (<value>) must …` lines (the catalogue's own formatter). */
export function formatIssueLines(issues: readonly Issue[]): string {
  return formatIssues(issues)
    .split('\n')
    .map((line) => `  - ${line}`)
    .join('\n');
}

/** Warnings as `warning: …` lines, for stderr. */
export function formatWarnings(warnings: readonly Issue[]): string[] {
  return warnings.map((w) => `warning: ${w.file ? `${w.file}: ` : ''}${w.message}`);
}

/** True when the loader's issues say the file (or the environments/ directory) does not exist. */
function isMissing(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.rule === 'load' && (/must exist$/.test(i.message) || /no environments\/ directory/.test(i.message)));
}

/** Largest environment file read (a real one is a few KiB; anything near this is not an environment file). */
export const MAX_ENVIRONMENT_FILE_BYTES = 1024 * 1024;

/**
 * The file the catalogue's loader will read for `ref` (a path: anything with `/` or `\\` or ending in .yaml/.yml;
 * else `environments/<ref>.yaml` at the repository root), or undefined when it cannot tell.
 */
function environmentFile(ref: string, cwd: string): string | undefined {
  if (ref.includes('/') || ref.includes('\\') || /\.ya?ml$/.test(ref)) return isAbsolute(ref) ? ref : resolve(cwd, ref);
  const root = /^[a-z][a-z0-9-]*$/.test(ref) ? findRepoRoot(cwd) : undefined;
  return root ? join(root, 'environments', `${ref}.yaml`) : undefined;
}

/**
 * Loads `ref` (a name or a path) relative to `cwd`, validates it, and resolves its catalogue.
 *
 * Every failure is {@link CliError} CONFIG (exit 4), whoever calls it: a missing file (`Environment 'x' was not
 * found` and how to create it), a path that is not a regular file (a directory, FIFO or device: refused before it is
 * opened, so a FIFO cannot hang the run; a file over {@link MAX_ENVIRONMENT_FILE_BYTES} likewise), YAML or schema
 * errors and rule violations (`Environment 'x' is invalid`), an invalid catalogue after the overrides (`The catalogue
 * resolved for environment 'x' is invalid`), each listing every issue with its field, value and what is allowed, and
 * anything the loader throws (e.g. the YAML library's resource-exhaustion guard on an alias bomb) as one line. Never
 * a stack trace, never exit 70.
 */
export function loadEnvironment(ref: string, options: LoadEnvironmentOptions): LoadedEnvironment {
  const shown = printable(ref);
  const file = environmentFile(ref, options.cwd);
  const stat = file === undefined ? undefined : statOrUndefined(file);
  if (file !== undefined && stat && !stat.isFile()) {
    const kind = stat.isDirectory() ? 'a directory' : 'not a regular file (a FIFO, socket or device)';
    throw new CliError(
      EXIT.CONFIG,
      `Environment '${shown}' is invalid: ${printable(file)} is ${kind}; give an environment name or the path of a .yaml file.`,
    );
  }
  if (stat && stat.size > MAX_ENVIRONMENT_FILE_BYTES) {
    throw new CliError(
      EXIT.CONFIG,
      `Environment '${shown}' is invalid: ${printable(file)} has ${stat.size} bytes, ` +
        `more than the ${MAX_ENVIRONMENT_FILE_BYTES} an environment file may have.`,
    );
  }
  // a path is copied to as given, a name to environments/<name>.yaml; quoted, so pasting it runs nothing else
  const target = /[/\\]|\.ya?ml$/.test(ref) ? ref : `environments/${ref}.yaml`;
  const next = (missing: boolean): string =>
    missing
      ? `Create it from the example and edit it: ${formatCommand(['cp', 'environments/example.yaml', target])}`
      : options.checkCommand
        ? `Fix the file and check it with: ${options.checkCommand}`
        : 'Fix the file and run the command again.';
  const guarded = <T>(step: string, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof CliError) throw error;
      const why = printable(describeError(error), 300);
      throw new CliError(EXIT.CONFIG, `Environment '${shown}' could not be ${step}: ${why}. ${next(false)}`, { cause: error });
    }
  };
  const loaded = guarded('loaded', () => loadEnvironmentConfig(ref, { cwd: options.cwd }));
  if (loaded.errors) {
    const missing = isMissing(loaded.errors);
    const what = missing ? 'was not found' : 'is invalid';
    throw new CliError(EXIT.CONFIG, `Environment '${shown}' ${what}:\n${formatIssueLines(loaded.errors)}\n${next(missing)}`, {
      data: { issues: loaded.errors },
    });
  }
  const config = loaded.value;
  const resolved = guarded('resolved', () => resolveCatalogue(config));
  if (resolved.errors) {
    throw new CliError(
      EXIT.CONFIG,
      `The catalogue resolved for environment '${shown}' is invalid:\n${formatIssueLines(resolved.errors)}\n` +
        `Fix the overrides under 'components' in the environment file.`,
      { data: { issues: resolved.errors } },
    );
  }
  const names = guarded('resolved', () => resourceNames(config));
  return { ref, config, names, catalogue: resolved.value, warnings: [...loaded.warnings, ...resolved.warnings] };
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

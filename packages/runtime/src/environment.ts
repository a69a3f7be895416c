/**
 * The "load environment, resolve catalogue, format issues" preamble every command needs, written once: which
 * environment was asked for (`--env`, else `CVAT_ENV`, else the deprecated `CVAT_OPS_ENV`), loading
 * `environments/<name>.yaml` (or a path) through the catalogue's own loader, resolving the catalogue, and turning
 * every issue into one {@link CliError} CONFIG that lists each field, its value and what is allowed.
 */
import {
  formatIssues,
  loadEnvironmentConfig,
  resolveCatalogue,
  resourceNames,
  type Catalogue,
  type EnvironmentConfig,
  type Issue,
  type ResourceNames,
} from '@cvat-cloud/catalogue';
import { CliError } from './errors';
import { EXIT } from './exit';

/** The one environment variable naming the environment, read by every tool. */
export const ENVIRONMENT_VARIABLE = 'CVAT_ENV';

/** Older names still accepted, each with a deprecation warning. `CVAT_ENV` wins when both are set. */
export const DEPRECATED_ENVIRONMENT_VARIABLES: readonly string[] = ['CVAT_OPS_ENV'];

/** Which environment was asked for, and how. */
export interface EnvironmentRef {
  /** A name (`dev` → environments/dev.yaml) or a path to a YAML file. */
  readonly ref: string;
  /** `--env`, `CVAT_ENV`, `CVAT_OPS_ENV` or `default`. */
  readonly source: string;
}

/** Options of {@link environmentRef}. */
export interface EnvironmentRefOptions {
  /** The `--env` value, if given. */
  readonly flag?: string;
  /** Process environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Receives the deprecation warning when only an old variable is set. @default - no warning printed */
  readonly warn?: (message: string) => void;
  /** Used when neither the flag nor a variable is set (e.g. `example` for synth). @default - none */
  readonly fallback?: string;
}

/**
 * `--env`, else `CVAT_ENV`, else a deprecated alias (with a warning), else `fallback`; `undefined` when none.
 * Empty values count as unset.
 */
export function environmentRef(options: EnvironmentRefOptions): EnvironmentRef | undefined {
  if (options.flag) return { ref: options.flag, source: '--env' };
  const current = options.env[ENVIRONMENT_VARIABLE];
  if (current) return { ref: current, source: ENVIRONMENT_VARIABLE };
  for (const name of DEPRECATED_ENVIRONMENT_VARIABLES) {
    const value = options.env[name];
    if (value) {
      options.warn?.(`warning: ${name} is deprecated; set ${ENVIRONMENT_VARIABLE}=${value} instead (${name} will be removed).`);
      return { ref: value, source: name };
    }
  }
  return options.fallback ? { ref: options.fallback, source: 'default' } : undefined;
}

/**
 * {@link environmentRef} for a command that cannot run without an environment: throws USAGE naming `what`
 * and the ways to give one.
 */
export function requireEnvironmentRef(what: string, options: EnvironmentRefOptions): EnvironmentRef {
  const found = environmentRef(options);
  if (!found) {
    throw new CliError(EXIT.USAGE, `${what} needs an environment: pass --env <name> (environments/<name>.yaml) or set ${ENVIRONMENT_VARIABLE}.`);
  }
  return found;
}

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

/**
 * Loads `ref` (a name or a path) relative to `cwd`, validates it, and resolves its catalogue.
 *
 * Every failure is {@link CliError} CONFIG (exit 4), whoever calls it: a missing file (`Environment 'x' was not
 * found` and how to create it), YAML or schema errors and rule violations (`Environment 'x' is invalid`), and an
 * invalid catalogue after the overrides (`The catalogue resolved for environment 'x' is invalid`), each listing
 * every issue with its field, value and what is allowed.
 */
export function loadEnvironment(ref: string, options: LoadEnvironmentOptions): LoadedEnvironment {
  const loaded = loadEnvironmentConfig(ref, { cwd: options.cwd });
  if (loaded.errors) {
    const missing = isMissing(loaded.errors);
    const next = missing
      ? `Copy environments/example.yaml to environments/${ref}.yaml and edit it.`
      : options.checkCommand
        ? `Fix the file and check it with: ${options.checkCommand}`
        : 'Fix the file and run the command again.';
    throw new CliError(EXIT.CONFIG, `Environment '${ref}' ${missing ? 'was not found' : 'is invalid'}:\n${formatIssueLines(loaded.errors)}\n${next}`, {
      data: { issues: loaded.errors },
    });
  }
  const config = loaded.value;
  const resolved = resolveCatalogue(config);
  if (resolved.errors) {
    throw new CliError(
      EXIT.CONFIG,
      `The catalogue resolved for environment '${ref}' is invalid:\n${formatIssueLines(resolved.errors)}\nFix the overrides under 'components' in the environment file.`,
      { data: { issues: resolved.errors } },
    );
  }
  return { ref, config, names: resourceNames(config), catalogue: resolved.value, warnings: [...loaded.warnings, ...resolved.warnings] };
}

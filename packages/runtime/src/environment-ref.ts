/**
 * Which environment a command was asked for: `--env`, else `CVAT_ENV`, else the deprecated `CVAT_OPS_ENV` (with a
 * warning). Light (no catalogue import), so a CLI's entry module can use it through `@cvat-cloud/runtime/edge`.
 */
import { CliError } from './errors';
import { EXIT } from './exit';
import { shellQuote } from './shell-quote';

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
      options.warn?.(`warning: ${name} is deprecated; set ${ENVIRONMENT_VARIABLE}=${shellQuote(value)} instead (${name} will be removed).`);
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
    throw new CliError(
      EXIT.USAGE,
      `${what} needs an environment: pass --env <name> (environments/<name>.yaml) or set ${ENVIRONMENT_VARIABLE}.`,
    );
  }
  return found;
}

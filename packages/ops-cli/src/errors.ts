/**
 * The one error type of the ops-cli layer (house style rule 10): every expected failure is an `ExitError`
 * carrying the exit code the process ends with. Anything else reaching `src/index.ts` is a bug and is reported
 * as an `InternalError`.
 *
 * Messages say what went wrong, the value received, what is allowed, and end with the next command to run.
 */

/** Documented exit codes (README "Exit codes", `cvat-ops --help`). */
export const EXIT = {
  /** Everything asked for was done (or, for checks, every check passed). */
  OK: 0,
  /** The operation failed, a check failed, or only part of a batch succeeded (the output lists every outcome). */
  FAILED: 1,
  /** Bad arguments or options, or an unknown component / share / command. Nothing was changed. */
  USAGE: 2,
  /** A destructive command was refused: no `--yes` in a non-interactive shell, or the prompt was declined. Nothing was changed. */
  REFUSED: 3,
  /** Azure, authentication or configuration error: no credential, 401/403, invalid environment file, wrong password, TLS mismatch. */
  AUTH_CONFIG: 4,
  /** A named thing does not exist: Azure resource, share, database, local path. */
  NOT_FOUND: 5,
  /** A bug in cvat-ops (an unexpected exception). */
  INTERNAL: 70,
  /** Interrupted (Ctrl-C / SIGINT). */
  INTERRUPTED: 130,
} as const;

/** One of the documented exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Options of {@link ExitError}. */
export interface ExitErrorOptions {
  /** The underlying error (kept for `--verbose` style debugging and `error.cause`). */
  cause?: unknown;
  /** Data to print with `--json` alongside the message (e.g. the partial results of a batch). */
  data?: unknown;
}

/** An expected failure: its message is printed to stderr (or as JSON) and the process exits with `code`. */
export class ExitError extends Error {
  readonly code: ExitCode;
  readonly data: unknown;
  constructor(code: ExitCode, message: string, options: ExitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExitError';
    this.code = code;
    this.data = options.data;
  }
}

/** An unexpected state inside cvat-ops; printed with its stack and exit code 70. */
export class InternalError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InternalError';
  }
}

/** Short, single-line description of any thrown value (for wrapping causes into messages). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const msg = error.message.split('\n')[0] || error.name;
    return typeof code === 'string' && code && !msg.includes(code) ? `${msg} (${code})` : msg;
  }
  return String(error);
}

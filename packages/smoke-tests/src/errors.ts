/**
 * The one error type of the smoke-tests layer (house style rule 10). Every expected failure — a bad flag, a
 * missing target, an HTTP answer that does not match, a poll that ran out of time — is a `SmokeError` whose
 * `code` says which kind it is; checks throw it, the runner turns it into a failed check, the CLI turns it
 * into an exit code. Anything else that escapes is a bug in the suite.
 */

/** What kind of failure a {@link SmokeError} is. */
export type SmokeErrorCode =
  /** Bad CLI arguments or options: nothing was contacted. */
  | 'usage'
  /** The target or environment configuration is incomplete or invalid. */
  | 'config'
  /** The deployment answered with an unexpected status, or not at all. */
  | 'http'
  /** Something did not happen within its time budget (a poll, a request, a check). */
  | 'timeout'
  /** The deployment answered, but the answer is wrong (shape, version, archive contents, …). */
  | 'assertion'
  /** The run was interrupted (Ctrl-C / SIGINT or a caller's AbortSignal). */
  | 'aborted';

/** Documented exit codes of the `cvat-smoke` binary (see docs/smoke-tests.md "Exit codes"). */
export const EXIT = {
  /** Every selected check passed (skipped checks say why) and cleanup removed everything. */
  OK: 0,
  /** At least one check failed or was blocked by a failed dependency. */
  FAILED: 1,
  /** Bad arguments, or no target given. Nothing was contacted. */
  USAGE: 2,
  /** The checks passed, but cleanup could not delete everything the run created (the report lists it). */
  CLEANUP_INCOMPLETE: 3,
  /** The target configuration is invalid (environment file, missing password, bad URL). */
  CONFIG: 4,
  /** A bug in the suite itself. */
  INTERNAL: 70,
  /** Interrupted by Ctrl-C / SIGINT (cleanup still ran unless interrupted twice). */
  INTERRUPTED: 130,
} as const;

/** One of the documented exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Extra context attached to a {@link SmokeError}. */
export interface SmokeErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** HTTP status received, when the failure is an HTTP answer. */
  status?: number;
  /** Lines of supporting detail (shape mismatches, response excerpts) printed under the message. */
  details?: string[];
}

/** An expected failure of the smoke suite. The message is written for people: what went wrong and what was seen. */
export class SmokeError extends Error {
  override readonly name = 'SmokeError';
  readonly code: SmokeErrorCode;
  readonly status: number | undefined;
  readonly details: string[];

  constructor(code: SmokeErrorCode, message: string, options: SmokeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.details = options.details ?? [];
  }
}

/** True when `error` is a {@link SmokeError}, optionally of the given code. */
export function isSmokeError(error: unknown, code?: SmokeErrorCode): error is SmokeError {
  return error instanceof SmokeError && (code === undefined || error.code === code);
}

/** A one-line description of any thrown value, for reports. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const causeText = cause instanceof Error && !error.message.includes(cause.message) ? ` (${cause.message})` : '';
    return `${error.message}${causeText}`;
  }
  return String(error);
}

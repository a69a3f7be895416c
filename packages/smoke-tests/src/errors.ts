/**
 * The one error type of the smoke-tests layer (house style rule 10). Every expected failure — a bad flag, a
 * missing target, an HTTP answer that does not match, a poll that ran out of time — is a `SmokeError` whose
 * `code` says which kind it is; checks throw it and the runner turns it into a failed check.
 *
 * A `SmokeError` is a `CliError` of the process edge (`@cvat-cloud/runtime`), so one that reaches the CLI's
 * `runMain` is printed once and exits with the code of the one table (docs/exit-codes.md) that its kind maps to
 * ({@link exitFor}). Anything else that escapes is a bug in the suite (exit 70).
 */
import { CliError, EXIT, isUnreachable, type ExitCode } from '@cvat-cloud/runtime/edge';

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

/** Extra context attached to a {@link SmokeError}. */
export interface SmokeErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** HTTP status received, when the failure is an HTTP answer. */
  status?: number;
  /** Lines of supporting detail (shape mismatches, response excerpts) printed under the message. */
  details?: string[];
}

/**
 * The exit code of a {@link SmokeError} that ends the process: `usage` 2, `config` 4, `aborted` 130; an HTTP
 * failure that never got an answer (connection refused, DNS, reset) and a request timeout 7 (UNAVAILABLE); an
 * unexpected answer or a wrong one 1 (FAILED).
 */
export function exitFor(code: SmokeErrorCode, cause?: unknown): ExitCode {
  switch (code) {
    case 'usage':
      return EXIT.USAGE;
    case 'config':
      return EXIT.CONFIG;
    case 'aborted':
      return EXIT.INTERRUPTED;
    case 'timeout':
      return EXIT.UNAVAILABLE;
    case 'http':
      return isUnreachable(cause) ? EXIT.UNAVAILABLE : EXIT.FAILED;
    case 'assertion':
      return EXIT.FAILED;
  }
}

/** An expected failure of the smoke suite. The message is written for people: what went wrong and what was seen. */
export class SmokeError extends CliError {
  override readonly name = 'SmokeError';
  readonly code: SmokeErrorCode;
  readonly status: number | undefined;
  readonly details: string[];

  constructor(code: SmokeErrorCode, message: string, options: SmokeErrorOptions = {}) {
    super(exitFor(code, options.cause), message, options.cause === undefined ? {} : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.details = options.details ?? [];
  }
}

/** True when `error` is a {@link SmokeError}, optionally of the given code. */
export function isSmokeError(error: unknown, code?: SmokeErrorCode): error is SmokeError {
  return error instanceof SmokeError && (code === undefined || error.code === code);
}

/**
 * The one error type of the process edge (house style: one error type per layer). Every expected failure a command
 * reports is a {@link CliError} carrying its exit code from the one table (./exit); anything else reaching
 * `runMain` is a bug and is reported as an {@link InternalError} (exit 70, the only case with a stack trace).
 *
 * Messages say what went wrong, the value received and what is allowed; `hint` is the next command to run.
 */
import { EXIT, type ExitCode } from './exit';

/** Options of {@link CliError}. */
export interface CliErrorOptions {
  /** The next command to run (printed on its own line: `next: <hint>`; in `--json` as `hint`). */
  readonly hint?: string;
  /** Data printed with `--json` alongside the message (e.g. the partial results of a batch). */
  readonly data?: unknown;
  /** The underlying error (`error.cause`; printed with `CVAT_DEBUG=1`). */
  readonly cause?: unknown;
  /** The message was already shown (e.g. by the argument parser): print nothing more, except with `--json`. @default false */
  readonly printed?: boolean;
}

/** An expected failure: its message is printed once (or as JSON) and the process exits with `exit`. */
export class CliError extends Error {
  /** The process exit code (./exit EXIT). */
  readonly exit: ExitCode;
  readonly hint: string | undefined;
  readonly data: unknown;
  readonly printed: boolean;
  constructor(exit: ExitCode, message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exit = exit;
    this.hint = options.hint;
    this.data = options.data;
    this.printed = options.printed ?? false;
  }
}

/** An unexpected state (a bug): printed with its stack, exit 70. */
export class InternalError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InternalError';
  }
}

/** True when `error` is a {@link CliError}, optionally with the given exit code. */
export function isCliError(error: unknown, exit?: ExitCode): error is CliError {
  return error instanceof CliError && (exit === undefined || error.exit === exit);
}

/**
 * One line describing any thrown value, for wrapping a cause into a message: the first line of the message, the
 * Node error code (`ECONNREFUSED`) when the message does not already contain it, and the cause's message when it adds
 * something.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  let text = error.message.split('\n')[0] || error.name;
  if (typeof code === 'string' && code && !text.includes(code)) text = `${text} (${code})`;
  const cause = (error as { cause?: unknown }).cause;
  const causeLine = cause instanceof Error ? cause.message.split('\n')[0] : undefined;
  if (causeLine && !text.includes(causeLine)) text = `${text} (${causeLine})`;
  return text;
}

/** Node error codes that mean "the other side could not be reached" (exit 7). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** True for network failures (connection refused or reset, DNS, timeout), looking through `cause`. */
export function isUnreachable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return e.name === 'TimeoutError';
  }
  return false;
}

/** Node error codes of a failed system call that are about the machine (permissions, space, paths), not a bug. */
const MACHINE_CODES = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOSPC',
  'EDQUOT',
  'EISDIR',
  'ENOTDIR',
  'EEXIST',
  'EMFILE',
  'ENFILE',
  'EBUSY',
  'ENAMETOOLONG',
  'ELOOP',
  'EFBIG',
]);

/**
 * A Node system-call failure (an error with `syscall`, e.g. `EACCES: permission denied, open '/x'`) that escaped a
 * command, as the {@link CliError} it should have been: unreachable → UNAVAILABLE (7), `ENOENT` → NOT_FOUND (6),
 * permissions, space and path kinds → FAILED (1). Undefined for anything else (a real bug stays exit 70).
 */
export function systemCliError(error: unknown): CliError | undefined {
  if (!(error instanceof Error) || typeof (error as { syscall?: unknown }).syscall !== 'string') return undefined;
  const code = (error as { code?: unknown }).code;
  const line = `${describeError(error)}. Nothing more was done.`;
  if (isUnreachable(error)) return new CliError(EXIT.UNAVAILABLE, line, { cause: error });
  if (code === 'ENOENT') return new CliError(EXIT.NOT_FOUND, line, { cause: error });
  if (typeof code === 'string' && MACHINE_CODES.has(code)) return new CliError(EXIT.FAILED, line, { cause: error });
  return undefined;
}

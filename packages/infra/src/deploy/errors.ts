/**
 * Exit codes of the deploy and cost commands.
 *
 * Scripts and CI read these, so they are part of the public contract: add new codes, never renumber.
 */
export const EXIT_CODES = {
  /** Everything requested was done (or there was nothing to do). */
  ok: 0,
  /** A terraform step, the init job or an Azure call failed; the message names the stack and the step. */
  failed: 1,
  /** Bad command-line arguments or bad input (config, manifest, price table). Nothing was changed. */
  usage: 2,
  /** A precondition is missing: terraform binary, Azure credentials, subscription, or a preflight check failed. Nothing was changed. */
  precondition: 3,
  /** The user declined the confirmation, or confirmation was needed but no terminal was available. */
  notConfirmed: 4,
} as const;

/** Stable identifiers for every error the deploy layer raises. */
export type DeployErrorCode =
  | 'USAGE'
  | 'BAD_INPUT'
  | 'BINARY_MISSING'
  | 'CREDENTIALS_MISSING'
  | 'SUBSCRIPTION_MISSING'
  | 'SUBSCRIPTION_MISMATCH'
  | 'MANIFEST'
  | 'STEP_FAILED'
  | 'NOT_CONFIRMED'
  | 'INIT_JOB_FAILED'
  | 'SUPERUSER_FAILED'
  | 'DATA_LOSS_GUARD'
  | 'PREFLIGHT_FAILED';

const EXIT_BY_CODE: Record<DeployErrorCode, number> = {
  USAGE: EXIT_CODES.usage,
  BAD_INPUT: EXIT_CODES.usage,
  MANIFEST: EXIT_CODES.usage,
  BINARY_MISSING: EXIT_CODES.precondition,
  CREDENTIALS_MISSING: EXIT_CODES.precondition,
  SUBSCRIPTION_MISSING: EXIT_CODES.precondition,
  SUBSCRIPTION_MISMATCH: EXIT_CODES.precondition,
  PREFLIGHT_FAILED: EXIT_CODES.precondition,
  STEP_FAILED: EXIT_CODES.failed,
  INIT_JOB_FAILED: EXIT_CODES.failed,
  SUPERUSER_FAILED: EXIT_CODES.failed,
  NOT_CONFIRMED: EXIT_CODES.notConfirmed,
  DATA_LOSS_GUARD: EXIT_CODES.notConfirmed,
};

/**
 * The one error type of the deploy/cost layer.
 *
 * Carries a stable `code`, the process exit code it maps to and, for terraform failures, the stack and
 * step that failed so a rerun can be aimed precisely. The message always says what went wrong and what
 * to do next.
 */
export class DeployError extends Error {
  /** Stable machine-readable code. */
  readonly code: DeployErrorCode;
  /** Process exit code for this error (see {@link EXIT_CODES}). */
  readonly exitCode: number;
  /** Terraform stack being processed when the error happened, if any (`Error.stack` is the JS trace). */
  readonly stackName?: string;
  /** Step being run when the error happened (`init`, `plan`, `show`, `apply`, `init-job`, `superuser`), if any. */
  readonly step?: string;

  constructor(code: DeployErrorCode, message: string, options: { stackName?: string; step?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeployError';
    this.code = code;
    this.exitCode = EXIT_BY_CODE[code];
    this.stackName = options.stackName;
    this.step = options.step;
  }
}

/**
 * The one error type of infra's commands (deploy, plan, destroy, state-bootstrap, preflight, cost, synth, policy,
 * validate): a {@link CliError} of the shared runtime carrying a stable `code` (the kind of failure) and, for
 * terraform failures, the stack and step that failed, so a rerun can be aimed precisely. Every kind maps onto the
 * one exit-code table (docs/exit-codes.md); the message always says what went wrong and what to do next.
 */
import { CliError, EXIT, type ExitCode } from '@cvat-cloud/runtime/edge';

/** Stable identifiers for every error infra's commands raise. */
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
  | 'PREFLIGHT_FAILED'
  | 'PARTIAL';

/** Each kind's exit code in the one table (packages/runtime/src/exit.ts, docs/exit-codes.md). */
export const EXIT_BY_CODE: Readonly<Record<DeployErrorCode, ExitCode>> = {
  USAGE: EXIT.USAGE,
  BAD_INPUT: EXIT.CONFIG,
  MANIFEST: EXIT.CONFIG,
  BINARY_MISSING: EXIT.UNAVAILABLE,
  CREDENTIALS_MISSING: EXIT.AUTH,
  SUBSCRIPTION_MISSING: EXIT.AUTH,
  SUBSCRIPTION_MISMATCH: EXIT.AUTH,
  PREFLIGHT_FAILED: EXIT.FAILED,
  STEP_FAILED: EXIT.FAILED,
  INIT_JOB_FAILED: EXIT.FAILED,
  SUPERUSER_FAILED: EXIT.FAILED,
  NOT_CONFIRMED: EXIT.REFUSED,
  DATA_LOSS_GUARD: EXIT.REFUSED,
  PARTIAL: EXIT.INCOMPLETE,
};

/** Options of {@link DeployError}. */
export interface DeployErrorOptions {
  /** Terraform stack being processed, if any. */
  readonly stackName?: string;
  /** Step being run (`init`, `plan`, `show`, `apply`, `init-job`, `superuser`), if any. */
  readonly step?: string;
  readonly cause?: unknown;
  /** The next command to run (`next: …`). */
  readonly hint?: string;
}

/** An expected failure of an infra command; `runMain` prints it once and exits with {@link DeployError.exit}. */
export class DeployError extends CliError {
  /** Stable machine-readable kind. */
  readonly code: DeployErrorCode;
  /** Terraform stack being processed when the error happened, if any (`Error.stack` is the JS trace). */
  readonly stackName?: string;
  /** Step being run when the error happened, if any. */
  readonly step?: string;

  constructor(code: DeployErrorCode, message: string, options: DeployErrorOptions = {}) {
    super(EXIT_BY_CODE[code], message, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      ...(options.hint === undefined ? {} : { hint: options.hint }),
    });
    this.name = 'DeployError';
    this.code = code;
    this.stackName = options.stackName;
    this.step = options.step;
  }

  /** The process exit code (same as `exit`). */
  get exitCode(): ExitCode {
    return this.exit;
  }
}

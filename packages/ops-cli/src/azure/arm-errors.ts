/**
 * Reading ARM failures without importing core-rest-pipeline: a `RestError` carries `statusCode` and the ARM error
 * `code` (`ResourceNotFound`, `Conflict`, …); long-running operations that end `Failed` throw an Error whose
 * message is the operation's error message.
 */
import { authError } from '../context/credential';
import { EXIT, ExitError, describeError } from '../errors';

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message: string;
}

function asRest(error: unknown): RestErrorLike | undefined {
  return error instanceof Error ? (error as Error & RestErrorLike) : undefined;
}

/** HTTP status of an ARM failure, if it came from a response. */
export function armStatus(error: unknown): number | undefined {
  return asRest(error)?.statusCode;
}

/** True for 404 / `ResourceNotFound` (the resource, or its group, does not exist). */
export function isNotFound(error: unknown): boolean {
  const e = asRest(error);
  return e?.statusCode === 404 || e?.code === 'ResourceNotFound' || e?.code === 'ResourceGroupNotFound';
}

/** One line for a report: `409 Conflict: <ARM message>` or the error's first line. */
export function armReason(error: unknown): string {
  const e = asRest(error);
  if (!e) return String(error);
  const message = (e.message.split('\n')[0] ?? '').trim() || e.code || 'unknown error';
  const parts = [e.statusCode !== undefined ? String(e.statusCode) : undefined, e.code && !message.includes(e.code) ? e.code : undefined].filter(Boolean);
  return parts.length > 0 ? `${parts.join(' ')}: ${message}` : message;
}

/**
 * Maps an ARM failure of a whole command (not one item of a batch) to an ExitError: credential / 401 / 403 → 4,
 * resource group or subscription missing → 5 naming it, anything else → 1. `what` names the call, e.g.
 * `listing container apps in rg-cvat-dev`.
 */
export function armFailure(error: unknown, what: string, next: string): ExitError {
  if (error instanceof ExitError) return error;
  const auth = authError(error, what);
  if (auth) return auth;
  const e = asRest(error);
  if (e?.code === 'ResourceGroupNotFound' || e?.code === 'SubscriptionNotFound') {
    return new ExitError(EXIT.NOT_FOUND, `${what} failed: ${armReason(error)}. ${next}`, { cause: error });
  }
  return new ExitError(EXIT.FAILED, `${what} failed: ${e ? armReason(error) : describeError(error)}. ${next}`, { cause: error });
}

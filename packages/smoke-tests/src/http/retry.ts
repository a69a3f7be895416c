/**
 * When the HTTP client may send a request again. Only idempotent methods are ever retried: repeating a
 * `POST /api/tasks` after a 503 could create a second task that nobody registered for cleanup, and repeating
 * `POST /api/tasks/{id}/data/` could start a second import. A `GET`, `PUT` (replace) or `DELETE` has the same
 * effect however often it is sent, so a transient gateway error or a dropped keep-alive socket is retried a
 * bounded number of times with exponential backoff.
 */

/** Bounded retry behaviour of {@link CvatClient} for idempotent requests. */
export interface RetryPolicy {
  /**
   * Retries after the first attempt (so at most `maxRetries + 1` requests are sent).
   * @default 2
   */
  readonly maxRetries: number;
  /**
   * Delay before the first retry, in milliseconds.
   * @default 250
   */
  readonly minDelayMs: number;
  /**
   * Factor applied to the delay for each further retry.
   * @default 2
   */
  readonly backoffRate: number;
  /**
   * Upper bound of one delay, also for a server's `Retry-After`, in milliseconds.
   * @default 2000
   */
  readonly maxDelayMs: number;
  /**
   * Response statuses that mean "try again" (gateway and overload answers). A 500 is not among them: it is
   * CVAT saying something is broken, which a retry only hides.
   * @default [429, 502, 503, 504]
   */
  readonly retryStatuses: readonly number[];
}

/** The default {@link RetryPolicy}. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxRetries: 2,
  minDelayMs: 250,
  backoffRate: 2,
  maxDelayMs: 2000,
  retryStatuses: Object.freeze([429, 502, 503, 504]),
});

/** Methods that RFC 9110 §9.2.2 defines as idempotent; only these are retried. */
export const IDEMPOTENT_METHODS: readonly string[] = Object.freeze(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Network error codes that mean the request did not reach the application (or the socket died under it). */
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** True when `method` may be retried at all. */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT_METHODS.includes(method.toUpperCase());
}

/** What one attempt ended with: a status, or a thrown network error. */
export type AttemptOutcome = { status: number; retryAfter?: string } | { error: unknown };

/**
 * Whether attempt number `attempt` (1-based) should be followed by another one.
 *
 * Never for non-idempotent methods, never past `maxRetries`, never for timeouts or aborts (a slow answer
 * would only be slow again), only for the listed statuses and for connection-level errors.
 */
export function shouldRetry(method: string, attempt: number, outcome: AttemptOutcome, policy: RetryPolicy = DEFAULT_RETRY_POLICY): boolean {
  if (!isIdempotent(method)) return false;
  if (attempt > policy.maxRetries) return false;
  if ('status' in outcome) return policy.retryStatuses.includes(outcome.status);
  const code = errorCode(outcome.error);
  return code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
}

/**
 * Delay in milliseconds before retry number `retry` (1-based): `minDelayMs * backoffRate^(retry-1)`, capped
 * at `maxDelayMs`. A numeric `Retry-After` (seconds) from the server wins when it is within the cap.
 */
export function retryDelayMs(retry: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, retryAfter?: string): number {
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter.trim())) {
    const ms = Number(retryAfter.trim()) * 1000;
    if (ms <= policy.maxDelayMs) return ms;
  }
  return Math.min(policy.maxDelayMs, policy.minDelayMs * policy.backoffRate ** (retry - 1));
}

/** The `code` of a Node or undici error, looking through one level of `cause`. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: unknown }).cause;
  if (typeof cause === 'object' && cause !== null && typeof (cause as { code?: unknown }).code === 'string') {
    return (cause as { code: string }).code;
  }
  return undefined;
}

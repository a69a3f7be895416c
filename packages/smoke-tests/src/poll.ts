/**
 * Polling with explicit, documented defaults (house style rule 18, modelled on aws-cdk integ-tests' waiter):
 * call `probe` every `intervalMs`, growing the interval by `backoffRate` up to `maxIntervalMs`, until it
 * reports done or `totalTimeoutMs` has passed. The last observation goes into the timeout message, so a
 * failure says what was seen ("still 'queued'") and not just that time ran out.
 */
import { SmokeError } from './errors';
import { formatSeconds, sleep } from './http/client';

/** Timing of one {@link poll}. */
export interface PollOptions {
  /**
   * Give up after this long, in milliseconds (measured from the first probe).
   * @default 120000
   */
  readonly totalTimeoutMs?: number;
  /**
   * Wait before the second probe, in milliseconds.
   * @default 500
   */
  readonly intervalMs?: number;
  /**
   * Factor applied to the wait after each probe.
   * @default 1.5
   */
  readonly backoffRate?: number;
  /**
   * Upper bound of one wait, in milliseconds.
   * @default 3000
   */
  readonly maxIntervalMs?: number;
  /** Ends the poll early with a {@link SmokeError} `aborted`. */
  readonly signal?: AbortSignal;
}

/** The defaults of {@link PollOptions}. */
export const DEFAULT_POLL: Required<Omit<PollOptions, 'signal'>> = Object.freeze({
  totalTimeoutMs: 120_000,
  intervalMs: 500,
  backoffRate: 1.5,
  maxIntervalMs: 3000,
});

/** What a probe returns: done with a value, or not yet with a description of what it saw. */
export type ProbeResult<T> = { readonly done: true; readonly value: T } | { readonly done: false; readonly seen: string };

/** Helper to build a {@link ProbeResult}. */
export const probe = {
  done<T>(value: T): ProbeResult<T> {
    return { done: true, value };
  },
  pending<T = never>(seen: string): ProbeResult<T> {
    return { done: false, seen };
  },
};

/**
 * Probes until done. Throws a {@link SmokeError} `timeout` whose message is
 * `<description>: not done after <N> s (<probes> probes); last seen: <seen>` — plus `hint` when given.
 * Errors thrown by `fn` end the poll immediately (a failed request is not "not yet").
 */
export async function poll<T>(
  description: string,
  fn: () => Promise<ProbeResult<T>>,
  options: PollOptions & { readonly hint?: string } = {},
): Promise<T> {
  const totalTimeoutMs = options.totalTimeoutMs ?? DEFAULT_POLL.totalTimeoutMs;
  const backoffRate = options.backoffRate ?? DEFAULT_POLL.backoffRate;
  const maxIntervalMs = options.maxIntervalMs ?? DEFAULT_POLL.maxIntervalMs;
  let intervalMs = options.intervalMs ?? DEFAULT_POLL.intervalMs;
  if (!(totalTimeoutMs > 0)) throw new SmokeError('usage', `'totalTimeoutMs' (${totalTimeoutMs}) must be greater than 0`);
  if (!(intervalMs > 0)) throw new SmokeError('usage', `'intervalMs' (${intervalMs}) must be greater than 0`);
  if (!(backoffRate >= 1)) throw new SmokeError('usage', `'backoffRate' (${backoffRate}) must be 1 or more`);
  const deadline = performance.now() + totalTimeoutMs;
  let probes = 0;
  let seen = 'nothing yet';
  for (;;) {
    if (options.signal?.aborted) throw new SmokeError('aborted', `${description}: interrupted`);
    probes += 1;
    const result = await fn();
    if (result.done) return result.value;
    seen = result.seen;
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      const hint = options.hint ? ` — ${options.hint}` : '';
      throw new SmokeError(
        'timeout',
        `${description}: not done after ${formatSeconds(totalTimeoutMs)} (${probes} probes); last seen: ${seen}${hint}`,
      );
    }
    await sleep(Math.min(intervalMs, remaining), options.signal);
    intervalMs = Math.min(maxIntervalMs, intervalMs * backoffRate);
  }
}

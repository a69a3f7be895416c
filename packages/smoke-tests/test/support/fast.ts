/** Suite options that make a run against the stand-in take well under a second when healthy. */
import { runSuite, type SuiteOptions, type SuiteResult } from '../../src/suite';
import type { CvatStandIn } from './cvat-stand-in';

/**
 * Checks no fault test expects to time out get 10 s (so a slow, shared CI machine cannot fail them); the
 * worker checks keep their own timeouts × 0.02 (1.8 s … 3.4 s), which is how long a dead-queue test waits.
 */
const GENEROUS = [
  'server.about',
  'server.health',
  'database.health',
  'redis-inmem.health',
  'redis-ondisk.health',
  'opa.health',
  'ui.index',
  'auth.login',
  'opa.authz',
  'annotations.roundtrip',
  'workers.utils',
  'workers.annotation',
];

/** Short polls, retries and timeouts. */
export const FAST: Omit<SuiteOptions, 'target'> = {
  poll: { intervalMs: 5, backoffRate: 1.5, maxIntervalMs: 25 },
  timeoutMultiplier: 0.02,
  timeoutsMs: Object.fromEntries(GENEROUS.map((id) => [id, 500_000])),
  requestTimeoutMs: 2000,
  retry: { minDelayMs: 5, maxDelayMs: 20 },
  cleanupTimeoutMs: 5000,
};

/** Runs the suite against a stand-in with {@link FAST} settings plus `overrides`. */
export function runAgainst(standIn: CvatStandIn, overrides: Omit<SuiteOptions, 'target'> = {}): Promise<SuiteResult> {
  return runSuite({ target: { baseUrl: standIn.url, ...standIn.superuser }, ...FAST, ...overrides });
}

/** `{ id: status }` of a result, for compact assertions. */
export function statuses(result: SuiteResult): Record<string, string> {
  return Object.fromEntries(result.checks.map((c) => [c.id, c.status]));
}

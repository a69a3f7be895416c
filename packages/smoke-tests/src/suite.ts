/**
 * One smoke run: build the client, run the selected checks as a parallel dependency graph, then clean up —
 * always, also after failures and interruption — and return one result object the reporters render.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { CVAT_VERSION, defaultCatalogue, type Catalogue } from '@cvat-cloud/catalogue';
import { ALL_CHECKS } from './checks';
import { DEFAULT_EXPORT_FORMATS } from './checks/export';
import { normalizeVersion } from './checks/server';
import { CleanupRegistry, type CleanupReport, type CreatedResource } from './cleanup';
import { componentDirectory } from './components';
import { EXIT, describeError, type ExitCode } from '@cvat-cloud/runtime/edge';
import { SmokeError } from './errors';
import { CvatClient, sleep, type Credentials, type HttpExchange } from './http/client';
import type { RetryPolicy } from './http/retry';
import { DEFAULT_POLL, type PollOptions } from './poll';
import { newRunId, resourceName, validateRunId } from './run-id';
import { runChecks, selectChecks, type RunnerEvent } from './runner/runner';
import { RunState } from './runner/state';
import type { CheckDefinition, CheckResult, CheckStatus, SuiteSettings } from './runner/types';

/** Where and as whom to run. */
export interface SmokeTarget {
  /** Public base URL of the deployment (the edge), e.g. `https://cvat.example.org`. */
  readonly baseUrl: string;
  /** A superuser's username. */
  readonly username: string;
  /** That superuser's password. */
  readonly password: string;
}

/** Progress events of {@link runSuite}. */
export type SuiteEvent =
  | RunnerEvent
  | { readonly type: 'http'; readonly exchange: HttpExchange }
  | { readonly type: 'cleanup-start'; readonly registered: number }
  | { readonly type: 'cleanup'; readonly resource: CreatedResource; readonly outcome: 'deleted' | 'failed' };

/** Options of {@link runSuite}. */
export interface SuiteOptions {
  readonly target: SmokeTarget;
  /** @default newRunId() */
  readonly runId?: string;
  /** Leave everything the run created in place (for debugging). @default false */
  readonly keep?: boolean;
  /** Check ids, id prefixes or component names to run (plus their dependencies). @default - all */
  readonly only?: readonly string[];
  /** Check ids, id prefixes or component names to leave out. @default - none */
  readonly skip?: readonly string[];
  /** Whether analytics (vector, ClickHouse) is deployed. @default true */
  readonly analytics?: boolean;
  /** The version `/api/server/about` must report. @default the catalogue's cvatVersion */
  readonly expectedVersion?: string;
  /** The (resolved) catalogue: component names, enabled flags, queues, replicas. @default defaultCatalogue() */
  readonly catalogue?: Catalogue;
  /** Where webhook deliveries go. @default `<baseUrl>/api/server/about` (answers 405 to a POST, which still records a delivery) */
  readonly webhookTargetUrl?: string;
  /** Dataset export formats. @default DEFAULT_EXPORT_FORMATS */
  readonly exportFormats?: readonly string[];
  /** Factor for every check timeout. @default 1 */
  readonly timeoutMultiplier?: number;
  /** Per-check timeout overrides in milliseconds. @default - each check's own */
  readonly timeoutsMs?: Readonly<Record<string, number>>;
  /** Poll timing of background requests. @default DEFAULT_POLL */
  readonly poll?: Omit<PollOptions, 'signal' | 'totalTimeoutMs'>;
  /** One request attempt's time budget in milliseconds. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Retry policy overrides for idempotent requests. @default DEFAULT_RETRY_POLICY */
  readonly retry?: Partial<RetryPolicy>;
  /** Maximum checks running at once. @default Infinity */
  readonly concurrency?: number;
  /** Interrupts the checks (cleanup still runs). */
  readonly signal?: AbortSignal;
  /** Interrupts cleanup (a second Ctrl-C). */
  readonly cleanupSignal?: AbortSignal;
  /** Time budget of cleanup in milliseconds. @default 120000 */
  readonly cleanupTimeoutMs?: number;
  /** undici dispatcher (tests). @default - a keep-alive Agent owned by the run */
  readonly dispatcher?: Dispatcher;
  readonly onEvent?: (event: SuiteEvent) => void;
}

/** Counts of check statuses. */
export type StatusCounts = Record<CheckStatus, number>;

/** Everything a run did. */
export interface SuiteResult {
  readonly runId: string;
  readonly baseUrl: string;
  readonly startedAt: string;
  readonly durationMs: number;
  /** Sum of the checks' durations: what a serial run would have taken (shows the parallel gain). */
  readonly serialDurationMs: number;
  readonly interrupted: boolean;
  readonly checks: readonly CheckResult[];
  readonly counts: StatusCounts;
  readonly cleanup: CleanupReport;
  readonly requests: { readonly sent: number; readonly retried: number };
  /** Whether the run passed: no failed, blocked or aborted check, and cleanup complete. */
  readonly ok: boolean;
}

/** Counts statuses. */
export function countStatuses(checks: readonly CheckResult[]): StatusCounts {
  const counts: StatusCounts = { pass: 0, fail: 0, skip: 0, blocked: 0, aborted: 0 };
  for (const c of checks) counts[c.status] += 1;
  return counts;
}

/**
 * The exit code for a result, from the one table of `@cvat-cloud/runtime` (docs/exit-codes.md): 130 interrupted,
 * 1 a check failed, was blocked or interrupted, 8 (INCOMPLETE) the checks passed but cleanup left something, else 0.
 */
export function exitCodeFor(result: SuiteResult): ExitCode {
  if (result.interrupted) return EXIT.INTERRUPTED;
  if (result.counts.fail > 0 || result.counts.blocked > 0 || result.counts.aborted > 0) return EXIT.FAILED;
  if (result.cleanup.failed.length > 0 || result.cleanup.searchError !== undefined) return EXIT.INCOMPLETE;
  return EXIT.OK;
}

/** Methods that never create anything (RFC 9110 §9.2.1 safe methods). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request may have created an object cleanup has to find: any unsafe method except the login, which
 * only opens a session (`POST /api/auth/login`, cvat-ai/cvat@v2.73.0 cvat/apps/iam/views.py `LoginViewEx`).
 */
export function mayCreate(method: string, url: URL): boolean {
  return !SAFE_METHODS.has(method.toUpperCase()) && !/\/api\/auth\/login\/?$/.test(url.pathname);
}

/** The checks a run would execute, in plan order, for `only`/`skip` (for `--list`). */
export function plannedChecks(options: Pick<SuiteOptions, 'only' | 'skip' | 'catalogue'>): CheckDefinition[] {
  return selectChecks(ALL_CHECKS, componentDirectory(options.catalogue ?? defaultCatalogue()), { only: options.only, skip: options.skip });
}

/** Runs the smoke suite against `options.target`. Never throws for check failures; throws a {@link SmokeError} for bad options. */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const runId = options.runId === undefined ? newRunId() : validateRunId(options.runId);
  if (!options.target.username)
    throw new SmokeError('config', "'username' is empty; give the superuser's username (--username or CVAT_USERNAME)");
  if (!options.target.password)
    throw new SmokeError('config', "'password' is empty; give the superuser's password (--password or CVAT_PASSWORD)");
  const catalogue = options.catalogue ?? defaultCatalogue();
  const components = componentDirectory(catalogue);
  const checks = selectChecks(ALL_CHECKS, components, { only: options.only, skip: options.skip });
  const startedAt = new Date();
  const origin = performance.now();
  let sent = 0;
  let retried = 0;
  let createsSent = 0;
  const client = new CvatClient({
    baseUrl: options.target.baseUrl,
    requestTimeoutMs: options.requestTimeoutMs,
    retry: options.retry,
    dispatcher: options.dispatcher,
    onSend: (method, url) => {
      if (mayCreate(method, url)) createsSent += 1;
    },
    onExchange: (exchange) => {
      sent += 1;
      if (exchange.willRetry) retried += 1;
      options.onEvent?.({ type: 'http', exchange });
    },
  });
  const workDir = await mkdtemp(join(tmpdir(), `cvat-smoke-${runId}-`));
  const admin: Credentials = { kind: 'basic', username: options.target.username, password: options.target.password };
  const settings: SuiteSettings = {
    expectedVersion: normalizeVersion(options.expectedVersion ?? catalogue.cvatVersion ?? CVAT_VERSION),
    analytics: options.analytics ?? true,
    webhookTargetUrl: options.webhookTargetUrl ?? client.url('/api/server/about').href,
    poll: { ...DEFAULT_POLL, ...options.poll },
    workDir,
    exportFormats: options.exportFormats ?? DEFAULT_EXPORT_FORMATS,
  };
  const state = new RunState();
  const cleanup = new CleanupRegistry();
  const runSignal = options.signal ?? new AbortController().signal;
  let results: CheckResult[] = [];
  let cleanupReport: CleanupReport = { deleted: [], kept: [], failed: [], found: [] };
  try {
    const run = await runChecks(checks, {
      components,
      settings,
      signal: runSignal,
      concurrency: options.concurrency,
      timeoutMultiplier: options.timeoutMultiplier,
      timeoutsMs: options.timeoutsMs,
      origin,
      onEvent: options.onEvent,
      context: (_check, parts) => ({
        runId,
        client,
        admin,
        signal: parts.signal,
        runSignal,
        settings,
        state,
        cleanup,
        components,
        remainingMs: parts.remainingMs,
        step: parts.step,
        note: parts.note,
        name: (suffix) => resourceName(runId, suffix),
      }),
    });
    results = run.results;
    // Abandoned check bodies had their requests aborted; give them a moment to register what they created.
    await Promise.race([run.settled, sleep(5000)]);
  } finally {
    options.onEvent?.({ type: 'cleanup-start', registered: cleanup.list().length });
    const timeout = AbortSignal.timeout(options.cleanupTimeoutMs ?? 120_000);
    const signal = options.cleanupSignal ? AbortSignal.any([options.cleanupSignal, timeout]) : timeout;
    try {
      const report = await cleanup.run({
        client,
        admin,
        runId,
        keep: options.keep,
        signal,
        onProgress: (resource, outcome) => options.onEvent?.({ type: 'cleanup', resource, outcome }),
      });
      // No request that could create anything was sent and the search found nothing (or could not search, e.g. the
      // server went away): the run created nothing, which is not an incomplete cleanup.
      const touched = report.deleted.length + report.kept.length + report.failed.length + report.found.length;
      cleanupReport = createsSent === 0 && touched === 0 ? { deleted: [], kept: [], failed: [], found: [], nothingCreated: true } : report;
    } catch (error) {
      cleanupReport = {
        deleted: [],
        kept: [],
        failed: cleanup.list().map((resource) => ({ resource, error: describeError(error) })),
        found: [],
      };
    }
    await rm(workDir, { recursive: true, force: true });
    await client.close();
  }
  const counts = countStatuses(results);
  const durationMs = Math.round(performance.now() - origin);
  const result: SuiteResult = {
    runId,
    baseUrl: client.baseUrl.href,
    startedAt: startedAt.toISOString(),
    durationMs,
    serialDurationMs: results.reduce((sum, r) => sum + r.durationMs, 0),
    interrupted: runSignal.aborted,
    checks: results,
    counts,
    cleanup: cleanupReport,
    requests: { sent, retried },
    ok: false,
  };
  return { ...result, ok: exitCodeFor(result) === EXIT.OK };
}

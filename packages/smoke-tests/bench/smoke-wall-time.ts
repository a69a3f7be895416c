/**
 * Benchmark: the smoke suite's wall time against the CVAT stand-in with realistic latencies, with the suite's
 * real (default) poll timings and timeouts. Two scenarios:
 *
 * - warm: every worker has a live replica (the catalogue's default: replicas.min 1 for every worker);
 * - cold: every worker queue first waits for a replica to start (KEDA scale-from-zero), 45 s per queue.
 *
 * Prints the wall time, what the same checks would take one after another, and a timeline. `--time-scale`
 * shrinks every latency, poll interval and timeout by the same factor and reports projected full-scale times.
 *
 *   npm run bench -w packages/smoke-tests                      # both scenarios, full scale (~2.5 min)
 *   npm run bench -w packages/smoke-tests -- --scenario warm --time-scale 0.25
 */
import { CvatStandIn, type StandInLatency } from '../test/support/cvat-stand-in';
import { runSuite, type SuiteResult } from '../src/suite';
import { DEFAULT_POLL } from '../src/poll';
import { formatDuration } from '../src/report/table';

/** Per-request and per-job latencies, in milliseconds, as measured or documented (see docs/smoke-tests.md). */
const REALISTIC: StandInLatency = {
  // Edge VM (Traefik, TLS) → ACA ingress → uvicorn: one API round trip including server time.
  requestMs: 60,
  jobMs: {
    import: 4000, // 2-3 tiny PNGs with use_cache: manifest, preview, DB rows
    export: 3000, // dataset without images / backup / events CSV
    chunks: 1500, // build one chunk of 3 frames and store it in kvrocks
    webhooks: 1000, // one HTTP delivery to a target answering at once
    quality_reports: 4000,
    consensus: 3000,
  },
  // Django → vector's http_server source, then the ClickHouse sink's batch: no batch.timeout_secs in
  // packages/catalogue/config/vector/vector.toml, so the sink's default of 1 s applies, plus the insert.
  vectorMs: 2_000,
  coldStartMs: 0,
  // CVAT_CHUNK_CREATE_TIMEOUT (cvat-ai/cvat@v2.73.0 cvat/apps/engine/default_settings.py): then 429 Retry-After 10.
  chunkCreateTimeoutMs: 50_000,
  chunkRetryAfterSeconds: 10,
};

const COLD_START_MS = 45_000;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function scaled(latency: StandInLatency, factor: number): StandInLatency {
  const each = (v: number | Partial<Record<string, number>>): number | Record<string, number> =>
    typeof v === 'number'
      ? Math.round(v * factor)
      : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, Math.round((x ?? 0) * factor)]));
  return {
    requestMs: Math.round(latency.requestMs * factor),
    jobMs: each(latency.jobMs),
    vectorMs: Math.round(latency.vectorMs * factor),
    coldStartMs: each(latency.coldStartMs),
    chunkCreateTimeoutMs: Math.round(latency.chunkCreateTimeoutMs * factor),
    chunkRetryAfterSeconds: latency.chunkRetryAfterSeconds,
  };
}

async function scenario(name: 'warm' | 'cold', timeScale: number): Promise<SuiteResult> {
  const latency = scaled({ ...REALISTIC, coldStartMs: name === 'cold' ? COLD_START_MS : 0 }, timeScale);
  const standIn = await CvatStandIn.start({ latency });
  try {
    const result = await runSuite({
      target: { baseUrl: standIn.url, ...standIn.superuser },
      poll: {
        intervalMs: DEFAULT_POLL.intervalMs * timeScale,
        backoffRate: DEFAULT_POLL.backoffRate,
        maxIntervalMs: DEFAULT_POLL.maxIntervalMs * timeScale,
      },
      timeoutMultiplier: timeScale,
      requestTimeoutMs: Math.max(1000, 30_000 * timeScale),
    });
    if (standIn.violations.length > 0) throw new Error(`schema violations: ${standIn.violations.join('; ')}`);
    const left = standIn.inventory();
    if (left.tasks.length + left.projects.length + left.users.length + left.webhooks.length > 0)
      throw new Error(`cleanup left ${JSON.stringify(left)}`);
    return result;
  } finally {
    await standIn.stop();
  }
}

function report(name: string, result: SuiteResult, timeScale: number): void {
  const project = (ms: number): number => ms / timeScale;
  const failed = result.checks.filter((c) => c.status !== 'pass');
  console.log(
    `\n== ${name}: ${result.counts.pass}/${result.checks.length} checks ` +
      `passed${failed.length ? ` (NOT PASSED: ${failed.map((c) => `${c.id} ${c.status}`).join(', ')})` : ''}`,
  );
  const projected = timeScale !== 1 ? ` (projected; measured ${formatDuration(result.durationMs)} at time scale ${timeScale})` : '';
  console.log(`   wall time                         ${formatDuration(project(result.durationMs))}${projected}`);
  console.log(`   the same checks one after another ${formatDuration(project(result.serialDurationMs))}`);
  console.log(`   requests                          ${result.requests.sent} (${result.requests.retried} retried)`);
  console.log('   timeline (start → end):');
  const rows = [...result.checks].filter((c) => c.startedAtMs >= 0).sort((a, b) => a.startedAtMs - b.startedAtMs);
  for (const c of rows) {
    const start = project(c.startedAtMs);
    const end = project(c.startedAtMs + c.durationMs);
    console.log(`     ${c.id.padEnd(22)} ${formatDuration(start).padStart(10)} → ${formatDuration(end).padStart(10)}`);
  }
}

async function main(): Promise<void> {
  const which = arg('scenario', 'both');
  const timeScale = Number(arg('time-scale', '1'));
  if (!(timeScale > 0 && timeScale <= 1)) throw new Error(`'--time-scale' (${arg('time-scale', '')}) must be in (0, 1]`);
  if (!['warm', 'cold', 'both'].includes(which)) throw new Error(`'--scenario' (${which}) must be warm, cold or both`);
  console.log(
    `smoke-wall-time: suite against the CVAT stand-in, request ${REALISTIC.requestMs} ms, jobs ${JSON.stringify(REALISTIC.jobMs)} ms, vector ` +
      `${REALISTIC.vectorMs} ms, cold start ${COLD_START_MS} ms`,
  );
  console.log('target: the whole suite within 3 min (180 s) on a real deployment');
  const results: [string, SuiteResult][] = [];
  for (const name of which === 'both' ? (['warm', 'cold'] as const) : [which as 'warm' | 'cold']) {
    const result = await scenario(name, timeScale);
    results.push([name, result]);
    report(name, result, timeScale);
  }
  console.log('\nsummary:');
  for (const [name, r] of results) {
    const wall = r.durationMs / timeScale;
    console.log(
      `  ${name.padEnd(5)} wall ${formatDuration(wall).padStart(10)}   serial ${formatDuration(r.serialDurationMs / timeScale).padStart(10)}   ` +
        `${wall <= 180_000 ? 'within' : 'OVER'} the 3 min target`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * Each simulated fault fails exactly the checks of the component at fault (with a message naming it), the
 * checks that need them are blocked (not failed), everything else passes, the stand-in saw no schema
 * violation, and cleanup leaves nothing behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnvironmentConfig, resolveCatalogue, type Catalogue } from '@cvat-cloud/catalogue';
import { EXIT } from '@cvat-cloud/runtime';
import { exitCodeFor, runSuite, type SuiteResult } from '../src/suite';
import { CvatStandIn, type StandInFaults, type StandInLatency } from './support/cvat-stand-in';
import { FAST, runAgainst } from './support/fast';

const EMPTY = { tasks: [], projects: [], webhooks: [], users: [], orphanJobs: [] };

function byStatus(result: SuiteResult, status: string): string[] {
  return result.checks
    .filter((c) => c.status === status)
    .map((c) => c.id)
    .sort();
}

function reasonOf(result: SuiteResult, id: string): string {
  return result.checks.find((c) => c.id === id)?.reason ?? '';
}

interface FaultCase {
  fault: string;
  faults: StandInFaults;
  /** Stand-in latencies for the case. @default - the stand-in's */
  latency?: Partial<StandInLatency>;
  component: string;
  failed: string[];
  blocked: string[];
  /** Words (besides the component name) every failure reason must contain. */
  mentions: RegExp;
  /** The environment's queueRunners for the case. @default - the default runners */
  queueRunners?: Record<string, string>;
}

/** The catalogue of an environment with these queueRunners (the suite's default catalogue otherwise). */
function catalogueWith(queueRunners: Record<string, string> | undefined): Catalogue | undefined {
  if (!queueRunners) return undefined;
  const config = parseEnvironmentConfig({
    name: 'faults',
    adminCidrs: ['203.0.113.0/24'],
    edge: { acmeEmail: 'o@cvat-cloud.dev' },
    queueRunners,
  });
  if (!config.value) throw new Error(JSON.stringify(config.errors));
  const resolved = resolveCatalogue(config.value);
  if (!resolved.value) throw new Error(JSON.stringify(resolved.errors));
  return resolved.value;
}

const CASES: FaultCase[] = [
  {
    fault: 'the import worker never takes jobs',
    faults: { deadQueues: ['import'] },
    component: 'cvat-job-import',
    failed: ['import.task-data'],
    blocked: [
      'annotations.roundtrip',
      'chunks.media',
      'consensus.merge',
      'export.backup',
      'export.dataset',
      'import.backup',
      'quality.report',
    ],
    mentions: /'import' queue/,
  },
  {
    fault: 'the export worker never takes jobs',
    faults: { deadQueues: ['export'] },
    component: 'cvat-job-export',
    failed: ['analytics.events', 'export.backup', 'export.dataset'],
    blocked: ['import.backup'],
    mentions: /'export' queue/,
  },
  {
    fault: 'the chunks worker process never takes jobs (the server answers 429 after its chunk wait)',
    faults: { deadQueues: ['chunks'] },
    // CVAT waits CVAT_CHUNK_CREATE_TIMEOUT (50 s) before its 429; shortened to fit the check's test timeout.
    latency: { chunkCreateTimeoutMs: 300 },
    // the default serves chunks on the utils worker (in its own process), whose live-worker check sees the dead queue too
    component: 'cvat-worker-utils',
    failed: ['chunks.media', 'workers.utils'],
    blocked: [],
    mentions:
      /data\?type=chunk&index=0&quality=original answered 429 \(Retry-After: 10\) 1 time\(s\): .*'chunks' queue|queue 'chunks' has no live worker/,
  },
  {
    fault: 'the chunks worker never takes jobs (an environment with chunks on its own worker again)',
    faults: { deadQueues: ['chunks'] },
    latency: { chunkCreateTimeoutMs: 300 },
    queueRunners: { chunks: 'cvat-worker-chunks' },
    component: 'cvat-worker-chunks',
    failed: ['chunks.media'],
    blocked: [],
    mentions: /data\?type=chunk&index=0&quality=original answered 429 \(Retry-After: 10\) 1 time\(s\): .*'chunks' queue/,
  },
  {
    fault: 'the webhooks worker never takes jobs',
    faults: { deadQueues: ['webhooks'] },
    component: 'cvat-worker-utils',
    // the default environment merges webhooks into the utils worker, whose live-worker check sees it too
    failed: ['webhooks.delivery', 'workers.utils'],
    blocked: [],
    mentions: /'webhooks' queue|queue 'webhooks' has no live worker/,
  },
  {
    fault: 'the quality_reports worker never takes jobs',
    faults: { deadQueues: ['quality_reports'] },
    component: 'cvat-job-quality-reports',
    failed: ['quality.report'],
    blocked: [],
    mentions: /'quality_reports' queue/,
  },
  {
    fault: 'the consensus worker never takes jobs',
    faults: { deadQueues: ['consensus'] },
    component: 'cvat-job-consensus',
    failed: ['consensus.merge'],
    blocked: [],
    mentions: /'consensus' queue/,
  },
  {
    fault: 'the annotation worker is gone (an environment with annotation on an always-on worker)',
    faults: { deadQueues: ['annotation'] },
    queueRunners: { annotation: 'cvat-worker-annotation' },
    component: 'cvat-worker-annotation',
    failed: ['workers.annotation'],
    blocked: [],
    mentions: /queue 'annotation' has no live worker/,
  },
  {
    fault: 'the utils worker is gone',
    faults: { deadQueues: ['notifications', 'cleaning'] },
    component: 'cvat-worker-utils',
    failed: ['workers.utils'],
    blocked: [],
    mentions: /queue 'notifications' has no live worker; queue 'cleaning' has no live worker/,
  },
  {
    fault: 'the edge sends /django-rq to the UI instead of the server',
    faults: { edgeRoutesToUi: ['/django-rq'] },
    component: 'cvat-server',
    failed: ['workers.utils'],
    blocked: [],
    mentions: new RegExp(
      /GET \/django-rq\/ answered 200 but not with django-rq's queue page \(it is the CVAT UI's index\.html: the /.source +
        /edge does not route \/django-rq to cvat-server\)/.source,
    ),
  },
  {
    fault: 'OPA has no policy bundle',
    faults: { opaWithoutBundle: true },
    component: 'opa',
    failed: ['opa.authz', 'opa.health'],
    blocked: [
      'analytics.events',
      'annotations.roundtrip',
      'chunks.media',
      'consensus.merge',
      'export.backup',
      'export.dataset',
      'import.backup',
      'import.task-data',
      'quality.report',
      'webhooks.delivery',
    ],
    mentions: /OPAHealthCheck|OPA/,
  },
  {
    fault: 'vector never delivers events to ClickHouse',
    faults: { analyticsDown: true },
    component: 'vector',
    failed: ['analytics.events'],
    blocked: [],
    mentions: /never appeared in the events export/,
  },
  {
    fault: 'the UI answers a burst of 502s longer than the retry budget',
    faults: { bursts: [{ method: 'GET', path: /^\/$/, status: 502, count: 5 }] },
    component: 'cvat-ui',
    failed: ['ui.index'],
    blocked: [],
    mentions: /502 after 3 attempts/,
  },
  {
    fault: 'the chunk endpoint answers slower than the check allows',
    faults: { slow: [{ method: 'GET', path: /^\/api\/jobs\/\d+\/data$/, delayMs: 30_000 }] },
    component: 'cvat-worker-utils',
    failed: ['chunks.media'],
    blocked: [],
    mentions: /no complete answer within|did not finish within/,
  },
  {
    fault: 'one POST of a quality report answers 503 (POST is never retried)',
    faults: { bursts: [{ method: 'POST', path: /^\/api\/quality\/reports$/, status: 503, count: 1 }] },
    component: 'cvat-job-quality-reports',
    failed: ['quality.report'],
    blocked: [],
    mentions: /POST \/api\/quality\/reports answered 503, expected 202/,
  },
];

describe('the suite against a stand-in with one fault', () => {
  let standIn: CvatStandIn | undefined;
  afterEach(async () => {
    await standIn?.stop();
    standIn = undefined;
  });

  // Each case waits for one check's timeout (1.8 s … 3.4 s); they run concurrently, each with its own stand-in.
  it.concurrent.for(CASES)(
    'fails exactly the checks of $component, when $fault',
    async ({ faults, latency, component, failed, blocked, mentions, queueRunners }, { expect }) => {
      const own = await CvatStandIn.start({ faults, latency });
      try {
        const catalogue = catalogueWith(queueRunners);
        const result = await runAgainst(own, catalogue ? { catalogue } : {});

        expect(byStatus(result, 'fail')).toEqual(failed);
        expect(byStatus(result, 'blocked')).toEqual(blocked);
        expect(byStatus(result, 'aborted')).toEqual([]);
        for (const id of failed) {
          expect(reasonOf(result, id)).toContain(component);
          expect(reasonOf(result, id)).toMatch(mentions);
        }
        for (const id of blocked) expect(reasonOf(result, id)).toMatch(/^not run: needs '/);
        expect(exitCodeFor(result)).toBe(EXIT.FAILED);
        expect(own.violations).toEqual([]);
        expect(own.inventory()).toEqual(EMPTY);
      } finally {
        await own.stop();
      }
    },
  );

  it('passes and counts the retries, when GETs meet a 503 burst within the retry budget', async () => {
    standIn = await CvatStandIn.start({ faults: { bursts: [{ method: 'GET', path: /^\/api\/requests\//, status: 503, count: 2 }] } });
    const result = await runAgainst(standIn);
    expect(byStatus(result, 'fail')).toEqual([]);
    expect(result.requests.retried).toBe(2);
    expect(standIn.violations).toEqual([]);
    expect(standIn.inventory()).toEqual(EMPTY);
  });

  it('sends a failed POST exactly once', async () => {
    standIn = await CvatStandIn.start({
      faults: { bursts: [{ method: 'POST', path: /^\/api\/quality\/reports$/, status: 503, count: 1 }] },
    });
    await runAgainst(standIn, { only: ['quality.report'] });
    expect(standIn.log.filter((e) => e.method === 'POST' && e.path === '/api/quality/reports')).toEqual([
      { method: 'POST', path: '/api/quality/reports', status: 503 },
    ]);
  });

  it('names the forwarding problem, when the edge rewrites Host to the app name and sends no X-Forwarded-Host', async () => {
    // Django builds result_url from X-Forwarded-Host or Host (USE_X_FORWARDED_HOST); the app name is allowed (the catalogue adds it).
    standIn = await CvatStandIn.start({ edge: { host: 'cvat-server:8080' }, allowedHosts: ['127.0.0.1', 'cvat-server'] });
    const result = await runAgainst(standIn, { only: ['export.backup'] });
    expect(reasonOf(result, 'export.backup')).toMatch(
      /result_url http:\/\/cvat-server:8080\/api\/tasks\/\d+\/backup\/download\?rq_id=.* is not on http:\/\/127\.0\.0\.1:\d+; .*X-Forwarded-Host/,
    );
    expect(standIn.inventory()).toEqual(EMPTY);
  });

  it('names the forwarding problem, when the edge says https but the public URL is http (scheme from X-Forwarded-Proto)', async () => {
    standIn = await CvatStandIn.start({ edge: { forwardedProto: 'https' } });
    const result = await runAgainst(standIn, { only: ['export.backup'] });
    expect(reasonOf(result, 'export.backup')).toMatch(
      /result_url https:\/\/127\.0\.0\.1:\d+\/api\/tasks\/\d+\/backup\/download\?rq_id=.* is not on http:\/\/127\.0\.0\.1:\d+; .*X-Forwarded-Proto/,
    );
  });

  it('reports the version mismatch against the catalogue, when the server runs another release', async () => {
    standIn = await CvatStandIn.start({ version: '2.74.0' });
    const result = await runAgainst(standIn, { only: ['server.about'] });
    expect(reasonOf(result, 'server.about')).toBe(
      "cvat-server: the server reports CVAT 2.74.0, expected 2.73.0 (the catalogue's cvatVersion): the image tag and the catalogue disagree",
    );
  });

  it('fails the login check with a hint, when the superuser password is wrong', async () => {
    standIn = await CvatStandIn.start();
    const result = await runSuite({ ...FAST, target: { baseUrl: standIn.url, username: 'admin', password: 'wrong' }, only: ['opa.authz'] });
    expect(reasonOf(result, 'auth.login')).toMatch(
      /the superuser 'admin' could not log in \(400: .*\); check CVAT_USERNAME \/ CVAT_PASSWORD/,
    );
    expect(byStatus(result, 'blocked')).toEqual(['opa.authz']);
  });
});

/**
 * `cvat-ops idle` through the real @azure/arm-monitor MonitorClient against the loopback ARM double (FakeArmServer's
 * Azure Monitor metrics at api-version 2018-01-01, shaped like the REST spec's GetMetric example), seeded from the catalogue.
 * Each case gives one app the minutes that break one criterion; the other apps have no metric data.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appSpecs } from '@cvat-cloud/catalogue';
import { CliError, EXIT } from '@cvat-cloud/runtime';
import { FakeArmServer, rejectionOf, type FakeMetricSample } from '@cvat-cloud/testing';
import { idle, idleWindow, type AppIdle, type IdleOptions } from '../../src/commands/idle';
import { VERDICT_TOLERANCE_HOURS } from '../../src/commands/idle/assumption';
import { runCli } from '../../src/cli';
import { renderView } from '../../src/output';
import { globals, testRuntime, type TestRuntime } from '../support/test-runtime';
import { makeTestRepo, seedFromCatalogue, TEST_SUBSCRIPTION, type TestRepo } from './support/catalogue-fixture';

/** 12:00:30: the window ends 5 minutes before the current minute, at 11:55; one hour starts at 10:55. */
const NOW = new Date('2026-12-02T12:00:30Z');
const START = Date.parse('2026-12-02T10:55:00Z');
const minute = (i: number): string => new Date(START + i * 60_000).toISOString();

interface Quiet {
  /** Minutes from the window start. @default 0..59 */
  minutes?: number[];
  /** Replicas, each its own podName. @default 1 */
  pods?: number;
  cpu?: (i: number, pod: number) => number | undefined;
  rx?: (i: number, pod: number) => number | undefined;
  requests?: (i: number, pod: number) => number | undefined;
  /** Replicas reported per minute. @default pods */
  replicas?: (i: number) => number;
}

/** Samples of an app: one revision `<app>--r1`, replicas `<app>--r1-<n>`, quiet unless a function says otherwise. */
function samples(app: string, q: Quiet = {}): FakeMetricSample[] {
  const out: FakeMetricSample[] = [];
  const revision = `${app}--r1`;
  const pods = q.pods ?? 1;
  for (const i of q.minutes ?? Array.from({ length: 60 }, (_, n) => n)) {
    const timeStamp = minute(i);
    out.push({
      metric: 'Replicas',
      timeStamp,
      value: q.replicas?.(i) ?? pods,
      dimensions: { revisionName: revision, deploymentName: revision },
    });
    for (let p = 0; p < pods; p++) {
      const dimensions = { revisionName: revision, podName: `${revision}-${p}` };
      const cpu = q.cpu ? q.cpu(i, p) : 2_000_000;
      const rx = q.rx ? q.rx(i, p) : 5_000;
      const requests = q.requests?.(i, p);
      if (cpu !== undefined) out.push({ metric: 'UsageNanoCores', timeStamp, value: cpu, dimensions });
      if (rx !== undefined) out.push({ metric: 'RxBytes', timeStamp, value: rx, dimensions });
      if (requests !== undefined) {
        out.push({
          metric: 'Requests',
          timeStamp,
          value: requests,
          dimensions: { ...dimensions, statusCodeCategory: '2xx', statusCode: '200' },
        });
      }
    }
  }
  return out;
}

describe('cvat-ops idle', () => {
  let repo: TestRepo;
  let fake: FakeArmServer;
  let runtime: TestRuntime;
  const run = (options: Partial<IdleOptions> = {}) =>
    idle({ ...globals({ env: 'test' }), hours: 1, ...options }, runtime, { now: () => NOW });
  const app = (apps: AppIdle[], name: string): AppIdle => apps.find((a) => a.name === name)!;

  beforeEach(async () => {
    repo = makeTestRepo();
    fake = await FakeArmServer.start({ subscriptionId: TEST_SUBSCRIPTION, resourceGroup: repo.resourceGroup, pageSize: 4 });
    seedFromCatalogue(fake, repo);
    runtime = testRuntime({ cwd: repo.dir, armEndpoint: fake.url, env: { CVAT_OPS_ARM_MAX_RETRIES: '0' } });
  });
  afterEach(async () => {
    await fake.close();
    repo.remove();
  });

  it('a quiet app: every minute idle, 0 h active in a 730-hour month; the request is the documented one', async () => {
    fake.addMetricSamples('opa', samples('opa'));
    const result = await run({ apps: ['opa'] });
    expect(result.exitCode).toBe(EXIT.OK);
    expect(result.data.window).toEqual({
      start: new Date('2026-12-02T10:55:00Z'),
      end: new Date('2026-12-02T11:55:00Z'),
      hours: 1,
      grain: 'PT1M',
    });
    expect(result.data.apps).toEqual([
      {
        name: 'opa',
        kind: 'containerApp',
        applicable: true,
        exists: true,
        minReplicas: 1,
        minutes: { window: 60, observed: 60, idle: 60, scaledToZero: 0, missing: 0 },
        broken: { cpu: 0, rxBytes: 0, requests: 0, aboveMinimum: 0, noData: 0 },
        idleShare: 1,
        month: { hours: 730, activeHours: 0, idleHours: 730 },
        firstData: new Date('2026-12-02T10:55:00Z'),
        lastData: new Date('2026-12-02T11:54:00Z'),
        peakReplicas: 1,
        assumed: { class: 'user', activeHours: 0, reason: expect.stringMatching(/^OPA answers the server while users work/) },
        verdict: 'as estimated',
        notes: [],
      },
    ]);
    const sent = fake.requestsTo('GET', '/providers/Microsoft.Insights/metrics');
    expect(sent.map((r) => r.path)).toEqual([
      `${fake.groupId}/providers/Microsoft.App/containerApps/opa/providers/Microsoft.Insights/metrics`,
      `${fake.groupId}/providers/Microsoft.App/containerApps/opa/providers/Microsoft.Insights/metrics`,
    ]);
    expect(sent[0]!.query).toEqual({
      'api-version': '2018-01-01',
      timespan: '2026-12-02T10:55:00.000Z/2026-12-02T11:55:00.000Z',
      interval: 'PT1M',
      metricnames: 'UsageNanoCores,RxBytes,Requests',
      aggregation: 'Average,Total',
      $filter: "podName eq '*'",
      top: '200',
    });
    expect(sent[1]!.query).toMatchObject({ metricnames: 'Replicas', aggregation: 'Maximum', $filter: "revisionName eq '*'", top: '200' });
  });

  it('an app broken by CPU: the minutes at or above 0.01 vCPU bill active', async () => {
    fake.addMetricSamples('cvat-server', samples('cvat-server', { cpu: (i) => (i % 10 === 0 ? 10_000_000 : 9_999_999) }));
    const server = app((await run({ apps: ['cvat-server'] })).data.apps, 'cvat-server');
    expect(server.minutes).toMatchObject({ observed: 60, idle: 54 });
    expect(server.broken).toEqual({ cpu: 6, rxBytes: 0, requests: 0, aboveMinimum: 0, noData: 0 });
    expect(server.idleShare).toBe(0.9);
    expect(server.month).toEqual({ hours: 730, activeHours: 73, idleHours: 657 });
  });

  it('an app broken by received bytes: 60,000 bytes in a minute is 1,000 B/s', async () => {
    fake.addMetricSamples('vector', samples('vector', { rx: (i) => (i < 12 ? 60_000 : 59_999) }));
    const vector = app((await run({ apps: ['vector'] })).data.apps, 'vector');
    expect(vector.broken).toEqual({ cpu: 0, rxBytes: 12, requests: 0, aboveMinimum: 0, noData: 0 });
    expect(vector.minutes?.idle).toBe(48);
  });

  it('an app broken by requests: any request in a minute, a minute without a Requests value is none', async () => {
    fake.addMetricSamples('cvat-ui', samples('cvat-ui', { requests: (i) => ([5, 6, 7].includes(i) ? 1 : i === 8 ? 0 : undefined) }));
    const ui = app((await run({ apps: ['cvat-ui'] })).data.apps, 'cvat-ui');
    expect(ui.broken).toEqual({ cpu: 0, rxBytes: 0, requests: 3, aboveMinimum: 0, noData: 0 });
    expect(ui.minutes?.idle).toBe(57);
  });

  it('an app broken by scale-out: minutes above minReplicas bill active, and each replica is judged on its own CPU', async () => {
    // ten minutes with two replicas at 0.006 vCPU each: 0.012 vCPU for the app, under 0.01 for each replica
    fake.addMetricSamples('opa', samples('opa', { minutes: Array.from({ length: 50 }, (_, i) => i) }));
    fake.addMetricSamples('opa', samples('opa', { minutes: Array.from({ length: 10 }, (_, i) => 50 + i), pods: 2, cpu: () => 6_000_000 }));
    const opa = app((await run({ apps: ['opa'] })).data.apps, 'opa');
    expect(opa.broken).toEqual({ cpu: 0, rxBytes: 0, requests: 0, aboveMinimum: 10, noData: 0 });
    expect(opa.peakReplicas).toBe(2);
    expect(opa.minutes).toMatchObject({ observed: 60, idle: 50 });
  });

  it('partial data: a window before the app existed, a replica without values, an app without any data, a job', async () => {
    fake.addMetricSamples(
      'opa',
      samples('opa', { minutes: Array.from({ length: 30 }, (_, i) => 30 + i), rx: (i) => (i === 40 ? undefined : 5_000) }),
    );
    const result = await run();
    const opa = app(result.data.apps, 'opa');
    expect(opa.minutes).toEqual({ window: 60, observed: 30, idle: 29, scaledToZero: 0, missing: 30 });
    expect(opa.broken?.noData).toBe(1);
    expect(opa.month).toEqual({ hours: 730, activeHours: 24.3, idleHours: 705.7 });
    expect(opa.notes).toEqual([
      'opa: no data before 2026-12-02T11:25:00.000Z (30 min): the app did not exist yet or was stopped; the share covers the minutes with data',
      'opa: in 1 min a running replica reported no CPU or no received bytes; those minutes count as not idle (no data)',
      'opa: busier than estimated: 24.3 h active of 730 measured, the estimate assumes 0 h [user] (tolerance 8.3 h); the estimate is ' +
        'optimistic for it: see the broken criteria and docs/operations.md',
    ]);
    expect(opa.verdict).toBe('busier than estimated');
    const server = app(result.data.apps, 'cvat-server');
    expect(server).toMatchObject({ exists: true, idleShare: null, month: null, minutes: { observed: 0, missing: 60 } });
    expect(server).toMatchObject({ assumed: { class: 'polled' }, verdict: 'no data' });
    expect(server.notes[0]).toMatch(/^cvat-server: no metric data in the window/);
    // every job of the catalogue is listed, not applicable, and nothing is asked of Azure Monitor for it
    const jobs = appSpecs(repo.catalogue, repo.config).filter((s) => s.kind === 'job');
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) expect(app(result.data.apps, job.name)).toMatchObject({ kind: 'job', applicable: false });
    for (const job of jobs) expect(app(result.data.apps, job.name).verdict).toBeUndefined();
    for (const job of jobs) expect(fake.requestsTo('GET', `/${job.name}/providers/`)).toEqual([]);
  });

  it('an app scaled to zero (minReplicas 0): no idle rate, scaled-to-zero minutes bill nothing', async () => {
    (fake.apps.get('opa')!.properties.template as { scale: { minReplicas: number } }).scale.minReplicas = 0;
    fake.addMetricSamples(
      'opa',
      samples('opa', { replicas: (i) => (i < 45 ? 0 : 1), minutes: Array.from({ length: 60 }, (_, i) => i) }).filter(
        (s) => s.metric === 'Replicas' || Date.parse(String(s.timeStamp)) >= START + 45 * 60_000,
      ),
    );
    const opa = app((await run({ apps: ['opa'] })).data.apps, 'opa');
    expect(opa.minutes).toEqual({ window: 60, observed: 15, idle: 0, scaledToZero: 45, missing: 0 });
    expect(opa.broken?.aboveMinimum).toBe(15);
    expect(opa.month).toEqual({ hours: 730, activeHours: 182.5, idleHours: 0 });
    expect(opa.notes[0]).toMatch(/^opa: minReplicas 0, so it has no idle rate/);
    expect(opa.notes[1]).toMatch(/^opa: live minReplicas 0 differs from the catalogue's 1/);
  });

  it("verdicts: a ClickHouse busy every minute is busier than the estimate's user class assumes, exit 0 all the same", async () => {
    // a double of a ClickHouse whose merges or flushes keep it at 0.02 vCPU in every minute of the window
    fake.addMetricSamples('clickhouse', samples('clickhouse', { cpu: () => 20_000_000 }));
    const result = await run({ apps: ['clickhouse'] });
    expect(result.exitCode).toBe(EXIT.OK);
    const clickhouse = app(result.data.apps, 'clickhouse');
    expect(clickhouse.month).toEqual({ hours: 730, activeHours: 730, idleHours: 0 });
    expect(clickhouse.assumed).toMatchObject({ class: 'user', activeHours: 0 });
    expect(clickhouse.assumed?.reason).toContain('pessimistic reading prices it active all month');
    expect(clickhouse.verdict).toBe('busier than estimated');
    expect(clickhouse.notes).toEqual([
      expect.stringMatching(/^clickhouse: busier than estimated: 730 h active of 730 measured, the estimate assumes 0 h \[user\]/),
    ]);
  });

  it("verdicts: cvat-server requested at OPA's polling share is as estimated, well above it busier; a worker assumes the cleaning jobs", async () => {
    // the catalogue's OPA polls every 300-600 s: 60/450 of the minutes active, 97.3 h of 730
    const polled = (everyMinutes: Set<number>) => samples('cvat-server', { requests: (i) => (everyMinutes.has(i) ? 1 : undefined) });
    fake.addMetricSamples('cvat-server', polled(new Set([0, 7, 15, 22, 30, 37, 45, 52])));
    const at = app((await run({ apps: ['cvat-server'] })).data.apps, 'cvat-server');
    expect(at.assumed).toMatchObject({ class: 'polled', activeHours: 97.3 });
    expect(at.month?.activeHours).toBe(97.3);
    expect(at.verdict).toBe('as estimated');
    // ten minutes of sixty: 121.7 h, above 97.3 + the tolerance
    expect(97.3 + VERDICT_TOLERANCE_HOURS).toBeLessThan(121.7);
    fake.metricSamples.delete('cvat-server');
    fake.addMetricSamples('cvat-server', polled(new Set([0, 6, 12, 18, 24, 30, 36, 42, 48, 54])));
    const above = app((await run({ apps: ['cvat-server'] })).data.apps, 'cvat-server');
    expect(above.month?.activeHours).toBe(121.7);
    expect(above.verdict).toBe('busier than estimated');

    fake.addMetricSamples('cvat-worker-utils', samples('cvat-worker-utils', { cpu: (i) => (i === 0 ? 50_000_000 : 1_000_000) }));
    const worker = app((await run({ apps: ['cvat-worker-utils'] })).data.apps, 'cvat-worker-utils');
    expect(worker.assumed).toMatchObject({ class: 'jobs', activeHours: 0.5 });
    // one busy minute of sixty is 12.2 h: more than the cleaning jobs' 0.5 h plus the tolerance
    expect(worker.month?.activeHours).toBe(12.2);
    expect(worker.verdict).toBe('busier than estimated');
  });

  it('reads a long window in one-day slices', async () => {
    fake.addMetricSamples('opa', samples('opa'));
    await idle({ ...globals({ env: 'test' }), hours: 48, apps: ['opa'] }, runtime, { now: () => NOW });
    const spans = fake.requestsTo('GET', '/opa/providers/Microsoft.Insights/metrics').map((r) => r.query.timespan);
    expect(spans).toEqual([
      '2026-11-30T11:55:00.000Z/2026-12-01T11:55:00.000Z',
      '2026-12-01T11:55:00.000Z/2026-12-02T11:55:00.000Z',
      '2026-11-30T11:55:00.000Z/2026-12-01T11:55:00.000Z',
      '2026-12-01T11:55:00.000Z/2026-12-02T11:55:00.000Z',
    ]);
  });

  it('an API error ends the command with its exit code, naming the app and the permission', async () => {
    fake.failMetrics('opa', {
      status: 403,
      code: 'AuthorizationFailed',
      message: 'does not have authorization to perform Microsoft.Insights/metrics/read',
    });
    const denied = await rejectionOf(run({ apps: ['opa'] }), CliError);
    expect(denied.exit).toBe(EXIT.AUTH);
    expect(denied.message).toContain('reading the Azure Monitor metrics of opa');
    fake.failMetrics('opa', { status: 500, code: 'InternalServerError', message: 'metrics backend down' });
    const down = await rejectionOf(run({ apps: ['opa'] }), CliError);
    expect(down.exit).toBe(EXIT.UNAVAILABLE);
    expect(down.message).toMatch(/reading the Azure Monitor metrics of opa failed: 500.*metrics backend down/);
    expect(down.message).toContain('Microsoft.Insights/metrics/read');
    fake.failMetrics('opa', { status: 400, code: 'BadRequest', message: 'Invalid timespan' });
    expect((await rejectionOf(run({ apps: ['opa'] }), CliError)).exit).toBe(EXIT.FAILED);
    // the metrics service's own ErrorResponse (api-version 2018-01-01): { code, message } without ARM's `error` wrapper
    fake.failMetrics('opa', { status: 400, code: 'BadRequest', message: 'Invalid timespan', shape: 'metrics' });
    const invalid = await rejectionOf(run({ apps: ['opa'] }), CliError);
    expect(invalid.exit).toBe(EXIT.FAILED);
    expect(invalid.message).toMatch(/^reading the Azure Monitor metrics of opa failed: 400 BadRequest: Invalid timespan\. /);
  });

  it('bad arguments: exit 2 naming the option, the value and what is allowed, and nothing sent', async () => {
    const hours = await rejectionOf(runCli(['idle', '--env', 'test', '--hours', '0'], runtime), CliError);
    expect(hours.exit).toBe(EXIT.USAGE);
    expect(runtime.err()).toContain("'--hours' (0) must be an integer between 1 and 720");
    const unknown = await rejectionOf(runCli(['idle', '--env', 'test', '--app', 'cvat-nope'], runtime), CliError);
    expect(unknown.exit).toBe(EXIT.USAGE);
    expect(unknown.message).toMatch(/^'--app' \(cvat-nope\) is not a container app or job of this environment; allowed: /);
    expect(unknown.message).toContain('cvat-server');
    expect(unknown.message).toContain('cvat-init');
    expect(fake.requests).toEqual([]);
  });

  it('--json prints the data; without it a table per app and the comparison to run', async () => {
    const window = idleWindow(new Date(), 1);
    const recent = samples('opa').map((s) => ({
      ...s,
      timeStamp: new Date(Date.parse(String(s.timeStamp)) - START + window.start.getTime()),
    }));
    fake.addMetricSamples('opa', recent);
    expect(await runCli(['idle', '--env', 'test', '--hours', '1', '--app', 'opa', '--app', 'cvat-init', '--json'], runtime)).toBe(0);
    const data = JSON.parse(runtime.out()) as {
      apps: AppIdle[];
      thresholds: Record<string, number>;
      monthHours: number;
      toleranceHours: number;
    };
    expect(data.apps.map((a) => [a.name, a.applicable])).toEqual([
      ['opa', true],
      ['cvat-init', false],
    ]);
    expect(data.apps[0]!.minutes!.observed).toBeGreaterThanOrEqual(59);
    expect(data.thresholds).toEqual({ cpuNanoCores: 10_000_000, rxBytesPerMinute: 60_000, requestsPerMinute: 0 });
    expect(data.monthHours).toBe(730);
    expect(data.toleranceHours).toBe(8.3);
    expect(data.apps[0]).toMatchObject({ assumed: { class: 'user', activeHours: 0 }, verdict: 'as estimated' });
    expect(data.apps[1]).not.toHaveProperty('verdict');

    fake.addMetricSamples('cvat-server', samples('cvat-server'));
    const text = renderView((await run({ apps: ['cvat-server', 'cvat-init'] })).view);
    expect(text).toMatch(
      /APP\s+MIN\s+OBSERVED\s+IDLE\s+IDLE SHARE\s+CPU\s+BYTES\s+REQUESTS\s+ABOVE MIN\s+NO DATA\s+NOT RUNNING\s+ACTIVE h\/730\s+CLASS\s+/,
    );
    expect(text).toMatch(/ACTIVE h\/730\s+CLASS\s+ASSUMED h\/730\s+VERDICT/);
    expect(text).toMatch(/cvat-server\s+1\s+60\s+60\s+100\.0 %\s+0\s+0\s+0\s+0\s+0\s+0\s+0 h\s+polled\s+97\.3 h\s+as estimated/);
    expect(text).toContain("VERDICT: 'as estimated' when ACTIVE is at most ASSUMED + 8.3 h.");
    expect(text).toMatch(/cvat-init\s+-\s+n\/a \(job\)/);
    expect(text).toContain("Compare with the estimate's assumptions: npx nx run infra:cost -- --profile idle --env test");
  });
});

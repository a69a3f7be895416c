import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AppSpec,
  appActivities,
  appSpecs,
  CLICKHOUSE_CONFIG,
  clickhouseTimedWork,
  loadEnvironmentConfig,
  OPA_BUNDLE_POLLING,
  RQ_QUEUES,
  resolveCatalogue,
} from '@cvat-cloud/catalogue';
import { describe, expect, it } from 'vitest';
import {
  COOLDOWN_SECONDS,
  type CostedWorkload,
  type CostModel,
  diskTier,
  EVENT_EXECUTION_OVERHEAD_SECONDS,
  estimateMonthlyCost,
  MANUAL_JOB_RUN_SECONDS,
  replicaTime,
} from '../../src/cost/estimate';
import { type InventoryResource, TYPE_RULES } from '../../src/cost/inventory';
import { bundlePollingTargets, clickhouseTimers, costModelFromCatalogue, referenceCostModel, workloadFromSpec } from '../../src/cost/model';
import { loadPriceTable, PRICE_PATHS, type PriceTable, pricedRegions, validatePriceTable } from '../../src/cost/price-table';
import { activityOf, POLL_ACTIVE_WINDOW_SECONDS, USAGE_PROFILES, type UsageProfile } from '../../src/cost/profiles';
import { synthesizeStacks } from '../../src/cost/synth-inventory';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const PRICES = join(__dirname, '..', '..', 'prices');
const EASTUS = join(PRICES, 'eastus-2026-12-03.json');
const WESTEUROPE = join(PRICES, 'westeurope-2026-12-03.json');
// The raw committed tables, read without the code under test.
const rawEast = JSON.parse(readFileSync(EASTUS, 'utf8'));
const rawWest = JSON.parse(readFileSync(WESTEUROPE, 'utf8'));
const east: PriceTable = loadPriceTable({ file: EASTUS }).table;
const H = rawEast.hoursPerMonth as number;
const S = 3600;
const small = USAGE_PROFILES['small-team'];
const idle = USAGE_PROFILES.idle;

const workload = (over: Partial<CostedWorkload>): CostedWorkload => ({
  name: 'w',
  role: 'service',
  kind: 'app',
  cpuCores: 0.5,
  memoryGiB: 1,
  minReplicas: 1,
  maxReplicas: 1,
  workloadProfile: 'Consumption',
  scaledBy: [],
  queues: [],
  secrets: 0,
  ...over,
});
const empty: CostModel = { label: 't', workloads: [], inventory: [], databaseShares: [] };
const res = (type: string, name: string, body: Record<string, unknown> = {}): InventoryResource => ({
  type,
  address: `test:${type}.${name}`,
  body: { name, ...body },
});
const line = (e: ReturnType<typeof estimateMonthlyCost>, name: string) => {
  const l = e.lines.find((x) => x.name === name);
  if (!l) throw new Error(`no line ${name}: ${e.lines.map((x) => x.name).join(', ')}`);
  return l;
};

describe('committed price tables', () => {
  it('exist for eastus and westeurope, dated, and every price names a listed source with an https URL and a read date', () => {
    expect(pricedRegions(PRICES)).toEqual(expect.arrayContaining(['eastus', 'westeurope']));
    for (const raw of [rawEast, rawWest]) {
      for (const path of PRICE_PATHS) {
        const p = path.split('.').reduce((o: Record<string, unknown>, k) => o[k] as Record<string, unknown>, raw);
        expect(raw.sources[p.source as string], `${raw.region} ${path}`).toMatchObject({ url: expect.stringMatching(/^https:\/\//) });
      }
      for (const s of Object.values(raw.sources) as Array<{ url: string; read: string }>) {
        expect(s.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(s.url).not.toContain('/work/');
      }
    }
  });

  it('carries the West Europe consumption rates derived from the amounts on the cited page', () => {
    const c = rawWest.containerApps.consumption;
    // The note's division, redone: amount / quantity rounded to the meter's precision.
    expect(Number((78.88 / 2_320_000).toFixed(6))).toBe(c.vcpuActivePerSecond.price);
    expect(Number((15.77 / 3_942_000).toFixed(6))).toBe(c.vcpuIdlePerSecond.price);
    expect(Number((31.54 / 7_884_000).toFixed(6))).toBe(c.memoryIdlePerGiBSecond.price);
    expect(c.vcpuActivePerSecond.price).toBeGreaterThan(rawEast.containerApps.consumption.vcpuActivePerSecond.price);
  });

  it('prices the default edge VM size in both regions', () => {
    for (const raw of [rawEast, rawWest]) expect(raw.virtualMachines.linuxPerHour.Standard_B2ats_v2.price).toBeGreaterThan(0);
  });

  it.each([
    [
      ['containerApps', 'consumption', 'vcpuActivePerSecond', 'price'],
      -1,
      "'containerApps.consumption.vcpuActivePerSecond.price' (-1) must be a non-negative number",
    ],
    [
      ['postgresFlexible', 'computePerHour', 'B_Standard_B1ms', 'confidence'],
      'sure',
      '\'postgresFlexible.computePerHour.B_Standard_B1ms.confidence\' ("sure") must be one of verified, derived, verify',
    ],
    [
      ['privateLink', 'endpointPerHour', 'source'],
      'rumour',
      "'privateLink.endpointPerHour.source' (\"rumour\") must name an entry of 'sources'",
    ],
    [
      ['sources', 'aca-billing', 'url'],
      '/work/shared/notes.md',
      '\'sources.aca-billing.url\' ("/work/shared/notes.md") must be an https URL',
    ],
    [['asOf'], '28/11/2026', '\'asOf\' ("28/11/2026") must be a yyyy-mm-dd date'],
    [['schemaVersion'], 1, "'schemaVersion' (1) must be 2"],
    [['currency'], 'EUR', '\'currency\' ("EUR") must be USD'],
  ])('rejects %j = %j naming the field and value', (path, value, message) => {
    const copy = JSON.parse(JSON.stringify(rawEast));
    let o = copy;
    for (const k of (path as string[]).slice(0, -1)) o = o[k];
    o[(path as string[])[(path as string[]).length - 1]] = value;
    expect(() => validatePriceTable(copy, 'x.json')).toThrow(message);
  });

  it('picks the newest dated table of a region and names the option, value and the priced regions when there is none', () => {
    expect(loadPriceTable({ region: 'westeurope' }).file).toBe(WESTEUROPE);
    expect(() => loadPriceTable({ region: 'brazilsouth' })).toThrow(
      /'--region' \(brazilsouth\) has no price table .*regions with a table: eastus, westeurope; or pass --prices <file>/,
    );
  });
});

describe('replica time by activity class', () => {
  it('bills an always-on service active while users work and idle otherwise', () => {
    const t = replicaTime(workload({ name: 'cvat-ui' }), small, H);
    expect(t).toMatchObject({ activeReplicaSeconds: 176 * S, idleReplicaSeconds: (H - 176) * S });
    expect(replicaTime(workload({ name: 'cvat-ui' }), idle, H)).toMatchObject({ activeReplicaSeconds: 0, idleReplicaSeconds: H * S });
  });

  it('bills an always-on RQ worker active only for the jobs of its queues', () => {
    const w = workload({ name: 'cvat-worker-import', role: 'worker', queues: ['import'] });
    const hours = (small.queues.import.jobsPerMonth * small.queues.import.averageJobSeconds) / 3600;
    const t = replicaTime(w, small, H) as { activeReplicaSeconds: number; idleReplicaSeconds: number };
    expect(t.activeReplicaSeconds).toBeCloseTo(hours * S, 6);
    expect(t.idleReplicaSeconds).toBeCloseTo((H - hours) * S, 6);
    expect(activityOf('cvat-worker-import', 'worker').activity).toBe('jobs');
  });

  it('bills ClickHouse (merges) active all month, users or not; OPA, and a server nobody polls, idle with the users', () => {
    for (const name of ['clickhouse', 'cvat-clickhouse']) {
      expect(replicaTime(workload({ name, role: 'store' }), idle, H)).toMatchObject({ activeReplicaSeconds: H * S, idleReplicaSeconds: 0 });
    }
    expect(replicaTime(workload({ name: 'opa' }), idle, H)).toMatchObject({ activeReplicaSeconds: 0, idleReplicaSeconds: H * S });
    expect(replicaTime(workload({ name: 'cvat-server' }), idle, H)).toMatchObject({ activeReplicaSeconds: 0, idleReplicaSeconds: H * S });
  });

  it("prices a polled app from its poller's delays: active all month when polled more than once a minute, else a share", () => {
    const fast = { by: 'opa', minDelaySeconds: 5, maxDelaySeconds: 15 };
    expect(replicaTime(workload({ name: 'cvat-server', polledBy: fast }), idle, H)).toMatchObject({
      activeReplicaSeconds: H * S,
      idleReplicaSeconds: 0,
    });
    expect(activityOf('cvat-server', 'service', fast)).toMatchObject({ activity: 'always', optimistic: 'user' });
    // 300-600 s: a poll every 450 s on average, each making its minute active: 60 / 450 of the month.
    const slow = { by: 'opa', minDelaySeconds: 300, maxDelaySeconds: 600 };
    const share = POLL_ACTIVE_WINDOW_SECONDS / 450;
    const t = replicaTime(workload({ name: 'cvat-server', polledBy: slow }), idle, H) as {
      activeReplicaSeconds: number;
      idleReplicaSeconds: number;
    };
    expect(t.activeReplicaSeconds).toBeCloseTo(H * S * share, 3);
    expect(t.idleReplicaSeconds).toBeCloseTo(H * S * (1 - share), 3);
    // With users: their hours are active, the share applies to the rest.
    const u = replicaTime(workload({ name: 'cvat-server', polledBy: slow }), small, H) as { activeReplicaSeconds: number };
    expect(u.activeReplicaSeconds).toBeCloseTo((176 + (H - 176) * share) * S, 3);
    // The name does not matter, the polling does.
    expect(activityOf('anything', 'service', slow)).toMatchObject({ activity: 'polled', activeFraction: share });
  });

  it("derives who is polled, and how often, from OPA's --set arguments (OPA's 60/120 s defaults when unset)", () => {
    const opa = (extra: string[]) => ({
      name: 'opa',
      args: ['run', '--server', '--set=services.cvat.url=http://cvat-server:8080', '--set=bundles.cvat.service=cvat', ...extra],
    });
    expect(
      bundlePollingTargets([
        opa(['--set=bundles.cvat.polling.min_delay_seconds=300', '--set=bundles.cvat.polling.max_delay_seconds=600']),
      ]).get('cvat-server'),
    ).toEqual({ by: 'opa', minDelaySeconds: 300, maxDelaySeconds: 600 });
    expect(bundlePollingTargets([opa([])]).get('cvat-server')).toEqual({ by: 'opa', minDelaySeconds: 60, maxDelaySeconds: 120 });
    // A bundle without a configured service polls nothing.
    expect(bundlePollingTargets([{ name: 'opa', args: ['run', '--set=bundles.cvat.service=none'] }]).size).toBe(0);
    expect(bundlePollingTargets([{ name: 'ui' }]).size).toBe(0);
  });

  it("prices the example's cvat-server from the catalogue's OPA polling (OPA_BUNDLE_POLLING), the reference's at 5-15 s", () => {
    const config = loadEnvironmentConfig('example', { cwd: REPO_ROOT }).value!;
    const model = costModelFromCatalogue(resolveCatalogue(config).value!, config, []);
    expect(model.workloads.find((w) => w.name === 'cvat-server')?.polledBy).toEqual({ by: 'opa', ...OPA_BUNDLE_POLLING });
    expect(model.workloads.filter((w) => w.polledBy).map((w) => w.name)).toEqual(['cvat-server']);
    const e = estimateMonthlyCost(model, east, idle);
    expect(line(e, 'cvat-server').activity?.activity).toBe(OPA_BUNDLE_POLLING.minDelaySeconds >= 60 ? 'polled' : 'always');
    const r = estimateMonthlyCost(referenceCostModel(), east, idle);
    expect(line(r, 'cvat-server').activity?.activity).toBe('always');
  });

  it('prices cvat-server by the favourable reading only when asked (optimistic), ClickHouse never', () => {
    const polledBy = { by: 'opa', minDelaySeconds: 5, maxDelaySeconds: 15 };
    expect(replicaTime(workload({ name: 'cvat-server', polledBy }), idle, H, 'optimistic')).toMatchObject({
      activeReplicaSeconds: 0,
      idleReplicaSeconds: H * S,
    });
    expect(replicaTime(workload({ name: 'clickhouse', role: 'store' }), idle, H, 'optimistic')).toMatchObject({
      activeReplicaSeconds: H * S,
    });
    const model = { ...empty, workloads: [workload({ name: 'cvat-server', cpuCores: 1, memoryGiB: 2, polledBy })] };
    const high = estimateMonthlyCost(model, east, idle, { freeGrant: false }).totalMonthlyUSD;
    const low = estimateMonthlyCost(model, east, idle, { freeGrant: false, reading: 'optimistic' }).totalMonthlyUSD;
    expect(estimateMonthlyCost(model, east, idle, { freeGrant: false, reading: 'pessimistic' }).totalMonthlyUSD).toBe(high);
    const c = rawEast.containerApps.consumption;
    expect(high - low).toBeCloseTo(H * S * (c.vcpuActivePerSecond.price - c.vcpuIdlePerSecond.price), 6);
  });

  it('prices ClickHouse from the timers its configuration leaves: active all month with one, with the users (pessimistic: all month) with none', () => {
    const store = { name: 'clickhouse', role: 'store' };
    expect(replicaTime(workload({ ...store, timers: ['system.metric_log written on a timer'] }), idle, H)).toMatchObject({
      activeReplicaSeconds: H * S,
      idleReplicaSeconds: 0,
    });
    expect(activityOf('clickhouse', 'store', undefined, ['asynchronous metrics every 1 s']).reason).toContain(
      'asynchronous metrics every 1 s',
    );
    const quiet = workload({ ...store, timers: [] });
    expect(replicaTime(quiet, idle, H)).toMatchObject({ activeReplicaSeconds: 0, idleReplicaSeconds: H * S });
    expect(replicaTime(quiet, small, H)).toMatchObject({ activeReplicaSeconds: 176 * S, idleReplicaSeconds: (H - 176) * S });
    expect(replicaTime(quiet, idle, H, 'pessimistic')).toMatchObject({ activeReplicaSeconds: H * S, idleReplicaSeconds: 0 });
    expect(replicaTime(quiet, idle, H, 'optimistic')).toMatchObject({ activeReplicaSeconds: 0 });
    expect(activityOf('clickhouse', 'store', undefined, [])).toMatchObject({ activity: 'user', pessimistic: 'always' });
    // Without readable timers (the reference's stock configuration) the name decides: active all month.
    expect(activityOf('cvat-clickhouse', 'store')).toMatchObject({ activity: 'always' });
  });

  it("prices every always-on app of the example by the class the catalogue's appActivities gives it (what cvat-ops idle prints)", () => {
    const config = loadEnvironmentConfig('example', { cwd: REPO_ROOT }).value!;
    const catalogue = resolveCatalogue(config).value!;
    const classes = appActivities(appSpecs(catalogue, config));
    expect(classes.map((a) => a.activity.activity)).toContain('polled');
    const e = estimateMonthlyCost(costModelFromCatalogue(catalogue, config, []), east, idle);
    for (const a of classes) expect(line(e, a.name).activity, a.name).toEqual(a.activity);
  });

  it("reads the timers from the ClickHouse app spec: none with the catalogue's override and start command, all without either", () => {
    const config = loadEnvironmentConfig('example', { cwd: REPO_ROOT }).value!;
    const specs = appSpecs(resolveCatalogue(config).value!, config);
    const spec = specs.find((s) => s.name === 'clickhouse')!;
    expect(clickhouseTimers(spec)).toEqual([]);
    expect(clickhouseTimers(specs.find((s) => s.name === 'cvat-server')!)).toBeUndefined();
    const container = spec.containers[0];
    const withoutEnv = { ...spec, containers: [{ ...container, env: container.env.filter((e) => e.name !== CLICKHOUSE_CONFIG.env) }] };
    expect(clickhouseTimers(withoutEnv as typeof spec)).toEqual(clickhouseTimedWork(undefined).timers);
    const withoutCommand = { ...spec, containers: [{ ...container, command: undefined }] };
    expect(clickhouseTimers(withoutCommand as typeof spec)).toEqual(clickhouseTimedWork(undefined).timers);
    const model = costModelFromCatalogue(resolveCatalogue(config).value!, config, []);
    expect(line(estimateMonthlyCost(model, east, idle), 'clickhouse').activity?.activity).toBe('user');
    expect(line(estimateMonthlyCost(referenceCostModel(), east, idle), 'cvat-clickhouse').activity?.activity).toBe('always');
  });

  it('adds the replicas the peak asks of an HTTP rule (concurrent requests / target), at the active rate, never beyond maxReplicas', () => {
    // 12 requests in flight, 4 per replica: 3 replicas wanted, 2 more than the minimum.
    const t = replicaTime(workload({ maxReplicas: 5, scaledBy: ['http'], scaleTarget: 4 }), small, H);
    expect(small.peakConcurrentRequests).toBe(12);
    expect(t).toMatchObject({ activeReplicaSeconds: (176 + 2 * small.peakHoursPerMonth) * S, idleReplicaSeconds: (H - 176) * S });
    // Capped by maxReplicas: 12 / 1 wants 12, max 3 allows 2 more.
    expect(replicaTime(workload({ maxReplicas: 3, scaledBy: ['http'], scaleTarget: 1 }), small, H)).toMatchObject({
      activeReplicaSeconds: (176 + 2 * small.peakHoursPerMonth) * S,
    });
    // The default target (10 requests) wants 2 replicas: 1 more.
    expect(replicaTime(workload({ maxReplicas: 300, scaledBy: ['http'] }), small, H)).toMatchObject({
      activeReplicaSeconds: (176 + small.peakHoursPerMonth) * S,
    });
    // No rule, no scale-out, whatever maxReplicas says.
    expect(replicaTime(workload({ maxReplicas: 3 }), small, H)).toMatchObject({ activeReplicaSeconds: 176 * S });
  });

  it('bounds a queue-scaled worker backlog by the work on its queues', () => {
    const w = workload({ name: 'cvat-worker-consensus', role: 'worker', queues: ['consensus'], maxReplicas: 2, scaledBy: ['queue'] });
    const work = (small.queues.consensus.jobsPerMonth * small.queues.consensus.averageJobSeconds) / 3600;
    expect(work).toBeLessThan(small.backlogHoursPerMonth);
    expect((replicaTime(w, small, H) as { activeReplicaSeconds: number }).activeReplicaSeconds).toBeCloseTo((work + work) * S, 6);
  });

  it('runs a scale-to-zero app with ingress and no rule (the default HTTP rule) while users work; without ingress it is not priced', () => {
    expect(replicaTime(workload({ minReplicas: 0, maxReplicas: 3, ingress: true }), small, H)).toMatchObject({
      activeReplicaSeconds: (176 + small.peakHoursPerMonth) * S,
      idleReplicaSeconds: 0,
    });
    expect(replicaTime(workload({ minReplicas: 0, maxReplicas: 3 }), small, H)).toMatchObject({
      unpriced: expect.stringContaining('no scale rule'),
    });
  });

  it('bills a scale-to-zero queue worker for its jobs plus one cool-down per burst, never idle', () => {
    const w = workload({ role: 'worker', queues: ['cleaning'], minReplicas: 0, maxReplicas: 1, scaledBy: ['queue'] });
    const jobs = idle.queues.cleaning.jobsPerMonth;
    const work = (jobs * idle.queues.cleaning.averageJobSeconds) / 3600;
    const t = replicaTime(w, idle, H) as { activeReplicaSeconds: number; idleReplicaSeconds: number };
    expect(t.activeReplicaSeconds).toBeCloseTo(work * S + jobs * COOLDOWN_SECONDS, 6);
    expect(t.idleReplicaSeconds).toBe(0);
  });

  it('bills an event job per execution: start-up plus its jobs, at the active rate, times its parallelism', () => {
    const w = workload({ kind: 'job', role: 'job', trigger: 'event', queues: ['import', 'export'], minReplicas: 0, parallelism: 2 });
    const jobs = small.queues.import.jobsPerMonth + small.queues.export.jobsPerMonth;
    const workSeconds =
      small.queues.import.jobsPerMonth * small.queues.import.averageJobSeconds +
      small.queues.export.jobsPerMonth * small.queues.export.averageJobSeconds;
    const t = replicaTime(w, small, H) as { activeReplicaSeconds: number; idleReplicaSeconds: number };
    expect(t.activeReplicaSeconds).toBeCloseTo(2 * (jobs * EVENT_EXECUTION_OVERHEAD_SECONDS + workSeconds), 6);
    expect(t.idleReplicaSeconds).toBe(0);
    expect(replicaTime(w, idle, H)).toMatchObject({ activeReplicaSeconds: 0 });
  });

  it('bills the manual migration job per deploy and refuses to guess an unknown trigger', () => {
    expect(replicaTime(workload({ kind: 'job', role: 'job', trigger: 'manual' }), small, H)).toMatchObject({
      activeReplicaSeconds: small.deploysPerMonth * MANUAL_JOB_RUN_SECONDS,
    });
    expect(replicaTime(workload({ kind: 'job', role: 'job', trigger: 'cron-ish' }), small, H)).toMatchObject({
      unpriced: expect.stringContaining("job trigger 'cron-ish'"),
    });
    const e = estimateMonthlyCost({ ...empty, workloads: [workload({ kind: 'job', trigger: 'cron-ish' })] }, east, small);
    expect(e.unpriced).toEqual(['w']);
  });
});

describe('estimateMonthlyCost', () => {
  const c = rawEast.containerApps.consumption;
  const g = rawEast.containerApps.freeGrantPerMonth;

  it('credits the free grant at the month mix of active and idle seconds, and gives the range', () => {
    // 1 vCPU / 2 GiB always on, 176 h active: vCPU 633,600 s active and 1,994,400 s idle.
    const e = estimateMonthlyCost({ ...empty, workloads: [workload({ cpuCores: 1, memoryGiB: 2 })] }, east, small);
    const aV = 176 * S;
    const iV = (H - 176) * S;
    const vcpu = g.vcpuSeconds * ((aV / (aV + iV)) * c.vcpuActivePerSecond.price + (iV / (aV + iV)) * c.vcpuIdlePerSecond.price);
    const mem = g.memoryGiBSeconds * c.memoryIdlePerGiBSecond.price; // memory rates are equal in East US
    expect(line(e, 'free grant').monthlyUSD).toBeCloseTo(-(vcpu + mem), 9);
    expect(line(e, 'free grant').detail).toContain(`range $${(g.vcpuSeconds * c.vcpuIdlePerSecond.price + mem).toFixed(2)}`);
    const none = estimateMonthlyCost({ ...empty, workloads: [workload({})] }, east, small, { freeGrant: false });
    expect(none.lines.some((l) => l.name === 'free grant')).toBe(false);
    expect(line(none, 'requests').monthlyUSD).toBeCloseTo((small.externalRequestsPerMonth / 1e6) * c.requestsPerMillion.price, 9);
  });

  it('prices private endpoints, private DNS zones, public IPs, egress beyond the free GB and the environment fee they trigger', () => {
    const profile: UsageProfile = { ...small, egressGBPerMonth: 250, privateEndpointGBPerMonth: 40 };
    const e = estimateMonthlyCost(
      {
        ...empty,
        inventory: [
          res('azurerm_private_endpoint', 'pg-pe', { private_service_connection: { subresource_names: ['postgresqlServer'] } }),
          res('azurerm_private_endpoint', 'env-pe', { private_service_connection: { subresource_names: ['managedEnvironments'] } }),
          res('azurerm_private_dns_zone', 'a'),
          res('azurerm_private_dns_zone', 'b'),
          res('azurerm_private_dns_zone', 'c'),
          res('azurerm_public_ip', 'pip', { sku: 'Standard', allocation_method: 'Static' }),
        ],
      },
      east,
      profile,
    );
    expect(line(e, 'private endpoint pg-pe').monthlyUSD).toBeCloseTo(
      rawEast.privateLink.endpointPerHour.price * H + 40 * rawEast.privateLink.dataProcessedPerGB.price,
      9,
    );
    expect(line(e, 'private dns zones (3)').monthlyUSD).toBeCloseTo(3 * rawEast.privateDns.zonePerMonth.price, 9);
    expect(line(e, 'public ip pip').monthlyUSD).toBeCloseTo(rawEast.publicIpStaticStandardPerHour.price * H, 9);
    expect(line(e, 'internet egress').monthlyUSD).toBeCloseTo((250 - 100) * rawEast.bandwidth.internetEgressPerGB.price, 9);
    expect(line(e, 'environment management fee').monthlyUSD).toBeCloseTo(rawEast.containerApps.dedicatedPlanManagementPerHour.price * H, 9);
  });

  it('bills a declared dedicated profile that no workload uses: its minimum nodes and the management fee', () => {
    const e = estimateMonthlyCost(
      {
        ...empty,
        dedicatedProfiles: { D4: { cpuCores: 4, memoryGiB: 16 } },
        inventory: [
          res('azurerm_container_app_environment', 'env', {
            workload_profile: [
              { name: 'Consumption', workload_profile_type: 'Consumption' },
              { name: 'big', workload_profile_type: 'D4', minimum_count: 1, maximum_count: 3 },
            ],
          }),
        ],
      },
      east,
      small,
    );
    const perNodeHour =
      4 * rawEast.containerApps.dedicatedComputePerVcpuHour.price + 16 * rawEast.containerApps.dedicatedComputePerGiBHour.price;
    expect(line(e, 'dedicated D4 nodes').monthlyUSD).toBeCloseTo(perNodeHour * H, 9);
    expect(line(e, 'environment management fee').monthlyUSD).toBeCloseTo(rawEast.containerApps.dedicatedPlanManagementPerHour.price * H, 9);
  });

  it('names an unknown resource type as not priced (with its address) and counts free types with their reason', () => {
    const e = estimateMonthlyCost(
      { ...empty, inventory: [res('azurerm_frontdoor_thing', 'x'), res('azurerm_subnet', 'a'), res('azurerm_subnet', 'b')] },
      east,
      small,
    );
    expect(e.unpriced).toEqual(['azurerm_frontdoor_thing']);
    expect(line(e, 'azurerm_frontdoor_thing').detail).toContain('test:azurerm_frontdoor_thing.x');
    expect(e.freeResources).toEqual([{ type: 'azurerm_subnet', count: 2, reason: expect.any(String) }]);
  });

  it('bills SMB shares on used GiB by content plus transactions, NFS at the premium minimum', () => {
    const e = estimateMonthlyCost(
      {
        ...empty,
        inventory: [
          res('azurerm_storage_share', 'cvat-events-db', { quota: 50, enabled_protocol: 'SMB' }),
          res('azurerm_storage_share', 'cvat-data', { quota: 20, enabled_protocol: 'SMB' }),
          res('azurerm_storage_share', 'cache', { quota: 20, enabled_protocol: 'NFS' }),
        ],
      },
      east,
      small,
    );
    const f = rawEast.azureFiles;
    const ops = small.shareThousandOps.events;
    expect(line(e, 'share cvat-events-db (SMB)').monthlyUSD).toBeCloseTo(
      small.storedGiB.events * f.transactionOptimizedPerGiBMonth.price +
        (ops.writes / 10) * f.transactionOptimizedWritePer10k.price +
        (ops.reads / 10) * f.transactionOptimizedReadPer10k.price,
      9,
    );
    // 50 GiB of data in a 20 GiB share bills the quota.
    expect(line(e, 'share cvat-data (SMB)').detail).toMatch(/^data: 20 GiB used/);
    expect(line(e, 'share cache (NFS)').monthlyUSD).toBeCloseTo(f.premiumMinimumGiB * f.premiumPerGiBMonth.price, 9);
  });

  it('lists an unknown VM size or PostgreSQL SKU as not priced instead of guessing', () => {
    const e = estimateMonthlyCost(
      {
        ...empty,
        inventory: [
          res('azurerm_linux_virtual_machine', 'vm', {
            size: 'Standard_Z9',
            os_disk: { storage_account_type: 'Premium_LRS', disk_size_gb: 64 },
          }),
          res('azurerm_postgresql_flexible_server', 'pg', { sku_name: 'GP_Standard_D2ds_v5', storage_mb: 65536 }),
        ],
      },
      east,
      small,
    );
    expect(e.unpriced).toEqual(['postgresql GP_Standard_D2ds_v5', 'vm Standard_Z9', 'os disk P6']);
    expect(diskTier('Standard_LRS', 30)).toBe('S4');
    expect(diskTier('StandardSSD_LRS', 100)).toBe('E10');
    expect(diskTier('UltraSSD_LRS', 30)).toBeUndefined();
  });

  it('names a container app of the Terraform that the catalogue does not describe', () => {
    const e = estimateMonthlyCost({ ...empty, inventory: [res('azurerm_container_app', 'stray')] }, east, small);
    expect(e.unpriced).toEqual(['stray']);
  });
});

describe('catalogue app specs as workloads', () => {
  // An event-driven queue runner shaped as the catalogue describes one (kind job, trigger event with KEDA redis
  // rules on rq:queue:<name>), built here so the estimator is proven before an environment uses one.
  const eventJob = {
    name: 'cvat-job-import',
    role: 'job',
    kind: 'job',
    workloadProfileName: 'Consumption',
    secrets: [{ name: 'a', keyVaultSecretName: 'a' }],
    volumes: [],
    dependsOn: [],
    containers: [{ cpuCores: 1, memoryGiB: 2 }],
    trigger: {
      type: 'event',
      parallelism: 1,
      replicaCompletionCount: 1,
      scale: {
        minExecutions: 0,
        maxExecutions: 3,
        pollingIntervalSeconds: 30,
        rules: [{ name: 'q', kind: 'custom', customRuleType: 'redis', metadata: { listName: 'rq:queue:import' }, authentication: [] }],
      },
    },
    replicaTimeoutSeconds: 14_400,
    replicaRetryLimit: 0,
  } as unknown as AppSpec;

  it('reads an event job: its queue from the scale rule, its trigger, most executions and secret count', () => {
    const w = workloadFromSpec(eventJob, []);
    expect(w).toMatchObject({
      kind: 'job',
      trigger: 'event',
      queues: ['import'],
      maxReplicas: 3,
      scaledBy: ['queue'],
      secrets: 1,
      cpuCores: 1,
    });
    const e = estimateMonthlyCost({ ...empty, workloads: [w] }, east, small, { freeGrant: false });
    const seconds = small.queues.import.jobsPerMonth * (EVENT_EXECUTION_OVERHEAD_SECONDS + small.queues.import.averageJobSeconds);
    const c = rawEast.containerApps.consumption;
    expect(line(e, 'cvat-job-import').monthlyUSD).toBeCloseTo(
      seconds * (c.vcpuActivePerSecond.price + 2 * c.memoryActivePerGiBSecond.price),
      9,
    );
    expect(line(e, 'cvat-job-import').usage?.vcpuSecondsIdle).toBe(0);
  });

  it('takes a worker app queues from its component and its scale-rule kinds from the spec', () => {
    const app = {
      name: 'cvat-worker-utils',
      role: 'worker',
      kind: 'containerApp',
      workloadProfileName: 'Consumption',
      secrets: [],
      containers: [{ cpuCores: 0.5, memoryGiB: 1 }],
      scale: { minReplicas: 1, maxReplicas: 1, rules: [] },
    } as unknown as AppSpec;
    expect(workloadFromSpec(app, ['webhooks', 'notifications', 'cleaning'])).toMatchObject({
      kind: 'app',
      minReplicas: 1,
      queues: ['webhooks', 'notifications', 'cleaning'],
      scaledBy: [],
    });
  });
});

describe('the reference configuration and the example environment', () => {
  it('models the reference project: 15 always-on apps with 6.25 vCPU / 12.5 GiB, one PE, one DNS zone, six 50 GiB shares', () => {
    const ref = referenceCostModel();
    const e = estimateMonthlyCost(ref, east, small);
    expect(e.alwaysOn).toEqual({ replicas: 15, cpuCores: 6.25, memoryGiB: 12.5 });
    const count = (t: string) => ref.inventory.filter((r) => r.type === t).length;
    expect([
      count('azurerm_private_endpoint'),
      count('azurerm_private_dns_zone'),
      count('azurerm_storage_share'),
      count('azurerm_container_app'),
    ]).toEqual([1, 1, 6, 15]);
    expect(ref.inventory.filter((r) => r.type === 'azurerm_storage_share').every((r) => r.body.quota === 50)).toBe(true);
    expect(count('azurerm_log_analytics_workspace')).toBe(0);
    expect(e.unpriced).toEqual([]);
    expect(e.totalMonthlyUSD).toBeCloseTo(
      e.lines.reduce((s, l) => s + (l.monthlyUSD ?? 0), 0),
      9,
    );
  });

  it('prices every resource of the synthesized example: no unknown type, every container app and job a priced workload', () => {
    const config = loadEnvironmentConfig('example', { cwd: REPO_ROOT }).value!;
    const catalogue = resolveCatalogue(config).value!;
    const stacks = synthesizeStacks(config, catalogue);
    const model = costModelFromCatalogue(catalogue, config, stacks);
    const types = new Set(model.inventory.map((r) => r.type));
    expect([...types].filter((t) => !TYPE_RULES[t])).toEqual([]);
    const apps = model.inventory.filter((r) => r.type === 'azurerm_container_app' || r.type === 'azurerm_container_app_job');
    expect(apps.map((r) => r.body.name).sort()).toEqual(model.workloads.map((w) => w.name).sort());
    for (const table of [east, loadPriceTable({ file: WESTEUROPE }).table]) {
      for (const profile of [small, idle]) {
        const e = estimateMonthlyCost(model, table, profile);
        expect(e.unpriced, `${table.region} ${profile.name}`).toEqual([]);
      }
    }
    // Every CVAT queue's work is priced on exactly one workload (its runner), so no profile job is dropped or doubled.
    expect(model.workloads.flatMap((w) => [...w.queues]).sort()).toEqual(Object.keys(RQ_QUEUES).sort());
    // The queue runners that are event-driven jobs bill per execution at the active rate, never idle.
    const eventJobs = model.workloads.filter((w) => w.kind === 'job' && w.trigger === 'event');
    expect(eventJobs.length).toBeGreaterThan(0);
    const e = estimateMonthlyCost(model, east, small);
    for (const w of eventJobs) {
      const load = w.queues.map((q) => small.queues[q]);
      const seconds = load.reduce((sum, l) => sum + l.jobsPerMonth * (EVENT_EXECUTION_OVERHEAD_SECONDS + l.averageJobSeconds), 0);
      expect(line(e, w.name).usage?.vcpuSecondsActive, w.name).toBeCloseTo(w.cpuCores * seconds * (w.parallelism ?? 1), 3);
      expect(line(e, w.name).usage?.vcpuSecondsIdle, w.name).toBe(0);
    }
    // Idle costs less than a working month, in each region.
    expect(estimateMonthlyCost(model, east, idle).totalMonthlyUSD).toBeLessThan(estimateMonthlyCost(model, east, small).totalMonthlyUSD);
  });

  it('prices West Europe above East US for the same model and profile', () => {
    const ref = referenceCostModel();
    const west = loadPriceTable({ file: WESTEUROPE }).table;
    expect(estimateMonthlyCost(ref, west, small).totalMonthlyUSD).toBeGreaterThan(estimateMonthlyCost(ref, east, small).totalMonthlyUSD);
  });
});

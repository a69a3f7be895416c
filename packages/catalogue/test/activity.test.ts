// Activity classes of always-on apps, derived from the real app specs of environments/example.yaml and from
// edited copies of them (a ClickHouse without the quiet configuration, OPA polling faster or not at all).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AppSpec,
  activityOf,
  appActivities,
  appSpecs,
  bundlePollingTargets,
  CLICKHOUSE_CONFIG,
  clickhouseTimedWork,
  clickhouseTimers,
  type ContainerAppSpec,
  loadEnvironmentConfig,
  OPA_DEFAULT_BUNDLE_POLLING,
  POLL_ACTIVE_WINDOW_SECONDS,
  QUIET_MONTH_CLEANING_JOBS,
  quietMonthActiveHours,
  resolveCatalogue,
} from '../src';

const repoRoot = resolve(__dirname, '..', '..', '..');

function exampleSpecs(): AppSpec[] {
  const loaded = loadEnvironmentConfig('example', { cwd: repoRoot });
  if (!loaded.value) throw new Error(JSON.stringify(loaded.errors));
  const resolved = resolveCatalogue(loaded.value);
  if (!resolved.value) throw new Error(JSON.stringify(resolved.errors));
  return appSpecs(resolved.value, loaded.value);
}

const byName = (specs: readonly AppSpec[]) => new Map(appActivities(specs).map((a) => [a.name, a]));

/** The spec list with one container app's first container changed. */
function withContainer(specs: AppSpec[], name: string, change: (c: ContainerAppSpec['containers'][number]) => object): AppSpec[] {
  return specs.map((s) => (s.name === name ? ({ ...s, containers: [{ ...s.containers[0], ...change(s.containers[0]!) }] } as AppSpec) : s));
}

describe('appActivities on the example environment', () => {
  const specs = exampleSpecs();
  const classes = byName(specs);

  it('lists every always-on container app and no job or app that scales to zero', () => {
    const alwaysOn = specs.filter((s) => s.kind === 'containerApp' && s.scale.minReplicas >= 1).map((s) => s.name);
    expect([...classes.keys()].sort()).toEqual([...alwaysOn].sort());
    expect(alwaysOn.length).toBeGreaterThan(0);
    for (const s of specs.filter((x) => x.kind === 'job')) expect(classes.has(s.name)).toBe(false);
  });

  it('prices cvat-server as polled by OPA at the share its bundle polling settings give', () => {
    const server = classes.get('cvat-server')!;
    expect(server.polledBy?.by).toBe('opa');
    const { minDelaySeconds: min, maxDelaySeconds: max } = server.polledBy!;
    expect(server.activity).toMatchObject({ activity: 'polled', optimistic: 'user' });
    expect(server.activity.activeFraction).toBeCloseTo(POLL_ACTIVE_WINDOW_SECONDS / ((min + max) / 2), 12);
    expect(quietMonthActiveHours(server, 730)).toBeCloseTo(730 * server.activity.activeFraction!, 9);
  });

  it("prices ClickHouse with the catalogue's quiet configuration as user, pessimistically always", () => {
    const clickhouse = classes.get('clickhouse')!;
    expect(clickhouse.timers).toEqual([]);
    expect(clickhouse.activity).toMatchObject({ activity: 'user', pessimistic: 'always' });
    expect(quietMonthActiveHours(clickhouse, 730)).toBe(0);
  });

  it('prices the RQ workers as jobs, active for the periodic clean-up jobs at most', () => {
    const workers = [...classes.values()].filter((a) => a.role === 'worker');
    expect(workers.length).toBeGreaterThan(0);
    for (const w of workers) expect(w.activity.activity).toBe('jobs');
    const cleaning = workers.find((w) => w.queues.includes('cleaning'))!;
    const c = QUIET_MONTH_CLEANING_JOBS;
    expect(quietMonthActiveHours(cleaning, 730)).toBeCloseTo((c.jobsPerMonth * c.averageJobSeconds) / 3600, 9);
    expect(quietMonthActiveHours({ ...cleaning, queues: ['webhooks'] }, 730)).toBe(0);
  });

  it('prices OPA, the UI and the Redis stores as user: idle while nobody works', () => {
    for (const name of ['opa', 'cvat-ui', 'cvat-redis-inmem', 'cvat-redis-ondisk']) {
      expect(classes.get(name)?.activity.activity, name).toBe('user');
      expect(quietMonthActiveHours(classes.get(name)!, 730), name).toBe(0);
    }
  });
});

describe('appActivities on edited specs', () => {
  const specs = exampleSpecs();

  it('prices a ClickHouse without the quiet configuration (no override variable, or the stock command) always', () => {
    const noEnv = withContainer(specs, 'clickhouse', (c) => ({ env: c.env.filter((e) => e.name !== CLICKHOUSE_CONFIG.env) }));
    const noCommand = withContainer(specs, 'clickhouse', () => ({ command: undefined }));
    for (const edited of [noEnv, noCommand]) {
      const clickhouse = byName(edited).get('clickhouse')!;
      expect(clickhouse.timers).toEqual(clickhouseTimedWork(undefined).timers);
      expect(clickhouse.timers!.length).toBeGreaterThan(0);
      expect(clickhouse.activity.activity).toBe('always');
      expect(quietMonthActiveHours(clickhouse, 730)).toBe(730);
    }
  });

  it('prices cvat-server always (optimistically user) when OPA polls more than once a minute, user when nothing polls it', () => {
    const fast = withContainer(specs, 'opa', (c) => ({
      args: [
        ...(c.args ?? []).filter((a) => !a.includes('polling')),
        '--set=bundles.cvat.polling.min_delay_seconds=5',
        '--set=bundles.cvat.polling.max_delay_seconds=15',
      ],
    }));
    expect(byName(fast).get('cvat-server')?.activity).toMatchObject({ activity: 'always', optimistic: 'user' });
    const none = withContainer(specs, 'opa', (c) => ({ args: (c.args ?? []).filter((a) => !a.startsWith('--set=bundles.')) }));
    expect(byName(none).get('cvat-server')?.polledBy).toBeUndefined();
    expect(byName(none).get('cvat-server')?.activity.activity).toBe('user');
  });

  it('leaves out an app scaled to zero', () => {
    const zero = specs.map((s) =>
      s.name === 'cvat-ui' && s.kind === 'containerApp' ? { ...s, scale: { ...s.scale, minReplicas: 0 } } : s,
    );
    expect(byName(zero).has('cvat-ui')).toBe(false);
  });
});

describe('the pieces', () => {
  it("reads OPA's default delays when a bundle sets none, and ignores a bundle without a service URL", () => {
    const opa = { name: 'opa', args: ['run', '--set=services.s.url=http://cvat-server:8080/api', '--set=bundles.cvat.service=s'] };
    expect(bundlePollingTargets([opa]).get('cvat-server')).toEqual({ by: 'opa', ...OPA_DEFAULT_BUNDLE_POLLING });
    expect(bundlePollingTargets([{ name: 'opa', args: ['run', '--set=bundles.cvat.service=none'] }]).size).toBe(0);
  });

  it('reads no timers from an app that is not ClickHouse, and falls back by name without readable timers', () => {
    const server = exampleSpecs().find((s) => s.name === 'cvat-server')!;
    expect(clickhouseTimers(server)).toBeUndefined();
    expect(activityOf('cvat-clickhouse', 'store').activity).toBe('always');
    expect(activityOf('anything', 'service').activity).toBe('user');
  });
});

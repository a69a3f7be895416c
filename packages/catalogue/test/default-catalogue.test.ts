import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CVAT_VERSION,
  configFileSourcePath,
  RQ_QUEUES,
  RQ_RUNNER,
  defaultCatalogue,
  runsScheduler,
  runsSmokescreen,
  EVENT_JOB_NAMES,
  parseRqRunner,
  rqRunnerCommand,
  workerLivenessCommand,
  type Catalogue,
  type Component,
} from '../src/index';
import { comp, defaultWithRunners } from './support/catalogue';

const c = defaultCatalogue();
const env = (x: Component, name: string) => x.env.find((e) => e.name === name);

describe('the default catalogue', () => {
  it('contains every CVAT v2.73.0 component, the init job, the edge and every RQ runner', () => {
    expect(c.components.map((x) => x.name).sort()).toEqual(
      [
        'clickhouse',
        'cvat-init',
        'cvat-redis-inmem',
        'cvat-redis-ondisk',
        'cvat-server',
        'cvat-ui',
        'cvat-worker-annotation',
        'cvat-worker-chunks',
        'cvat-worker-consensus',
        'cvat-worker-export',
        'cvat-worker-import',
        'cvat-worker-quality-reports',
        'cvat-worker-utils',
        'cvat-worker-webhooks',
        'cvat-job-import',
        'cvat-job-export',
        'cvat-job-annotation',
        'cvat-job-quality-reports',
        'cvat-job-consensus',
        'edge',
        'grafana',
        'opa',
        'vector',
      ].sort(),
    );
  });

  it('drives every cvat/server and cvat/ui image from one version', () => {
    const cvat = c.components.filter((x) => x.image.repository.startsWith('cvat/'));
    expect(cvat).toHaveLength(16);
    expect(new Set(cvat.map((x) => x.image.tag))).toEqual(new Set([CVAT_VERSION]));
    expect(c.cvatVersion).toBe('v2.73.0');
  });

  it('runs migrations only in the init job and starts the server with run server nginx', () => {
    expect(comp(c, 'cvat-init').args).toEqual(['init']);
    expect(comp(c, 'cvat-server').args).toEqual(['run', 'server', 'nginx']);
    for (const x of c.components.filter((y) => y.runner)) expect(x.args?.includes('init'), x.name).toBe(false);
  });

  it('serves every RQ queue exactly once by default: bursty queues on event jobs, chunks and the scheduler queues on one worker', () => {
    const args = Object.fromEntries(c.components.filter((x) => x.runner && x.enabled).map((x) => [x.name, x.args?.join(' ')]));
    expect(args).toEqual({
      // two RQ worker processes: chunks alone, the scheduler queues together
      'cvat-worker-utils': 'chunks :: webhooks notifications cleaning --with-scheduler',
      'cvat-job-import': 'import --burst --max-jobs=5',
      'cvat-job-export': 'export --burst --max-jobs=5',
      'cvat-job-annotation': 'annotation --burst --max-jobs=1',
      'cvat-job-quality-reports': 'quality_reports --burst --max-jobs=23',
      'cvat-job-consensus': 'consensus --burst --max-jobs=23',
    });
    expect(c.components.flatMap((x) => x.queues).sort()).toEqual(Object.keys(RQ_QUEUES).sort());
    for (const x of c.components.filter((y) => y.runner && !y.enabled)) expect(x.queues, x.name).toEqual([]);
  });

  it('runs every event job as a burst worker that ends before its replica timeout, started from its queue list', () => {
    for (const name of EVENT_JOB_NAMES) {
      const x = comp(c, name);
      expect(x.role, name).toBe('job');
      expect(x.job, name).toMatchObject({ trigger: 'event', replicaTimeoutSeconds: 86_400, replicaRetryLimit: 0, parallelism: 1 });
      expect(x.job?.scale?.minExecutions, name).toBe(0);
      expect(x.command, name).toEqual(rqRunnerCommand(false));
      expect(
        x.scaleRules.map((r) => [r.kind, r.metadata.listName, r.metadata.listLength]),
        name,
      ).toEqual([['redis-queue', `rq:queue:${x.queues[0]}`, '1']]);
      expect(x.probes, name).toEqual({});
    }
  });

  it("starts the side processes upstream starts per queue: the runner script's table equals RQ_QUEUES", () => {
    // config/rq-runner/rq_runner.sh mirrors cvat-ai/cvat@v2.73.0 backend_entrypoint.d/cvat.conf in a `case`.
    const script = readFileSync(configFileSourcePath(RQ_RUNNER.source), 'utf8');
    const listed = (side: string) => (new RegExp(`^\\s+([a-z_|]+)\\) ${side}=yes ;;$`, 'm').exec(script)?.[1] ?? '').split('|').sort();
    expect(listed('smokescreen')).toEqual(
      Object.keys(RQ_QUEUES)
        .filter((q) => RQ_QUEUES[q]!.smokescreen)
        .sort(),
    );
    expect(listed('rqscheduler')).toEqual(Object.keys(RQ_QUEUES).filter((q) => RQ_QUEUES[q]!.scheduler === 'rqscheduler'));
  });

  it('runs chunks in its own RQ worker process on the utils worker, sized for two processes; the chunks worker is not deployed', () => {
    const utils = comp(c, 'cvat-worker-utils');
    expect(parseRqRunner(utils.command, utils.args)?.groups.map((g) => g.queues)).toEqual([
      ['chunks'],
      ['webhooks', 'notifications', 'cleaning'],
    ]);
    expect(utils.resources).toEqual({ cpuCores: 0.75, memoryGiB: 1.5 });
    expect(utils.terminationGracePeriodSeconds).toBe(600);
    expect(comp(c, 'cvat-worker-chunks')).toMatchObject({ enabled: false, queues: [] });
  });

  it('keeps the scheduler worker at exactly one replica without scale rules', () => {
    const schedulers = c.components.filter((x) => x.enabled && runsScheduler(x));
    expect(schedulers.map((x) => x.name)).toEqual(['cvat-worker-utils']);
    for (const x of schedulers) {
      expect(x.replicas).toEqual({ min: 1, max: 1 });
      expect(x.scaleRules).toEqual([]);
    }
  });

  it('scales always-on workers on rq:queue:<queue> lists only where safe (the chunks worker brought back: 300 s jobs, 600 s grace)', () => {
    const scaled = Object.fromEntries(
      c.components
        .filter((x) => x.enabled && x.role === 'worker' && x.scaleRules.length)
        .map((x) => [x.name, x.scaleRules.map((r) => r.metadata.listName)]),
    );
    // none by default: the only always-on worker runs the schedulers (exactly one replica)
    expect(scaled).toEqual({});
    const separate = defaultWithRunners({ chunks: 'cvat-worker-chunks' });
    expect(comp(separate, 'cvat-worker-chunks').scaleRules.map((r) => r.metadata.listName)).toEqual(['rq:queue:chunks']);
    for (const x of [...c.components, ...separate.components].filter((y) => y.role === 'worker' && y.scaleRules.length)) {
      expect(x.replicas.min).toBeGreaterThanOrEqual(1);
      expect(x.terminationGracePeriodSeconds).toBe(600);
    }
  });

  it('defines SMOKESCREEN_OPTS on the server and every smokescreen-running runner', () => {
    const running = c.components
      .filter((x) => x.enabled && runsSmokescreen(x))
      .map((x) => x.name)
      .sort();
    expect(running).toEqual(['cvat-job-annotation', 'cvat-job-export', 'cvat-job-import', 'cvat-server', 'cvat-worker-utils']);
    for (const name of running) expect(env(comp(c, name), 'SMOKESCREEN_OPTS')).toEqual({ name: 'SMOKESCREEN_OPTS', value: '' });
  });

  it('gives the cleaning worker CVAT_REDIS_INMEM_PASSWORD from a secret and explicit Redis ports', () => {
    const utils = comp(c, 'cvat-worker-utils');
    expect(env(utils, 'CVAT_REDIS_INMEM_PASSWORD')).toEqual({ name: 'CVAT_REDIS_INMEM_PASSWORD', secretRef: 'redis-inmem-password' });
    expect(env(utils, 'CVAT_REDIS_INMEM_PORT')).toEqual({
      name: 'CVAT_REDIS_INMEM_PORT',
      componentRef: { component: 'cvat-redis-inmem', part: 'port' },
    });
    expect(env(utils, 'CVAT_REDIS_ONDISK_PORT')).toEqual({
      name: 'CVAT_REDIS_ONDISK_PORT',
      componentRef: { component: 'cvat-redis-ondisk', part: 'port' },
    });
  });

  it('models managed PostgreSQL as platform references and the password as a secret', () => {
    const server = comp(c, 'cvat-server');
    expect(env(server, 'CVAT_POSTGRES_HOST')).toEqual({ name: 'CVAT_POSTGRES_HOST', platformRef: 'postgres.host' });
    expect(env(server, 'CVAT_POSTGRES_PASSWORD')).toEqual({ name: 'CVAT_POSTGRES_PASSWORD', secretRef: 'postgres-cvat-password' });
    expect(server.secrets).not.toContain('postgres-admin-password');
    expect(env(server, 'DJANGO_SECRET_KEY')).toEqual({ name: 'DJANGO_SECRET_KEY', secretRef: 'django-secret-key' });
  });

  it('derives ALLOWED_HOSTS, CVAT_HOST and CVAT_BASE_URL of the server from the edge', () => {
    const server = comp(c, 'cvat-server');
    expect(env(server, 'ALLOWED_HOSTS')).toEqual({ name: 'ALLOWED_HOSTS', platformRef: 'edge.allowedHosts' });
    expect(env(server, 'CVAT_HOST')).toEqual({ name: 'CVAT_HOST', platformRef: 'edge.host' });
    expect(env(server, 'CVAT_BASE_URL')).toEqual({ name: 'CVAT_BASE_URL', platformRef: 'edge.baseUrl' });
  });

  it('makes OPA reachable as opa:8181 and points its bundle at the server', () => {
    const opa = comp(c, 'opa');
    expect(opa.ingress).toEqual({ transport: 'tcp', targetPort: 8181, exposedPort: 8181, external: false });
    expect(opa.args).toContain('--set=services.cvat.url=http://cvat-server:8080');
    expect(comp(c, 'cvat-server').ingress).toMatchObject({ transport: 'tcp', exposedPort: 8080, targetPort: 8080 });
    expect(env(comp(c, 'cvat-server'), 'CVAT_OPA_URL')).toEqual({ name: 'CVAT_OPA_URL', componentRef: { component: 'opa', part: 'url' } });
  });

  it("starts kvrocks with its data in a subdirectory, a password and upstream's compaction", () => {
    const kv = comp(c, 'cvat-redis-ondisk');
    const cmd = kv.command?.join(' ') ?? '';
    expect(cmd).toContain('--dir /var/lib/kvrocks/data');
    expect(cmd).toContain('--requirepass "$KVROCKS_PASSWORD"');
    expect(cmd).toContain('--compact-cron "0 3 * * *"');
    expect(kv.mounts).toEqual([{ storage: 'cvat-cache', mountPath: '/var/lib/kvrocks/data', readOnly: false }]);
    expect(c.storages.find((s) => s.name === 'cvat-cache')?.kind).toBe('ephemeral');
  });

  it('keeps Redis AOF persistence on replica-scoped ephemeral storage', () => {
    const redis = comp(c, 'cvat-redis-inmem');
    expect(redis.args?.join(' ')).toContain('--appendonly yes');
    expect(redis.mounts[0]?.mountPath).toBe('/data');
    expect(c.storages.find((s) => s.name === redis.mounts[0]?.storage)?.kind).toBe('ephemeral');
  });

  it("mounts the CVAT shares with the django user's uid and gid", () => {
    for (const name of ['cvat-data', 'cvat-keys', 'cvat-logs']) {
      const s = c.storages.find((x) => x.name === name);
      expect(s?.kind).toBe('smb');
      expect(s?.mountOptions).toMatch(/(^|,)uid=1000,gid=1000(,|$)/);
    }
  });

  it('probes every long-running app with ingress, and every worker on its /livez endpoint (liveness only)', () => {
    for (const x of c.components.filter((y) => y.ingress)) {
      expect(x.probes.liveness, x.name).toBeDefined();
      expect(x.probes.readiness, x.name).toBeDefined();
    }
    const workers = c.components.filter((y) => y.role === 'worker');
    expect(workers).toHaveLength(8);
    for (const x of workers) {
      expect(x.ingress, x.name).toBeUndefined();
      expect(x.probes.readiness, x.name).toBeUndefined();
      expect(x.probes.liveness, x.name).toMatchObject({
        type: 'http',
        port: 8081,
        path: '/livez',
        periodSeconds: 120,
        failureThreshold: 3,
      });
      expect(x.probes.startup, x.name).toBeUndefined();
      expect(x.command, x.name).toEqual(rqRunnerCommand(true));
      expect(x.command?.slice(0, 3), x.name).toEqual(workerLivenessCommand().slice(0, 3));
    }
    expect(comp(c, 'cvat-server').probes.readiness?.path).toBe('/api/server/about');
    expect(comp(c, 'cvat-server').probes.startup).toBeDefined();
  });

  it('keeps the startup windows (period × failures) within 30 failures, the azurerm v4.55.0 maximum', () => {
    const window = (name: string) => {
      const p = comp(c, name).probes.startup!;
      expect(p.failureThreshold, name).toBeLessThanOrEqual(30);
      return p.initialDelaySeconds + p.periodSeconds * p.failureThreshold;
    };
    // server: migrations + collectstatic by the init job; Grafana installs its plugin at boot
    expect(window('cvat-server')).toBe(900);
    expect(window('grafana')).toBe(600);
    expect(window('cvat-redis-ondisk')).toBe(300);
    expect(window('clickhouse')).toBe(300);
    for (const x of c.components) {
      for (const p of Object.values(x.probes)) expect(p?.failureThreshold ?? 1, x.name).toBeLessThanOrEqual(30);
    }
  });

  it('probes OPA readiness on /health?bundles (upstream chart) and liveness on plain /health', () => {
    const opa = comp(c, 'opa');
    expect(opa.probes.readiness).toMatchObject({ type: 'http', port: 8181, path: '/health?bundles' });
    expect(opa.probes.liveness).toMatchObject({ type: 'http', port: 8181, path: '/health' });
  });

  it('knows every v2.73.0 queue with its DEFAULT_TIMEOUT and smokescreen include (base.py RQ_QUEUES, backend_entrypoint.d/cvat.conf)', () => {
    // cvat-ai/cvat@v2.73.0 cvat/settings/base.py RQ_QUEUES: 4h, 4h, 24h, 25s, 1h, 1h, 2h, 5m, 1h
    const h = 3600;
    expect(Object.fromEntries(Object.entries(RQ_QUEUES).map(([q, x]) => [q, [x.timeoutSeconds, x.smokescreen]]))).toEqual({
      import: [4 * h, true],
      export: [4 * h, true],
      annotation: [24 * h, true],
      webhooks: [25, true],
      notifications: [h, false],
      quality_reports: [h, false],
      cleaning: [2 * h, false],
      chunks: [300, true],
      consensus: [h, false],
    });
  });

  it('has Grafana optional and off, analytics optional and on', () => {
    expect(comp(c, 'grafana')).toMatchObject({ optional: true, enabled: false });
    expect(comp(c, 'clickhouse')).toMatchObject({ optional: true, enabled: true });
    expect(comp(c, 'vector')).toMatchObject({ optional: true, enabled: true });
  });

  it('returns a fresh copy on every call', () => {
    const a = defaultCatalogue();
    comp(a, 'cvat-server').replicas.max = 7;
    expect(comp(defaultCatalogue(), 'cvat-server').replicas.max).toBe(1);
  });

  it('types a validated catalogue as deep-readonly (a type test: `npm run typecheck` fails if a marked line compiles)', () => {
    const changes = (x: Catalogue) => {
      // @ts-expect-error a validated catalogue's components cannot be replaced
      x.components = [];
      // @ts-expect-error nor can nested values be changed
      x.components[0]!.replicas.max = 3;
      // @ts-expect-error nor can nested arrays grow
      x.components[0]!.env.push({ name: 'X', value: '' });
      // @ts-expect-error nor can probe headers
      x.components[0]!.probes.liveness!.headers![0]!.value = 'x';
    };
    void changes;
  });
});

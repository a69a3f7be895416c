import { describe, expect, it } from 'vitest';
import {
  componentAddress,
  componentRefValue,
  defaultCatalogue,
  edgeUrls,
  OPA_SERVER_IMAGE_ENV,
  parseEnvironmentConfig,
  renderEnv,
  resolveCatalogue,
  type Catalogue,
  type EnvironmentConfig,
  type EnvironmentConfigInput,
} from '../src/index';
import { comp } from './support/catalogue';

function config(extra: Partial<EnvironmentConfigInput> = {}): EnvironmentConfig {
  const r = parseEnvironmentConfig({ name: 'dev', adminCidrs: ['203.0.113.0/24'], edge: { acmeEmail: 'ops@cvat-cloud.dev' }, ...extra });
  if (!r.value) throw new Error(JSON.stringify(r.errors));
  return r.value;
}
function resolved(extra: Partial<EnvironmentConfigInput> = {}): Catalogue {
  const r = resolveCatalogue(config(extra));
  if (!r.value) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.value;
}
const env = (c: Catalogue, component: string, name: string) => comp(c, component).env.find((e) => e.name === name);

describe('resolveCatalogue', () => {
  it('resolves the default environment without errors or warnings', () => {
    const r = resolveCatalogue(config());
    expect(r.errors).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });

  it('sets every CVAT image tag from cvatVersion', () => {
    const c = resolved({ cvatVersion: 'v2.74.0' });
    expect(c.cvatVersion).toBe('v2.74.0');
    for (const x of c.components.filter((y) => y.image.repository.startsWith('cvat/'))) expect(x.image.tag).toBe('v2.74.0');
    expect(comp(c, 'opa').image.tag).toBe('1.12.2');
  });

  it("keeps OPA on the server's image: cvatVersion and an override of the server's image move OPA's reference", () => {
    const opaImage = (c: Catalogue) => renderEnv(c, comp(c, 'opa'), config()).find((e) => e.name === OPA_SERVER_IMAGE_ENV);
    expect(opaImage(resolved())).toEqual({ name: OPA_SERVER_IMAGE_ENV, value: 'cvat/server:v2.73.0' });
    expect(opaImage(resolved({ cvatVersion: 'v2.74.0' }))).toEqual({ name: OPA_SERVER_IMAGE_ENV, value: 'cvat/server:v2.74.0' });
    const mirrored = resolved({
      components: { 'cvat-server': { image: { repository: 'registry.example.com/cvat/server', tag: 'v2.73.0-p1' } } },
    });
    expect(opaImage(mirrored)).toEqual({ name: OPA_SERVER_IMAGE_ENV, value: 'registry.example.com/cvat/server:v2.73.0-p1' });
    // … while OPA's own image stays what it was
    expect(`${comp(mirrored, 'opa').image.repository}:${comp(mirrored, 'opa').image.tag}`).toBe('openpolicyagent/opa:1.12.2');
  });

  it('derives CVAT_HOST, CVAT_BASE_URL, ALLOWED_HOSTS and the Grafana URL from the edge hostname', () => {
    const c = resolved({ grafana: true, edge: { acmeEmail: 'ops@cvat-cloud.dev', hostname: 'cvat.example.com' } });
    expect(env(c, 'cvat-server', 'CVAT_HOST')).toEqual({ name: 'CVAT_HOST', value: 'cvat.example.com', derivedFrom: 'edge.host' });
    expect(env(c, 'cvat-server', 'CVAT_BASE_URL')).toEqual({
      name: 'CVAT_BASE_URL',
      value: 'https://cvat.example.com',
      derivedFrom: 'edge.baseUrl',
    });
    expect(env(c, 'cvat-server', 'ALLOWED_HOSTS')).toEqual({
      name: 'ALLOWED_HOSTS',
      value: 'cvat.example.com,cvat-server',
      derivedFrom: 'edge.allowedHosts',
    });
    expect(env(c, 'grafana', 'GF_SERVER_ROOT_URL')).toMatchObject({ value: 'https://cvat.example.com/analytics' });
    expect(env(c, 'edge', 'CVAT_HOST')).toMatchObject({ value: 'cvat.example.com' });
  });

  it('uses the public IP name as host when the edge VM has no hostname', () => {
    const cfg = config();
    const c = resolved();
    expect(env(c, 'cvat-server', 'CVAT_HOST')).toMatchObject({ value: edgeUrls(cfg).host });
    expect(edgeUrls(cfg).host).toMatch(/^cvat-dev-[0-9a-f]{8}\.westeurope\.cloudapp\.azure\.com$/);
  });

  it('leaves only postgres.host for infra and resolves the other PostgreSQL values', () => {
    const c = resolved({ postgres: { administratorLogin: 'cvatowner', databaseName: 'annotations' } });
    expect(env(c, 'cvat-worker-import', 'CVAT_POSTGRES_HOST')).toEqual({ name: 'CVAT_POSTGRES_HOST', platformRef: 'postgres.host' });
    // CVAT logs in as its own role; the administrator login reaches the init job only
    expect(env(c, 'cvat-worker-import', 'CVAT_POSTGRES_USER')).toMatchObject({ value: 'cvat_app' });
    expect(env(c, 'cvat-init', 'CVAT_POSTGRES_ADMIN_USER')).toMatchObject({ value: 'cvatowner' });
    const holders = c.components.filter((x) => x.env.some((e) => e.name === 'CVAT_POSTGRES_ADMIN_PASSWORD')).map((x) => x.name);
    expect(holders).toEqual(['cvat-init']);
    expect(env(c, 'cvat-worker-import', 'CVAT_POSTGRES_DBNAME')).toMatchObject({ value: 'annotations' });
    expect(env(c, 'cvat-worker-import', 'CVAT_POSTGRES_PORT')).toMatchObject({ value: '5432' });
    const platformRefs = c.components.flatMap((x) =>
      x.env.filter((e) => 'platformRef' in e).map((e) => ('platformRef' in e ? e.platformRef : '')),
    );
    expect(new Set(platformRefs)).toEqual(new Set(['postgres.host']));
  });

  it('turns analytics off: no ClickHouse, vector, CLICKHOUSE_* or vector logging, CVAT_ANALYTICS=0, no ClickHouse secret or storage', () => {
    const c = resolved({ analytics: false });
    expect(comp(c, 'clickhouse').enabled).toBe(false);
    expect(comp(c, 'vector').enabled).toBe(false);
    for (const name of ['cvat-server', 'cvat-init', 'cvat-worker-export']) {
      const x = comp(c, name);
      expect(x.env.filter((e) => e.name.startsWith('CLICKHOUSE_') || e.name.startsWith('DJANGO_LOG_SERVER_'))).toEqual([]);
      expect(x.secrets).not.toContain('clickhouse-password');
    }
    expect(env(c, 'cvat-server', 'CVAT_ANALYTICS')).toEqual({ name: 'CVAT_ANALYTICS', value: '0' });
    expect(env(c, 'cvat-init', 'CVAT_ANALYTICS')).toEqual({ name: 'CVAT_ANALYTICS', value: '0' });
    expect(c.secrets.map((s) => s.name)).not.toContain('clickhouse-password');
    expect(c.storages.map((s) => s.name)).not.toContain('cvat-events');
    expect(c.storages.map((s) => s.name)).not.toContain('cvat-config');
  });

  it('turns Grafana on with analytics', () => {
    const c = resolved({ grafana: true });
    expect(comp(c, 'grafana').enabled).toBe(true);
    expect(c.storages.map((s) => s.name)).toContain('cvat-config');
  });

  it('disables the edge for edge.mode none', () => {
    const c = resolved({ edge: { mode: 'none', hostname: 'cvat.corp.example' } });
    expect(comp(c, 'edge').enabled).toBe(false);
    expect(env(c, 'cvat-server', 'CVAT_HOST')).toMatchObject({ value: 'cvat.corp.example' });
  });

  it('derives CVAT_NUM_PROXIES from the edge mode on every backend: 1 behind the edge VM (as compose), 0 without it', () => {
    // Counts the proxies in front of the server container; the v2.73 entrypoint adds the image's
    // nginx (cvat-ai/cvat@v2.73.0 backend_entrypoint.sh, account_for_internal_proxy).
    const numProxies = (c: Catalogue) =>
      c.components
        .filter((x) => x.image.repository === 'cvat/server')
        .map((x) => [x.name, x.env.find((e) => e.name === 'CVAT_NUM_PROXIES')]);
    const vm = numProxies(resolved());
    expect(vm).toHaveLength(15);
    for (const [, e] of vm) expect(e).toEqual({ name: 'CVAT_NUM_PROXIES', value: '1', derivedFrom: 'edge.numProxies' });
    for (const [, e] of numProxies(resolved({ edge: { mode: 'none', hostname: 'cvat.corp.example' } }))) {
      expect(e).toEqual({ name: 'CVAT_NUM_PROXIES', value: '0', derivedFrom: 'edge.numProxies' });
    }
  });

  it('rejects a CVAT_NUM_PROXIES override that does not match the proxies in front of the server', () => {
    const r = resolveCatalogue(config({ components: { 'cvat-server': { env: { CVAT_NUM_PROXIES: '2' } } } }));
    expect(r.errors).toContainEqual(
      expect.objectContaining({
        rule: 'numProxiesMatchesEdge',
        path: expect.stringMatching(/^components\.cvat-server\.env\[\d+\]$/),
        message: expect.stringContaining('must be "1"'),
      }),
    );
  });

  it('applies SMOKESCREEN_OPTS everywhere it is defined', () => {
    const c = resolved({ smokescreenOpts: '--allow-range=10.28.0.0/16' });
    const values = c.components.flatMap((x) =>
      x.env.filter((e) => e.name === 'SMOKESCREEN_OPTS').map((e) => ('value' in e ? e.value : '')),
    );
    expect(values).toHaveLength(15);
    expect(new Set(values)).toEqual(new Set(['--allow-range=10.28.0.0/16']));
  });

  it('applies resource, replica, image, profile and env overrides', () => {
    const c = resolved({
      components: {
        'cvat-worker-export': {
          resources: { cpuCores: 2, memoryGiB: 4 },
          replicas: { min: 2, max: 6 },
          env: { NUMPROCS: '4', EXTRA_FLAG: 'x' },
        },
        opa: { image: { tag: '1.13.0' } },
        'cvat-server': { workloadProfile: 'D4', resources: { cpuCores: 3, memoryGiB: 12 } },
      },
      storages: { 'cvat-cache': { kind: 'nfs', quotaGiB: 100 } },
    });
    const x = comp(c, 'cvat-worker-export');
    expect(x.resources).toEqual({ cpuCores: 2, memoryGiB: 4 });
    expect(x.replicas).toEqual({ min: 2, max: 6 });
    expect(env(c, 'cvat-worker-export', 'NUMPROCS')).toEqual({ name: 'NUMPROCS', value: '4' });
    expect(env(c, 'cvat-worker-export', 'EXTRA_FLAG')).toEqual({ name: 'EXTRA_FLAG', value: 'x' });
    expect(comp(c, 'opa').image.tag).toBe('1.13.0');
    expect(comp(c, 'cvat-server').workloadProfile).toBe('D4');
    expect(c.storages.find((s) => s.name === 'cvat-cache')).toMatchObject({ kind: 'nfs', quotaGiB: 100 });
  });

  it.each<{ name: string; components: EnvironmentConfigInput['components']; message: string }>([
    {
      name: 'too many replicas',
      components: { 'cvat-worker-import': { replicas: { max: 500 } } },
      message: "'components.cvat-worker-import.replicas.max' (500) must be between 1 and 300",
    },
    {
      name: 'an invalid Consumption pair',
      components: { 'cvat-server': { resources: { memoryGiB: 3 } } },
      message: "'components.cvat-server.resources.memoryGiB' (3) must be 1.5 (2 × cpuCores 0.75)",
    },
    {
      name: 'a scaled scheduler worker',
      components: { 'cvat-worker-utils': { replicas: { max: 2 } } },
      message: '\'components.cvat-worker-utils.replicas\' ({"min":1,"max":2}) must be { min: 1, max: 1 }',
    },
    {
      name: 'a disabled required component',
      components: { opa: { enabled: false } },
      message: "'components.opa.enabled' (false) must be true",
    },
    {
      name: 'a runner switched off by hand instead of through queueRunners',
      components: { 'cvat-worker-chunks': { enabled: false } },
      message:
        "'components.cvat-worker-chunks.enabled' (false) must not be set; an RQ runner is deployed when queueRunners gives it a queue",
    },
    {
      name: 'one worker on another CVAT version',
      components: { 'cvat-worker-import': { image: { tag: 'v2.72.0' } } },
      message: '\'components.cvat-worker-import.image.tag\' ("v2.72.0") must equal cvatVersion',
    },
    {
      name: 'an unpinned tag',
      components: { opa: { image: { tag: 'latest' } } },
      message: '\'components.opa.image.tag\' ("latest") must be a pinned release tag',
    },
    {
      name: 'a plaintext password override',
      components: { 'cvat-server': { env: { CVAT_POSTGRES_PASSWORD: 'hunter2' } } },
      message: 'must take CVAT_POSTGRES_PASSWORD from a secret',
    },
    {
      name: 'a literal ALLOWED_HOSTS override',
      components: { 'cvat-server': { env: { ALLOWED_HOSTS: '*' } } },
      message: 'must be derived from the edge hostname',
    },
    {
      name: 'ClickHouse disabled while analytics is on',
      components: { clickhouse: { enabled: false } },
      message: 'must be "0" because ClickHouse is disabled',
    },
    {
      name: "OPA's server image written out instead of derived",
      components: { opa: { env: { [OPA_SERVER_IMAGE_ENV]: 'cvat/server:v2.73.0' } } },
      message:
        `'components.opa.env[0]' ("cvat/server:v2.73.0") must define ${OPA_SERVER_IMAGE_ENV} as a componentRef to cvat-server (part image): ` +
        'OPA polls bundle "cvat" from cvat-server every 300-600 s',
    },
    {
      name: 'a CPU beyond a D4 node',
      components: { 'cvat-server': { workloadProfile: 'D4', resources: { cpuCores: 6, memoryGiB: 12 } } },
      message: "'components.cvat-server.resources.cpuCores' (6) must fit on one D4 node",
    },
  ])('rejects an override with $name, through the catalogue rules', ({ components, message }) => {
    const r = resolveCatalogue({ ...config(), components: components as EnvironmentConfig['components'] });
    expect(r.value).toBeUndefined();
    expect(
      r.errors?.map((e) => e.message).some((m) => m.includes(message)),
      r.errors?.map((e) => e.message).join('\n'),
    ).toBe(true);
  });

  it('rejects moving a store to SMB through a storage override', () => {
    const r = resolveCatalogue(config({ storages: { 'cvat-events': { kind: 'smb' } } }));
    expect(r.errors?.[0]?.message).toBe(
      '\'components.clickhouse.mounts[0].storage\' ("cvat-events") must not be an SMB share for the store clickhouse (no hard ' +
        'links, renames or locks on SMB); use an ephemeral or nfs storage',
    );
  });

  it('serves each queue by the runner queueRunners names, rebuilding the runners (default for the rest)', () => {
    const c = resolved({ queueRunners: { import: 'cvat-worker-import', chunks: 'cvat-worker-utils' } });
    const served = Object.fromEntries(c.components.filter((x) => x.enabled && x.queues.length).map((x) => [x.name, x.queues]));
    expect(served).toEqual({
      'cvat-worker-import': ['import'],
      // the queue a caller waits on comes first, in a worker process of its own
      'cvat-worker-utils': ['chunks', 'webhooks', 'notifications', 'cleaning'],
      'cvat-job-export': ['export'],
      'cvat-job-annotation': ['annotation'],
      'cvat-job-quality-reports': ['quality_reports'],
      'cvat-job-consensus': ['consensus'],
    });
    expect(comp(c, 'cvat-job-import').enabled).toBe(false);
    expect(comp(c, 'cvat-worker-chunks').enabled).toBe(false);
    const importer = comp(c, 'cvat-worker-import');
    expect(importer.args).toEqual(['import']);
    // 4 h jobs on an always-on worker: fixed replicas and no scale rule, so it is never scaled in
    expect(importer.replicas).toEqual({ min: 1, max: 1 });
    expect(importer.scaleRules).toEqual([]);
    expect(comp(c, 'cvat-worker-utils').args).toEqual(['chunks', '::', 'webhooks', 'notifications', 'cleaning', '--with-scheduler']);
    expect(env(c, 'cvat-worker-import', 'SMOKESCREEN_OPTS')).toMatchObject({ value: '' });
  });

  it.each<{ name: string; queueRunners: Record<string, string>; message: string }>([
    {
      name: 'an unknown queue',
      queueRunners: { chunk: 'cvat-worker-chunks' },
      message:
        '\'queueRunners.chunk\' ("chunk") must name a CVAT queue (one of import, export, annotation, webhooks, notifications, ' +
        'quality_reports, cleaning, chunks, consensus)',
    },
    {
      name: 'an event job for chunks (a caller waits)',
      queueRunners: { chunks: 'cvat-job-import' },
      message:
        '\'queueRunners.chunks\' ("cvat-job-import") must be one of cvat-worker-import, cvat-worker-export, cvat-worker-annotation, ' +
        'cvat-worker-webhooks, cvat-worker-quality-reports, cvat-worker-chunks, cvat-worker-consensus, cvat-worker-utils ' +
        '(a caller waits on this queue, so no event job)',
    },
    {
      name: 'an event job for cleaning (needs rqscheduler)',
      queueRunners: { cleaning: 'cvat-job-cleaning' },
      message: '(it needs the rqscheduler scheduler, so no event job)',
    },
    {
      name: "another queue's event job",
      queueRunners: { export: 'cvat-job-import' },
      message: '\'queueRunners.export\' ("cvat-job-import") must be one of cvat-worker-import,',
    },
  ])('rejects queueRunners with $name, naming the field, the value and what is allowed', ({ queueRunners, message }) => {
    // in the environment file (parseEnvironmentConfig runs the environment rules) …
    const parsed = parseEnvironmentConfig({
      name: 'dev',
      adminCidrs: ['203.0.113.0/24'],
      edge: { acmeEmail: 'o@cvat-cloud.dev' },
      queueRunners,
    });
    expect(
      parsed.errors?.map((e) => e.message).some((m) => m.includes(message)),
      JSON.stringify(parsed.errors),
    ).toBe(true);
    // … and in resolveCatalogue, given a config that skipped validation
    const r = resolveCatalogue({ ...config(), queueRunners });
    expect(r.value).toBeUndefined();
    expect(
      r.errors?.map((e) => e.message).some((m) => m.includes(message)),
      r.errors?.map((e) => e.message).join('\n'),
    ).toBe(true);
  });

  it('does not change the default catalogue', () => {
    resolved({ components: { 'cvat-server': { replicas: { max: 3 } } } });
    expect(comp(defaultCatalogue(), 'cvat-server').replicas.max).toBe(1);
  });
});

describe('addresses and rendered env', () => {
  const c = resolved();
  it('gives TCP apps as host:exposedPort', () => {
    expect(componentAddress(c, { component: 'opa', part: 'url' })).toBe('http://opa:8181');
    expect(componentAddress(c, { component: 'cvat-redis-inmem', part: 'port' })).toBe('6379');
    expect(componentAddress(c, { component: 'cvat-worker-import', part: 'host' })).toBeUndefined();
  });

  it('gives an image reference as repository:tag, for a component with or without ingress, and nothing for an unknown one', () => {
    expect(componentRefValue(c, { component: 'cvat-server', part: 'image' })).toBe('cvat/server:v2.73.0');
    expect(componentRefValue(c, { component: 'cvat-worker-utils', part: 'image' })).toBe('cvat/server:v2.73.0');
    expect(componentRefValue(c, { component: 'cvat-redis-inmem', part: 'url' })).toBe('http://cvat-redis-inmem:6379');
    expect(componentRefValue(c, { component: 'no-such-app', part: 'image' })).toBeUndefined();
  });

  it('renders the server env with every reference but secrets resolved', () => {
    const cfg = config();
    const rendered = renderEnv(c, comp(c, 'cvat-server'), cfg);
    const byName = Object.fromEntries(rendered.map((e) => [e.name, 'value' in e ? e.value : `secret:${e.secretRef}`]));
    expect(byName).toMatchObject({
      CVAT_POSTGRES_HOST: expect.stringMatching(/^cvat-dev-pg-[0-9a-f]{8}\.postgres\.database\.azure\.com$/),
      CVAT_REDIS_INMEM_HOST: 'cvat-redis-inmem',
      CVAT_REDIS_INMEM_PORT: '6379',
      CVAT_REDIS_ONDISK_PORT: '6666',
      CVAT_OPA_URL: 'http://opa:8181',
      DJANGO_LOG_SERVER_HOST: 'vector',
      DJANGO_LOG_SERVER_PORT: '8282',
      CLICKHOUSE_HOST: 'clickhouse',
      CVAT_POSTGRES_USER: 'cvat_app',
      CVAT_POSTGRES_PASSWORD: 'secret:postgres-cvat-password',
      CVAT_ANALYTICS: '1',
    });
  });
});

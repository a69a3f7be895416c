/**
 * The pure drift diff on fixtures: normalisation of live ARM models, the expected spec from the catalogue, and one
 * test per kind of field difference.
 */
import type { ContainerApp } from '@azure/arm-appcontainers';
import { defaultCatalogue, platformValue, type ScaleRule } from '@cvat-cloud/catalogue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffApps, diffAppSpec } from '../../src/commands/drift/diff';
import { expectedApps } from '../../src/commands/drift/expected';
import { liveAppSpec, liveScaleRules, memoryToGiB, type AppSpec } from '../../src/commands/drift/spec';
import { armAppProperties, armIdentity, makeTestRepo, specsOf, type TestRepo } from './support/catalogue-fixture';

/** A live ContainerApp (SDK model, flattened) rendered from a spec, optionally edited. */
function liveFrom(spec: AppSpec, edit: (app: Record<string, any>) => void = () => {}): ContainerApp {
  const props = structuredClone(armAppProperties(spec)) as Record<string, any>;
  const identity = armIdentity(spec);
  const app = { name: spec.name, provisioningState: 'Succeeded', ...props, ...(identity ? { identity } : {}) };
  edit(app);
  return app as ContainerApp;
}

const base: AppSpec = {
  name: 'web',
  resource: 'containerApp',
  image: 'cvat/server:v2.73.0',
  resources: { cpuCores: 1, memoryGiB: 2 },
  replicas: { min: 1, max: 3 },
  scaleRules: {
    'rq-import': {
      type: 'redis',
      metadata: { address: 'cvat-redis-inmem:6379', listName: 'rq:queue:import', listLength: '5', databaseIndex: '0' },
      auth: { password: 'redis-inmem-password' },
    },
    http: { type: 'http', metadata: { concurrentRequests: '10' }, auth: {} },
  },
  env: {
    PLAIN: { kind: 'value', value: 'one' },
    SECRET: { kind: 'secret', secretRef: 'django-secret-key' },
  },
  secrets: { 'django-secret-key': 'django-secret-key-kv' },
  mounts: { '/home/django/data': { storage: 'cvat-data' }, '/tmp/cache': { storage: '(EmptyDir)', subPath: 'c' } },
  ingress: { transport: 'tcp', targetPort: 8080, exposedPort: 8080, external: true },
  probes: {
    liveness: { type: 'tcp', port: 8080, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    readiness: {
      type: 'http',
      port: 8080,
      path: '/api/server/about',
      headers: ['Host: cvat-server'],
      initialDelaySeconds: 5,
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
      successThreshold: 3,
    },
  },
  extraContainers: [],
};

describe('drift: normalising the live model', () => {
  it('reads memory strings as GiB', () => {
    expect([memoryToGiB('1Gi'), memoryToGiB('1.0Gi'), memoryToGiB('512Mi'), memoryToGiB('2G'), memoryToGiB('lots')]).toEqual([
      1,
      1,
      0.5,
      2,
      Number.NaN,
    ]);
  });

  it("drops the implicit Docker Hub registry, reads auto transport as http and fills the azurerm provider's probe defaults", () => {
    const spec = liveAppSpec({
      name: 'ui',
      configuration: { ingress: { transport: 'Auto', targetPort: 80, external: false, exposedPort: 0 } },
      template: {
        containers: [
          {
            name: 'ui',
            image: 'docker.io/cvat/ui:v2.73.0',
            resources: { cpu: 0.25, memory: '0.5Gi' },
            probes: [{ type: 'Liveness', httpGet: { port: 80 } }],
          },
        ],
        scale: { minReplicas: 1, maxReplicas: 2 },
      },
    } as ContainerApp);
    expect(spec.image).toBe('cvat/ui:v2.73.0');
    expect(spec.ingress).toEqual({ transport: 'http', targetPort: 80, external: false });
    // hashicorp/terraform-provider-azurerm@v4.55.0 ContainerAppLivenessProbeSchema: initial_delay 1, interval 10, timeout 1, failures 3.
    const timing = { initialDelaySeconds: 1, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 };
    expect(spec.probes.liveness).toEqual({ type: 'http', port: 80, path: '/', ...timing });
    expect(spec.resources).toEqual({ cpuCores: 0.25, memoryGiB: 0.5 });
  });

  it('reads custom, http, tcp and Azure queue KEDA rules into one shape keyed by rule name', () => {
    expect(
      liveScaleRules([
        {
          name: 'q',
          custom: {
            type: 'Redis',
            metadata: { listName: 'rq:queue:import' },
            auth: [{ secretRef: 'redis-inmem-password', triggerParameter: 'password' }],
          },
        },
        { name: 'h', http: { metadata: { concurrentRequests: '50' } } },
        { name: 't', tcp: { metadata: { concurrentRequests: '5' } } },
        { name: 'a', azureQueue: { queueName: 'jobs', queueLength: 3, auth: [{ secretRef: 'conn', triggerParameter: 'connection' }] } },
        { name: 'odd' },
      ]),
    ).toEqual({
      q: { type: 'redis', metadata: { listName: 'rq:queue:import' }, auth: { password: 'redis-inmem-password' } },
      h: { type: 'http', metadata: { concurrentRequests: '50' }, auth: {} },
      t: { type: 'tcp', metadata: { concurrentRequests: '5' }, auth: {} },
      a: { type: 'azure-queue', metadata: { queueName: 'jobs', queueLength: '3' }, auth: { connection: 'conn' } },
      odd: { type: '(unknown)', metadata: {}, auth: {} },
    });
  });

  it('resolves each volume mount to its environment storage or EmptyDir', () => {
    const spec = liveFrom(base);
    expect(liveAppSpec(spec).mounts).toEqual(base.mounts);
  });
});

describe('drift: the expected spec from the catalogue', () => {
  let repo: TestRepo;
  beforeAll(() => {
    repo = makeTestRepo();
  });
  afterAll(() => repo.remove());

  it('resolves component references, platform values, Key Vault names and ephemeral volumes', () => {
    const server = specsOf(repo).find((s) => s.name === 'cvat-server')!;
    // in-environment addresses from componentRef
    expect(server.env.CVAT_REDIS_INMEM_HOST).toEqual({ kind: 'value', value: 'cvat-redis-inmem' });
    // the PostgreSQL host is a platform value only resolveCatalogue leaves as a reference
    expect(server.env.CVAT_POSTGRES_HOST?.kind).toBe('value');
    expect((server.env.CVAT_POSTGRES_HOST as { value: string }).value).toMatch(/\.postgres\.database\.azure\.com$/);
    expect(Object.values(server.env).some((e) => e.kind === 'secret')).toBe(true);
    // every secret the catalogue gives cvat-server, mapped to its Key Vault secret name (read from the catalogue, not the code under test)
    const catalogue = defaultCatalogue();
    const secretNames = catalogue.components.find((c) => c.name === 'cvat-server')!.secrets;
    expect(secretNames.length).toBeGreaterThan(0);
    expect(server.secrets).toEqual(
      Object.fromEntries(secretNames.map((n) => [n, catalogue.secrets.find((x) => x.name === n)!.keyVaultName])),
    );
    expect(server.image).toBe('cvat/server:v2.73.0');
  });

  it('expects each catalogue redis-queue rule as a custom redis rule with its metadata and password secret', () => {
    const workers = repo.catalogue.components.filter((c) => c.enabled && c.scaleRules.length > 0);
    expect(workers.length).toBeGreaterThan(0);
    for (const worker of workers) {
      const rules = specsOf(repo).find((s) => s.name === worker.name)!.scaleRules;
      expect(Object.keys(rules)).toEqual(worker.scaleRules.map((r) => r.name));
      for (const r of worker.scaleRules) {
        expect(rules[r.name]).toEqual({
          type: 'redis',
          metadata: r.metadata,
          auth: Object.fromEntries((r.auth ?? []).map((a) => [a.triggerParameter, a.secretRef])),
        });
      }
    }
    expect(specsOf(repo).find((s) => s.resource === 'job')!.scaleRules).toEqual({});
  });

  it('expects http and tcp rules as appSpecs() gives them: ACA built-in rules carrying only concurrentRequests (default 10)', () => {
    const scaleRules: ScaleRule[] = [
      { name: 'web', kind: 'http', metadata: { ignored: 'x' } },
      { name: 'conns', kind: 'tcp', metadata: { concurrentRequests: '20' }, auth: [{ secretRef: 's', triggerParameter: 'p' }] },
    ];
    const components = repo.catalogue.components.map((c) => (c.name === 'cvat-server' ? { ...c, scaleRules } : c));
    const catalogue = { ...repo.catalogue, components };
    const rules = expectedApps(catalogue).find((s) => s.name === 'cvat-server')!.scaleRules;
    expect(rules).toEqual({
      web: { type: 'http', metadata: { concurrentRequests: '10' }, auth: {} },
      conns: { type: 'tcp', metadata: { concurrentRequests: '20' }, auth: { p: 's' } },
    });
  });

  it('keeps platform references as names only when no environment config is known', () => {
    const spec = expectedApps(repo.catalogue).find((s) => s.name === 'cvat-server')!;
    expect(spec.env.CVAT_POSTGRES_HOST).toEqual({ kind: 'platform', ref: 'postgres.host' });
    expect(expectedApps(repo.catalogue, repo.config).find((s) => s.name === 'cvat-server')!.env.CVAT_POSTGRES_HOST).toEqual({
      kind: 'value',
      value: platformValue(repo.config, 'postgres.host'),
    });
  });

  it('finds no drift in apps rendered exactly as the catalogue says', () => {
    const specs = specsOf(repo).filter((s) => s.resource === 'containerApp');
    const live = specs.map((s) => liveAppSpec(liveFrom(s)));
    const report = diffApps(specs, live);
    expect(report.apps.filter((a) => a.state !== 'in-sync')).toEqual([]);
    expect(report.summary['in-sync']).toBe(specs.length);
  });
});

describe('drift: one test per kind of field difference', () => {
  const diff = (edit: (app: Record<string, any>) => void) => diffAppSpec(base, liveAppSpec(liveFrom(base, edit)));
  const container = (app: Record<string, any>) => app.template.containers[0];

  it('reports nothing when live matches', () => {
    expect(diff(() => {})).toEqual([]);
  });

  it('detects a different image', () => {
    expect(diff((a) => (container(a).image = 'cvat/server:v2.72.0'))).toEqual([
      { field: 'image', kind: 'changed', expected: 'cvat/server:v2.73.0', actual: 'cvat/server:v2.72.0' },
    ]);
  });

  it('detects cpu and memory changes', () => {
    expect(diff((a) => (container(a).resources = { cpu: 2, memory: '4Gi' }))).toEqual([
      { field: 'resources.cpuCores', kind: 'changed', expected: 1, actual: 2 },
      { field: 'resources.memoryGiB', kind: 'changed', expected: 2, actual: 4 },
    ]);
  });

  it('detects min and max replica changes', () => {
    expect(diff((a) => Object.assign(a.template.scale, { minReplicas: 0, maxReplicas: 10 }))).toEqual([
      { field: 'replicas.min', kind: 'changed', expected: 1, actual: 0 },
      { field: 'replicas.max', kind: 'changed', expected: 3, actual: 10 },
    ]);
  });

  it('detects a KEDA rule missing, unexpected or renamed', () => {
    const rules = (a: Record<string, any>) => a.template.scale.rules as Record<string, any>[];
    expect(diff((a) => rules(a).splice(1, 1))).toEqual([{ field: 'scaleRules.http', kind: 'missing', expected: base.scaleRules.http }]);
    expect(diff((a) => (rules(a)[0].name = 'rq-import-old'))).toEqual([
      { field: 'scaleRules.rq-import', kind: 'missing', expected: base.scaleRules['rq-import'] },
      { field: 'scaleRules.rq-import-old', kind: 'unexpected', actual: base.scaleRules['rq-import'] },
    ]);
    expect(diff((a) => (a.template.scale.rules = []))).toHaveLength(2);
  });

  it('detects a KEDA rule of another type, with changed, missing or extra metadata, or another auth secret', () => {
    const rq = (a: Record<string, any>) => a.template.scale.rules[0].custom as Record<string, any>;
    expect(diff((a) => (rq(a).type = 'rabbitmq'))).toEqual([
      { field: 'scaleRules.rq-import.type', kind: 'changed', expected: 'redis', actual: 'rabbitmq' },
    ]);
    expect(
      diff((a) => {
        rq(a).metadata.listLength = '50';
        delete rq(a).metadata.databaseIndex;
        rq(a).metadata.enableTLS = 'true';
      }),
    ).toEqual([
      { field: 'scaleRules.rq-import.metadata.databaseIndex', kind: 'missing', expected: '0' },
      { field: 'scaleRules.rq-import.metadata.enableTLS', kind: 'unexpected', actual: 'true' },
      { field: 'scaleRules.rq-import.metadata.listLength', kind: 'changed', expected: '5', actual: '50' },
    ]);
    expect(diff((a) => (rq(a).auth = [{ secretRef: 'redis-ondisk-password', triggerParameter: 'password' }]))).toEqual([
      { field: 'scaleRules.rq-import.auth.password', kind: 'changed', expected: 'redis-inmem-password', actual: 'redis-ondisk-password' },
    ]);
    expect(diff((a) => delete rq(a).auth)).toEqual([
      { field: 'scaleRules.rq-import.auth.password', kind: 'missing', expected: 'redis-inmem-password' },
    ]);
    expect(diff((a) => (a.template.scale.rules[1] = { name: 'http', tcp: { metadata: { concurrentRequests: '10' } } }))).toEqual([
      { field: 'scaleRules.http.type', kind: 'changed', expected: 'http', actual: 'tcp' },
    ]);
  });

  it('detects env values changed, missing and unexpected', () => {
    const fields = diff((a) => {
      container(a).env = [
        { name: 'PLAIN', value: 'two' },
        { name: 'SECRET', secretRef: 'django-secret-key' },
        { name: 'DEBUG', value: '1' },
      ];
    });
    expect(fields).toEqual([
      { field: 'env.DEBUG', kind: 'unexpected', actual: '1' },
      { field: 'env.PLAIN', kind: 'changed', expected: 'one', actual: 'two' },
    ]);
    expect(diff((a) => (container(a).env = [{ name: 'SECRET', secretRef: 'django-secret-key' }]))).toEqual([
      { field: 'env.PLAIN', kind: 'missing', expected: 'one' },
    ]);
  });

  it('detects a changed secret reference and a secret turned into a plain value', () => {
    expect(
      diff(
        (a) =>
          (container(a).env = [
            { name: 'PLAIN', value: 'one' },
            { name: 'SECRET', secretRef: 'other-secret' },
          ]),
      ),
    ).toEqual([
      { field: 'env.SECRET', kind: 'changed', expected: { secretRef: 'django-secret-key' }, actual: { secretRef: 'other-secret' } },
    ]);
    expect(
      diff(
        (a) =>
          (container(a).env = [
            { name: 'PLAIN', value: 'one' },
            { name: 'SECRET', value: 'hunter2' },
          ]),
      ),
    ).toEqual([{ field: 'env.SECRET', kind: 'changed', expected: { secretRef: 'django-secret-key' }, actual: 'hunter2' }]);
  });

  it('detects app secrets missing, unexpected, or pointing at another Key Vault secret', () => {
    expect(diff((a) => (a.configuration.secrets = [{ name: 'extra', keyVaultUrl: 'https://kv.vault.azure.net/secrets/extra' }]))).toEqual([
      { field: 'secrets.django-secret-key', kind: 'missing', expected: { keyVaultSecret: 'django-secret-key-kv' } },
      { field: 'secrets.extra', kind: 'unexpected', actual: { keyVaultSecret: 'extra' } },
    ]);
    expect(diff((a) => (a.configuration.secrets[0].keyVaultUrl = 'https://kv.vault.azure.net/secrets/old-name/0123'))).toEqual([
      { field: 'secrets.django-secret-key.keyVaultSecret', kind: 'changed', expected: 'django-secret-key-kv', actual: 'old-name' },
    ]);
  });

  it('detects volume mounts on another storage, with another subPath, or missing', () => {
    const fields = diff((a) => {
      a.template.volumes.push({ name: 'v-other', storageType: 'AzureFile', storageName: 'cvat-logs' });
      container(a).volumeMounts = [
        { volumeName: 'v-other', mountPath: '/home/django/data' },
        { volumeName: 'v-emptydir', mountPath: '/tmp/cache', subPath: 'd' },
      ];
    });
    expect(fields).toEqual([
      { field: 'mounts./home/django/data', kind: 'changed', expected: { storage: 'cvat-data' }, actual: { storage: 'cvat-logs' } },
      {
        field: 'mounts./tmp/cache',
        kind: 'changed',
        expected: { storage: '(EmptyDir)', subPath: 'c' },
        actual: { storage: '(EmptyDir)', subPath: 'd' },
      },
    ]);
    expect(diff((a) => container(a).volumeMounts.pop())).toEqual([
      { field: 'mounts./tmp/cache', kind: 'missing', expected: { storage: '(EmptyDir)', subPath: 'c' } },
    ]);
  });

  it('detects ingress transport, ports and external changes, and a missing ingress', () => {
    expect(diff((a) => Object.assign(a.configuration.ingress, { transport: 'http', targetPort: 8000, external: false }))).toEqual([
      { field: 'ingress.transport', kind: 'changed', expected: 'tcp', actual: 'http' },
      { field: 'ingress.targetPort', kind: 'changed', expected: 8080, actual: 8000 },
      { field: 'ingress.exposedPort', kind: 'missing', expected: 8080 },
      { field: 'ingress.external', kind: 'changed', expected: true, actual: false },
    ]);
    expect(diff((a) => (a.configuration.ingress.exposedPort = 9090))).toEqual([
      { field: 'ingress.exposedPort', kind: 'changed', expected: 8080, actual: 9090 },
    ]);
    expect(diff((a) => delete a.configuration.ingress)).toEqual([{ field: 'ingress', kind: 'missing', expected: base.ingress }]);
  });

  it('detects probes missing, unexpected, or with other port, path, headers and timings', () => {
    expect(
      diff((a) => {
        const [liveness, readiness] = container(a).probes;
        liveness.tcpSocket.port = 9000;
        readiness.httpGet.path = '/';
        readiness.httpGet.httpHeaders = [];
        readiness.timeoutSeconds = 1;
      }),
    ).toEqual([
      { field: 'probes.liveness.port', kind: 'changed', expected: 8080, actual: 9000 },
      { field: 'probes.readiness.path', kind: 'changed', expected: '/api/server/about', actual: '/' },
      { field: 'probes.readiness.headers', kind: 'missing', expected: ['Host: cvat-server'] },
      { field: 'probes.readiness.timeoutSeconds', kind: 'changed', expected: 5, actual: 1 },
    ]);
    const fields = diff((a) => (container(a).probes = [{ type: 'Startup', tcpSocket: { port: 8080 } }]));
    expect(fields.map((f) => `${f.field}:${f.kind}`)).toEqual([
      'probes.liveness:missing',
      'probes.readiness:missing',
      'probes.startup:unexpected',
    ]);
  });

  it('detects a changed command and a sidecar container', () => {
    const fields = diff((a) => {
      container(a).command = ['/bin/sh', '-c', 'sleep infinity'];
      a.template.containers.push({ name: 'sidecar', image: 'busybox' });
    });
    expect(fields).toEqual([
      { field: 'command', kind: 'unexpected', actual: ['/bin/sh', '-c', 'sleep infinity'] },
      { field: 'containers.sidecar', kind: 'unexpected', actual: 'sidecar' },
    ]);
  });
});

describe('drift: matching apps', () => {
  it('lists catalogue apps missing live and live apps the catalogue does not know, with a reason', () => {
    const other = { ...base, name: 'cvat-ui' };
    const live = [
      liveAppSpec(liveFrom(base)),
      liveAppSpec(liveFrom({ ...base, name: 'grafana' })),
      liveAppSpec(liveFrom({ ...base, name: 'hello-world' })),
    ];
    const report = diffApps([base, other], live, { disabled: ['grafana'] });
    expect(report.apps.map((a) => [a.name, a.state, a.note])).toEqual([
      ['web', 'in-sync', undefined],
      ['cvat-ui', 'missing-live', undefined],
      ['grafana', 'not-in-catalogue', 'component is disabled in this environment'],
      ['hello-world', 'not-in-catalogue', 'no catalogue component has this name'],
    ]);
    expect(report.summary).toEqual({ 'in-sync': 1, drifted: 0, 'missing-live': 1, 'not-in-catalogue': 2 });
  });
});

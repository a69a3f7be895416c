import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appSpecs,
  AZURERM_CONTAINER_APP_DEFAULTS,
  CatalogueError,
  componentRefValue,
  DEFAULT_CONCURRENT_REQUESTS,
  defaultCatalogue,
  loadEnvironmentConfig,
  OPA_SERVER_IMAGE_ENV,
  parseSynthIndex,
  platformValue,
  resolveCatalogue,
  type AppSpec,
  type Catalogue,
  type ContainerAppSpec,
  type EnvironmentConfig,
  type ScaleRule,
} from '../src';

const repoRoot = resolve(__dirname, '..', '..', '..');

function load(name: string): { config: EnvironmentConfig; catalogue: Catalogue } {
  const loaded = loadEnvironmentConfig(name, { cwd: repoRoot });
  if (!loaded.value) throw new Error(JSON.stringify(loaded.errors));
  const resolved = resolveCatalogue(loaded.value);
  if (!resolved.value) throw new Error(JSON.stringify(resolved.errors));
  return { config: loaded.value, catalogue: resolved.value };
}

const app = (specs: AppSpec[], name: string): ContainerAppSpec => {
  const spec = specs.find((s) => s.name === name);
  if (spec?.kind !== 'containerApp') throw new Error(`${name} is not a container app`);
  return spec;
};

describe('appSpecs', () => {
  for (const env of ['example', 'maximal', 'maximal-none']) {
    describe(`environment ${env}`, () => {
      const { config, catalogue } = load(env);
      const specs = appSpecs(catalogue, config);

      it('gives one spec per enabled container component in catalogue order, the edge VM excluded, the init job as a job', () => {
        const expected = catalogue.components.filter((c) => c.enabled && c.role !== 'edge').map((c) => c.name);
        expect(specs.map((s) => s.name)).toEqual(expected);
        for (const s of specs) expect(s.kind).toBe(s.role === 'job' ? 'job' : 'containerApp');
        const jobs = catalogue.components.filter((c) => c.enabled && c.role === 'job').map((c) => c.name);
        expect(specs.filter((s) => s.kind === 'job').map((s) => s.name)).toEqual(jobs);
        expect(jobs[0]).toBe('cvat-init');
      });

      it('renders every queue runner: event jobs with an Event trigger on their RQ lists, workers with their queues', () => {
        const served: string[] = [];
        for (const s of specs) {
          const component = catalogue.components.find((c) => c.name === s.name)!;
          served.push(...component.queues);
          if (s.kind !== 'job') continue;
          if (s.name === 'cvat-init') {
            expect(s.trigger).toEqual({ type: 'manual', parallelism: 1, replicaCompletionCount: 1 });
            expect(s.queues).toEqual([]);
            expect(s.maxJobsPerExecution).toBeUndefined();
            continue;
          }
          expect(s.trigger.type, s.name).toBe('event');
          if (s.trigger.type !== 'event') continue;
          expect(s.queues).toEqual(component.queues);
          expect(s.trigger.scale).toMatchObject({
            minExecutions: 0,
            maxExecutions: component.job!.scale!.maxExecutions,
            pollingIntervalSeconds: component.job!.scale!.pollingIntervalSeconds,
          });
          expect(s.trigger.scale.rules).toEqual(
            s.queues.map((q) => ({
              name: `rq-${q.replace(/_/g, '-')}`,
              kind: 'custom',
              customRuleType: 'redis',
              metadata: {
                address: 'cvat-redis-inmem:6379',
                listName: `rq:queue:${q}`,
                listLength: '1',
                databaseIndex: '0',
                enableTLS: 'false',
              },
              authentication: [{ secretName: 'redis-inmem-password', triggerParameter: 'password' }],
            })),
          );
          expect(s.replicaTimeoutSeconds).toBe(86_400);
          expect(s.maxJobsPerExecution).toBeGreaterThanOrEqual(1);
          expect(s.containers[0]!.args).toContain(`--max-jobs=${s.maxJobsPerExecution}`);
        }
        expect(served.sort()).toEqual([
          'annotation',
          'chunks',
          'cleaning',
          'consensus',
          'export',
          'import',
          'notifications',
          'quality_reports',
          'webhooks',
        ]);
      });

      it('carries each env var in order: literals, secrets by name, addresses as typed refs, PostgreSQL as a platform ref', () => {
        for (const s of specs) {
          const component = catalogue.components.find((c) => c.name === s.name)!;
          const env = s.containers[0]!.env;
          expect(env.map((e) => e.name)).toEqual(component.env.map((e) => e.name));
          for (const [i, e] of component.env.entries()) {
            const got = env[i]!;
            if ('value' in e) expect(got).toMatchObject({ kind: 'value', value: e.value });
            else if ('secretRef' in e) expect(got).toEqual({ kind: 'secret', name: e.name, secretName: e.secretRef });
            else if ('componentRef' in e) {
              expect(got).toEqual({
                kind: 'componentAddress',
                name: e.name,
                ...e.componentRef,
                value: componentRefValue(catalogue, e.componentRef),
              });
              expect(got.kind === 'componentAddress' && got.value).toBeTruthy();
            } else expect(got).toEqual({ kind: 'platform', name: e.name, ref: e.platformRef, value: platformValue(config, e.platformRef) });
          }
        }
        const host = app(specs, 'cvat-server').containers[0]!.env.find((e) => e.name === 'CVAT_POSTGRES_HOST');
        expect(host).toEqual({
          kind: 'platform',
          name: 'CVAT_POSTGRES_HOST',
          ref: 'postgres.host',
          value: platformValue(config, 'postgres.host'),
        });
      });

      it("gives OPA's container the server's image as OPA_SERVER_IMAGE_ENV, so a new server image is a new OPA template", () => {
        const opaEnv = app(specs, 'opa').containers[0]!.env.find((e) => e.name === OPA_SERVER_IMAGE_ENV);
        const serverImage = app(specs, 'cvat-server').containers[0]!.image;
        expect(serverImage).toBe(`cvat/server:${config.cvatVersion}`);
        expect(opaEnv).toEqual({
          kind: 'componentAddress',
          name: OPA_SERVER_IMAGE_ENV,
          component: 'cvat-server',
          part: 'image',
          value: serverImage,
        });
      });

      it('fills every probe field: catalogue timings, the provider default path and the readiness success threshold (3)', () => {
        for (const s of specs) {
          const component = catalogue.components.find((c) => c.name === s.name)!;
          for (const slot of ['liveness', 'readiness', 'startup'] as const) {
            const p = component.probes[slot];
            const got = s.containers[0]!.probes[slot];
            if (!p) {
              expect(got).toBeUndefined();
              continue;
            }
            expect(got).toEqual({
              transport: p.type === 'http' ? 'HTTP' : 'TCP',
              port: p.port,
              path: p.type === 'http' ? (p.path ?? '/') : undefined,
              headers: p.type === 'http' ? (p.headers ?? []) : [],
              initialDelaySeconds: p.initialDelaySeconds,
              periodSeconds: p.periodSeconds,
              timeoutSeconds: p.timeoutSeconds,
              failureThreshold: p.failureThreshold,
              successThreshold: slot === 'readiness' ? 3 : undefined,
            });
          }
        }
      });

      it('gives scale, ingress and grace period with the provider defaults where the catalogue is silent', () => {
        for (const s of specs) {
          if (s.kind !== 'containerApp') continue;
          const component = catalogue.components.find((c) => c.name === s.name)!;
          expect(s.revisionMode).toBe('Single');
          expect(s.scale).toMatchObject({
            minReplicas: component.replicas.min,
            maxReplicas: component.replicas.max,
            cooldownPeriodSeconds: 300,
            pollingIntervalSeconds: 30,
          });
          expect(s.terminationGracePeriodSeconds).toBe(component.terminationGracePeriodSeconds ?? 0);
          if (!component.ingress) expect(s.ingress).toBeUndefined();
          else {
            expect(s.ingress).toEqual({
              transport: component.ingress.transport,
              targetPort: component.ingress.targetPort,
              exposedPort:
                component.ingress.transport === 'tcp' ? (component.ingress.exposedPort ?? component.ingress.targetPort) : undefined,
              external: component.ingress.external,
              allowInsecureConnections: false,
              trafficWeight: [{ latestRevision: true, percentage: 100 }],
            });
          }
        }
      });

      it('declares one volume per mounted storage (SMB with mount options, ephemeral as EmptyDir) and each Key Vault secret name', () => {
        for (const s of specs) {
          const component = catalogue.components.find((c) => c.name === s.name)!;
          expect(s.volumes.map((v) => v.name)).toEqual([...new Set(component.mounts.map((m) => m.storage))]);
          for (const v of s.volumes) {
            const storage = catalogue.storages.find((x) => x.name === v.name)!;
            const type = { smb: 'AzureFile', nfs: 'NfsAzureFile', ephemeral: 'EmptyDir' }[storage.kind];
            expect(v).toEqual({
              name: storage.name,
              storageType: type,
              storageName: storage.kind === 'ephemeral' ? undefined : storage.name,
              mountOptions: storage.kind === 'smb' ? storage.mountOptions : undefined,
            });
          }
          expect(s.containers[0]!.volumeMounts).toEqual(
            component.mounts.map((m) => ({ volumeName: m.storage, path: m.mountPath, subPath: m.subPath })),
          );
          expect(s.secrets).toEqual(
            component.secrets.map((n) => ({ name: n, keyVaultSecretName: catalogue.secrets.find((x) => x.name === n)!.keyVaultName })),
          );
        }
      });
    });
  }

  it('gives the init job a manual trigger with its catalogue timeout, retries and parallelism', () => {
    const { config, catalogue } = load('example');
    const job = appSpecs(catalogue, config).find((s) => s.name === 'cvat-init')!;
    const settings = catalogue.components.find((c) => c.name === 'cvat-init')!.job!;
    expect(job).toMatchObject({
      kind: 'job',
      trigger: { type: 'manual', parallelism: settings.parallelism, replicaCompletionCount: settings.parallelism },
      replicaTimeoutSeconds: settings.replicaTimeoutSeconds,
      replicaRetryLimit: settings.replicaRetryLimit,
    });
  });

  it('renders redis-queue rules as custom redis rules and http/tcp rules with only concurrentRequests (default 10)', () => {
    const { config, catalogue } = load('maximal'); // brings back the chunks worker, which scales on its queue
    const rules: ScaleRule[] = [
      { name: 'web', kind: 'http', metadata: { other: 'dropped' } },
      {
        name: 'conns',
        kind: 'tcp',
        metadata: { concurrentRequests: '20' },
        auth: [{ secretRef: 'django-secret-key', triggerParameter: 'p' }],
      },
    ];
    const edited = {
      ...catalogue,
      components: catalogue.components.map((c) => (c.name === 'cvat-server' ? { ...c, scaleRules: rules } : c)),
    };
    expect(app(appSpecs(edited, config), 'cvat-server').scale.rules).toEqual([
      {
        name: 'web',
        kind: 'http',
        customRuleType: undefined,
        metadata: { concurrentRequests: String(DEFAULT_CONCURRENT_REQUESTS) },
        authentication: [],
      },
      {
        name: 'conns',
        kind: 'tcp',
        customRuleType: undefined,
        metadata: { concurrentRequests: '20' },
        authentication: [{ secretName: 'django-secret-key', triggerParameter: 'p' }],
      },
    ]);
    const worker = app(appSpecs(catalogue, config), 'cvat-worker-chunks');
    const component = catalogue.components.find((c) => c.name === 'cvat-worker-chunks')!;
    expect(component.scaleRules.length).toBeGreaterThan(0);
    expect(worker.scale.rules).toEqual(
      component.scaleRules.map((r) => ({
        name: r.name,
        kind: 'custom',
        customRuleType: 'redis',
        metadata: r.metadata,
        authentication: (r.auth ?? []).map((a) => ({ secretName: a.secretRef, triggerParameter: a.triggerParameter })),
      })),
    );
  });

  it('leaves platform values and addresses of components that are not deployed undefined, without an environment', () => {
    const catalogue = defaultCatalogue();
    const ui = catalogue.components.find((c) => c.name === 'cvat-ui')!;
    const edited = {
      ...catalogue,
      components: catalogue.components.map((c) =>
        c.name === 'cvat-ui' ? { ...c, env: [...c.env, { name: 'X', componentRef: { component: 'grafana', part: 'url' as const } }] } : c,
      ),
    };
    const withoutGrafana = { ...edited, components: edited.components.map((c) => (c.name === 'grafana' ? { ...c, enabled: false } : c)) };
    const spec = appSpecs(withoutGrafana).find((s) => s.name === ui.name)!;
    expect(spec.containers[0]!.env.at(-1)).toEqual({
      kind: 'componentAddress',
      name: 'X',
      component: 'grafana',
      part: 'url',
      value: undefined,
    });
    const server = appSpecs(catalogue).find((s) => s.name === 'cvat-server')!;
    expect(server.containers[0]!.env.find((e) => e.name === 'CVAT_POSTGRES_HOST')).toEqual({
      kind: 'platform',
      name: 'CVAT_POSTGRES_HOST',
      ref: 'postgres.host',
      value: undefined,
    });
  });

  it('throws a CatalogueError naming the field, when a component names an undeclared secret or storage', () => {
    const { catalogue } = load('example');
    const badSecret = { ...catalogue, secrets: catalogue.secrets.filter((s) => s.name !== 'django-secret-key') };
    expect(() => appSpecs(badSecret)).toThrow(CatalogueError);
    expect(() => appSpecs(badSecret)).toThrow(
      /'components\.[a-z-]+\.secrets\[\d+\]' \("django-secret-key"\) must name a secret declared in the catalogue/,
    );
    const badStorage = { ...catalogue, storages: catalogue.storages.filter((s) => s.name !== 'cvat-data') };
    expect(() => appSpecs(badStorage)).toThrow(
      /'components\.[a-z-]+\.mounts\[\d+\]\.storage' \("cvat-data"\) must name a storage declared in the catalogue/,
    );
  });

  it('states the provider defaults it fills in as the pinned azurerm schema has them', () => {
    expect(AZURERM_CONTAINER_APP_DEFAULTS.probe).toEqual({
      initialDelaySeconds: { liveness: 1, readiness: 0, startup: 0 },
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 3,
      readinessSuccessThreshold: 3,
      path: '/',
    });
    expect(AZURERM_CONTAINER_APP_DEFAULTS.template).toEqual({
      minReplicas: 0,
      maxReplicas: 10,
      cooldownPeriodSeconds: 300,
      pollingIntervalSeconds: 30,
      terminationGracePeriodSeconds: 0,
    });
  });
});

describe('parseSynthIndex', () => {
  const valid = {
    version: 1,
    environment: 'dev',
    components: {
      opa: { stack: 'apps', resourceType: 'azurerm_container_app', address: 'azurerm_container_app.opa_71CB0142', azureName: 'opa' },
    },
  };

  it('reads a well-formed index', () => {
    expect(parseSynthIndex(structuredClone(valid))).toEqual(valid);
  });

  it('names the first field that is wrong', () => {
    expect(() => parseSynthIndex(null)).toThrow("'synthIndex' (null) must be an object");
    expect(() => parseSynthIndex({ ...valid, version: 2 })).toThrow("'synthIndex.version' (2) must be 1");
    expect(() => parseSynthIndex({ ...valid, environment: '' })).toThrow(`'synthIndex.environment' ("") must be a non-empty string`);
    const noAddress = structuredClone(valid) as { components: { opa: Record<string, unknown> } };
    delete noAddress.components.opa.address;
    expect(() => parseSynthIndex(noAddress)).toThrow("'synthIndex.components.opa.address' (missing) must be a non-empty string");
  });
});

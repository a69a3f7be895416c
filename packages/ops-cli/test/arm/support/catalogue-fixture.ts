/**
 * Test fixtures for the Container Apps commands: a temporary repository with `environments/test.yaml`, and ARM JSON
 * of container apps / jobs rendered exactly as the catalogue describes them (the inverse of `liveAppSpec`), so a
 * fake ARM seeded from the catalogue starts with no drift and a test changes one thing at a time.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironmentConfig, resolveCatalogue, resourceNames, type Catalogue, type EnvironmentConfig } from '@cvat-cloud/catalogue';
import { expectedApps } from '../../../src/commands/drift/expected';
import type { AppSpec, ProbeSpec } from '../../../src/commands/drift/spec';
import type { FakeArmServer } from '@cvat-cloud/testing';

/** Subscription of the test environment (also the fake's). */
export const TEST_SUBSCRIPTION = '11111111-2222-4333-8444-555555555555';

/** A temporary repository root with `environments/test.yaml`; `remove()` deletes it. */
export interface TestRepo {
  dir: string;
  config: EnvironmentConfig;
  catalogue: Catalogue;
  resourceGroup: string;
  remove(): void;
}

/** Writes `environments/test.yaml` (plus `extraYaml`) into a new temp dir and resolves it through the catalogue. */
export function makeTestRepo(extraYaml = ''): TestRepo {
  const dir = mkdtempSync(join(tmpdir(), 'cvat-ops-arm-'));
  mkdirSync(join(dir, 'environments'));
  writeFileSync(
    join(dir, 'environments', 'test.yaml'),
    [
      'name: test',
      `subscriptionId: ${TEST_SUBSCRIPTION}`,
      'edge:',
      '  mode: vm',
      '  hostname: cvat.test.example',
      '  acmeEmail: ops@cvat-cloud.dev',
      // the edge VM needs an operator network (catalogue rule adminCidrsWithEdge)
      'adminCidrs:',
      '  - 203.0.113.7/32',
      extraYaml,
    ].join('\n'),
  );
  const loaded = loadEnvironmentConfig('test', { cwd: dir });
  if (loaded.errors) throw new Error(`test environment invalid: ${JSON.stringify(loaded.errors)}`);
  const resolved = resolveCatalogue(loaded.value);
  if (resolved.errors) throw new Error(`test catalogue invalid: ${JSON.stringify(resolved.errors)}`);
  return {
    dir,
    config: loaded.value,
    catalogue: resolved.value,
    resourceGroup: resourceNames(loaded.value).resourceGroup,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Expected specs of a test repo's catalogue (platform values from its config). */
export function specsOf(repo: TestRepo): AppSpec[] {
  return expectedApps(repo.catalogue, repo.config);
}

function armProbe(slot: string, p: ProbeSpec): Record<string, unknown> {
  return {
    type: slot[0]!.toUpperCase() + slot.slice(1),
    ...(p.type === 'http'
      ? {
          httpGet: {
            port: p.port,
            path: p.path,
            ...(p.headers
              ? { httpHeaders: p.headers.map((h) => ({ name: h.split(': ')[0], value: h.split(': ').slice(1).join(': ') })) }
              : {}),
          },
        }
      : { tcpSocket: { port: p.port } }),
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
    ...(p.successThreshold !== undefined ? { successThreshold: p.successThreshold } : {}),
  };
}

/** ARM `properties.template` containers + volumes of a spec (volume names `v-<storage>`). */
function armTemplate(spec: AppSpec): { containers: unknown[]; volumes: unknown[] } {
  const storages = [...new Set(Object.values(spec.mounts).map((m) => m.storage))];
  const volumeName = (storage: string): string => `v-${storage.replace(/[()]/g, '').toLowerCase()}`;
  return {
    containers: [
      {
        name: spec.name,
        image: spec.image,
        ...(spec.command ? { command: spec.command } : {}),
        ...(spec.args ? { args: spec.args } : {}),
        env: Object.entries(spec.env).map(([name, e]) =>
          e.kind === 'secret' ? { name, secretRef: e.secretRef } : { name, value: e.kind === 'value' ? e.value : 'platform-value' },
        ),
        resources: { cpu: spec.resources.cpuCores, memory: `${spec.resources.memoryGiB}Gi` },
        volumeMounts: Object.entries(spec.mounts).map(([mountPath, m]) => ({
          volumeName: volumeName(m.storage),
          mountPath,
          ...(m.subPath ? { subPath: m.subPath } : {}),
        })),
        probes: Object.entries(spec.probes).map(([slot, p]) => armProbe(slot, p)),
      },
    ],
    volumes: storages.map((s) => {
      if (s === '(EmptyDir)') return { name: volumeName(s), storageType: 'EmptyDir' };
      const mountOptions = Object.values(spec.mounts).find((m) => m.storage === s)?.mountOptions;
      return { name: volumeName(s), storageType: 'AzureFile', storageName: s, ...(mountOptions ? { mountOptions } : {}) };
    }),
  };
}

/** ARM `template.scale.rules` of a spec: `http`/`tcp` as ACA's built-in rules, anything else as a custom KEDA rule. */
function armScaleRules(spec: AppSpec): unknown[] {
  return Object.entries(spec.scaleRules).map(([name, r]) => {
    const auth = Object.entries(r.auth).map(([triggerParameter, secretRef]) => ({ secretRef, triggerParameter }));
    const body = { metadata: { ...r.metadata }, ...(auth.length ? { auth } : {}) };
    if (r.type === 'http') return { name, http: body };
    if (r.type === 'tcp') return { name, tcp: body };
    return { name, custom: { type: r.type, ...body } };
  });
}

function armSecrets(spec: AppSpec): unknown[] {
  return Object.entries(spec.secrets).map(([name, kv]) => ({
    name,
    keyVaultUrl: `https://cvat-test-kv.vault.azure.net/secrets/${kv ?? name}`,
    identity: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-apps',
  }));
}

/** ARM `traffic` rules of a spec's normalised entries (`latest=100`, `revision r1=80 label x`). */
function armTraffic(traffic: readonly string[]): unknown[] {
  return traffic.map((t) => {
    const m = /^(?:latest|revision (\S+))=(\d+)(?: label (\S+))?$/.exec(t);
    if (!m) throw new Error(`fixture: unreadable traffic entry ${t}`);
    return { ...(m[1] ? { revisionName: m[1] } : { latestRevision: true }), weight: Number(m[2]), ...(m[3] ? { label: m[3] } : {}) };
  });
}

/** ARM top-level `identity` of a spec (user-assigned identities as full resource ids), or undefined when it expects none. */
export function armIdentity(spec: AppSpec): Record<string, unknown> | undefined {
  if (!spec.identity) return undefined;
  const ids = spec.identity.userAssigned.map(
    (n) =>
      `/subscriptions/${TEST_SUBSCRIPTION}/resourceGroups/cvat-test-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${n}`,
  );
  return {
    type: spec.identity.type,
    ...(ids.length ? { userAssignedIdentities: Object.fromEntries(ids.map((id) => [id, { principalId: 'p', clientId: 'c' }])) } : {}),
  };
}

/** ARM `properties` of a container app rendered from a spec. */
export function armAppProperties(spec: AppSpec): Record<string, unknown> {
  const template = armTemplate(spec);
  return {
    configuration: {
      activeRevisionsMode: 'Single',
      secrets: armSecrets(spec),
      ...(spec.ingress
        ? {
            ingress: {
              external: spec.ingress.external,
              targetPort: spec.ingress.targetPort,
              transport: spec.ingress.transport === 'http' ? 'Auto' : 'Tcp',
              ...(spec.ingress.exposedPort ? { exposedPort: spec.ingress.exposedPort } : {}),
              ...(spec.traffic ? { traffic: armTraffic(spec.traffic) } : {}),
              fqdn: `${spec.name}.internal.example`,
            },
          }
        : {}),
    },
    ...(spec.workloadProfileName ? { workloadProfileName: spec.workloadProfileName } : {}),
    template: {
      ...template,
      scale: {
        minReplicas: spec.replicas?.min ?? 1,
        maxReplicas: spec.replicas?.max ?? 1,
        rules: armScaleRules(spec),
        ...(spec.timing ? { cooldownPeriod: spec.timing.cooldownPeriodSeconds, pollingInterval: spec.timing.pollingIntervalSeconds } : {}),
      },
      ...(spec.timing?.terminationGracePeriodSeconds ? { terminationGracePeriodSeconds: spec.timing.terminationGracePeriodSeconds } : {}),
    },
  };
}

/** ARM `properties` of a job rendered from a spec (a manual trigger, or an event trigger with its KEDA rules). */
export function armJobProperties(spec: AppSpec): Record<string, unknown> {
  const counts = { parallelism: spec.job?.parallelism ?? 1, replicaCompletionCount: spec.job?.replicaCompletionCount ?? 1 };
  const event = spec.job?.triggerType === 'Event';
  return {
    configuration: {
      triggerType: event ? 'Event' : 'Manual',
      replicaTimeout: spec.job?.replicaTimeoutSeconds ?? 1800,
      ...(spec.job?.replicaRetryLimit !== undefined ? { replicaRetryLimit: spec.job.replicaRetryLimit } : {}),
      ...(event
        ? {
            eventTriggerConfig: {
              ...counts,
              scale: {
                minExecutions: spec.job?.minExecutions,
                maxExecutions: spec.job?.maxExecutions,
                pollingInterval: spec.job?.pollingIntervalSeconds,
                rules: Object.entries(spec.scaleRules).map(([name, r]) => ({
                  name,
                  type: r.type,
                  metadata: { ...r.metadata },
                  auth: Object.entries(r.auth).map(([triggerParameter, secretRef]) => ({ secretRef, triggerParameter })),
                })),
              },
            },
          }
        : { manualTriggerConfig: counts }),
      secrets: armSecrets(spec),
    },
    ...(spec.workloadProfileName ? { workloadProfileName: spec.workloadProfileName } : {}),
    template: armTemplate(spec),
  };
}

/**
 * Seeds the fake with every enabled ACA component of the repo's catalogue, as the catalogue says: apps with one
 * running replica per min replica (at least 1), the init job with one succeeded execution.
 */
export function seedFromCatalogue(fake: FakeArmServer, repo: TestRepo): AppSpec[] {
  const specs = specsOf(repo);
  for (const spec of specs) {
    if (spec.resource === 'job') {
      const job = fake.addJob(spec.name, armJobProperties(spec), [
        { name: `${spec.name}-exec1`, status: 'Succeeded', startTime: '2026-01-02T10:00:00Z', endTime: '2026-01-02T10:03:00Z' },
      ]);
      const identity = armIdentity(spec);
      if (identity) job.identity = identity;
    } else {
      const identity = armIdentity(spec);
      fake.addApp(spec.name, armAppProperties(spec), {
        replicaCount: Math.max(1, spec.replicas?.min ?? 1),
        ...(identity ? { identity } : {}),
      });
    }
  }
  return specs;
}

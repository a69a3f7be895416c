/**
 * `cvat-ops drift` against a live state built from what infra actually synthesizes, not from the catalogue: the
 * example environment's container apps and jobs as synth writes them (drift-fixtures/apps-example.json, with the
 * cross-stack references resolved; infra's app-specs equality test keeps it identical to a fresh synth), turned into
 * ARM resources the way the pinned azurerm provider sends them (hashicorp/terraform-provider-azurerm@v4.55.0
 * internal/services/containerapps/helpers/container_apps.go: ExpandContainerAppTemplate, expandContainerAppContainers,
 * expandContainerEnvVar, expandContainerVolumeMounts, expandContainerAppVolumes, expandContainerApp*Probe,
 * expandContainerAppScaleRules, ExpandContainerAppIngress, ExpandContainerSecrets; container_app_job_resource.go),
 * served by the loopback FakeArmServer. A deployment of exactly that JSON shows no drift; a changed field does.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AZURERM_CONTAINER_APP_DEFAULTS as D, loadEnvironmentConfig, resourceNames } from '@cvat-cloud/catalogue';
import { EXIT } from '@cvat-cloud/runtime';
import { FakeArmServer } from '@cvat-cloud/testing';
import { drift } from '../src/commands/drift';
import { globals, testRuntime, type TestRuntime } from './support/test-runtime';

type Json = Record<string, any>;
/** The example environment names no subscription; the command gets this one (the fixture's ids use the same). */
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const synthesized = JSON.parse(readFileSync(join(__dirname, 'drift-fixtures', 'apps-example.json'), 'utf8')) as {
  containerApps: Record<string, Json>;
  jobs: Record<string, Json>;
};

/** The provider's `Probes` list: liveness, readiness, startup, each with every timing sent (expandContainerProbes). */
function armProbes(c: Json): Json[] {
  const out: Json[] = [];
  for (const slot of ['liveness', 'readiness', 'startup'] as const) {
    const p = (c[`${slot}_probe`] as Json[] | undefined)?.[0];
    if (!p) continue;
    const http = p.transport === 'HTTP' || p.transport === 'HTTPS';
    out.push({
      type: slot[0]!.toUpperCase() + slot.slice(1),
      initialDelaySeconds: p.initial_delay ?? D.probe.initialDelaySeconds[slot],
      periodSeconds: p.interval_seconds ?? D.probe.periodSeconds,
      timeoutSeconds: p.timeout ?? D.probe.timeoutSeconds,
      failureThreshold: p.failure_count_threshold ?? D.probe.failureThreshold,
      ...(slot === 'readiness' ? { successThreshold: p.success_count_threshold ?? D.probe.readinessSuccessThreshold } : {}),
      ...(http
        ? {
            httpGet: {
              host: p.host ?? '',
              path: p.path ?? D.probe.path,
              port: p.port,
              scheme: p.transport,
              ...(p.header ? { httpHeaders: (p.header as Json[]).map((h) => ({ name: h.name, value: h.value })) } : {}),
            },
          }
        : { tcpSocket: { host: p.host ?? '', port: p.port } }),
    });
  }
  return out;
}

function armTemplate(r: Json): Json {
  const t = r.template as Json;
  return {
    containers: (t.container as Json[]).map((c) => ({
      name: c.name,
      image: c.image,
      ...(c.command?.length ? { command: c.command } : {}),
      ...(c.args?.length ? { args: c.args } : {}),
      env: ((c.env ?? []) as Json[]).map((e) =>
        e.secret_name ? { name: e.name, secretRef: e.secret_name } : { name: e.name, value: e.value ?? '' },
      ),
      resources: { cpu: c.cpu, memory: c.memory, ephemeralStorage: '' },
      // SubPath is always sent, "" when unset.
      volumeMounts: ((c.volume_mounts ?? []) as Json[]).map((m) => ({ mountPath: m.path, volumeName: m.name, subPath: m.sub_path ?? '' })),
      probes: armProbes(c),
    })),
    volumes: ((t.volume ?? []) as Json[]).map((v) => ({
      name: v.name,
      ...(v.storage_name ? { storageName: v.storage_name } : {}),
      storageType: v.storage_type ?? 'EmptyDir',
      ...(v.mount_options ? { mountOptions: v.mount_options } : {}),
    })),
  };
}

function armSecrets(r: Json): Json[] {
  return ((r.secret ?? []) as Json[]).map((s) => ({ name: s.name, keyVaultUrl: s.key_vault_secret_id, identity: s.identity }));
}

function armScaleRules(t: Json): Json[] {
  const auth = (x: Json) =>
    ((x.authentication ?? []) as Json[]).map((a) => ({ triggerParameter: a.trigger_parameter, secretRef: a.secret_name }));
  return [
    ...((t.custom_scale_rule ?? []) as Json[]).map((x) => ({
      name: x.name,
      custom: { metadata: x.metadata, type: x.custom_rule_type, auth: auth(x) },
    })),
    ...((t.http_scale_rule ?? []) as Json[]).map((x) => ({
      name: x.name,
      http: { metadata: { concurrentRequests: x.concurrent_requests }, auth: auth(x) },
    })),
    ...((t.tcp_scale_rule ?? []) as Json[]).map((x) => ({
      name: x.name,
      tcp: { metadata: { concurrentRequests: x.concurrent_requests }, auth: auth(x) },
    })),
  ];
}

/** ARM top-level `identity` as ARM reports the resource's `identity` block (ids become the keys of userAssignedIdentities). */
function armIdentity(r: Json): Json | undefined {
  const i = r.identity as Json | undefined;
  if (!i) return undefined;
  const ids = (i.identity_ids ?? []) as string[];
  return { type: i.type, userAssignedIdentities: Object.fromEntries(ids.map((id) => [id, { principalId: 'p', clientId: 'c' }])) };
}

/** ARM `properties` of an `azurerm_container_app` as the provider creates it. */
function armApp(r: Json): Json {
  const t = r.template as Json;
  const i = r.ingress as Json | undefined;
  const rules = armScaleRules(t);
  return {
    configuration: {
      activeRevisionsMode: r.revision_mode,
      secrets: armSecrets(r),
      ...(i
        ? {
            ingress: {
              allowInsecure: i.allow_insecure_connections ?? D.ingress.allowInsecureConnections,
              external: i.external_enabled ?? D.ingress.external,
              targetPort: i.target_port,
              exposedPort: i.exposed_port ?? 0,
              transport: i.transport,
              traffic: ((i.traffic_weight ?? []) as Json[]).map((w) => ({ latestRevision: w.latest_revision, weight: w.percentage })),
            },
          }
        : {}),
    },
    template: {
      ...armTemplate(r),
      // The provider leaves min_replicas 0 and a grace period of 0 out of the request.
      scale: {
        ...((t.min_replicas ?? 0) !== 0 ? { minReplicas: t.min_replicas } : {}),
        maxReplicas: t.max_replicas ?? D.template.maxReplicas,
        cooldownPeriod: t.cooldown_period_in_seconds ?? D.template.cooldownPeriodSeconds,
        pollingInterval: t.polling_interval_in_seconds ?? D.template.pollingIntervalSeconds,
        ...(rules.length ? { rules } : {}),
      },
      ...(t.termination_grace_period_seconds ? { terminationGracePeriodSeconds: t.termination_grace_period_seconds } : {}),
    },
  };
}

/** ARM `properties` of an `azurerm_container_app_job` as the provider creates it (manual or event trigger). */
function armJob(r: Json): Json {
  const event = r.event_trigger_config as Json | undefined;
  const trigger = r.manual_trigger_config ?? event ?? {};
  const counts = {
    parallelism: trigger.parallelism ?? D.manualTrigger.parallelism,
    replicaCompletionCount: trigger.replica_completion_count ?? D.manualTrigger.replicaCompletionCount,
  };
  const scale = (event?.scale as Json[] | undefined)?.[0];
  return {
    configuration: {
      triggerType: event ? 'Event' : 'Manual',
      replicaTimeout: r.replica_timeout_in_seconds,
      replicaRetryLimit: r.replica_retry_limit,
      ...(event
        ? {
            eventTriggerConfig: {
              ...counts,
              scale: {
                ...(scale?.min_executions !== undefined ? { minExecutions: scale.min_executions } : {}),
                ...(scale?.max_executions !== undefined ? { maxExecutions: scale.max_executions } : {}),
                ...(scale?.polling_interval_in_seconds !== undefined ? { pollingInterval: scale.polling_interval_in_seconds } : {}),
                rules: ((scale?.rules ?? []) as Json[]).map((x) => ({
                  name: x.name,
                  type: x.custom_rule_type,
                  metadata: x.metadata,
                  auth: ((x.authentication ?? []) as Json[]).map((a) => ({
                    triggerParameter: a.trigger_parameter,
                    secretRef: a.secret_name,
                  })),
                })),
              },
            },
          }
        : { manualTriggerConfig: counts }),
      secrets: armSecrets(r),
    },
    template: armTemplate(r),
  };
}

describe('cvat-ops drift on a live state built from the synthesized stack (example environment)', () => {
  let dir: string;
  let fake: FakeArmServer;
  let runtime: TestRuntime;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cvat-ops-drift-synth-'));
    mkdirSync(join(dir, 'environments'));
    copyFileSync(join(REPO_ROOT, 'environments', 'example.yaml'), join(dir, 'environments', 'example.yaml'));
    const config = loadEnvironmentConfig('example', { cwd: dir }).value!;
    fake = await FakeArmServer.start({ subscriptionId: SUBSCRIPTION, resourceGroup: resourceNames(config).resourceGroup, pageSize: 4 });
    for (const [name, r] of Object.entries(synthesized.containerApps)) {
      const identity = armIdentity(r);
      fake.addApp(name, armApp(r), identity ? { identity } : {});
    }
    for (const [name, r] of Object.entries(synthesized.jobs)) {
      const job = fake.addJob(name, armJob(r));
      const identity = armIdentity(r);
      if (identity) job.identity = identity;
    }
    runtime = testRuntime({ cwd: dir, armEndpoint: fake.url });
  });
  afterEach(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const main = (name: string): Json => (fake.apps.get(name)!.properties.template as Json).containers[0];

  it('reports nothing: every synthesized app and job is in sync, exit 0', async () => {
    const result = await drift(globals({ env: 'example', subscription: SUBSCRIPTION }), runtime);
    expect(result.data.apps.filter((a) => a.state !== 'in-sync')).toEqual([]);
    expect(result.data.apps).toHaveLength(Object.keys(synthesized.containerApps).length + Object.keys(synthesized.jobs).length);
    expect(result.data.drifted).toBe(false);
    expect(result.exitCode).toBe(EXIT.OK);
  });

  it('reports a changed probe timing, env value, Key Vault secret, scale rule and mount, field by field, exit 1', async () => {
    const server = main('cvat-server');
    const readiness = (server.probes as Json[]).find((p) => p.type === 'Readiness')!;
    const timeout = readiness.timeoutSeconds as number;
    readiness.timeoutSeconds = timeout + 1;
    const host = (server.env as Json[]).find((e) => e.name === 'CVAT_POSTGRES_HOST')!;
    const fqdn = host.value as string;
    host.value = 'elsewhere.postgres.database.azure.com';
    const secret = ((fake.apps.get('cvat-server')!.properties.configuration as Json).secrets as Json[])[0]!;
    const vault = /^(https:\/\/[^/]+\/secrets\/)(.+)$/.exec(secret.keyVaultUrl)!;
    secret.keyVaultUrl = `${vault[1]}renamed`;
    // the example's only KEDA rules are the event jobs' (chunks runs on the utils worker, which does not scale)
    const rule = ((fake.jobs.get('cvat-job-export')!.properties.configuration as Json).eventTriggerConfig.scale.rules as Json[])[0]!;
    const listLength = rule.metadata.listLength as string;
    rule.metadata.listLength = String(Number(listLength) + 1);
    const mount = (main('cvat-worker-utils').volumeMounts as Json[])[0]!;
    mount.subPath = 'moved';

    const result = await drift(globals({ env: 'example', subscription: SUBSCRIPTION }), runtime);
    expect(result.exitCode).toBe(EXIT.FAILED);
    const fields = Object.fromEntries(result.data.apps.filter((a) => a.state !== 'in-sync').map((a) => [a.name, a.fields]));
    expect(fields['cvat-server']).toEqual(
      expect.arrayContaining([
        { field: 'probes.readiness.timeoutSeconds', kind: 'changed', expected: timeout, actual: timeout + 1 },
        { field: 'env.CVAT_POSTGRES_HOST', kind: 'changed', expected: fqdn, actual: 'elsewhere.postgres.database.azure.com' },
        { field: `secrets.${secret.name}.keyVaultSecret`, kind: 'changed', expected: vault[2], actual: 'renamed' },
      ]),
    );
    expect(fields['cvat-server']).toHaveLength(3);
    expect(fields['cvat-job-export']).toEqual([
      {
        field: `scaleRules.${rule.name}.metadata.listLength`,
        kind: 'changed',
        expected: listLength,
        actual: String(Number(listLength) + 1),
      },
    ]);
    expect(fields['cvat-worker-utils']).toEqual([
      expect.objectContaining({
        field: `mounts.${mount.mountPath}`,
        kind: 'changed',
        actual: expect.objectContaining({ subPath: 'moved' }),
      }),
    ]);
    expect(Object.keys(fields).sort()).toEqual(['cvat-job-export', 'cvat-server', 'cvat-worker-utils']);
  });

  it('reports what only appSpecs() fills in: scale timing, readiness successes, grace, revision mode, mounts, job', async () => {
    const server = fake.apps.get('cvat-server')!.properties as Json;
    server.configuration.activeRevisionsMode = 'Multiple';
    server.template.scale.cooldownPeriod = 60;
    delete server.template.terminationGracePeriodSeconds;
    const readiness = (server.template.containers[0].probes as Json[]).find((p) => p.type === 'Readiness')!;
    readiness.successThreshold = 1;
    const smb = (server.template.volumes as Json[]).find((v) => v.mountOptions)!;
    const mountOptions = smb.mountOptions as string;
    smb.mountOptions = 'uid=0';
    const job = fake.jobs.get('cvat-init')!.properties as Json;
    const timeout = job.configuration.replicaTimeout as number;
    job.configuration.replicaTimeout = timeout * 2;
    job.configuration.manualTriggerConfig.parallelism = 2;

    const result = await drift(globals({ env: 'example', subscription: SUBSCRIPTION }), runtime);
    const fields = Object.fromEntries(result.data.apps.filter((a) => a.state !== 'in-sync').map((a) => [a.name, a.fields]));
    const grace = synthesized.containerApps['cvat-server']!.template.termination_grace_period_seconds as number;
    const mounts = Object.entries(synthesized.containerApps['cvat-server']!.template.container[0].volume_mounts as Json[]).filter(
      ([, m]) => m.name === smb.name,
    );
    expect(fields['cvat-server']).toEqual(
      expect.arrayContaining([
        { field: 'revisionMode', kind: 'changed', expected: 'Single', actual: 'Multiple' },
        { field: 'scale.cooldownPeriodSeconds', kind: 'changed', expected: 300, actual: 60 },
        { field: 'terminationGracePeriodSeconds', kind: 'changed', expected: grace, actual: 0 },
        { field: 'probes.readiness.successThreshold', kind: 'changed', expected: 3, actual: 1 },
      ]),
    );
    const mountFields = fields['cvat-server']!.filter((f) => f.field.startsWith('mounts.'));
    expect(mountFields).toHaveLength(mounts.length);
    for (const f of mountFields) {
      expect(f).toMatchObject({ kind: 'changed', expected: { mountOptions }, actual: { mountOptions: 'uid=0' } });
    }
    expect(fields['cvat-server']).toHaveLength(4 + mounts.length);
    expect(fields['cvat-init']).toEqual([
      { field: 'job.replicaTimeoutSeconds', kind: 'changed', expected: timeout, actual: timeout * 2 },
      { field: 'job.parallelism', kind: 'changed', expected: 1, actual: 2 },
    ]);
  });
});

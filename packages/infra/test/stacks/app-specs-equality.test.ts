/**
 * What infra synthesizes equals the catalogue's `appSpecs()`, for every component of the example, maximal and
 * maximal-none environments: each `azurerm_container_app` / `azurerm_container_app_job` of the apps stack is read
 * back into the `AppSpec` shape (cross-stack references followed into the foundation stack to the names they
 * carry, arguments the JSON leaves out read as the provider's defaults) and compared with `appSpecs()` field by
 * field. Mutating a copy of either side makes the comparison fail.
 *
 * The same resolved resources (example environment) are the fixture of ops-cli's drift test
 * (packages/ops-cli/test/drift-fixtures/apps-example.json), which
 * builds a live ARM state from them; this test fails when that fixture is stale
 * (`UPDATE_DRIFT_FIXTURES=1 npx vitest run test/stacks/app-specs-equality.test.ts` rewrites it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appSpecs,
  AZURERM_CONTAINER_APP_DEFAULTS as D,
  loadEnvironmentConfig,
  parseRqRunner,
  parseSynthIndex,
  SYNTH_INDEX_FILE,
  type AppSpec,
  type EnvironmentConfig,
} from '@cvat-cloud/catalogue';
import { REPO_ROOT } from '../../src/app';
import { catalogueFor, synthesize, type Synthesized } from '../support/synth';

type Json = Record<string, any>;
const REMOTE = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-foundation\.outputs\.([A-Za-z0-9_-]+)\}$/;
const REFERENCE = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$/;
/** ARM resource type of the foundation resources whose `id` the apps stack references. */
const ARM_TYPES: Record<string, string> = {
  azurerm_user_assigned_identity: 'Microsoft.ManagedIdentity/userAssignedIdentities',
  azurerm_container_app_environment: 'Microsoft.App/managedEnvironments',
};
export const FIXTURE_DIR = join(REPO_ROOT, 'packages', 'ops-cli', 'test', 'drift-fixtures');

/**
 * Replaces every cross-stack reference in the apps stack's container apps and jobs with the value it takes once
 * deployed, computed from the foundation resource it points at: names as written, ids in ARM form, a Key Vault
 * secret's versionless id `https://<vault>.vault.azure.net/secrets/<name>`, a Flexible Server's FQDN
 * `<server>.postgres.database.azure.com` (https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking).
 * Tags and cdktf metadata are dropped. Returns the resources by type and Azure name.
 */
export function deployedAppResources(s: Synthesized): { containerApps: Record<string, Json>; jobs: Record<string, Json> } {
  const foundation = s.stack('foundation');
  const apps = s.stack('apps');
  const subscription = s.config.subscriptionId ?? '00000000-0000-0000-0000-000000000000';
  const attribute = (type: string, id: string, attr: string): string => {
    const r = foundation.resource?.[type]?.[id] as Json | undefined;
    if (!r) throw new Error(`no foundation resource ${type}.${id}`);
    const name = value(r.name);
    if (attr === 'name') return name;
    if (attr === 'fqdn' && type === 'azurerm_postgresql_flexible_server') return `${name}.postgres.database.azure.com`;
    if (attr === 'versionless_id' && type === 'azurerm_key_vault_secret')
      return `https://${value(r.key_vault_id, 'name')}.vault.azure.net/secrets/${name}`;
    if (attr === 'id' && ARM_TYPES[type]) {
      return `/subscriptions/${subscription}/resourceGroups/${value(r.resource_group_name)}/providers/${ARM_TYPES[type]}/${name}`;
    }
    throw new Error(`no rule for ${type}.${id}.${attr}`);
  };
  /** A foundation expression's value; `as` reads another attribute of the referenced resource (a vault's name from its id). */
  function value(expression: unknown, as?: string): string {
    if (typeof expression !== 'string') throw new Error(`not a string: ${JSON.stringify(expression)}`);
    const m = REFERENCE.exec(expression);
    if (!m) return expression;
    return attribute(m[1]!, m[2]!, as ?? m[3]!);
  }
  const resolveDeep = (x: unknown): unknown => {
    if (typeof x === 'string') {
      const m = REMOTE.exec(x);
      if (!m) return x;
      const output = foundation.output?.[m[1]!] as Json | undefined;
      if (!output) throw new Error(`no foundation output ${m[1]}`);
      return value(output.value);
    }
    if (Array.isArray(x)) return x.map(resolveDeep);
    if (x && typeof x === 'object')
      return Object.fromEntries(
        Object.entries(x)
          .filter(([k]) => k !== '//' && k !== 'tags')
          .map(([k, v]) => [k, resolveDeep(v)]),
      );
    return x;
  };
  const byAddress = new Map<string, string>();
  for (const type of ['azurerm_container_app', 'azurerm_container_app_job']) {
    for (const [id, r] of Object.entries((apps.resource?.[type] ?? {}) as Record<string, Json>))
      byAddress.set(`${type}.${id}`, r.name as string);
  }
  const read = (type: string) =>
    Object.fromEntries(
      Object.values((apps.resource?.[type] ?? {}) as Record<string, Json>).map((r) => {
        const resolved = resolveDeep(r) as Json;
        if (resolved.depends_on) resolved.depends_on = (resolved.depends_on as string[]).map((a) => byAddress.get(a) ?? a);
        return [r.name as string, resolved];
      }),
    );
  return { containerApps: read('azurerm_container_app'), jobs: read('azurerm_container_app_job') };
}

/** ACA memory as GiB: `"1.5Gi"` → 1.5. */
function gib(memory: string): number {
  const m = /^([0-9.]+)Gi$/.exec(memory);
  if (!m) throw new Error(`memory '${memory}' is not <n>Gi`);
  return Number(m[1]);
}

const undefinedIfEmpty = <T>(xs: T[] | undefined): T[] | undefined => (xs?.length ? xs : undefined);

/**
 * Reads one deployed resource back into the catalogue's `AppSpec` shape, without `role` (the JSON does not carry
 * it). An argument the JSON leaves out takes the provider's default (hashicorp/terraform-provider-azurerm@v4.55.0
 * internal/services/containerapps/helpers/container_apps.go), which is what the provider sends to ARM.
 * `postgresFqdn` turns the server's FQDN back into the platform reference infra rendered it from.
 */
export function specFromResource(kind: AppSpec['kind'], r: Json, postgresFqdn: string): Omit<AppSpec, 'role'> {
  const [c, ...extra] = r.template.container as Json[];
  if (!c || extra.length) throw new Error(`${r.name}: expected one container`);
  const probe = (slot: 'liveness' | 'readiness' | 'startup', list: Json[] | undefined) => {
    const p = list?.[0];
    if (!p) return undefined;
    const http = p.transport === 'HTTP';
    return {
      transport: p.transport,
      port: p.port,
      path: http ? (p.path ?? D.probe.path) : undefined,
      headers: (p.header ?? []).map((h: Json) => ({ name: h.name, value: h.value })),
      initialDelaySeconds: p.initial_delay ?? D.probe.initialDelaySeconds[slot],
      periodSeconds: p.interval_seconds ?? D.probe.periodSeconds,
      timeoutSeconds: p.timeout ?? D.probe.timeoutSeconds,
      failureThreshold: p.failure_count_threshold ?? D.probe.failureThreshold,
      successThreshold: slot === 'readiness' ? (p.success_count_threshold ?? D.probe.readinessSuccessThreshold) : undefined,
    };
  };
  const probes = Object.fromEntries(
    (['liveness', 'readiness', 'startup'] as const).flatMap((slot) => {
      const p = probe(slot, c[`${slot}_probe`]);
      return p ? [[slot, p]] : [];
    }),
  );
  const env = ((c.env ?? []) as Json[]).map((e) => {
    if (e.secret_name !== undefined) return { kind: 'secret', name: e.name, secretName: e.secret_name };
    if (e.value === postgresFqdn) return { kind: 'platform', name: e.name, ref: 'postgres.host', value: e.value };
    return { kind: 'value', name: e.name, value: e.value };
  });
  const base = {
    name: r.name,
    workloadProfileName: r.workload_profile_name,
    secrets: ((r.secret ?? []) as Json[]).map((s) => {
      const m = /^https:\/\/[^/]+\.vault\.azure\.net\/secrets\/([^/]+)$/.exec(s.key_vault_secret_id);
      return { name: s.name, keyVaultSecretName: m ? m[1] : `(not a versionless secret id: ${s.key_vault_secret_id})` };
    }),
    volumes: ((r.template.volume ?? []) as Json[]).map((v) => ({
      name: v.name,
      storageType: v.storage_type ?? 'EmptyDir',
      storageName: v.storage_name,
      mountOptions: v.mount_options,
    })),
    containers: [
      {
        name: c.name,
        image: c.image,
        command: undefinedIfEmpty(c.command),
        args: undefinedIfEmpty(c.args),
        env,
        cpuCores: c.cpu,
        memoryGiB: gib(c.memory),
        volumeMounts: ((c.volume_mounts ?? []) as Json[]).map((m) => ({ volumeName: m.name, path: m.path, subPath: m.sub_path })),
        probes,
      },
    ],
    dependsOn: r.depends_on ?? [],
    // The RQ worker processes are the container's command line read back (the catalogue's RQ runner).
    workerProcesses: parseRqRunner(undefinedIfEmpty(c.command), undefinedIfEmpty(c.args))?.groups ?? [],
  };
  const auth = (rule: Json) =>
    ((rule.authentication ?? []) as Json[]).map((a) => ({ secretName: a.secret_name, triggerParameter: a.trigger_parameter }));
  const custom = (x: Json) => ({
    name: x.name,
    kind: 'custom',
    customRuleType: x.custom_rule_type,
    metadata: x.metadata,
    authentication: auth(x),
  });
  if (kind === 'job') {
    // The queues and the job limit an execution runs with are in its command line (the catalogue's RQ runner).
    const runner = parseRqRunner(undefinedIfEmpty(c.command), undefinedIfEmpty(c.args));
    const event = r.event_trigger_config as Json | undefined;
    const manual = (r.manual_trigger_config ?? {}) as Json;
    const scale = (event?.scale?.[0] ?? {}) as Json;
    const trigger = event
      ? {
          type: 'event',
          parallelism: event.parallelism ?? D.manualTrigger.parallelism,
          replicaCompletionCount: event.replica_completion_count ?? D.manualTrigger.replicaCompletionCount,
          scale: {
            minExecutions: scale.min_executions ?? D.eventScale.minExecutions,
            maxExecutions: scale.max_executions ?? D.eventScale.maxExecutions,
            pollingIntervalSeconds: scale.polling_interval_in_seconds ?? D.eventScale.pollingIntervalSeconds,
            rules: ((scale.rules ?? []) as Json[]).map(custom),
          },
        }
      : {
          type: 'manual',
          parallelism: manual.parallelism ?? D.manualTrigger.parallelism,
          replicaCompletionCount: manual.replica_completion_count ?? D.manualTrigger.replicaCompletionCount,
        };
    return {
      ...base,
      kind: 'job',
      trigger,
      replicaTimeoutSeconds: r.replica_timeout_in_seconds,
      replicaRetryLimit: r.replica_retry_limit,
      queues: runner?.queues ?? [],
      maxJobsPerExecution: runner?.maxJobs,
    } as Omit<AppSpec, 'role'>;
  }
  const t = r.template;
  const rules = [
    ...((t.custom_scale_rule ?? []) as Json[]).map(custom),
    ...((t.http_scale_rule ?? []) as Json[]).map((x) => ({
      name: x.name,
      kind: 'http',
      customRuleType: undefined,
      metadata: { concurrentRequests: x.concurrent_requests },
      authentication: auth(x),
    })),
    ...((t.tcp_scale_rule ?? []) as Json[]).map((x) => ({
      name: x.name,
      kind: 'tcp',
      customRuleType: undefined,
      metadata: { concurrentRequests: x.concurrent_requests },
      authentication: auth(x),
    })),
  ];
  const i = r.ingress as Json | undefined;
  return {
    ...base,
    kind: 'containerApp',
    revisionMode: r.revision_mode,
    ingress: i
      ? {
          transport: i.transport,
          targetPort: i.target_port,
          exposedPort: i.exposed_port,
          external: i.external_enabled ?? D.ingress.external,
          allowInsecureConnections: i.allow_insecure_connections ?? D.ingress.allowInsecureConnections,
          trafficWeight: ((i.traffic_weight ?? []) as Json[]).map((w) => ({ latestRevision: w.latest_revision, percentage: w.percentage })),
        }
      : undefined,
    scale: {
      minReplicas: t.min_replicas ?? D.template.minReplicas,
      maxReplicas: t.max_replicas ?? D.template.maxReplicas,
      cooldownPeriodSeconds: t.cooldown_period_in_seconds ?? D.template.cooldownPeriodSeconds,
      pollingIntervalSeconds: t.polling_interval_in_seconds ?? D.template.pollingIntervalSeconds,
      rules,
    },
    terminationGracePeriodSeconds: t.termination_grace_period_seconds ?? D.template.terminationGracePeriodSeconds,
  } as Omit<AppSpec, 'role'>;
}

/**
 * The fields of `appSpecs()` the synthesized JSON can show: without `role`; a component address as the value it
 * rendered; scale rules in the order azurerm groups them (custom, http, tcp).
 */
function comparable(spec: AppSpec): Omit<AppSpec, 'role'> {
  const { role: _role, ...rest } = structuredClone(spec) as AppSpec & Json;
  const containers = rest.containers.map((c: Json) => ({
    ...c,
    // A component address renders as its value; `derivedFrom` records where a value came from, not what is deployed.
    env: c.env.map((e: Json) =>
      e.kind === 'componentAddress' || e.kind === 'value' ? { kind: 'value', name: e.name, value: e.value } : e,
    ),
  }));
  const out = { ...rest, containers } as Json;
  if (out.kind === 'containerApp') {
    const order = ['custom', 'http', 'tcp'];
    out.scale = { ...out.scale, rules: [...out.scale.rules].sort((a: Json, b: Json) => order.indexOf(a.kind) - order.indexOf(b.kind)) };
  }
  return JSON.parse(JSON.stringify(out)) as Omit<AppSpec, 'role'>;
}

/** Normalizes away `undefined` members so both sides compare as JSON. */
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** Dot paths where two JSON values differ (for readable failures and mutation checks). */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => differences((a as Json)[k], (b as Json)[k], path ? `${path}.${k}` : k));
  }
  return [path || '(root)'];
}

interface Case {
  readonly env: string;
  s: Synthesized;
  specs: AppSpec[];
  deployed: ReturnType<typeof deployedAppResources>;
  postgresFqdn: string;
}

/** Differences between the synthesized resources and the specs, by component. */
function compare(c: Pick<Case, 'specs' | 'deployed' | 'postgresFqdn'>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const names = new Set([...c.specs.map((s) => s.name), ...Object.keys(c.deployed.containerApps), ...Object.keys(c.deployed.jobs)]);
  for (const name of names) {
    const spec = c.specs.find((s) => s.name === name);
    const resource = spec?.kind === 'job' ? c.deployed.jobs[name] : c.deployed.containerApps[name];
    const found = resource ?? c.deployed.containerApps[name] ?? c.deployed.jobs[name];
    if (!spec || !resource) {
      out[name] = [
        !spec ? 'synthesized but not in appSpecs()' : found ? `synthesized as the wrong kind` : 'in appSpecs() but not synthesized',
      ];
      continue;
    }
    const diff = differences(json(specFromResource(spec.kind, resource, c.postgresFqdn)), comparable(spec));
    if (diff.length) out[name] = diff;
  }
  return out;
}

const ENVIRONMENTS = ['example', 'maximal', 'maximal-none'] as const;

describe.each(ENVIRONMENTS)('the synthesized apps stack equals appSpecs() (%s)', (env) => {
  const c = { env } as Case;
  beforeAll(() => {
    const loaded = loadEnvironmentConfig(env, { cwd: REPO_ROOT });
    if (!loaded.value) throw new Error(JSON.stringify(loaded.errors));
    const config: EnvironmentConfig = loaded.value;
    c.s = synthesize(config, catalogueFor(config));
    c.specs = appSpecs(c.s.catalogue, config);
    c.deployed = deployedAppResources(c.s);
    c.postgresFqdn = c.s.names.postgresFqdn;
  });
  afterAll(() => c.s.dispose());

  it('for every component: same names and kinds, and every field appSpecs() covers', () => {
    expect(c.specs.length).toBeGreaterThan(8);
    expect(compare(c)).toEqual({});
  });

  it('fails when a copy of the synthesized JSON changes (probe timeout, env value, Key Vault secret, a default, a missing app)', () => {
    const mutations: [string, (d: Case['deployed']) => void, string][] = [
      [
        'probe timeout',
        (d) => (d.containerApps['cvat-server']!.template.container[0].readiness_probe[0].timeout += 1),
        'containers.0.probes.readiness.timeoutSeconds',
      ],
      ['env value', (d) => (d.containerApps['cvat-server']!.template.container[0].env[1].value = 'changed'), 'containers.0.env.1.value'],
      [
        'secret',
        (d) => (d.jobs['cvat-init']!.secret[0].key_vault_secret_id = 'https://kv.vault.azure.net/secrets/other'),
        'secrets.0.keyVaultSecretName',
      ],
      [
        'grace period left out',
        (d) => delete d.containerApps['cvat-server']!.template.termination_grace_period_seconds,
        'terminationGracePeriodSeconds',
      ],
      [
        'ingress default',
        (d) => (d.containerApps['cvat-server']!.ingress.allow_insecure_connections = true),
        'ingress.allowInsecureConnections',
      ],
    ];
    for (const [what, mutate, field] of mutations) {
      const deployed = structuredClone(c.deployed);
      mutate(deployed);
      const diff = compare({ ...c, deployed });
      expect(Object.values(diff).flat(), what).toContain(field);
    }
    const missing = structuredClone(c.deployed);
    delete missing.containerApps['cvat-ui'];
    expect(compare({ ...c, deployed: missing })).toEqual({ 'cvat-ui': ['in appSpecs() but not synthesized'] });
  });

  it('fails when a copy of the spec is changed (a provider default, a readiness threshold, scale bounds, a volume, a job setting)', () => {
    const server = (specs: AppSpec[]): Json => specs.find((s) => s.name === 'cvat-server') as unknown as Json;
    const mutations: [string, (specs: AppSpec[]) => void, string][] = [
      ['cooldown', (specs) => (server(specs).scale.cooldownPeriodSeconds = 301), 'scale.cooldownPeriodSeconds'],
      [
        'success threshold',
        (specs) => (server(specs).containers[0].probes.readiness.successThreshold = 1),
        'containers.0.probes.readiness.successThreshold',
      ],
      ['max replicas', (specs) => (server(specs).scale.maxReplicas += 1), 'scale.maxReplicas'],
      ['volume', (specs) => (server(specs).volumes[0].mountOptions = 'uid=0'), 'volumes.0.mountOptions'],
      ['job timeout', (specs) => ((specs.find((s) => s.kind === 'job') as Json).replicaTimeoutSeconds += 1), 'replicaTimeoutSeconds'],
    ];
    const eventJob = (specs: AppSpec[]): Json | undefined => specs.find((s) => s.kind === 'job' && s.trigger.type === 'event') as Json;
    if (eventJob(c.specs)) {
      mutations.push(
        ['max executions', (specs) => (eventJob(specs)!.trigger.scale.maxExecutions += 1), 'trigger.scale.maxExecutions'],
        [
          'list name',
          (specs) => (eventJob(specs)!.trigger.scale.rules[0].metadata.listName = 'rq:queue:x'),
          'trigger.scale.rules.0.metadata.listName',
        ],
        ['job limit', (specs) => (eventJob(specs)!.maxJobsPerExecution += 1), 'maxJobsPerExecution'],
      );
    }
    for (const [what, mutate, field] of mutations) {
      const specs = structuredClone(c.specs);
      mutate(specs);
      expect(Object.values(compare({ ...c, specs })).flat(), what).toContain(field);
    }
  });

  it('writes the synth index: each component at its stack, Terraform address and Azure name', () => {
    const index = parseSynthIndex(JSON.parse(readFileSync(join(c.s.outdir, SYNTH_INDEX_FILE), 'utf8')));
    expect(index.environment).toBe(env);
    const apps = c.s.stack('apps').resource as Record<string, Record<string, Json>>;
    for (const spec of c.specs) {
      const entry = index.components[spec.name]!;
      const type = spec.kind === 'job' ? 'azurerm_container_app_job' : 'azurerm_container_app';
      expect(entry).toMatchObject({ stack: 'apps', resourceType: type, azureName: spec.name });
      const [, logicalId] = entry.address.split('.');
      expect(apps[type]![logicalId!]?.name).toBe(spec.name);
    }
    const edge = index.components.edge;
    if (env === 'maximal-none') expect(edge).toBeUndefined();
    else {
      const [, logicalId] = edge!.address.split('.');
      expect(c.s.stack('edge').resource.azurerm_linux_virtual_machine[logicalId!].name).toBe(edge!.azureName);
      expect(edge!.azureName).toBe(c.s.names.edgeVm);
    }
  });

  if (env === 'example') {
    it('keeps the drift fixture of ops-cli in step with this synth', () => {
      const file = join(FIXTURE_DIR, `apps-${env}.json`);
      const text = `${JSON.stringify(c.deployed, null, 1)}\n`;
      if (process.env.UPDATE_DRIFT_FIXTURES === '1') writeFileSync(file, text);
      expect(existsSync(file), `${file} is missing: run with UPDATE_DRIFT_FIXTURES=1`).toBe(true);
      expect(readFileSync(file, 'utf8') === text, `${file} is stale: run with UPDATE_DRIFT_FIXTURES=1`).toBe(true);
    });
  }
});

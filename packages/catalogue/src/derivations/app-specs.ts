/**
 * The one derivation of "catalogue component → Azure Container App / Container Apps Job": per
 * deployed component, the exact specification infra renders (`azurerm_container_app`,
 * `azurerm_container_app_job`), drift compares the live apps against, and the synth index names.
 * Pure: the resolved catalogue and the environment configuration in, plain data out; no cloud SDK,
 * no cdktf.
 *
 * Every field is filled in. Where the catalogue does not decide a value, the spec carries what the
 * pinned azurerm provider defaults it to (hashicorp/terraform-provider-azurerm@v4.55.0
 * internal/services/containerapps/helpers/container_apps.go, {@link AZURERM_CONTAINER_APP_DEFAULTS}),
 * so a consumer never needs a default of its own: infra may leave a field at its provider default
 * out of the Terraform JSON, and drift reads an omitted live field as that default.
 *
 * What stays outside: resource ids that only exist in Azure (Key Vault secret ids, the identity, the
 * environment storage and PostgreSQL resources). The spec names them (secret by Key Vault name,
 * storage by environment storage name, `postgres.host` as a typed platform reference) and infra binds
 * them to its resources.
 */
import { CatalogueError, makeIssue } from '../rules/issues';
import type { Catalogue, Component, ComponentEnvVar, PlatformRef, Probe } from '../schema/catalogue';
import type { EnvironmentConfig } from '../schema/environment';
import { platformValue } from './names';
import { parseRqRunner, type RqWorkerGroup } from './rq-runner';
import { componentRefValue } from './resolve';

/**
 * Defaults of the azurerm provider v4.55.0 for the Container App arguments the catalogue does not
 * set (`Default:` in the schema), from hashicorp/terraform-provider-azurerm@v4.55.0
 * internal/services/containerapps/helpers/container_apps.go (`ContainerTemplateSchema`,
 * `ContainerAppLivenessProbeSchema`, `ContainerAppReadinessProbeSchema`, `ContainerAppStartupProbeSchema`,
 * `ContainerAppIngressSchema`) and internal/services/containerapps/container_app_job_resource.go
 * (`manual_trigger_config`). The provider sends each of them to ARM explicitly, so a live app
 * created by Terraform reports the same values.
 */
export const AZURERM_CONTAINER_APP_DEFAULTS = {
  /** Probe timing and thresholds, per probe slot. */
  probe: {
    /** `initial_delay`: 1 s for liveness, 0 s for readiness and startup. */
    initialDelaySeconds: { liveness: 1, readiness: 0, startup: 0 },
    /** `interval_seconds`. */
    periodSeconds: 10,
    /** `timeout`. */
    timeoutSeconds: 1,
    /** `failure_count_threshold`. */
    failureThreshold: 3,
    /** `success_count_threshold` (readiness probes only; liveness and startup have none). */
    readinessSuccessThreshold: 3,
    /** `path` of an HTTP probe ("Defaults to `/`"; the schema marks it Optional+Computed). */
    path: '/',
  },
  /** `template` block of a container app. */
  template: {
    /** `min_replicas`. */
    minReplicas: 0,
    /** `max_replicas`. */
    maxReplicas: 10,
    /** `cooldown_period_in_seconds`. */
    cooldownPeriodSeconds: 300,
    /** `polling_interval_in_seconds`. */
    pollingIntervalSeconds: 30,
    /** `termination_grace_period_seconds` (0: the provider does not send it and ACA applies its own 30 s). */
    terminationGracePeriodSeconds: 0,
  },
  /** `ingress` block. */
  ingress: {
    /** `allow_insecure_connections`. */
    allowInsecureConnections: false,
    /** `external_enabled`. */
    external: false,
  },
  /**
   * `event_trigger_config.scale` of a job (hashicorp/terraform-provider-azurerm@v4.55.0
   * internal/services/containerapps/helpers/container_app_job.go `ContainerAppsJobsScaleSchema`).
   */
  eventScale: {
    /** `min_executions` (0 is not sent: `ExpandContainerAppJobScale` only sends non-zero values). */
    minExecutions: 0,
    /** `max_executions`. */
    maxExecutions: 100,
    /** `polling_interval_in_seconds`. */
    pollingIntervalSeconds: 30,
  },
  /** `manual_trigger_config` (and `event_trigger_config`) `parallelism` / `replica_completion_count` of a job. */
  manualTrigger: {
    /** `parallelism`. */
    parallelism: 1,
    /** `replica_completion_count`. */
    replicaCompletionCount: 1,
  },
} as const;

/**
 * Concurrent requests (HTTP) or connections (TCP) per replica of an `http`/`tcp` scale rule whose
 * catalogue metadata names none. The provider requires `concurrent_requests`; 10 is ACA's own
 * default for its HTTP rule (https://learn.microsoft.com/azure/container-apps/scale-app#http).
 */
export const DEFAULT_CONCURRENT_REQUESTS = 10;

/** One environment variable of the container, in catalogue order. */
export type AppEnvVar =
  /** A literal value (`derivedFrom` when `resolveCatalogue` computed it from a platform reference). */
  | { readonly kind: 'value'; readonly name: string; readonly value: string; readonly derivedFrom?: PlatformRef }
  /** The value of the app secret `secretName` (a Key Vault reference, see {@link AppSecretSpec}). */
  | { readonly kind: 'secret'; readonly name: string; readonly secretName: string }
  /**
   * A `componentRef`: another app's in-environment address (`host`, `port`, `url`), or its image reference
   * (`image`, `repository:tag` as deployed), from `componentRefValue`. `value` is undefined when that
   * component is not deployed, or has no ingress for an address part (a catalogue that was not resolved).
   */
  | {
      readonly kind: 'componentAddress';
      readonly name: string;
      readonly component: string;
      readonly part: ComponentEnvVar['componentRef']['part'];
      readonly value: string | undefined;
    }
  /**
   * A value only Azure knows for sure (after `resolveCatalogue` only `postgres.host`, which infra
   * renders from the server resource). `value` is what `platformValue` computes from the
   * environment, undefined without one.
   */
  | { readonly kind: 'platform'; readonly name: string; readonly ref: PlatformRef; readonly value: string | undefined };

/** An app secret: a Key Vault secret fetched by ACA through the apps' user-assigned identity. */
export interface AppSecretSpec {
  /** ACA secret name (the catalogue secret name), used by `secret` env vars and scale-rule auth. */
  readonly name: string;
  /** Key Vault secret name; infra renders its versionless id. */
  readonly keyVaultSecretName: string;
}

/** A volume of the replica. */
export interface VolumeSpec {
  /** Volume name (the catalogue storage name), referenced by mounts. */
  readonly name: string;
  /** `AzureFile` (SMB share), `NfsAzureFile` (NFS share) or `EmptyDir` (replica-scoped, the catalogue's `ephemeral`). */
  readonly storageType: 'AzureFile' | 'NfsAzureFile' | 'EmptyDir';
  /** Environment storage name (the catalogue storage name); undefined for EmptyDir. */
  readonly storageName: string | undefined;
  /** CIFS mount options of an SMB share; undefined otherwise. */
  readonly mountOptions: string | undefined;
}

/** Where a volume appears in the container. */
export interface VolumeMountSpec {
  /** Name of a volume in {@link BaseAppSpec.volumes}. */
  readonly volumeName: string;
  /** Absolute path in the container. */
  readonly path: string;
  /** Sub-directory of the volume; undefined for its root. */
  readonly subPath: string | undefined;
}

/** A probe with every field filled in. */
export interface ProbeSpec {
  /** `HTTP` or `TCP`, as azurerm spells it. */
  readonly transport: 'HTTP' | 'TCP';
  /** Container port. */
  readonly port: number;
  /** HTTP path; undefined for TCP. @default '/' for HTTP (provider) */
  readonly path: string | undefined;
  /** HTTP headers, in catalogue order; empty for TCP. */
  readonly headers: readonly { readonly name: string; readonly value: string }[];
  /** Seconds before the first probe. */
  readonly initialDelaySeconds: number;
  /** Seconds between probes. */
  readonly periodSeconds: number;
  /** Seconds before an attempt times out. */
  readonly timeoutSeconds: number;
  /** Consecutive failures that fail the probe. */
  readonly failureThreshold: number;
  /**
   * Consecutive successes that pass a readiness probe; undefined for liveness and startup probes
   * (the provider has no such argument for them).
   * @default 3 (provider, readiness)
   */
  readonly successThreshold: number | undefined;
}

/** The three probe slots. */
export interface ProbesSpec {
  readonly liveness?: ProbeSpec;
  readonly readiness?: ProbeSpec;
  readonly startup?: ProbeSpec;
}

/** The app's single container. */
export interface ContainerSpec {
  /** Container name (the app name). */
  readonly name: string;
  /** `repository:tag`. */
  readonly image: string;
  /** Overrides the image ENTRYPOINT; undefined keeps it. */
  readonly command: readonly string[] | undefined;
  /** Overrides the image CMD; undefined keeps it. */
  readonly args: readonly string[] | undefined;
  /** Environment variables, in catalogue order. */
  readonly env: readonly AppEnvVar[];
  /** vCPU per replica. */
  readonly cpuCores: number;
  /** Memory per replica in GiB. */
  readonly memoryGiB: number;
  /** Volume mounts, in catalogue order. */
  readonly volumeMounts: readonly VolumeMountSpec[];
  /** Probes. */
  readonly probes: ProbesSpec;
}

/** Authentication of a scale rule: a trigger parameter filled from an app secret. */
export interface ScaleRuleAuthSpec {
  /** App secret name. */
  readonly secretName: string;
  /** KEDA trigger parameter, e.g. `password`. */
  readonly triggerParameter: string;
}

/**
 * A KEDA scale rule as azurerm renders it: `custom` (`custom_scale_rule`, the catalogue's
 * `redis-queue` as type `redis`) keeps all metadata; `http`/`tcp` (`http_scale_rule`,
 * `tcp_scale_rule`) carry only `concurrentRequests`, the one value the provider sends.
 */
export interface ScaleRuleSpec {
  /** Rule name. */
  readonly name: string;
  /** Which azurerm block renders it. */
  readonly kind: 'custom' | 'http' | 'tcp';
  /** KEDA scaler type of a custom rule; undefined for http/tcp. */
  readonly customRuleType: string | undefined;
  /** Scaler metadata. @default { concurrentRequests: '10' } for http/tcp ({@link DEFAULT_CONCURRENT_REQUESTS}) */
  readonly metadata: Readonly<Record<string, string>>;
  /** Secret-backed trigger parameters. */
  readonly authentication: readonly ScaleRuleAuthSpec[];
}

/** Replicas and KEDA settings of a container app. */
export interface ScaleSpec {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** @default 300 (provider) */
  readonly cooldownPeriodSeconds: number;
  /** @default 30 (provider) */
  readonly pollingIntervalSeconds: number;
  readonly rules: readonly ScaleRuleSpec[];
}

/** Ingress of a container app. */
export interface IngressSpec {
  /** `http` or `tcp`. */
  readonly transport: 'http' | 'tcp';
  /** Container port. */
  readonly targetPort: number;
  /** Environment port of TCP ingress (the catalogue's, else the target port); undefined for HTTP. */
  readonly exposedPort: number | undefined;
  /** Reachable outside the environment (VNet-wide on an internal environment). */
  readonly external: boolean;
  /** @default false (provider) */
  readonly allowInsecureConnections: boolean;
  /** All traffic to the latest revision. */
  readonly trafficWeight: readonly { readonly latestRevision: boolean; readonly percentage: number }[];
}

/** What apps and jobs share. */
export interface BaseAppSpec {
  /** Azure resource name: the component name, also its DNS name in the environment. */
  readonly name: string;
  /** Catalogue role (`service`, `worker`, `store`, `job`). */
  readonly role: Component['role'];
  /** Workload profile name (`Consumption` or a dedicated type such as `D4`). */
  readonly workloadProfileName: string;
  /** App secrets, in catalogue order. */
  readonly secrets: readonly AppSecretSpec[];
  /** Volumes, one per mounted storage, in order of first mount. */
  readonly volumes: readonly VolumeSpec[];
  /** Containers: always exactly one. */
  readonly containers: readonly ContainerSpec[];
  /** Deployed components that must exist first (references to components not deployed are dropped). */
  readonly dependsOn: readonly string[];
  /**
   * The RQ worker processes the container runs, read from its command line (`parseRqRunner`): one per
   * group of queues (`rqRunnerGroups`: a queue a caller waits on in a process of its own, the other queues
   * sharing one), each `django-admin rqworker -v 3 <queues> --worker-class cvat.rqworker.DefaultWorker
   * <flags>`. Empty when the app is not an RQ runner.
   */
  readonly workerProcesses: readonly RqWorkerGroup[];
}

/** An `azurerm_container_app`. */
export interface ContainerAppSpec extends BaseAppSpec {
  readonly kind: 'containerApp';
  /** Always `Single`: one active revision. */
  readonly revisionMode: 'Single';
  /** Ingress; undefined for workers. */
  readonly ingress: IngressSpec | undefined;
  /** Replicas and scale rules. */
  readonly scale: ScaleSpec;
  /** Seconds a replica gets after SIGTERM. @default 0 (provider: not sent, ACA's own default applies) */
  readonly terminationGracePeriodSeconds: number;
}

/** The trigger of a job started by hand (the migration job). */
export interface ManualTriggerSpec {
  readonly type: 'manual';
  /** Replicas started per execution. @default 1 (provider) */
  readonly parallelism: number;
  /** Successful replicas that complete an execution. @default 1 (provider) */
  readonly replicaCompletionCount: number;
}

/**
 * The trigger of an event-driven job (`event_trigger_config`): KEDA polls `scale.rules` every
 * `pollingIntervalSeconds` and starts executions for the pending events, at most `maxExecutions`
 * running at once. Each execution of a queue runner is one burst RQ worker.
 */
export interface EventTriggerSpec {
  readonly type: 'event';
  /** Replicas started per execution. @default 1 (provider) */
  readonly parallelism: number;
  /** Successful replicas that complete an execution. @default 1 (provider) */
  readonly replicaCompletionCount: number;
  /** Executions and the KEDA rules that start them. */
  readonly scale: {
    /** @default 0 (provider) */
    readonly minExecutions: number;
    /** @default 100 (provider) */
    readonly maxExecutions: number;
    /** @default 30 (provider) */
    readonly pollingIntervalSeconds: number;
    /** Scale rules; always `custom` (the provider's job scale rules are custom rules only). */
    readonly rules: readonly ScaleRuleSpec[];
  };
}

/** An `azurerm_container_app_job`. */
export interface ContainerAppJobSpec extends BaseAppSpec {
  readonly kind: 'job';
  /**
   * How executions start: `manual` (the migration job, started by the deploy after each image change)
   * or `event` (a queue runner, started by KEDA when its RQ list has jobs).
   */
  readonly trigger: ManualTriggerSpec | EventTriggerSpec;
  /** Seconds an execution may take before the platform stops it. */
  readonly replicaTimeoutSeconds: number;
  /** Retries of a failed execution. */
  readonly replicaRetryLimit: number;
  /**
   * RQ queues an event-driven job serves (empty for the migration job): each execution is a burst
   * worker on them, taking at most `maxJobsPerExecution` jobs so it ends before `replicaTimeoutSeconds`.
   */
  readonly queues: readonly string[];
  /** Most RQ jobs one execution takes (`--max-jobs`); undefined for a job that is not a queue runner. */
  readonly maxJobsPerExecution: number | undefined;
}

/** A container app or job. */
export type AppSpec = ContainerAppSpec | ContainerAppJobSpec;

function fail(path: string, value: unknown, text: string): never {
  const issue = makeIssue('appSpecs', path, value, text);
  throw new CatalogueError(issue.message, [issue]);
}

function envSpec(
  catalogue: Catalogue,
  deployed: ReadonlySet<string>,
  component: Component,
  config: EnvironmentConfig | undefined,
): AppEnvVar[] {
  return component.env.map((e): AppEnvVar => {
    if ('value' in e) return { kind: 'value', name: e.name, value: e.value, ...(e.derivedFrom ? { derivedFrom: e.derivedFrom } : {}) };
    if ('secretRef' in e) return { kind: 'secret', name: e.name, secretName: e.secretRef };
    if ('componentRef' in e) {
      const { component: target, part } = e.componentRef;
      const value = deployed.has(target) ? componentRefValue(catalogue, e.componentRef) : undefined;
      return { kind: 'componentAddress', name: e.name, component: target, part, value };
    }
    return { kind: 'platform', name: e.name, ref: e.platformRef, value: config ? platformValue(config, e.platformRef) : undefined };
  });
}

function probeSpec(slot: keyof ProbesSpec, p: Probe): ProbeSpec {
  const defaults = AZURERM_CONTAINER_APP_DEFAULTS.probe;
  const http = p.type === 'http';
  return {
    transport: http ? 'HTTP' : 'TCP',
    port: p.port,
    path: http ? (p.path ?? defaults.path) : undefined,
    headers: http ? (p.headers ?? []).map((h) => ({ name: h.name, value: h.value })) : [],
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
    successThreshold: slot === 'readiness' ? defaults.readinessSuccessThreshold : undefined,
  };
}

function scaleRuleSpec(r: Component['scaleRules'][number]): ScaleRuleSpec {
  const authentication = (r.auth ?? []).map((a) => ({ secretName: a.secretRef, triggerParameter: a.triggerParameter }));
  if (r.kind === 'redis-queue')
    return { name: r.name, kind: 'custom', customRuleType: 'redis', metadata: { ...r.metadata }, authentication };
  const concurrentRequests = r.metadata.concurrentRequests ?? String(DEFAULT_CONCURRENT_REQUESTS);
  return { name: r.name, kind: r.kind, customRuleType: undefined, metadata: { concurrentRequests }, authentication };
}

function componentSpec(catalogue: Catalogue, deployed: ReadonlySet<string>, c: Component, config: EnvironmentConfig | undefined): AppSpec {
  const at = `components.${c.name}`;
  const secrets = c.secrets.map((name, i): AppSecretSpec => {
    const secret = catalogue.secrets.find((s) => s.name === name);
    if (!secret) return fail(`${at}.secrets[${i}]`, name, 'must name a secret declared in the catalogue');
    return { name: secret.name, keyVaultSecretName: secret.keyVaultName };
  });
  const volumes: VolumeSpec[] = [];
  for (const [i, mount] of c.mounts.entries()) {
    if (volumes.some((v) => v.name === mount.storage)) continue;
    const storage = catalogue.storages.find((s) => s.name === mount.storage);
    if (!storage) return fail(`${at}.mounts[${i}].storage`, mount.storage, 'must name a storage declared in the catalogue');
    volumes.push(
      storage.kind === 'ephemeral'
        ? { name: storage.name, storageType: 'EmptyDir', storageName: undefined, mountOptions: undefined }
        : storage.kind === 'nfs'
          ? { name: storage.name, storageType: 'NfsAzureFile', storageName: storage.name, mountOptions: undefined }
          : { name: storage.name, storageType: 'AzureFile', storageName: storage.name, mountOptions: storage.mountOptions },
    );
  }
  const probes: { -readonly [K in keyof ProbesSpec]: ProbeSpec } = {};
  for (const slot of ['liveness', 'readiness', 'startup'] as const) {
    const p = c.probes[slot];
    if (p) probes[slot] = probeSpec(slot, p);
  }
  const container: ContainerSpec = {
    name: c.name,
    image: `${c.image.repository}:${c.image.tag}`,
    command: c.command ? [...c.command] : undefined,
    args: c.args ? [...c.args] : undefined,
    env: envSpec(catalogue, deployed, c, config),
    cpuCores: c.resources.cpuCores,
    memoryGiB: c.resources.memoryGiB,
    volumeMounts: c.mounts.map((m) => ({ volumeName: m.storage, path: m.mountPath, subPath: m.subPath })),
    probes,
  };
  const base: BaseAppSpec = {
    name: c.name,
    role: c.role,
    workloadProfileName: c.workloadProfile,
    secrets,
    volumes,
    containers: [container],
    dependsOn: c.dependsOn.filter((d) => deployed.has(d) && d !== c.name),
    workerProcesses: (parseRqRunner(c.command, c.args)?.groups ?? []).map((g) => ({ queues: [...g.queues], flags: [...g.flags] })),
  };
  if (c.role === 'job') {
    if (!c.job) return fail(`${at}.job`, undefined, 'must be set for role job');
    const shared = { parallelism: c.job.parallelism, replicaCompletionCount: c.job.parallelism };
    let trigger: ContainerAppJobSpec['trigger'];
    if (c.job.trigger === 'event') {
      const scale = c.job.scale;
      if (!scale) return fail(`${at}.job.scale`, undefined, 'must be set for an event-triggered job');
      const rules = c.scaleRules.map(scaleRuleSpec);
      const notCustom = rules.findIndex((r) => r.kind !== 'custom');
      if (notCustom !== -1) {
        return fail(
          `${at}.scaleRules[${notCustom}].kind`,
          c.scaleRules[notCustom]?.kind,
          'must be redis-queue for a job (jobs take custom rules only)',
        );
      }
      trigger = {
        type: 'event',
        ...shared,
        scale: {
          minExecutions: scale.minExecutions,
          maxExecutions: scale.maxExecutions,
          pollingIntervalSeconds: scale.pollingIntervalSeconds,
          rules,
        },
      };
    } else {
      trigger = { type: 'manual', ...shared };
    }
    return {
      ...base,
      kind: 'job',
      trigger,
      replicaTimeoutSeconds: c.job.replicaTimeoutSeconds,
      replicaRetryLimit: c.job.replicaRetryLimit,
      queues: [...c.queues],
      maxJobsPerExecution: parseRqRunner(c.command, c.args)?.maxJobs,
    };
  }
  const i = c.ingress;
  const defaults = AZURERM_CONTAINER_APP_DEFAULTS;
  return {
    ...base,
    kind: 'containerApp',
    revisionMode: 'Single',
    ingress: i
      ? {
          transport: i.transport,
          targetPort: i.targetPort,
          exposedPort: i.transport === 'tcp' ? (i.exposedPort ?? i.targetPort) : undefined,
          external: i.external,
          allowInsecureConnections: defaults.ingress.allowInsecureConnections,
          trafficWeight: [{ latestRevision: true, percentage: 100 }],
        }
      : undefined,
    scale: {
      minReplicas: c.replicas.min,
      maxReplicas: c.replicas.max,
      cooldownPeriodSeconds: defaults.template.cooldownPeriodSeconds,
      pollingIntervalSeconds: defaults.template.pollingIntervalSeconds,
      rules: c.scaleRules.map(scaleRuleSpec),
    },
    terminationGracePeriodSeconds: c.terminationGracePeriodSeconds ?? defaults.template.terminationGracePeriodSeconds,
  };
}

/**
 * The Container App or Job specification of every deployed container component (enabled, not the
 * edge VM), in catalogue order.
 *
 * @param catalogue the resolved catalogue (`resolveCatalogue(config)`); an unresolved one works too,
 *   then references it cannot resolve carry `value: undefined`
 * @param config the environment the catalogue was resolved for; gives platform values (the expected
 *   PostgreSQL host). @default - none: platform values are undefined
 * @throws CatalogueError when a component names a secret or storage the catalogue does not declare,
 *   or a job has no `job` settings (`validateCatalogue` rejects all three)
 */
export function appSpecs(catalogue: Catalogue, config?: EnvironmentConfig): AppSpec[] {
  const components = catalogue.components.filter((c) => c.enabled && c.role !== 'edge');
  const deployed = new Set(components.map((c) => c.name));
  return components.map((c) => componentSpec(catalogue, deployed, c, config));
}

/** File name of the synth index, written next to `manifest.json` in the synth output directory. */
export const SYNTH_INDEX_FILE = 'cvat-index.json';

/** One component in the synth index. */
export interface SynthIndexEntry {
  /** Stack (directory under `stacks/`) holding the resource. */
  readonly stack: string;
  /** Terraform resource type, e.g. `azurerm_container_app`. */
  readonly resourceType: string;
  /** Terraform address `<type>.<logical id>`, what `terraform apply -replace=` takes. */
  readonly address: string;
  /** Azure resource name. */
  readonly azureName: string;
}

/**
 * What synth writes to {@link SYNTH_INDEX_FILE}: which environment was synthesized and, per
 * component, where its resource is, so tools find Terraform addresses without knowing cdktf's
 * logical-id scheme or the stack layout.
 */
export interface SynthIndex {
  /** Format version. */
  readonly version: 1;
  /** Environment name (`name:` of the environment file). */
  readonly environment: string;
  /** Entries by component name. */
  readonly components: Readonly<Record<string, SynthIndexEntry>>;
}

/**
 * Reads a parsed synth index, checking its shape.
 * @throws CatalogueError naming the first field that is not what the format says
 */
export function parseSynthIndex(raw: unknown): SynthIndex {
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(raw)) return fail('synthIndex', raw, 'must be an object');
  if (raw.version !== 1) return fail('synthIndex.version', raw.version, 'must be 1');
  if (typeof raw.environment !== 'string' || !raw.environment)
    return fail('synthIndex.environment', raw.environment, 'must be a non-empty string');
  if (!isObject(raw.components)) return fail('synthIndex.components', raw.components, 'must be an object');
  const components: Record<string, SynthIndexEntry> = {};
  for (const [name, entry] of Object.entries(raw.components)) {
    if (!isObject(entry)) return fail(`synthIndex.components.${name}`, entry, 'must be an object');
    for (const field of ['stack', 'resourceType', 'address', 'azureName'] as const) {
      if (typeof entry[field] !== 'string' || !entry[field]) {
        return fail(`synthIndex.components.${name}.${field}`, entry[field], 'must be a non-empty string');
      }
    }
    components[name] = {
      stack: entry.stack as string,
      resourceType: entry.resourceType as string,
      address: entry.address as string,
      azureName: entry.azureName as string,
    };
  }
  return { version: 1, environment: raw.environment, components };
}

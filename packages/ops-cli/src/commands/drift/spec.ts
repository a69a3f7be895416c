/**
 * The normalised shape both sides of a drift comparison are brought into: what the catalogue + environment config
 * say an app should be ({@link expectedApps} in ./expected.ts) and what ARM says it is ({@link liveAppSpec} here).
 * Comparing two values of this shape is the pure diff in ./diff.ts.
 *
 * Normalisation rules (so that equivalent spellings do not show up as drift):
 * - image: the implicit Docker Hub registry and `library/` are dropped (`docker.io/library/redis:7` → `redis:7`);
 * - memory: `"1Gi"`, `"1.0Gi"`, `"1024Mi"` → 1 (GiB);
 * - ingress transport: lower case, `auto` → `http` (ACA's auto negotiates HTTP/1.1 or HTTP/2); HTTP ingress has no
 *   exposed port (ARM reports 0);
 * - probes: ACA type `Liveness`/`Readiness`/`Startup` → slot; `httpGet` → `http`, `tcpSocket` → `tcp`; timing fields
 *   ARM omits take the azurerm provider's defaults (`AZURERM_CONTAINER_APP_DEFAULTS.probe` in the catalogue, which
 *   the provider sends explicitly, so an app deployed by Terraform never omits them);
 * - replicas ARM omits take the provider's template defaults (`AZURERM_CONTAINER_APP_DEFAULTS.template`: the
 *   provider does not send `min_replicas = 0`);
 * - mounts: keyed by mount path, the volume resolved to its environment storage (`storageName`) or `(EmptyDir)`, with
 *   the volume's SMB mount options;
 * - KEDA scale rules: keyed by rule name; the scaler type is the custom rule's `type` in lower case (`redis`), or
 *   `http` / `tcp` / `azure-queue` for ACA's built-in rules; auth as `triggerParameter → app secret name`;
 * - identity: the types sorted (`SystemAssigned,UserAssigned`), the user-assigned identities by name in lower case
 *   (ARM keys them by resource id, whose case varies: the specification's ContainerApps_Get example spells
 *   `resourcegroups`); no identity block reads as `None`;
 * - revision mode: omitted reads as `Single` (ARM's default, "If no value if provided, this is the default" in
 *   Configuration.activeRevisionsMode of @azure/arm-appcontainers 3.0.0, generated from the 2025-07-01 specification);
 * - traffic: one `latest=<weight>` or `revision <name>=<weight>` entry per rule, ` label <label>` appended when set;
 * - settings the catalogue has no opinion on (IP security restrictions, custom domains, init containers, Dapr) are
 *   kept as reported in `unmanaged`, only when set, for the report to show rather than to compare.
 */
import type {
  Container,
  ContainerApp,
  ContainerAppProbe,
  Job,
  ManagedServiceIdentity,
  ScaleRule,
  TrafficWeight,
  Volume,
} from '@azure/arm-appcontainers';
import { AZURERM_CONTAINER_APP_DEFAULTS } from '@cvat-cloud/catalogue';

/** One environment variable as the container sees it. */
export type EnvSpec =
  | { kind: 'value'; value: string }
  | { kind: 'secret'; secretRef: string }
  /** Expected only: a value only known in Azure (e.g. the PostgreSQL server FQDN); names are compared, not values. */
  | { kind: 'platform'; ref: string };

/** One volume mount. */
export interface MountSpec {
  /** Environment storage name, or `(EmptyDir)` for replica-scoped volumes. */
  storage: string;
  subPath?: string;
  /** CIFS mount options of an SMB volume. */
  mountOptions?: string;
}

/** One probe. */
export interface ProbeSpec {
  type: 'http' | 'tcp';
  port: number;
  path?: string;
  /** `Name: value` lines, sorted. */
  headers?: string[];
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  /** Readiness probes only. */
  successThreshold?: number;
}

/** One KEDA scale rule of a container app. */
export interface ScaleRuleSpec {
  /** Scaler type: `redis` (the catalogue's `redis-queue`), any other custom KEDA type, `http`, `tcp` or `azure-queue`. */
  type: string;
  /** Scaler metadata (`address`, `listName`, `listLength`, `concurrentRequests`, …). */
  metadata: Record<string, string>;
  /** Secret-backed trigger parameters: trigger parameter → app secret name (`password` → `redis-inmem-password`). */
  auth: Record<string, string>;
}

/** Ingress of a container app. */
export interface IngressSpec {
  transport: string;
  targetPort: number;
  exposedPort?: number;
  external: boolean;
}

/** Managed identity of an app or job. */
export interface IdentitySpec {
  /** `None`, `SystemAssigned`, `UserAssigned` or `SystemAssigned,UserAssigned`. */
  type: string;
  /** User-assigned identity names, lower case, sorted. */
  userAssigned: string[];
}

/** Live settings the catalogue does not describe, by field path (`ingress.ipSecurityRestrictions`, `dapr`, …). */
export type UnmanagedSettings = Record<string, unknown>;

/** A container app or job, normalised. */
export interface AppSpec {
  name: string;
  /** `containerApp` (Microsoft.App/containerApps) or `job` (Microsoft.App/jobs). */
  resource: 'containerApp' | 'job';
  image: string;
  command?: string[];
  args?: string[];
  resources: { cpuCores: number; memoryGiB: number };
  /** Container apps only. */
  replicas?: { min: number; max: number };
  /** Rule name → KEDA scale rule (container apps; always empty for jobs). */
  scaleRules: Record<string, ScaleRuleSpec>;
  env: Record<string, EnvSpec>;
  /** App secret name → Key Vault secret name (undefined when the secret is not a Key Vault reference). */
  secrets: Record<string, string | undefined>;
  /** Mount path → mount. */
  mounts: Record<string, MountSpec>;
  /** Container apps only; `undefined` = no ingress. */
  ingress?: IngressSpec;
  probes: { liveness?: ProbeSpec; readiness?: ProbeSpec; startup?: ProbeSpec };
  /** Names of extra containers beyond the main one (catalogue components have exactly one). */
  extraContainers: string[];
  /** Container apps: `Single` or `Multiple`. */
  revisionMode?: string;
  /** Managed identity; expected only when the environment (and so the identity's name) is known. */
  identity?: IdentitySpec;
  /** Container apps with ingress: traffic split, normalised (`latest=100`). */
  traffic?: string[];
  /** Live only: settings the catalogue has no opinion on, when set. */
  unmanaged?: UnmanagedSettings;
  /** Workload profile (live: only when ARM reports one). */
  workloadProfileName?: string;
  /** Container apps: KEDA timing and the SIGTERM grace period. */
  timing?: { cooldownPeriodSeconds: number; pollingIntervalSeconds: number; terminationGracePeriodSeconds: number };
  /** Jobs: run settings (live: those ARM reports). */
  job?: {
    /** `Manual` or `Event`. */
    triggerType?: string;
    replicaTimeoutSeconds?: number;
    replicaRetryLimit?: number;
    parallelism?: number;
    replicaCompletionCount?: number;
    /** Event-driven jobs: executions KEDA may run at once, and its polling interval. */
    minExecutions?: number;
    maxExecutions?: number;
    pollingIntervalSeconds?: number;
  };
}

/** Parses an ACA memory string to GiB: `1Gi` → 1, `512Mi` → 0.5, `2G` → 2. NaN when unreadable. */
export function memoryToGiB(memory: string | undefined): number {
  if (!memory) return Number.NaN;
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(Gi|G|Mi|M)?\s*$/i.exec(memory);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'Gi').toLowerCase();
  return unit.startsWith('m') ? n / 1024 : n;
}

/** Image reference without the implicit Docker Hub registry: `docker.io/library/redis:7` → `redis:7`. */
export function normaliseImage(image: string): string {
  return image
    .trim()
    .replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//i, '')
    .replace(/^library\//, '');
}

/** Lower-cased transport with `auto` read as `http`. */
export function normaliseTransport(transport: string | undefined): string {
  const t = (transport ?? 'auto').toLowerCase();
  return t === 'auto' ? 'http' : t;
}

function probeSpec(slot: keyof AppSpec['probes'], probe: ContainerAppProbe): ProbeSpec | undefined {
  const defaults = AZURERM_CONTAINER_APP_DEFAULTS.probe;
  const timing = {
    initialDelaySeconds: probe.initialDelaySeconds ?? defaults.initialDelaySeconds[slot],
    periodSeconds: probe.periodSeconds ?? defaults.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds ?? defaults.timeoutSeconds,
    failureThreshold: probe.failureThreshold ?? defaults.failureThreshold,
    ...(slot === 'readiness' ? { successThreshold: probe.successThreshold ?? defaults.readinessSuccessThreshold } : {}),
  };
  if (probe.httpGet) {
    const headers = (probe.httpGet.httpHeaders ?? []).map((h) => `${h.name}: ${h.value}`).sort();
    const path = probe.httpGet.path ?? defaults.path;
    return { type: 'http', port: probe.httpGet.port, path, ...(headers.length ? { headers } : {}), ...timing };
  }
  if (probe.tcpSocket) return { type: 'tcp', port: probe.tcpSocket.port, ...timing };
  return undefined;
}

function mainContainer(name: string, containers: Container[]): { main: Container | undefined; extra: string[] } {
  const main = containers.find((c) => c.name === name) ?? containers[0];
  return { main, extra: containers.filter((c) => c !== main).map((c) => c.name ?? '(unnamed)') };
}

function volumeStorage(volume: Volume | undefined): string {
  if (!volume) return '(undeclared volume)';
  const type = (volume.storageType ?? 'EmptyDir').toLowerCase();
  if (type === 'emptydir') return '(EmptyDir)';
  if (type === 'secret') return '(Secret)';
  return volume.storageName ?? volume.name ?? '(unnamed)';
}

/** Key Vault secret name from a Key Vault secret URL (`https://kv.vault.azure.net/secrets/<name>[/<version>]`). */
export function keyVaultSecretName(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const m = /\/secrets\/([^/?#]+)/i.exec(url);
  return m ? decodeURIComponent(m[1]!) : undefined;
}

function containerSpec(name: string, containers: Container[] | undefined, volumes: Volume[] | undefined) {
  const { main, extra } = mainContainer(name, containers ?? []);
  const env: Record<string, EnvSpec> = {};
  for (const e of main?.env ?? []) {
    if (!e.name) continue;
    env[e.name] = e.secretRef !== undefined ? { kind: 'secret', secretRef: e.secretRef } : { kind: 'value', value: e.value ?? '' };
  }
  const mounts: Record<string, MountSpec> = {};
  for (const m of main?.volumeMounts ?? []) {
    if (!m.mountPath) continue;
    const volume = (volumes ?? []).find((v) => v.name === m.volumeName);
    mounts[m.mountPath] = {
      storage: volumeStorage(volume),
      ...(m.subPath ? { subPath: m.subPath } : {}),
      ...(volume?.mountOptions ? { mountOptions: volume.mountOptions } : {}),
    };
  }
  const probes: AppSpec['probes'] = {};
  for (const p of main?.probes ?? []) {
    const slot = (p.type ?? 'Liveness').toLowerCase() as keyof AppSpec['probes'];
    if (slot !== 'liveness' && slot !== 'readiness' && slot !== 'startup') continue;
    const spec = probeSpec(slot, p);
    if (spec) probes[slot] = spec;
  }
  return {
    image: normaliseImage(main?.image ?? ''),
    ...(main?.command?.length ? { command: [...main.command] } : {}),
    ...(main?.args?.length ? { args: [...main.args] } : {}),
    resources: { cpuCores: main?.resources?.cpu ?? Number.NaN, memoryGiB: memoryToGiB(main?.resources?.memory) },
    env,
    mounts,
    probes,
    extraContainers: extra,
  };
}

function authSpec(auth: { secretRef?: string; triggerParameter?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of auth ?? []) out[a.triggerParameter ?? '(none)'] = a.secretRef ?? '(none)';
  return out;
}

/** Normalises the live KEDA rules of `template.scale.rules` (ARM names each built-in kind by its own property). */
export function liveScaleRules(rules: ScaleRule[] | undefined): Record<string, ScaleRuleSpec> {
  const out: Record<string, ScaleRuleSpec> = {};
  for (const r of rules ?? []) {
    if (!r.name) continue;
    if (r.custom)
      out[r.name] = { type: (r.custom.type ?? '(none)').toLowerCase(), metadata: { ...r.custom.metadata }, auth: authSpec(r.custom.auth) };
    else if (r.http) out[r.name] = { type: 'http', metadata: { ...r.http.metadata }, auth: authSpec(r.http.auth) };
    else if (r.tcp) out[r.name] = { type: 'tcp', metadata: { ...r.tcp.metadata }, auth: authSpec(r.tcp.auth) };
    else if (r.azureQueue) {
      const q = r.azureQueue;
      const metadata: Record<string, string> = {};
      if (q.accountName !== undefined) metadata.accountName = q.accountName;
      if (q.queueName !== undefined) metadata.queueName = q.queueName;
      if (q.queueLength !== undefined) metadata.queueLength = String(q.queueLength);
      out[r.name] = { type: 'azure-queue', metadata, auth: authSpec(q.auth) };
    } else out[r.name] = { type: '(unknown)', metadata: {}, auth: {} };
  }
  return out;
}

function secretSpec(secrets: { name?: string; keyVaultUrl?: string }[] | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const s of secrets ?? []) if (s.name) out[s.name] = keyVaultSecretName(s.keyVaultUrl);
  return out;
}

/** Identity name from a user-assigned identity resource id, lower case. */
function identityName(id: string): string {
  return (id.split('/').filter(Boolean).pop() ?? id).toLowerCase();
}

/** Normalises a managed identity block (absent → `None`). */
export function liveIdentity(identity: ManagedServiceIdentity | undefined): IdentitySpec {
  const type =
    (identity?.type ?? 'None')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean)
      .sort()
      .join(',') || 'None';
  return {
    type,
    userAssigned: Object.keys(identity?.userAssignedIdentities ?? {})
      .map(identityName)
      .sort(),
  };
}

/** One traffic rule as a comparable string. */
export function trafficEntry(t: Pick<TrafficWeight, 'latestRevision' | 'revisionName' | 'weight' | 'label'>): string {
  const target = t.latestRevision ? 'latest' : `revision ${t.revisionName ?? '(unnamed)'}`;
  return `${target}=${t.weight ?? 0}${t.label ? ` label ${t.label}` : ''}`;
}

/** Settings of a live app or job that the catalogue does not describe, only those that are set. */
function unmanagedOf(app: { configuration?: ContainerApp['configuration'] } & Pick<ContainerApp, 'template'>): UnmanagedSettings {
  const out: UnmanagedSettings = {};
  const ingress = app.configuration?.ingress;
  if (ingress?.ipSecurityRestrictions?.length) {
    out['ingress.ipSecurityRestrictions'] = ingress.ipSecurityRestrictions.map((r) => `${r.action} ${r.ipAddressRange} (${r.name})`);
  }
  if (ingress?.customDomains?.length)
    out['ingress.customDomains'] = ingress.customDomains.map((d) => `${d.name} (${d.bindingType ?? 'Disabled'})`);
  if (app.template?.initContainers?.length) out.initContainers = app.template.initContainers.map((c) => `${c.name} (${c.image})`);
  const dapr = app.configuration?.dapr;
  if (dapr?.enabled)
    out.dapr = { enabled: true, ...(dapr.appId ? { appId: dapr.appId } : {}), ...(dapr.appPort ? { appPort: dapr.appPort } : {}) };
  return out;
}

/** Normalises a live container app (as the SDK returns it: flattened, no `properties`). */
export function liveAppSpec(app: ContainerApp): AppSpec {
  const name = app.name ?? '';
  const ingress = app.configuration?.ingress;
  const transport = normaliseTransport(ingress?.transport);
  return {
    name,
    resource: 'containerApp',
    ...containerSpec(name, app.template?.containers, app.template?.volumes),
    replicas: {
      min: app.template?.scale?.minReplicas ?? AZURERM_CONTAINER_APP_DEFAULTS.template.minReplicas,
      max: app.template?.scale?.maxReplicas ?? AZURERM_CONTAINER_APP_DEFAULTS.template.maxReplicas,
    },
    scaleRules: liveScaleRules(app.template?.scale?.rules),
    secrets: secretSpec(app.configuration?.secrets),
    revisionMode: app.configuration?.activeRevisionsMode ?? 'Single',
    ...(app.workloadProfileName ? { workloadProfileName: app.workloadProfileName } : {}),
    identity: liveIdentity(app.identity),
    ...(ingress ? { traffic: (ingress.traffic ?? []).map(trafficEntry) } : {}),
    ...withUnmanaged(unmanagedOf(app)),
    timing: {
      cooldownPeriodSeconds: app.template?.scale?.cooldownPeriod ?? AZURERM_CONTAINER_APP_DEFAULTS.template.cooldownPeriodSeconds,
      pollingIntervalSeconds: app.template?.scale?.pollingInterval ?? AZURERM_CONTAINER_APP_DEFAULTS.template.pollingIntervalSeconds,
      terminationGracePeriodSeconds:
        app.template?.terminationGracePeriodSeconds ?? AZURERM_CONTAINER_APP_DEFAULTS.template.terminationGracePeriodSeconds,
    },
    ...(ingress
      ? {
          ingress: {
            transport,
            targetPort: ingress.targetPort ?? 0,
            ...(transport === 'tcp' && ingress.exposedPort ? { exposedPort: ingress.exposedPort } : {}),
            external: ingress.external ?? false,
          },
        }
      : {}),
  };
}

function withUnmanaged(unmanaged: UnmanagedSettings): { unmanaged?: UnmanagedSettings } {
  return Object.keys(unmanaged).length ? { unmanaged } : {};
}

/** Normalises the KEDA rules of an event-driven job (`eventTriggerConfig.scale.rules`: custom rules with a `type`). */
export function liveJobScaleRules(
  rules: NonNullable<NonNullable<Job['configuration']>['eventTriggerConfig']>['scale'],
): Record<string, ScaleRuleSpec> {
  const out: Record<string, ScaleRuleSpec> = {};
  for (const r of rules?.rules ?? []) {
    if (!r.name) continue;
    const metadata = Object.fromEntries(Object.entries(r.metadata ?? {}).map(([k, v]) => [k, String(v)]));
    out[r.name] = { type: (r.type ?? '(none)').toLowerCase(), metadata, auth: authSpec(r.auth) };
  }
  return out;
}

/** Normalises a live Container Apps job. */
export function liveJobSpec(job: Job): AppSpec {
  const name = job.name ?? '';
  const event = job.configuration?.eventTriggerConfig;
  const trigger = job.configuration?.manualTriggerConfig ?? event;
  const scale = event?.scale;
  return {
    name,
    resource: 'job',
    ...containerSpec(name, job.template?.containers, job.template?.volumes),
    // an event-driven job's KEDA rules start its executions; a manual job has none
    scaleRules: liveJobScaleRules(scale),
    secrets: secretSpec(job.configuration?.secrets),
    ...(job.workloadProfileName ? { workloadProfileName: job.workloadProfileName } : {}),
    identity: liveIdentity(job.identity),
    ...withUnmanaged(unmanagedOf({ template: job.template as ContainerApp['template'] })),
    job: {
      ...(job.configuration?.triggerType ? { triggerType: job.configuration.triggerType } : {}),
      ...(scale?.minExecutions !== undefined ? { minExecutions: scale.minExecutions } : {}),
      ...(scale?.maxExecutions !== undefined ? { maxExecutions: scale.maxExecutions } : {}),
      ...(scale?.pollingInterval !== undefined ? { pollingIntervalSeconds: scale.pollingInterval } : {}),
      ...(job.configuration?.replicaTimeout !== undefined ? { replicaTimeoutSeconds: job.configuration.replicaTimeout } : {}),
      ...(job.configuration?.replicaRetryLimit !== undefined ? { replicaRetryLimit: job.configuration.replicaRetryLimit } : {}),
      ...(trigger?.parallelism !== undefined ? { parallelism: trigger.parallelism } : {}),
      ...(trigger?.replicaCompletionCount !== undefined ? { replicaCompletionCount: trigger.replicaCompletionCount } : {}),
    },
  };
}

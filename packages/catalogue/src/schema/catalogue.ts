import * as v from 'valibot';
import { maybe, nonEmpty, opt, req } from './fields';
import { ACA_LIMITS } from '../data/aca-limits';
import { CVAT_VERSION } from '../data/cvat-version';

/**
 * `T` with every property and array element readonly, recursively. The exported data types
 * (`Catalogue`, `Component`, `EnvVar`, `Probe`, …) are deep-readonly so that code deriving from a
 * catalogue cannot change it by accident.
 */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

const port = v.pipe(
  v.number(),
  v.integer('must be a whole number'),
  v.minValue(ACA_LIMITS.portMin, `must be between ${ACA_LIMITS.portMin} and ${ACA_LIMITS.portMax}`),
  v.maxValue(ACA_LIMITS.portMax, `must be between ${ACA_LIMITS.portMin} and ${ACA_LIMITS.portMax}`),
);
const positive = v.pipe(v.number(), v.gtValue(0, 'must be greater than 0'));
const wholeNonNegative = v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(0, 'must be 0 or more'));

/**
 * What a component is: a stateless `service` (has ingress), an always-on queue `worker` (no
 * ingress), a stateful `store` (Redis, kvrocks, ClickHouse), a `job` (the manual migration job, or
 * an event-driven queue runner) or the public `edge` (the Traefik VM, not a container app).
 */
export const ComponentRoleSchema = v.picklist(['service', 'worker', 'store', 'job', 'edge']);
/** See {@link ComponentRoleSchema}. */
export type ComponentRole = v.InferOutput<typeof ComponentRoleSchema>;

/**
 * Platform values an environment variable can take, resolved from the environment configuration:
 *
 * - `postgres.host`: FQDN of the Azure Database for PostgreSQL Flexible Server that replaces
 *   compose's `cvat_db`. It stays a `platformRef` after `resolveCatalogue` so that infra renders it
 *   from the server resource (`azurerm_postgresql_flexible_server.fqdn`), which also orders the
 *   apps after the server. `platformValue()` gives the same value computed from the config.
 * - `postgres.port`, `postgres.user`, `postgres.database`: resolved to values (5432, the admin
 *   login, the database name).
 * - `edge.host`, `edge.baseUrl`, `edge.allowedHosts`, `edge.analyticsUrl`: resolved to values from
 *   the edge hostname (`edgeUrls`), so `CVAT_HOST`, `CVAT_BASE_URL`, `ALLOWED_HOSTS` and Grafana's
 *   root URL can never disagree.
 * - `edge.numProxies`: `CVAT_NUM_PROXIES`, the number of HTTP proxies in front of the server
 *   container that append to `X-Forwarded-For` (see `cvatNumProxies`; the v2.73 entrypoint adds
 *   one for the image's own nginx): 1 with the Traefik VM, 0 with `edge.mode: none`.
 */
export const PlatformRefSchema = v.picklist([
  'postgres.host',
  'postgres.port',
  'postgres.user',
  'postgres.database',
  'edge.host',
  'edge.baseUrl',
  'edge.allowedHosts',
  'edge.analyticsUrl',
  'edge.numProxies',
]);
/** See {@link PlatformRefSchema}. */
export type PlatformRef = v.InferOutput<typeof PlatformRefSchema>;

const envName = req(
  v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name (letters, digits, _)')),
  'Environment variable name as the container sees it.',
);
const onlyWith = maybe(
  nonEmpty,
  'Name of an optional component this variable belongs to; `resolveCatalogue` drops the variable when that component is disabled ' +
    '(e.g. `CLICKHOUSE_*` without analytics).',
);

/** A plain environment value. `derivedFrom` marks a value that `resolveCatalogue` computed from a platform reference. */
export const ValueEnvVarSchema = v.strictObject({
  name: envName,
  value: req(v.string(), 'The literal value (ACA does no shell interpolation: `${X:-y}` would arrive verbatim).'),
  derivedFrom: maybe(PlatformRefSchema, 'Set by `resolveCatalogue` when the value was computed from a platform reference.'),
  onlyWith,
});
/** An environment variable read from a catalogue secret (an ACA secret backed by Key Vault). */
export const SecretEnvVarSchema = v.strictObject({
  name: envName,
  secretRef: req(nonEmpty, "Name of a secret declared in `secrets` and listed in the component's `secrets`."),
  onlyWith,
});
/** The parts of a component a `componentRef` can take: three of its in-environment address, and its image. */
export const COMPONENT_REF_PARTS = ['host', 'port', 'url', 'image'] as const;
/** The `componentRef` parts that are an in-environment address (the referenced component needs ingress). */
export const COMPONENT_ADDRESS_PARTS = ['host', 'port', 'url'] as const;
/** See {@link COMPONENT_ADDRESS_PARTS}. */
export type ComponentAddressPart = (typeof COMPONENT_ADDRESS_PARTS)[number];

/** An environment variable holding another component's in-environment address or image reference. */
export const ComponentEnvVarSchema = v.strictObject({
  name: envName,
  componentRef: req(
    v.strictObject({
      component: req(nonEmpty, 'Name of the component whose address or image is meant.'),
      part: req(
        v.picklist(COMPONENT_REF_PARTS),
        '`host` = the app name (in-environment DNS name); `port` = its TCP exposed port (80 for HTTP ingress); ' +
          '`url` = `http://host:port` (`http://host` for HTTP ingress); `image` = its image as deployed, `repository:tag` ' +
          '(follows `cvatVersion` and image overrides; the component needs no ingress).',
      ),
    }),
    'The referenced component and which part of its address, or its image.',
  ),
  onlyWith,
});
/** An environment variable taking a platform value (see {@link PlatformRefSchema}). */
export const PlatformEnvVarSchema = v.strictObject({
  name: envName,
  platformRef: req(PlatformRefSchema, 'Which platform value (PostgreSQL server, edge hostname).'),
  onlyWith,
});

/**
 * One environment variable: exactly one of `value`, `secretRef`, `componentRef`, `platformRef`.
 */
export const EnvVarSchema = v.union(
  [ValueEnvVarSchema, SecretEnvVarSchema, ComponentEnvVarSchema, PlatformEnvVarSchema],
  'must be an object with `name` and exactly one of `value` (string), `secretRef`, `componentRef` or `platformRef`',
);
/** See {@link EnvVarSchema}. */
export type EnvVar = DeepReadonly<v.InferOutput<typeof EnvVarSchema>>;
/** See {@link ValueEnvVarSchema}. */
export type ValueEnvVar = v.InferOutput<typeof ValueEnvVarSchema>;
/** See {@link SecretEnvVarSchema}. */
export type SecretEnvVar = v.InferOutput<typeof SecretEnvVarSchema>;
/** See {@link ComponentEnvVarSchema}. */
export type ComponentEnvVar = v.InferOutput<typeof ComponentEnvVarSchema>;
/** See {@link PlatformEnvVarSchema}. */
export type PlatformEnvVar = v.InferOutput<typeof PlatformEnvVarSchema>;

/** Container image: repository and a pinned tag (never `latest` or `dev`). */
export const ImageSchema = v.strictObject({
  repository: req(nonEmpty, 'Image repository on Docker Hub, e.g. `cvat/server` or `redis`.'),
  tag: req(nonEmpty, 'Pinned image tag, e.g. `v2.73.0`; CVAT images follow `cvatVersion`.'),
});

/** A volume mount of a catalogue storage into the component's container. */
export const MountSchema = v.strictObject({
  storage: req(nonEmpty, 'Name of a storage declared in `storages`.'),
  mountPath: req(v.pipe(v.string(), v.startsWith('/', 'must be an absolute path')), 'Absolute path inside the container.'),
  subPath: maybe(nonEmpty, 'Sub-directory of the storage to mount instead of its root (ACA `sub_path`).'),
  readOnly: opt(v.boolean(), 'Mount read-only (config shares).', false),
});

/**
 * CPU and memory of the component's single container. On the Consumption profile they must be a
 * valid pair (0.25 vCPU / 0.5 GiB … 4 vCPU / 8 GiB, memory = 2 × cpu); see `ACA_LIMITS`.
 */
export const ResourcesSchema = v.strictObject({
  cpuCores: req(positive, 'vCPU per replica (Consumption: 0.25 to 4 in steps of 0.25).'),
  memoryGiB: req(positive, 'Memory per replica in GiB (Consumption: exactly 2 × cpuCores).'),
});

/** Replica bounds (azurerm: min 0-300, max 1-300, min ≤ max). */
export const ReplicasSchema = v.strictObject({
  min: req(wholeNonNegative, 'Minimum replicas (0 only for components with ingress or a scale rule).'),
  max: req(wholeNonNegative, 'Maximum replicas.'),
});

/**
 * Ingress of a container app. TCP ingress with an explicit `exposedPort` makes the app reachable
 * in the environment as `<name>:<exposedPort>` (that is how `opa:8181`, `cvat-redis-inmem:6379`
 * and the edge's `cvat-server:8080` work). `external: true` on the internal environment means
 * VNet-wide (reachable from the edge subnet), not public.
 *
 * @see https://learn.microsoft.com/azure/container-apps/ingress-overview
 */
export const IngressSchema = v.strictObject({
  transport: req(v.picklist(['http', 'tcp']), 'Ingress transport.'),
  targetPort: req(port, 'Port the container listens on.'),
  exposedPort: maybe(
    port,
    'TCP only: the port other apps (and the edge) connect to; required for TCP, must not be 80/443 and must be unique in the environment.',
  ),
  external: opt(v.boolean(), 'Expose outside the environment (on the internal environment: to the whole VNet).', false),
});

/** A header sent with an HTTP probe. */
export const ProbeHeaderSchema = v.strictObject({
  name: req(nonEmpty, 'Header name, e.g. `Host` (not empty: azurerm `header.name` is `StringIsNotEmpty`).'),
  value: req(v.string(), 'Header value.'),
});

/**
 * A health probe. ACA supports HTTP(S) and TCP probes only (no exec). The ranges of the numeric
 * fields are those of the pinned provider (`ACA_LIMITS`, checked by the rule `probeRanges`).
 *
 * @see https://learn.microsoft.com/azure/container-apps/health-probes
 * @see hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/containerapps/helpers/container_apps.go
 */
export const ProbeSchema = v.strictObject({
  type: req(v.picklist(['http', 'tcp']), 'Probe transport.'),
  port: req(port, 'Container port to probe (normally the ingress target port).'),
  path: maybe(v.pipe(v.string(), v.startsWith('/', 'must start with /')), 'HTTP path (http probes only).'),
  headers: maybe(v.array(ProbeHeaderSchema), "Extra HTTP headers, e.g. a `Host` that Django's ALLOWED_HOSTS accepts."),
  initialDelaySeconds: opt(wholeNonNegative, 'Seconds before the first probe (0-60, azurerm v4.55.0 `initial_delay`).', 0),
  periodSeconds: opt(wholeNonNegative, 'Seconds between probes (1-240, azurerm v4.55.0 `interval_seconds`).', 10),
  timeoutSeconds: opt(wholeNonNegative, 'Seconds before a probe times out (1-240, azurerm v4.55.0 `timeout`).', 5),
  failureThreshold: opt(
    wholeNonNegative,
    'Consecutive failures before acting: 1-30 for liveness, readiness and startup (azurerm v4.55.0 `failure_count_threshold`); a ' +
      'longer startup window needs a longer period, not more failures.',
    3,
  ),
});
/** See {@link ProbeSchema}. */
export type Probe = DeepReadonly<v.InferOutput<typeof ProbeSchema>>;

/** Liveness, readiness and startup probes. */
export const ProbesSchema = v.strictObject({
  liveness: maybe(ProbeSchema, 'Restart the container when it fails.'),
  readiness: maybe(ProbeSchema, 'Take the replica out of ingress while it fails.'),
  startup: maybe(ProbeSchema, 'Hold liveness/readiness until the container has booted (slow boots).'),
});

/** Authentication parameter of a KEDA scale rule, taken from a catalogue secret. */
export const ScaleRuleAuthSchema = v.strictObject({
  secretRef: req(nonEmpty, 'Catalogue secret holding the value.'),
  triggerParameter: req(nonEmpty, 'KEDA trigger parameter, e.g. `password`.'),
});

/**
 * A KEDA scale rule. `redis-queue` is rendered as a `custom_scale_rule` of type `redis` on the RQ
 * list `rq:queue:<queue>`; it scales a worker out on queue length.
 *
 * @see https://learn.microsoft.com/azure/container-apps/scale-app
 * @see https://keda.sh/docs/latest/scalers/redis-lists/
 */
export const ScaleRuleSchema = v.strictObject({
  name: req(
    v.pipe(
      v.string(),
      v.regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, 'must be lowercase letters, digits, "-" or "." and start and end alphanumeric'),
    ),
    'Scale rule name.',
  ),
  kind: req(v.picklist(['redis-queue', 'http', 'tcp']), 'Rule type.'),
  metadata: req(v.record(v.string(), v.string()), 'KEDA metadata, e.g. `address`, `listName`, `listLength`, `databaseIndex`.'),
  auth: maybe(v.array(ScaleRuleAuthSchema), 'Secret-backed trigger parameters.'),
});
/** See {@link ScaleRuleSchema}. */
export type ScaleRule = DeepReadonly<v.InferOutput<typeof ScaleRuleSchema>>;

/** A file of this repository that infra uploads into a share before the component starts. */
export const ConfigFileSchema = v.strictObject({
  storage: req(nonEmpty, 'Storage (an SMB or NFS share) the file is uploaded to; the component must mount it.'),
  path: req(
    v.pipe(v.string(), v.regex(/^[^/].*[^/]$/, 'must be a relative file path')),
    'Path of the file inside the share, e.g. `vector/vector.toml`.',
  ),
  source: req(nonEmpty, 'Path of the file in this repository, relative to packages/catalogue (see `configFileSourcePath`).'),
});

const wholeAtLeastOne = v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'));

/**
 * How an event-driven job starts executions: KEDA polls the job's scale rules (`scaleRules`, e.g.
 * the `redis` list scaler on `rq:queue:<queue>`) every `pollingIntervalSeconds` and starts
 * executions for the pending events, between `minExecutions` and `maxExecutions` at a time
 * (azurerm v4.55.0 `event_trigger_config.scale`: `min_executions` default 0, `max_executions`
 * default 100, `polling_interval_in_seconds` default 30).
 *
 * @see https://learn.microsoft.com/azure/container-apps/jobs#event-driven-jobs
 * @see hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/containerapps/helpers/container_app_job.go
 */
export const JobScaleSchema = v.strictObject({
  minExecutions: opt(wholeNonNegative, 'Executions started per polling interval even without events.', 0),
  maxExecutions: opt(wholeAtLeastOne, 'Most executions running at once.', 100),
  pollingIntervalSeconds: opt(wholeAtLeastOne, 'Seconds between two polls of the scale rules.', 30),
});
/** See {@link JobScaleSchema}. */
export type JobScale = DeepReadonly<v.InferOutput<typeof JobScaleSchema>>;

/**
 * Settings of a Container Apps Job (role `job`): `manual` (the migration job, started by the deploy
 * after each image change) or `event` (a queue runner: KEDA starts an execution, a burst RQ worker,
 * when its queue has jobs; it drains the queue and exits, so scale-in never stops a running job).
 */
export const JobSchema = v.strictObject({
  trigger: opt(
    v.picklist(['manual', 'event']),
    'How the job starts: `manual` (ops-cli / infra start it after each image change) or `event` (KEDA starts executions from the ' +
      'scale rules).',
    'manual',
  ),
  replicaTimeoutSeconds: opt(positive, 'Seconds before a run is killed.', 1800),
  replicaRetryLimit: opt(wholeNonNegative, 'Retries of a failed run.', 1),
  parallelism: opt(v.pipe(v.number(), v.integer(), v.minValue(1, 'must be at least 1')), 'Replicas per run.', 1),
  scale: maybe(JobScaleSchema, 'Event trigger only (required there): executions and polling of the scale rules.'),
});
/** See {@link JobSchema}. */
export type JobSettings = DeepReadonly<v.InferOutput<typeof JobSchema>>;

/** Workload profile an app runs on: `Consumption` or a dedicated type from `ACA_LIMITS.dedicatedProfiles`. */
export const WorkloadProfileSchema = v.picklist([
  'Consumption',
  ...(Object.keys(ACA_LIMITS.dedicatedProfiles) as (keyof typeof ACA_LIMITS.dedicatedProfiles)[]),
]);

/**
 * One CVAT component: a container app, the migration job or the edge.
 *
 * @see docs/catalogue.md for every component and why it differs from upstream compose
 */
export const ComponentSchema = v.strictObject({
  name: req(
    nonEmpty,
    'ACA app (or job) name; also its DNS name inside the environment. ≤32 chars, lowercase letters, digits and "-", starts with a letter.',
  ),
  role: req(ComponentRoleSchema, 'service | worker | store | job | edge.'),
  description: req(nonEmpty, 'What the component does.'),
  upstream: opt(v.array(nonEmpty), 'docker-compose service names (CVAT v2.73.0) this component replaces.', []),
  optional: opt(v.boolean(), 'Whether an environment may disable it.', false),
  enabled: opt(v.boolean(), 'Whether it is deployed.', true),
  image: req(ImageSchema, 'Container image.'),
  command: maybe(v.array(v.string()), 'Overrides the image ENTRYPOINT (compose `entrypoint`).'),
  args: maybe(v.array(v.string()), 'Overrides the image CMD (compose `command`).'),
  env: opt(v.array(EnvVarSchema), 'Environment variables, in order.', []),
  secrets: opt(v.array(nonEmpty), 'Catalogue secrets this component references (env and scale-rule auth).', []),
  mounts: opt(v.array(MountSchema), 'Volume mounts.', []),
  resources: req(ResourcesSchema, 'CPU and memory per replica.'),
  replicas: req(ReplicasSchema, 'Replica bounds.'),
  workloadProfile: opt(WorkloadProfileSchema, 'Workload profile (`Consumption` or a dedicated type such as `D4`).', 'Consumption'),
  ingress: maybe(IngressSchema, 'Ingress; absent for workers, jobs and the edge.'),
  probes: opt(ProbesSchema, 'Health probes.', {}),
  scaleRules: opt(v.array(ScaleRuleSchema), 'KEDA scale rules.', []),
  terminationGracePeriodSeconds: maybe(
    v.pipe(
      wholeNonNegative,
      v.maxValue(ACA_LIMITS.terminationGracePeriodSecondsMax, `must be at most ${ACA_LIMITS.terminationGracePeriodSecondsMax}`),
    ),
    'Seconds a replica gets to finish after SIGTERM (0-600).',
  ),
  job: maybe(JobSchema, 'Job settings; required for role `job`, forbidden otherwise.'),
  runner: maybe(
    v.picklist(['always-on', 'event-job']),
    'Set on the RQ runners: `always-on` (a worker app) or `event-job` (an event-driven job); `queueRunners` of an environment ' +
      'assigns queues to runners by name.',
  ),
  dependsOn: opt(v.array(nonEmpty), 'Components that must be deployed first (references to disabled optional components are ignored).', []),
  queues: opt(
    v.array(nonEmpty),
    'RQ queues this runner serves (a worker, or an event-driven job); set per environment from `queueRunners`.',
    [],
  ),
  configFiles: opt(v.array(ConfigFileSchema), 'Repository files uploaded into a mounted share.', []),
});
/** A component as validated data, deeply readonly: code that derives from a catalogue must not change it. See {@link ComponentSchema}. */
export type Component = DeepReadonly<MutableComponent>;
/** A component you may change, e.g. in a fresh copy from `defaultCatalogue()`. */
export type MutableComponent = v.InferOutput<typeof ComponentSchema>;
/** Input shape of a component (optional fields may be omitted). */
export type ComponentInput = v.InferInput<typeof ComponentSchema>;

/**
 * A storage: an Azure Files share (SMB or NFS) declared as an environment storage, or a
 * replica-scoped `ephemeral` volume (ACA `EmptyDir`, no environment storage, lost when the replica
 * goes away). Databases never live on SMB.
 *
 * @see https://learn.microsoft.com/azure/container-apps/storage-mounts
 */
export const StorageSchema = v.strictObject({
  name: req(
    nonEmpty,
    'Environment storage (and share) name: 3-32 chars, lowercase letters, digits and "-", starts with a letter, no "--".',
  ),
  kind: req(
    v.picklist(['smb', 'nfs', 'ephemeral']),
    '`smb` (Azure Files SMB), `nfs` (Azure Files NFS, Premium) or `ephemeral` (EmptyDir).',
  ),
  quotaGiB: req(
    positive,
    'Share quota in GiB (for `ephemeral`: the space the volume is expected to use, checked against the replica budget).',
  ),
  accessMode: opt(v.picklist(['ReadWrite', 'ReadOnly']), 'Environment storage access mode.', 'ReadWrite'),
  mountOptions: maybe(v.string(), 'SMB mount options, e.g. `uid=1000,gid=1000,...` (ACA ignores NFS mount options).'),
  description: req(nonEmpty, 'What the storage holds.'),
});
/** See {@link StorageSchema}. */
export type Storage = DeepReadonly<v.InferOutput<typeof StorageSchema>>;

/**
 * A secret: generated by infra (random provider) or supplied externally, stored in Key Vault under
 * `keyVaultName` and referenced by apps through the user-assigned identity.
 */
export const SecretSchema = v.strictObject({
  name: req(nonEmpty, 'ACA secret name: lowercase letters, digits and "-", starts and ends alphanumeric.'),
  keyVaultName: req(nonEmpty, 'Key Vault secret name (letters, digits, "-"; ≤127).'),
  description: req(nonEmpty, 'What the secret is for.'),
  source: req(v.picklist(['generated', 'external']), '`generated` by infra, or `external` (set by an operator).'),
  length: maybe(v.pipe(v.number(), v.integer(), v.minValue(16, 'must be at least 16')), 'Length of a generated value.'),
  special: opt(v.boolean(), 'Whether a generated value may contain special characters (off for values embedded in URLs or shell).', false),
});
/** See {@link SecretSchema}. */
export type Secret = DeepReadonly<v.InferOutput<typeof SecretSchema>>;

/** The whole catalogue. */
export const CatalogueSchema = v.strictObject({
  $schema: maybe(v.string(), 'JSON Schema reference for editors.'),
  cvatVersion: req(
    v.pipe(v.string(), v.regex(/^v\d+\.\d+\.\d+$/, 'must be a CVAT release tag like v2.73.0')),
    `CVAT release; drives the cvat/server and cvat/ui image tags. Default ${CVAT_VERSION}.`,
  ),
  components: req(v.array(ComponentSchema), 'Every component.'),
  storages: req(v.array(StorageSchema), 'Every storage.'),
  secrets: req(v.array(SecretSchema), 'Every secret.'),
});
/**
 * A catalogue as validated data, deeply readonly: what `validateCatalogue` and `resolveCatalogue`
 * return. See {@link CatalogueSchema}.
 */
export type Catalogue = DeepReadonly<MutableCatalogue>;
/** A catalogue you may change: the fresh copy `defaultCatalogue()` returns. */
export type MutableCatalogue = v.InferOutput<typeof CatalogueSchema>;
/** Input shape of a catalogue. */
export type CatalogueInput = v.InferInput<typeof CatalogueSchema>;

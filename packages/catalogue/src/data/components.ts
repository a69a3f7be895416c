import { CLICKHOUSE_CONFIG, clickhouseConfigXml, clickhouseStartCommand } from './clickhouse-config';
import { ACA_LIMITS } from './aca-limits';
import { CVAT_VERSION } from './cvat-version';
import { RQ_QUEUE_NAMES, RQ_QUEUES, rqQueueKey } from './rq-queues';
import { rqRunnerArgs, rqRunnerCommand, rqRunnerGroups } from '../derivations/rq-runner';
import { OPA_IMAGE_REPOSITORY } from '../derivations/opa-bundles';
import { WORKER_LIVENESS } from '../derivations/worker-liveness';
import type { ComponentInput, EnvVar } from '../schema/catalogue';

type ProbeInput = NonNullable<NonNullable<ComponentInput['probes']>['liveness']>;
type ScaleRuleInput = NonNullable<ComponentInput['scaleRules']>[number];

/** Names of the catalogue components, as constants for code that needs one of them. */
export const COMPONENT_NAMES = {
  server: 'cvat-server',
  ui: 'cvat-ui',
  workerImport: 'cvat-worker-import',
  workerExport: 'cvat-worker-export',
  workerAnnotation: 'cvat-worker-annotation',
  workerWebhooks: 'cvat-worker-webhooks',
  workerQualityReports: 'cvat-worker-quality-reports',
  workerChunks: 'cvat-worker-chunks',
  workerConsensus: 'cvat-worker-consensus',
  workerUtils: 'cvat-worker-utils',
  jobImport: 'cvat-job-import',
  jobExport: 'cvat-job-export',
  jobAnnotation: 'cvat-job-annotation',
  jobQualityReports: 'cvat-job-quality-reports',
  jobConsensus: 'cvat-job-consensus',
  redisInmem: 'cvat-redis-inmem',
  redisOndisk: 'cvat-redis-ondisk',
  clickhouse: 'clickhouse',
  vector: 'vector',
  opa: 'opa',
  grafana: 'grafana',
  init: 'cvat-init',
  edge: 'edge',
} as const;

/** Names of the catalogue storages. */
export const STORAGE_NAMES = {
  data: 'cvat-data',
  keys: 'cvat-keys',
  logs: 'cvat-logs',
  config: 'cvat-config',
  redisData: 'cvat-redis-data',
  cache: 'cvat-cache',
  events: 'cvat-events',
  vectorData: 'cvat-vector-data',
} as const;

/** Names of the catalogue secrets. */
export const SECRET_NAMES = {
  djangoSecretKey: 'django-secret-key',
  postgresPassword: 'postgres-admin-password',
  redisInmemPassword: 'redis-inmem-password',
  kvrocksPassword: 'kvrocks-password',
  clickhousePassword: 'clickhouse-password',
  superuserPassword: 'cvat-superuser-password',
  cvatDatabasePassword: 'postgres-cvat-password',
} as const;

/**
 * PostgreSQL role CVAT's server, workers and migrations log in as: it owns the CVAT database and has neither CREATEDB
 * nor CREATEROLE. The init job's database-role step creates it with the administrator login, which only that job holds.
 */
export const CVAT_DATABASE_ROLE = 'cvat_app';

const N = COMPONENT_NAMES;
const S = STORAGE_NAMES;
const K = SECRET_NAMES;

/** Image repositories of the CVAT images whose tag follows `cvatVersion`. */
export const CVAT_IMAGE_REPOSITORIES = ['cvat/server', 'cvat/ui'] as const;

const SERVER_IMAGE = { repository: 'cvat/server', tag: CVAT_VERSION };

// compose `x-backend-env`, with the service names replaced by component references and the
// PostgreSQL host by the managed server; plus the passwords and URLs compose leaves unset. Every
// name is read by cvat-ai/cvat@v2.73.0 cvat/settings/base.py (CVAT_POSTGRES_*, CVAT_REDIS_*,
// CVAT_NUM_PROXIES, DJANGO_LOG_SERVER_*, CVAT_OPA_URL, DJANGO_SECRET_KEY, CVAT_HOST, CVAT_BASE_URL,
// CVAT_LOG_IMPORT_ERRORS) or cvat/apps/engine/default_settings.py (CVAT_ALLOW_STATIC_CACHE), by
// wait_for_deps.sh (both Redis hosts and ports, no default port) or by supervisord
// (SMOKESCREEN_OPTS in supervisord/reusable/smokescreen.conf); upstream's Helm chart sets the same
// set for an external database and Redis passwords (helm-chart/templates/_helpers.tpl
// cvat.sharedBackendEnv). Differences from compose: upstream/deviations.ts.
function backendEnv(): EnvVar[] {
  return [
    { name: 'CVAT_POSTGRES_HOST', platformRef: 'postgres.host' },
    { name: 'CVAT_POSTGRES_PORT', platformRef: 'postgres.port' },
    { name: 'CVAT_POSTGRES_USER', value: CVAT_DATABASE_ROLE },
    { name: 'CVAT_POSTGRES_DBNAME', platformRef: 'postgres.database' },
    { name: 'CVAT_POSTGRES_PASSWORD', secretRef: K.cvatDatabasePassword },
    { name: 'CVAT_REDIS_INMEM_HOST', componentRef: { component: N.redisInmem, part: 'host' } },
    { name: 'CVAT_REDIS_INMEM_PORT', componentRef: { component: N.redisInmem, part: 'port' } },
    { name: 'CVAT_REDIS_INMEM_PASSWORD', secretRef: K.redisInmemPassword },
    { name: 'CVAT_REDIS_ONDISK_HOST', componentRef: { component: N.redisOndisk, part: 'host' } },
    { name: 'CVAT_REDIS_ONDISK_PORT', componentRef: { component: N.redisOndisk, part: 'port' } },
    { name: 'CVAT_REDIS_ONDISK_PASSWORD', secretRef: K.kvrocksPassword },
    { name: 'CVAT_LOG_IMPORT_ERRORS', value: 'true' },
    { name: 'CVAT_ALLOW_STATIC_CACHE', value: 'no' },
    { name: 'CVAT_NUM_PROXIES', platformRef: 'edge.numProxies' },
    { name: 'DJANGO_LOG_SERVER_HOST', componentRef: { component: N.vector, part: 'host' } },
    { name: 'DJANGO_LOG_SERVER_PORT', componentRef: { component: N.vector, part: 'port' } },
    { name: 'no_proxy', value: 'clickhouse,grafana,vector,nuclio,opa' },
    { name: 'SMOKESCREEN_OPTS', value: '' },
    { name: 'CVAT_OPA_URL', componentRef: { component: N.opa, part: 'url' } },
    { name: 'DJANGO_SECRET_KEY', secretRef: K.djangoSecretKey },
    { name: 'CVAT_HOST', platformRef: 'edge.host' },
    { name: 'CVAT_BASE_URL', platformRef: 'edge.baseUrl' },
  ];
}

// compose `x-clickhouse-env`; the password is a generated secret instead of upstream's `user`.
function clickhouseEnv(): EnvVar[] {
  return [
    { name: 'CLICKHOUSE_HOST', componentRef: { component: N.clickhouse, part: 'host' } },
    { name: 'CLICKHOUSE_PORT', componentRef: { component: N.clickhouse, part: 'port' } },
    { name: 'CLICKHOUSE_DB', value: 'cvat', onlyWith: N.clickhouse },
    { name: 'CLICKHOUSE_USER', value: 'user', onlyWith: N.clickhouse },
    { name: 'CLICKHOUSE_PASSWORD', secretRef: K.clickhousePassword, onlyWith: N.clickhouse },
  ];
}

const BACKEND_SECRETS = [K.cvatDatabasePassword, K.redisInmemPassword, K.kvrocksPassword, K.djangoSecretKey];

// cvat-ai/cvat@v2.73.0 Dockerfile: CVAT_BASE_DIR=/home/django (user django, uid 1000); base.py:
// DATA_ROOT, keys/ (secret_key.py) and LOGS_ROOT under it. Compose and the Helm chart mount these
// three paths on the server and every worker.
const SHARED_MOUNTS = [
  { storage: S.data, mountPath: '/home/django/data' },
  { storage: S.keys, mountPath: '/home/django/keys' },
  { storage: S.logs, mountPath: '/home/django/logs' },
];

// KEDA's `redis` (Redis Lists) scaler: `address` as host:port, `listName`, `listLength` (target per replica/execution),
// optional `databaseIndex` and `enableTLS`, and the `password` trigger parameter from a secret
// (https://keda.sh/docs/2.16/scalers/redis-lists/).
function queueRule(queue: string, listLength: number): ScaleRuleInput {
  return {
    name: `rq-${queue.replace(/_/g, '-')}`,
    kind: 'redis-queue',
    metadata: {
      address: `${N.redisInmem}:6379`,
      listName: rqQueueKey(queue),
      listLength: String(listLength),
      databaseIndex: '0',
      enableTLS: 'false',
    },
    auth: [{ secretRef: K.redisInmemPassword, triggerParameter: 'password' }],
  };
}

type ProbeTarget = Pick<ProbeInput, 'type' | 'port' | 'path' | 'headers'>;
type ProbeTiming = Required<Pick<ProbeInput, 'periodSeconds' | 'timeoutSeconds' | 'failureThreshold'>>;

const READINESS: ProbeTiming = { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 };
// Startup windows are period × failures. The pinned provider accepts at most 30 failures for every
// probe kind (hashicorp/terraform-provider-azurerm@v4.55.0
// internal/services/containerapps/helpers/container_apps.go, ContainerAppStartupProbeSchema:
// `failure_count_threshold` IntBetween(1, 30)), so long windows come from a longer period.
/**
 * How often OPA asks cvat-server for its policy bundle (`GET /api/auth/rules`): after each successful poll OPA waits a
 * random delay between the two bounds (https://github.com/open-policy-agent/opa/blob/main/v1/download/download.go,
 * `loop`). Upstream polls every 5-15 s (cvat-ai/cvat@v2.73.0 docker-compose.yml `cvat_opa`; 10-15 s in
 * helm-chart/templates/cvat_opa/deployment.yml), which keeps the server handling a request every few seconds all month,
 * so Container Apps never bills it idle. The bundle is the server's own `cvat/apps/iam/rules/*.rego`
 * (cvat/apps/iam/utils.py `get_opa_bundle`): it changes only when the server's image does. What 5-10 minutes cost:
 * - after an upgrade a running OPA would answer with the previous version's rules until its next poll finds a new ETag
 *   (the ETag is a hash of the bundle, cvat/apps/iam/views.py `RulesView`), up to `maxDelaySeconds`. That window is
 *   closed by {@link OPA_SERVER_IMAGE_ENV}: OPA's container carries the server's image reference, so every change of
 *   the server's image changes OPA's template and Container Apps starts a new OPA revision, after the server's
 *   (`dependsOn`). The new OPA downloads the bundle as soon as it starts (`loop` downloads first and waits after), is
 *   ready only with it (`/health?bundles`), and the old revision keeps answering until then (single revision mode).
 *   What remains is one OPA start (docs/catalogue.md "OPA follows the server's image"). The rule
 *   `opaFollowsServerImage` keeps the reference wherever OPA polls slower than upstream;
 * - a failed poll is retried with a back-off growing 1.6x from 100 ms and capped at `maxDelaySeconds`
 *   (https://github.com/open-policy-agent/opa/blob/main/v1/util/backoff.go): an OPA that starts while the server is
 *   unreachable may become ready (`/health?bundles`) up to `maxDelaySeconds` (±20 %) after the server is. An OPA that
 *   already holds the bundle keeps answering with it.
 * The cost estimator (packages/infra `cost`) reads these arguments back to price cvat-server's idle time.
 */
export const OPA_BUNDLE_POLLING = { minDelaySeconds: 300, maxDelaySeconds: 600 } as const;

/**
 * The environment variable of OPA's container that holds the image of the server it downloads its policy bundle from
 * (`componentRef` part `image`: the server's `repository:tag` as deployed, following `cvatVersion` and image overrides).
 * OPA ignores it; it is there so that a new server image is a revision-scope change of OPA too. Container Apps creates a
 * new revision for every change of the template, which holds the containers and their environment variables
 * (https://learn.microsoft.com/azure/container-apps/revisions, "revision-scope changes";
 * https://learn.microsoft.com/azure/container-apps/application-lifecycle-management), so OPA restarts with every
 * server image and loads that server's rules at once instead of after up to `OPA_BUNDLE_POLLING.maxDelaySeconds`.
 */
export const OPA_SERVER_IMAGE_ENV = 'CVAT_POLICY_BUNDLE_IMAGE';

/** 300 s for kvrocks and ClickHouse (10 s × 30). */
const SLOW_START: ProbeTiming = { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 30 };
/** 900 s for the server: the init job's migrations and collectstatic (30 s × 30). */
const SERVER_START: ProbeTiming = { periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 30 };
/** 600 s for Grafana, which installs its ClickHouse plugin at boot (20 s × 30). */
const GRAFANA_START: ProbeTiming = { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 30 };

// Liveness and readiness probes of one target (readiness every 10 s, liveness on `liveness`'s
// timing, both after 3 failures), with a startup probe when the component boots slowly.
function probesOf(target: ProbeTarget, liveness: Partial<ProbeTiming> = {}, startup?: ProbeTiming): ComponentInput['probes'] {
  const at = () => ({ ...target, ...(target.headers ? { headers: target.headers.map((h) => ({ ...h })) } : {}) });
  return {
    ...(startup ? { startup: { ...at(), ...startup } } : {}),
    liveness: { ...at(), ...READINESS, ...liveness },
    readiness: { ...at(), ...READINESS },
  };
}

// Internal TCP ingress with exposedPort = targetPort, so other apps reach the component as
// `<name>:<port>` like the compose alias; `external` makes it VNet-wide for the edge.
function tcpIngress(port: number, external = false): ComponentInput['ingress'] {
  return { transport: 'tcp', targetPort: port, exposedPort: port, external };
}

// What the server, the init job and every worker share: the cvat/server image and the three
// CVAT shares.
function backendBase(): Pick<ComponentInput, 'upstream' | 'image' | 'mounts'> {
  return { upstream: ['cvat_server'], image: { ...SERVER_IMAGE }, mounts: SHARED_MOUNTS.map((m) => ({ ...m })) };
}

// The worker liveness endpoint (see WORKER_LIVENESS): checks every 120 s like upstream's chart
// (cvat-ai/cvat@v2.73.0 helm-chart/values.yaml cvat.backend.worker.livenessProbe.periodSeconds) and
// restarts after 3 failures. No startup probe: the endpoint itself answers "starting" (200) while the
// runner waits for the init job's migrations and for 120 s after the RQ worker starts. The 55 s
// timeout covers one Django start at 0.5 vCPU and lies above the script's own 50 s limit, so a slow
// check is answered 503 with a reason rather than timed out.
const WORKER_PROBE: ProbeTarget = { type: 'http', port: WORKER_LIVENESS.port, path: WORKER_LIVENESS.path };
function workerProbes(): ComponentInput['probes'] {
  return { liveness: { ...WORKER_PROBE, periodSeconds: 120, timeoutSeconds: 55, failureThreshold: 3 } };
}

/**
 * The docker-compose worker service (cvat-ai/cvat@v2.73.0 docker-compose.yml) that serves each queue
 * upstream; a runner's `upstream` lists the services whose queues it serves.
 */
export const COMPOSE_WORKER_OF_QUEUE: Readonly<Record<string, string>> = {
  import: 'cvat_worker_import',
  export: 'cvat_worker_export',
  annotation: 'cvat_worker_annotation',
  webhooks: 'cvat_worker_webhooks',
  notifications: 'cvat_worker_utils',
  quality_reports: 'cvat_worker_quality_reports',
  cleaning: 'cvat_worker_utils',
  chunks: 'cvat_worker_chunks',
  consensus: 'cvat_worker_consensus',
};

/**
 * vCPU an always-on worker gets for each RQ worker process beyond its first (with 0.5 GiB of memory, the
 * Consumption pair): one more Django process, the same step the server takes for its second uvicorn
 * process (docs/catalogue.md "Sizing").
 */
export const CPU_PER_EXTRA_WORKER_PROCESS = 0.25;

/** Seconds an execution may spend starting (image pull, Django boot, `migrate --check`) before its first job. */
export const RUNNER_START_MARGIN_SECONDS = 900;

/** An always-on RQ worker app (`runner: always-on`). */
interface AlwaysOnRunnerSpec {
  readonly kind: 'always-on';
  /** App name, `cvat-worker-<x>`. */
  readonly name: string;
  /**
   * vCPU per replica with one RQ worker process; each further process its queues derive
   * (`rqRunnerGroups`: a queue a caller waits on gets its own) adds {@link CPU_PER_EXTRA_WORKER_PROCESS}.
   * Memory is 2 GiB per vCPU.
   */
  readonly cpuCores: number;
  /** Replica bounds when it runs no scheduler (a scheduler pins it to exactly one replica). */
  readonly replicas: { readonly min: number; readonly max: number };
  /** Queued jobs per replica before KEDA scales out; no scale rule without it (or with a scheduler). */
  readonly scaleListLength?: number;
  readonly description: string;
}

/** An event-driven Container Apps Job whose executions are burst RQ workers (`runner: event-job`). */
interface EventJobRunnerSpec {
  readonly kind: 'event-job';
  /** Job name, `cvat-job-<queue>`. */
  readonly name: string;
  /** vCPU per execution; memory is 2 GiB per vCPU. */
  readonly cpuCores: number;
  /** Most executions at once (each one worker process, one job at a time). */
  readonly maxExecutions: number;
  /** Seconds between two looks at the queue lengths: the longest wait before an execution starts. */
  readonly pollingIntervalSeconds: number;
  readonly description: string;
}

type RunnerSpec = AlwaysOnRunnerSpec | EventJobRunnerSpec;

/**
 * Every RQ runner the catalogue knows, in catalogue order: the eight always-on workers of compose
 * (any of them may serve any queues an environment assigns it) and one event-driven job per queue
 * that allows one (`queueAllowsEventJob`). `queueRunners` of an environment assigns every queue to
 * exactly one of them; runners left without queues are not deployed.
 */
const RUNNERS: readonly RunnerSpec[] = [
  {
    kind: 'always-on',
    name: N.workerImport,
    cpuCores: 1,
    replicas: { min: 1, max: 1 },
    description: 'Always-on RQ worker (alternative runner for `import`: task data creation, annotation, dataset and backup import).',
  },
  {
    kind: 'always-on',
    name: N.workerExport,
    cpuCores: 1,
    replicas: { min: 1, max: 1 },
    description: 'Always-on RQ worker (alternative runner for `export`: dataset, annotation, backup and events export).',
  },
  {
    kind: 'always-on',
    name: N.workerAnnotation,
    cpuCores: 0.5,
    replicas: { min: 1, max: 1 },
    description: 'Always-on RQ worker (alternative runner for `annotation`, auto-annotation through Nuclio functions).',
  },
  {
    kind: 'always-on',
    name: N.workerWebhooks,
    cpuCores: 0.5,
    replicas: { min: 1, max: 1 },
    description: 'Always-on RQ worker (alternative runner for `webhooks`, with the RQ scheduler that drives delivery retries).',
  },
  {
    kind: 'always-on',
    name: N.workerQualityReports,
    cpuCores: 1,
    replicas: { min: 1, max: 1 },
    description: 'Always-on RQ worker (alternative runner for `quality_reports`).',
  },
  {
    kind: 'always-on',
    name: N.workerChunks,
    cpuCores: 0.5,
    replicas: { min: 1, max: 2 },
    scaleListLength: 4,
    description:
      'Always-on RQ worker for `chunks` (alternative runner: builds chunks and previews on a media-cache miss while the server ' +
      'waits; scales out to 2 replicas).',
  },
  {
    kind: 'always-on',
    name: N.workerConsensus,
    cpuCores: 0.5,
    replicas: { min: 1, max: 1 },
    description: 'Always-on RQ worker (alternative runner for `consensus`).',
  },
  {
    kind: 'always-on',
    name: N.workerUtils,
    cpuCores: 0.5,
    replicas: { min: 1, max: 1 },
    description:
      'Always-on RQ worker for `chunks` (in an RQ worker process of its own: the server waits for it inside an HTTP request) and ' +
      'the queues that need a scheduler: `webhooks` (RQ scheduler, --with-scheduler, for delivery retries), `notifications` and ' +
      '`cleaning` (rqscheduler for the periodic cleanup jobs and delayed jobs of every queue), sharing a second process; exactly ' +
      'one replica.',
  },
  {
    kind: 'event-job',
    name: N.jobImport,
    cpuCores: 1,
    maxExecutions: 3,
    pollingIntervalSeconds: 15,
    description:
      'Event-driven job for `import`: each execution is a burst RQ worker (task data creation, annotation/dataset/backup import).',
  },
  {
    kind: 'event-job',
    name: N.jobExport,
    cpuCores: 1,
    maxExecutions: 3,
    pollingIntervalSeconds: 15,
    description: 'Event-driven job for `export`: each execution is a burst RQ worker (dataset, annotation, backup and events export).',
  },
  {
    kind: 'event-job',
    name: N.jobAnnotation,
    cpuCores: 0.5,
    maxExecutions: 2,
    pollingIntervalSeconds: 30,
    description: 'Event-driven job for `annotation`: each execution is a burst RQ worker (auto-annotation through Nuclio functions).',
  },
  {
    kind: 'event-job',
    name: N.jobQualityReports,
    cpuCores: 1,
    maxExecutions: 2,
    pollingIntervalSeconds: 30,
    description: 'Event-driven job for `quality_reports`: each execution is a burst RQ worker (quality report computation).',
  },
  {
    kind: 'event-job',
    name: N.jobConsensus,
    cpuCores: 0.5,
    maxExecutions: 2,
    pollingIntervalSeconds: 30,
    description: 'Event-driven job for `consensus`: each execution is a burst RQ worker (consensus merges).',
  },
];

/** The event-driven job runner of a queue, `cvat-job-<queue with - for _>` (whether or not one exists). */
export function eventJobNameOf(queue: string): string {
  return `cvat-job-${queue.replace(/_/g, '-')}`;
}

/** Names of the RQ runners (always-on workers and event-driven jobs), in catalogue order. */
export const RUNNER_NAMES: readonly string[] = RUNNERS.map((r) => r.name);
/** Names of the always-on RQ worker apps, in catalogue order. */
export const WORKER_NAMES: readonly string[] = RUNNERS.filter((r) => r.kind === 'always-on').map((r) => r.name);
/** Names of the event-driven job runners, in catalogue order. */
export const EVENT_JOB_NAMES: readonly string[] = RUNNERS.filter((r) => r.kind === 'event-job').map((r) => r.name);

/**
 * The default runner of every CVAT queue: the long, bursty queues on event-driven jobs (an execution
 * per burst, nothing running while they are empty); `chunks`, whose caller waits, and the queues that
 * need a scheduler on the one always-on utils worker, where `chunks` gets an RQ worker process of its own
 * (`rqRunnerGroups`), so a chunk request never waits behind a webhook delivery or a cleanup job. An
 * environment changes any of them with `queueRunners` (`chunks: cvat-worker-chunks` brings back the
 * dedicated chunks worker, which scales out).
 */
export const DEFAULT_QUEUE_RUNNERS: Readonly<Record<string, string>> = {
  import: N.jobImport,
  export: N.jobExport,
  annotation: N.jobAnnotation,
  webhooks: N.workerUtils,
  notifications: N.workerUtils,
  quality_reports: N.jobQualityReports,
  cleaning: N.workerUtils,
  chunks: N.workerUtils,
  consensus: N.jobConsensus,
};

/**
 * The queues an assignment (queue → runner name) gives a runner: queues a caller waits on first, then
 * the others in `RQ_QUEUES` order, the order of the runner's worker processes (`rqRunnerGroups`: each
 * queue a caller waits on in a process of its own, so a chunk request never waits behind a cleanup job).
 */
export function queuesOfRunner(assignment: Readonly<Record<string, string>>, runner: string): string[] {
  const mine = RQ_QUEUE_NAMES.filter((q) => assignment[q] === runner);
  return [...mine.filter((q) => RQ_QUEUES[q]?.callerWaits), ...mine.filter((q) => !RQ_QUEUES[q]?.callerWaits)];
}

/** The longest job timeout of `queues` in seconds (0 for none). */
function longestTimeoutSeconds(queues: readonly string[]): number {
  return Math.max(0, ...queues.map((q) => RQ_QUEUES[q]?.timeoutSeconds ?? ACA_LIMITS.jobReplicaTimeoutSecondsMax));
}

/**
 * The replica timeout of an event job and the most jobs one execution may take: the platform's
 * longest timeout, and as many of the longest jobs as fit after the start margin (at least one), so
 * an execution ends by itself before the platform would stop it.
 */
export function eventJobLimits(queues: readonly string[]): { replicaTimeoutSeconds: number; maxJobsPerExecution: number } {
  const replicaTimeoutSeconds = ACA_LIMITS.jobReplicaTimeoutSecondsMax;
  const longest = longestTimeoutSeconds(queues);
  const fit = longest > 0 ? Math.floor((replicaTimeoutSeconds - RUNNER_START_MARGIN_SECONDS) / longest) : 1;
  return { replicaTimeoutSeconds, maxJobsPerExecution: Math.max(1, fit) };
}

/** One RQ runner component serving `queues` (disabled when it serves none). */
function runnerComponent(spec: RunnerSpec, queues: readonly string[]): ComponentInput {
  const clickhouse = queues.includes('export');
  const upstream = [...new Set(queues.map((q) => COMPOSE_WORKER_OF_QUEUE[q] ?? `cvat_worker_${q}`))];
  const common = {
    description: spec.description,
    ...backendBase(),
    upstream,
    env: [...backendEnv(), ...(clickhouse ? clickhouseEnv() : []), { name: 'NUMPROCS', value: '1' }],
    secrets: [...BACKEND_SECRETS, ...(clickhouse ? [K.clickhousePassword] : [])],
    resources: { cpuCores: spec.cpuCores, memoryGiB: spec.cpuCores * 2 },
    dependsOn: [N.init, N.redisInmem, N.redisOndisk, N.clickhouse],
    queues: [...queues],
    // Deployed when the environment's queueRunners give it a queue (not by components.<name>.enabled).
    optional: true,
    enabled: queues.length > 0,
    runner: spec.kind,
  };
  if (spec.kind === 'event-job') {
    const limits = eventJobLimits(queues);
    return {
      name: spec.name,
      role: 'job',
      ...common,
      command: rqRunnerCommand(false),
      args: rqRunnerArgs(queues, { burstMaxJobs: limits.maxJobsPerExecution }),
      replicas: { min: 0, max: 1 },
      scaleRules: queues.map((q) => queueRule(q, 1)),
      job: {
        trigger: 'event',
        replicaTimeoutSeconds: limits.replicaTimeoutSeconds,
        // A failed execution is not started again: RQ records the failed job, and a new execution would
        // only start another burst worker (KEDA starts one anyway while jobs are queued).
        replicaRetryLimit: 0,
        parallelism: 1,
        scale: { minExecutions: 0, maxExecutions: spec.maxExecutions, pollingIntervalSeconds: spec.pollingIntervalSeconds },
      },
    };
  }
  const scheduler = queues.some((q) => RQ_QUEUES[q]?.scheduler !== undefined);
  const scales = !scheduler && spec.scaleListLength !== undefined;
  const cpuCores = spec.cpuCores + CPU_PER_EXTRA_WORKER_PROCESS * Math.max(0, rqRunnerGroups(queues).length - 1);
  return {
    name: spec.name,
    role: 'worker',
    ...common,
    resources: { cpuCores, memoryGiB: cpuCores * 2 },
    command: rqRunnerCommand(true),
    args: rqRunnerArgs(queues),
    replicas: scheduler ? { min: 1, max: 1 } : { ...spec.replicas },
    probes: workerProbes(),
    scaleRules: scales ? queues.map((q) => queueRule(q, spec.scaleListLength as number)) : [],
    // SIGTERM reaches the RQ worker itself (see RQ_RUNNER), which finishes its current job: give it the
    // longest grace ACA allows, on scale-in and on revision changes.
    terminationGracePeriodSeconds: ACA_LIMITS.terminationGracePeriodSecondsMax,
  };
}

/**
 * The RQ runner components for a queue assignment (queue → runner name), in catalogue order; a runner
 * without queues comes back disabled. `resolveCatalogue` calls it with the environment's
 * `queueRunners` over {@link DEFAULT_QUEUE_RUNNERS}.
 */
export function runnerComponents(assignment: Readonly<Record<string, string>> = DEFAULT_QUEUE_RUNNERS): ComponentInput[] {
  return RUNNERS.map((r) => runnerComponent(r, queuesOfRunner(assignment, r.name)));
}

const SERVER_PROBE: ProbeTarget = { type: 'http', port: 8080, path: '/api/server/about', headers: [{ name: 'Host', value: N.server }] };

/**
 * The default data of every component of CVAT v2.73.0 on Azure Container Apps, in catalogue order.
 * Validated by `CatalogueSchema` in `defaultCatalogue()`; see docs/catalogue.md for the reasons
 * behind each value.
 *
 * @internal use `defaultCatalogue()` for a typed, fresh copy
 */
export const DEFAULT_COMPONENTS: readonly ComponentInput[] = [
  {
    name: N.redisInmem,
    role: 'store',
    description:
      'In-memory Redis: RQ queues (db 0) and the Django default cache (db 1). Password-protected; AOF kept on replica-scoped ' +
      'ephemeral storage (survives container restarts, not replica replacement).',
    upstream: ['cvat_redis_inmem'],
    image: { repository: 'redis', tag: '7.2.11-alpine' },
    args: ['sh', '-c', 'exec docker-entrypoint.sh redis-server --save 60 100 --appendonly yes --requirepass "$REDIS_PASSWORD"'],
    env: [{ name: 'REDIS_PASSWORD', secretRef: K.redisInmemPassword }],
    secrets: [K.redisInmemPassword],
    mounts: [{ storage: S.redisData, mountPath: '/data' }],
    // Right-sized (docs/catalogue.md "Sizing"): RQ lists and the Django cache are small; upstream sets no
    // resources (cvat-ai/cvat@v2.73.0 helm-chart/values.yaml `resources: {}` everywhere).
    resources: { cpuCores: 0.25, memoryGiB: 0.5 },
    replicas: { min: 1, max: 1 },
    ingress: tcpIngress(6379),
    probes: probesOf({ type: 'tcp', port: 6379 }),
  },
  {
    name: N.redisOndisk,
    role: 'store',
    description:
      'Kvrocks (Redis protocol on RocksDB): the Django media cache of chunks (1-day TTL) and previews (7-day TTL). Regenerable, ' +
      'so it lives on replica-scoped ephemeral storage at a subdirectory (--dir) and never on SMB.',
    upstream: ['cvat_redis_ondisk'],
    image: { repository: 'apache/kvrocks', tag: '2.15.0' },
    command: [
      'sh',
      '-c',
      'exec kvrocks -c /var/lib/kvrocks/kvrocks.conf --dir /var/lib/kvrocks/data --pidfile /var/run/kvrocks/kvrocks.pid --bind ' +
        '0.0.0.0 --compact-cron "0 3 * * *" --requirepass "$KVROCKS_PASSWORD"',
    ],
    env: [{ name: 'KVROCKS_PASSWORD', secretRef: K.kvrocksPassword }],
    secrets: [K.kvrocksPassword],
    mounts: [{ storage: S.cache, mountPath: '/var/lib/kvrocks/data' }],
    // 0.5 vCPU gives 2 GiB of replica ephemeral storage, room for the 1.5 GiB cache (docs/catalogue.md "Sizing").
    resources: { cpuCores: 0.5, memoryGiB: 1 },
    replicas: { min: 1, max: 1 },
    ingress: tcpIngress(6666),
    probes: probesOf({ type: 'tcp', port: 6666 }, {}, SLOW_START),
  },
  {
    name: N.clickhouse,
    role: 'store',
    description:
      'ClickHouse: the analytics event store written by vector and read by events export and Grafana. Part of the optional ' +
      'analytics stack; replica-scoped ephemeral storage by default (or NFS), never SMB. Runs a quiet configuration ' +
      '(config/clickhouse/cvat-quiet.xml): no timed system logs, metrics once a minute, no asynchronous insert queue, warnings ' +
      'to the console, so it idles while nobody works.',
    upstream: ['cvat_clickhouse'],
    optional: true,
    image: { repository: 'clickhouse/clickhouse-server', tag: '23.11-alpine' },
    // The quiet configuration (config/clickhouse/cvat-quiet.xml, see clickhouse-config.ts): no timed system logs, metrics
    // once a minute, no asynchronous insert queue, warnings to the console; written into config.d by the start command.
    command: clickhouseStartCommand(),
    env: [...clickhouseEnv(), { name: CLICKHOUSE_CONFIG.env, value: clickhouseConfigXml() }],
    secrets: [K.clickhousePassword],
    mounts: [{ storage: S.events, mountPath: '/var/lib/clickhouse' }],
    // 0.5 vCPU / 1 GiB with 1.5 GiB of events on ephemeral storage (docs/catalogue.md "Sizing").
    resources: { cpuCores: 0.5, memoryGiB: 1 },
    replicas: { min: 1, max: 1 },
    ingress: tcpIngress(8123),
    probes: probesOf({ type: 'http', port: 8123, path: '/ping' }, { periodSeconds: 15 }, SLOW_START),
  },
  {
    name: N.vector,
    role: 'service',
    description:
      "Vector: receives Django events over HTTP on 8282 and writes them to ClickHouse (upstream's vector.toml unchanged: default " +
      '1 s batches, every events column including remote_addr). Config file vector.toml comes from the config share. Part of the ' +
      'optional analytics stack.',
    upstream: ['cvat_vector'],
    optional: true,
    image: { repository: 'timberio/vector', tag: '0.26.0-alpine' },
    env: clickhouseEnv(),
    secrets: [K.clickhousePassword],
    mounts: [
      { storage: S.config, mountPath: '/etc/vector', subPath: 'vector', readOnly: true },
      { storage: S.vectorData, mountPath: '/vector-data-dir' },
    ],
    resources: { cpuCores: 0.25, memoryGiB: 0.5 },
    replicas: { min: 1, max: 1 },
    ingress: tcpIngress(8282),
    probes: probesOf({ type: 'tcp', port: 8282 }, { periodSeconds: 15 }),
    dependsOn: [N.clickhouse],
    configFiles: [{ storage: S.config, path: 'vector/vector.toml', source: 'config/vector/vector.toml' }],
  },
  {
    name: N.opa,
    role: 'service',
    description:
      "Open Policy Agent: answers the server's authorization queries at http://opa:8181 (CVAT_OPA_URL) and pulls its policy " +
      'bundle from the server (/api/auth/rules). Must be named `opa` with TCP port 8181.',
    upstream: ['cvat_opa'],
    image: { repository: OPA_IMAGE_REPOSITORY, tag: '1.12.2' },
    args: [
      'run',
      '--server',
      '--addr=:8181',
      '--log-level=error',
      '--set=services.cvat.url=http://cvat-server:8080',
      '--set=bundles.cvat.service=cvat',
      '--set=bundles.cvat.resource=/api/auth/rules',
      `--set=bundles.cvat.polling.min_delay_seconds=${OPA_BUNDLE_POLLING.minDelaySeconds}`,
      `--set=bundles.cvat.polling.max_delay_seconds=${OPA_BUNDLE_POLLING.maxDelaySeconds}`,
    ],
    // The server's image: a new one starts a new OPA revision, which loads the new rules at start (OPA_SERVER_IMAGE_ENV).
    env: [{ name: OPA_SERVER_IMAGE_ENV, componentRef: { component: N.server, part: 'image' } }],
    resources: { cpuCores: 0.25, memoryGiB: 0.5 },
    replicas: { min: 1, max: 1 },
    ingress: tcpIngress(8181),
    // Readiness asks for the policy bundle, as upstream's chart does (cvat-ai/cvat@v2.73.0
    // helm-chart/values.yaml `cvat.opa.probePath: /health?bundles`, used by
    // helm-chart/templates/cvat_opa/deployment.yml): OPA's `GET /health?bundles` answers 200 only
    // once every configured bundle is activated (https://www.openpolicyagent.org/docs/rest-api#health-api),
    // so a running OPA without CVAT's rules (which would answer every query without a `result`, a 500
    // in CVAT) is kept out of the ingress. Liveness stays on plain `/health` (the process answers),
    // unlike the chart: OPA gets its bundle from the server, which waits for the init job's
    // migrations and then boots (startup window 15 min); a liveness on `?bundles` would restart a
    // healthy OPA again and again in that time and, through restart back-off, delay the first policy
    // load after the server is up. Restarting OPA cannot make a bundle appear.
    probes: {
      liveness: { type: 'http', port: 8181, path: '/health', periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 3 },
      readiness: { type: 'http', port: 8181, path: '/health?bundles', ...READINESS },
    },
    // Deployed after the server it pulls the bundle from (see the readiness probe above); on an upgrade its new revision
    // (OPA_SERVER_IMAGE_ENV) therefore starts after the server's update has completed.
    dependsOn: [N.server],
  },
  {
    name: N.init,
    role: 'job',
    description:
      'One-shot migration job (`init`): migrate, migrateredis, syncperiodicjobs and, with analytics, the ClickHouse schema. Run ' +
      'once per image change instead of in every server replica. Also carries DJANGO_SUPERUSER_*: after the first successful ' +
      'migration the deploy starts a second execution with a command override that creates the superuser (admin, password in Key ' +
      'Vault `cvat-superuser-password`) only if it does not exist, never resetting a password.',
    ...backendBase(),
    // backend_entrypoint.sh cmd_init: migrate, migrateredis, syncperiodicjobs, and init.py for
    // ClickHouse when CVAT_ANALYTICS=1; the Helm chart's initializer job runs exactly `init`
    // (cvat-ai/cvat@v2.73.0 helm-chart/templates/cvat_backend/initializer/job.yml).
    args: ['init'],
    env: [
      ...backendEnv(),
      ...clickhouseEnv(),
      { name: 'CVAT_ANALYTICS', value: '1' },
      { name: 'DJANGO_SUPERUSER_USERNAME', value: 'admin' },
      { name: 'DJANGO_SUPERUSER_EMAIL', value: 'admin@cvat.invalid' },
      { name: 'DJANGO_SUPERUSER_PASSWORD', secretRef: K.superuserPassword },
      // Only this job holds the administrator login: its database-role step creates CVAT_DATABASE_ROLE with it.
      { name: 'CVAT_POSTGRES_ADMIN_USER', platformRef: 'postgres.user' },
      { name: 'CVAT_POSTGRES_ADMIN_PASSWORD', secretRef: K.postgresPassword },
    ],
    secrets: [...BACKEND_SECRETS, K.clickhousePassword, K.superuserPassword, K.postgresPassword],
    resources: { cpuCores: 0.5, memoryGiB: 1 },
    replicas: { min: 0, max: 1 },
    job: { trigger: 'manual', replicaTimeoutSeconds: 1800, replicaRetryLimit: 1, parallelism: 1 },
    dependsOn: [N.redisInmem, N.redisOndisk, N.clickhouse],
  },
  {
    name: N.server,
    role: 'service',
    description:
      'CVAT server: nginx + uvicorn (NUMPROCS=2) on 8080 serving /api, /admin, /static, /django-rq. Runs `run server nginx`: it ' +
      "waits for the init job's migrations instead of running them.",
    ...backendBase(),
    // `run server nginx`: collectstatic, wait for migrations, then supervisord with uvicorn
    // (NUMPROCS processes, supervisord/server.conf) and, from the extra `nginx` argument,
    // supervisord/reusable/nginx.conf; nginx listens on 8080 (cvat/nginx.conf, Dockerfile EXPOSE
    // 8080). `run server` also adds 1 to CVAT_NUM_PROXIES for that nginx (cvat-ai/cvat@v2.73.0
    // backend_entrypoint.sh).
    args: ['run', 'server', 'nginx'],
    env: [
      ...backendEnv(),
      ...clickhouseEnv(),
      { name: 'DJANGO_MODWSGI_EXTRA_ARGS', value: '' },
      { name: 'ALLOWED_HOSTS', platformRef: 'edge.allowedHosts' },
      { name: 'ADAPTIVE_AUTO_ANNOTATION', value: 'false' },
      { name: 'NUMPROCS', value: '2' },
      { name: 'CVAT_ANALYTICS', value: '1' },
    ],
    secrets: [...BACKEND_SECRETS, K.clickhousePassword],
    // 0.75 vCPU / 1.5 GiB for nginx, smokescreen and NUMPROCS=2 uvicorn processes (docs/catalogue.md "Sizing"): the
    // reference configuration ran the server at 0.5 / 1 GiB; one step more keeps memory for two Django processes.
    resources: { cpuCores: 0.75, memoryGiB: 1.5 },
    replicas: { min: 1, max: 1 },
    ingress: tcpIngress(8080, true),
    // /api/server/about needs neither OPA nor the database (permission_classes=[] in
    // cvat-ai/cvat@v2.73.0 cvat/apps/engine/views.py ServerViewSet.about) and is what the Helm
    // chart probes (helm-chart/templates/cvat_backend/server/deployment.yml); /api/server/health/
    // would deadlock with OPA (cvat/apps/health/backends.py asks OPA's /health?bundles, and OPA
    // pulls its bundle from this server). The Host header must be in ALLOWED_HOSTS.
    // The startup probe allows 15 minutes for the init job's migrations and collectstatic.
    probes: probesOf(SERVER_PROBE, { periodSeconds: 30, timeoutSeconds: 10 }, SERVER_START),
    terminationGracePeriodSeconds: 60,
    // Not on OPA (compose's depends_on cvat_opa is only "started"): OPA is ready only once it has
    // pulled its bundle from this server, and ACA fails a revision whose probes never pass, so the
    // server must exist first (OPA depends on it instead).
    dependsOn: [N.init, N.redisInmem, N.redisOndisk, N.clickhouse],
  },
  ...runnerComponents(),
  {
    name: N.ui,
    role: 'service',
    description: 'CVAT UI: nginx serving the single-page app on 8000.',
    upstream: ['cvat_ui'],
    image: { repository: 'cvat/ui', tag: CVAT_VERSION },
    // Port 8000: the image is nginx-unprivileged with a server block without `listen`
    // (cvat-ai/cvat@v2.73.0 Dockerfile.ui, cvat-ui/react_nginx.conf), so nginx listens on its
    // non-root default *:8000 (https://nginx.org/en/docs/http/ngx_http_core_module.html#listen);
    // compose's Traefik label and the Helm chart's service use 8000 too.
    resources: { cpuCores: 0.25, memoryGiB: 0.5 },
    replicas: { min: 1, max: 2 },
    ingress: tcpIngress(8000, true),
    probes: probesOf({ type: 'http', port: 8000, path: '/' }, { periodSeconds: 30 }),
    dependsOn: [N.server],
  },
  {
    name: N.grafana,
    role: 'service',
    description:
      'Grafana with the ClickHouse datasource, reachable at /analytics through the edge after CVAT approves the request ' +
      '(forwardauth). Optional and off by default; needs internet egress to install its plugin.',
    upstream: ['cvat_grafana'],
    optional: true,
    enabled: false,
    image: { repository: 'grafana/grafana-oss', tag: '10.1.2' },
    env: [
      ...clickhouseEnv(),
      { name: 'GF_PATHS_PROVISIONING', value: '/etc/grafana/provisioning' },
      { name: 'GF_AUTH_BASIC_ENABLED', value: 'false' },
      { name: 'GF_AUTH_ANONYMOUS_ENABLED', value: 'true' },
      { name: 'GF_AUTH_ANONYMOUS_ORG_ROLE', value: 'Admin' },
      { name: 'GF_AUTH_DISABLE_LOGIN_FORM', value: 'true' },
      { name: 'GF_SERVER_ROOT_URL', platformRef: 'edge.analyticsUrl' },
      { name: 'GF_INSTALL_PLUGINS', value: 'grafana-clickhouse-datasource 4.8.2' },
      { name: 'GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH', value: '/var/lib/grafana/dashboards/all_events.json' },
    ],
    secrets: [K.clickhousePassword],
    mounts: [
      { storage: S.config, mountPath: '/etc/grafana/provisioning', subPath: 'grafana/provisioning', readOnly: true },
      { storage: S.config, mountPath: '/var/lib/grafana/dashboards', subPath: 'grafana/dashboards', readOnly: true },
    ],
    resources: { cpuCores: 0.25, memoryGiB: 0.5 },
    replicas: { min: 1, max: 1 },
    ingress: tcpIngress(3000, true),
    probes: probesOf({ type: 'http', port: 3000, path: '/api/health' }, { periodSeconds: 30 }, GRAFANA_START),
    dependsOn: [N.clickhouse],
    configFiles: [
      { storage: S.config, path: 'grafana/provisioning/datasources/ds.yaml', source: 'config/grafana/provisioning/datasources/ds.yaml' },
      {
        storage: S.config,
        path: 'grafana/provisioning/dashboards/dashboard.yaml',
        source: 'config/grafana/provisioning/dashboards/dashboard.yaml',
      },
      { storage: S.config, path: 'grafana/dashboards/all_events.json', source: 'config/grafana/dashboards/all_events.json' },
    ],
  },
  {
    name: N.edge,
    role: 'edge',
    description:
      "Public edge: a small Linux VM running Traefik with Let's Encrypt in front of the internal environment (not a container " +
      'app). Routes /api, /static, /admin, /django-rq to the server, /analytics to Grafana (after forwardauth), the rest to the ' +
      'UI. Disabled by `edge.mode: none`.',
    upstream: ['traefik'],
    optional: true,
    image: { repository: 'traefik', tag: 'v3.6.5' },
    env: [
      { name: 'CVAT_HOST', platformRef: 'edge.host' },
      { name: 'TRAEFIK_ACCESSLOG_FORMAT', value: 'json' },
      { name: 'TRAEFIK_ACCESSLOG_FIELDS_DEFAULTMODE', value: 'drop' },
      ...[
        'ClientHost',
        'DownstreamContentSize',
        'DownstreamStatus',
        'Duration',
        'RequestHost',
        'RequestMethod',
        'RequestPath',
        'RequestPort',
        'RequestProtocol',
        'RouterName',
        'StartUTC',
      ].map((f) => ({ name: `TRAEFIK_ACCESSLOG_FIELDS_NAMES_${f}`, value: 'keep' })),
      { name: 'TRAEFIK_LOG_FORMAT', value: 'json' },
    ],
    resources: { cpuCores: 2, memoryGiB: 1 },
    replicas: { min: 1, max: 1 },
    dependsOn: [N.server, N.ui, N.grafana],
  },
];

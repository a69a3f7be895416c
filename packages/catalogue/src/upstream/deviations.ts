import { CVAT_VERSION } from '../data/cvat-version';
import { CLICKHOUSE_CONFIG, clickhouseConfigXml, clickhouseStartCommand } from '../data/clickhouse-config';
import {
  COMPOSE_WORKER_OF_QUEUE,
  DEFAULT_QUEUE_RUNNERS,
  EVENT_JOB_NAMES,
  eventJobLimits,
  OPA_BUNDLE_POLLING,
  OPA_SERVER_IMAGE_ENV,
  queuesOfRunner,
  WORKER_NAMES,
} from '../data/components';
import { rqRunnerArgs, rqRunnerCommand } from '../derivations/rq-runner';
import type { UpstreamDeviation, UpstreamReplacement } from './facts';

/** Compose services replaced by something that is not a catalogue component. */
export const UPSTREAM_REPLACEMENTS: readonly UpstreamReplacement[] = [
  {
    service: 'cvat_db',
    replacedBy: 'Azure Database for PostgreSQL Flexible Server (env `platformRef: postgres.*`)',
    reason:
      'PostgreSQL cannot keep its data on Azure Files SMB (no chown, no hard links for WAL) and ACA has no block disks; the ' +
      'managed server adds backups, point-in-time restore and TLS. CVAT supports an external database through CVAT_POSTGRES_*.',
  },
];

// The RQ runners the default queue assignment deploys (the table explains the default catalogue).
const DEFAULT_RUNNERS = [...new Set(Object.values(DEFAULT_QUEUE_RUNNERS))];
const WORKERS = WORKER_NAMES.filter((n) => DEFAULT_RUNNERS.includes(n));
const EVENT_JOBS = EVENT_JOB_NAMES.filter((n) => DEFAULT_RUNNERS.includes(n));
const RUNNERS = [...WORKERS, ...EVENT_JOBS];
const BACKENDS = ['cvat-server', 'cvat-init', ...RUNNERS];
// Compose services that run NUMPROCS=2 workers.
const TWO_PROCESS_SERVICES = ['cvat_worker_import', 'cvat_worker_export', 'cvat_worker_chunks'];
const CLICKHOUSE_USERS = ['cvat-server', 'cvat-init', DEFAULT_QUEUE_RUNNERS.export as string, 'clickhouse', 'vector', 'grafana'];

const REDIS_ARGS = 'sh -c exec docker-entrypoint.sh redis-server --save 60 100 --appendonly yes --requirepass "$REDIS_PASSWORD"';
const CLICKHOUSE_START = clickhouseStartCommand().join(' ');
const KVROCKS_COMMAND =
  'sh -c exec kvrocks -c /var/lib/kvrocks/kvrocks.conf --dir /var/lib/kvrocks/data --pidfile /var/run/kvrocks/kvrocks.pid --bind ' +
  '0.0.0.0 --compact-cron "0 3 * * *" --requirepass "$KVROCKS_PASSWORD"';

/**
 * Every deliberate difference from the upstream CVAT v2.73.0 compose file, with its reason.
 * `upstream`/`ours` are rendered as `compareWithCompose` renders them (`secret:<name>`,
 * `platform:<ref>`, addresses for component references); an omitted `upstream` matches any
 * upstream value (used for long values such as Traefik labels).
 */
export const UPSTREAM_DEVIATIONS: readonly UpstreamDeviation[] = [
  // --- backend (server, init job, workers): PostgreSQL --------------------------------------
  {
    components: BACKENDS,
    aspect: 'env',
    key: 'CVAT_POSTGRES_HOST',
    upstream: 'cvat_db',
    ours: 'platform:postgres.host',
    reason:
      'cvat_db is replaced by the managed PostgreSQL Flexible Server; infra renders its FQDN (resolved through the private ' +
      "endpoint's private DNS zone, never an IP).",
    evidence: [
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (DATABASES: CVAT_POSTGRES_HOST, default cvat_db)',
      'cvat-ai/cvat@v2.73.0 helm-chart/templates/_helpers.tpl (cvat.sharedBackendEnv sets CVAT_POSTGRES_HOST for an external database)',
    ].join('; '),
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_POSTGRES_PORT',
    upstream: '',
    ours: 'platform:postgres.port',
    reason: 'Explicit, so wait_for_deps.sh and settings do not rely on defaults meant for cvat_db.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (CVAT_POSTGRES_PORT, default 5432)',
      'cvat-ai/cvat@v2.73.0 backend_entrypoint.sh (wait_for_db)',
    ].join('; '),
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_POSTGRES_USER',
    upstream: '',
    ours: 'cvat_app',
    reason:
      'Upstream relies on the default user root with trust authentication. Here CVAT logs in as cvat_app, a role that owns the CVAT ' +
      "database without CREATEDB or CREATEROLE, created by the init job's database-role step; the administrator login stays with that job.",
    evidence: [
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (CVAT_POSTGRES_USER, default root)',
      'cvat-ai/cvat@v2.73.0 docker-compose.yml (cvat_db POSTGRES_HOST_AUTH_METHOD: trust)',
    ].join('; '),
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_POSTGRES_DBNAME',
    upstream: '',
    ours: 'platform:postgres.database',
    reason: 'The database infra creates on the managed server (default cvat, as upstream).',
    evidence: 'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (CVAT_POSTGRES_DBNAME, default cvat)',
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_POSTGRES_PASSWORD',
    upstream: '',
    ours: 'secret:postgres-cvat-password',
    reason:
      "Upstream uses trust authentication; the managed server requires a password: cvat_app's, generated into Key Vault and referenced " +
      'as an ACA secret.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (CVAT_POSTGRES_PASSWORD or CVAT_POSTGRES_PASSWORD_FILE, not both)',
      'cvat-ai/cvat@v2.73.0 helm-chart/templates/_helpers.tpl (cvat.sharedBackendEnv)',
    ].join('; '),
  },
  {
    components: ['cvat-init'],
    aspect: 'env-added',
    key: 'CVAT_POSTGRES_ADMIN_USER',
    upstream: '',
    ours: 'platform:postgres.user',
    reason: "The server's administrator login, held by the init job only: its database-role step creates cvat_app with it.",
    evidence: 'https://learn.microsoft.com/azure/postgresql/flexible-server/how-to-create-users (the administrator creates further roles)',
  },
  {
    components: ['cvat-init'],
    aspect: 'env-added',
    key: 'CVAT_POSTGRES_ADMIN_PASSWORD',
    upstream: '',
    ours: 'secret:postgres-admin-password',
    reason: "The administrator password, read only by the init job's database-role step (no app holds it).",
    evidence: 'https://learn.microsoft.com/azure/postgresql/flexible-server/how-to-create-users (the administrator creates further roles)',
  },
  // --- backend: Redis and kvrocks ------------------------------------------------------------
  {
    components: BACKENDS,
    aspect: 'env',
    key: 'CVAT_REDIS_INMEM_HOST',
    upstream: 'cvat_redis_inmem',
    ours: 'cvat-redis-inmem',
    reason: 'ACA app names (which are the in-environment host names) cannot contain underscores.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (CVAT_REDIS_INMEM_HOST)',
      'https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftapp',
    ].join('; '),
  },
  {
    components: BACKENDS,
    aspect: 'env',
    key: 'CVAT_REDIS_ONDISK_HOST',
    upstream: 'cvat_redis_ondisk',
    ours: 'cvat-redis-ondisk',
    reason: 'ACA app names cannot contain underscores.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (CVAT_REDIS_ONDISK_HOST)',
      'https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftapp',
    ].join('; '),
  },
  {
    // cvat-worker-utils also replaces cvat_worker_webhooks, which defines no password
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_REDIS_INMEM_PASSWORD',
    upstream: '',
    ours: 'secret:redis-inmem-password',
    reason: 'The in-memory Redis requires a password (every app in the environment can reach it); generated into Key Vault.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (CVAT_REDIS_INMEM_PASSWORD, default empty)',
      'cvat-ai/cvat@v2.73.0 helm-chart/templates/_helpers.tpl (cvat.sharedBackendEnv sets it)',
    ].join('; '),
  },
  {
    components: ['cvat-worker-utils'],
    aspect: 'env',
    key: 'CVAT_REDIS_INMEM_PASSWORD',
    upstream: '',
    ours: 'secret:redis-inmem-password',
    reason: 'Upstream defines it empty only because the rqscheduler supervisor config needs it defined; here Redis has a real password.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 supervisord/reusable/rqscheduler.conf (--password "%(ENV_CVAT_REDIS_INMEM_PASSWORD)s")',
      'cvat-ai/cvat@v2.73.0 backend_entrypoint.d/cvat.conf (cleaning includes rqscheduler)',
    ].join('; '),
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_REDIS_ONDISK_PASSWORD',
    upstream: '',
    ours: 'secret:kvrocks-password',
    reason: 'Kvrocks runs with --requirepass (as in the Helm chart); generated into Key Vault.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (CVAT_REDIS_ONDISK_PASSWORD)',
      'cvat-ai/cvat@v2.73.0 helm-chart/templates/cvat_kvrocks/statefulset.yml (--requirepass)',
    ].join('; '),
  },
  // --- backend: other ------------------------------------------------------------------------
  {
    components: BACKENDS,
    aspect: 'env',
    key: 'no_proxy',
    upstream: 'clickhouse,grafana,vector,nuclio,opa,',
    ours: 'clickhouse,grafana,vector,nuclio,opa',
    reason:
      "Compose appends the caller's ${no_proxy:-} (empty by default, leaving a trailing comma); ACA does no shell interpolation, " +
      "so the list is written out. The app names keep upstream's host names.",
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (x-backend-env no_proxy)',
  },
  {
    components: BACKENDS,
    aspect: 'env-dropped',
    key: 'CVAT_DEFAULT_BACKING_CS_ID',
    upstream: '',
    ours: '',
    reason:
      "Compose copies it from the caller's shell and it is unset by default; set it per environment with components.<name>.env " +
      'when a backing cloud storage is used.',
    evidence: 'cvat-ai/cvat@v2.73.0 cvat/apps/engine/default_settings.py (DEFAULT_BACKING_CS_ID = os.getenv("CVAT_DEFAULT_BACKING_CS_ID"))',
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_OPA_URL',
    upstream: '',
    ours: 'http://opa:8181',
    reason: 'Explicit OPA address (v2.73 reads CVAT_OPA_URL); the app is still named opa with TCP 8181 so the default would work too.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (IAM_OPA_URL = CVAT_OPA_URL, default http://opa:8181)',
      'cvat-ai/cvat@v2.73.0 helm-chart/templates/_helpers.tpl (cvat.sharedBackendEnv sets CVAT_OPA_URL)',
    ].join('; '),
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'DJANGO_SECRET_KEY',
    upstream: '',
    ours: 'secret:django-secret-key',
    reason:
      'Without it CVAT generates keys/secret_key.py with a hard link, which SMB does not support; one key from Key Vault also ' +
      'keeps sessions valid across replicas.',
    evidence:
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (DJANGO_SECRET_KEY, else generate_secret_key: keys/secret_key.py through os.link)',
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_HOST',
    upstream: '',
    ours: 'platform:edge.host',
    reason:
      'Upstream sets CVAT_HOST only on Traefik; here it is derived from the edge hostname for every backend so absolute links use the public host.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (CVAT_HOST, default localhost)',
      'cvat-ai/cvat@v2.73.0 docker-compose.yml (CVAT_HOST only on traefik)',
    ].join('; '),
  },
  {
    components: RUNNERS,
    aspect: 'env-added',
    key: 'CVAT_BASE_URL',
    upstream: '',
    ours: 'platform:edge.baseUrl',
    reason: 'Workers build absolute links too (e.g. in webhook payloads); without it they fall back to http://localhost:8080.',
    evidence: 'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (CVAT_BASE_URL, default http://<CVAT_HOST>:8080)',
  },
  {
    components: WORKERS,
    aspect: 'entrypoint',
    upstream: '',
    ours: rqRunnerCommand(true).join(' '),
    reason:
      "Upstream's `run worker` exec()s supervisord, whose default 10 s stop timeout (supervisord/worker.conf sets no " +
      'stopwaitsecs) kills a running job on every scale-in or revision change. The RQ runner (config/rq-runner/rq_runner.sh, ' +
      "through the entrypoint's `bash` subcommand) waits like `run worker` and then exec()s `django-admin rqworker` itself, so " +
      "SIGTERM reaches RQ's warm shutdown, which finishes the job within the 600 s grace period. In front, " +
      'config/worker-liveness/worker_liveness.py forks a /livez endpoint running django-admin workerprobe <queues> ' +
      "--expected-num-workers $NUMPROCS (upstream's Helm chart probes workers with an exec of that command; ACA has no exec " +
      'probes) and exec()s the rest in the same process.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 Dockerfile (ENTRYPOINT ["/opt/cvat/backend_entrypoint.sh"])',
      'cvat-ai/cvat@v2.73.0 backend_entrypoint.sh (cmd_bash: exec bash "$@", cmd_run: exec supervisord)',
      'cvat-ai/cvat@v2.73.0 supervisord/worker.conf (django-admin rqworker -v 3 %(ENV_CVAT_QUEUES)s --worker-class cvat.rqworker.DefaultWorker)',
      'https://github.com/rq/rq/blob/v1.16/rq/worker.py (request_stop: warm shutdown on SIGTERM)',
      'cvat-ai/cvat@v2.73.0 helm-chart/templates/_helpers.tpl (cvat.backend.worker.livenessProbe: exec django-admin workerprobe)',
      'https://learn.microsoft.com/azure/container-apps/health-probes',
    ].join('; '),
  },
  {
    components: EVENT_JOBS,
    aspect: 'entrypoint',
    upstream: '',
    ours: rqRunnerCommand(false).join(' '),
    reason:
      'An event-driven Container Apps Job runs the RQ runner (config/rq-runner/rq_runner.sh) without a liveness endpoint: each ' +
      'execution is a burst worker bounded by --max-jobs and the replica timeout, started by KEDA when the queue has jobs and ' +
      'never scaled in.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 backend_entrypoint.sh (cmd_bash: exec bash "$@")',
      'https://github.com/rq/django-rq/blob/v2.10.3/django_rq/management/commands/rqworker.py (--burst, --max-jobs)',
      'https://learn.microsoft.com/azure/container-apps/jobs#event-driven-jobs',
    ].join('; '),
  },
  ...RUNNERS.flatMap((name): UpstreamDeviation[] => {
    const queues = Object.keys(DEFAULT_QUEUE_RUNNERS).filter((q) => DEFAULT_QUEUE_RUNNERS[q] === name);
    const services = [...new Set(queues.map((q) => COMPOSE_WORKER_OF_QUEUE[q] as string))];
    const burst = EVENT_JOBS.includes(name);
    const { maxJobsPerExecution } = eventJobLimits(queues);
    const ours = rqRunnerArgs(queuesOfRunner(DEFAULT_QUEUE_RUNNERS, name), burst ? { burstMaxJobs: maxJobsPerExecution } : {}).join(' ');
    return services.map((service) => ({
      components: [name],
      service,
      aspect: 'command',
      ours,
      reason: burst
        ? 'The RQ runner takes the queue names and rqworker flags; an execution drains the queue (--burst) and takes at most as ' +
          'many jobs as fit in the replica timeout (--max-jobs).'
        : services.length > 1
          ? 'The RQ runner takes the queue names and rqworker flags per worker process, processes separated by `::`: the ' +
            'always-on queues share one app (one replica), the queue a caller waits on in an RQ worker process of its own, ' +
            'the queues that need a scheduler in a second one.'
          : 'The RQ runner takes the queue names and rqworker flags (`run worker` is what put supervisord in front).',
      evidence: [
        'cvat-ai/cvat@v2.73.0 backend_entrypoint.sh (cmd_run: queues and --flags after `run worker`)',
        'cvat-ai/cvat@v2.73.0 docker-compose.yml (worker commands)',
      ].join('; '),
    }));
  }),
  ...RUNNERS.flatMap((name): UpstreamDeviation[] => {
    const queues = Object.keys(DEFAULT_QUEUE_RUNNERS).filter((q) => DEFAULT_QUEUE_RUNNERS[q] === name);
    return [...new Set(queues.map((q) => COMPOSE_WORKER_OF_QUEUE[q] as string))]
      .filter((service) => TWO_PROCESS_SERVICES.includes(service))
      .map((service) => ({
        components: [name],
        service,
        aspect: 'env',
        key: 'NUMPROCS',
        upstream: '2',
        ours: '1',
        reason:
          service === COMPOSE_WORKER_OF_QUEUE.chunks
            ? 'One RQ worker process per queue group (the runner reads no NUMPROCS): chunks gets one process of its own on the ' +
              'utils worker, which has exactly one replica, so chunks is built one job at a time; queueRunners chunks: ' +
              "cvat-worker-chunks runs it on its own worker with a second replica while chunk jobs queue up. Upstream's Helm " +
              'chart runs numProcs 1 per worker, with 2 replicas for chunks.'
            : 'One RQ worker process per replica or execution (no supervisord to run several): parallelism comes from replicas and ' +
              "job executions instead; upstream's Helm chart runs numProcs 1 per worker too.",
        evidence: [
          'cvat-ai/cvat@v2.73.0 docker-compose.yml (NUMPROCS 2 on import, export, chunks)',
          'cvat-ai/cvat@v2.73.0 helm-chart/values.yaml (cvat.backend.worker.*.numProcs: 1, cvat.backend.worker.chunks.replicas: 2)',
        ].join('; '),
      }));
  }),
  {
    components: ['cvat-server', 'cvat-init'],
    aspect: 'env',
    key: 'CVAT_BASE_URL',
    upstream: '',
    ours: 'platform:edge.baseUrl',
    reason: "Compose takes it from the caller's shell (unset → http://localhost:8080); here it is https://<edge host>.",
    evidence: [
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (CVAT_BASE_URL, default http://<CVAT_HOST>:8080)',
      'cvat-ai/cvat@v2.73.0 docker-compose.yml (cvat_server CVAT_BASE_URL: empty)',
    ].join('; '),
  },
  {
    components: BACKENDS,
    aspect: 'env',
    key: 'CVAT_NUM_PROXIES',
    upstream: '1',
    ours: 'platform:edge.numProxies',
    reason:
      'Derived from the edge mode instead of a fixed 1, counting as upstream does the proxies in front of the server container ' +
      "(the v2.73 entrypoint adds the image's own nginx: cvat-ai/cvat@v2.73.0 backend_entrypoint.sh account_for_internal_proxy; " +
      'helm-chart/values.yaml numProxies: 1): 1 behind the Traefik VM, as compose, and 0 with edge.mode none. The ACA ingress is ' +
      'TCP for the server in both modes and appends nothing; HTTP ingress would add one (rule numProxiesMatchesEdge).',
    evidence: [
      'cvat-ai/cvat@v2.73.0 backend_entrypoint.sh (account_for_internal_proxy)',
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (REST_FRAMEWORK NUM_PROXIES)',
      'cvat-ai/cvat@v2.73.0 helm-chart/values.yaml (cvat.backend.numProxies: 1)',
    ].join('; '),
  },
  {
    components: ['cvat-server', 'cvat-init'],
    aspect: 'env-dropped',
    key: 'ONE_RUNNING_JOB_IN_QUEUE_PER_USER',
    upstream: '',
    ours: '',
    reason:
      "Compose copies it from the caller's shell and it is unset by default (settings default false); set it with components.cvat-server.env when wanted.",
    evidence: 'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (ONE_RUNNING_JOB_IN_QUEUE_PER_USER, default False)',
  },
  {
    components: CLICKHOUSE_USERS,
    aspect: 'env',
    key: 'CLICKHOUSE_PASSWORD',
    upstream: 'user',
    ours: 'secret:clickhouse-password',
    reason: "Upstream's public default password is replaced by a generated secret.",
    evidence: [
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (CLICKHOUSE PASSWORD, default user)',
      'cvat-ai/cvat@v2.73.0 components/analytics/clickhouse/init.py (CLICKHOUSE_PASSWORD)',
    ].join('; '),
  },
  // --- server and init job: `init run server nginx` split ------------------------------------
  {
    components: ['cvat-server'],
    aspect: 'command',
    upstream: 'init run server nginx',
    ours: 'run server nginx',
    reason:
      'Migrations move to the one-shot cvat-init job: concurrent `init` in several replicas can corrupt the database, and every ' +
      '`run` waits for `migrate --check` by itself.',
    evidence:
      'cvat-ai/cvat@v2.73.0 backend_entrypoint.sh (cmd_run waits for migrate --check and migrateredis --check before run server [nginx])',
  },
  {
    components: ['cvat-init'],
    aspect: 'command',
    upstream: 'init run server nginx',
    ours: 'init',
    reason: 'The job runs only `init` (migrate, migrateredis, syncperiodicjobs, ClickHouse schema) once per image change.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 backend_entrypoint.sh (cmd_init: migrate, migrateredis, syncperiodicjobs, ClickHouse init.py when CVAT_ANALYTICS=1)',
      'cvat-ai/cvat@v2.73.0 helm-chart/templates/cvat_backend/initializer/job.yml (args ["init"])',
    ].join('; '),
  },
  {
    components: ['cvat-server'],
    aspect: 'env',
    key: 'ALLOWED_HOSTS',
    upstream: '*',
    ours: 'platform:edge.allowedHosts',
    reason: 'Restricted to the public host plus cvat-server (the host OPA and the probes use) instead of any host.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 cvat/settings/base.py (ALLOWED_HOSTS split on ",")',
      'cvat-ai/cvat@v2.73.0 cvat/apps/health/backends.py (OPA health check)',
    ].join('; '),
  },
  {
    components: ['cvat-init'],
    aspect: 'env-dropped',
    key: 'ALLOWED_HOSTS',
    upstream: '*',
    ours: '',
    reason: 'The init job serves no HTTP requests.',
    evidence: 'cvat-ai/cvat@v2.73.0 backend_entrypoint.sh (cmd_init serves no HTTP)',
  },
  {
    components: ['cvat-init'],
    aspect: 'env-dropped',
    key: 'NUMPROCS',
    upstream: '2',
    ours: '',
    reason: 'NUMPROCS sizes the uvicorn pool of a running server; the init job starts none.',
    evidence: 'cvat-ai/cvat@v2.73.0 supervisord/server.conf (uvicorn numprocs=%(ENV_NUMPROCS)s)',
  },
  {
    components: ['cvat-init'],
    aspect: 'env-dropped',
    key: 'DJANGO_MODWSGI_EXTRA_ARGS',
    upstream: '',
    ours: '',
    reason:
      'Read nowhere in the v2.73.0 code (compose sets it, nothing reads it); the server keeps it as upstream, the init job has no use for it.',
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (the only place DJANGO_MODWSGI_EXTRA_ARGS appears in the v2.73.0 tree)',
  },
  {
    components: ['cvat-init'],
    aspect: 'env-dropped',
    key: 'ADAPTIVE_AUTO_ANNOTATION',
    upstream: 'false',
    ours: '',
    reason:
      'Read nowhere in the v2.73.0 code (compose sets it, nothing reads it); the server keeps it as upstream, the init job has no use for it.',
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (the only place ADAPTIVE_AUTO_ANNOTATION appears in the v2.73.0 tree)',
  },
  {
    components: ['cvat-init'],
    aspect: 'env-added',
    key: 'DJANGO_SUPERUSER_USERNAME',
    upstream: '',
    ours: 'admin',
    reason:
      'Names the superuser that the deploy creates once, after the first successful migration, with a second execution of the ' +
      'init job (same image, env and settings) instead of a shell in a replica; see docs/deploy.md.',
    evidence:
      'https://docs.djangoproject.com/en/5.2/ref/django-admin/#createsuperuser (DJANGO_SUPERUSER_* with --noinput, Django 5.2 per cvat-ai/cvat@v2.73.0 cvat/requirements/base.txt)',
  },
  {
    components: ['cvat-init'],
    aspect: 'env-added',
    key: 'DJANGO_SUPERUSER_EMAIL',
    upstream: '',
    ours: 'admin@cvat.invalid',
    reason: 'The superuser the deploy creates needs an e-mail; a reserved .invalid address, change it in the UI.',
    evidence: 'https://docs.djangoproject.com/en/5.2/ref/django-admin/#createsuperuser',
  },
  {
    components: ['cvat-init'],
    aspect: 'env-added',
    key: 'DJANGO_SUPERUSER_PASSWORD',
    upstream: '',
    ours: 'secret:cvat-superuser-password',
    reason: "The first superuser's password, generated into Key Vault (smoke tests and operators read it there).",
    evidence: 'https://docs.djangoproject.com/en/5.2/ref/django-admin/#createsuperuser',
  },
  {
    components: ['cvat-server', 'cvat-init'],
    aspect: 'labels',
    reason:
      'Traefik Docker labels have no ACA equivalent; the edge routes /api/, /static/, /admin, /django-rq (and /analytics without ' +
      "Grafana) to cvat-server:8080 from its own configuration, the catalogue's edgeRoutes().",
    ours: '',
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (cvat_server traefik.http.routers.cvat.rule)',
  },
  {
    components: ['cvat-ui'],
    aspect: 'labels',
    reason: 'Traefik Docker labels have no ACA equivalent; the edge sends every other path to cvat-ui:8000 (edgeRoutes()).',
    ours: '',
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (cvat_ui traefik.http.routers.cvat-ui.rule)',
  },
  // --- in-memory Redis -----------------------------------------------------------------------
  {
    components: ['cvat-redis-inmem'],
    aspect: 'command',
    upstream: 'redis-server --save 60 100 --appendonly yes',
    ours: REDIS_ARGS,
    reason:
      'Same persistence flags plus --requirepass from the secret. ACA passes args without variable expansion, so a shell expands ' +
      '$REDIS_PASSWORD and execs the image entrypoint (which drops to the redis user).',
    evidence: [
      'cvat-ai/cvat@v2.73.0 docker-compose.yml (cvat_redis_inmem command)',
      'https://redis.io/docs/latest/operate/oss_and_stack/management/security/#authentication',
    ].join('; '),
  },
  {
    components: ['cvat-redis-inmem'],
    aspect: 'env-added',
    key: 'REDIS_PASSWORD',
    upstream: '',
    ours: 'secret:redis-inmem-password',
    reason: 'Source of --requirepass.',
    evidence: 'https://redis.io/docs/latest/operate/oss_and_stack/management/security/#authentication',
  },
  // --- ClickHouse ------------------------------------------------------------------------------
  {
    components: ['clickhouse'],
    aspect: 'entrypoint',
    upstream: '',
    ours: CLICKHOUSE_START,
    reason:
      "Writes the quiet configuration (config/clickhouse/cvat-quiet.xml) into the image's config.d, then exec()s the image's own " +
      'entrypoint, which creates the CLICKHOUSE_USER and starts the server as upstream does.',
    evidence: [
      'https://github.com/ClickHouse/ClickHouse/blob/dda060063be9d2d473d6b6d814be2eabbe1fa6c9/docker/server/Dockerfile.alpine (ENTRYPOINT)',
      'https://github.com/ClickHouse/ClickHouse/blob/00b7432bc3c55dc83b116bb5da0863d2a8066847/docker/server/entrypoint.sh (user, exec)',
    ].join('; '),
  },
  {
    components: ['clickhouse'],
    aspect: 'env-added',
    key: CLICKHOUSE_CONFIG.env,
    upstream: '',
    ours: clickhouseConfigXml(),
    reason:
      'The configuration the start command writes: every system log but crash_log removed (the timed ones write all month and grow ' +
      'without a TTL on the 2 GiB replica storage), asynchronous metrics once a minute, no asynchronous insert queue, warnings to ' +
      'the console instead of trace-level log files. Upstream runs the stock configuration.',
    evidence: [
      'https://github.com/ClickHouse/ClickHouse/blob/001409ce725057e78f20cef6f6f0b18d45521a3a/programs/server/config.xml (system logs)',
      'https://github.com/ClickHouse/ClickHouse/issues/60016',
      'https://github.com/ClickHouse/ClickHouse/issues/106160',
      'https://learn.microsoft.com/azure/container-apps/billing (idle criteria)',
    ].join('; '),
  },
  // --- kvrocks -------------------------------------------------------------------------------
  {
    components: ['cvat-redis-ondisk'],
    aspect: 'command',
    upstream: '--compact-cron 0 3 * * *',
    ours: '',
    reason: 'The flags moved into the entrypoint override below, which needs a shell for the password.',
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (cvat_redis_ondisk command)',
  },
  {
    components: ['cvat-redis-ondisk'],
    aspect: 'entrypoint',
    upstream: '',
    ours: KVROCKS_COMMAND,
    reason:
      "The image entrypoint plus --dir /var/lib/kvrocks/data (data in a subdirectory so the mount does not hide the image's " +
      "kvrocks.conf) and --requirepass from the secret (as the Helm chart does), with upstream's --compact-cron kept.",
    evidence: [
      'cvat-ai/cvat@v2.73.0 helm-chart/templates/cvat_kvrocks/statefulset.yml (--compact-cron and --requirepass)',
      'https://github.com/cvat-ai/cvat/issues/9716',
    ].join('; '),
  },
  {
    components: ['cvat-redis-ondisk'],
    aspect: 'volumes',
    upstream: '/var/lib/kvrocks',
    ours: '/var/lib/kvrocks/data',
    reason:
      'Mounting over /var/lib/kvrocks hides kvrocks.conf (CVAT #9716); the cache sits on replica-scoped ephemeral storage ' +
      'because RocksDB fails on SMB (locks, hard links).',
    evidence: [
      'https://github.com/cvat-ai/cvat/issues/9716',
      'https://learn.microsoft.com/troubleshoot/azure/azure-storage/files/files-troubleshoot-linux-smb',
    ].join('; '),
  },
  {
    components: ['cvat-redis-ondisk'],
    aspect: 'init',
    upstream: 'true',
    ours: '',
    reason:
      'Compose adds an init process because Docker runs the image HEALTHCHECK and leaves zombies; ACA ignores image HEALTHCHECKs ' +
      '(TCP probes instead), so nothing spawns children.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 docker-compose.yml (cvat_redis_ondisk init: true and its comment)',
      'https://learn.microsoft.com/azure/container-apps/health-probes',
    ].join('; '),
  },
  {
    components: ['cvat-redis-ondisk'],
    aspect: 'env-added',
    key: 'KVROCKS_PASSWORD',
    upstream: '',
    ours: 'secret:kvrocks-password',
    reason: 'Source of --requirepass.',
    evidence: 'cvat-ai/cvat@v2.73.0 helm-chart/templates/cvat_kvrocks/statefulset.yml (--requirepass "$(CVAT_REDIS_ONDISK_PASSWORD)")',
  },
  // --- vector --------------------------------------------------------------------------------
  {
    components: ['vector'],
    aspect: 'volumes',
    upstream: '/etc/vector/vector.toml, /vector-data-dir',
    ours: '/etc/vector, /vector-data-dir',
    reason:
      'ACA cannot bind-mount a single file: vector.toml is uploaded to the config share and its vector/ directory is mounted ' +
      'read-only at /etc/vector; the tmpfs becomes an ephemeral volume.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 docker-compose.yml (cvat_vector volumes)',
      'https://learn.microsoft.com/azure/container-apps/storage-mounts',
    ].join('; '),
  },
  {
    components: ['vector'],
    aspect: 'user',
    upstream: '"1000:1000"',
    ours: '',
    reason:
      'ACA cannot override the container user; vector runs as the image user (root), which can read the read-only config mount ' +
      'and write its ephemeral data dir.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 docker-compose.yml (cvat_vector user: 1000:1000)',
      'https://learn.microsoft.com/azure/container-apps/containers',
    ].join('; '),
  },
  // --- opa -----------------------------------------------------------------------------------
  {
    components: ['opa'],
    aspect: 'command',
    upstream:
      'run --server --addr=:8181 --log-level=error --set=services.cvat.url=http://cvat-server:8080 --set=bundles.cvat.service=cvat ' +
      '--set=bundles.cvat.resource=/api/auth/rules --set=bundles.cvat.polling.min_delay_seconds=5 ' +
      '--set=bundles.cvat.polling.max_delay_seconds=15',
    ours:
      'run --server --addr=:8181 --log-level=error --set=services.cvat.url=http://cvat-server:8080 --set=bundles.cvat.service=cvat ' +
      `--set=bundles.cvat.resource=/api/auth/rules --set=bundles.cvat.polling.min_delay_seconds=${OPA_BUNDLE_POLLING.minDelaySeconds} ` +
      `--set=bundles.cvat.polling.max_delay_seconds=${OPA_BUNDLE_POLLING.maxDelaySeconds}`,
    reason:
      "OPA polls its policy bundle every 5-10 minutes instead of every 5-15 s, so cvat-server can meet Container Apps' idle criteria " +
      '(no HTTP request) between users. The bundle is built from the rules inside the server image and changes only with it, and ' +
      `OPA carries that image (${OPA_SERVER_IMAGE_ENV}, the next entry), so an upgrade restarts OPA on the new rules instead of ` +
      'leaving it on the previous ones until its next poll; a failed first poll is retried with a back-off capped at the max delay.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 docker-compose.yml (cvat_opa command, polling 5/15 s)',
      "cvat-ai/cvat@v2.73.0 cvat/apps/iam/utils.py (get_opa_bundle: the bundle is the image's rules/*.rego, its ETag their hash)",
      'cvat-ai/cvat@v2.73.0 cvat/apps/iam/views.py (RulesView: ETag, 304 Not Modified)',
      'https://github.com/open-policy-agent/opa/blob/main/v1/download/download.go (loop: a random delay between min and max after a ' +
        'poll, a failed one retried with a back-off capped at max)',
      'https://www.openpolicyagent.org/docs/configuration#bundles (polling.min_delay_seconds, polling.max_delay_seconds)',
    ].join('; '),
  },
  {
    components: ['opa'],
    aspect: 'env-added',
    key: OPA_SERVER_IMAGE_ENV,
    upstream: '',
    ours: `cvat/server:${CVAT_VERSION}`,
    reason:
      "The server's image reference (componentRef part image, following cvatVersion and image overrides), which OPA ignores: a new " +
      "server image changes OPA's template, so Container Apps starts a new OPA revision after the server's. OPA downloads the bundle " +
      'as it starts and is ready only with it (/health?bundles), while the old revision answers until then, so after an upgrade ' +
      'the previous rules last one OPA start, not up to the max delay of the slower polling above. Rule opaFollowsServerImage.',
    evidence: [
      "cvat-ai/cvat@v2.73.0 cvat/apps/iam/utils.py (get_opa_bundle: the bundle is the image's rules/*.rego)",
      'https://github.com/open-policy-agent/opa/blob/main/v1/download/download.go (loop: the first download before the first delay)',
      'https://learn.microsoft.com/azure/container-apps/revisions (revision-scope changes create a new revision, single revision mode)',
      'https://learn.microsoft.com/azure/container-apps/application-lifecycle-management (zero downtime: the old revision serves until ' +
        'a replica of the new one passes its startup and readiness probes)',
    ].join('; '),
  },
  // --- grafana -------------------------------------------------------------------------------
  {
    components: ['grafana'],
    aspect: 'entrypoint',
    reason:
      'Upstream writes the datasource and dashboard provisioning with a shell heredoc; here the same files ship in ' +
      'packages/catalogue/config/grafana and come from the config share, so the image entrypoint runs unchanged.',
    ours: '',
    evidence: [
      'cvat-ai/cvat@v2.73.0 docker-compose.yml (cvat_grafana entrypoint heredoc)',
      'cvat-ai/cvat@v2.73.0 components/analytics/grafana/dashboards/all_events.json',
    ].join('; '),
  },
  {
    components: ['grafana'],
    aspect: 'volumes',
    upstream: '/var/lib/grafana/dashboards',
    ours: '/etc/grafana/provisioning, /var/lib/grafana/dashboards',
    reason:
      'Provisioning files are mounted from the config share instead of being written at start-up; the dashboards come from the same share.',
    evidence: [
      'cvat-ai/cvat@v2.73.0 docker-compose.yml (cvat_grafana volumes)',
      'https://learn.microsoft.com/azure/container-apps/storage-mounts',
    ].join('; '),
  },
  {
    components: ['grafana'],
    aspect: 'env',
    key: 'GF_SERVER_ROOT_URL',
    upstream: 'http://localhost/analytics',
    ours: 'platform:edge.analyticsUrl',
    reason: 'Derived from the edge hostname (https://<host>/analytics).',
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (cvat_grafana GF_SERVER_ROOT_URL)',
  },
  // --- edge (traefik) ------------------------------------------------------------------------
  {
    components: ['edge'],
    aspect: 'image',
    upstream: 'traefik:v3.6',
    ours: 'traefik:v3.6.5',
    reason: 'Pinned to a patch release so the edge VM is reproducible.',
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (traefik image traefik:v3.6)',
  },
  {
    components: ['edge'],
    aspect: 'env',
    key: 'CVAT_HOST',
    upstream: 'localhost',
    ours: 'platform:edge.host',
    reason: 'The public hostname of the environment.',
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (traefik CVAT_HOST)',
  },
  {
    components: ['edge'],
    aspect: 'env-dropped',
    key: 'DJANGO_LOG_VIEWER_HOST',
    upstream: 'grafana',
    ours: '',
    reason:
      "Only read by upstream's grafana_conf.yml rule file; the edge routes /analytics to the grafana app from its own configuration (edgeRoutes()).",
    evidence: 'cvat-ai/cvat@v2.73.0 components/analytics/grafana_conf.yml (reads DJANGO_LOG_VIEWER_HOST)',
  },
  {
    components: ['edge'],
    aspect: 'env-dropped',
    key: 'DJANGO_LOG_VIEWER_PORT',
    upstream: '3000',
    ours: '',
    reason: 'As DJANGO_LOG_VIEWER_HOST.',
    evidence: 'cvat-ai/cvat@v2.73.0 components/analytics/grafana_conf.yml (reads DJANGO_LOG_VIEWER_PORT)',
  },
  {
    components: ['edge'],
    aspect: 'env-dropped',
    key: 'TRAEFIK_ENTRYPOINTS_web_ADDRESS',
    upstream: ':8080',
    ours: '',
    reason: "The edge listens on 80 (redirect) and 443 (TLS with Let's Encrypt), configured by infra's cloud-init.",
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (traefik environment)',
  },
  {
    components: ['edge'],
    aspect: 'env-dropped',
    key: 'TRAEFIK_PROVIDERS_DOCKER_EXPOSEDBYDEFAULT',
    upstream: 'false',
    ours: '',
    reason: 'No Docker provider: the backends are container apps reached through the environment, not containers on the same host.',
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (traefik environment)',
  },
  {
    components: ['edge'],
    aspect: 'env-dropped',
    key: 'TRAEFIK_PROVIDERS_DOCKER_NETWORK',
    upstream: 'cvat',
    ours: '',
    reason: 'No Docker provider.',
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (traefik environment)',
  },
  {
    components: ['edge'],
    aspect: 'env-dropped',
    key: 'TRAEFIK_PROVIDERS_FILE_DIRECTORY',
    upstream: '/etc/traefik/rules',
    ours: '',
    reason: "The dynamic configuration file is placed by infra's cloud-init.",
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (traefik environment, volumes)',
  },
  {
    components: ['edge'],
    aspect: 'volumes',
    upstream: '/etc/traefik/rules/grafana_conf.yml, /var/run/docker.sock',
    ours: '',
    reason: 'The edge is a VM, not a container app: no Docker socket provider and no mounts; its configuration comes from cloud-init.',
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (traefik volumes)',
  },
  {
    components: ['edge'],
    aspect: 'ports',
    upstream: '["8080:8080","8090:8090"]',
    ours: '',
    reason: "The public entry is the VM's public IP on 80/443; the dashboard port 8090 is not opened.",
    evidence: 'cvat-ai/cvat@v2.73.0 docker-compose.yml (traefik ports)',
  },
];

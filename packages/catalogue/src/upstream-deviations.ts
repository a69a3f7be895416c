import { WORKER_NAMES } from './components';
import type { UpstreamDeviation, UpstreamReplacement } from './upstream';
import { workerLivenessCommand } from './worker-liveness';

/** Compose services replaced by something that is not a catalogue component. */
export const UPSTREAM_REPLACEMENTS: readonly UpstreamReplacement[] = [
  {
    service: 'cvat_db',
    replacedBy: 'Azure Database for PostgreSQL Flexible Server (env `platformRef: postgres.*`)',
    reason:
      'PostgreSQL cannot keep its data on Azure Files SMB (no chown, no hard links for WAL) and ACA has no block disks; the managed server adds backups, point-in-time restore and TLS. CVAT supports an external database through CVAT_POSTGRES_*.',
  },
];

const WORKERS = [...WORKER_NAMES];
const BACKENDS = ['cvat-server', 'cvat-init', ...WORKERS];
const CLICKHOUSE_USERS = ['cvat-server', 'cvat-init', 'cvat-worker-export', 'clickhouse', 'vector', 'grafana'];

const REDIS_ARGS = 'sh -c exec docker-entrypoint.sh redis-server --save 60 100 --appendonly yes --requirepass "$REDIS_PASSWORD"';
const KVROCKS_COMMAND =
  'sh -c exec kvrocks -c /var/lib/kvrocks/kvrocks.conf --dir /var/lib/kvrocks/data --pidfile /var/run/kvrocks/kvrocks.pid --bind 0.0.0.0 --compact-cron "0 3 * * *" --requirepass "$KVROCKS_PASSWORD"';

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
    reason: 'cvat_db is replaced by the managed PostgreSQL Flexible Server; infra renders its FQDN (resolved through the private endpoint\'s private DNS zone, never an IP).',
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_POSTGRES_PORT',
    upstream: '',
    ours: 'platform:postgres.port',
    reason: 'Explicit, so wait_for_deps.sh and settings do not rely on defaults meant for cvat_db.',
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_POSTGRES_USER',
    upstream: '',
    ours: 'platform:postgres.user',
    reason: 'Upstream relies on the default user root with trust authentication; the managed server has a named administrator login.',
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_POSTGRES_DBNAME',
    upstream: '',
    ours: 'platform:postgres.database',
    reason: 'The database infra creates on the managed server (default cvat, as upstream).',
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_POSTGRES_PASSWORD',
    upstream: '',
    ours: 'secret:postgres-admin-password',
    reason: 'Upstream uses trust authentication; the managed server requires a password, generated into Key Vault and referenced as an ACA secret.',
  },
  // --- backend: Redis and kvrocks ------------------------------------------------------------
  {
    components: BACKENDS,
    aspect: 'env',
    key: 'CVAT_REDIS_INMEM_HOST',
    upstream: 'cvat_redis_inmem',
    ours: 'cvat-redis-inmem',
    reason: 'ACA app names (which are the in-environment host names) cannot contain underscores.',
  },
  {
    components: BACKENDS,
    aspect: 'env',
    key: 'CVAT_REDIS_ONDISK_HOST',
    upstream: 'cvat_redis_ondisk',
    ours: 'cvat-redis-ondisk',
    reason: 'ACA app names cannot contain underscores.',
  },
  {
    components: BACKENDS.filter((x) => x !== 'cvat-worker-utils'),
    aspect: 'env-added',
    key: 'CVAT_REDIS_INMEM_PASSWORD',
    upstream: '',
    ours: 'secret:redis-inmem-password',
    reason: 'The in-memory Redis requires a password (every app in the environment can reach it); generated into Key Vault.',
  },
  {
    components: ['cvat-worker-utils'],
    aspect: 'env',
    key: 'CVAT_REDIS_INMEM_PASSWORD',
    upstream: '',
    ours: 'secret:redis-inmem-password',
    reason: 'Upstream defines it empty only because the rqscheduler supervisor config needs it defined; here Redis has a real password.',
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_REDIS_ONDISK_PASSWORD',
    upstream: '',
    ours: 'secret:kvrocks-password',
    reason: 'Kvrocks runs with --requirepass (as in the Helm chart); generated into Key Vault.',
  },
  // --- backend: other ------------------------------------------------------------------------
  {
    components: BACKENDS,
    aspect: 'env',
    key: 'no_proxy',
    upstream: 'clickhouse,grafana,vector,nuclio,opa,',
    ours: 'clickhouse,grafana,vector,nuclio,opa',
    reason: 'Compose appends the caller\'s ${no_proxy:-} (empty by default, leaving a trailing comma); ACA does no shell interpolation, so the list is written out. The app names keep upstream\'s host names.',
  },
  {
    components: BACKENDS,
    aspect: 'env-dropped',
    key: 'CVAT_DEFAULT_BACKING_CS_ID',
    upstream: '',
    ours: '',
    reason: 'Compose copies it from the caller\'s shell and it is unset by default; set it per environment with components.<name>.env when a backing cloud storage is used.',
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_OPA_URL',
    upstream: '',
    ours: 'http://opa:8181',
    reason: 'Explicit OPA address (v2.73 reads CVAT_OPA_URL); the app is still named opa with TCP 8181 so the default would work too.',
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'DJANGO_SECRET_KEY',
    upstream: '',
    ours: 'secret:django-secret-key',
    reason: 'Without it CVAT generates keys/secret_key.py with a hard link, which SMB does not support; one key from Key Vault also keeps sessions valid across replicas.',
  },
  {
    components: BACKENDS,
    aspect: 'env-added',
    key: 'CVAT_HOST',
    upstream: '',
    ours: 'platform:edge.host',
    reason: 'Upstream sets CVAT_HOST only on Traefik; here it is derived from the edge hostname for every backend so absolute links use the public host.',
  },
  {
    components: WORKERS,
    aspect: 'env-added',
    key: 'CVAT_BASE_URL',
    upstream: '',
    ours: 'platform:edge.baseUrl',
    reason: 'Workers build absolute links too (e.g. in webhook payloads); without it they fall back to http://localhost:8080.',
  },
  {
    components: WORKERS,
    aspect: 'entrypoint',
    upstream: '',
    ours: workerLivenessCommand().join(' '),
    reason:
      'The image entrypoint (/opt/cvat/backend_entrypoint.sh, cvat-ai/cvat@v2.73.0 Dockerfile ENTRYPOINT) is exec()ed with upstream\'s args by config/worker-liveness/worker_liveness.py, which first forks a /livez endpoint running django-admin workerprobe <queues> --expected-num-workers $NUMPROCS: upstream\'s Helm chart probes workers with an exec of that command (helm-chart/templates/_helpers.tpl cvat.backend.worker.livenessProbe), and ACA has no exec probes (rule workerLivenessWired).',
  },
  {
    components: ['cvat-server', 'cvat-init'],
    aspect: 'env',
    key: 'CVAT_BASE_URL',
    upstream: '',
    ours: 'platform:edge.baseUrl',
    reason: 'Compose takes it from the caller\'s shell (unset → http://localhost:8080); here it is https://<edge host>.',
  },
  {
    components: BACKENDS,
    aspect: 'env',
    key: 'CVAT_NUM_PROXIES',
    upstream: '1',
    ours: 'platform:edge.numProxies',
    reason:
      'Derived from the edge mode instead of a fixed 1, counting as upstream does the proxies in front of the server container (the v2.73 entrypoint adds the image\'s own nginx: cvat-ai/cvat@v2.73.0 backend_entrypoint.sh account_for_internal_proxy; helm-chart/values.yaml numProxies: 1): 1 behind the Traefik VM, as compose, and 0 with edge.mode none. The ACA ingress is TCP for the server in both modes and appends nothing; HTTP ingress would add one (rule numProxiesMatchesEdge).',
  },
  {
    components: ['cvat-server', 'cvat-init'],
    aspect: 'env-dropped',
    key: 'ONE_RUNNING_JOB_IN_QUEUE_PER_USER',
    upstream: '',
    ours: '',
    reason: 'Compose copies it from the caller\'s shell and it is unset by default (settings default false); set it with components.cvat-server.env when wanted.',
  },
  {
    components: CLICKHOUSE_USERS,
    aspect: 'env',
    key: 'CLICKHOUSE_PASSWORD',
    upstream: 'user',
    ours: 'secret:clickhouse-password',
    reason: 'Upstream\'s public default password is replaced by a generated secret.',
  },
  // --- server and init job: `init run server nginx` split ------------------------------------
  {
    components: ['cvat-server'],
    aspect: 'command',
    upstream: 'init run server nginx',
    ours: 'run server nginx',
    reason: 'Migrations move to the one-shot cvat-init job: concurrent `init` in several replicas can corrupt the database, and every `run` waits for `migrate --check` by itself.',
  },
  {
    components: ['cvat-init'],
    aspect: 'command',
    upstream: 'init run server nginx',
    ours: 'init',
    reason: 'The job runs only `init` (migrate, migrateredis, syncperiodicjobs, ClickHouse schema) once per image change.',
  },
  {
    components: ['cvat-server'],
    aspect: 'env',
    key: 'ALLOWED_HOSTS',
    upstream: '*',
    ours: 'platform:edge.allowedHosts',
    reason: 'Restricted to the public host plus cvat-server (the host OPA and the probes use) instead of any host.',
  },
  {
    components: ['cvat-init'],
    aspect: 'env-dropped',
    key: 'ALLOWED_HOSTS',
    upstream: '*',
    ours: '',
    reason: 'The init job serves no HTTP requests.',
  },
  {
    components: ['cvat-init'],
    aspect: 'env-dropped',
    key: 'NUMPROCS',
    upstream: '2',
    ours: '',
    reason: 'NUMPROCS sizes the uvicorn pool of a running server; the init job starts none.',
  },
  {
    components: ['cvat-init'],
    aspect: 'env-dropped',
    key: 'DJANGO_MODWSGI_EXTRA_ARGS',
    upstream: '',
    ours: '',
    reason: 'Legacy server option; the init job starts no web server.',
  },
  {
    components: ['cvat-init'],
    aspect: 'env-dropped',
    key: 'ADAPTIVE_AUTO_ANNOTATION',
    upstream: 'false',
    ours: '',
    reason: 'Only read while serving requests.',
  },
  {
    components: ['cvat-init'],
    aspect: 'env-added',
    key: 'DJANGO_SUPERUSER_USERNAME',
    upstream: '',
    ours: 'admin',
    reason: 'Names the superuser that the deploy creates once, after the first successful migration, with a second execution of the init job (same image, env and settings) instead of a shell in a replica; see docs/deploy.md.',
  },
  {
    components: ['cvat-init'],
    aspect: 'env-added',
    key: 'DJANGO_SUPERUSER_EMAIL',
    upstream: '',
    ours: 'admin@cvat.invalid',
    reason: 'The superuser the deploy creates needs an e-mail; a reserved .invalid address, change it in the UI.',
  },
  {
    components: ['cvat-init'],
    aspect: 'env-added',
    key: 'DJANGO_SUPERUSER_PASSWORD',
    upstream: '',
    ours: 'secret:cvat-superuser-password',
    reason: 'The first superuser\'s password, generated into Key Vault (smoke tests and operators read it there).',
  },
  {
    components: ['cvat-server', 'cvat-init'],
    aspect: 'labels',
    reason: 'Traefik Docker labels have no ACA equivalent; the edge routes /api/, /static/, /admin, /django-rq (and /analytics without Grafana) to cvat-server:8080 from its own configuration, the catalogue\'s edgeRoutes().',
    ours: '',
  },
  {
    components: ['cvat-ui'],
    aspect: 'labels',
    reason: 'Traefik Docker labels have no ACA equivalent; the edge sends every other path to cvat-ui:8000 (edgeRoutes()).',
    ours: '',
  },
  // --- in-memory Redis -----------------------------------------------------------------------
  {
    components: ['cvat-redis-inmem'],
    aspect: 'command',
    upstream: 'redis-server --save 60 100 --appendonly yes',
    ours: REDIS_ARGS,
    reason:
      'Same persistence flags plus --requirepass from the secret. ACA passes args without variable expansion, so a shell expands $REDIS_PASSWORD and execs the image entrypoint (which drops to the redis user).',
  },
  {
    components: ['cvat-redis-inmem'],
    aspect: 'env-added',
    key: 'REDIS_PASSWORD',
    upstream: '',
    ours: 'secret:redis-inmem-password',
    reason: 'Source of --requirepass.',
  },
  // --- kvrocks -------------------------------------------------------------------------------
  {
    components: ['cvat-redis-ondisk'],
    aspect: 'command',
    upstream: '--compact-cron 0 3 * * *',
    ours: '',
    reason: 'The flags moved into the entrypoint override below, which needs a shell for the password.',
  },
  {
    components: ['cvat-redis-ondisk'],
    aspect: 'entrypoint',
    upstream: '',
    ours: KVROCKS_COMMAND,
    reason:
      'The image entrypoint plus --dir /var/lib/kvrocks/data (data in a subdirectory so the mount does not hide the image\'s kvrocks.conf) and --requirepass from the secret (as the Helm chart does), with upstream\'s --compact-cron kept.',
  },
  {
    components: ['cvat-redis-ondisk'],
    aspect: 'volumes',
    upstream: '/var/lib/kvrocks',
    ours: '/var/lib/kvrocks/data',
    reason: 'Mounting over /var/lib/kvrocks hides kvrocks.conf (CVAT #9716); the cache sits on replica-scoped ephemeral storage because RocksDB fails on SMB (locks, hard links).',
  },
  {
    components: ['cvat-redis-ondisk'],
    aspect: 'init',
    upstream: 'true',
    ours: '',
    reason: 'Compose adds an init process because Docker runs the image HEALTHCHECK and leaves zombies; ACA ignores image HEALTHCHECKs (TCP probes instead), so nothing spawns children.',
  },
  {
    components: ['cvat-redis-ondisk'],
    aspect: 'env-added',
    key: 'KVROCKS_PASSWORD',
    upstream: '',
    ours: 'secret:kvrocks-password',
    reason: 'Source of --requirepass.',
  },
  // --- vector --------------------------------------------------------------------------------
  {
    components: ['vector'],
    aspect: 'volumes',
    upstream: '/etc/vector/vector.toml, /vector-data-dir',
    ours: '/etc/vector, /vector-data-dir',
    reason: 'ACA cannot bind-mount a single file: vector.toml is uploaded to the config share and its vector/ directory is mounted read-only at /etc/vector; the tmpfs becomes an ephemeral volume.',
  },
  {
    components: ['vector'],
    aspect: 'user',
    upstream: '"1000:1000"',
    ours: '',
    reason: 'ACA cannot override the container user; vector runs as the image user (root), which can read the read-only config mount and write its ephemeral data dir.',
  },
  // --- grafana -------------------------------------------------------------------------------
  {
    components: ['grafana'],
    aspect: 'entrypoint',
    reason: 'Upstream writes the datasource and dashboard provisioning with a shell heredoc; here the same files ship in packages/catalogue/config/grafana and come from the config share, so the image entrypoint runs unchanged.',
    ours: '',
  },
  {
    components: ['grafana'],
    aspect: 'volumes',
    upstream: '/var/lib/grafana/dashboards',
    ours: '/etc/grafana/provisioning, /var/lib/grafana/dashboards',
    reason: 'Provisioning files are mounted from the config share instead of being written at start-up; the dashboards come from the same share.',
  },
  {
    components: ['grafana'],
    aspect: 'env',
    key: 'GF_SERVER_ROOT_URL',
    upstream: 'http://localhost/analytics',
    ours: 'platform:edge.analyticsUrl',
    reason: 'Derived from the edge hostname (https://<host>/analytics).',
  },
  // --- edge (traefik) ------------------------------------------------------------------------
  {
    components: ['edge'],
    aspect: 'image',
    upstream: 'traefik:v3.6',
    ours: 'traefik:v3.6.5',
    reason: 'Pinned to a patch release so the edge VM is reproducible.',
  },
  {
    components: ['edge'],
    aspect: 'env',
    key: 'CVAT_HOST',
    upstream: 'localhost',
    ours: 'platform:edge.host',
    reason: 'The public hostname of the environment.',
  },
  {
    components: ['edge'],
    aspect: 'env-dropped',
    key: 'DJANGO_LOG_VIEWER_HOST',
    upstream: 'grafana',
    ours: '',
    reason: 'Only read by upstream\'s grafana_conf.yml rule file; the edge routes /analytics to the grafana app from its own configuration (edgeRoutes()).',
  },
  {
    components: ['edge'],
    aspect: 'env-dropped',
    key: 'DJANGO_LOG_VIEWER_PORT',
    upstream: '3000',
    ours: '',
    reason: 'As DJANGO_LOG_VIEWER_HOST.',
  },
  {
    components: ['edge'],
    aspect: 'env-dropped',
    key: 'TRAEFIK_ENTRYPOINTS_web_ADDRESS',
    upstream: ':8080',
    ours: '',
    reason: 'The edge listens on 80 (redirect) and 443 (TLS with Let\'s Encrypt), configured by infra\'s cloud-init.',
  },
  {
    components: ['edge'],
    aspect: 'env-dropped',
    key: 'TRAEFIK_PROVIDERS_DOCKER_EXPOSEDBYDEFAULT',
    upstream: 'false',
    ours: '',
    reason: 'No Docker provider: the backends are container apps reached through the environment, not containers on the same host.',
  },
  {
    components: ['edge'],
    aspect: 'env-dropped',
    key: 'TRAEFIK_PROVIDERS_DOCKER_NETWORK',
    upstream: 'cvat',
    ours: '',
    reason: 'No Docker provider.',
  },
  {
    components: ['edge'],
    aspect: 'env-dropped',
    key: 'TRAEFIK_PROVIDERS_FILE_DIRECTORY',
    upstream: '/etc/traefik/rules',
    ours: '',
    reason: 'The dynamic configuration file is placed by infra\'s cloud-init.',
  },
  {
    components: ['edge'],
    aspect: 'volumes',
    upstream: '/etc/traefik/rules/grafana_conf.yml, /var/run/docker.sock',
    ours: '',
    reason: 'The edge is a VM, not a container app: no Docker socket provider and no mounts; its configuration comes from cloud-init.',
  },
  {
    components: ['edge'],
    aspect: 'ports',
    upstream: '["8080:8080","8090:8090"]',
    ours: '',
    reason: 'The public entry is the VM\'s public IP on 80/443; the dashboard port 8090 is not opened.',
  },
];

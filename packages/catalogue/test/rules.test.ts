import { describe, expect, it } from 'vitest';
import {
  ACA_LIMITS,
  CATALOGUE_RULES,
  CatalogueError,
  ENVIRONMENT_RULES,
  defaultCatalogue,
  defineRule,
  OPA_SERVER_IMAGE_ENV,
  validateCatalogue,
  type Catalogue,
} from '../src/index';
import { changed as changedFrom, comp, defaultWithRunners, dropEnv, envIndex, setEnv } from './support/catalogue';

interface Case {
  name: string;
  rule: string;
  path: string;
  catalogue: () => Catalogue;
  /** Text the message must contain (besides the path and "must"). */
  says?: string;
  /** Expect a warning instead of an error. */
  warning?: boolean;
}

/**
 * The rule cases start from the default catalogue with the dedicated chunks worker brought back (`queueRunners: { chunks:
 * cvat-worker-chunks }`, which environments may write): `I`, a worker that scales out on a Redis-queue rule.
 */
const I = 'cvat-worker-chunks';
const withChunksWorker = () => defaultWithRunners({ chunks: I });
const changed = (change: Parameters<typeof changedFrom>[0]) => changedFrom(change, withChunksWorker);

const CASES: Case[] = [
  // names
  {
    name: 'a duplicate storage name',
    rule: 'uniqueNames',
    path: 'storages.cvat-data',
    says: 'declared 2 times',
    catalogue: () => changed((c) => c.storages.push({ ...c.storages[0]! })),
  },
  {
    name: 'a duplicate Key Vault secret name',
    rule: 'uniqueNames',
    path: 'secrets.django-secret-key.keyVaultName',
    catalogue: () => changed((c) => c.secrets.push({ ...c.secrets[0]!, name: 'other-secret' })),
  },
  {
    name: 'an app name with an underscore',
    rule: 'appNameFormat',
    path: 'components.cvat_ui.name',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').name = 'cvat_ui')),
  },
  {
    name: 'an app name of 33 characters',
    rule: 'appNameFormat',
    path: `components.${'a'.repeat(33)}.name`,
    says: '2-32 characters',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').name = 'a'.repeat(33))),
  },
  {
    name: 'an app name starting with a digit',
    rule: 'appNameFormat',
    path: 'components.1ui.name',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').name = '1ui')),
  },
  {
    name: 'an app name with "--"',
    rule: 'appNameFormat',
    path: 'components.cvat--ui.name',
    says: 'no "--"',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').name = 'cvat--ui')),
  },
  {
    name: 'an app name ending with "-"',
    rule: 'appNameFormat',
    path: 'components.cvat-ui-.name',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').name = 'cvat-ui-')),
  },
  {
    name: 'an uppercase app name',
    rule: 'appNameFormat',
    path: 'components.CVAT-UI.name',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').name = 'CVAT-UI')),
  },
  {
    name: 'a storage name with capitals',
    rule: 'storageNameFormat',
    path: 'storages.Data.name',
    catalogue: () => changed((c) => c.storages.push({ name: 'Data', kind: 'smb', quotaGiB: 1, accessMode: 'ReadWrite', description: 'x' })),
  },
  {
    name: 'a storage name of 2 characters',
    rule: 'storageNameFormat',
    path: 'storages.ab.name',
    says: '3-32',
    catalogue: () => changed((c) => c.storages.push({ name: 'ab', kind: 'smb', quotaGiB: 1, accessMode: 'ReadWrite', description: 'x' })),
  },
  {
    name: 'a secret name with an underscore',
    rule: 'secretNameFormat',
    path: 'secrets.bad_secret.name',
    catalogue: () =>
      changed((c) =>
        c.secrets.push({ name: 'bad_secret', keyVaultName: 'bad-secret', description: 'x', source: 'external', special: false }),
      ),
  },
  {
    name: 'a Key Vault secret name with a dot',
    rule: 'secretNameFormat',
    path: 'secrets.ok-secret.keyVaultName',
    catalogue: () =>
      changed((c) => c.secrets.push({ name: 'ok-secret', keyVaultName: 'bad.name', description: 'x', source: 'external', special: false })),
  },
  // resources and replicas
  {
    name: 'a CPU that is not a 0.25 step',
    rule: 'consumptionResourcePair',
    path: `components.${I}.resources.cpuCores`,
    says: 'multiple of 0.25',
    catalogue: () => changed((c) => (comp(c, I).resources = { cpuCores: 0.3, memoryGiB: 0.6 })),
  },
  {
    name: 'a CPU above 4 on Consumption',
    rule: 'consumptionResourcePair',
    path: `components.${I}.resources.cpuCores`,
    says: 'between 0.25 and 4',
    catalogue: () => changed((c) => (comp(c, I).resources = { cpuCores: 4.25, memoryGiB: 8.5 })),
  },
  {
    name: 'a CPU below 0.25 on Consumption',
    rule: 'consumptionResourcePair',
    path: `components.${I}.resources.cpuCores`,
    catalogue: () => changed((c) => (comp(c, I).resources = { cpuCores: 0.125, memoryGiB: 0.25 })),
  },
  {
    name: 'memory that is not 2 × CPU',
    rule: 'consumptionResourcePair',
    path: 'components.cvat-server.resources.memoryGiB',
    says: 'must be 1.5 (2 × cpuCores 0.75)',
    catalogue: () => changed((c) => (comp(c, 'cvat-server').resources.memoryGiB = 3)),
  },
  {
    name: 'CPU beyond a D4 node',
    rule: 'dedicatedProfileFit',
    path: `components.${I}.resources.cpuCores`,
    says: 'one D4 node',
    catalogue: () => changed((c) => Object.assign(comp(c, I), { workloadProfile: 'D4', resources: { cpuCores: 5, memoryGiB: 10 } })),
  },
  {
    name: 'memory beyond an E4 node',
    rule: 'dedicatedProfileFit',
    path: `components.${I}.resources.memoryGiB`,
    says: 'at most 32 GiB',
    catalogue: () => changed((c) => Object.assign(comp(c, I), { workloadProfile: 'E4', resources: { cpuCores: 4, memoryGiB: 40 } })),
  },
  {
    name: 'max replicas above 300',
    rule: 'replicaBounds',
    path: `components.${I}.replicas.max`,
    says: 'must be between 1 and 300',
    catalogue: () => changed((c) => (comp(c, I).replicas.max = 500)),
  },
  {
    name: 'max replicas of 0',
    rule: 'replicaBounds',
    path: `components.${I}.replicas.max`,
    says: 'between 1 and 300',
    catalogue: () => changed((c) => (comp(c, I).replicas = { min: 0, max: 0 })),
  },
  {
    name: 'min replicas above 300',
    rule: 'replicaBounds',
    path: `components.${I}.replicas.min`,
    says: 'between 0 and 300',
    catalogue: () => changed((c) => (comp(c, I).replicas = { min: 301, max: 300 })),
  },
  {
    name: 'min above max',
    rule: 'replicaBounds',
    path: `components.${I}.replicas.min`,
    says: "less than or equal to 'components.cvat-worker-chunks.replicas.max' (2)",
    catalogue: () => changed((c) => (comp(c, I).replicas = { min: 3, max: 2 })),
  },
  {
    name: 'a store with two replicas',
    rule: 'storesAreSingletons',
    path: 'components.cvat-redis-inmem.replicas',
    catalogue: () => changed((c) => (comp(c, 'cvat-redis-inmem').replicas.max = 2)),
  },
  {
    name: 'a scheduler worker with two replicas',
    rule: 'schedulerWorkerSingleReplica',
    path: 'components.cvat-worker-utils.replicas',
    says: 'RQ scheduler',
    catalogue: () => changed((c) => (comp(c, 'cvat-worker-utils').replicas.max = 2)),
  },
  {
    name: 'a scale rule on the rqscheduler worker',
    rule: 'schedulerWorkerSingleReplica',
    path: 'components.cvat-worker-utils.scaleRules',
    catalogue: () => changed((c) => (comp(c, 'cvat-worker-utils').scaleRules = [{ ...comp(c, I).scaleRules[0]!, name: 'rq-cleaning' }])),
  },
  {
    name: 'a worker at min 0 without a scale rule',
    rule: 'idleWorkersNeedScaleRule',
    path: 'components.cvat-worker-chunks.replicas.min',
    says: 'never wake up',
    catalogue: () => changed((c) => Object.assign(comp(c, 'cvat-worker-chunks'), { replicas: { min: 0, max: 2 }, scaleRules: [] })),
  },
  {
    name: 'a scaling worker whose jobs outlast its grace period',
    rule: 'scaleInNeverKillsAJob',
    path: `components.${I}.queues`,
    says: 'terminationGracePeriodSeconds (60 s)',
    catalogue: () => changed((c) => (comp(c, I).terminationGracePeriodSeconds = 60)),
  },
  {
    name: 'a scaling always-on import worker',
    rule: 'scaleInNeverKillsAJob',
    path: 'components.cvat-worker-chunks.queues',
    says: 'event job',
    catalogue: () => changed((c) => comp(c, 'cvat-worker-chunks').queues.push('import')),
  },
  {
    name: 'a scaling worker behind supervisord (upstream run worker)',
    rule: 'scaleInNeverKillsAJob',
    path: `components.${I}.command`,
    says: '10 s after SIGTERM',
    catalogue: () =>
      changed((c) => {
        comp(c, I).command = ['/opt/cvat/backend_entrypoint.sh'];
        comp(c, I).args = ['run', 'worker', 'chunks'];
      }),
  },
  {
    name: 'ephemeral volumes over the replica budget',
    rule: 'ephemeralStorageFits',
    path: 'components.cvat-redis-ondisk.mounts',
    says: '2 GiB ephemeral storage',
    catalogue: () => changed((c) => (c.storages.find((s) => s.name === 'cvat-cache')!.quotaGiB = 2.5)),
  },
  // roles and references
  {
    name: 'a worker with ingress',
    rule: 'roleShape',
    path: `components.${I}.ingress`,
    catalogue: () => changed((c) => (comp(c, I).ingress = { transport: 'tcp', targetPort: 9000, exposedPort: 9000, external: false })),
  },
  {
    name: 'a service without ingress',
    rule: 'roleShape',
    path: 'components.cvat-ui.ingress',
    catalogue: () => changed((c) => delete comp(c, 'cvat-ui').ingress),
  },
  {
    name: 'a job without job settings',
    rule: 'roleShape',
    path: 'components.cvat-init.job',
    catalogue: () => changed((c) => delete comp(c, 'cvat-init').job),
  },
  {
    name: 'an edge with mounts',
    rule: 'roleShape',
    path: 'components.edge.mounts',
    catalogue: () => changed((c) => (comp(c, 'edge').mounts = [{ storage: 'cvat-data', mountPath: '/data', readOnly: false }])),
  },
  {
    name: 'queues on a service',
    rule: 'roleShape',
    path: 'components.cvat-server.queues',
    catalogue: () => changed((c) => (comp(c, 'cvat-server').queues = ['import'])),
  },
  {
    name: 'a disabled required component',
    rule: 'requiredComponentsEnabled',
    path: 'components.opa.enabled',
    says: 'not optional',
    catalogue: () => changed((c) => (comp(c, 'opa').enabled = false)),
  },
  {
    name: 'a mount of an undeclared storage',
    rule: 'mountsReferenceStorages',
    path: `components.${I}.mounts[0].storage`,
    says: 'declared storage',
    catalogue: () => changed((c) => (comp(c, I).mounts[0]!.storage = 'nope')),
  },
  {
    name: 'two mounts at one path',
    rule: 'mountsReferenceStorages',
    path: `components.${I}.mounts[1].mountPath`,
    catalogue: () => changed((c) => (comp(c, I).mounts[1]!.mountPath = '/home/django/data')),
  },
  {
    name: 'a config file in an ephemeral storage',
    rule: 'configFilesReferenceMounts',
    path: 'components.vector.configFiles[0].storage',
    says: 'smb or nfs',
    catalogue: () => changed((c) => (comp(c, 'vector').configFiles[0]!.storage = 'cvat-vector-data')),
  },
  {
    name: 'a config file outside the mounted subPath',
    rule: 'configFilesReferenceMounts',
    path: 'components.vector.configFiles[0].path',
    catalogue: () => changed((c) => (comp(c, 'vector').configFiles[0]!.path = 'grafana/vector.toml')),
  },
  {
    name: 'a secretRef to an undeclared secret',
    rule: 'envReferencesResolve',
    path: `components.${I}.env[4].secretRef`,
    says: 'declared secret',
    catalogue: () => changed((c) => setEnv(comp(c, I), { name: 'CVAT_POSTGRES_PASSWORD', secretRef: 'nope' })),
  },
  {
    name: "a secretRef missing from the component's secrets",
    rule: 'envReferencesResolve',
    path: 'components.cvat-ui.env[0].secretRef',
    says: "listed in 'components.cvat-ui.secrets'",
    catalogue: () => changed((c) => setEnv(comp(c, 'cvat-ui'), { name: 'SOME_KEY', secretRef: 'django-secret-key' })),
  },
  {
    name: 'a componentRef to an undeclared component',
    rule: 'envReferencesResolve',
    path: `components.${I}.env[5].componentRef.component`,
    catalogue: () =>
      changed((c) => setEnv(comp(c, I), { name: 'CVAT_REDIS_INMEM_HOST', componentRef: { component: 'redis', part: 'host' } })),
  },
  {
    name: 'a componentRef to a component without ingress',
    rule: 'envReferencesResolve',
    path: `components.${I}.env[5].componentRef.component`,
    says: 'with ingress',
    catalogue: () =>
      changed((c) => setEnv(comp(c, I), { name: 'CVAT_REDIS_INMEM_HOST', componentRef: { component: 'cvat-worker-utils', part: 'host' } })),
  },
  {
    name: 'a componentRef to a disabled component',
    rule: 'envReferencesResolve',
    path: 'components.cvat-server.env[0].componentRef.component',
    says: 'enabled component',
    catalogue: () =>
      changed((c) => comp(c, 'cvat-server').env.unshift({ name: 'GRAFANA_HOST', componentRef: { component: 'grafana', part: 'host' } })),
  },
  {
    name: 'a duplicate env name',
    rule: 'envReferencesResolve',
    path: `components.${I}.env[23].name`,
    says: 'unique',
    catalogue: () => changed((c) => comp(c, I).env.push({ name: 'CVAT_POSTGRES_HOST', value: 'x' })),
  },
  {
    name: 'a listed secret nothing uses',
    rule: 'envReferencesResolve',
    path: 'components.opa.secrets[0]',
    warning: true,
    catalogue: () => changed((c) => (comp(c, 'opa').secrets = ['django-secret-key'])),
  },
  {
    name: 'a dependency on an undeclared component',
    rule: 'dependsOnDeclared',
    path: 'components.cvat-ui.dependsOn[1]',
    catalogue: () => changed((c) => comp(c, 'cvat-ui').dependsOn.push('nope')),
  },
  {
    name: 'a dependency on itself',
    rule: 'dependsOnDeclared',
    path: 'components.cvat-ui.dependsOn[1]',
    says: 'itself',
    catalogue: () => changed((c) => comp(c, 'cvat-ui').dependsOn.push('cvat-ui')),
  },
  {
    name: 'a dependency cycle',
    rule: 'noDependencyCycles',
    path: 'components.cvat-redis-inmem.dependsOn',
    says: 'cvat-redis-inmem -> cvat-ui',
    catalogue: () => changed((c) => comp(c, 'cvat-redis-inmem').dependsOn.push('cvat-ui')),
  },
  // ingress and probes
  {
    name: 'two apps exposing one TCP port',
    rule: 'uniqueExposedTcpPorts',
    path: 'components.cvat-ui.ingress.exposedPort',
    says: 'cvat-server already exposes it',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').ingress!.exposedPort = 8080)),
  },
  {
    name: 'a TCP exposed port of 443',
    rule: 'uniqueExposedTcpPorts',
    path: 'components.cvat-ui.ingress.exposedPort',
    says: 'must not be 80 or 443',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').ingress!.exposedPort = 443)),
  },
  {
    name: 'TCP ingress without an exposed port',
    rule: 'uniqueExposedTcpPorts',
    path: 'components.cvat-ui.ingress.exposedPort',
    catalogue: () => changed((c) => delete comp(c, 'cvat-ui').ingress!.exposedPort),
  },
  {
    name: 'HTTP ingress with an exposed port',
    rule: 'uniqueExposedTcpPorts',
    path: 'components.cvat-ui.ingress.exposedPort',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').ingress!.transport = 'http')),
  },
  {
    name: 'OPA under another name',
    rule: 'opaReachable',
    path: 'components.cvat-opa.name',
    says: 'must be "opa"',
    catalogue: () => changed((c) => (comp(c, 'opa').name = 'cvat-opa')),
  },
  {
    name: 'OPA on another port',
    rule: 'opaReachable',
    path: 'components.opa.ingress',
    says: 'opa:8181',
    catalogue: () => changed((c) => (comp(c, 'opa').ingress!.exposedPort = 18181)),
  },
  {
    name: 'a backend without CVAT_OPA_URL',
    rule: 'opaReachable',
    path: `components.${I}.env`,
    catalogue: () => changed((c) => dropEnv(comp(c, I), 'CVAT_OPA_URL')),
  },
  {
    name: 'OPA ready on plain /health',
    rule: 'opaReachable',
    path: 'components.opa.probes.readiness',
    says: '/health?bundles',
    catalogue: () => changed((c) => (comp(c, 'opa').probes.readiness!.path = '/health')),
  },
  {
    name: 'the server depending on OPA',
    rule: 'opaReachable',
    path: 'components.cvat-server.dependsOn[4]',
    says: 'deployed first',
    catalogue: () =>
      changed((c) => {
        comp(c, 'cvat-server').dependsOn.push('opa');
        comp(c, 'opa').dependsOn = [];
      }),
  },
  {
    name: 'OPA liveness waiting for bundles',
    rule: 'opaReachable',
    path: 'components.opa.probes.liveness.path',
    says: 'restarted',
    catalogue: () => changed((c) => (comp(c, 'opa').probes.liveness!.path = '/health?bundles')),
  },
  {
    name: 'no OPA at all',
    rule: 'opaReachable',
    path: 'components',
    says: 'exactly one',
    catalogue: () => changed((c) => (c.components = c.components.filter((x) => x.name !== 'opa'))),
  },
  {
    name: "OPA without the server's image while polling every 300-600 s",
    rule: 'opaFollowsServerImage',
    path: 'components.opa.env',
    says: `must define ${OPA_SERVER_IMAGE_ENV} as a componentRef to cvat-server (part image): OPA polls bundle "cvat" from cvat-server every 300-600 s`,
    catalogue: () => changed((c) => dropEnv(comp(c, 'opa'), OPA_SERVER_IMAGE_ENV)),
  },
  {
    name: "OPA on OPA's default polling (60-120 s) without the server's image",
    rule: 'opaFollowsServerImage',
    path: 'components.opa.env',
    says: "every 60-120 s, slower than upstream's 5-15 s",
    catalogue: () =>
      changed((c) => {
        const opa = comp(c, 'opa');
        opa.args = opa.args!.filter((a) => !a.includes('.polling.'));
        dropEnv(opa, OPA_SERVER_IMAGE_ENV);
      }),
  },
  {
    name: "OPA following another component's image",
    rule: 'opaFollowsServerImage',
    path: 'components.opa.env[0]',
    says: '("componentRef cvat-ui.image") must define',
    catalogue: () =>
      changed((c) => setEnv(comp(c, 'opa'), { name: OPA_SERVER_IMAGE_ENV, componentRef: { component: 'cvat-ui', part: 'image' } })),
  },
  {
    name: "OPA with the server's image written out",
    rule: 'opaFollowsServerImage',
    path: 'components.opa.env[0]',
    says: '("cvat/server:v2.73.0") must define',
    catalogue: () => changed((c) => setEnv(comp(c, 'opa'), { name: OPA_SERVER_IMAGE_ENV, value: 'cvat/server:v2.73.0' })),
  },
  {
    name: 'an image reference to a disabled component',
    rule: 'envReferencesResolve',
    path: 'components.opa.env[1].componentRef.component',
    says: 'must name an enabled component',
    catalogue: () =>
      changed((c) => comp(c, 'opa').env.push({ name: 'GRAFANA_IMAGE', componentRef: { component: 'grafana', part: 'image' } })),
  },
  {
    name: 'a service without a readiness probe',
    rule: 'probesForLongRunning',
    path: 'components.cvat-server.probes.readiness',
    catalogue: () => changed((c) => delete comp(c, 'cvat-server').probes.readiness),
  },
  {
    name: 'a probe on the wrong port',
    rule: 'probesForLongRunning',
    path: 'components.cvat-ui.probes.liveness.port',
    says: 'targetPort (8000)',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').probes.liveness!.port = 80)),
  },
  {
    name: 'an http probe without a path',
    rule: 'probesForLongRunning',
    path: 'components.cvat-ui.probes.liveness.path',
    catalogue: () => changed((c) => delete comp(c, 'cvat-ui').probes.liveness!.path),
  },
  {
    name: 'a tcp probe with a path',
    rule: 'probesForLongRunning',
    path: 'components.opa.probes.liveness',
    catalogue: () => changed((c) => (comp(c, 'opa').probes.liveness!.type = 'tcp')),
  },
  {
    name: 'a worker without a liveness probe',
    rule: 'workerLivenessWired',
    path: `components.${I}.probes.liveness`,
    says: 'no exec probes',
    catalogue: () => changed((c) => delete comp(c, I).probes.liveness),
  },
  {
    name: 'a worker startup probe on another path',
    rule: 'workerLivenessWired',
    path: `components.${I}.probes.startup`,
    says: 'http probe of /livez',
    catalogue: () => changed((c) => (comp(c, I).probes.startup = { ...comp(c, I).probes.liveness!, path: '/' })),
  },
  {
    name: 'a worker on the plain image entrypoint',
    rule: 'workerLivenessWired',
    path: `components.${I}.command`,
    says: 'workerLivenessCommand()',
    catalogue: () => changed((c) => delete comp(c, I).command),
  },
  {
    name: 'a worker probed on another port than the endpoint',
    rule: 'workerLivenessWired',
    path: `components.${I}.probes.liveness`,
    says: 'on port 8081',
    catalogue: () => changed((c) => (comp(c, I).probes.liveness!.port = 8080)),
  },
  {
    name: "a worker liveness timeout within the endpoint's own limit",
    rule: 'workerLivenessWired',
    path: `components.${I}.probes.liveness.timeoutSeconds`,
    says: 'more than 50',
    catalogue: () => changed((c) => (comp(c, I).probes.liveness!.timeoutSeconds = 50)),
  },
  {
    name: 'a worker whose endpoint listens elsewhere than its probes',
    rule: 'workerLivenessWired',
    path: `components.${I}.probes.liveness`,
    says: 'on port 9000',
    catalogue: () => changed((c) => (comp(c, I).command = comp(c, I).command!.map((a) => (a === '8081' ? '9000' : a)))),
  },
  // probe ranges: hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/containerapps/helpers/container_apps.go
  {
    name: 'a liveness failure threshold of 31',
    rule: 'probeRanges',
    path: 'components.cvat-ui.probes.liveness.failureThreshold',
    says: 'between 1 and 30',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').probes.liveness!.failureThreshold = 31)),
  },
  {
    name: 'a readiness failure threshold of 31',
    rule: 'probeRanges',
    path: 'components.cvat-ui.probes.readiness.failureThreshold',
    says: 'between 1 and 30 for a readiness probe',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').probes.readiness!.failureThreshold = 31)),
  },
  {
    name: 'a startup failure threshold of 31',
    rule: 'probeRanges',
    path: 'components.cvat-server.probes.startup.failureThreshold',
    says: 'between 1 and 30 for a startup probe',
    catalogue: () => changed((c) => (comp(c, 'cvat-server').probes.startup!.failureThreshold = 31)),
  },
  {
    name: 'a startup failure threshold of 90 (the old server value)',
    rule: 'probeRanges',
    path: 'components.cvat-server.probes.startup.failureThreshold',
    says: 'lengthen periodSeconds',
    catalogue: () => changed((c) => (comp(c, 'cvat-server').probes.startup!.failureThreshold = 90)),
  },
  {
    name: 'a startup failure threshold of 60 on a disabled component',
    rule: 'probeRanges',
    path: 'components.grafana.probes.startup.failureThreshold',
    catalogue: () => changed((c) => (comp(c, 'grafana').probes.startup!.failureThreshold = 60)),
  },
  {
    name: 'a liveness failure threshold of 0',
    rule: 'probeRanges',
    path: 'components.cvat-ui.probes.liveness.failureThreshold',
    says: 'between 1 and 30',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').probes.liveness!.failureThreshold = 0)),
  },
  {
    name: 'a readiness failure threshold of 0',
    rule: 'probeRanges',
    path: 'components.cvat-ui.probes.readiness.failureThreshold',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').probes.readiness!.failureThreshold = 0)),
  },
  {
    name: 'a startup failure threshold of 0',
    rule: 'probeRanges',
    path: 'components.clickhouse.probes.startup.failureThreshold',
    catalogue: () => changed((c) => (comp(c, 'clickhouse').probes.startup!.failureThreshold = 0)),
  },
  {
    name: 'a probe period of 0',
    rule: 'probeRanges',
    path: 'components.cvat-ui.probes.liveness.periodSeconds',
    says: 'between 1 and 240',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').probes.liveness!.periodSeconds = 0)),
  },
  {
    name: 'a probe period of 241',
    rule: 'probeRanges',
    path: 'components.cvat-ui.probes.liveness.periodSeconds',
    says: 'between 1 and 240',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').probes.liveness!.periodSeconds = 241)),
  },
  {
    name: 'a startup period of 241',
    rule: 'probeRanges',
    path: 'components.cvat-server.probes.startup.periodSeconds',
    catalogue: () => changed((c) => (comp(c, 'cvat-server').probes.startup!.periodSeconds = 241)),
  },
  {
    name: 'a probe timeout of 0',
    rule: 'probeRanges',
    path: 'components.cvat-ui.probes.readiness.timeoutSeconds',
    says: 'between 1 and 240',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').probes.readiness!.timeoutSeconds = 0)),
  },
  {
    name: 'a probe timeout of 241',
    rule: 'probeRanges',
    path: 'components.cvat-ui.probes.liveness.timeoutSeconds',
    says: 'between 1 and 240',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').probes.liveness!.timeoutSeconds = 241)),
  },
  {
    name: 'an initial delay of 61',
    rule: 'probeRanges',
    path: 'components.cvat-ui.probes.liveness.initialDelaySeconds',
    says: 'between 0 and 60',
    catalogue: () => changed((c) => (comp(c, 'cvat-ui').probes.liveness!.initialDelaySeconds = 61)),
  },
  {
    name: 'a startup initial delay of 61',
    rule: 'probeRanges',
    path: 'components.cvat-server.probes.startup.initialDelaySeconds',
    says: 'between 0 and 60',
    catalogue: () => changed((c) => (comp(c, 'cvat-server').probes.startup!.initialDelaySeconds = 61)),
  },
  {
    name: 'a blank probe header name',
    rule: 'probeRanges',
    path: 'components.cvat-server.probes.readiness.headers[0].name',
    says: 'header name',
    catalogue: () => changed((c) => (comp(c, 'cvat-server').probes.readiness!.headers![0]!.name = ' ')),
  },
  // storage
  {
    name: 'kvrocks data on SMB',
    rule: 'noStatefulStoreOnSmb',
    path: 'components.cvat-redis-ondisk.mounts[0].storage',
    says: 'must not be an SMB share',
    catalogue: () => changed((c) => (c.storages.find((s) => s.name === 'cvat-cache')!.kind = 'smb')),
  },
  {
    name: 'ClickHouse data on the data share',
    rule: 'noStatefulStoreOnSmb',
    path: 'components.clickhouse.mounts[0].storage',
    catalogue: () => changed((c) => (comp(c, 'clickhouse').mounts[0]!.storage = 'cvat-data')),
  },
  {
    name: 'a worker without the logs share',
    rule: 'backendMountsShared',
    path: 'components.cvat-worker-chunks.mounts',
    says: '/home/django/logs',
    catalogue: () => changed((c) => (comp(c, 'cvat-worker-chunks').mounts = comp(c, 'cvat-worker-chunks').mounts.slice(0, 2))),
  },
  {
    name: 'a worker with another data share',
    rule: 'backendMountsShared',
    path: 'components.cvat-worker-chunks.mounts',
    says: 'same storage',
    catalogue: () => changed((c) => (comp(c, 'cvat-worker-chunks').mounts[0]!.storage = 'cvat-logs')),
  },
  {
    name: 'the data share as an ephemeral volume',
    rule: 'backendMountsShared',
    path: 'storages.cvat-data.kind',
    says: 'smb or nfs',
    catalogue: () => changed((c) => (c.storages.find((s) => s.name === 'cvat-data')!.kind = 'ephemeral')),
  },
  {
    name: 'a read-only data mount',
    rule: 'backendMountsShared',
    path: `components.${I}.mounts`,
    says: 'read-write',
    catalogue: () => changed((c) => (comp(c, I).mounts[0]!.readOnly = true)),
  },
  {
    name: 'mount options on an ephemeral storage',
    rule: 'mountOptionsOnSmbOnly',
    path: 'storages.cvat-cache.mountOptions',
    warning: true,
    catalogue: () => changed((c) => (c.storages.find((s) => s.name === 'cvat-cache')!.mountOptions = 'nobrl')),
  },
  // CVAT env traps
  {
    name: 'the import worker without SMOKESCREEN_OPTS',
    rule: 'smokescreenOptsDefined',
    path: `components.${I}.env`,
    says: 'even empty',
    catalogue: () => changed((c) => dropEnv(comp(c, I), 'SMOKESCREEN_OPTS')),
  },
  {
    name: 'the server without SMOKESCREEN_OPTS',
    rule: 'smokescreenOptsDefined',
    path: 'components.cvat-server.env',
    catalogue: () => changed((c) => dropEnv(comp(c, 'cvat-server'), 'SMOKESCREEN_OPTS')),
  },
  {
    name: 'the cleaning worker without CVAT_REDIS_INMEM_PASSWORD',
    rule: 'cleaningWorkerHasInmemPassword',
    path: 'components.cvat-worker-utils.env',
    says: 'rqscheduler',
    catalogue: () => changed((c) => dropEnv(comp(c, 'cvat-worker-utils'), 'CVAT_REDIS_INMEM_PASSWORD')),
  },
  {
    name: 'a worker without the kvrocks port',
    rule: 'redisPortsExplicit',
    path: 'components.cvat-worker-utils.env',
    says: 'CVAT_REDIS_ONDISK_PORT',
    catalogue: () => changed((c) => dropEnv(comp(c, 'cvat-worker-utils'), 'CVAT_REDIS_ONDISK_PORT')),
  },
  {
    name: 'a worker without the in-memory Redis host',
    rule: 'redisPortsExplicit',
    path: 'components.cvat-init.env',
    says: 'CVAT_REDIS_INMEM_HOST',
    catalogue: () => changed((c) => dropEnv(comp(c, 'cvat-init'), 'CVAT_REDIS_INMEM_HOST')),
  },
  {
    name: 'a backend without CVAT_POSTGRES_DBNAME',
    rule: 'postgresSettingsComplete',
    path: `components.${I}.env`,
    says: 'CVAT_POSTGRES_DBNAME',
    catalogue: () => changed((c) => dropEnv(comp(c, I), 'CVAT_POSTGRES_DBNAME')),
  },
  {
    name: 'a backend without a PostgreSQL password',
    rule: 'postgresSettingsComplete',
    path: `components.${I}.env`,
    catalogue: () => changed((c) => dropEnv(comp(c, I), 'CVAT_POSTGRES_PASSWORD')),
  },
  {
    name: 'both PostgreSQL password forms',
    rule: 'postgresSettingsComplete',
    path: `components.${I}.env[23]`,
    says: 'ImproperlyConfigured',
    catalogue: () => changed((c) => comp(c, I).env.push({ name: 'CVAT_POSTGRES_PASSWORD_FILE', value: '/run/secrets/pg' })),
  },
  {
    name: 'a plaintext password',
    rule: 'secretsNotPlaintext',
    path: `components.${I}.env[4]`,
    says: 'from a secret',
    catalogue: () => changed((c) => setEnv(comp(c, I), { name: 'CVAT_POSTGRES_PASSWORD', value: 'hunter2' })),
  },
  {
    name: 'ALLOWED_HOSTS as a literal',
    rule: 'edgeDerivedHosts',
    path: 'components.cvat-server.env[',
    says: 'edge.allowedHosts',
    catalogue: () => changed((c) => setEnv(comp(c, 'cvat-server'), { name: 'ALLOWED_HOSTS', value: '*' })),
  },
  {
    name: 'CVAT_HOST from the wrong platform value',
    rule: 'edgeDerivedHosts',
    path: `components.${I}.env[`,
    says: 'edge.host',
    catalogue: () => changed((c) => setEnv(comp(c, I), { name: 'CVAT_HOST', platformRef: 'edge.baseUrl' })),
  },
  {
    name: 'the server without CVAT_BASE_URL',
    rule: 'edgeDerivedHosts',
    path: 'components.cvat-server.env',
    says: 'CVAT_BASE_URL',
    catalogue: () => changed((c) => dropEnv(comp(c, 'cvat-server'), 'CVAT_BASE_URL')),
  },
  // cvat-ai/cvat@v2.73.0 backend_entrypoint.sh adds the image's nginx itself (account_for_internal_proxy)
  {
    name: 'CVAT_NUM_PROXIES=2 behind the edge VM with TCP ingress',
    rule: 'numProxiesMatchesEdge',
    path: `components.${I}.env[`,
    says: 'must be "1" (the edge VM in front of the server',
    catalogue: () => changed((c) => setEnv(comp(c, I), { name: 'CVAT_NUM_PROXIES', value: '2' })),
  },
  {
    name: 'CVAT_NUM_PROXIES=0 behind the edge VM',
    rule: 'numProxiesMatchesEdge',
    path: 'components.cvat-server.env[',
    says: 'must be "1"',
    catalogue: () => changed((c) => setEnv(comp(c, 'cvat-server'), { name: 'CVAT_NUM_PROXIES', value: '0' })),
  },
  {
    name: 'CVAT_NUM_PROXIES=1 without the edge VM',
    rule: 'numProxiesMatchesEdge',
    path: 'components.cvat-server.env[',
    says: 'must be "0" (no proxy in front of the server',
    catalogue: () =>
      changed((c) => {
        comp(c, 'edge').enabled = false;
        setEnv(comp(c, 'cvat-server'), { name: 'CVAT_NUM_PROXIES', value: '1', derivedFrom: 'edge.numProxies' });
      }),
  },
  {
    name: 'CVAT_NUM_PROXIES=1 with the edge VM and HTTP ingress on the server',
    rule: 'numProxiesMatchesEdge',
    path: 'components.cvat-server.env[',
    says: 'must be "2" (the edge VM and the HTTP ingress',
    catalogue: () =>
      changed((c) => {
        comp(c, 'cvat-server').ingress = { transport: 'http', targetPort: 8080, external: true };
        setEnv(comp(c, 'cvat-server'), { name: 'CVAT_NUM_PROXIES', value: '1' });
      }),
  },
  {
    name: 'a worker without CVAT_NUM_PROXIES',
    rule: 'numProxiesMatchesEdge',
    path: `components.${I}.env`,
    says: 'must define CVAT_NUM_PROXIES',
    catalogue: () => changed((c) => dropEnv(comp(c, I), 'CVAT_NUM_PROXIES')),
  },
  {
    name: 'CVAT_ANALYTICS=0 with ClickHouse',
    rule: 'analyticsConsistent',
    path: 'components.cvat-server.env[',
    says: 'must be "1"',
    catalogue: () => changed((c) => setEnv(comp(c, 'cvat-server'), { name: 'CVAT_ANALYTICS', value: '0' })),
  },
  {
    name: 'the init job without CVAT_ANALYTICS',
    rule: 'analyticsConsistent',
    path: 'components.cvat-init.env',
    catalogue: () => changed((c) => dropEnv(comp(c, 'cvat-init'), 'CVAT_ANALYTICS')),
  },
  {
    name: 'ClickHouse without vector',
    rule: 'analyticsConsistent',
    path: 'components',
    warning: true,
    catalogue: () => changed((c) => (comp(c, 'vector').enabled = false)),
  },
  {
    name: 'an image tagged latest',
    rule: 'pinnedImageTags',
    path: 'components.cvat-redis-inmem.image.tag',
    says: 'pinned',
    catalogue: () => changed((c) => (comp(c, 'cvat-redis-inmem').image.tag = 'latest')),
  },
  {
    name: 'one worker on another CVAT version',
    rule: 'cvatImagesShareVersion',
    path: 'components.cvat-worker-export.image.tag',
    says: 'cvatVersion ("v2.73.0")',
    catalogue: () => changed((c) => (comp(c, 'cvat-worker-export').image.tag = 'v2.72.0')),
  },
  // queues and scaling
  {
    name: 'an unknown queue',
    rule: 'everyQueueServedOnce',
    path: 'components.cvat-worker-chunks.queues[0]',
    says: 'CVAT queues',
    catalogue: () => changed((c) => (comp(c, 'cvat-worker-chunks').queues = ['chunk'])),
  },
  {
    name: 'an unserved queue',
    rule: 'everyQueueServedOnce',
    path: 'queueRunners.consensus',
    says: 'served by an enabled runner',
    catalogue: () => changed((c) => (comp(c, 'cvat-job-consensus').queues = [])),
  },
  {
    name: 'a queue served twice',
    rule: 'everyQueueServedOnce',
    path: 'queueRunners.import',
    says: 'exactly one runner',
    catalogue: () => changed((c) => comp(c, 'cvat-worker-utils').queues.push('import')),
  },
  {
    name: 'an event job on the chunks queue (a caller waits)',
    rule: 'eventJobsServeBurstQueuesOnly',
    path: 'components.cvat-job-import.queues[0]',
    says: 'a caller waits',
    catalogue: () => changed((c) => (comp(c, 'cvat-job-import').queues = ['chunks'])),
  },
  {
    name: 'an event job on the webhooks queue (needs a scheduler)',
    rule: 'eventJobsServeBurstQueuesOnly',
    path: 'components.cvat-job-export.queues[1]',
    says: 'rq scheduler',
    catalogue: () => changed((c) => comp(c, 'cvat-job-export').queues.push('webhooks')),
  },
  {
    name: 'an event job whose replica timeout would cut a job',
    rule: 'eventJobsEndBeforeTheirTimeout',
    path: 'components.cvat-job-import.job.replicaTimeoutSeconds',
    says: 'would stop a running job',
    catalogue: () => changed((c) => (comp(c, 'cvat-job-import').job!.replicaTimeoutSeconds = 4 * 3600)),
  },
  {
    name: 'an event job that is not a burst worker',
    rule: 'eventJobsEndBeforeTheirTimeout',
    path: 'components.cvat-job-import.args',
    says: 'burst mode',
    catalogue: () => changed((c) => (comp(c, 'cvat-job-import').args = ['import'])),
  },
  {
    name: 'an event job without scale settings',
    rule: 'roleShape',
    path: 'components.cvat-job-import.job.scale',
    catalogue: () => changed((c) => delete comp(c, 'cvat-job-import').job!.scale),
  },
  {
    name: 'an event job without a scale rule',
    rule: 'roleShape',
    path: 'components.cvat-job-import.scaleRules',
    says: 'starts only from its rules',
    catalogue: () => changed((c) => (comp(c, 'cvat-job-import').scaleRules = [])),
  },
  {
    name: 'scale settings on the manual migration job',
    rule: 'roleShape',
    path: 'components.cvat-init.job.scale',
    catalogue: () => changed((c) => (comp(c, 'cvat-init').job!.scale = { minExecutions: 0, maxExecutions: 1, pollingIntervalSeconds: 30 })),
  },
  {
    name: 'an event-job runner as a worker app',
    rule: 'roleShape',
    path: 'components.cvat-worker-chunks.role',
    says: 'runner "event-job"',
    catalogue: () => changed((c) => (comp(c, 'cvat-worker-chunks').runner = 'event-job')),
  },
  {
    name: 'a scale rule on another queue',
    rule: 'redisQueueScaleRules',
    path: `components.${I}.scaleRules[0].metadata.listName`,
    says: 'rq:queue:chunks',
    catalogue: () => changed((c) => (comp(c, I).scaleRules[0]!.metadata.listName = 'rq:queue:export')),
  },
  {
    name: 'a job scale rule with TLS on',
    rule: 'redisQueueScaleRules',
    path: 'components.cvat-job-import.scaleRules[0].metadata.enableTLS',
    catalogue: () => changed((c) => (comp(c, 'cvat-job-import').scaleRules[0]!.metadata.enableTLS = 'true')),
  },
  {
    name: 'a job scale rule with host and port instead of address',
    rule: 'redisQueueScaleRules',
    path: 'components.cvat-job-export.scaleRules[0].metadata',
    catalogue: () => changed((c) => Object.assign(comp(c, 'cvat-job-export').scaleRules[0]!.metadata, { host: 'x', port: '6379' })),
  },
  {
    name: 'a scale rule on another Redis',
    rule: 'redisQueueScaleRules',
    path: `components.${I}.scaleRules[0].metadata.address`,
    catalogue: () => changed((c) => (comp(c, I).scaleRules[0]!.metadata.address = 'redis:6379')),
  },
  {
    name: 'a scale rule on database 1',
    rule: 'redisQueueScaleRules',
    path: `components.${I}.scaleRules[0].metadata.databaseIndex`,
    catalogue: () => changed((c) => (comp(c, I).scaleRules[0]!.metadata.databaseIndex = '1')),
  },
  {
    name: 'a scale rule with listLength 0',
    rule: 'redisQueueScaleRules',
    path: `components.${I}.scaleRules[0].metadata.listLength`,
    catalogue: () => changed((c) => (comp(c, I).scaleRules[0]!.metadata.listLength = '0')),
  },
  {
    name: 'a scale rule without the Redis password',
    rule: 'redisQueueScaleRules',
    path: `components.${I}.scaleRules[0].auth`,
    catalogue: () => changed((c) => delete comp(c, I).scaleRules[0]!.auth),
  },
];

describe('named catalogue rules', () => {
  it('the default catalogue passes every rule without errors or warnings', () => {
    const r = validateCatalogue(defaultCatalogue());
    expect(r.errors).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });

  it('so does the base of the cases below, the default with the dedicated chunks worker brought back', () => {
    const c = withChunksWorker();
    expect(comp(c, I).enabled).toBe(true);
    const r = validateCatalogue(c);
    expect(r.errors).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });

  it.each(CASES)('reports $rule for $name', (tc) => {
    const input = tc.catalogue();
    let result: ReturnType<typeof validateCatalogue> | undefined;
    expect(() => (result = validateCatalogue(input))).not.toThrow();
    const issues = tc.warning ? result!.warnings : (result!.errors ?? []);
    const mine = issues.filter((i) => i.rule === tc.rule && (tc.path.endsWith('[') ? i.path.startsWith(tc.path) : i.path === tc.path));
    expect(
      mine,
      `issues were:\n${[...(result!.errors ?? []), ...result!.warnings].map((i) => `${i.rule}: ${i.message}`).join('\n')}`,
    ).not.toHaveLength(0);
    const issue = mine[0]!;
    expect(issue.message.startsWith(`'${issue.path}' (`)).toBe(true);
    expect(issue.message).toMatch(/\) (must|is|should) /);
    if (tc.says) expect(issue.message).toContain(tc.says);
    if (!tc.warning) expect(result!.value).toBeUndefined();
  });

  it('has at least one invalid case for every rule', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    expect(CATALOGUE_RULES.map((r) => r.name).filter((n) => !covered.has(n))).toEqual([]);
  });

  it('never echoes a plaintext secret value in a message', () => {
    const r = validateCatalogue(changed((c) => setEnv(comp(c, I), { name: 'CVAT_POSTGRES_PASSWORD', value: 'hunter2' })));
    expect(r.errors?.some((e) => e.message.includes('hunter2'))).toBe(false);
  });
});

describe('defineRule: the rule name is stated once', () => {
  it('puts the defined name on every issue the check reports, errors and warnings alike', () => {
    const rule = defineRule<number>('positiveCount', 'Counts are positive.', (n, report) =>
      n > 0 ? [] : [report.error('count', n, 'must be positive'), report.warning('count', n, 'is suspicious')],
    );
    expect(rule.name).toBe('positiveCount');
    expect(rule.check(1)).toEqual([]);
    expect(rule.check(-2)).toEqual([
      { rule: 'positiveCount', path: 'count', message: "'count' (-2) must be positive", severity: 'error' },
      { rule: 'positiveCount', path: 'count', message: "'count' (-2) is suspicious", severity: 'warning' },
    ]);
  });

  it('refuses a name that is not lowerCamelCase', () => {
    expect(() => defineRule('Not A Name', 'x', () => [])).toThrow(CatalogueError);
    expect(() => defineRule('', 'x', () => [])).toThrow(/lowerCamelCase/);
  });

  it('gives every catalogue and environment rule a distinct name', () => {
    const names = [...CATALOGUE_RULES, ...ENVIRONMENT_RULES].map((r) => r.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    expect(CATALOGUE_RULES).toHaveLength(42);
  });
});

describe('rule bounds', () => {
  const only = (c: Catalogue, rule: string) => {
    const found = CATALOGUE_RULES.find((r) => r.name === rule);
    if (!found) throw new Error(`no catalogue rule named ${rule}`);
    return found.check(c);
  };

  it('accepts the smallest and largest Consumption pairs, 0.25/0.5 and 4/8', () => {
    for (const [cpuCores, memoryGiB] of [
      [ACA_LIMITS.consumptionCpuCoresMin, 0.5],
      [ACA_LIMITS.consumptionCpuCoresMax, 8],
    ] as const) {
      expect(
        only(
          changed((c) => (comp(c, I).resources = { cpuCores, memoryGiB })),
          'consumptionResourcePair',
        ),
      ).toEqual([]);
    }
  });

  it('accepts replicas at 0..300 and rejects 301 and -1', () => {
    expect(
      only(
        changed((c) => (comp(c, I).replicas = { min: 0, max: 300 })),
        'replicaBounds',
      ),
    ).toEqual([]);
    expect(
      only(
        changed((c) => (comp(c, I).replicas = { min: 300, max: 300 })),
        'replicaBounds',
      ),
    ).toEqual([]);
    expect(
      only(
        changed((c) => (comp(c, I).replicas = { min: 1, max: 301 })),
        'replicaBounds',
      ),
    ).toHaveLength(1);
    expect(
      only(
        changed((c) => (comp(c, I).replicas = { min: -1, max: 1 })),
        'replicaBounds',
      ),
    ).toHaveLength(1);
  });

  it('accepts app names of exactly 2 and 32 characters', () => {
    expect(
      only(
        changed((c) => (comp(c, 'cvat-ui').name = 'ab')),
        'appNameFormat',
      ),
    ).toEqual([]);
    expect(
      only(
        changed((c) => (comp(c, 'cvat-ui').name = `a${'b'.repeat(31)}`)),
        'appNameFormat',
      ),
    ).toEqual([]);
    expect(
      only(
        changed((c) => (comp(c, 'cvat-ui').name = 'a')),
        'appNameFormat',
      ),
    ).toHaveLength(1);
  });

  it('accepts storage names of exactly 3 and 32 characters and rejects 33', () => {
    const add = (name: string) =>
      changed((c) => c.storages.push({ name, kind: 'smb', quotaGiB: 1, accessMode: 'ReadWrite', description: 'x' }));
    expect(only(add('abc'), 'storageNameFormat')).toEqual([]);
    expect(only(add(`a${'b'.repeat(31)}`), 'storageNameFormat')).toEqual([]);
    expect(only(add(`a${'b'.repeat(32)}`), 'storageNameFormat')).toHaveLength(1);
  });

  it('accepts every probe field at both ends of the azurerm v4.55.0 ranges (failures 1 and 30 for each kind, timings 1 and 240, delay 0 and 60)', () => {
    for (const failureThreshold of [ACA_LIMITS.probeFailureThresholdMin, 30]) {
      const c = changed((x) => {
        const ui = comp(x, 'cvat-ui');
        ui.probes.liveness = { ...ui.probes.liveness!, failureThreshold, periodSeconds: 240, timeoutSeconds: 1, initialDelaySeconds: 60 };
        ui.probes.readiness = { ...ui.probes.readiness!, failureThreshold, periodSeconds: 1, timeoutSeconds: 240, initialDelaySeconds: 0 };
        comp(x, 'cvat-server').probes.startup!.failureThreshold = failureThreshold;
      });
      expect(only(c, 'probeRanges')).toEqual([]);
    }
    expect([
      ACA_LIMITS.probeLivenessFailureThresholdMax,
      ACA_LIMITS.probeReadinessFailureThresholdMax,
      ACA_LIMITS.probeStartupFailureThresholdMax,
    ]).toEqual([30, 30, 30]);
  });

  it("does not ask OPA for the server's image while it polls as often as upstream (5-15 s) or from outside the catalogue", () => {
    const withoutImage = (args: (a: string) => string) =>
      changed((c) => {
        const opa = comp(c, 'opa');
        opa.args = opa.args!.map(args);
        dropEnv(opa, OPA_SERVER_IMAGE_ENV);
      });
    const upstream = withoutImage((a) =>
      a.replace(/min_delay_seconds=\d+$/, 'min_delay_seconds=5').replace(/max_delay_seconds=\d+$/, 'max_delay_seconds=15'),
    );
    expect(comp(upstream, 'opa').args).toContain('--set=bundles.cvat.polling.max_delay_seconds=15');
    expect(only(upstream, 'opaFollowsServerImage')).toEqual([]);
    const sixteen = withoutImage((a) =>
      a.replace(/max_delay_seconds=\d+$/, 'max_delay_seconds=16').replace(/min_delay_seconds=\d+$/, 'min_delay_seconds=5'),
    );
    expect(only(sixteen, 'opaFollowsServerImage')).toHaveLength(1);
    const external = withoutImage((a) => a.replace('http://cvat-server:8080', 'https://policies.example.com'));
    expect(only(external, 'opaFollowsServerImage')).toEqual([]);
  });

  it('accepts an image reference to a component without ingress (an image needs no address)', () => {
    const c = changed((x) => comp(x, 'opa').env.push({ name: 'WORKER_IMAGE', componentRef: { component: I, part: 'image' } }));
    expect(comp(c, I).ingress).toBeUndefined();
    expect(only(c, 'envReferencesResolve')).toEqual([]);
    const address = changed((x) => comp(x, 'opa').env.push({ name: 'WORKER_HOST', componentRef: { component: I, part: 'host' } }));
    expect(only(address, 'envReferencesResolve').map((i) => i.message)).toEqual([
      `'components.opa.env[1].componentRef.component' ("${I}") must name a component with ingress for part "host" ` +
        '(only those have an address in the environment)',
    ]);
  });

  it('finds the env index the messages point at', () => {
    // The table above relies on these positions of the shared backend env.
    const c = defaultCatalogue();
    expect(envIndex(comp(c, I), 'CVAT_POSTGRES_PASSWORD')).toBe(4);
    expect(envIndex(comp(c, I), 'CVAT_REDIS_INMEM_HOST')).toBe(5);
    expect(comp(c, I).env).toHaveLength(23);
  });
});

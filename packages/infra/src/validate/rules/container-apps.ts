/**
 * azurerm_container_app, azurerm_container_app_job, azurerm_container_app_environment and
 * azurerm_container_app_environment_storage, read from hashicorp/terraform-provider-azurerm@v4.55.0
 * (internal/services/containerapps/, the 2025-07-01 containerapps SDK constants vendored there).
 */
import type { ConstraintRule } from '../model';
import {
  asBlocks,
  atLeast,
  attr,
  azurerm,
  between,
  isSet,
  literalString,
  notEmpty,
  oneOf,
  presence,
  resourceRule,
  validator,
  violations,
} from './_helpers';
import {
  containerAppContainerName,
  containerAppJobName,
  containerAppName,
  lowerCaseAlphaNumericWithHyphensAndPeriods,
  managedEnvironmentName,
  managedEnvironmentStorageName,
  NAME_SOURCES,
  resourceGroupName,
  secretName,
  storageAccountName,
} from './names';

const HELPERS = 'internal/services/containerapps/helpers/container_apps.go';
const APP = 'internal/services/containerapps/container_app_resource.go';
const JOB = 'internal/services/containerapps/container_app_job_resource.go';
const ENV = 'internal/services/containerapps/container_app_environment_resource.go';
const ENV_HELPERS = 'internal/services/containerapps/helpers/container_app_environment.go';
const STORAGE = 'internal/services/containerapps/container_app_environment_storage_resource.go';
const IDENTITY = 'vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/commonschema/identity_system_user.go';

const h = (func: string) => azurerm(HELPERS, func);
const names = (func: string, test: (v: string) => string | undefined, allowed: string) => ({
  check: validator(allowed, test),
  source: azurerm(NAME_SOURCES.containerApps, func),
});

/** TCP, HTTP, HTTPS: the probe transports (`"TCP"`, containerapps.SchemeHTTP, SchemeHTTPS). */
const PROBE_TRANSPORTS = ['TCP', 'HTTP', 'HTTPS'];

/** Rules of the container helpers shared by apps and jobs (`template.container`, `template.volume`, `secret`). */
function containerRules(type: string): ConstraintRule[] {
  const c = 'template.container';
  const containerName = names(
    'ContainerAppContainerName',
    containerAppContainerName,
    'lower case alphanumerics, "-" or ".", at most 46 characters',
  );
  const out: ConstraintRule[] = [
    attr(type, `${c}.name`, containerName.check, containerName.source),
    attr(type, `${c}.image`, notEmpty, h('ContainerAppContainerSchema')),
    attr(type, `${c}.cpu`, { kind: 'floatAtLeast', min: 0.1 }, h('ContainerAppContainerSchema')),
    attr(type, `${c}.memory`, notEmpty, h('ContainerAppContainerSchema')),
    attr(type, `${c}.env.name`, notEmpty, h('ContainerEnvVarSchema')),
    attr(type, `${c}.volume_mounts.name`, notEmpty, h('ContainerVolumeMountSchema')),
    attr(type, `${c}.volume_mounts.path`, notEmpty, h('ContainerVolumeMountSchema')),
    attr(type, `${c}.volume_mounts.sub_path`, notEmpty, h('ContainerVolumeMountSchema')),
    attr(type, 'template.volume.name', notEmpty, h('ContainerVolumeSchema')),
    attr(type, 'template.volume.storage_type', oneOf(['AzureFile', 'EmptyDir', 'NfsAzureFile', 'Secret']), h('ContainerVolumeSchema')),
    attr(
      type,
      'template.volume.storage_name',
      validator('a managed environment storage name', managedEnvironmentStorageName),
      h('ContainerVolumeSchema'),
    ),
    attr(type, 'template.volume.mount_options', notEmpty, h('ContainerVolumeSchema')),
    attr(type, 'secret.name', validator('lower case alphanumerics or "-", at most 253 characters', secretName), h('SecretsSchema')),
    attr(
      type,
      'identity.type',
      oneOf(['UserAssigned', 'SystemAssigned', 'SystemAssigned, UserAssigned']),
      azurerm(IDENTITY, 'SystemAssignedUserAssignedIdentityOptional'),
    ),
  ];
  const probes: [string, string, boolean][] = [
    ['liveness_probe', 'ContainerAppLivenessProbeSchema', false],
    ['readiness_probe', 'ContainerAppReadinessProbeSchema', true],
    ['startup_probe', 'ContainerAppStartupProbeSchema', false],
  ];
  for (const [probe, func, ignoreCase] of probes) {
    const p = `${c}.${probe}`;
    out.push(
      attr(type, `${p}.transport`, oneOf(PROBE_TRANSPORTS, ignoreCase), h(func)),
      attr(type, `${p}.port`, between(1, 65535), h(func)),
      attr(type, `${p}.initial_delay`, between(0, 60), h(func)),
      attr(type, `${p}.interval_seconds`, between(1, 240), h(func)),
      attr(type, `${p}.timeout`, between(1, 240), h(func)),
      attr(type, `${p}.failure_count_threshold`, between(1, 30), h(func)),
      attr(type, `${p}.header.name`, notEmpty, h(func)),
    );
    if (probe === 'readiness_probe') out.push(attr(type, `${p}.success_count_threshold`, between(1, 10), h(func)));
  }
  return out;
}

/** The secret checks of ContainerAppResource.CustomizeDiff (also applied by the job's expand of the same helper model). */
function secretPairs(type: string, source: ReturnType<typeof azurerm>): ConstraintRule {
  return resourceRule(
    type,
    'secret-key-vault-identity',
    'A Key Vault secret reference needs an identity, and an identity needs a Key Vault secret id.',
    source,
    (body) => {
      const v = violations();
      asBlocks(body.secret).forEach((s, i) => {
        const kv = s.key_vault_secret_id;
        const id = s.identity;
        if (isSet(kv) && !isSet(id))
          v.add(`secret[${i}].identity`, undefined, `set when key_vault_secret_id is set (secret ${JSON.stringify(s.name)})`);
        if (!isSet(kv) && isSet(id))
          v.add(`secret[${i}].key_vault_secret_id`, undefined, `set when identity is set (secret ${JSON.stringify(s.name)})`);
      });
      return v.list;
    },
  );
}

/** Registry credentials: ValidateContainerAppRegistry, called by ExpandContainerAppRegistries in Create before the create request. */
function registryCredentials(type: string): ConstraintRule[] {
  return [
    attr(type, 'registry.server', notEmpty, h('ContainerAppRegistrySchema')),
    resourceRule(
      type,
      'registry-credentials',
      'A registry uses an identity or username + password_secret_name, not both, and not one of the pair alone.',
      h('ValidateContainerAppRegistry'),
      (body) => {
        const v = violations();
        asBlocks(body.registry).forEach((r, i) => {
          const id = isSet(r.identity);
          const user = isSet(r.username);
          const pwd = isSet(r.password_secret_name);
          if (id && (user || pwd))
            v.add(`registry[${i}].identity`, r.identity, 'not together with username/password_secret_name (mutually exclusive)');
          else if (!id && !user && !pwd) v.add(`registry[${i}]`, r.server, 'identity, or username and password_secret_name');
          else if (user !== pwd)
            v.add(`registry[${i}].${user ? 'password_secret_name' : 'username'}`, undefined, 'both username and password_secret_name');
        });
        return v.list;
      },
    ),
  ];
}

/** identity_ids only with a UserAssigned type: identity.ExpandSystemAndUserAssignedMapFromModel, called in Create before the create request. */
function identityIds(type: string): ConstraintRule {
  return resourceRule(
    type,
    'identity-ids-need-user-assigned',
    '`identity_ids` can only be specified when `type` is `UserAssigned` or `SystemAssigned, UserAssigned`.',
    azurerm(
      'vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/identity/system_and_user_assigned_map.go',
      'ExpandSystemAndUserAssignedMapFromModel',
    ),
    (body) => {
      const v = violations();
      asBlocks(body.identity).forEach((b) => {
        const t = literalString(b.type);
        if (t !== undefined && isSet(b.identity_ids) && t !== 'UserAssigned' && t !== 'SystemAssigned, UserAssigned')
          v.add('identity.type', t, '"UserAssigned" or "SystemAssigned, UserAssigned" when identity_ids is set');
      });
      return v.list;
    },
  );
}

const A = 'azurerm_container_app';
const J = 'azurerm_container_app_job';
const E = 'azurerm_container_app_environment';
const S = 'azurerm_container_app_environment_storage';

/** Container App rules. */
export const CONTAINER_APP_RULES: readonly ConstraintRule[] = [
  attr(
    A,
    'name',
    validator('lower case alphanumerics or "-", start with a letter, no "--", at most 32 characters', containerAppName),
    azurerm(NAME_SOURCES.containerApps, 'ContainerAppName'),
  ),
  attr(A, 'revision_mode', oneOf(['Single', 'Multiple']), azurerm(APP, 'ContainerAppResource.Arguments')),
  attr(A, 'workload_profile_name', notEmpty, azurerm(APP, 'ContainerAppResource.Arguments')),
  attr(A, 'max_inactive_revisions', between(0, 100), azurerm(APP, 'ContainerAppResource.Arguments')),
  attr(A, 'template.min_replicas', between(0, 300), h('ContainerTemplateSchema')),
  attr(A, 'template.max_replicas', between(1, 300), h('ContainerTemplateSchema')),
  attr(A, 'template.termination_grace_period_seconds', between(0, 600), h('ContainerTemplateSchema')),
  attr(A, 'template.cooldown_period_in_seconds', atLeast(1), h('ContainerTemplateSchema')),
  attr(A, 'template.polling_interval_in_seconds', atLeast(1), h('ContainerTemplateSchema')),
  attr(
    A,
    'template.custom_scale_rule.name',
    validator('lower case alphanumerics, "-" or ".", start and end alphanumeric', lowerCaseAlphaNumericWithHyphensAndPeriods),
    h('CustomScaleRuleSchema'),
  ),
  attr(
    A,
    'template.custom_scale_rule.custom_rule_type',
    oneOf([
      'activemq',
      'artemis-queue',
      'kafka',
      'pulsar',
      'aws-cloudwatch',
      'aws-dynamodb',
      'aws-dynamodb-streams',
      'aws-kinesis-stream',
      'aws-sqs-queue',
      'azure-app-insights',
      'azure-blob',
      'azure-data-explorer',
      'azure-eventhub',
      'azure-log-analytics',
      'azure-monitor',
      'azure-pipelines',
      'azure-servicebus',
      'azure-queue',
      'cassandra',
      'cpu',
      'cron',
      'datadog',
      'elasticsearch',
      'external',
      'external-push',
      'gcp-stackdriver',
      'gcp-storage',
      'gcp-pubsub',
      'graphite',
      'http',
      'huawei-cloudeye',
      'ibmmq',
      'influxdb',
      'kubernetes-workload',
      'liiklus',
      'memory',
      'metrics-api',
      'mongodb',
      'mssql',
      'mysql',
      'nats-jetstream',
      'stan',
      'tcp',
      'new-relic',
      'openstack-metric',
      'openstack-swift',
      'postgresql',
      'predictkube',
      'prometheus',
      'rabbitmq',
      'redis',
      'redis-cluster',
      'redis-sentinel',
      'redis-streams',
      'redis-cluster-streams',
      'redis-sentinel-streams',
      'selenium-grid',
      'solace-event-queue',
      'github-runner',
    ]),
    h('CustomScaleRuleSchema'),
  ),
  attr(
    A,
    'template.custom_scale_rule.authentication.secret_name',
    validator('a container app secret name', secretName),
    h('CustomScaleRuleSchema'),
  ),
  attr(A, 'template.custom_scale_rule.authentication.trigger_parameter', notEmpty, h('CustomScaleRuleSchema')),
  attr(A, 'ingress.target_port', between(1, 65535), h('ContainerAppIngressSchema')),
  attr(A, 'ingress.exposed_port', between(1, 65535), h('ContainerAppIngressSchema')),
  attr(A, 'ingress.transport', oneOf(['auto', 'http', 'http2', 'tcp']), h('ContainerAppIngressSchema')),
  attr(A, 'ingress.traffic_weight.percentage', between(0, 100), h('ContainerAppIngressTrafficWeight')),
  attr(A, 'ingress.traffic_weight.label', notEmpty, h('ContainerAppIngressTrafficWeight')),
  attr(A, 'ingress.traffic_weight.revision_suffix', notEmpty, h('ContainerAppIngressTrafficWeight')),
  ...containerRules(A),
  resourceRule(
    A,
    'traffic-weight-target',
    'Each ingress traffic_weight sets latest_revision = true or a revision_suffix.',
    azurerm(APP, 'ContainerAppResource.CustomizeDiff'),
    (body) => {
      const v = violations();
      asBlocks(body.ingress)
        .slice(0, 1)
        .forEach((ingress) => {
          asBlocks(ingress.traffic_weight).forEach((tw, i) => {
            const latest = tw.latest_revision;
            if ((latest === false || latest === 'false' || latest === undefined) && !isSet(tw.revision_suffix)) {
              v.add(`ingress.traffic_weight[${i}].latest_revision`, latest, 'true, or a revision_suffix set');
            }
          });
        });
      return v.list;
    },
  ),
  secretPairs(A, azurerm(APP, 'ContainerAppResource.CustomizeDiff')),
  identityIds(A),
  ...registryCredentials(A),
];

/** Container App Job rules. */
export const CONTAINER_APP_JOB_RULES: readonly ConstraintRule[] = [
  attr(
    J,
    'name',
    validator('lower case alphanumerics or "-", start and end alphanumeric, no "--", at most 32 characters', containerAppJobName),
    azurerm(NAME_SOURCES.containerApps, 'ContainerAppJobName'),
  ),
  attr(J, 'replica_timeout_in_seconds', atLeast(1), azurerm(JOB, 'ContainerAppJobResource.Arguments')),
  attr(J, 'replica_retry_limit', atLeast(0), azurerm(JOB, 'ContainerAppJobResource.Arguments')),
  attr(J, 'workload_profile_name', notEmpty, azurerm(JOB, 'ContainerAppJobResource.Arguments')),
  attr(J, 'manual_trigger_config.parallelism', atLeast(1), azurerm(JOB, 'ContainerAppJobResource.Arguments')),
  attr(J, 'manual_trigger_config.replica_completion_count', atLeast(1), azurerm(JOB, 'ContainerAppJobResource.Arguments')),
  attr(J, 'schedule_trigger_config.cron_expression', notEmpty, azurerm(JOB, 'ContainerAppJobResource.Arguments')),
  attr(J, 'schedule_trigger_config.parallelism', atLeast(1), azurerm(JOB, 'ContainerAppJobResource.Arguments')),
  attr(J, 'schedule_trigger_config.replica_completion_count', atLeast(1), azurerm(JOB, 'ContainerAppJobResource.Arguments')),
  attr(J, 'event_trigger_config.parallelism', atLeast(1), azurerm(JOB, 'ContainerAppJobResource.Arguments')),
  attr(J, 'event_trigger_config.replica_completion_count', atLeast(1), azurerm(JOB, 'ContainerAppJobResource.Arguments')),
  presence(
    'exactlyOneOf',
    J,
    '',
    ['event_trigger_config', 'manual_trigger_config', 'schedule_trigger_config'],
    azurerm(JOB, 'ContainerAppJobResource.Arguments'),
  ),
  ...containerRules(J),
  identityIds(J),
  ...registryCredentials(J),
];

/** Container Apps environment rules. */
export const CONTAINER_APP_ENVIRONMENT_RULES: readonly ConstraintRule[] = [
  attr(
    E,
    'name',
    validator('alphanumerics or "-", start with a letter, at most 60 characters', managedEnvironmentName),
    azurerm(NAME_SOURCES.containerApps, 'ManagedEnvironmentName'),
  ),
  // 4.x (features.FivePointOh() false) replaces the schema: "" (none) is allowed too.
  attr(E, 'logs_destination', oneOf(['azure-monitor', '', 'log-analytics']), azurerm(ENV, 'ContainerAppEnvironmentResource.Arguments')),
  attr(
    E,
    'infrastructure_resource_group_name',
    validator('a resource group name (1-90 of alphanumerics, "-", "_", "(", ")", ".", not ending in ".")', resourceGroupName),
    azurerm(NAME_SOURCES.resourceGroups, 'ValidateName'),
  ),
  attr(E, 'public_network_access', oneOf(['Disabled', 'Enabled']), azurerm(ENV, 'ContainerAppEnvironmentResource.Arguments')),
  attr(E, 'workload_profile.name', notEmpty, azurerm(ENV_HELPERS, 'WorkloadProfileSchema')),
  attr(
    E,
    'workload_profile.workload_profile_type',
    oneOf([
      'Consumption',
      'Consumption-GPU-NC24-A100',
      'Consumption-GPU-NC8as-T4',
      'D4',
      'D8',
      'D16',
      'D32',
      'E4',
      'E8',
      'E16',
      'E32',
      'NC24-A100',
      'NC48-A100',
      'NC96-A100',
    ]),
    azurerm(ENV_HELPERS, 'PossibleValuesForWorkloadProfileSku'),
  ),
  presence(
    'requiredWith',
    E,
    '',
    ['infrastructure_resource_group_name', 'workload_profile'],
    azurerm(ENV, 'ContainerAppEnvironmentResource.Arguments'),
  ),
  presence(
    'requiredWith',
    E,
    '',
    ['internal_load_balancer_enabled', 'infrastructure_subnet_id'],
    azurerm(ENV, 'ContainerAppEnvironmentResource.Arguments'),
  ),
  presence(
    'requiredWith',
    E,
    '',
    ['zone_redundancy_enabled', 'infrastructure_subnet_id'],
    azurerm(ENV, 'ContainerAppEnvironmentResource.Arguments'),
  ),
  resourceRule(
    E,
    'logs-destination-workspace',
    'log-analytics needs log_analytics_workspace_id; other destinations must not set it.',
    azurerm(ENV, 'ContainerAppEnvironmentResource.CustomizeDiff'),
    (body) => {
      const v = violations();
      const dest = body.logs_destination;
      const ws = body.log_analytics_workspace_id;
      if (!isSet(dest) && !isSet(ws)) return [];
      const d = literalString(dest) ?? (isSet(dest) ? undefined : '');
      if (d === 'log-analytics' && !isSet(ws))
        v.add('log_analytics_workspace_id', undefined, 'set when logs_destination is "log-analytics"');
      if ((d === 'azure-monitor' || (d === '' && isSet(dest))) && isSet(ws))
        v.add('log_analytics_workspace_id', ws, 'only set when logs_destination is "log-analytics" or omitted');
      return v.list;
    },
  ),
  resourceRule(
    E,
    'internal-lb-not-public',
    'public_network_access cannot be Enabled with internal_load_balancer_enabled = true.',
    azurerm(ENV, 'ContainerAppEnvironmentResource.CustomizeDiff'),
    (body) => {
      const ilb = body.internal_load_balancer_enabled === true || body.internal_load_balancer_enabled === 'true';
      return ilb && body.public_network_access === 'Enabled'
        ? [
            {
              path: 'public_network_access',
              value: 'Enabled',
              allowed: '"Disabled" (or unset) when internal_load_balancer_enabled is true',
            },
          ]
        : [];
    },
  ),
];

/** Container Apps environment storage rules. */
export const CONTAINER_APP_ENVIRONMENT_STORAGE_RULES: readonly ConstraintRule[] = [
  attr(
    S,
    'name',
    validator('lower case alphanumerics or "-", start with a letter, no "--", at most 32 characters', managedEnvironmentStorageName),
    azurerm(NAME_SOURCES.containerApps, 'ManagedEnvironmentStorageName'),
  ),
  attr(S, 'access_mode', oneOf(['ReadOnly', 'ReadWrite']), azurerm(STORAGE, 'ContainerAppEnvironmentStorageResource.Arguments')),
  attr(
    S,
    'account_name',
    validator('3-24 lower case letters and digits', storageAccountName),
    azurerm(NAME_SOURCES.storageAccount, 'StorageAccountName'),
  ),
  attr(S, 'access_key', notEmpty, azurerm(STORAGE, 'ContainerAppEnvironmentStorageResource.Arguments')),
  attr(S, 'nfs_server_url', notEmpty, azurerm(STORAGE, 'ContainerAppEnvironmentStorageResource.Arguments')),
  presence('requiredWith', S, '', ['account_name', 'access_key'], azurerm(STORAGE, 'ContainerAppEnvironmentStorageResource.Arguments')),
  presence('requiredWith', S, '', ['access_key', 'account_name'], azurerm(STORAGE, 'ContainerAppEnvironmentStorageResource.Arguments')),
  presence(
    'conflictsWith',
    S,
    '',
    ['account_name', 'nfs_server_url'],
    azurerm(STORAGE, 'ContainerAppEnvironmentStorageResource.Arguments'),
  ),
  presence(
    'conflictsWith',
    S,
    '',
    ['nfs_server_url', 'account_name'],
    azurerm(STORAGE, 'ContainerAppEnvironmentStorageResource.Arguments'),
  ),
];

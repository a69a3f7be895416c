/**
 * Resource group, identity, role assignments, Log Analytics, private DNS, the tags and location
 * every Azure resource shares (hashicorp/terraform-provider-azurerm@v4.55.0), and the random and time
 * providers (hashicorp/terraform-provider-random@v3.7.2, hashicorp/terraform-provider-time@v0.13.1).
 */
import type { ConstraintRule, ProviderSource } from '../model';
import {
  attr,
  azurerm,
  isSet,
  literalString,
  notEmpty,
  oneOf,
  presence,
  resourceRule,
  validator,
  violations,
  deprecated,
  items,
} from './_helpers';
import { logAnalyticsWorkspaceName, lowerCasedString, NAME_SOURCES, resourceGroupName } from './names';

const HELPERS = 'vendor/github.com/hashicorp/go-azure-helpers/resourcemanager';
const LAW = 'internal/services/loganalytics/log_analytics_workspace_resource.go';
const RA = 'internal/services/authorization/role_assignment_resource.go';
const PDNS_A = 'internal/services/privatedns/private_dns_a_record_resource.go';
const PDNS_LINK = 'internal/services/privatedns/private_dns_zone_virtual_network_link_resource.go';

/** Types whose `tags` is `commonschema.Tags()` (at most 50 tags, keys <= 512, values <= 256 characters). */
const COMMON_TAGS: readonly [string, string][] = [
  ['azurerm_container_app', 'internal/services/containerapps/container_app_resource.go'],
  ['azurerm_container_app_job', 'internal/services/containerapps/container_app_job_resource.go'],
  ['azurerm_container_app_environment', 'internal/services/containerapps/container_app_environment_resource.go'],
  ['azurerm_key_vault', 'internal/services/keyvault/key_vault_resource.go'],
  ['azurerm_log_analytics_workspace', LAW],
  ['azurerm_network_security_group', 'internal/services/network/network_security_group_resource.go'],
  ['azurerm_postgresql_flexible_server', 'internal/services/postgres/postgresql_flexible_server_resource.go'],
  ['azurerm_private_dns_a_record', PDNS_A],
  ['azurerm_private_dns_zone', 'internal/services/privatedns/private_dns_zone_resource.go'],
  ['azurerm_private_dns_zone_virtual_network_link', PDNS_LINK],
  ['azurerm_resource_group', 'internal/services/resource/resource_group_resource.go'],
  ['azurerm_user_assigned_identity', 'internal/services/managedidentity/user_assigned_identity_resource.go'],
  ['azurerm_virtual_network', 'internal/services/network/virtual_network_resource.go'],
  ['azurerm_network_interface', 'internal/services/network/network_interface_resource.go'],
  ['azurerm_public_ip', 'internal/services/network/public_ip_resource.go'],
  ['azurerm_linux_virtual_machine', 'internal/services/compute/linux_virtual_machine_resource.go'],
];

/** A tags map check: at most `max` tags, keys of at most `keyMax` characters, values of at most 256. */
function tagsRule(type: string, max: number, keyMax: number, source: ProviderSource): ConstraintRule {
  return resourceRule(type, 'tags', `At most ${max} tags, keys of at most ${keyMax} characters, values of at most 256.`, source, (body) => {
    const tags = body.tags;
    if (!tags || typeof tags !== 'object' || Array.isArray(tags)) return [];
    const v = violations();
    const entries = Object.entries(tags as Record<string, unknown>);
    if (entries.length > max) v.add('tags', `${entries.length} tags`, `at most ${max} tags`);
    for (const [k, value] of entries) {
      if (k.length > keyMax) v.add(`tags.${k}`, k, `a key of at most ${keyMax} characters`);
      if (typeof value === 'string' && !value.includes('${') && value.length > 256)
        v.add(`tags.${k}`, value, 'a value of at most 256 characters');
    }
    return v.list;
  });
}

/** Types whose `location` is `commonschema.Location()` (`location.EnhancedValidate`: not empty when the region list is not loaded). */
const LOCATION_TYPES: readonly string[] = [
  'azurerm_container_app_job',
  'azurerm_container_app_environment',
  'azurerm_key_vault',
  'azurerm_log_analytics_workspace',
  'azurerm_network_security_group',
  'azurerm_postgresql_flexible_server',
  'azurerm_resource_group',
  'azurerm_user_assigned_identity',
  'azurerm_virtual_network',
  'azurerm_network_interface',
  'azurerm_public_ip',
  'azurerm_linux_virtual_machine',
  'azurerm_storage_account',
];

/** Types whose `resource_group_name` is `commonschema.ResourceGroupName()` or the resource group's own name. */
const RESOURCE_GROUP_NAME_TYPES: readonly string[] = [
  'azurerm_container_app',
  'azurerm_container_app_job',
  'azurerm_container_app_environment',
  'azurerm_key_vault',
  'azurerm_log_analytics_workspace',
  'azurerm_network_security_group',
  'azurerm_network_security_rule',
  'azurerm_postgresql_flexible_server',
  'azurerm_user_assigned_identity',
  'azurerm_virtual_network',
  'azurerm_subnet',
  'azurerm_network_interface',
  'azurerm_public_ip',
  'azurerm_linux_virtual_machine',
  'azurerm_storage_account',
];

/** Shared rules and the remaining azurerm types. */
export const PLATFORM_RULES: readonly ConstraintRule[] = [
  ...COMMON_TAGS.map(([type]) => tagsRule(type, 50, 512, azurerm(`${HELPERS}/tags/validate.go`, 'Validate (commonschema.Tags)'))),
  tagsRule(
    'azurerm_key_vault_secret',
    15,
    512,
    azurerm(`${HELPERS}/tags/validate.go`, 'ValidateWithMaximumElements(15) (commonschema.TagsWithMaximumElements)'),
  ),
  tagsRule('azurerm_storage_account', 50, 128, azurerm('internal/services/storage/validate/storage_account_tags.go', 'StorageAccountTags')),
  ...LOCATION_TYPES.map((type) =>
    attr(type, 'location', notEmpty, azurerm(`${HELPERS}/location/validation.go`, 'EnhancedValidate (commonschema.Location)')),
  ),
  ...RESOURCE_GROUP_NAME_TYPES.map((type) =>
    attr(
      type,
      'resource_group_name',
      validator('a resource group name (1-90 of alphanumerics, "-", "_", "(", ")", ".", not ending in ".")', resourceGroupName),
      azurerm(NAME_SOURCES.resourceGroups, 'ValidateName (commonschema.ResourceGroupName)'),
    ),
  ),
  attr(
    'azurerm_resource_group',
    'name',
    validator('1-90 of alphanumerics, "-", "_", "(", ")", ".", not ending in "."', resourceGroupName),
    azurerm(NAME_SOURCES.resourceGroups, 'ValidateName (commonschema.ResourceGroupName)'),
  ),
  attr(
    'azurerm_resource_group',
    'managed_by',
    notEmpty,
    azurerm('internal/services/resource/resource_group_resource.go', 'resourceResourceGroup'),
  ),
  attr(
    'azurerm_log_analytics_workspace',
    'name',
    validator('4-63 alphanumerics and "-", not at either end', logAnalyticsWorkspaceName),
    azurerm('internal/services/loganalytics/validate/log_analytics_workspace_name.go', 'LogAnalyticsWorkspaceName'),
  ),
  attr(
    'azurerm_log_analytics_workspace',
    'sku',
    oneOf(['PerGB2018', 'PerNode', 'Premium', 'Standalone', 'Standard', 'CapacityReservation', 'LACluster', 'Unlimited']),
    azurerm(LAW, 'resourceLogAnalyticsWorkspace'),
  ),
  attr(
    'azurerm_log_analytics_workspace',
    'retention_in_days',
    { kind: 'intBetween', min: 30, max: 730 },
    azurerm(LAW, 'resourceLogAnalyticsWorkspace'),
  ),
  attr(
    'azurerm_log_analytics_workspace',
    'daily_quota_gb',
    { kind: 'floatAtLeast', min: -1 },
    azurerm(LAW, 'resourceLogAnalyticsWorkspace'),
  ),
  deprecated(
    'azurerm_log_analytics_workspace',
    'local_authentication_disabled',
    'deprecated in favour of local_authentication_enabled; removed in v5.0',
    azurerm(LAW, 'resourceLogAnalyticsWorkspace'),
  ),
  presence(
    'conflictsWith',
    'azurerm_log_analytics_workspace',
    '',
    ['local_authentication_disabled', 'local_authentication_enabled'],
    azurerm(LAW, 'resourceLogAnalyticsWorkspace'),
  ),
  resourceRule(
    'azurerm_log_analytics_workspace',
    'sku-on-create',
    '`sku` cannot be LACluster on creation; reservation_capacity_in_gb_per_day goes with the CapacityReservation SKU only, and that SKU needs it.',
    azurerm(LAW, 'resourceLogAnalyticsWorkspaceCreate'),
    (body) => {
      const v = violations();
      const sku = literalString(body.sku);
      if (sku?.toLowerCase() === 'lacluster') v.add('sku', sku, 'not LACluster when the workspace is created');
      const capacity = sku?.toLowerCase() === 'capacityreservation';
      if (sku !== undefined && isSet(body.reservation_capacity_in_gb_per_day) && !capacity)
        v.add('reservation_capacity_in_gb_per_day', body.reservation_capacity_in_gb_per_day, 'only with sku CapacityReservation');
      if (capacity && !isSet(body.reservation_capacity_in_gb_per_day))
        v.add('reservation_capacity_in_gb_per_day', undefined, 'set with sku CapacityReservation');
      return v.list;
    },
  ),
  attr('azurerm_role_assignment', 'principal_type', oneOf(['User', 'Group', 'ServicePrincipal']), azurerm(RA, 'resourceArmRoleAssignment')),
  attr('azurerm_role_assignment', 'role_definition_name', notEmpty, azurerm(RA, 'resourceArmRoleAssignment')),
  attr('azurerm_role_assignment', 'condition_version', oneOf(['1.0', '2.0']), azurerm(RA, 'resourceArmRoleAssignment')),
  presence(
    'exactlyOneOf',
    'azurerm_role_assignment',
    '',
    ['role_definition_id', 'role_definition_name'],
    azurerm(RA, 'resourceArmRoleAssignment'),
  ),
  resourceRule(
    'azurerm_role_assignment',
    'condition-version-needs-condition',
    '`condition_version` should not be set without `condition`.',
    azurerm(RA, 'resourceArmRoleAssignmentCreate'),
    (body) =>
      isSet(body.condition_version) && !isSet(body.condition)
        ? [{ path: 'condition_version', value: body.condition_version, allowed: 'unset unless condition is set' }]
        : [],
  ),
  attr(
    'azurerm_private_dns_a_record',
    'name',
    validator('lower case, no white space', lowerCasedString),
    azurerm('internal/services/privatedns/validate/lower_cased_string.go', 'LowerCasedString'),
  ),
  attr('azurerm_private_dns_a_record', 'zone_name', notEmpty, azurerm(PDNS_A, 'resourcePrivateDnsARecord')),
  items('azurerm_private_dns_a_record', 'records', { min: 1, max: 20 }, azurerm(PDNS_A, 'resourcePrivateDnsARecord')),
  attr(
    'azurerm_private_dns_zone_virtual_network_link',
    'private_dns_zone_name',
    notEmpty,
    azurerm(PDNS_LINK, 'resourcePrivateDnsZoneVirtualNetworkLink'),
  ),
];

const PROVIDER = 'internal/provider/provider.go';

/** The azurerm provider block itself (rules typed `provider.azurerm`). */
export const PROVIDER_RULES: readonly ConstraintRule[] = [
  resourceRule(
    'provider.azurerm',
    'features-block',
    '`features` is Required with MaxItems 1 (the cdktf bindings model it as an optional list).',
    azurerm('internal/provider/features.go', 'schemaFeatures'),
    (body) => {
      const n = Array.isArray(body.features) ? body.features.length : isSet(body.features) ? 1 : 0;
      return n === 1 ? [] : [{ path: 'features', value: `${n} block(s)`, allowed: 'exactly one features block (Required, MaxItems 1)' }];
    },
  ),
  attr(
    'provider.azurerm',
    'resource_provider_registrations',
    oneOf(['core', 'extended', 'all', 'none', 'legacy']),
    azurerm(PROVIDER, 'azureProvider'),
  ),
  deprecated(
    'provider.azurerm',
    'skip_provider_registration',
    'use resource_provider_registrations; removed in v5.0',
    azurerm(PROVIDER, 'azureProvider'),
  ),
  resourceRule(
    'provider.azurerm',
    'skip-registration-vs-registrations',
    'skip_provider_registration = true only with resource_provider_registrations "legacy" (the default).',
    azurerm(PROVIDER, 'buildClient'),
    (body) => {
      const skip = body.skip_provider_registration === true || body.skip_provider_registration === 'true';
      const reg = body.resource_provider_registrations ?? 'legacy';
      return skip && reg !== 'legacy'
        ? [{ path: 'skip_provider_registration', value: true, allowed: 'unset when resource_provider_registrations is set' }]
        : [];
    },
  ),
];

const RANDOM: ProviderSource = {
  provider: 'random',
  file: 'internal/provider/ephemeral_password.go',
  func: 'passwordEphemeralResource.Schema',
};
/** The stacks generate passwords only as ephemeral resources (SecretStore): the managed random_password is not written. */
const RANDOM_PASSWORD = 'ephemeral.random_password';
const TIME: ProviderSource = { provider: 'time', file: 'internal/provider/resource_time_sleep.go', func: 'timeSleepResource.Schema' };
const DURATION = { kind: 'regex', pattern: /^[0-9]+(\.[0-9]+)?(ms|s|m|h)$/, allowed: 'a duration such as 30s, 1.5m, 2h' } as const;

/** The ephemeral random_password and time_sleep. */
export const RANDOM_TIME_RULES: readonly ConstraintRule[] = [
  attr(RANDOM_PASSWORD, 'length', { kind: 'intAtLeast', min: 1 }, RANDOM),
  resourceRule(
    RANDOM_PASSWORD,
    'length-at-least-sum-of-minimums',
    'length >= min_upper + min_lower + min_numeric + min_special (int64validator.AtLeastSumOf).',
    RANDOM,
    (body) => {
      const n = (k: string) => (typeof body[k] === 'number' ? (body[k] as number) : 0);
      if (typeof body.length !== 'number') return [];
      const sum = n('min_upper') + n('min_lower') + n('min_numeric') + n('min_special');
      return body.length < sum
        ? [{ path: 'length', value: body.length, allowed: `at least min_upper + min_lower + min_numeric + min_special = ${sum}` }]
        : [];
    },
  ),
  ...['numeric'].map((k) =>
    resourceRule(
      RANDOM_PASSWORD,
      `${k}-needs-another-class`,
      `When ${k} is false and special, upper and lower are all configured, one of them is true (validators.AtLeastOneOfTrue).`,
      RANDOM,
      (body) => {
        if (body[k] !== false) return [];
        const others = ['special', 'upper', 'lower'];
        return others.every((o) => body[o] === false)
          ? [{ path: k, value: false, allowed: 'true, or one of special / upper / lower true' }]
          : [];
      },
    ),
  ),
  attr('time_sleep', 'create_duration', DURATION, TIME),
  attr('time_sleep', 'destroy_duration', DURATION, TIME),
  presence('atLeastOneOf', 'time_sleep', '', ['create_duration', 'destroy_duration'], TIME),
];

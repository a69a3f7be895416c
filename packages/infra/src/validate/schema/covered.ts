/**
 * The resource and data source types the stacks synthesize (in any environment: the example, the
 * maximal ones, edge `vm` and `none`), with the binding module each schema is read from. A type
 * the stacks write that is missing here is a validate finding (`no-schema`), so a new resource
 * type cannot slip past the checks.
 */

/** One covered type. */
export interface CoveredType {
  /** `resource`, `data` or `provider` (the provider's own configuration block). */
  readonly kind: 'resource' | 'data' | 'provider';
  /** Terraform type. */
  readonly type: string;
  /** npm package of the prebuilt bindings. */
  readonly pkg: '@cdktf/provider-azurerm' | '@cdktf/provider-random' | '@cdktf/provider-time';
  /** Module under `lib/`. */
  readonly module: string;
}

const azurerm = (type: string): CoveredType => ({
  kind: 'resource',
  type,
  pkg: '@cdktf/provider-azurerm',
  module: type.slice('azurerm_'.length).replace(/_/g, '-'),
});

/** Every type the stacks use, resources first. */
export const COVERED_TYPES: readonly CoveredType[] = [
  azurerm('azurerm_container_app'),
  azurerm('azurerm_container_app_job'),
  azurerm('azurerm_container_app_environment'),
  azurerm('azurerm_container_app_environment_storage'),
  azurerm('azurerm_key_vault'),
  azurerm('azurerm_key_vault_secret'),
  azurerm('azurerm_log_analytics_workspace'),
  azurerm('azurerm_monitor_diagnostic_setting'),
  azurerm('azurerm_network_security_group'),
  azurerm('azurerm_network_security_rule'),
  azurerm('azurerm_network_interface'),
  azurerm('azurerm_public_ip'),
  azurerm('azurerm_linux_virtual_machine'),
  azurerm('azurerm_postgresql_flexible_server'),
  azurerm('azurerm_postgresql_flexible_server_configuration'),
  azurerm('azurerm_postgresql_flexible_server_database'),
  azurerm('azurerm_private_dns_a_record'),
  azurerm('azurerm_private_dns_zone'),
  azurerm('azurerm_private_dns_zone_virtual_network_link'),
  azurerm('azurerm_resource_group'),
  azurerm('azurerm_role_assignment'),
  azurerm('azurerm_storage_account'),
  azurerm('azurerm_storage_share'),
  azurerm('azurerm_storage_share_directory'),
  azurerm('azurerm_storage_share_file'),
  azurerm('azurerm_subnet'),
  azurerm('azurerm_subnet_network_security_group_association'),
  azurerm('azurerm_user_assigned_identity'),
  azurerm('azurerm_virtual_network'),
  { kind: 'resource', type: 'random_password', pkg: '@cdktf/provider-random', module: 'password' },
  { kind: 'resource', type: 'time_sleep', pkg: '@cdktf/provider-time', module: 'sleep' },
  { kind: 'data', type: 'azurerm_client_config', pkg: '@cdktf/provider-azurerm', module: 'data-azurerm-client-config' },
  { kind: 'provider', type: 'azurerm', pkg: '@cdktf/provider-azurerm', module: 'provider' },
  { kind: 'provider', type: 'random', pkg: '@cdktf/provider-random', module: 'provider' },
  { kind: 'provider', type: 'time', pkg: '@cdktf/provider-time', module: 'provider' },
];

/**
 * Types that belong to Terraform itself rather than a provider: their arguments depend on the
 * backend and Terraform checks them; validate does not model them.
 */
export const TERRAFORM_BUILTIN_TYPES: readonly string[] = ['data.terraform_remote_state'];

/** The key of a type in the schema table: the type for resources, `data.<type>`, `provider.<name>`, `ephemeral.<type>`. */
export function schemaKey(kind: 'resource' | 'data' | 'provider' | 'ephemeral', type: string): string {
  return kind === 'resource' ? type : `${kind}.${type}`;
}

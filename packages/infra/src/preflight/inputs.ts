import { type Catalogue, type EnvironmentConfig, resourceNames, resourceTotals } from '@cvat-cloud/catalogue';
import type { StackJson } from '../deploy/manifest';

/**
 * The Azure resource provider namespace of each azurerm resource type prefix (longest prefix wins).
 * Types are matched against the synthesized stacks, so a new resource type without an entry here makes
 * the provider check fail by name instead of being skipped silently.
 *
 * @see https://learn.microsoft.com/azure/azure-resource-manager/management/azure-services-resource-providers
 */
export const RESOURCE_PROVIDER_BY_TYPE_PREFIX: Readonly<Record<string, string>> = {
  azurerm_container_app: 'Microsoft.App',
  azurerm_key_vault: 'Microsoft.KeyVault',
  azurerm_log_analytics: 'Microsoft.OperationalInsights',
  azurerm_postgresql_flexible_server: 'Microsoft.DBforPostgreSQL',
  azurerm_storage: 'Microsoft.Storage',
  azurerm_virtual_network: 'Microsoft.Network',
  azurerm_subnet: 'Microsoft.Network',
  azurerm_network_: 'Microsoft.Network',
  azurerm_private_dns_: 'Microsoft.Network',
  azurerm_private_endpoint: 'Microsoft.Network',
  azurerm_public_ip: 'Microsoft.Network',
  azurerm_linux_virtual_machine: 'Microsoft.Compute',
  azurerm_windows_virtual_machine: 'Microsoft.Compute',
  azurerm_managed_disk: 'Microsoft.Compute',
  azurerm_virtual_machine: 'Microsoft.Compute',
  azurerm_user_assigned_identity: 'Microsoft.ManagedIdentity',
  azurerm_role_assignment: 'Microsoft.Authorization',
  azurerm_resource_group: 'Microsoft.Resources',
  // Diagnostic settings, metric alerts, action groups: `{resource id}/providers/microsoft.insights/diagnosticSettings/…`
  // (https://learn.microsoft.com/rest/api/monitor/diagnostic-settings/create-or-update).
  azurerm_monitor_: 'Microsoft.Insights',
};

/**
 * Namespaces every subscription has registered and that cannot be unregistered, so they are not checked.
 *
 * @see https://learn.microsoft.com/azure/azure-resource-manager/management/resource-providers-and-types#registration
 */
export const ALWAYS_REGISTERED_PROVIDERS: readonly string[] = ['Microsoft.Resources', 'Microsoft.Authorization'];

/** The resource provider of an azurerm type, or undefined when the table has no prefix for it. */
export function providerForType(type: string): string | undefined {
  const prefix = Object.keys(RESOURCE_PROVIDER_BY_TYPE_PREFIX)
    .filter((p) => type.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? RESOURCE_PROVIDER_BY_TYPE_PREFIX[prefix] : undefined;
}

/** A globally named resource the deployment will create. */
export interface NamedResource {
  /** Terraform type, e.g. `azurerm_storage_account`. */
  readonly type: string;
  readonly name: string;
  readonly location: string;
}

/** Everything preflight checks, taken from the synthesized stacks (what terraform will apply) and the environment. */
export interface PreflightInputs {
  readonly environment: string;
  readonly location: string;
  readonly resourceGroup: string;
  /** Namespaces to check, sorted, without {@link ALWAYS_REGISTERED_PROVIDERS}. */
  readonly resourceProviders: readonly string[];
  /** azurerm types with no entry in {@link RESOURCE_PROVIDER_BY_TYPE_PREFIX}. */
  readonly unmappedTypes: readonly string[];
  readonly storageAccounts: readonly NamedResource[];
  readonly keyVaults: readonly NamedResource[];
  /** `features.key_vault.recover_soft_deleted_key_vaults` of the azurerm provider. @default true (the provider's default) */
  readonly recoverSoftDeletedKeyVaults: boolean;
  readonly postgresServers: readonly (NamedResource & { readonly skuName: string; readonly version: string })[];
  /** Public IPs with a `domain_name_label`. */
  readonly dnsLabels: readonly (NamedResource & { readonly label: string })[];
  readonly virtualMachines: readonly (NamedResource & { readonly size: string })[];
  readonly containerAppsEnvironments: readonly NamedResource[];
  /** vCPU of every container app at maximum replicas (the catalogue's ceiling for this environment). */
  readonly containerAppsCpuCoresAtMax: number;
  /** Operator CIDRs allowed through the storage and Key Vault firewalls. */
  readonly adminCidrs: readonly string[];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' && !v.includes('${') ? v : undefined;
}

function resources(stacks: readonly StackJson[], type: string): Record<string, unknown>[] {
  return stacks.flatMap((s) => Object.values(s.resource?.[type] ?? {})) as Record<string, unknown>[];
}

function named(stacks: readonly StackJson[], type: string, fallbackLocation: string): NamedResource[] {
  return resources(stacks, type)
    .map((r) => ({ type, name: str(r.name), location: str(r.location) ?? fallbackLocation }))
    .filter((r): r is NamedResource => r.name !== undefined);
}

function providerBlock(stacks: readonly StackJson[]): Record<string, unknown> | undefined {
  for (const s of stacks) {
    const p = s.provider?.azurerm;
    const block = Array.isArray(p) ? p[0] : p;
    if (block) return block as Record<string, unknown>;
  }
  return undefined;
}

/** First element of a cdktf block list (`[{…}]`) or the block itself. */
function first(v: unknown): Record<string, unknown> | undefined {
  return (Array.isArray(v) ? v[0] : v) as Record<string, unknown> | undefined;
}

/**
 * Derives the preflight inputs from the synthesized stacks of one environment.
 *
 * @param stacks every stack's `cdk.tf.json`
 */
export function derivePreflightInputs(stacks: readonly StackJson[], config: EnvironmentConfig, catalogue: Catalogue): PreflightInputs {
  const location = config.location;
  const types = [...new Set(stacks.flatMap((s) => Object.keys(s.resource ?? {})))].filter((t) => t.startsWith('azurerm_')).sort();
  const providers = new Set<string>();
  const unmappedTypes: string[] = [];
  for (const t of types) {
    const p = providerForType(t);
    if (p) providers.add(p);
    else unmappedTypes.push(t);
  }
  const keyVaultFeatures = first(first(first(providerBlock(stacks)?.features)?.key_vault));
  const recover = keyVaultFeatures?.recover_soft_deleted_key_vaults;
  return {
    environment: config.name,
    location,
    resourceGroup: str(resources(stacks, 'azurerm_resource_group')[0]?.name) ?? resourceNames(config).resourceGroup,
    resourceProviders: [...providers].filter((p) => !ALWAYS_REGISTERED_PROVIDERS.includes(p)).sort(),
    unmappedTypes,
    storageAccounts: named(stacks, 'azurerm_storage_account', location),
    keyVaults: named(stacks, 'azurerm_key_vault', location),
    recoverSoftDeletedKeyVaults: typeof recover === 'boolean' ? recover : true,
    postgresServers: resources(stacks, 'azurerm_postgresql_flexible_server').flatMap((r) => {
      const name = str(r.name);
      return name
        ? [
            {
              type: 'azurerm_postgresql_flexible_server',
              name,
              location: str(r.location) ?? location,
              skuName: str(r.sku_name) ?? '',
              version: str(r.version) ?? '',
            },
          ]
        : [];
    }),
    dnsLabels: resources(stacks, 'azurerm_public_ip').flatMap((r) => {
      const name = str(r.name);
      const label = str(r.domain_name_label);
      return name && label ? [{ type: 'azurerm_public_ip', name, location: str(r.location) ?? location, label }] : [];
    }),
    virtualMachines: ['azurerm_linux_virtual_machine', 'azurerm_windows_virtual_machine'].flatMap((type) =>
      resources(stacks, type).flatMap((r) => {
        const name = str(r.name);
        const size = str(r.size);
        return name && size ? [{ type, name, location: str(r.location) ?? location, size }] : [];
      }),
    ),
    containerAppsEnvironments: named(stacks, 'azurerm_container_app_environment', location),
    containerAppsCpuCoresAtMax: resourceTotals(catalogue).atMaxReplicas.cpuCores,
    adminCidrs: config.adminCidrs,
  };
}

/**
 * The priced inventory: every resource of the synthesized Terraform, reduced to its type, address and the few
 * arguments a price depends on. Deriving it from the Terraform JSON (not from a list kept by hand) means a resource
 * another construct adds (a private endpoint, a diagnostic setting, an NSG) is priced, or named as unpriced, the day
 * it appears.
 */
import type { TerraformJson } from '../policy/model';

/** One Terraform resource as the estimate sees it. */
export interface InventoryResource {
  /** Terraform type, e.g. `azurerm_private_endpoint`. */
  readonly type: string;
  /** `<stack>:<type>.<name>`. */
  readonly address: string;
  /** The resource's arguments (cdktf's `//` metadata removed). */
  readonly body: Readonly<Record<string, unknown>>;
}

/** How the estimate treats a resource type. */
export type TypeRule =
  /** No charge of its own; `reason` says why (and where its cost, if any, is counted). */
  | { readonly kind: 'free'; readonly reason: string }
  /** Priced by a rule of the estimate (`estimate.ts`). */
  | { readonly kind: 'priced'; readonly how: string };

const FREE_SOURCE = 'infracost FreeResources and the Azure pricing pages';

/**
 * Every resource type the estimate knows. A type not listed here is reported as not priced ("unknown resource type"),
 * never silently dropped.
 *
 * Free types: Azure charges nothing for the resource itself. Sources: the Azure pricing pages (no meter exists) and the
 * free-resource list of infracost (github.com/infracost/infracost internal/providers/terraform/azure/registry.go,
 * `FreeResources`).
 */
export const TYPE_RULES: Readonly<Record<string, TypeRule>> = {
  azurerm_container_app: { kind: 'priced', how: 'replica time from the catalogue app spec and the usage profile' },
  azurerm_container_app_job: { kind: 'priced', how: 'execution time from the catalogue job spec and the usage profile' },
  azurerm_container_app_environment: {
    kind: 'priced',
    how: 'free on Consumption only; the Dedicated Plan Management fee once it has a dedicated profile or a private endpoint',
  },
  azurerm_postgresql_flexible_server: { kind: 'priced', how: 'compute per hour by SKU plus provisioned storage' },
  azurerm_storage_share: { kind: 'priced', how: 'used GiB (SMB) or provisioned GiB (NFS) plus transactions' },
  azurerm_key_vault: { kind: 'priced', how: 'secret operations' },
  azurerm_log_analytics_workspace: { kind: 'priced', how: 'GB ingested beyond the free 5 GB' },
  azurerm_linux_virtual_machine: { kind: 'priced', how: 'hourly by size, plus its OS disk and internet egress' },
  azurerm_public_ip: { kind: 'priced', how: 'hourly (Standard, static)' },
  azurerm_private_endpoint: { kind: 'priced', how: 'hourly plus GB processed' },
  azurerm_private_dns_zone: { kind: 'priced', how: 'per zone per month (queries not priced: a few thousand a month cost under $0.01)' },
  azurerm_storage_account: {
    kind: 'free',
    reason: 'the account itself has no charge; its shares are priced (capacity and transactions)',
  },
  azurerm_container_app_environment_storage: { kind: 'free', reason: 'a mount definition; the share it points at is priced' },
  azurerm_container_app_environment_certificate: { kind: 'free', reason: 'an uploaded certificate; no meter' },
  azurerm_storage_share_file: { kind: 'free', reason: 'a file inside a priced share (its bytes count in the share)' },
  azurerm_storage_share_directory: { kind: 'free', reason: 'a directory inside a priced share' },
  azurerm_key_vault_secret: { kind: 'free', reason: `its reads are the vault's operations (${FREE_SOURCE})` },
  azurerm_key_vault_access_policy: { kind: 'free', reason: FREE_SOURCE },
  azurerm_postgresql_flexible_server_configuration: { kind: 'free', reason: FREE_SOURCE },
  azurerm_postgresql_flexible_server_database: { kind: 'free', reason: FREE_SOURCE },
  azurerm_postgresql_flexible_server_firewall_rule: { kind: 'free', reason: FREE_SOURCE },
  azurerm_private_dns_a_record: { kind: 'free', reason: 'records are included in the zone price' },
  azurerm_private_dns_zone_virtual_network_link: {
    kind: 'free',
    reason: `no link meter for a few links (${FREE_SOURCE}); DNS queries are billed per million (under $0.01 here)`,
  },
  azurerm_private_endpoint_application_security_group_association: { kind: 'free', reason: FREE_SOURCE },
  azurerm_monitor_diagnostic_setting: {
    kind: 'free',
    reason: "the setting has no charge; what it sends to Log Analytics is in the profile's ingested GB",
  },
  azurerm_resource_group: { kind: 'free', reason: FREE_SOURCE },
  azurerm_role_assignment: { kind: 'free', reason: FREE_SOURCE },
  azurerm_user_assigned_identity: { kind: 'free', reason: FREE_SOURCE },
  azurerm_virtual_network: { kind: 'free', reason: `${FREE_SOURCE} (no peering here)` },
  azurerm_subnet: { kind: 'free', reason: FREE_SOURCE },
  azurerm_network_security_group: { kind: 'free', reason: FREE_SOURCE },
  azurerm_network_security_rule: { kind: 'free', reason: FREE_SOURCE },
  azurerm_subnet_network_security_group_association: { kind: 'free', reason: FREE_SOURCE },
  azurerm_network_interface: { kind: 'free', reason: FREE_SOURCE },
  azurerm_network_interface_security_group_association: { kind: 'free', reason: FREE_SOURCE },
  azurerm_management_lock: { kind: 'free', reason: FREE_SOURCE },
  azurerm_storage_account_network_rules: { kind: 'free', reason: FREE_SOURCE },
  azurerm_storage_container: { kind: 'free', reason: 'a blob container; its few kB of blobs cost under $0.01' },
  azurerm_storage_blob: { kind: 'free', reason: 'a small blob; under $0.01 a month' },
  azurerm_virtual_machine_run_command: { kind: 'free', reason: 'runs on the priced VM; no meter of its own' },
  random_password: { kind: 'free', reason: 'not an Azure resource (generated in Terraform state)' },
  random_string: { kind: 'free', reason: 'not an Azure resource' },
  random_id: { kind: 'free', reason: 'not an Azure resource' },
  time_sleep: { kind: 'free', reason: 'not an Azure resource (a wait in Terraform)' },
  time_static: { kind: 'free', reason: 'not an Azure resource' },
  terraform_data: { kind: 'free', reason: 'not an Azure resource' },
  null_resource: { kind: 'free', reason: 'not an Azure resource' },
};

/** Every resource of a set of Terraform JSON documents, in document order. */
export function inventoryFromTerraform(
  stacks: ReadonlyArray<{ readonly name: string; readonly json: TerraformJson }>,
): InventoryResource[] {
  const out: InventoryResource[] = [];
  for (const stack of stacks) {
    for (const [type, byName] of Object.entries(stack.json.resource ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        const { '//': _metadata, ...rest } = body as Record<string, unknown>;
        out.push({ type, address: `${stack.name}:${type}.${name}`, body: rest });
      }
    }
  }
  return out;
}

/** Resources of one type. */
export function ofType(inventory: readonly InventoryResource[], type: string): InventoryResource[] {
  return inventory.filter((r) => r.type === type);
}

/** Count of resources by type, sorted by type. */
export function countByType(inventory: readonly InventoryResource[]): Array<{ type: string; count: number }> {
  const counts = new Map<string, number>();
  for (const r of inventory) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([type, count]) => ({ type, count }));
}

import { isIPv4 } from 'node:net';
import type { TokenCredential } from '@azure/identity';
import { ARM_SCOPE, describeArmError, toArmCallError } from './arm';
import type { AcaUsage, NameAvailability, PreflightClients, PostgresCapability } from './clients';
import type { PreflightInputs } from './inputs';
import { ipv4InCidr, isPrivateIpv4 } from './ip';

/** How one check ended. */
export type CheckStatus = 'pass' | 'fail' | 'skip';

/** What a check returns: its status, what it saw, and (for fail and skip) the fix in one line. */
export interface CheckOutcome {
  readonly status: CheckStatus;
  readonly detail: string;
  readonly fix?: string;
}

/** A resource that already exists in the deployment's resource group (ARM `GET …/resources`). */
export interface ExistingResource {
  readonly name: string;
  /** ARM type, e.g. `Microsoft.Storage/storageAccounts`. */
  readonly type: string;
}

/** What every check can use. */
export interface CheckContext {
  readonly inputs: PreflightInputs;
  readonly subscriptionId: string;
  readonly credential: TokenCredential;
  readonly clients: PreflightClients;
  /** The deployer's egress address and where it came from, when given or detected. */
  readonly deployerIp?: { readonly address: string; readonly source: string };
  /** Why no deployer address is known (detection failed), when one was asked for. */
  readonly deployerIpError?: string;
  /** The resources already in the target resource group (listed once, shared by the name checks). */
  existingResources(signal: AbortSignal): Promise<readonly ExistingResource[]>;
}

/** A named check. */
export interface PreflightCheck {
  /** Stable id (JSON output, docs). */
  readonly id: string;
  readonly title: string;
  /** Runs only after `credentials` passed. @default true */
  readonly needsArm?: boolean;
  run(ctx: CheckContext, signal: AbortSignal): Promise<CheckOutcome>;
}

const pass = (detail: string): CheckOutcome => ({ status: 'pass', detail });
const fail = (detail: string, fix: string): CheckOutcome => ({ status: 'fail', detail, fix });
const skip = (detail: string, fix: string): CheckOutcome => ({ status: 'skip', detail, fix });
const eq = (a: string | undefined, b: string | undefined) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
/** Azure location names compare without case and spaces (`West Europe` = `westeurope`). */
const sameLocation = (a: string | undefined, b: string | undefined) => eq(a?.replace(/\s+/g, ''), b?.replace(/\s+/g, ''));

/** Fix text for an ARM call that failed: permissions for 401/403, otherwise retry. */
function callFailed(what: string, error: unknown, permission: string): CheckOutcome {
  const e = toArmCallError(error);
  const fixes: Record<number, string> = {
    401: 'ARM refused the token: log in again (`az login`) or check ARM_TENANT_ID and the credential, then rerun',
    403: `give the deploying principal ${permission} on the subscription (e.g. the Contributor role), then rerun`,
    429: 'Azure is throttling this subscription; wait a minute and rerun',
  };
  const fix = fixes[e.statusCode ?? 0] ?? 'rerun; if it persists, check network access to management.azure.com';
  return fail(`${what} failed: ${describeArmError(error)}`, fix);
}

/**
 * Lists the resources of the target resource group: `GET /subscriptions/{id}/resourceGroups/{rg}/resources`
 * (paged), api-version 2021-04-01; a missing group (404 `ResourceGroupNotFound`) means nothing exists yet.
 *
 * @see Azure/azure-rest-api-specs specification/resources/resource-manager/Microsoft.Resources/stable/2021-04-01/resources.json (Resources_ListByResourceGroup)
 */
export async function listResourceGroupResources(
  clients: PreflightClients,
  subscriptionId: string,
  resourceGroup: string,
  signal: AbortSignal,
): Promise<ExistingResource[]> {
  try {
    const items = await clients.arm.list<{ name?: string; type?: string }>(
      `/subscriptions/${encodeURIComponent(subscriptionId)}/resourceGroups/${encodeURIComponent(resourceGroup)}/resources`,
      { query: { 'api-version': '2021-04-01' }, abortSignal: signal },
    );
    return items.filter((r): r is ExistingResource => typeof r.name === 'string' && typeof r.type === 'string');
  } catch (error) {
    const e = toArmCallError(error);
    if (e.statusCode === 404) return [];
    throw error;
  }
}

async function owned(ctx: CheckContext, signal: AbortSignal, armType: string, name: string): Promise<boolean> {
  return (await ctx.existingResources(signal)).some((r) => eq(r.type, armType) && eq(r.name, name));
}

const NAME_FIX =
  'names derive from `name` and `namePrefix` in the environment file: change one of them (a new name hash follows), then rerun';

/**
 * credentials: a token for ARM from the same credential terraform will use, then
 * `GET /subscriptions/{id}` (api-version 2022-12-01): the subscription must be visible and `Enabled` (or `Warned`).
 *
 * @see Azure/azure-rest-api-specs specification/resources/resource-manager/Microsoft.Resources/stable/2022-12-01/subscriptions.json (Subscriptions_Get)
 * @see Azure/azure-rest-api-specs specification/resources/resource-manager/Microsoft.Resources/stable/2021-04-01/examples/GetSubscription.json (`state`)
 */
export const credentialsCheck: PreflightCheck = {
  id: 'credentials',
  title: 'credentials and subscription',
  needsArm: false,
  async run(ctx, signal) {
    try {
      const token = await ctx.credential.getToken(ARM_SCOPE, { abortSignal: signal });
      if (!token?.token)
        return fail(
          'the credential returned no token for Azure Resource Manager',
          'run `az login` again, or check ARM_CLIENT_ID/ARM_TENANT_ID and the secret, certificate or OIDC token',
        );
    } catch (error) {
      const text = ((error as Error).message ?? String(error)).split('\n')[0].slice(0, 300);
      const network = /network|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|fetch failed/i.test(text);
      return fail(
        `no token for Azure Resource Manager: ${text}`,
        network
          ? 'this machine cannot reach the Microsoft Entra token endpoint (login.microsoftonline.com): check the network or proxy, then rerun'
          : 'run `az login` again, or check ARM_CLIENT_ID/ARM_TENANT_ID and the secret, certificate or OIDC token',
      );
    }
    let sub: { state?: string; displayName?: string } | undefined;
    try {
      sub = await ctx.clients.arm.request('GET', `/subscriptions/${encodeURIComponent(ctx.subscriptionId)}`, {
        query: { 'api-version': '2022-12-01' },
        abortSignal: signal,
      });
    } catch (error) {
      const e = toArmCallError(error);
      if (e.statusCode === 404 || e.statusCode === 403 || e.armCode === 'SubscriptionNotFound') {
        return fail(
          `subscription ${ctx.subscriptionId} is not visible to this principal (${describeArmError(error)})`,
          'check the subscription id (subscriptionId / ARM_SUBSCRIPTION_ID) and give the principal a role on it (e.g. Contributor)',
        );
      }
      return callFailed(`GET /subscriptions/${ctx.subscriptionId}`, error, 'Reader');
    }
    const state = sub?.state ?? 'unknown';
    const name = sub?.displayName ? ` '${sub.displayName}'` : '';
    if (state === 'Enabled' || state === 'Warned') return pass(`token issued; subscription${name} ${ctx.subscriptionId} is ${state}`);
    return fail(
      `subscription${name} ${ctx.subscriptionId} is ${state}; Azure refuses new resources in it`,
      'reactivate the subscription in the Azure portal (Cost Management + Billing) or deploy into another one',
    );
  },
};

/**
 * resource-providers: every namespace the synthesized stacks use must be `Registered`, because the stacks set
 * `resource_provider_registrations = "none"` (terraform registers nothing). `GET /subscriptions/{id}/providers`
 * (paged), api-version 2021-04-01.
 *
 * @see Azure/azure-rest-api-specs specification/resources/resource-manager/Microsoft.Resources/stable/2021-04-01/resources.json (Providers_List)
 */
export const resourceProvidersCheck: PreflightCheck = {
  id: 'resource-providers',
  title: 'resource provider registrations',
  async run(ctx, signal) {
    const { resourceProviders, unmappedTypes } = ctx.inputs;
    if (unmappedTypes.length) {
      return fail(
        `no resource provider is known for ${unmappedTypes.join(', ')}`,
        'add the type to RESOURCE_PROVIDER_BY_TYPE_PREFIX in packages/infra/src/preflight/inputs.ts',
      );
    }
    let providers: { namespace?: string; registrationState?: string }[];
    try {
      providers = await ctx.clients.arm.list(`/subscriptions/${encodeURIComponent(ctx.subscriptionId)}/providers`, {
        query: { 'api-version': '2021-04-01' },
        abortSignal: signal,
      });
    } catch (error) {
      return callFailed('listing resource providers', error, 'Reader');
    }
    const state = (ns: string) => providers.find((p) => eq(p.namespace, ns))?.registrationState ?? 'NotRegistered';
    const missing = resourceProviders.filter((ns) => state(ns) !== 'Registered');
    if (!missing.length) return pass(`${resourceProviders.length} registered: ${resourceProviders.join(', ')}`);
    return fail(
      `not registered: ${missing.map((ns) => `${ns} (${state(ns)})`).join(', ')}`,
      `${missing.map((ns) => `az provider register --wait --namespace ${ns}`).join(' && ')}`,
    );
  },
};

/**
 * storage-account-name: `POST …/providers/Microsoft.Storage/checkNameAvailability` through `@azure/arm-storage`
 * (api-version 2025-08-01). A name that exists as a storage account in the target resource group is ours.
 *
 * @see Azure/azure-rest-api-specs specification/storage/resource-manager/Microsoft.Storage/stable/2025-08-01/examples/StorageAccountCheckNameAvailability.json
 */
export const storageNameCheck: PreflightCheck = {
  id: 'storage-account-name',
  title: 'storage account name',
  async run(ctx, signal) {
    const accounts = ctx.inputs.storageAccounts;
    if (!accounts.length) return skip('the stacks create no storage account', 'nothing to do');
    const lines: string[] = [];
    for (const { name } of accounts) {
      let result: NameAvailability;
      try {
        result = await ctx.clients.storageNameAvailability(name, signal);
      } catch (error) {
        return callFailed(`storage checkNameAvailability for '${name}'`, error, 'Reader');
      }
      if (result.nameAvailable) lines.push(`${name} available`);
      else if (await owned(ctx, signal, 'Microsoft.Storage/storageAccounts', name))
        lines.push(`${name} already belongs to this deployment`);
      else
        return fail(`storage account name '${name}' is taken (${result.reason ?? 'unknown'}: ${result.message ?? 'no message'})`, NAME_FIX);
    }
    return pass(lines.join('; '));
  },
};

interface DeletedVault {
  name?: string;
  properties?: { location?: string; scheduledPurgeDate?: string; purgeProtectionEnabled?: boolean; vaultId?: string };
}

/**
 * key-vault-name: `POST …/providers/Microsoft.KeyVault/checkNameAvailability` and
 * `GET …/providers/Microsoft.KeyVault/deletedVaults` (paged), api-version 2023-07-01. A vault in the target
 * resource group is ours; a soft-deleted vault of the same name in this subscription and location is recovered by
 * terraform when `recover_soft_deleted_key_vaults` is on, and otherwise blocks the create.
 *
 * @see https://learn.microsoft.com/rest/api/keyvault/keyvault/vaults/check-name-availability?view=rest-keyvault-keyvault-2023-07-01
 * @see https://learn.microsoft.com/rest/api/keyvault/keyvault/vaults/list-deleted?view=rest-keyvault-keyvault-2023-07-01
 * @see Azure/azure-rest-api-specs specification/keyvault/resource-manager/Microsoft.KeyVault/stable/2023-07-01/examples/listDeletedVaults.json
 */
export const keyVaultNameCheck: PreflightCheck = {
  id: 'key-vault-name',
  title: 'Key Vault name (and soft-deleted vaults)',
  async run(ctx, signal) {
    const vaults = ctx.inputs.keyVaults;
    if (!vaults.length) return skip('the stacks create no Key Vault', 'nothing to do');
    const sub = `/subscriptions/${encodeURIComponent(ctx.subscriptionId)}/providers/Microsoft.KeyVault`;
    let deleted: DeletedVault[];
    try {
      deleted = await ctx.clients.arm.list<DeletedVault>(`${sub}/deletedVaults`, {
        query: { 'api-version': '2023-07-01' },
        abortSignal: signal,
      });
    } catch (error) {
      return callFailed('listing soft-deleted Key Vaults', error, 'Microsoft.KeyVault/deletedVaults/read');
    }
    const lines: string[] = [];
    for (const { name, location } of vaults) {
      if (await owned(ctx, signal, 'Microsoft.KeyVault/vaults', name)) {
        lines.push(`${name} already belongs to this deployment`);
        continue;
      }
      const gone = deleted.find((d) => eq(d.name, name));
      if (gone) {
        const where = gone.properties?.location ?? 'unknown location';
        const purge = gone.properties?.purgeProtectionEnabled
          ? `purge protection keeps it until ${gone.properties?.scheduledPurgeDate ?? 'its scheduled purge date'}: wait, or change the name (${NAME_FIX})`
          : `az keyvault purge --name ${name} --location ${where}`;
        if (ctx.inputs.recoverSoftDeletedKeyVaults && sameLocation(where, location)) {
          lines.push(`${name} is soft-deleted in ${where}; terraform recovers it (recover_soft_deleted_key_vaults)`);
          continue;
        }
        const why = ctx.inputs.recoverSoftDeletedKeyVaults
          ? `in ${where}, not ${location}, so it cannot be recovered here`
          : 'and recover_soft_deleted_key_vaults is off';
        return fail(`Key Vault '${name}' is soft-deleted in this subscription ${why}`, purge);
      }
      let result: { nameAvailable?: boolean; reason?: string; message?: string } | undefined;
      try {
        result = await ctx.clients.arm.request('POST', `${sub}/checkNameAvailability`, {
          query: { 'api-version': '2023-07-01' },
          body: { name, type: 'Microsoft.KeyVault/vaults' },
          abortSignal: signal,
        });
      } catch (error) {
        return callFailed(`Key Vault checkNameAvailability for '${name}'`, error, 'Reader');
      }
      if (result?.nameAvailable) lines.push(`${name} available`);
      else
        return fail(
          `Key Vault name '${name}' is taken outside this subscription (${result?.reason ?? 'unknown'}: ${result?.message ?? 'no message'})`,
          NAME_FIX,
        );
    }
    return pass(lines.join('; '));
  },
};

/**
 * postgres-server-name: `POST …/providers/Microsoft.DBforPostgreSQL/locations/{location}/checkNameAvailability`
 * through `@azure/arm-postgresql-flexible` (api-version 2025-08-01).
 *
 * @see Azure/azure-rest-api-specs specification/postgresql/resource-manager/Microsoft.DBforPostgreSQL/stable/2025-08-01/CheckNameAvailability.json
 *   and examples/CheckNameAvailabilityLocationBased.json
 */
export const postgresNameCheck: PreflightCheck = {
  id: 'postgres-server-name',
  title: 'PostgreSQL flexible server name',
  async run(ctx, signal) {
    const servers = ctx.inputs.postgresServers;
    if (!servers.length) return skip('the stacks create no PostgreSQL server', 'nothing to do');
    const lines: string[] = [];
    for (const { name, location } of servers) {
      let result: NameAvailability;
      try {
        result = await ctx.clients.postgresNameAvailability(location, name, signal);
      } catch (error) {
        return callFailed(`PostgreSQL checkNameAvailability for '${name}'`, error, 'Reader');
      }
      if (result.nameAvailable) lines.push(`${name} available`);
      else if (await owned(ctx, signal, 'Microsoft.DBforPostgreSQL/flexibleServers', name))
        lines.push(`${name} already belongs to this deployment`);
      else
        return fail(
          `PostgreSQL server name '${name}' is taken (${result.reason ?? 'unknown'}: ${result.message ?? 'no message'})`,
          NAME_FIX,
        );
    }
    return pass(lines.join('; '));
  },
};

/**
 * dns-label: `GET …/providers/Microsoft.Network/locations/{location}/CheckDnsNameAvailability?domainNameLabel=…`
 * (api-version 2024-05-01, answer `{ available }`). A label held by the public IP of the same name in the target
 * resource group is ours.
 *
 * @see Azure/azure-rest-api-specs specification/network/resource-manager/Microsoft.Network/stable/2024-05-01/network.json (CheckDnsNameAvailability)
 *   and examples/CheckDnsNameAvailability.json
 */
export const dnsLabelCheck: PreflightCheck = {
  id: 'dns-label',
  title: 'public IP DNS label',
  async run(ctx, signal) {
    const labels = ctx.inputs.dnsLabels;
    if (!labels.length) return skip('no public IP with a DNS label in this environment', 'nothing to do');
    const lines: string[] = [];
    for (const { name, label, location } of labels) {
      let result: { available?: boolean } | undefined;
      try {
        result = await ctx.clients.arm.request(
          'GET',
          `/subscriptions/${encodeURIComponent(ctx.subscriptionId)}` +
            `/providers/Microsoft.Network/locations/${encodeURIComponent(location)}/CheckDnsNameAvailability`,
          { query: { domainNameLabel: label, 'api-version': '2024-05-01' }, abortSignal: signal },
        );
      } catch (error) {
        return callFailed(`CheckDnsNameAvailability for '${label}'`, error, 'Reader');
      }
      if (result?.available) lines.push(`${label}.${location}.cloudapp.azure.com available`);
      else if (await owned(ctx, signal, 'Microsoft.Network/publicIPAddresses', name))
        lines.push(`${label} is held by this deployment's ${name}`);
      else
        return fail(
          `DNS label '${label}' is taken in ${location}`,
          'set `edge.dnsLabel` in the environment file to another label (or change `namePrefix`), then rerun',
        );
    }
    return pass(lines.join('; '));
  },
};

interface ResourceSku {
  resourceType?: string;
  name?: string;
  locations?: string[];
  restrictions?: { type?: string; values?: string[]; reasonCode?: string; restrictionInfo?: { locations?: string[]; zones?: string[] } }[];
}

/**
 * vm-size: `GET /subscriptions/{id}/providers/Microsoft.Compute/skus?$filter=location eq '{location}'` (paged),
 * api-version 2021-07-01. The edge size must be listed for `virtualMachines` with no `Location` restriction
 * (`NotAvailableForSubscription`); zone restrictions do not matter, the VM is not pinned to a zone.
 *
 * @see Azure/azure-rest-api-specs specification/compute/resource-manager/Microsoft.Compute/Skus/stable/2021-07-01/skus.json (ResourceSkus_List)
 *   and examples/skus/ListAvailableResourceSkusForARegion.json (`nextLink: null` on the last page)
 */
export const vmSizeCheck: PreflightCheck = {
  id: 'vm-size',
  title: 'edge VM size in the region',
  async run(ctx, signal) {
    const vms = ctx.inputs.virtualMachines;
    if (!vms.length) return skip('no virtual machine in this environment (edge.mode is not vm)', 'nothing to do');
    const lines: string[] = [];
    const byLocation = new Map<string, ResourceSku[]>();
    for (const { name, size, location } of vms) {
      let skus = byLocation.get(location);
      if (!skus) {
        try {
          skus = await ctx.clients.arm.list<ResourceSku>(
            `/subscriptions/${encodeURIComponent(ctx.subscriptionId)}/providers/Microsoft.Compute/skus`,
            {
              query: { 'api-version': '2021-07-01', $filter: `location eq '${location}'` },
              abortSignal: signal,
            },
          );
        } catch (error) {
          return callFailed('listing compute SKUs', error, 'Reader');
        }
        byLocation.set(location, skus);
      }
      const fixSize = `choose another \`edge.vmSize\` (list: az vm list-skus --location ${location} --resource-type virtualMachines --output table)`;
      const sku = skus.find(
        (s) =>
          eq(s.resourceType, 'virtualMachines') && eq(s.name, size) && (s.locations ?? [location]).some((l) => sameLocation(l, location)),
      );
      if (!sku) return fail(`VM size ${size} (${name}) is not offered in ${location}`, fixSize);
      const blocked = (sku.restrictions ?? []).find(
        (r) => r.type === 'Location' && (r.restrictionInfo?.locations ?? r.values ?? [location]).some((l) => sameLocation(l, location)),
      );
      if (blocked)
        return fail(
          `VM size ${size} is restricted in ${location} for this subscription (${blocked.reasonCode ?? 'restricted'})`,
          `${fixSize}, or ask Azure support to lift the restriction`,
        );
      lines.push(`${size} available in ${location}`);
    }
    return pass(lines.join('; '));
  },
};

/** azurerm's `sku_name` prefix → the capabilities API's edition name. */
const POSTGRES_EDITIONS: Readonly<Record<string, string>> = { B: 'Burstable', GP: 'GeneralPurpose', MO: 'MemoryOptimized' };
const usable = (x: { status?: string } | undefined) => x !== undefined && !eq(x.status, 'Disabled');

/**
 * postgres-sku: `GET …/providers/Microsoft.DBforPostgreSQL/locations/{location}/capabilities` through
 * `@azure/arm-postgresql-flexible` (api-version 2025-08-01): the edition, the SKU (azurerm's `B_Standard_B1ms` is
 * edition `Burstable`, SKU `Standard_B1ms`) and the major version must be listed and not `Disabled`.
 *
 * @see Azure/azure-rest-api-specs specification/postgresql/resource-manager/Microsoft.DBforPostgreSQL/stable/2025-08-01/Capabilities.json
 *   and examples/CapabilitiesByLocationList.json (a `supportedFeatures` entry `OfferRestricted` with status `Enabled` means the
 *   subscription's offer cannot create servers there)
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/4.55.0/docs/resources/postgresql_flexible_server#sku_name
 */
export const postgresSkuCheck: PreflightCheck = {
  id: 'postgres-sku',
  title: 'PostgreSQL SKU and version in the region',
  async run(ctx, signal) {
    const servers = ctx.inputs.postgresServers;
    if (!servers.length) return skip('the stacks create no PostgreSQL server', 'nothing to do');
    const lines: string[] = [];
    for (const { skuName, version, location } of servers) {
      const [prefix, ...rest] = skuName.split('_');
      const edition = POSTGRES_EDITIONS[prefix];
      const sku = rest.join('_');
      const fix =
        `choose a \`postgres.skuName\`/\`postgres.version\` offered there (az postgres flexible-server list-skus --location ` +
        `${location}) or another \`location\``;
      if (!edition || !sku) return fail(`PostgreSQL sku_name '${skuName}' does not start with B_, GP_ or MO_`, fix);
      let caps: PostgresCapability[];
      try {
        caps = await ctx.clients.postgresCapabilities(location, signal);
      } catch (error) {
        return callFailed(`PostgreSQL capabilities of ${location}`, error, 'Reader');
      }
      const blocked = caps.find((c) => eq(c.status, 'Disabled'));
      if (blocked && caps.every((c) => eq(c.status, 'Disabled'))) {
        return fail(
          `PostgreSQL flexible servers are not available in ${location} for this subscription${blocked.reason ? ` (${blocked.reason})` : ''}`,
          fix,
        );
      }
      const restricted = caps.some((c) =>
        (c.supportedFeatures ?? []).some((f) => eq(f.name, 'OfferRestricted') && eq(f.status, 'Enabled')),
      );
      if (restricted)
        return fail(
          `PostgreSQL flexible servers are offer-restricted in ${location} for this subscription (OfferRestricted)`,
          `${fix}, or ask Azure support to lift the restriction`,
        );
      const editions = caps.filter(usable).flatMap((c) => c.supportedServerEditions ?? []);
      const ed = editions.find((e) => eq(e.name, edition) && usable(e));
      if (!ed) return fail(`PostgreSQL edition ${edition} is not offered in ${location}`, fix);
      const skuCap = (ed.supportedServerSkus ?? []).find((s) => eq(s.name, sku));
      if (!usable(skuCap))
        return fail(
          `PostgreSQL SKU ${sku} (${edition}) is ${skuCap ? `disabled (${skuCap.reason ?? 'no reason given'})` : 'not offered'} in ${location}`,
          fix,
        );
      const versions = caps.filter(usable).flatMap((c) => c.supportedServerVersions ?? []);
      const v = versions.find((x) => eq(x.name, version));
      if (!usable(v))
        return fail(
          `PostgreSQL version ${version} is ${v ? 'disabled' : 'not offered'} in ${location} (offered: ${
            versions
              .filter(usable)
              .map((x) => x.name)
              .join(', ') || 'none'
          })`,
          fix,
        );
      lines.push(`${edition} ${sku}, version ${version} offered in ${location}`);
    }
    return pass(lines.join('; '));
  },
};

const ENV_COUNT = 'ManagedEnvironmentCount';
const CONSUMPTION_CORES = 'ManagedEnvironmentConsumptionCores';
const usageNamed = (usages: readonly AcaUsage[], name: string): AcaUsage | undefined => usages.find((u) => eq(u.name.value, name));

/**
 * container-apps-quota: for an environment that exists already, its `ManagedEnvironmentConsumptionCores` limit
 * (`GET …/managedEnvironments/{name}/usages`) must hold every app at maximum replicas; for a new one the region's
 * `ManagedEnvironmentCount` (`GET …/providers/Microsoft.App/locations/{location}/usages`) must leave room for one
 * more, and a regional consumption-core entry, when listed, must hold the apps. Both through
 * `@azure/arm-appcontainers` (api-version 2025-07-01).
 *
 * @see Azure/azure-sdk-for-js sdk/appcontainers/arm-appcontainers (3.0.0) src/operations/usages.ts, src/operations/managedEnvironmentUsages.ts
 * @see https://learn.microsoft.com/rest/api/containerapps/usages/list
 * @see https://learn.microsoft.com/azure/container-apps/quotas
 */
export const containerAppsQuotaCheck: PreflightCheck = {
  id: 'container-apps-quota',
  title: 'Container Apps quota in the region',
  async run(ctx, signal) {
    const envs = ctx.inputs.containerAppsEnvironments;
    if (!envs.length) return skip('the stacks create no Container Apps environment', 'nothing to do');
    const need = ctx.inputs.containerAppsCpuCoresAtMax;
    const raise =
      `request more in the portal (Quotas > Azure Container Apps, ${CONSUMPTION_CORES}/${ENV_COUNT}) or lower replicas.max / ` +
      `resources.cpuCores in the environment file`;
    const lines: string[] = [];
    for (const env of envs) {
      if (await owned(ctx, signal, 'Microsoft.App/managedEnvironments', env.name)) {
        let usages: AcaUsage[];
        try {
          usages = await ctx.clients.containerAppsEnvironmentUsages(ctx.inputs.resourceGroup, env.name, signal);
        } catch (error) {
          return callFailed(`usages of environment ${env.name}`, error, 'Reader');
        }
        const cores = usageNamed(usages, CONSUMPTION_CORES);
        if (!cores)
          return pass(`environment ${env.name} exists; it lists no ${CONSUMPTION_CORES} quota (needs ${need} vCPU at max replicas)`);
        if (cores.limit < need)
          return fail(`environment ${env.name}: ${CONSUMPTION_CORES} limit ${cores.limit} < ${need} vCPU needed at max replicas`, raise);
        lines.push(`${env.name}: ${need} vCPU at max replicas within the ${cores.limit}-core limit (in use ${cores.currentValue})`);
        continue;
      }
      let usages: AcaUsage[];
      try {
        usages = await ctx.clients.containerAppsRegionUsages(env.location, signal);
      } catch (error) {
        return callFailed(`Container Apps usages in ${env.location}`, error, 'Reader');
      }
      const count = usageNamed(usages, ENV_COUNT);
      if (count && count.currentValue + 1 > count.limit) {
        return fail(
          `${env.location} already has ${count.currentValue} of ${count.limit} Container Apps environments; a new one does not fit`,
          raise,
        );
      }
      const cores = usageNamed(usages, CONSUMPTION_CORES);
      if (cores && cores.limit - cores.currentValue < need) {
        return fail(
          `${env.location}: ${CONSUMPTION_CORES} has ${cores.limit - cores.currentValue} of ${cores.limit} free, ${need} vCPU needed at max replicas`,
          raise,
        );
      }
      lines.push(
        `new environment ${env.name} fits in ${env.location}` +
          (count ? ` (${count.currentValue}/${count.limit} environments)` : '') +
          (cores
            ? `; ${need} vCPU within ${cores.limit - cores.currentValue} free cores`
            : `; ${need} vCPU at max replicas against the default per-environment core quota`),
      );
    }
    return pass(lines.join('; '));
  },
};

/**
 * deployer-ip: the storage account create (data plane) and every Key Vault secret write come from the deployer's
 * machine and get 403 under `default_action = Deny` unless its egress address is inside `adminCidrs`. The address
 * comes from `--deployer-ip` or `--detect-ip`, never silently.
 */
export const deployerIpCheck: PreflightCheck = {
  id: 'deployer-ip',
  title: "deployer's address inside adminCidrs",
  needsArm: false,
  async run(ctx) {
    const cidrs = ctx.inputs.adminCidrs;
    const fixAdd = (ip: string) =>
      `add ${ip}/32 (or its network) to \`adminCidrs\` in environments/${ctx.inputs.environment}.yaml, synthesize and rerun`;
    if (ctx.deployerIpError)
      return fail(`could not detect the egress address: ${ctx.deployerIpError}`, 'pass it explicitly with --deployer-ip <address>');
    if (!ctx.deployerIp) {
      return skip(
        `the deployer's egress address is unknown (adminCidrs: ${cidrs.join(', ') || 'none'})`,
        'pass --deployer-ip <address> (or --detect-ip to ask api.ipify.org) so storage and Key Vault writes are not refused with 403',
      );
    }
    const { address, source } = ctx.deployerIp;
    if (!isIPv4(address)) {
      return fail(
        `${address} (${source}) is not IPv4; the storage and Key Vault IP rules only take IPv4 addresses`,
        'pass the IPv4 egress address with --deployer-ip (e.g. from `curl -4 https://api.ipify.org`)',
      );
    }
    if (isPrivateIpv4(address)) {
      return fail(
        `${address} (${source}) is a private address; Azure sees the public NAT address instead`,
        'pass the public egress address with --deployer-ip, or use --detect-ip',
      );
    }
    const inside = cidrs.find((c) => ipv4InCidr(address, c));
    if (inside) return pass(`${address} (${source}) is inside ${inside}`);
    return fail(
      `${address} (${source}) is outside adminCidrs (${cidrs.join(', ') || 'none'}); storage and Key Vault data-plane writes would get 403`,
      fixAdd(address),
    );
  },
};

/** Every check, in report order. */
export const PREFLIGHT_CHECKS: readonly PreflightCheck[] = [
  credentialsCheck,
  resourceProvidersCheck,
  storageNameCheck,
  keyVaultNameCheck,
  postgresNameCheck,
  dnsLabelCheck,
  vmSizeCheck,
  postgresSkuCheck,
  containerAppsQuotaCheck,
  deployerIpCheck,
];

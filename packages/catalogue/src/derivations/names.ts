import { createHash } from 'node:crypto';
import { COMPONENT_NAMES, DEFAULT_COMPONENTS } from '../data/components';
import { DEFAULT_STORAGES } from '../data/storages';
import type { PlatformRef } from '../schema/catalogue';
import type { EnvironmentConfig } from '../schema/environment';
import { cvatNumProxies } from './cvat-num-proxies';

/** Length of the hex hash appended to globally-unique names. */
export const NAME_HASH_LENGTH = 8;

/**
 * The deterministic name hash of an environment: the first 8 hex characters of
 * `sha256("cvat-cloud|<namePrefix>|<name>|<location>|<naming.seed>")`.
 *
 * Details: only subscription-independent fields go in, so the same file gives the same names on
 * every machine and in every subscription (synth needs no credentials), while two environments,
 * or the same environment in two regions, differ. Change `naming.seed` to get new names, e.g.
 * while a soft-deleted Key Vault still holds the old one.
 */
export function nameHash(config: Pick<EnvironmentConfig, 'namePrefix' | 'name' | 'location' | 'naming'>): string {
  return createHash('sha256')
    .update(['cvat-cloud', config.namePrefix, config.name, config.location, config.naming.seed].join('|'))
    .digest('hex')
    .slice(0, NAME_HASH_LENGTH);
}

/**
 * Names of every Azure resource of an environment. Regional names are `<namePrefix>-<name>-<kind>`;
 * globally-unique names (storage account, Key Vault, PostgreSQL server, public DNS label) add
 * `nameHash(config)` and are cut to their length limits.
 */
export interface ResourceNames {
  /** `<namePrefix>-<name>`, the stem of every name. */
  prefix: string;
  /** `nameHash(config)`. */
  hash: string;
  /** Resource group: `<prefix>-rg`. */
  resourceGroup: string;
  /** Virtual network: `<prefix>-vnet`. */
  virtualNetwork: string;
  /** Subnet names (scoped to the VNet). */
  subnets: { apps: string; privateEndpoints: string; edge: string };
  /** Network security group per subnet. */
  networkSecurityGroups: { apps: string; privateEndpoints: string; edge: string };
  /** Log Analytics workspace: `<prefix>-log`. */
  logAnalyticsWorkspace: string;
  /** User-assigned identity of the apps: `<prefix>-id-apps`. */
  userAssignedIdentity: string;
  /** Key Vault (global, 3-24): `<prefix≤11>-kv-<hash>`. */
  keyVault: string;
  /** Storage account of the SMB shares (global, 3-24 lowercase alphanumerics): `<namePrefix+name ≤14>st<hash>`. */
  storageAccount: string;
  /** Premium FileStorage account for NFS shares, when a storage is overridden to `nfs`: `<namePrefix+name ≤14>nf<hash>`. */
  nfsStorageAccount: string;
  /**
   * PostgreSQL Flexible Server (global DNS name, 3-63): `postgres.serverName` when set (a server restored by
   * `cvat-ops backup restore`), else {@link ResourceNames.postgresServerDerived}.
   */
  postgresServer: string;
  /** The derived server name `<prefix>-pg-<hash>`, whatever `postgres.serverName` says. */
  postgresServerDerived: string;
  /** FQDN of the PostgreSQL server. */
  postgresFqdn: string;
  /** Database name. */
  postgresDatabase: string;
  /** Private DNS zone for the PostgreSQL private endpoint (fixed by Azure). */
  postgresPrivateDnsZone: string;
  /** PostgreSQL private endpoint: `<prefix>-pg-pe`. */
  postgresPrivateEndpoint: string;
  /** Container Apps environment: `<prefix>-cae`. */
  containerAppsEnvironment: string;
  /** Resource group Azure creates for the environment's infrastructure: `<prefix>-cae-infra-rg`. */
  environmentInfrastructureResourceGroup: string;
  /** Container app (and job) name per component: the component name itself (ACA names are per environment, and `opa`/`cvat-server` must keep theirs). */
  apps: Record<string, string>;
  /** Environment storage and file share name per catalogue storage (the storage name). */
  storages: Record<string, string>;
  /** Edge VM: `<prefix>-edge`. */
  edgeVm: string;
  /** Edge NIC: `<prefix>-edge-nic`. */
  edgeNic: string;
  /** Edge OS disk: `<prefix>-edge-osdisk`. */
  edgeOsDisk: string;
  /** Edge public IP: `<prefix>-edge-pip`. */
  publicIp: string;
  /** Public IP DNS label (unique per region): `edge.dnsLabel` or `<prefix>-<hash>`. */
  dnsLabel: string;
  /** The app (or job) name of a component; unknown names are returned unchanged. */
  appName: (component: string) => string;
}

function cut(s: string, max: number): string {
  return s.slice(0, max).replace(/-+$/, '');
}

/** The derived PostgreSQL server name `<prefix>-pg-<hash>` (cut to 63), used unless `postgres.serverName` is set. */
function derivedPostgresServer(prefix: string, hash: string): string {
  return `${cut(`${prefix}-pg`, 63 - hash.length - 1)}-${hash}`;
}

/**
 * Derives every resource name of an environment from its configuration, deterministically and
 * offline (see `nameHash` for the hash). Used by infra to name resources and by ops-cli and the
 * smoke tests to find them, so nobody ever reads names back from Azure.
 *
 * @see https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
 */
export function resourceNames(config: EnvironmentConfig): ResourceNames {
  const prefix = `${config.namePrefix}-${config.name}`;
  const hash = nameHash(config);
  const compact = `${config.namePrefix}${config.name}`.replace(/[^a-z0-9]/g, '');
  // `postgres.serverName` (a server a point-in-time restore created) replaces the derived name, so the FQDN every app
  // reads as CVAT_POSTGRES_HOST follows it on the next deploy.
  const postgresServer = config.postgres.serverName ?? derivedPostgresServer(prefix, hash);
  const apps = Object.fromEntries(DEFAULT_COMPONENTS.filter((x) => x.name !== COMPONENT_NAMES.edge).map((x) => [x.name, x.name]));
  return {
    prefix,
    hash,
    resourceGroup: `${prefix}-rg`,
    virtualNetwork: `${prefix}-vnet`,
    subnets: { apps: 'snet-apps', privateEndpoints: 'snet-private-endpoints', edge: 'snet-edge' },
    networkSecurityGroups: { apps: `${prefix}-nsg-apps`, privateEndpoints: `${prefix}-nsg-private-endpoints`, edge: `${prefix}-nsg-edge` },
    logAnalyticsWorkspace: `${prefix}-log`,
    userAssignedIdentity: `${prefix}-id-apps`,
    keyVault: `${cut(prefix, 24 - hash.length - 4)}-kv-${hash}`,
    storageAccount: `${compact.slice(0, 24 - hash.length - 2)}st${hash}`,
    nfsStorageAccount: `${compact.slice(0, 24 - hash.length - 2)}nf${hash}`,
    postgresServer,
    postgresServerDerived: derivedPostgresServer(prefix, hash),
    postgresFqdn: `${postgresServer}.postgres.database.azure.com`,
    postgresDatabase: config.postgres.databaseName,
    postgresPrivateDnsZone: 'privatelink.postgres.database.azure.com',
    postgresPrivateEndpoint: `${prefix}-pg-pe`,
    containerAppsEnvironment: `${prefix}-cae`,
    environmentInfrastructureResourceGroup: `${prefix}-cae-infra-rg`,
    apps,
    storages: Object.fromEntries(DEFAULT_STORAGES.map((s) => [s.name, s.name])),
    edgeVm: `${prefix}-edge`,
    edgeNic: `${prefix}-edge-nic`,
    edgeOsDisk: `${prefix}-edge-osdisk`,
    publicIp: `${prefix}-edge-pip`,
    dnsLabel: config.edge.dnsLabel ?? `${cut(`${prefix}`, 63 - hash.length - 1)}-${hash}`,
    appName: (component: string) => apps[component] ?? component,
  };
}

/** Public addresses of an environment, derived from the edge hostname. */
export interface EdgeUrls {
  /** Hostname users browse to (CVAT_HOST). */
  host: string;
  /** `https://<host>` (CVAT_BASE_URL). */
  baseUrl: string;
  /** ALLOWED_HOSTS: the host plus `cvat-server`, the name OPA and the probes use inside the environment. */
  allowedHosts: string;
  /** Grafana root URL: `<baseUrl>/analytics`. */
  analyticsUrl: string;
}

/**
 * Name of the user-assigned identity of one component that reads Key Vault secrets: `<userAssignedIdentity>-<component>`
 * (e.g. `cvat-dev-id-apps-cvat-server`). Each such component has its own, granted only the secrets it reads; a component
 * without secrets has none. Infra creates them and cvat-ops drift expects them.
 */
export function appIdentityName(names: Pick<ResourceNames, 'userAssignedIdentity'>, component: string): string {
  return `${names.userAssignedIdentity}-${component}`;
}

/**
 * The public host and URLs of an environment: `edge.hostname`, or for `edge.mode: vm` without a
 * hostname the public IP's Azure name `<dnsLabel>.<location>.cloudapp.azure.com`.
 */
export function edgeUrls(config: EnvironmentConfig): EdgeUrls {
  const host = config.edge.hostname ?? `${resourceNames(config).dnsLabel}.${config.location}.cloudapp.azure.com`;
  const baseUrl = `https://${host}`;
  return { host, baseUrl, allowedHosts: `${host},${COMPONENT_NAMES.server}`, analyticsUrl: `${baseUrl}/analytics` };
}

/**
 * The value a platform reference takes in an environment. `edge.numProxies` is
 * `cvatNumProxies` for this edge mode and the default server ingress (1 for `vm`, 0 for `none`).
 * `resolveCatalogue` substitutes all of them except
 * `postgres.host`, which infra renders from the server resource; this function gives
 * its expected value (the server FQDN) for code that never sees Terraform (ops-cli, tests).
 */
export function platformValue(config: EnvironmentConfig, ref: PlatformRef): string {
  const edge = edgeUrls(config);
  switch (ref) {
    case 'postgres.host':
      return resourceNames(config).postgresFqdn;
    case 'postgres.port':
      return '5432';
    case 'postgres.user':
      return config.postgres.administratorLogin;
    case 'postgres.database':
      return config.postgres.databaseName;
    case 'edge.host':
      return edge.host;
    case 'edge.baseUrl':
      return edge.baseUrl;
    case 'edge.allowedHosts':
      return edge.allowedHosts;
    case 'edge.analyticsUrl':
      return edge.analyticsUrl;
    case 'edge.numProxies': {
      const server = DEFAULT_COMPONENTS.find((x) => x.name === COMPONENT_NAMES.server);
      return String(cvatNumProxies(config.edge.mode === 'vm', server?.ingress?.transport));
    }
  }
}

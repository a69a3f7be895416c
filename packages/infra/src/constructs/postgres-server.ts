import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { PostgresqlFlexibleServer } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server';
import { PostgresqlFlexibleServerDatabase } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-database';
import { PostgresqlFlexibleServerConfiguration } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-configuration';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { ValidationError } from './validation-error';

/** Storage sizes (MB) the Flexible Server accepts. */
export const POSTGRES_STORAGE_MB = [
  32768, 65536, 131072, 262144, 524288, 1048576, 2097152, 4193280, 4194304, 8388608, 16777216, 33553408,
] as const;

/** Major versions this construct accepts. */
export const POSTGRES_VERSIONS = ['13', '14', '15', '16', '17'] as const;

/** The private DNS zone name used for VNet-injected Flexible Servers. */
export const POSTGRES_PRIVATE_DNS_ZONE = 'privatelink.postgres.database.azure.com';

/** Properties of {@link PostgresServer}. */
export interface PostgresServerProps {
  /** Server name: 3-63 lowercase letters, digits and `-`; globally unique (`<name>.postgres.database.azure.com`). */
  readonly name: string;
  /** Resource group. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;
  /** Subnet delegated to `Microsoft.DBforPostgreSQL/flexibleServers`. */
  readonly delegatedSubnetId: string;
  /** VNet to link the private DNS zone to, so apps resolve the server by name. */
  readonly virtualNetworkId: string;
  /**
   * Administrator password: an ephemeral value (`${ephemeral.random_password.<x>.result}`, see SecretStore), written
   * through the write-only `administrator_password_wo`, so it is in neither plan nor state.
   */
  readonly administratorPassword: string;
  /**
   * Version of the write-only password; change it together with the vault secret's to rotate.
   * @default 1
   */
  readonly administratorPasswordVersion?: number;
  /**
   * Administrator login.
   * @default 'cvatadmin'
   */
  readonly administratorLogin?: string;
  /**
   * Major version.
   * @default '16'
   */
  readonly version?: (typeof POSTGRES_VERSIONS)[number];
  /**
   * SKU, e.g. `B_Standard_B1ms` (Burstable, 1 vCore, 2 GiB) or `GP_Standard_D2ds_v5`.
   * @default 'B_Standard_B1ms'
   */
  readonly skuName?: string;
  /**
   * Storage in MB, one of {@link POSTGRES_STORAGE_MB}.
   * @default 32768
   */
  readonly storageMb?: number;
  /**
   * Point-in-time-restore window in days (7-35).
   * @default 7
   */
  readonly backupRetentionDays?: number;
  /**
   * Geo-redundant backups (cannot be changed after creation).
   * @default false
   */
  readonly geoRedundantBackup?: boolean;
  /**
   * Zone-redundant high availability (a standby in another zone; not on Burstable SKUs).
   * @default false
   */
  readonly highAvailability?: boolean;
  /**
   * Log every connection attempt and disconnection (`log_connections`, `log_disconnections`), which the diagnostic
   * setting sends to Log Analytics as PostgreSQLLogs.
   * @default true
   */
  readonly connectionLogging?: boolean;
  /**
   * Database created on the server.
   * @default 'cvat'
   */
  readonly databaseName?: string;
  /**
   * Name of the private DNS zone's link to the VNet. Give it a name that outlives the server (the foundation uses the
   * derived server's), so adopting another server does not replace the link.
   * @default `${name}-dns-link`
   */
  readonly dnsLinkName?: string;
  /**
   * Resource id of an existing server named {@link PostgresServerProps.name} to ADOPT instead of creating one, e.g. the
   * server a point-in-time restore created (`/subscriptions/<id>/resourceGroups/<rg>/providers/
   * Microsoft.DBforPostgreSQL/flexibleServers/<name>`). The server and its database get Terraform `import` blocks
   * (`<id>` and `<id>/databases/<databaseName>`, the import ids azurerm v4.55.0 parses) and `prevent_destroy`.
   *
   * Why `prevent_destroy`: Terraform skips an import block whose address is already in state, whatever id that state
   * holds (hashicorp/terraform internal/terraform/node_resource_plan.go, expandResourceImports: "skipping import address
   * … already in state"), and `name` and `server_id` are ForceNew (hashicorp/terraform-provider-azurerm@v4.55.0
   * internal/services/postgres/postgresql_flexible_server_resource.go, postgresql_flexible_server_database_resource.go).
   * While the previous server is still in state at these addresses, the plan would therefore destroy it (and its
   * database) and then fail to create the adopted one ("already exists - needs to be imported"). With
   * `prevent_destroy` that plan is refused before anything changes; forget the previous server and database in state
   * (`terraform state rm`; they stay in Azure) and the next plan imports the adopted ones.
   * @default - a new server is created
   */
  readonly existingServerId?: string;
}

/** The Terraform import id of a Flexible Server (`Microsoft.DBforPostgreSQL/flexibleServers`). */
export function flexibleServerId(subscriptionId: string, resourceGroupName: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
}

/**
 * An Azure Database for PostgreSQL Flexible Server injected into a delegated subnet, resolved by
 * name through the `privatelink.postgres.database.azure.com` private DNS zone linked to the VNet,
 * with public access off, TLS required and backups configured, plus the CVAT database.
 *
 * The reference project reached its server through a private endpoint at a hard-coded IP with no
 * DNS zone; apps here get {@link PostgresServer.fqdn}.
 *
 * @see https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-private
 * @see https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-backup-restore
 */
export class PostgresServer extends Construct {
  /** The `azurerm_postgresql_flexible_server`. */
  public readonly resource: PostgresqlFlexibleServer;
  /** The database. */
  public readonly database: PostgresqlFlexibleServerDatabase;
  /** The private DNS zone. */
  public readonly dnsZone: PrivateDnsZone;
  /** Administrator login. */
  public readonly administratorLogin: string;

  constructor(scope: Construct, id: string, props: PostgresServerProps) {
    super(scope, id);
    if (
      !Token.isUnresolved(props.name) &&
      (props.name.length < 3 || props.name.length > 63 || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(props.name))
    ) {
      throw new ValidationError(
        'NameInvalid',
        `'name' (${props.name}) must be 3-63 lowercase letters, digits and '-', not starting or ending with '-'`,
        this,
      );
    }
    const version = props.version ?? '16';
    if (!(POSTGRES_VERSIONS as readonly string[]).includes(version)) {
      throw new ValidationError('VersionUnsupported', `'version' (${version}) must be one of ${POSTGRES_VERSIONS.join(', ')}`, this);
    }
    const storageMb = props.storageMb ?? 32768;
    if (!(POSTGRES_STORAGE_MB as readonly number[]).includes(storageMb)) {
      throw new ValidationError('StorageSizeInvalid', `'storageMb' (${storageMb}) must be one of ${POSTGRES_STORAGE_MB.join(', ')}`, this);
    }
    const retention = props.backupRetentionDays ?? 7;
    if (!Number.isInteger(retention) || retention < 7 || retention > 35) {
      throw new ValidationError('RetentionOutOfRange', `'backupRetentionDays' (${retention}) must be an integer between 7 and 35`, this);
    }
    const skuName = props.skuName ?? 'B_Standard_B1ms';
    if (props.highAvailability && skuName.startsWith('B_')) {
      throw new ValidationError(
        'HighAvailabilityUnsupported',
        `'highAvailability' (true) is not available on the Burstable SKU '${skuName}'; choose a GP_ or MO_ SKU`,
        this,
      );
    }
    this.administratorLogin = props.administratorLogin ?? 'cvatadmin';
    if (
      ['azure_superuser', 'azure_pg_admin', 'admin', 'administrator', 'root', 'guest', 'public'].includes(this.administratorLogin) ||
      this.administratorLogin.startsWith('pg_')
    ) {
      throw new ValidationError(
        'LoginReserved',
        `'administratorLogin' (${this.administratorLogin}) is reserved by Azure Database for PostgreSQL`,
        this,
      );
    }

    const adopt = props.existingServerId;
    if (adopt !== undefined) {
      const m = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers\/([^/]+)$/.exec(
        adopt,
      );
      if (!m || (!Token.isUnresolved(props.name) && m[1] !== props.name)) {
        throw new ValidationError(
          'ExistingServerIdInvalid',
          `'existingServerId' (${adopt}) must be the id of the server named '${props.name}': ` +
            `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.DBforPostgreSQL/flexibleServers/${props.name}`,
          this,
        );
      }
    }

    this.dnsZone = new PrivateDnsZone(this, 'DnsZone', { name: POSTGRES_PRIVATE_DNS_ZONE, resourceGroupName: props.resourceGroupName });
    const link = new PrivateDnsZoneVirtualNetworkLink(this, 'DnsZoneLink', {
      name: props.dnsLinkName ?? `${props.name}-dns-link`,
      resourceGroupName: props.resourceGroupName,
      privateDnsZoneName: this.dnsZone.name,
      virtualNetworkId: props.virtualNetworkId,
      registrationEnabled: false,
    });
    this.resource = new PostgresqlFlexibleServer(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      version,
      skuName,
      highAvailability: props.highAvailability ? { mode: 'ZoneRedundant' } : undefined,
      storageMb,
      autoGrowEnabled: true,
      backupRetentionDays: retention,
      geoRedundantBackupEnabled: props.geoRedundantBackup ?? false,
      delegatedSubnetId: props.delegatedSubnetId,
      privateDnsZoneId: this.dnsZone.id,
      publicNetworkAccessEnabled: false,
      administratorLogin: this.administratorLogin,
      // Write-only (hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/postgres/
      // postgresql_flexible_server_resource.go: administrator_password_wo ConflictsWith administrator_password,
      // RequiredWith administrator_password_wo_version; sent on create and when the version changes).
      administratorPasswordWo: props.administratorPassword,
      administratorPasswordWoVersion: props.administratorPasswordVersion ?? 1,
      authentication: { passwordAuthEnabled: true, activeDirectoryAuthEnabled: false },
      // Azure picks the zone when none is given and may move it on failover; pinning it in state would
      // show a diff after every failover.
      lifecycle: {
        ignoreChanges: props.highAvailability ? ['zone', 'high_availability[0].standby_availability_zone'] : ['zone'],
        ...(adopt !== undefined ? { preventDestroy: true } : {}),
      },
      dependsOn: [link],
    });
    const databaseName = props.databaseName ?? 'cvat';
    this.database = new PostgresqlFlexibleServerDatabase(this, 'Database', {
      name: databaseName,
      serverId: this.resource.id,
      charset: 'UTF8',
      collation: 'en_US.utf8',
      ...(adopt !== undefined ? { lifecycle: { preventDestroy: true } } : {}),
    });
    if (adopt !== undefined) {
      this.resource.importFrom(adopt);
      this.database.importFrom(`${adopt}/databases/${databaseName}`);
    }
    if (props.connectionLogging ?? true) {
      // Server parameters of Azure Database for PostgreSQL flexible server
      // (https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-server-parameters).
      for (const [id, name] of [
        ['LogConnections', 'log_connections'],
        ['LogDisconnections', 'log_disconnections'],
      ]) {
        new PostgresqlFlexibleServerConfiguration(this, id, { name, serverId: this.resource.id, value: 'on' });
      }
    }
    new PostgresqlFlexibleServerConfiguration(this, 'RequireSecureTransport', {
      name: 'require_secure_transport',
      serverId: this.resource.id,
      value: 'on',
    });
  }

  /** The server's host name (`<name>.postgres.database.azure.com`), resolved through the private zone. */
  public get fqdn(): string {
    return this.resource.fqdn;
  }
}

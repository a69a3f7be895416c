import { describe, expect, it } from 'vitest';
import { PostgresqlFlexibleServer } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server';
import { PostgresqlFlexibleServerConfiguration } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-configuration';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { PostgresqlFlexibleServerDatabase } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-database';
import { flexibleServerId, PostgresServer, type PostgresServerProps } from '../../src/constructs/postgres-server';
import { onlyResource, resourcesOf, synthScope } from '../support/synth';

const base: PostgresServerProps = {
  name: 'cvat-dev-pg-1234abcd',
  resourceGroupName: 'rg',
  location: 'westeurope',
  delegatedSubnetId: 'db-subnet-id',
  virtualNetworkId: 'vnet-id',
  administratorPassword: '${ephemeral.random_password.pg.result}',
};
const pg = (props: Partial<PostgresServerProps> = {}) =>
  synthScope((scope) => new PostgresServer(scope, 'Postgres', { ...base, ...props }));

describe('PostgresServer', () => {
  it('creates a private, VNet-injected B1ms server with 7-day backups, TLS required and database cvat, when only required props are given', () => {
    const json = pg();
    expect(json).toHaveResourceWithProperties(PostgresqlFlexibleServer, {
      name: 'cvat-dev-pg-1234abcd',
      version: '16',
      sku_name: 'B_Standard_B1ms',
      storage_mb: 32768,
      backup_retention_days: 7,
      geo_redundant_backup_enabled: false,
      public_network_access_enabled: false,
      delegated_subnet_id: 'db-subnet-id',
      administrator_login: 'cvatadmin',
    });
    expect(json).toHaveResourceWithProperties(PostgresqlFlexibleServerDatabase, { name: 'cvat', charset: 'UTF8', collation: 'en_US.utf8' });
    expect(json).toHaveResourceWithProperties(PostgresqlFlexibleServerConfiguration, { name: 'require_secure_transport', value: 'on' });
    expect(onlyResource(json, 'azurerm_postgresql_flexible_server').high_availability).toBeUndefined();
    expect(json).toMatchSnapshot();
  });

  it('links the privatelink.postgres.database.azure.com zone to the VNet and creates the server after the link (reference failure #9: no IP, a name)', () => {
    const json = pg();
    expect(json).toHaveResourceWithProperties(PrivateDnsZone, { name: 'privatelink.postgres.database.azure.com' });
    expect(json).toHaveResourceWithProperties(PrivateDnsZoneVirtualNetworkLink, {
      virtual_network_id: 'vnet-id',
      registration_enabled: false,
    });
    const server = onlyResource(json, 'azurerm_postgresql_flexible_server');
    expect(server.private_dns_zone_id).toMatch(/^\$\{azurerm_private_dns_zone\..+\.id\}$/);
    expect(server.depends_on).toEqual([expect.stringMatching(/^azurerm_private_dns_zone_virtual_network_link\./)]);
    expect(server.lifecycle).toEqual({ ignore_changes: ['zone'] });
  });

  it('renders every option, when all props are set', () => {
    const server = onlyResource(
      pg({
        administratorLogin: 'cvat',
        version: '17',
        skuName: 'GP_Standard_D2ds_v5',
        storageMb: 65536,
        backupRetentionDays: 35,
        geoRedundantBackup: true,
        highAvailability: true,
        databaseName: 'annotations',
      }),
      'azurerm_postgresql_flexible_server',
    );
    expect(server).toMatchObject({
      administrator_login: 'cvat',
      version: '17',
      sku_name: 'GP_Standard_D2ds_v5',
      storage_mb: 65536,
      backup_retention_days: 35,
      geo_redundant_backup_enabled: true,
      high_availability: { mode: 'ZoneRedundant' },
    });
    expect(server.administrator_password_wo).toBe('${ephemeral.random_password.pg.result}');
  });

  it('throws error, when the server name has capitals', () => {
    expect(() => pg({ name: 'Cvat-DB' })).toThrow("'name' (Cvat-DB) must be 3-63 lowercase letters, digits and '-'");
  });
  it('throws error, when the server name is 2 characters', () => {
    expect(() => pg({ name: 'db' })).toThrow("'name' (db) must be 3-63 lowercase letters");
  });
  it('throws error, when the version is 12', () => {
    expect(() => pg({ version: '12' as never })).toThrow("'version' (12) must be one of 13, 14, 15, 16, 17");
  });
  it('throws error, when the storage size is not an Azure size', () => {
    expect(() => pg({ storageMb: 40000 })).toThrow("'storageMb' (40000) must be one of 32768");
  });
  it('throws error, when backup retention is 6 days', () => {
    expect(() => pg({ backupRetentionDays: 6 })).toThrow("'backupRetentionDays' (6) must be an integer between 7 and 35");
  });
  it('throws error, when backup retention is 36 days', () => {
    expect(() => pg({ backupRetentionDays: 36 })).toThrow("'backupRetentionDays' (36) must be an integer between 7 and 35");
  });
  it('throws error, when the administrator login is reserved', () => {
    expect(() => pg({ administratorLogin: 'azure_superuser' })).toThrow(
      "'administratorLogin' (azure_superuser) is reserved by Azure Database for PostgreSQL",
    );
  });
  it('throws error, when high availability is asked for on a Burstable SKU', () => {
    expect(() => pg({ highAvailability: true })).toThrow(
      "'highAvailability' (true) is not available on the Burstable SKU 'B_Standard_B1ms'",
    );
  });
  it('logs connections and disconnections by default, and not when connectionLogging is false', () => {
    const names = (json: string) =>
      Object.values(resourcesOf(json, 'azurerm_postgresql_flexible_server_configuration'))
        .map((c) => `${c.name}=${c.value}`)
        .sort();
    expect(names(pg())).toEqual(['log_connections=on', 'log_disconnections=on', 'require_secure_transport=on']);
    expect(names(pg({ connectionLogging: false }))).toEqual(['require_secure_transport=on']);
  });
});

describe('PostgresServer adopting an existing server (existingServerId)', () => {
  const restored = 'cvat-dev-pg-1234abcd-r202612031445';
  const id = flexibleServerId('00000000-0000-0000-0000-000000000001', 'rg', restored);
  const adopted = () => pg({ name: restored, existingServerId: id, dnsLinkName: 'cvat-dev-pg-1234abcd-dns-link' });

  it('imports the server and its database by the ids azurerm parses, instead of creating them', () => {
    const json = JSON.parse(adopted());
    const server = Object.keys(json.resource.azurerm_postgresql_flexible_server)[0];
    const database = Object.keys(json.resource.azurerm_postgresql_flexible_server_database)[0];
    expect(json.import).toEqual(
      expect.arrayContaining([
        { id, to: `azurerm_postgresql_flexible_server.${server}` },
        { id: `${id}/databases/cvat`, to: `azurerm_postgresql_flexible_server_database.${database}` },
      ]),
    );
    expect(json.import).toHaveLength(2);
  });

  it('keeps the construct ids, so the adopted server takes the address the derived one had', () => {
    const address = (text: string, type: string) => Object.keys(JSON.parse(text).resource[type]);
    for (const type of ['azurerm_postgresql_flexible_server', 'azurerm_postgresql_flexible_server_database']) {
      expect(address(adopted(), type)).toEqual(address(pg(), type));
    }
  });

  it('prevents destroying the server and the database bound at those addresses (the previous server still in state)', () => {
    const text = adopted();
    expect(onlyResource(text, 'azurerm_postgresql_flexible_server').lifecycle).toEqual({ ignore_changes: ['zone'], prevent_destroy: true });
    expect(onlyResource(text, 'azurerm_postgresql_flexible_server_database').lifecycle).toEqual({ prevent_destroy: true });
    expect(onlyResource(pg(), 'azurerm_postgresql_flexible_server_database').lifecycle).toBeUndefined();
  });

  it('points the DNS link name, database and configurations at the adopted server', () => {
    const text = adopted();
    const server = Object.keys(JSON.parse(text).resource.azurerm_postgresql_flexible_server)[0];
    expect(onlyResource(text, 'azurerm_private_dns_zone_virtual_network_link').name).toBe('cvat-dev-pg-1234abcd-dns-link');
    expect(onlyResource(text, 'azurerm_postgresql_flexible_server').name).toBe(restored);
    for (const type of ['azurerm_postgresql_flexible_server_database', 'azurerm_postgresql_flexible_server_configuration']) {
      for (const r of Object.values(resourcesOf(text, type)))
        expect(r.server_id).toBe(`\${azurerm_postgresql_flexible_server.${server}.id}`);
    }
  });

  it('creates (no import, no prevent_destroy) without existingServerId', () => {
    const json = JSON.parse(pg());
    expect(json.import).toBeUndefined();
    expect(onlyResource(pg(), 'azurerm_postgresql_flexible_server').lifecycle).toEqual({ ignore_changes: ['zone'] });
  });

  it('throws error, when existingServerId names another server or is not a Flexible Server id', () => {
    expect(() => pg({ name: restored, existingServerId: flexibleServerId('s', 'rg', 'other') })).toThrow(
      `'existingServerId' (/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/other) ` +
        `must be the id of the server named '${restored}'`,
    );
    expect(() => pg({ name: restored, existingServerId: restored })).toThrow(`'existingServerId' (${restored}) must be the id`);
  });
});

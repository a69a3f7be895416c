import { describe, expect, it } from 'vitest';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { Network, type NetworkProps } from '../../src/constructs/network';
import { resourcesOf, synthScope } from '../support/synth';

const base: NetworkProps = {
  name: 'vnet',
  resourceGroupName: 'rg',
  location: 'westeurope',
  addressSpace: ['10.28.0.0/16'],
  appsSubnet: { name: 'snet-apps', addressPrefix: '10.28.0.0/23' },
  databaseSubnet: { name: 'snet-db', addressPrefix: '10.28.2.0/24' },
};
const net = (props: Partial<NetworkProps> = {}) => synthScope((scope) => new Network(scope, 'Network', { ...base, ...props }));

describe('Network', () => {
  it('creates the VNet, apps and database subnets with one NSG each and no edge subnet, when no edge subnet is given', () => {
    const json = net();
    expect(Object.keys(resourcesOf(json, 'azurerm_subnet'))).toHaveLength(2);
    expect(Object.keys(resourcesOf(json, 'azurerm_network_security_group'))).toHaveLength(2);
    expect(Object.keys(resourcesOf(json, 'azurerm_subnet_network_security_group_association'))).toHaveLength(2);
    expect(Object.values(resourcesOf(json, 'azurerm_network_security_group')).map((n) => n.name)).toEqual(['snet-apps-nsg', 'snet-db-nsg']);
    expect(json).toMatchSnapshot();
  });

  it('creates the edge subnet and uses the given NSG names, when all props are set', () => {
    const json = net({
      appsSubnet: { ...base.appsSubnet, nsgName: 'nsg-apps' },
      databaseSubnet: { ...base.databaseSubnet, nsgName: 'nsg-db' },
      edgeSubnet: { name: 'snet-edge', addressPrefix: '10.28.3.0/24', nsgName: 'nsg-edge' },
    });
    expect(Object.values(resourcesOf(json, 'azurerm_network_security_group')).map((n) => n.name)).toEqual([
      'nsg-apps',
      'nsg-db',
      'nsg-edge',
    ]);
    expect(json).toHaveResourceWithProperties(Subnet, { name: 'snet-edge', address_prefixes: ['10.28.3.0/24'] });
  });

  it('segments the VNet: the database admits 5432 from apps only, the apps subnet admits the edge only, the rest of the VNet is denied', () => {
    const rules = (json: string) =>
      Object.values(resourcesOf(json, 'azurerm_network_security_rule')).map(
        (r) =>
          `${r.network_security_group_name.includes('Database') ? 'db' : 'apps'} ${r.priority} ${r.access} ` +
          `${r.source_address_prefix} ${r.destination_port_range}`,
      );
    const withEdge = net({ edgeSubnet: { name: 'snet-edge', addressPrefix: '10.28.3.0/24' } });
    expect(rules(withEdge).sort()).toEqual([
      'apps 200 Allow 10.28.3.0/24 *',
      'apps 210 Allow 10.28.0.0/23 *',
      'apps 220 Allow AzureLoadBalancer *',
      'apps 4000 Deny VirtualNetwork *',
      'db 200 Allow 10.28.0.0/23 5432',
      'db 210 Allow 10.28.2.0/24 *',
      'db 220 Allow AzureLoadBalancer *',
      'db 4000 Deny VirtualNetwork *',
    ]);
    // Private-only: clients come from peered networks, so the apps subnet keeps Azure's VNet-wide default.
    expect(rules(net()).filter((r) => r.startsWith('apps'))).toEqual([]);
    expect(rules(net({ segmentation: false }))).toEqual([]);
  });

  it('delegates the apps subnet to Microsoft.App/environments with Key Vault and Storage service endpoints (reference failures #3 and #7)', () => {
    expect(net()).toHaveResourceWithProperties(Subnet, {
      name: 'snet-apps',
      service_endpoints: ['Microsoft.KeyVault', 'Microsoft.Storage'],
      delegation: [
        {
          name: 'aca-environments',
          service_delegation: { name: 'Microsoft.App/environments', actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'] },
        },
      ],
    });
  });

  it('delegates the database subnet to PostgreSQL Flexible Server (VNet injection instead of a private endpoint at a fixed IP)', () => {
    expect(net()).toHaveResourceWithProperties(Subnet, {
      name: 'snet-db',
      delegation: [
        expect.objectContaining({ service_delegation: expect.objectContaining({ name: 'Microsoft.DBforPostgreSQL/flexibleServers' }) }),
      ],
    });
  });

  it('throws error, when a CIDR is malformed', () => {
    expect(() => net({ addressSpace: ['10.28.0.0'] })).toThrow("'addressSpace[0]' (10.28.0.0) must be an IPv4 CIDR such as 10.28.0.0/16");
  });
  it('throws error, when the address space is empty', () => {
    expect(() => net({ addressSpace: [] })).toThrow("'addressSpace' must contain at least one CIDR");
  });
  it('throws error, when a subnet lies outside the address space', () => {
    expect(() => net({ databaseSubnet: { name: 'db', addressPrefix: '10.29.0.0/24' } })).toThrow(
      "'databaseSubnet.addressPrefix' (10.29.0.0/24) must lie inside the address space (10.28.0.0/16)",
    );
  });
  it('throws error, when the apps subnet is smaller than /27', () => {
    expect(() => net({ appsSubnet: { name: 'apps', addressPrefix: '10.28.0.0/28' } })).toThrow(
      "'appsSubnet.addressPrefix' (10.28.0.0/28) must be /27 or larger",
    );
  });
  it('throws error, when two subnets overlap', () => {
    expect(() => net({ databaseSubnet: { name: 'db', addressPrefix: '10.28.1.0/24' } })).toThrow(
      "'databaseSubnet.addressPrefix' (10.28.1.0/24) overlaps 'appsSubnet.addressPrefix'",
    );
  });
});

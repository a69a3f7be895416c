import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { cidrContains, cidrOverlaps, type Ipv4Block, parseCidr } from '@cvat-cloud/catalogue';
import { ValidationError } from './validation-error';

/** One subnet of the {@link Network}. */
export interface SubnetSpec {
  /** Subnet name. */
  readonly name: string;
  /** IPv4 CIDR inside the VNet address space. */
  readonly addressPrefix: string;
  /**
   * Name of the subnet's network security group.
   * @default - `<subnet name>-nsg`
   */
  readonly nsgName?: string;
}

/** Properties of {@link Network}. */
export interface NetworkProps {
  /** VNet name. */
  readonly name: string;
  /** Resource group. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;
  /** VNet address space (IPv4 CIDRs). */
  readonly addressSpace: readonly string[];
  /**
   * Subnet of the Container Apps environment: at least /27, delegated to
   * `Microsoft.App/environments`, with the `Microsoft.Storage` and `Microsoft.KeyVault` service
   * endpoints so the storage account and Key Vault firewalls can allow it by subnet.
   */
  readonly appsSubnet: SubnetSpec;
  /**
   * Subnet of the PostgreSQL Flexible Server (VNet injection): at least /28, delegated to
   * `Microsoft.DBforPostgreSQL/flexibleServers`.
   */
  readonly databaseSubnet: SubnetSpec;
  /**
   * Subnet of the edge VM.
   * @default - no edge subnet (private-only installs)
   */
  readonly edgeSubnet?: SubnetSpec;
}

/** A subnet with its network security group. */
export interface NetworkSubnet {
  /** The `azurerm_subnet`. */
  readonly subnet: Subnet;
  /** The NSG associated with it; rules are added by the stack that owns the workload. */
  readonly nsg: NetworkSecurityGroup;
}

/**
 * The VNet with the apps, database and (optional) edge subnets, one NSG per subnet.
 *
 * Replaces the reference project's network, which had no NSG on the app subnet, hard-coded static
 * IPs in two subnets and a private-endpoint subnet whose PostgreSQL address was typed into env vars:
 * here PostgreSQL is VNet-injected into its delegated subnet and found by name.
 *
 * NSGs start with Azure's default rules only (VNet and load-balancer inbound, all outbound); the
 * edge stack adds the edge rules, so a private-only install opens nothing to the internet.
 *
 * @see https://learn.microsoft.com/azure/container-apps/custom-virtual-networks
 * @see https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-private
 */
export class Network extends Construct {
  /** The `azurerm_virtual_network`. */
  public readonly resource: VirtualNetwork;
  /** Apps subnet and NSG. */
  public readonly apps: NetworkSubnet;
  /** Database subnet and NSG. */
  public readonly database: NetworkSubnet;
  /** Edge subnet and NSG, if requested. */
  public readonly edge: NetworkSubnet | undefined;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const space = props.addressSpace.map((cidr, i) => this.parse(`addressSpace[${i}]`, cidr));
    if (space.length === 0) {
      throw new ValidationError('AddressSpaceEmpty', `'addressSpace' must contain at least one CIDR`, this);
    }
    const subnets: [string, SubnetSpec, number][] = [
      ['appsSubnet', props.appsSubnet, 27],
      ['databaseSubnet', props.databaseSubnet, 28],
    ];
    if (props.edgeSubnet) subnets.push(['edgeSubnet', props.edgeSubnet, 29]);
    const blocks: [string, Ipv4Block][] = [];
    for (const [field, spec, maxPrefix] of subnets) {
      const block = this.parse(`${field}.addressPrefix`, spec.addressPrefix);
      if (!space.some((s) => cidrContains(s, block))) {
        throw new ValidationError(
          'SubnetOutsideVnet',
          `'${field}.addressPrefix' (${spec.addressPrefix}) must lie inside the address space (${props.addressSpace.join(', ')})`,
          this,
        );
      }
      if (block.prefixLength > maxPrefix) {
        throw new ValidationError(
          'SubnetTooSmall',
          `'${field}.addressPrefix' (${spec.addressPrefix}) must be /${maxPrefix} or larger`,
          this,
        );
      }
      for (const [otherField, other] of blocks) {
        if (cidrOverlaps(block, other)) {
          throw new ValidationError(
            'SubnetOverlap',
            `'${field}.addressPrefix' (${spec.addressPrefix}) overlaps '${otherField}.addressPrefix'`,
            this,
          );
        }
      }
      blocks.push([field, block]);
    }

    this.resource = new VirtualNetwork(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      addressSpace: [...props.addressSpace],
    });
    this.apps = this.subnet('Apps', props, props.appsSubnet, {
      serviceEndpoints: ['Microsoft.KeyVault', 'Microsoft.Storage'],
      delegation: [
        {
          name: 'aca-environments',
          serviceDelegation: { name: 'Microsoft.App/environments', actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'] },
        },
      ],
    });
    this.database = this.subnet('Database', props, props.databaseSubnet, {
      delegation: [
        {
          name: 'postgresql-flexible-servers',
          serviceDelegation: {
            name: 'Microsoft.DBforPostgreSQL/flexibleServers',
            actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
          },
        },
      ],
    });
    this.edge = props.edgeSubnet ? this.subnet('Edge', props, props.edgeSubnet, {}) : undefined;
  }

  private parse(field: string, cidr: string): Ipv4Block {
    const block = Token.isUnresolved(cidr) ? undefined : parseCidr(cidr.trim(), { allowHostBits: true });
    if (!block || !cidr.includes('/')) {
      throw new ValidationError('CidrInvalid', `'${field}' (${cidr}) must be an IPv4 CIDR such as 10.28.0.0/16`, this);
    }
    return block;
  }

  private subnet(
    id: string,
    props: NetworkProps,
    spec: SubnetSpec,
    extra: Pick<ConstructorParameters<typeof Subnet>[2], 'serviceEndpoints' | 'delegation'>,
  ): NetworkSubnet {
    const scope = new Construct(this, id);
    const subnet = new Subnet(scope, 'Resource', {
      name: spec.name,
      resourceGroupName: props.resourceGroupName,
      virtualNetworkName: this.resource.name,
      addressPrefixes: [spec.addressPrefix],
      ...extra,
    });
    const nsg = new NetworkSecurityGroup(scope, 'Nsg', {
      name: spec.nsgName ?? `${spec.name}-nsg`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
    });
    new SubnetNetworkSecurityGroupAssociation(scope, 'NsgAssociation', { subnetId: subnet.id, networkSecurityGroupId: nsg.id });
    return { subnet, nsg };
  }
}

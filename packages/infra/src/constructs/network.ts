import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
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
  /**
   * Segment the VNet with NSG rules: only the edge subnet (and the apps subnet itself, and Azure's load balancer probes)
   * reaches the apps subnet, only the apps subnet reaches PostgreSQL on 5432 (and the database subnet itself, for
   * high-availability replication); every other source inside the VNet (the database subnet, peered networks) is
   * denied. Without an edge subnet (private-only installs, whose clients come from peered networks) the apps subnet
   * keeps Azure's default VNet-wide inbound rule; the database subnet is segmented either way.
   * @default true
   */
  readonly segmentation?: boolean;
}

/** First priority of the segmentation rules (the edge stack's internet rules use 100-120 on the edge NSG). */
export const SEGMENTATION_PRIORITY = 200;
/** Priority of the deny-the-rest rules, after every allow this package writes and before Azure's defaults (65000+). */
export const SEGMENTATION_DENY_PRIORITY = 4000;

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
 * NSGs segment the VNet ({@link NetworkProps.segmentation}): the apps subnet accepts the edge subnet, itself and
 * Azure's load-balancer probes, as the Container Apps workload-profile NSG requirements list them (client IPs to the
 * subnet, AzureLoadBalancer to the subnet, subnet to subnet:
 * https://learn.microsoft.com/azure/container-apps/firewall-integration, "NSG allow rules", workload profiles), and
 * denies the rest of the VNet; the database subnet accepts 5432 from the apps subnet and anything from itself
 * (https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-vnet, "Network security groups").
 * Outbound stays at Azure's defaults. The edge stack adds the edge's internet rules, so a private-only install opens
 * nothing to the internet.
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
    if (props.segmentation ?? true) this.segment(props);
  }

  private segment(props: NetworkProps): void {
    const apps = props.appsSubnet.addressPrefix;
    const database = props.databaseSubnet.addressPrefix;
    const rule = (
      subnet: NetworkSubnet,
      id: string,
      priority: number,
      access: 'Allow' | 'Deny',
      source: string,
      destination: string,
      protocol: 'Tcp' | '*',
      port: string,
    ) =>
      new NetworkSecurityRule(subnet.nsg, id, {
        name: id,
        resourceGroupName: props.resourceGroupName,
        networkSecurityGroupName: subnet.nsg.name,
        priority,
        direction: 'Inbound',
        access,
        protocol,
        sourcePortRange: '*',
        sourceAddressPrefix: source,
        destinationAddressPrefix: destination,
        destinationPortRange: port,
      });
    const p = SEGMENTATION_PRIORITY;
    if (props.edgeSubnet) {
      rule(this.apps, 'AllowEdgeToApps', p, 'Allow', props.edgeSubnet.addressPrefix, apps, 'Tcp', '*');
      rule(this.apps, 'AllowAppsToApps', p + 10, 'Allow', apps, apps, '*', '*');
      rule(this.apps, 'AllowAzureLoadBalancer', p + 20, 'Allow', 'AzureLoadBalancer', '*', '*', '*');
      rule(this.apps, 'DenyOtherVnetToApps', SEGMENTATION_DENY_PRIORITY, 'Deny', 'VirtualNetwork', '*', '*', '*');
    }
    rule(this.database, 'AllowAppsToPostgres', p, 'Allow', apps, database, 'Tcp', '5432');
    rule(this.database, 'AllowDatabaseSubnet', p + 10, 'Allow', database, database, '*', '*');
    rule(this.database, 'AllowAzureLoadBalancer', p + 20, 'Allow', 'AzureLoadBalancer', '*', '*', '*');
    rule(this.database, 'DenyOtherVnetToDatabase', SEGMENTATION_DENY_PRIORITY, 'Deny', 'VirtualNetwork', '*', '*', '*');
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

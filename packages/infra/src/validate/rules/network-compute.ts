/**
 * Virtual network, subnets, NSGs and rules, the edge VM with its NIC and public IP, read from
 * hashicorp/terraform-provider-azurerm@v4.55.0 (internal/services/network, internal/services/compute
 * and the 2025-01-01 network / compute SDK constants vendored there).
 */
import type { ConstraintRule } from '../model';
import {
  asBlocks,
  attr,
  azurerm,
  between,
  deprecated,
  isSet,
  items,
  literalString,
  notEmpty,
  oneOf,
  presence,
  resourceRule,
  validator,
  violations,
} from './_helpers';
import { linuxAdminUsername, linuxComputerNameFull, publicIpDomainNameLabel, sshKey, virtualMachineName } from './names';

const VNET = 'internal/services/network/virtual_network_resource.go';
const SUBNET = 'internal/services/network/subnet_resource.go';
const RULE = 'internal/services/network/network_security_rule_resource.go';
const NIC = 'internal/services/network/network_interface_resource.go';
const PIP = 'internal/services/network/public_ip_resource.go';
const VM = 'internal/services/compute/linux_virtual_machine_resource.go';

/**
 * `subnetDelegationServiceNames` (internal/services/network/subnet_resource.go), copied in source order
 * (including its `Microsoft.Network/networkWatchers.` with the trailing dot).
 */
export const SUBNET_DELEGATION_SERVICE_NAMES: readonly string[] = `
GitHub.Network/networkSettings Informatica.DataManagement/organizations Microsoft.ApiManagement/service Microsoft.Apollo/npu
Microsoft.App/environments Microsoft.App/testClients Microsoft.AVS/PrivateClouds Microsoft.AzureCosmosDB/clusters
Microsoft.BareMetal/AzureHostedService Microsoft.BareMetal/AzureHPC Microsoft.BareMetal/AzurePaymentHSM
Microsoft.BareMetal/AzureVMware Microsoft.BareMetal/CrayServers Microsoft.BareMetal/MonitoringServers
Microsoft.Batch/batchAccounts Microsoft.CloudTest/hostedpools Microsoft.CloudTest/images Microsoft.CloudTest/pools
Microsoft.Codespaces/plans Microsoft.ContainerInstance/containerGroups Microsoft.ContainerService/managedClusters
Microsoft.ContainerService/TestClients Microsoft.Databricks/workspaces Microsoft.DBforMySQL/flexibleServers
Microsoft.DBforMySQL/servers Microsoft.DBforMySQL/serversv2 Microsoft.DBforPostgreSQL/flexibleServers
Microsoft.DBforPostgreSQL/serversv2 Microsoft.DBforPostgreSQL/singleServers Microsoft.DelegatedNetwork/controller
Microsoft.DevCenter/networkConnection Microsoft.DevOpsInfrastructure/pools Microsoft.DocumentDB/cassandraClusters
Microsoft.Fidalgo/networkSettings Microsoft.HardwareSecurityModules/dedicatedHSMs Microsoft.Kusto/clusters
Microsoft.LabServices/labplans Microsoft.Logic/integrationServiceEnvironments Microsoft.MachineLearningServices/workspaces
Microsoft.Netapp/volumes Microsoft.Network/applicationGateways Microsoft.Network/dnsResolvers Microsoft.Network/managedResolvers
Microsoft.Network/fpgaNetworkInterfaces Microsoft.Network/networkWatchers. Microsoft.Network/virtualNetworkGateways
Microsoft.Orbital/orbitalGateways Microsoft.PowerAutomate/hostedRpa Microsoft.PowerPlatform/enterprisePolicies
Microsoft.PowerPlatform/vnetaccesslinks Microsoft.ServiceFabricMesh/networks Microsoft.ServiceNetworking/trafficControllers
Microsoft.Singularity/accounts/networks Microsoft.Singularity/accounts/npu Microsoft.Sql/managedInstances
Microsoft.Sql/managedInstancesOnebox Microsoft.Sql/managedInstancesStage Microsoft.Sql/managedInstancesTest Microsoft.Sql/servers
Microsoft.StoragePool/diskPools Microsoft.StreamAnalytics/streamingJobs Microsoft.Synapse/workspaces
Microsoft.Web/hostingEnvironments Microsoft.Web/serverFarms NGINX.NGINXPLUS/nginxDeployments Oracle.Database/networkAttachments
PaloAltoNetworks.Cloudngfw/firewalls Qumulo.Storage/fileSystems
`
  .trim()
  .split(/\s+/);

/** Network. */
export const NETWORK_RULES: readonly ConstraintRule[] = [
  attr('azurerm_virtual_network', 'name', notEmpty, azurerm(VNET, 'resourceVirtualNetworkSchema')),
  attr('azurerm_virtual_network', 'address_space', { kind: 'eachItem', check: notEmpty }, azurerm(VNET, 'resourceVirtualNetworkSchema')),
  items('azurerm_virtual_network', 'address_space', { min: 1 }, azurerm(VNET, 'resourceVirtualNetworkSchema')),
  presence(
    'exactlyOneOf',
    'azurerm_virtual_network',
    '',
    ['address_space', 'ip_address_pool'],
    azurerm(VNET, 'resourceVirtualNetworkSchema'),
  ),
  attr('azurerm_subnet', 'address_prefixes', { kind: 'eachItem', check: notEmpty }, azurerm(SUBNET, 'resourceSubnet')),
  items('azurerm_subnet', 'address_prefixes', { min: 1 }, azurerm(SUBNET, 'resourceSubnet')),
  presence('exactlyOneOf', 'azurerm_subnet', '', ['address_prefixes', 'ip_address_pool'], azurerm(SUBNET, 'resourceSubnet')),
  attr(
    'azurerm_subnet',
    'delegation.service_delegation.name',
    oneOf(SUBNET_DELEGATION_SERVICE_NAMES),
    azurerm(SUBNET, 'resourceSubnet (subnetDelegationServiceNames)'),
  ),
  attr(
    'azurerm_subnet',
    'delegation.service_delegation.actions',
    {
      kind: 'eachItem',
      check: oneOf([
        'Microsoft.Network/networkinterfaces/*',
        'Microsoft.Network/publicIPAddresses/join/action',
        'Microsoft.Network/publicIPAddresses/read',
        'Microsoft.Network/virtualNetworks/read',
        'Microsoft.Network/virtualNetworks/subnets/action',
        'Microsoft.Network/virtualNetworks/subnets/join/action',
        'Microsoft.Network/virtualNetworks/subnets/prepareNetworkPolicies/action',
        'Microsoft.Network/virtualNetworks/subnets/unprepareNetworkPolicies/action',
      ]),
    },
    azurerm(SUBNET, 'resourceSubnet'),
  ),
  attr('azurerm_subnet', 'sharing_scope', oneOf(['Tenant']), azurerm(SUBNET, 'resourceSubnet')),
  resourceRule(
    'azurerm_subnet',
    'sharing-scope-outbound',
    '`sharing_scope` cannot be set if `default_outbound_access_enabled` is true (the default).',
    azurerm(SUBNET, 'resourceSubnet (CustomizeDiff)'),
    (body) => {
      const outbound = body.default_outbound_access_enabled;
      const on = outbound === undefined || outbound === true || outbound === 'true';
      return literalString(body.sharing_scope) && on
        ? [{ path: 'sharing_scope', value: body.sharing_scope, allowed: 'unset while default_outbound_access_enabled is true' }]
        : [];
    },
  ),
  attr(
    'azurerm_network_security_rule',
    'name',
    validator('no "/", "\\", "?" or "%"', (v) => ([...'/\\?%'].some((c) => v.includes(c)) ? 'contains one of / \\ ? %' : undefined)),
    azurerm(RULE, 'resourceNetworkSecurityRule'),
  ),
  attr(
    'azurerm_network_security_rule',
    'description',
    { kind: 'stringLenBetween', min: 0, max: 140 },
    azurerm(RULE, 'resourceNetworkSecurityRule'),
  ),
  attr(
    'azurerm_network_security_rule',
    'protocol',
    oneOf(['*', 'Tcp', 'Udp', 'Icmp', 'Ah', 'Esp']),
    azurerm(RULE, 'resourceNetworkSecurityRule'),
  ),
  attr('azurerm_network_security_rule', 'access', oneOf(['Allow', 'Deny']), azurerm(RULE, 'resourceNetworkSecurityRule')),
  attr('azurerm_network_security_rule', 'priority', between(100, 4096), azurerm(RULE, 'resourceNetworkSecurityRule')),
  attr('azurerm_network_security_rule', 'direction', oneOf(['Inbound', 'Outbound']), azurerm(RULE, 'resourceNetworkSecurityRule')),
  presence(
    'conflictsWith',
    'azurerm_network_security_rule',
    '',
    ['source_port_range', 'source_port_ranges'],
    azurerm(RULE, 'resourceNetworkSecurityRule'),
  ),
  presence(
    'conflictsWith',
    'azurerm_network_security_rule',
    '',
    ['destination_port_range', 'destination_port_ranges'],
    azurerm(RULE, 'resourceNetworkSecurityRule'),
  ),
  presence(
    'exactlyOneOf',
    'azurerm_network_security_rule',
    '',
    ['source_address_prefix', 'source_address_prefixes', 'source_application_security_group_ids'],
    azurerm(RULE, 'resourceNetworkSecurityRule'),
  ),
  presence(
    'exactlyOneOf',
    'azurerm_network_security_rule',
    '',
    ['destination_address_prefix', 'destination_address_prefixes', 'destination_application_security_group_ids'],
    azurerm(RULE, 'resourceNetworkSecurityRule'),
  ),
  items(
    'azurerm_network_security_rule',
    'source_application_security_group_ids',
    { max: 10 },
    azurerm(RULE, 'resourceNetworkSecurityRule'),
  ),
  items(
    'azurerm_network_security_rule',
    'destination_application_security_group_ids',
    { max: 10 },
    azurerm(RULE, 'resourceNetworkSecurityRule'),
  ),
];

/** The edge VM, its NIC and public IP. */
export const EDGE_RULES: readonly ConstraintRule[] = [
  attr('azurerm_network_interface', 'ip_configuration.name', notEmpty, azurerm(NIC, 'resourceNetworkInterface')),
  attr(
    'azurerm_network_interface',
    'ip_configuration.private_ip_address_version',
    oneOf(['IPv4', 'IPv6']),
    azurerm(NIC, 'resourceNetworkInterface'),
  ),
  attr(
    'azurerm_network_interface',
    'ip_configuration.private_ip_address_allocation',
    oneOf(['Dynamic', 'Static']),
    azurerm(NIC, 'resourceNetworkInterface'),
  ),
  resourceRule(
    'azurerm_network_interface',
    'ip-configurations',
    'An IPv4 ip_configuration needs a subnet_id; with several, one must be primary.',
    azurerm(NIC, 'expandNetworkInterfaceIPConfigurations (resourceNetworkInterfaceCreate)'),
    (body) => {
      const v = violations();
      const configs = asBlocks(body.ip_configuration);
      configs.forEach((c, i) => {
        const version = c.private_ip_address_version ?? 'IPv4';
        if (version === 'IPv4' && !isSet(c.subnet_id))
          v.add(
            `ip_configuration[${i}].subnet_id`,
            undefined,
            'set for an IPv4 ip_configuration ("a Subnet ID must be specified for an IPv4 Network Interface")',
          );
      });
      if (
        configs.length > 1 &&
        !configs.some(
          (c) =>
            c.primary === true || c.primary === 'true' || (isSet(c.primary) && typeof c.primary === 'string' && c.primary.includes('${')),
        )
      ) {
        v.add('ip_configuration', `${configs.length} blocks`, 'one ip_configuration with primary = true');
      }
      return v.list;
    },
  ),
  attr('azurerm_public_ip', 'allocation_method', oneOf(['Static', 'Dynamic']), azurerm(PIP, 'resourcePublicIp')),
  attr('azurerm_public_ip', 'sku', oneOf(['Basic', 'Standard']), azurerm(PIP, 'resourcePublicIp')),
  attr('azurerm_public_ip', 'ip_version', oneOf(['IPv4', 'IPv6']), azurerm(PIP, 'resourcePublicIp')),
  attr('azurerm_public_ip', 'idle_timeout_in_minutes', between(4, 30), azurerm(PIP, 'resourcePublicIp')),
  attr(
    'azurerm_public_ip',
    'domain_name_label',
    validator('3-63 lower case alphanumerics and "-", starting with a letter', publicIpDomainNameLabel),
    azurerm('internal/services/network/validate/public_ip.go', 'PublicIpDomainNameLabel'),
  ),
  resourceRule(
    'azurerm_public_ip',
    'standard-sku-static',
    'Static IP allocation must be used when creating Standard SKU public IP addresses (sku defaults to Standard).',
    azurerm(PIP, 'resourcePublicIpCreate'),
    (body) => {
      const sku = literalString(body.sku) ?? (isSet(body.sku) ? undefined : 'Standard');
      const method = literalString(body.allocation_method);
      return sku?.toLowerCase() === 'standard' && method !== undefined && method.toLowerCase() !== 'static'
        ? [{ path: 'allocation_method', value: method, allowed: '"Static" for a Standard SKU public IP' }]
        : [];
    },
  ),
  attr(
    'azurerm_linux_virtual_machine',
    'name',
    validator('1-80 of alphanumerics, ".", "-", "_"; alphanumeric first, not only digits', virtualMachineName),
    azurerm('internal/services/compute/validate/virtual_machine_name.go', 'VirtualMachineName'),
  ),
  attr(
    'azurerm_linux_virtual_machine',
    'admin_username',
    validator('1-64 characters, not a disallowed name (admin, root, ...)', linuxAdminUsername),
    azurerm('internal/services/compute/validate/linux_admin_username.go', 'LinuxAdminUsername'),
  ),
  attr(
    'azurerm_linux_virtual_machine',
    'computer_name',
    validator('a Linux host name (at most 64 characters, no special characters)', linuxComputerNameFull),
    azurerm('internal/services/compute/validate/linux_computer_name.go', 'LinuxComputerNameFull'),
  ),
  attr('azurerm_linux_virtual_machine', 'size', notEmpty, azurerm(VM, 'resourceLinuxVirtualMachine')),
  attr(
    'azurerm_linux_virtual_machine',
    'custom_data',
    validator('base64', (v) => (/^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0 ? undefined : 'is not base64')),
    azurerm(VM, 'resourceLinuxVirtualMachine'),
  ),
  attr(
    'azurerm_linux_virtual_machine',
    'os_disk.caching',
    oneOf(['None', 'ReadOnly', 'ReadWrite']),
    azurerm('internal/services/compute/virtual_machine.go', 'virtualMachineOSDiskSchema'),
  ),
  attr(
    'azurerm_linux_virtual_machine',
    'os_disk.storage_account_type',
    oneOf(['Premium_LRS', 'Standard_LRS', 'StandardSSD_LRS', 'StandardSSD_ZRS', 'Premium_ZRS']),
    azurerm('internal/services/compute/virtual_machine.go', 'virtualMachineOSDiskSchema'),
  ),
  attr(
    'azurerm_linux_virtual_machine',
    'os_disk.disk_size_gb',
    between(0, 4095),
    azurerm('internal/services/compute/virtual_machine.go', 'virtualMachineOSDiskSchema'),
  ),
  ...['publisher', 'offer', 'sku', 'version'].map((k) =>
    attr(
      'azurerm_linux_virtual_machine',
      `source_image_reference.${k}`,
      notEmpty,
      azurerm('internal/services/compute/shared_schema.go', 'sourceImageReferenceSchemaVM'),
    ),
  ),
  attr(
    'azurerm_linux_virtual_machine',
    'admin_ssh_key.public_key',
    validator('an ssh-rsa (>= 2048 bits) or ssh-ed25519 public key', sshKey),
    azurerm('internal/services/compute/validate/ssh_key.go', 'SSHKey'),
  ),
  attr(
    'azurerm_linux_virtual_machine',
    'admin_ssh_key.username',
    notEmpty,
    azurerm('internal/services/compute/ssh_keys.go', 'SSHKeysSchemaVM'),
  ),
  items('azurerm_linux_virtual_machine', 'network_interface_ids', { min: 1 }, azurerm(VM, 'resourceLinuxVirtualMachine')),
  presence(
    'exactlyOneOf',
    'azurerm_linux_virtual_machine',
    '',
    ['admin_username', 'os_managed_disk_id'],
    azurerm(VM, 'resourceLinuxVirtualMachine'),
  ),
  presence(
    'exactlyOneOf',
    'azurerm_linux_virtual_machine',
    '',
    ['os_managed_disk_id', 'source_image_id', 'source_image_reference'],
    azurerm(VM, 'resourceLinuxVirtualMachine'),
  ),
  ...['admin_password', 'computer_name', 'custom_data', 'admin_ssh_key'].map((k) =>
    presence('conflictsWith', 'azurerm_linux_virtual_machine', '', [k, 'os_managed_disk_id'], azurerm(VM, 'resourceLinuxVirtualMachine')),
  ),
  resourceRule(
    'azurerm_linux_virtual_machine',
    'default-computer-name',
    'Without computer_name, the VM name must be a valid Linux computer name ("unable to assume default computer name").',
    azurerm(VM, 'resourceLinuxVirtualMachineCreate'),
    (body) => {
      if (isSet(body.computer_name) || isSet(body.os_managed_disk_id)) return [];
      const name = literalString(body.name);
      const why = name === undefined ? undefined : linuxComputerNameFull(name);
      return why ? [{ path: 'name', value: name, allowed: `a valid Linux computer name, or an explicit computer_name (${why})` }] : [];
    },
  ),
  resourceRule(
    'azurerm_linux_virtual_machine',
    'extensions-need-vm-agent',
    '`allow_extension_operations` (default true) cannot be true when `provision_vm_agent` is false.',
    azurerm(VM, 'resourceLinuxVirtualMachineCreate'),
    (body) => {
      const agentOff = body.provision_vm_agent === false || body.provision_vm_agent === 'false';
      const ext = body.allow_extension_operations;
      const extOn = ext === undefined || ext === true || ext === 'true';
      return agentOff && extOn
        ? [{ path: 'allow_extension_operations', value: ext ?? '(default true)', allowed: 'false when provision_vm_agent is false' }]
        : [];
    },
  ),
  deprecated(
    'azurerm_linux_virtual_machine',
    'vm_agent_platform_updates_enabled',
    'redefined by the service as read-only; deprecated',
    azurerm(VM, 'resourceLinuxVirtualMachine'),
  ),
  resourceRule(
    'azurerm_linux_virtual_machine',
    'password-or-ssh-key',
    'disable_password_authentication = true (the default) needs an admin_ssh_key; false needs admin_password.',
    azurerm(VM, 'resourceLinuxVirtualMachineCreate'),
    (body) => {
      if (isSet(body.os_managed_disk_id)) return [];
      const d = body.disable_password_authentication;
      if (typeof d === 'string' && d.includes('${')) return [];
      const disabled = d === undefined || d === true || d === 'true';
      if (disabled && !isSet(body.admin_ssh_key))
        return [
          { path: 'admin_ssh_key', value: undefined, allowed: 'at least one admin_ssh_key when disable_password_authentication is true' },
        ];
      if (!disabled && !isSet(body.admin_password))
        return [{ path: 'admin_password', value: undefined, allowed: 'set when disable_password_authentication is false' }];
      return [];
    },
  ),
];

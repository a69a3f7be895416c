import { describe, expect, it } from 'vitest';
import { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { EdgeVm, lockedSshPublicKey, UBUNTU_2404, type EdgeVmProps } from '../../src/constructs/edge-vm';
import { onlyResource, resourcesOf, synthScope } from '../support/synth';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@example';
const base: EdgeVmProps = {
  name: 'cvat-dev-edge',
  resourceGroupName: 'rg',
  location: 'westeurope',
  subnetId: 'edge-subnet-id',
  networkSecurityGroupName: 'nsg-edge',
  publicIpName: 'cvat-dev-edge-pip',
  domainNameLabel: 'cvat-dev-1234abcd',
  cloudInit: '#cloud-config\npackages: [docker.io]\n',
};
const vm = (props: Partial<EdgeVmProps> = {}) => synthScope((scope) => new EdgeVm(scope, 'Edge', { ...base, ...props }));
const rules = (json: string) => Object.values(resourcesOf(json, 'azurerm_network_security_rule'));

describe('EdgeVm', () => {
  it('creates a key-only Ubuntu VM with a static public IP, a dynamic private IP and only 80/443 open, when only required props are given', () => {
    const json = vm();
    expect(json).toHaveResourceWithProperties(LinuxVirtualMachine, {
      name: 'cvat-dev-edge',
      size: 'Standard_B2ats_v2',
      admin_username: 'cvatops',
      disable_password_authentication: true,
      source_image_reference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: '24.04.202508010' },
      // Trusted Launch and managed boot diagnostics.
      secure_boot_enabled: true,
      vtpm_enabled: true,
      boot_diagnostics: {},
    });
    const machine = onlyResource(json, 'azurerm_linux_virtual_machine');
    expect(machine.admin_password).toBeUndefined();
    expect(machine.admin_ssh_key).toEqual([{ username: 'cvatops', public_key: lockedSshPublicKey('cvat-dev-edge') }]);
    expect(machine.custom_data).toMatch(/^\$\{base64encode\(local\..+\)\}$/);
    expect(json).toHaveResourceWithProperties(PublicIp, {
      name: 'cvat-dev-edge-pip',
      allocation_method: 'Static',
      sku: 'Standard',
      domain_name_label: 'cvat-dev-1234abcd',
    });
    expect(onlyResource(json, 'azurerm_network_interface').ip_configuration).toEqual([
      expect.objectContaining({ private_ip_address_allocation: 'Dynamic', subnet_id: 'edge-subnet-id' }),
    ]);
    expect(
      rules(json)
        .map((r) => [r.name, r.destination_port_range, r.source_address_prefix])
        .sort(),
    ).toEqual([
      ['AllowHttpInbound', '80', 'Internet'],
      ['AllowHttpsInbound', '443', 'Internet'],
    ]);
    expect(json).toMatchSnapshot();
  });

  it('opens SSH to the admin CIDRs only and uses the given key, when all props are set', () => {
    const json = vm({
      sshPublicKey: KEY,
      sshAllowedCidrs: ['203.0.113.0/24'],
      size: 'Standard_B1s',
      adminUsername: 'ops',
      image: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: '24.04.202601010' },
      rulePriorityBase: 200,
    });
    const machine = onlyResource(json, 'azurerm_linux_virtual_machine');
    expect(machine).toMatchObject({ size: 'Standard_B1s', admin_username: 'ops', admin_ssh_key: [{ username: 'ops', public_key: KEY }] });
    expect(machine.source_image_reference.version).toBe('24.04.202601010');
    expect(json).toHaveResourceWithProperties(NetworkSecurityRule, {
      name: 'AllowSshFromAdmins',
      priority: 220,
      destination_port_range: '22',
      source_address_prefixes: ['203.0.113.0/24'],
      network_security_group_name: 'nsg-edge',
    });
  });

  it('keeps port 22 closed, when admin CIDRs are given but no SSH key', () => {
    expect(rules(vm({ sshAllowedCidrs: ['203.0.113.0/24'] })).map((r) => r.name)).not.toContain('AllowSshFromAdmins');
  });

  it('derives the locked placeholder key deterministically, so the VM is not replaced between synths', () => {
    expect(lockedSshPublicKey('a')).toBe(lockedSshPublicKey('a'));
    expect(lockedSshPublicKey('a')).not.toBe(lockedSshPublicKey('b'));
    expect(lockedSshPublicKey('a')).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]+=* cvat-cloud-locked-no-login$/);
  });

  it('throws error, when the image version is latest (not a pin), and leaves Trusted Launch off when asked', () => {
    expect(() => vm({ image: { ...UBUNTU_2404, version: 'latest' } })).toThrow("'image.version' (latest) must be a published version");
    const machine = onlyResource(vm({ trustedLaunch: false }), 'azurerm_linux_virtual_machine');
    expect([machine.secure_boot_enabled, machine.vtpm_enabled]).toEqual([false, false]);
  });

  it('throws error, when SSH would be open to the internet', () => {
    expect(() => vm({ sshPublicKey: KEY, sshAllowedCidrs: ['0.0.0.0/0'] })).toThrow(
      "'sshAllowedCidrs[0]' (0.0.0.0/0) would open SSH to the whole internet",
    );
  });
  it('throws error, when an SSH CIDR is malformed', () => {
    expect(() => vm({ sshPublicKey: KEY, sshAllowedCidrs: ['office'] })).toThrow(
      "'sshAllowedCidrs[0]' (office) must be an IPv4 address or CIDR",
    );
  });
  it('throws error, when the SSH key is not an OpenSSH public key', () => {
    expect(() => vm({ sshPublicKey: 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY= ops' })).toThrow(
      'must be of type ssh-rsa or ssh-ed25519',
    );
    expect(() => vm({ sshPublicKey: '-----BEGIN PRIVATE KEY-----' })).toThrow(
      "'sshPublicKey' (-----BEGIN PRIVATE KEY--...) must be of type ssh-rsa or ssh-ed25519 (RSA of at least 2048 bits): " +
        'azurerm v4.55.0 refuses "-----BEGIN" keys',
    );
  });
  it('throws error, when the DNS label has capitals', () => {
    expect(() => vm({ domainNameLabel: 'Traefik' })).toThrow("'domainNameLabel' (Traefik) must be 3-63 lowercase letters");
  });
  it('throws error, when the VM name ends with a dash', () => {
    expect(() => vm({ name: 'edge-' })).toThrow("'name' (edge-) must be 1-64 letters, digits and '-'");
  });
  it('throws error, when the admin user is reserved by Azure', () => {
    expect(() => vm({ adminUsername: 'admin' })).toThrow(
      "'adminUsername' (admin) must be a lowercase Linux user name that Azure does not reserve",
    );
  });
  it('throws error, when the rule priority base is below 100', () => {
    expect(() => vm({ rulePriorityBase: 99 })).toThrow("'rulePriorityBase' (99) must be an integer between 100 and 4076");
  });
});

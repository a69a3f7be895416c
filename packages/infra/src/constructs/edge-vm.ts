import { Construct } from 'constructs';
import { Fn, TerraformLocal, Token } from 'cdktf';
import { createHash } from 'node:crypto';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { NetworkInterface } from '@cdktf/provider-azurerm/lib/network-interface';
import { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { checkSshPublicKey, isAnywhere, parseCidr } from '@cvat-cloud/catalogue';
import { DISALLOWED_LINUX_ADMINS } from '../validate/rules/names';
import { ValidationError } from './validation-error';

/** Marketplace image of the edge VM. */
export interface VmImage {
  /** Publisher, e.g. `Canonical`. */
  readonly publisher: string;
  /** Offer, e.g. `ubuntu-24_04-lts`. */
  readonly offer: string;
  /** SKU, e.g. `server`. */
  readonly sku: string;
  /**
   * Version. A pinned version makes two deploys of the same configuration boot the same image; after boot the VM
   * patches itself (unattended upgrades), so the pin only decides the starting point. `latest` is refused.
   */
  readonly version: string;
}

/**
 * Ubuntu 24.04 LTS server (a Generation 2 image, which Trusted Launch needs), the default edge image, pinned to a
 * published version (`Canonical:ubuntu-24_04-lts:server:24.04.202508010`, as used in public deployment scripts).
 * Azure keeps old marketplace versions for a limited time: when a new deployment reports the version as not found,
 * pin a newer one (`az vm image list -p Canonical -f ubuntu-24_04-lts -s server --all`).
 */
export const UBUNTU_2404: VmImage = { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: '24.04.202508010' };

/** Properties of {@link EdgeVm}. */
export interface EdgeVmProps {
  /** VM name (also the computer name prefix): 1-64 letters, digits and `-`. */
  readonly name: string;
  /** Resource group. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;
  /** Edge subnet id. */
  readonly subnetId: string;
  /** Name of the NSG on the edge subnet; the edge rules are added to it. */
  readonly networkSecurityGroupName: string;
  /** Public IP name. */
  readonly publicIpName: string;
  /**
   * DNS label of the public IP (`<label>.<region>.cloudapp.azure.com`), unique per region:
   * 3-63 lowercase letters, digits and `-`, starting with a letter.
   */
  readonly domainNameLabel: string;
  /**
   * OpenSSH public key of the admin user. Password login is always disabled.
   * @default - a locked placeholder key (see {@link lockedSshPublicKey}) and no SSH rule
   */
  readonly sshPublicKey?: string;
  /**
   * CIDRs allowed to SSH in. Never `*`/`0.0.0.0/0`/`Internet`.
   * @default - no SSH rule (port 22 closed)
   */
  readonly sshAllowedCidrs?: readonly string[];
  /** The cloud-init document (plain text; base64-encoded here). */
  readonly cloudInit: string;
  /**
   * VM size.
   * @default 'Standard_B2ats_v2'
   */
  readonly size?: string;
  /**
   * Admin user name.
   * @default 'cvatops'
   */
  readonly adminUsername?: string;
  /**
   * Marketplace image.
   * @default UBUNTU_2404
   */
  readonly image?: VmImage;
  /**
   * First NSG rule priority; the rules take this and the next two multiples of 10.
   * @default 100
   */
  readonly rulePriorityBase?: number;
  /**
   * Trusted Launch: Secure Boot and a virtual TPM (`secure_boot_enabled`, `vtpm_enabled`; both force a new VM in
   * hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/compute/linux_virtual_machine_resource.go). Needs a
   * Generation 2 image and a size that supports it (the default B2ats_v2 does: Basv2 is on the list at
   * https://learn.microsoft.com/azure/virtual-machines/trusted-launch#virtual-machines-sizes).
   * @default true
   */
  readonly trustedLaunch?: boolean;
}

/**
 * A syntactically valid `ssh-ed25519` public key whose 32 key bytes are a SHA-256 hash of a fixed
 * phrase and `seed`: nobody holds a matching private key, so it locks the account. Azure requires
 * an SSH key (or a password) on every Linux VM; this stands in when the configuration has none.
 * Deterministic, so synth output and the VM do not change between runs.
 */
export function lockedSshPublicKey(seed: string): string {
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const key = createHash('sha256').update(`cvat-cloud locked edge key|${seed}`).digest();
  return `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(key)]).toString('base64')} cvat-cloud-locked-no-login`;
}

/**
 * The public entry into the internal Container Apps environment: a small Linux VM with a static
 * public IP (DNS label from configuration) running Traefik, configured entirely by cloud-init from
 * this repository, plus the edge NSG rules: 80/443 from anywhere, 22 only from the admin CIDRs.
 *
 * SSH is key-only (`disable_password_authentication`), the NIC takes a dynamic private address
 * (nothing hard-coded), and nothing is downloaded at boot except the `docker.io` package and the
 * pinned Traefik image.
 *
 * @see https://learn.microsoft.com/azure/virtual-machines/linux/using-cloud-init
 * @see https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview
 */
export class EdgeVm extends Construct {
  /** The `azurerm_linux_virtual_machine`. */
  public readonly resource: LinuxVirtualMachine;
  /** The public IP. */
  public readonly publicIp: PublicIp;
  /** Admin user name. */
  public readonly adminUsername: string;

  constructor(scope: Construct, id: string, props: EdgeVmProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.name) && !/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?$/.test(props.name)) {
      throw new ValidationError(
        'NameInvalid',
        `'name' (${props.name}) must be 1-64 letters, digits and '-', not starting or ending with '-'`,
        this,
      );
    }
    if (!Token.isUnresolved(props.domainNameLabel) && !/^[a-z][a-z0-9-]{1,61}[a-z0-9]$/.test(props.domainNameLabel)) {
      throw new ValidationError(
        'DnsLabelInvalid',
        `'domainNameLabel' (${props.domainNameLabel}) must be 3-63 lowercase letters, digits and '-', starting with a letter and ending alphanumeric`,
        this,
      );
    }
    const sshPublicKey = props.sshPublicKey?.trim() || lockedSshPublicKey(props.name);
    const sshKeyProblem = checkSshPublicKey(sshPublicKey);
    if (sshKeyProblem) {
      throw new ValidationError('SshKeyInvalid', `'sshPublicKey' (${sshPublicKey.slice(0, 24)}...) ${sshKeyProblem}`, this);
    }
    this.adminUsername = props.adminUsername ?? 'cvatops';
    if (DISALLOWED_LINUX_ADMINS.includes(this.adminUsername.toLowerCase()) || !/^[a-z_][a-z0-9_-]{0,31}$/.test(this.adminUsername)) {
      throw new ValidationError(
        'AdminUserInvalid',
        `'adminUsername' (${this.adminUsername}) must be a lowercase Linux user name that Azure does not reserve`,
        this,
      );
    }
    // Without a key nobody can log in, so port 22 stays closed whatever the CIDRs say.
    const sshCidrs = props.sshPublicKey ? (props.sshAllowedCidrs ?? []) : [];
    for (const [i, cidr] of sshCidrs.entries()) {
      if (isAnywhere(cidr) || parseCidr(cidr.trim(), { allowHostBits: true, allowBareAddress: true })?.prefixLength === 0) {
        throw new ValidationError(
          'SshFromAnywhere',
          `'sshAllowedCidrs[${i}]' (${cidr}) would open SSH to the whole internet; list the operators' CIDRs`,
          this,
        );
      }
      if (!parseCidr(cidr.trim(), { allowHostBits: true, allowBareAddress: true })) {
        throw new ValidationError('CidrInvalid', `'sshAllowedCidrs[${i}]' (${cidr}) must be an IPv4 address or CIDR`, this);
      }
    }
    const base = props.rulePriorityBase ?? 100;
    if (!Number.isInteger(base) || base < 100 || base > 4076) {
      throw new ValidationError('PriorityOutOfRange', `'rulePriorityBase' (${base}) must be an integer between 100 and 4076`, this);
    }

    const rules = new Construct(this, 'Rules');
    const rule = (
      id: string,
      priority: number,
      port: string,
      sources: { sourceAddressPrefix?: string; sourceAddressPrefixes?: string[] },
    ) =>
      new NetworkSecurityRule(rules, id, {
        name: id,
        resourceGroupName: props.resourceGroupName,
        networkSecurityGroupName: props.networkSecurityGroupName,
        priority,
        direction: 'Inbound',
        access: 'Allow',
        protocol: 'Tcp',
        sourcePortRange: '*',
        destinationPortRange: port,
        destinationAddressPrefix: '*',
        ...sources,
      });
    rule('AllowHttpsInbound', base, '443', { sourceAddressPrefix: 'Internet' });
    rule('AllowHttpInbound', base + 10, '80', { sourceAddressPrefix: 'Internet' });
    if (sshCidrs.length) rule('AllowSshFromAdmins', base + 20, '22', { sourceAddressPrefixes: [...sshCidrs] });

    this.publicIp = new PublicIp(this, 'PublicIp', {
      name: props.publicIpName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      allocationMethod: 'Static',
      sku: 'Standard',
      domainNameLabel: props.domainNameLabel,
    });
    const nic = new NetworkInterface(this, 'Nic', {
      name: `${props.name}-nic`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      ipConfiguration: [
        {
          name: 'primary',
          primary: true,
          subnetId: props.subnetId,
          privateIpAddressAllocation: 'Dynamic',
          publicIpAddressId: this.publicIp.id,
        },
      ],
    });
    const image = props.image ?? UBUNTU_2404;
    if (image.version.trim().toLowerCase() === 'latest' || !/^[0-9][0-9.]*$/.test(image.version.trim())) {
      throw new ValidationError(
        'ImageVersionNotPinned',
        `'image.version' (${image.version}) must be a published version such as 24.04.202508010, not latest`,
        this,
      );
    }
    const trustedLaunch = props.trustedLaunch ?? true;
    this.resource = new LinuxVirtualMachine(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      size: props.size ?? 'Standard_B2ats_v2',
      adminUsername: this.adminUsername,
      disablePasswordAuthentication: true,
      adminSshKey: [{ username: this.adminUsername, publicKey: sshPublicKey }],
      networkInterfaceIds: [nic.id],
      osDisk: { caching: 'ReadWrite', storageAccountType: 'StandardSSD_LRS' },
      sourceImageReference: { ...image },
      // Through a local: the document holds quotes and cross-stack references, which a function
      // argument cannot carry but a local's string template can.
      customData: Fn.base64encode(new TerraformLocal(this, 'CloudInit', props.cloudInit).asString),
      provisionVmAgent: true,
      allowExtensionOperations: false,
      // Managed boot diagnostics (no storage account of ours): the serial console log and screenshot.
      bootDiagnostics: {},
      secureBootEnabled: trustedLaunch,
      vtpmEnabled: trustedLaunch,
    });
  }

  /** The public host name Azure assigns to the DNS label. */
  public get fqdn(): string {
    return this.publicIp.fqdn;
  }
}

import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { ContainerAppEnvironment } from '@cdktf/provider-azurerm/lib/container-app-environment';
import { ContainerAppEnvironmentStorage } from '@cdktf/provider-azurerm/lib/container-app-environment-storage';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsARecord } from '@cdktf/provider-azurerm/lib/private-dns-a-record';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import type { WorkloadProfile } from './app-spec';
import { ValidationError } from './validation-error';

/** Access mode of an environment storage. */
export enum StorageAccessMode {
  /** Apps may write. */
  READ_WRITE = 'ReadWrite',
  /** Apps may only read. */
  READ_ONLY = 'ReadOnly',
}

/**
 * A file share made available to the environment's apps.
 *
 * @see https://learn.microsoft.com/azure/container-apps/storage-mounts
 */
export class EnvironmentStorage {
  /**
   * An SMB share, mounted with the account key.
   * @param name environment storage name (1-32 lowercase letters, digits and `-`, starting with a letter)
   */
  public static smb(
    name: string,
    options: { accountName: string; accessKey: string; shareName: string; accessMode?: StorageAccessMode },
  ): EnvironmentStorage {
    return new EnvironmentStorage(
      name,
      'smb',
      options.shareName,
      options.accessMode ?? StorageAccessMode.READ_WRITE,
      options.accountName,
      options.accessKey,
      undefined,
    );
  }

  /**
   * An NFS share of a Premium FileStorage account (`share_name` becomes `/<account>/<share>`).
   * @param name environment storage name
   */
  public static nfs(name: string, options: { accountName: string; shareName: string; accessMode?: StorageAccessMode }): EnvironmentStorage {
    return new EnvironmentStorage(
      name,
      'nfs',
      `/${options.accountName}/${options.shareName}`,
      options.accessMode ?? StorageAccessMode.READ_WRITE,
      undefined,
      undefined,
      `${options.accountName}.file.core.windows.net`,
    );
  }

  private constructor(
    /** Environment storage name, referenced by app volumes. */
    public readonly name: string,
    /** Protocol. */
    public readonly protocol: 'smb' | 'nfs',
    /** Share name as the API wants it. */
    public readonly shareName: string,
    /** Access mode. */
    public readonly accessMode: StorageAccessMode,
    /** SMB account name. */
    public readonly accountName: string | undefined,
    /** SMB account key. */
    public readonly accessKey: string | undefined,
    /** NFS server host. */
    public readonly nfsServerUrl: string | undefined,
  ) {}
}

/** A dedicated workload profile of the environment. */
export interface DedicatedProfileSpec {
  /** The profile (from `WorkloadProfile.dedicated`). */
  readonly profile: WorkloadProfile;
  /**
   * Minimum nodes.
   * @default 1
   */
  readonly minimumCount?: number;
  /**
   * Maximum nodes.
   * @default 3
   */
  readonly maximumCount?: number;
}

/** Properties of {@link ContainerAppsEnvironment}. */
export interface ContainerAppsEnvironmentProps {
  /** Environment name: 2-60 letters, digits and `-`, not starting or ending with `-`. */
  readonly name: string;
  /** Resource group. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;
  /** Subnet delegated to `Microsoft.App/environments`, at least /27. */
  readonly infrastructureSubnetId: string;
  /** Log Analytics workspace receiving console and system logs. */
  readonly logAnalyticsWorkspaceId: string;
  /**
   * Name of the resource group Azure creates for the environment's infrastructure. Setting it
   * explicitly keeps it out of "known after apply" drift.
   * @default - Azure picks `ME_<name>_<rg>_<region>` and the plan shows it as unknown
   */
  readonly infrastructureResourceGroupName?: string;
  /**
   * Internal load balancer: apps are reachable only from the VNet (the edge VM). Cannot change after creation.
   * @default true
   */
  readonly internal?: boolean;
  /**
   * Dedicated workload profiles in addition to `Consumption` (which is always declared).
   * @default - Consumption only
   */
  readonly dedicatedProfiles?: readonly DedicatedProfileSpec[];
  /**
   * Environment storages.
   * @default - none
   */
  readonly storages?: readonly EnvironmentStorage[];
  /**
   * VNet to link a private DNS zone for the environment's default domain (wildcard record to the
   * internal load balancer), so VMs in the VNet reach apps as `<app>.<default domain>`.
   * @default - no zone
   */
  readonly privateDnsVirtualNetworkId?: string;
}

/**
 * A workload-profiles Container Apps environment with the `Consumption` profile declared explicitly,
 * an internal load balancer, logs sent to Log Analytics, and one environment storage per share.
 *
 * Declaring the profile (and the infrastructure resource group name) removes the drift the
 * reference project hid with `ignore_changes = [workload_profile, infrastructure_resource_group_name]`;
 * environment storages reference the environment directly, without `ignore_changes`, so a replaced
 * environment also replaces its storages.
 *
 * @see https://learn.microsoft.com/azure/container-apps/workload-profiles-overview
 * @see https://learn.microsoft.com/azure/container-apps/networking
 */
export class ContainerAppsEnvironment extends Construct {
  /** The `azurerm_container_app_environment`. */
  public readonly resource: ContainerAppEnvironment;
  /** Environment storages by name. */
  public readonly storages: Readonly<Record<string, ContainerAppEnvironmentStorage>>;
  /** Private DNS zone for the default domain, if requested. */
  public readonly dnsZone: PrivateDnsZone | undefined;

  constructor(scope: Construct, id: string, props: ContainerAppsEnvironmentProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.name) && !/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,58}[a-zA-Z0-9])$/.test(props.name)) {
      throw new ValidationError(
        'NameInvalid',
        `'name' (${props.name}) must be 2-60 letters, digits and '-', not starting or ending with '-'`,
        this,
      );
    }
    const internal = props.internal ?? true;
    for (const [i, d] of (props.dedicatedProfiles ?? []).entries()) {
      const min = d.minimumCount ?? 1;
      const max = d.maximumCount ?? 3;
      if (d.profile.isConsumption) {
        throw new ValidationError(
          'ProfileDuplicate',
          `'dedicatedProfiles[${i}]' (Consumption) is always declared; list dedicated profiles only`,
          this,
        );
      }
      if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < 1 || min > max) {
        throw new ValidationError(
          'ProfileCountInvalid',
          `'dedicatedProfiles[${i}]' (${min}-${max}) needs 0 <= minimumCount <= maximumCount and maximumCount >= 1`,
          this,
        );
      }
    }
    this.resource = new ContainerAppEnvironment(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      infrastructureSubnetId: props.infrastructureSubnetId,
      infrastructureResourceGroupName: props.infrastructureResourceGroupName,
      internalLoadBalancerEnabled: internal,
      publicNetworkAccess: internal ? 'Disabled' : 'Enabled',
      logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
      logsDestination: 'log-analytics',
      workloadProfile: [
        { name: 'Consumption', workloadProfileType: 'Consumption' },
        ...(props.dedicatedProfiles ?? []).map((d) => ({
          name: d.profile.name,
          workloadProfileType: d.profile.type,
          minimumCount: d.minimumCount ?? 1,
          maximumCount: d.maximumCount ?? 3,
        })),
      ],
    });

    const storages: Record<string, ContainerAppEnvironmentStorage> = {};
    const storageScope = new Construct(this, 'Storages');
    for (const [i, storage] of (props.storages ?? []).entries()) {
      if (!/^[a-z](?!.*--)[a-z0-9-]{0,31}$/.test(storage.name) || storage.name.length > 32) {
        throw new ValidationError(
          'StorageNameInvalid',
          `'storages[${i}].name' (${storage.name}) must be 1-32 lowercase letters, digits and '-', starting with a letter, without '--'`,
          this,
        );
      }
      if (storages[storage.name])
        throw new ValidationError('StorageDuplicate', `'storages[${i}].name' (${storage.name}) is declared twice`, this);
      storages[storage.name] = new ContainerAppEnvironmentStorage(storageScope, storage.name, {
        name: storage.name,
        containerAppEnvironmentId: this.resource.id,
        shareName: storage.shareName,
        accessMode: storage.accessMode,
        accountName: storage.accountName,
        accessKey: storage.accessKey,
        nfsServerUrl: storage.nfsServerUrl,
      });
    }
    this.storages = storages;

    if (props.privateDnsVirtualNetworkId) {
      this.dnsZone = new PrivateDnsZone(this, 'DnsZone', { name: this.resource.defaultDomain, resourceGroupName: props.resourceGroupName });
      new PrivateDnsARecord(this, 'DnsWildcard', {
        name: '*',
        zoneName: this.dnsZone.name,
        resourceGroupName: props.resourceGroupName,
        ttl: 300,
        records: [this.resource.staticIpAddress],
      });
      new PrivateDnsZoneVirtualNetworkLink(this, 'DnsZoneLink', {
        name: `${props.name}-dns-link`,
        resourceGroupName: props.resourceGroupName,
        privateDnsZoneName: this.dnsZone.name,
        virtualNetworkId: props.privateDnsVirtualNetworkId,
        registrationEnabled: false,
      });
    }
  }
}

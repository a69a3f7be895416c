import { describe, expect, it } from 'vitest';
import { ContainerAppEnvironment } from '@cdktf/provider-azurerm/lib/container-app-environment';
import { ContainerAppEnvironmentStorage } from '@cdktf/provider-azurerm/lib/container-app-environment-storage';
import { PrivateDnsARecord } from '@cdktf/provider-azurerm/lib/private-dns-a-record';
import {
  ContainerAppsEnvironment,
  EnvironmentStorage,
  StorageAccessMode,
  type ContainerAppsEnvironmentProps,
} from '../../src/constructs/container-apps-environment';
import { WorkloadProfile } from '../../src/constructs/app-spec';
import { onlyResource, resourcesOf, synthScope } from '../support/synth';

const base: ContainerAppsEnvironmentProps = {
  name: 'cvat-dev-cae',
  resourceGroupName: 'rg',
  location: 'westeurope',
  infrastructureSubnetId: 'apps-subnet-id',
  logAnalyticsWorkspaceId: 'law-id',
};
const env = (props: Partial<ContainerAppsEnvironmentProps> = {}) =>
  synthScope((scope) => new ContainerAppsEnvironment(scope, 'Environment', { ...base, ...props }));

describe('ContainerAppsEnvironment', () => {
  it('creates an internal workload-profiles environment with Consumption declared and logs to Log Analytics, when only required props are given', () => {
    const json = env();
    expect(json).toHaveResourceWithProperties(ContainerAppEnvironment, {
      name: 'cvat-dev-cae',
      infrastructure_subnet_id: 'apps-subnet-id',
      internal_load_balancer_enabled: true,
      public_network_access: 'Disabled',
      log_analytics_workspace_id: 'law-id',
      logs_destination: 'log-analytics',
      workload_profile: [{ name: 'Consumption', workload_profile_type: 'Consumption' }],
    });
    expect(resourcesOf(json, 'azurerm_private_dns_zone')).toEqual({});
    expect(json).toMatchSnapshot();
  });

  it('declares the profile and infrastructure resource group and sets no ignore_changes (reference failure #1: known-after-apply drift)', () => {
    const resource = onlyResource(
      env({
        infrastructureResourceGroupName: 'cvat-dev-cae-infra-rg',
        storages: [EnvironmentStorage.smb('cvat-data', { accountName: 'acct', accessKey: 'k', shareName: 'cvat-data' })],
      }),
      'azurerm_container_app_environment',
    );
    expect(resource.infrastructure_resource_group_name).toBe('cvat-dev-cae-infra-rg');
    expect(resource.lifecycle).toBeUndefined();
    const storage = onlyResource(
      env({ storages: [EnvironmentStorage.smb('cvat-data', { accountName: 'acct', accessKey: 'k', shareName: 'cvat-data' })] }),
      'azurerm_container_app_environment_storage',
    );
    expect(storage.lifecycle).toBeUndefined();
    expect(storage.container_app_environment_id).toMatch(/^\$\{azurerm_container_app_environment\..+\.id\}$/);
  });

  it('creates SMB and NFS storages, dedicated profiles and the wildcard private DNS zone, when all props are set', () => {
    const json = env({
      internal: false,
      dedicatedProfiles: [{ profile: WorkloadProfile.dedicated('D4', { cpuCores: 4, memoryGiB: 16 }), minimumCount: 0, maximumCount: 2 }],
      privateDnsVirtualNetworkId: 'vnet-id',
      storages: [
        EnvironmentStorage.smb('cvat-config', {
          accountName: 'acct',
          accessKey: '${key}',
          shareName: 'cvat-config',
          accessMode: StorageAccessMode.READ_ONLY,
        }),
        EnvironmentStorage.nfs('cvat-cache', { accountName: 'nfsacct', shareName: 'cvat-cache' }),
      ],
    });
    expect(onlyResource(json, 'azurerm_container_app_environment')).toMatchObject({
      internal_load_balancer_enabled: false,
      public_network_access: 'Enabled',
      workload_profile: [
        { name: 'Consumption', workload_profile_type: 'Consumption' },
        { name: 'D4', workload_profile_type: 'D4', minimum_count: 0, maximum_count: 2 },
      ],
    });
    expect(json).toHaveResourceWithProperties(ContainerAppEnvironmentStorage, {
      name: 'cvat-config',
      account_name: 'acct',
      access_key: '${key}',
      share_name: 'cvat-config',
      access_mode: 'ReadOnly',
    });
    expect(json).toHaveResourceWithProperties(ContainerAppEnvironmentStorage, {
      name: 'cvat-cache',
      nfs_server_url: 'nfsacct.file.core.windows.net',
      share_name: '/nfsacct/cvat-cache',
      access_mode: 'ReadWrite',
    });
    expect(json).toHaveResourceWithProperties(PrivateDnsARecord, { name: '*', ttl: 300 });
    const record = onlyResource(json, 'azurerm_private_dns_a_record');
    expect(record.records).toEqual([expect.stringMatching(/static_ip_address/)]);
    expect(onlyResource(json, 'azurerm_private_dns_zone').name).toMatch(/default_domain/);
  });

  it('throws error, when the name starts with a dash', () => {
    expect(() => env({ name: '-cae' })).toThrow("'name' (-cae) must be 2-60 letters, digits and '-'");
  });
  it('throws error, when a storage name is longer than 32 characters', () => {
    const name = 's'.repeat(33);
    expect(() => env({ storages: [EnvironmentStorage.smb(name, { accountName: 'a', accessKey: 'k', shareName: 'x' })] })).toThrow(
      `'storages[0].name' (${name}) must be 1-32 lowercase letters`,
    );
  });
  it('throws error, when a storage is declared twice', () => {
    const s = EnvironmentStorage.smb('data', { accountName: 'a', accessKey: 'k', shareName: 'x' });
    expect(() => env({ storages: [s, s] })).toThrow("'storages[1].name' (data) is declared twice");
  });
  it('throws error, when Consumption is listed as a dedicated profile', () => {
    expect(() => env({ dedicatedProfiles: [{ profile: WorkloadProfile.CONSUMPTION }] })).toThrow(
      "'dedicatedProfiles[0]' (Consumption) is always declared",
    );
  });
  it('throws error, when a dedicated profile minimum exceeds its maximum', () => {
    expect(() =>
      env({
        dedicatedProfiles: [{ profile: WorkloadProfile.dedicated('E4', { cpuCores: 4, memoryGiB: 32 }), minimumCount: 3, maximumCount: 2 }],
      }),
    ).toThrow("'dedicatedProfiles[0]' (3-2) needs 0 <= minimumCount <= maximumCount");
  });
});

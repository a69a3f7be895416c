import { ACA_LIMITS, type Catalogue, enabledComponents, type EnvironmentConfig } from '@cvat-cloud/catalogue';
import type { CostModel } from './estimate';

/**
 * OS disk price tier of the edge VM: the edge construct uses a `StandardSSD_LRS` OS disk of the image's
 * default size (30 GiB), which bills as an E4 (32 GiB Standard SSD).
 *
 * @see ../constructs/edge-vm.ts
 * @see https://azure.microsoft.com/pricing/details/managed-disks/
 */
export const EDGE_OS_DISK_TIER = 'E4';

/**
 * Reduces a resolved catalogue and its environment configuration to what the cost estimate prices:
 * every enabled container app and job with its per-replica CPU/memory and replica bounds, the shares
 * (the catalogue only keeps storages an enabled component mounts), PostgreSQL from `postgres`, the
 * edge VM and public IP when `edge.mode` is `vm`, Log Analytics and Key Vault (always deployed).
 *
 * @param catalogue the result of `resolveCatalogue(config)`
 * @param config the environment configuration
 */
export function costModelFromCatalogue(catalogue: Catalogue, config: EnvironmentConfig): CostModel {
  const components = enabledComponents(catalogue).map((c) => ({
    name: c.name,
    role: c.role,
    cpuCores: c.resources.cpuCores,
    memoryGiB: c.resources.memoryGiB,
    minReplicas: c.replicas.min,
    maxReplicas: c.replicas.max,
    workloadProfile: c.workloadProfile,
  }));
  const edgeVm = config.edge.mode === 'vm';
  return {
    label: `${config.name} (catalogue ${catalogue.cvatVersion}, ${config.location})`,
    components,
    storages: catalogue.storages.map((s) => ({ name: s.name, kind: s.kind, quotaGiB: s.quotaGiB })),
    postgres: { sku: config.postgres.skuName, storageGiB: config.postgres.storageGiB },
    edgeVm: edgeVm ? { size: config.edge.vmSize, osDisk: EDGE_OS_DISK_TIER } : undefined,
    publicIp: edgeVm,
    logAnalytics: true,
    keyVault: true,
    environmentFeeFeatures: [],
    dedicatedProfiles: ACA_LIMITS.dedicatedProfiles,
  };
}

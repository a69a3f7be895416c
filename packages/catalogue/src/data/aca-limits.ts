/**
 * Azure Container Apps limits used by the catalogue rules, in one place so that the JSDoc and the
 * checks cannot drift apart.
 *
 * Details: CPU/memory pairs of the Consumption profile run from 0.25 vCPU / 0.5 GiB to 4 vCPU /
 * 8 GiB in 0.25 vCPU steps, always 2 GiB per vCPU, and are checked as a sum over an app's
 * containers (one container per app here). azurerm limits `min_replicas` to 0-300 and
 * `max_replicas` to 1-300 (the portal limit; the CLI allows 1000, we follow azurerm). Probe ranges
 * are the validators of the pinned azurerm provider (v4.55.0), not the wider ranges of the ACA
 * API. The ephemeral storage budget per replica depends on the CPU allocation and is shared with
 * the container's writable filesystem.
 *
 * @see https://learn.microsoft.com/azure/container-apps/containers#allocations
 * @see https://learn.microsoft.com/azure/container-apps/quotas
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/container_app
 */
export const ACA_LIMITS = {
  /** Smallest Consumption CPU allocation, in vCPU. */
  consumptionCpuCoresMin: 0.25,
  /** Largest Consumption CPU allocation on a workload-profiles (v2) environment, in vCPU. */
  consumptionCpuCoresMax: 4,
  /** Consumption CPU steps, in vCPU. */
  consumptionCpuCoresStep: 0.25,
  /** Consumption memory per vCPU, in GiB: every valid pair has memoryGiB = 2 × cpuCores. */
  consumptionMemoryGiBPerCpuCore: 2,
  /** Dedicated workload-profile node sizes (vCPU and GiB per node); an app must fit on one node. */
  dedicatedProfiles: {
    D4: { cpuCores: 4, memoryGiB: 16 },
    D8: { cpuCores: 8, memoryGiB: 32 },
    D16: { cpuCores: 16, memoryGiB: 64 },
    D32: { cpuCores: 32, memoryGiB: 128 },
    E4: { cpuCores: 4, memoryGiB: 32 },
    E8: { cpuCores: 8, memoryGiB: 64 },
    E16: { cpuCores: 16, memoryGiB: 128 },
    E32: { cpuCores: 32, memoryGiB: 256 },
  },
  /** azurerm `min_replicas` range. */
  minReplicasMin: 0,
  minReplicasMax: 300,
  /** azurerm `max_replicas` range. */
  maxReplicasMin: 1,
  maxReplicasMax: 300,
  /** Container app, container app job and environment-storage names: at most 32 characters. */
  appNameMaxLength: 32,
  appNameMinLength: 2,
  storageNameMinLength: 3,
  storageNameMaxLength: 32,
  /** App secret names (azurerm 4.x): up to 253 characters. Key Vault secret names: up to 127. */
  secretNameMaxLength: 253,
  keyVaultSecretNameMaxLength: 127,
  /** TCP `exposed_port`: 1-65535 except 80 and 443. */
  portMin: 1,
  portMax: 65535,
  tcpExposedPortsReserved: [80, 443],
  /**
   * Probe ranges of the pinned provider: `ContainerAppLivenessProbeSchema`,
   * `ContainerAppReadinessProbeSchema` and `ContainerAppStartupProbeSchema` in
   * hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/containerapps/helpers/container_apps.go
   * validate `failure_count_threshold` 1-30 for all three kinds (readiness became 1-48 and startup
   * 1-240 only in v4.66.0), `initial_delay` 0-60, `interval_seconds` 1-240, `timeout` 1-240,
   * `port` 1-65535, readiness `success_count_threshold` 1-10 (not modelled: the provider default 3
   * applies), `transport` TCP | HTTP | HTTPS and a non-empty `header.name`; `path` is not validated
   * (an HTTP path must still start with "/"). `terraform validate` rejects anything outside them.
   */
  probeLivenessFailureThresholdMax: 30,
  probeReadinessFailureThresholdMax: 30,
  probeStartupFailureThresholdMax: 30,
  probeFailureThresholdMin: 1,
  probeInitialDelaySecondsMin: 0,
  probeInitialDelaySecondsMax: 60,
  probePeriodSecondsMin: 1,
  probePeriodSecondsMax: 240,
  probeTimeoutSecondsMin: 1,
  probeTimeoutSecondsMax: 240,
  /** `termination_grace_period_seconds` upper bound: a running RQ job longer than this is killed on scale-in. */
  terminationGracePeriodSecondsMax: 600,
  /**
   * Longest Container Apps Job `replicaTimeout` the catalogue uses, in seconds (24 h): an execution
   * still running then is stopped. azurerm v4.55.0 only requires at least 1
   * (container_app_job_resource.go `replica_timeout_in_seconds` IntAtLeast(1)) and the ARM schema
   * (`JobConfiguration.replicaTimeout`, "maximum number of seconds a replica is allowed to run")
   * states no maximum; 24 h is the bound infra's job construct enforces, unverified against Azure.
   */
  jobReplicaTimeoutSecondsMax: 86_400,
  /**
   * Ephemeral storage per replica by CPU allocation (GiB): ≤0.25 vCPU → 1, ≤0.5 → 2, ≤1 → 4,
   * above → 8. EmptyDir volumes and the writable container layer share it.
   */
  ephemeralStorageGiBByCpuCores: [
    { cpuCoresUpTo: 0.25, storageGiB: 1 },
    { cpuCoresUpTo: 0.5, storageGiB: 2 },
    { cpuCoresUpTo: 1, storageGiB: 4 },
    { cpuCoresUpTo: Number.POSITIVE_INFINITY, storageGiB: 8 },
  ],
  /** HTTP ingress request timeout, in seconds (not enforced; documented for uploads). */
  httpIngressRequestTimeoutSeconds: 240,
} as const;

/** Names of the dedicated workload-profile types the catalogue knows. */
export type DedicatedProfileType = keyof typeof ACA_LIMITS.dedicatedProfiles;

/**
 * Ephemeral storage available to one replica, in GiB, for a CPU allocation.
 *
 * @see https://learn.microsoft.com/azure/container-apps/storage-mounts#ephemeral-storage
 */
export function ephemeralStorageBudgetGiB(cpuCores: number): number {
  const row = ACA_LIMITS.ephemeralStorageGiBByCpuCores.find((r) => cpuCores <= r.cpuCoresUpTo);
  return row ? row.storageGiB : 8;
}

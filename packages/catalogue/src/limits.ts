/**
 * The CVAT release this catalogue describes.
 *
 * One version drives the image tag of `cvat/server` (the server, every worker and the `cvat-init`
 * job) and `cvat/ui`. Environments may pin another tag through `cvatVersion`; the rule
 * `cvatImagesShareVersion` keeps every CVAT image on that one tag, because workers and the server
 * must run the code whose migrations the init job applied.
 *
 * @default 'v2.73.0'
 * @see https://github.com/cvat-ai/cvat/releases/tag/v2.73.0
 */
export const CVAT_VERSION = 'v2.73.0';

/**
 * Azure Container Apps limits used by the catalogue rules, in one place so that the JSDoc and the
 * checks cannot drift apart (house-style rule 8).
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

/**
 * The RQ queues CVAT v2.73.0 defines, with their job timeouts in seconds (`RQ_QUEUES[...]
 * ["DEFAULT_TIMEOUT"]` of cvat-ai/cvat@v2.73.0 cvat/settings/base.py: import and export 4h,
 * annotation 24h, webhooks 25s, notifications 1h, quality_reports 1h, cleaning 2h, chunks 5m,
 * consensus 1h; `undefined` would mean unbounded) and whether the worker serving them starts
 * smokescreen (cvat-ai/cvat@v2.73.0 backend_entrypoint.d/cvat.conf: annotation, chunks, export,
 * import, webhooks).
 *
 * Each queue is a Redis list `rq:queue:<name>` in database 0 of the in-memory Redis
 * (`REDIS_INMEM_DATABASES.RQ`); KEDA `redis` scale rules key on those lists.
 *
 * @see https://github.com/cvat-ai/cvat/blob/v2.73.0/cvat/settings/base.py
 */
export const RQ_QUEUES: Readonly<Record<string, { timeoutSeconds: number | undefined; smokescreen: boolean; description: string }>> = {
  import: { timeoutSeconds: 4 * 3600, smokescreen: true, description: 'task data creation, annotation/dataset/backup import' },
  export: { timeoutSeconds: 4 * 3600, smokescreen: true, description: 'dataset/annotation/backup export and events export' },
  annotation: { timeoutSeconds: 24 * 3600, smokescreen: true, description: 'auto-annotation requests (needs Nuclio)' },
  webhooks: { timeoutSeconds: 25, smokescreen: true, description: 'webhook deliveries and redeliveries (RQ scheduler drives retries)' },
  notifications: { timeoutSeconds: 3600, smokescreen: false, description: 'notifications (no community-edition API action known)' },
  quality_reports: { timeoutSeconds: 3600, smokescreen: false, description: 'quality report computation' },
  cleaning: { timeoutSeconds: 2 * 3600, smokescreen: false, description: 'periodic cleanup jobs run by rqscheduler' },
  chunks: { timeoutSeconds: 5 * 60, smokescreen: true, description: 'on-demand chunk and preview preparation' },
  consensus: { timeoutSeconds: 3600, smokescreen: false, description: 'consensus merges' },
};

/** The Redis list key of an RQ queue, e.g. `rq:queue:import`. */
export function rqQueueKey(queue: string): string {
  return `rq:queue:${queue}`;
}

/**
 * `CVAT_NUM_PROXIES`: the number of HTTP proxies *in front of the server container* that append
 * the client address to `X-Forwarded-For`. It does **not** count the nginx inside the
 * cvat/server image: for `run server`, the v2.73 entrypoint adds that hop itself
 * (`account_for_internal_proxy`: `export CVAT_NUM_PROXIES=$((CVAT_NUM_PROXIES + 1))`), and
 * settings pass the result to DRF's `NUM_PROXIES`, which takes the client address (for
 * throttling) that many entries from the right of `X-Forwarded-For`
 * (`addrs[-min(NUM_PROXIES, len(addrs))]`). Upstream compose (`${CVAT_NUM_PROXIES:-1}`) and the
 * Helm chart (`cvat.backend.numProxies: 1`) set 1 for their single proxy (Traefik, the ingress).
 *
 * Details, on the path client → edge Traefik VM → environment ingress (Envoy) → [server container:
 * nginx → uvicorn]:
 * - the edge Traefik VM counts when it is deployed (it drops what clients send and appends the
 *   client address);
 * - the environment ingress counts only for **HTTP** ingress: HTTP ingress appends to
 *   `X-Forwarded-For`; TCP ingress (the catalogue's server ingress in both edge modes, so that the
 *   edge VM and VNet clients reach it as `cvat-server:8080`) forwards bytes and adds no header.
 *
 * So the default catalogue gives 1 with `edge.mode: vm` (as compose; DRF's effective 2 picks the
 * address Traefik saw, the real client) and 0 with `edge.mode: none` (effective 1: the address
 * the image's nginx saw, never a header a client wrote).
 *
 * @param edgeEnabled whether the edge VM is deployed
 * @param serverIngressTransport the server's ingress transport (`undefined`: no ingress)
 * @see cvat-ai/cvat@v2.73.0 backend_entrypoint.sh (`account_for_internal_proxy`, called by `cmd_run` for `server`)
 * @see cvat-ai/cvat@v2.73.0 cvat/settings/base.py (`REST_FRAMEWORK["NUM_PROXIES"]`)
 * @see cvat-ai/cvat@v2.73.0 cvat/nginx.conf (`X-Forwarded-For $proxy_add_x_forwarded_for`)
 * @see cvat-ai/cvat@v2.73.0 helm-chart/values.yaml (`cvat.backend.numProxies: 1`)
 * @see https://www.django-rest-framework.org/api-guide/settings/#num_proxies
 * @see https://learn.microsoft.com/azure/container-apps/ingress-overview#http-headers
 */
export function cvatNumProxies(edgeEnabled: boolean, serverIngressTransport: 'http' | 'tcp' | undefined): number {
  return (edgeEnabled ? 1 : 0) + (serverIngressTransport === 'http' ? 1 : 0);
}

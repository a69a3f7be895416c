import { ACA_LIMITS } from '@cvat-cloud/catalogue';

/**
 * Limits of Azure Container Apps (workload-profiles environment, Consumption profile) and of the
 * azurerm provider that the constructs validate eagerly, shaped for the constructs but taking every
 * number the catalogue also checks from the catalogue's `ACA_LIMITS`, so the catalogue rules, the
 * constructs and their JSDoc cannot drift apart.
 *
 * The azurerm provider checks almost none of these at plan time (it dropped the CPU validator in
 * 3.91.0), so a wrong value would otherwise only fail at apply time inside Azure.
 *
 * @see https://learn.microsoft.com/azure/container-apps/containers#allocations
 * @see https://learn.microsoft.com/azure/container-apps/quotas
 */
export const CONTAINER_APP_LIMITS = {
  /** Container app and job names: 2-32 characters, lowercase letters, digits and `-`, starting with a letter, ending alphanumeric, no `--`. */
  name: { minLength: ACA_LIMITS.appNameMinLength, maxLength: ACA_LIMITS.appNameMaxLength, pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/ },
  /** App secret names: lowercase alphanumerics and `-`, starting and ending alphanumeric, at most 253 characters. */
  secretName: { maxLength: ACA_LIMITS.secretNameMaxLength, pattern: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/ },
  /** Volume names: the same character set as secrets; dots and other characters break the deployment. */
  volumeName: { maxLength: 63, pattern: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/ },
  /** Consumption profile: CPU from 0.25 to 4 vCPU in 0.25 steps, memory always 2 GiB per vCPU. */
  cpuCores: { min: ACA_LIMITS.consumptionCpuCoresMin, max: ACA_LIMITS.consumptionCpuCoresMax, step: ACA_LIMITS.consumptionCpuCoresStep },
  /** GiB of memory per vCPU on the Consumption profile. */
  memoryGiBPerCpuCore: ACA_LIMITS.consumptionMemoryGiBPerCpuCore,
  /** azurerm bounds for `min_replicas`. */
  minReplicas: { min: ACA_LIMITS.minReplicasMin, max: ACA_LIMITS.minReplicasMax },
  /** azurerm bounds for `max_replicas`. */
  maxReplicas: { min: ACA_LIMITS.maxReplicasMin, max: ACA_LIMITS.maxReplicasMax },
  /** TCP `exposed_port`: 1-65535 except 80 and 443, which belong to HTTP ingress. */
  exposedPort: { min: ACA_LIMITS.portMin, max: ACA_LIMITS.portMax, reserved: ACA_LIMITS.tcpExposedPortsReserved as readonly number[] },
  /** Ports in general. */
  port: { min: ACA_LIMITS.portMin, max: ACA_LIMITS.portMax },
  /** Probe bounds enforced by the ACA API. */
  probe: {
    intervalSeconds: { min: ACA_LIMITS.probePeriodSecondsMin, max: ACA_LIMITS.probePeriodSecondsMax },
    timeoutSeconds: { min: ACA_LIMITS.probeTimeoutSecondsMin, max: ACA_LIMITS.probeTimeoutSecondsMax },
    initialDelaySeconds: { min: 0, max: ACA_LIMITS.probeInitialDelaySecondsMax },
    failureThreshold: {
      liveness: ACA_LIMITS.probeLivenessFailureThresholdMax,
      readiness: ACA_LIMITS.probeReadinessFailureThresholdMax,
      startup: ACA_LIMITS.probeStartupFailureThresholdMax,
    },
  },
  /** `termination_grace_period_seconds` upper bound. */
  terminationGracePeriodSecondsMax: ACA_LIMITS.terminationGracePeriodSecondsMax,
  /**
   * Scale rule names (azurerm v4.55.0 `validate.LowerCaseAlphaNumericWithHyphensAndPeriods`, used by
   * helpers/container_apps.go `CustomScaleRuleSchema` for apps and jobs).
   */
  scaleRuleName: /^[a-z0-9][a-z0-9-.]*[a-z0-9]$/,
  /** Job replica timeout, seconds. */
  jobReplicaTimeoutSeconds: { min: 1, max: 86_400 },
} as const;

/**
 * Whether a CPU/memory pair is one of the fixed Consumption-profile allocations
 * (0.25 vCPU/0.5 GiB ... 4 vCPU/8 GiB).
 *
 * @see https://learn.microsoft.com/azure/container-apps/containers#allocations
 */
export function isConsumptionAllocation(cpuCores: number, memoryGiB: number): boolean {
  const { min, max, step } = CONTAINER_APP_LIMITS.cpuCores;
  if (cpuCores < min || cpuCores > max) return false;
  if (Math.abs(cpuCores / step - Math.round(cpuCores / step)) > 1e-9) return false;
  return Math.abs(memoryGiB - cpuCores * CONTAINER_APP_LIMITS.memoryGiBPerCpuCore) < 1e-9;
}

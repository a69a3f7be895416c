import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { ContainerAppJob, type ContainerAppJobTemplateContainer } from '@cdktf/provider-azurerm/lib/container-app-job';
import { CONTAINER_APP_LIMITS } from './aca-limits';
import { WorkloadProfile } from './app-spec';
import { renderContainer, validateAppName, type ContainerSpecProps } from './_container';
import { ValidationError } from './validation-error';

/** Properties of {@link MigrationJob}. */
export interface MigrationJobProps extends ContainerSpecProps {
  /** Job name: 2-32 lowercase letters, digits and `-`. */
  readonly name: string;
  /** Resource group of the job. */
  readonly resourceGroupName: string;
  /** Azure region (jobs, unlike apps, take a location). */
  readonly location: string;
  /** Resource id of the Container Apps environment. */
  readonly environmentId: string;
  /** Resource id of the user-assigned identity used for Key Vault references. */
  readonly identityId: string;
  /**
   * Seconds a run may take before it is stopped (1-86400).
   * @default 3600
   */
  readonly replicaTimeoutSeconds?: number;
  /**
   * Retries of a failed run (the CVAT migrations are idempotent).
   * @default 1
   */
  readonly replicaRetryLimit?: number;
  /**
   * Replicas started per run.
   * @default 1
   */
  readonly parallelism?: number;
  /**
   * Resources that must exist first.
   * @default - none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Tags.
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A manually triggered Container Apps Job that runs one container to completion: CVAT's `init`
 * (migrate, migrateredis, syncperiodicjobs, ClickHouse init) as a one-shot job instead of an init
 * step racing on every server replica.
 *
 * The operator (or the deploy command) starts it after each image change; nothing runs on apply.
 * The azurerm resource is the child `Resource`.
 *
 * @see https://learn.microsoft.com/azure/container-apps/jobs
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/container_app_job
 */
export class MigrationJob extends Construct {
  /** The underlying `azurerm_container_app_job` (escape hatch). */
  public readonly resource: ContainerAppJob;
  /** Resolved replica timeout in seconds. */
  public readonly replicaTimeoutSeconds: number;

  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);
    validateAppName(this, props.name);
    this.replicaTimeoutSeconds = props.replicaTimeoutSeconds ?? 3600;
    const { min, max } = CONTAINER_APP_LIMITS.jobReplicaTimeoutSeconds;
    if (!Number.isInteger(this.replicaTimeoutSeconds) || this.replicaTimeoutSeconds < min || this.replicaTimeoutSeconds > max) {
      throw new ValidationError('TimeoutOutOfRange', `'replicaTimeoutSeconds' (${this.replicaTimeoutSeconds}) must be an integer between ${min} and ${max}`, this);
    }
    const retries = props.replicaRetryLimit ?? 1;
    if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
      throw new ValidationError('RetryLimitOutOfRange', `'replicaRetryLimit' (${retries}) must be an integer between 0 and 10`, this);
    }
    const parallelism = props.parallelism ?? 1;
    if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 100) {
      throw new ValidationError('ParallelismOutOfRange', `'parallelism' (${parallelism}) must be an integer between 1 and 100`, this);
    }
    const rendered = renderContainer(this, props.name, props);
    this.resource = new ContainerAppJob(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      containerAppEnvironmentId: props.environmentId,
      workloadProfileName: (props.workloadProfile ?? WorkloadProfile.CONSUMPTION).name,
      replicaTimeoutInSeconds: this.replicaTimeoutSeconds,
      replicaRetryLimit: retries,
      manualTriggerConfig: { parallelism, replicaCompletionCount: parallelism },
      identity: { type: 'UserAssigned', identityIds: [props.identityId] },
      secret: rendered.secrets.length ? rendered.secrets : undefined,
      template: {
        container: [rendered.container as ContainerAppJobTemplateContainer],
        volume: rendered.volumes.length ? rendered.volumes : undefined,
      },
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
      tags: props.tags ? { ...props.tags } : undefined,
    });
  }
}

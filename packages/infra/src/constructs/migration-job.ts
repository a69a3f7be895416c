import { Construct } from 'constructs';
import { ContainerAppJob, type ContainerAppJobTemplateContainer } from '@cdktf/provider-azurerm/lib/container-app-job';
import { CONTAINER_APP_LIMITS } from './aca-limits';
import { renderContainerResource, validateAppName, validateIntegerRange, type ContainerResourceProps } from './_container';

/** Properties of {@link MigrationJob}. */
export interface MigrationJobProps extends ContainerResourceProps {
  /** Job name: 2-32 lowercase letters, digits and `-`. */
  readonly name: string;
  /** Azure region (jobs, unlike apps, take a location). */
  readonly location: string;
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
   * Successful replicas that complete a run.
   * @default - parallelism
   */
  readonly replicaCompletionCount?: number;
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
    validateIntegerRange(this, 'TimeoutOutOfRange', 'replicaTimeoutSeconds', this.replicaTimeoutSeconds, min, max);
    const retries = props.replicaRetryLimit ?? 1;
    validateIntegerRange(this, 'RetryLimitOutOfRange', 'replicaRetryLimit', retries, 0, 10);
    const parallelism = props.parallelism ?? 1;
    validateIntegerRange(this, 'ParallelismOutOfRange', 'parallelism', parallelism, 1, 100);
    const completions = props.replicaCompletionCount ?? parallelism;
    validateIntegerRange(this, 'CompletionCountOutOfRange', 'replicaCompletionCount', completions, 1, 100);
    const shared = renderContainerResource(this, props.name, props.name, props);
    this.resource = new ContainerAppJob(this, 'Resource', {
      ...shared.resource,
      location: props.location,
      replicaTimeoutInSeconds: this.replicaTimeoutSeconds,
      replicaRetryLimit: retries,
      manualTriggerConfig: { parallelism, replicaCompletionCount: completions },
      template: { ...shared.template, container: shared.template.container as ContainerAppJobTemplateContainer[] },
    });
  }
}

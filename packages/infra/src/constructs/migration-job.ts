import { Construct } from 'constructs';
import { ContainerAppJob, type ContainerAppJobTemplateContainer } from '@cdktf/provider-azurerm/lib/container-app-job';
import { CONTAINER_APP_LIMITS } from './aca-limits';
import { type ScaleRule, ScaleRuleKind } from './app-spec';
import { renderContainerResource, validateAppName, validateIntegerRange, type ContainerResourceProps } from './_container';
import { ValidationError } from './validation-error';

/** The run limits every Container Apps Job takes, as props give them. */
interface JobRunLimitProps {
  readonly replicaTimeoutSeconds?: number;
  readonly replicaRetryLimit?: number;
  readonly parallelism?: number;
  readonly replicaCompletionCount?: number;
}

/**
 * Resolves and validates a job's run limits (replica timeout within `CONTAINER_APP_LIMITS.jobReplicaTimeoutSeconds`,
 * 0-10 retries, 1-100 replicas per run and completions, completions defaulting to parallelism), each refused with the
 * field, the value and the range.
 */
function jobRunLimits(
  scope: Construct,
  props: JobRunLimitProps,
  defaults: { readonly timeoutSeconds: number; readonly retries: number },
): { timeoutSeconds: number; retries: number; parallelism: number; completions: number } {
  const timeoutSeconds = props.replicaTimeoutSeconds ?? defaults.timeoutSeconds;
  const { min, max } = CONTAINER_APP_LIMITS.jobReplicaTimeoutSeconds;
  validateIntegerRange(scope, 'TimeoutOutOfRange', 'replicaTimeoutSeconds', timeoutSeconds, min, max);
  const retries = props.replicaRetryLimit ?? defaults.retries;
  validateIntegerRange(scope, 'RetryLimitOutOfRange', 'replicaRetryLimit', retries, 0, 10);
  const parallelism = props.parallelism ?? 1;
  validateIntegerRange(scope, 'ParallelismOutOfRange', 'parallelism', parallelism, 1, 100);
  const completions = props.replicaCompletionCount ?? parallelism;
  validateIntegerRange(scope, 'CompletionCountOutOfRange', 'replicaCompletionCount', completions, 1, 100);
  return { timeoutSeconds, retries, parallelism, completions };
}

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
    const { timeoutSeconds, retries, parallelism, completions } = jobRunLimits(this, props, { timeoutSeconds: 3600, retries: 1 });
    this.replicaTimeoutSeconds = timeoutSeconds;
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

/** Properties of {@link QueueJob}. */
export interface QueueJobProps extends ContainerResourceProps {
  /** Job name: 2-32 lowercase letters, digits and `-`. */
  readonly name: string;
  /** Azure region (jobs, unlike apps, take a location). */
  readonly location: string;
  /**
   * Seconds an execution may run before the platform stops it (1-86400). Size it so an execution ends by
   * itself first (the catalogue's burst workers take at most as many jobs as fit).
   */
  readonly replicaTimeoutSeconds: number;
  /**
   * Retries of a failed execution.
   * @default 0
   */
  readonly replicaRetryLimit?: number;
  /**
   * Replicas started per execution.
   * @default 1
   */
  readonly parallelism?: number;
  /**
   * Successful replicas that complete an execution.
   * @default - parallelism
   */
  readonly replicaCompletionCount?: number;
  /**
   * Executions started per polling interval without events (0 = nothing runs while the queue is empty).
   * @default 0
   */
  readonly minExecutions?: number;
  /** Most executions running at once (1-1000). */
  readonly maxExecutions: number;
  /**
   * Seconds between two polls of the scale rules (1-3600): the longest wait before a queued job gets an execution.
   * @default 30
   */
  readonly pollingIntervalSeconds?: number;
  /** KEDA rules that start executions; custom rules only (`ScaleRule.custom`, e.g. `redis` on `rq:queue:<queue>`). */
  readonly scaleRules: readonly ScaleRule[];
}

/**
 * An event-driven Container Apps Job: KEDA polls its scale rules (the `redis` list scaler on an RQ
 * queue) and starts executions while events are pending; each execution runs one container to
 * completion. Nothing runs (or is billed) while the queue is empty, and an execution is never scaled
 * in: it ends when its process exits or at the replica timeout.
 *
 * Rendered as `azurerm_container_app_job` with `event_trigger_config { scale { rules { ... } } }`
 * (hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/containerapps/container_app_job_resource.go,
 * helpers/container_app_job.go `ContainerAppsJobsScaleSchema`: `max_executions` default 100,
 * `min_executions` default 0, `polling_interval_in_seconds` default 30, `rules` = `CustomScaleRuleSchema`).
 * The azurerm resource is the child `Resource`.
 *
 * @see https://learn.microsoft.com/azure/container-apps/jobs#event-driven-jobs
 */
export class QueueJob extends Construct {
  /** The underlying `azurerm_container_app_job` (escape hatch). */
  public readonly resource: ContainerAppJob;

  constructor(scope: Construct, id: string, props: QueueJobProps) {
    super(scope, id);
    validateAppName(this, props.name);
    const { retries, parallelism, completions } = jobRunLimits(this, props, { timeoutSeconds: props.replicaTimeoutSeconds, retries: 0 });
    const minExecutions = props.minExecutions ?? 0;
    validateIntegerRange(this, 'MinExecutionsOutOfRange', 'minExecutions', minExecutions, 0, props.maxExecutions);
    validateIntegerRange(this, 'MaxExecutionsOutOfRange', 'maxExecutions', props.maxExecutions, 1, 1000);
    const polling = props.pollingIntervalSeconds ?? 30;
    validateIntegerRange(this, 'PollingIntervalOutOfRange', 'pollingIntervalSeconds', polling, 1, 3600);
    if (props.scaleRules.length === 0) {
      throw new ValidationError(
        'ScaleRuleMissing',
        `'scaleRules' ([]) must name at least one rule: an event job starts only from its rules`,
        this,
      );
    }
    const secretNames = new Set((props.secrets ?? []).map((s) => s.name));
    const seen = new Set<string>();
    for (const [i, rule] of props.scaleRules.entries()) {
      if (rule.kind !== ScaleRuleKind.CUSTOM || !rule.customType) {
        throw new ValidationError(
          'ScaleRuleKindUnsupported',
          `'scaleRules[${i}].kind' (${rule.kind}) must be custom: jobs take custom rules only`,
          this,
        );
      }
      if (!CONTAINER_APP_LIMITS.scaleRuleName.test(rule.name)) {
        throw new ValidationError(
          'ScaleRuleNameInvalid',
          `'scaleRules[${i}].name' (${rule.name}) must be lowercase letters, digits, '-' and '.', starting and ending alphanumeric`,
          this,
        );
      }
      if (seen.has(rule.name))
        throw new ValidationError('ScaleRuleDuplicate', `'scaleRules[${i}].name' (${rule.name}) is declared twice`, this);
      seen.add(rule.name);
      for (const [j, auth] of rule.auth.entries()) {
        if (!secretNames.has(auth.secretName)) {
          throw new ValidationError(
            'ScaleRuleSecretUnknown',
            `'scaleRules[${i}].auth[${j}].secretName' (${auth.secretName}) must name one of the job's secrets ` +
              `(${[...secretNames].join(', ') || 'none declared'})`,
            this,
          );
        }
      }
    }
    const shared = renderContainerResource(this, props.name, props.name, props);
    this.resource = new ContainerAppJob(this, 'Resource', {
      ...shared.resource,
      location: props.location,
      replicaTimeoutInSeconds: props.replicaTimeoutSeconds,
      replicaRetryLimit: retries,
      eventTriggerConfig: {
        parallelism,
        replicaCompletionCount: completions,
        scale: [
          {
            // 0 is the provider's default, which it does not send (helpers/container_app_job.go ExpandContainerAppJobScale).
            ...(minExecutions !== 0 ? { minExecutions } : {}),
            maxExecutions: props.maxExecutions,
            pollingIntervalInSeconds: polling,
            rules: props.scaleRules.map((r) => ({
              name: r.name,
              customRuleType: r.customType as string,
              metadata: { ...r.metadata },
              ...(r.auth.length
                ? { authentication: r.auth.map((a) => ({ secretName: a.secretName, triggerParameter: a.triggerParameter })) }
                : {}),
            })),
          },
        ],
      },
      template: { ...shared.template, container: shared.template.container as ContainerAppJobTemplateContainer[] },
    });
  }
}

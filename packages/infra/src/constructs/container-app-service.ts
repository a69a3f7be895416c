import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { ContainerApp } from '@cdktf/provider-azurerm/lib/container-app';
import { CONTAINER_APP_LIMITS } from './aca-limits';
import { type Ingress, IngressTransport, type ScaleRule, ScaleRuleKind } from './app-spec';
import { renderContainerResource, validateAppName, validateIntegerRange, validatePort, type ContainerResourceProps } from './_container';
import { ValidationError } from './validation-error';

function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length ? items : undefined;
}

/** Revision mode of a container app. */
export enum RevisionMode {
  /** One active revision; a new one replaces it once healthy (recommended with event scale rules). */
  SINGLE = 'Single',
  /** Several active revisions with traffic weights. */
  MULTIPLE = 'Multiple',
}

/** Properties of {@link ContainerAppService}. */
export interface ContainerAppServiceProps extends ContainerResourceProps {
  /**
   * App name: 2-32 lowercase letters, digits and `-`. It is also the host name other apps in the
   * environment use (`http://opa:8181`), so it must match what CVAT expects.
   */
  readonly name: string;
  /**
   * Name of the single container.
   * @default - the app name
   */
  readonly containerName?: string;
  /**
   * Minimum replicas (0-300). azurerm defaults to 0, which puts a worker without ingress and
   * without a scale rule to sleep for ever; this construct defaults to 1.
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Maximum replicas (1-300).
   * @default - minReplicas, or 1 when minReplicas is 0
   */
  readonly maxReplicas?: number;
  /**
   * Ingress.
   * @default - no ingress (workers)
   */
  readonly ingress?: Ingress;
  /**
   * KEDA scale rules.
   * @default - none
   */
  readonly scaleRules?: readonly ScaleRule[];
  /**
   * Revision mode.
   * @default RevisionMode.SINGLE
   */
  readonly revisionMode?: RevisionMode;
  /**
   * Seconds a replica gets after SIGTERM before it is killed (0-600).
   * @default - the platform default (30)
   */
  readonly terminationGracePeriodSeconds?: number;
}

/**
 * One long-running Azure Container App with a single container, Key Vault secrets through a
 * user-assigned identity, volumes, probes, optional ingress and KEDA scale rules.
 *
 * Every value is validated when the construct is created (name rules, Consumption CPU/memory pairs,
 * replica bounds, ports, probe ranges, that env secrets and mounts refer to declared secrets and
 * volumes), so a wrong catalogue entry fails at synth, not half-way through an apply.
 *
 * The azurerm resource is the child `Resource` and is exposed as {@link ContainerAppService.resource}.
 *
 * @see https://learn.microsoft.com/azure/container-apps/containers
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/container_app
 */
export class ContainerAppService extends Construct {
  /** The underlying `azurerm_container_app` (escape hatch). */
  public readonly resource: ContainerApp;
  /** App name, also its host name inside the environment. */
  public readonly appName: string;
  /** Resolved minimum replicas. */
  public readonly minReplicas: number;
  /** Resolved maximum replicas. */
  public readonly maxReplicas: number;
  /** Ingress, if any. */
  public readonly ingress: Ingress | undefined;

  constructor(scope: Construct, id: string, props: ContainerAppServiceProps) {
    super(scope, id);
    validateAppName(this, props.name);
    this.appName = props.name;
    this.ingress = props.ingress;
    this.minReplicas = props.minReplicas ?? 1;
    this.maxReplicas = props.maxReplicas ?? Math.max(this.minReplicas, 1);

    const { minReplicas: minLimit, maxReplicas: maxLimit } = CONTAINER_APP_LIMITS;
    validateIntegerRange(this, 'ReplicasOutOfRange', 'minReplicas', this.minReplicas, minLimit.min, minLimit.max);
    validateIntegerRange(this, 'ReplicasOutOfRange', 'maxReplicas', this.maxReplicas, maxLimit.min, maxLimit.max);
    if (this.minReplicas > this.maxReplicas) {
      throw new ValidationError(
        'ReplicasInverted',
        `'minReplicas' (${this.minReplicas}) must be less than or equal to 'maxReplicas' (${this.maxReplicas})`,
        this,
      );
    }
    const scaleRules = props.scaleRules ?? [];
    if (this.minReplicas === 0 && !props.ingress && scaleRules.length === 0) {
      throw new ValidationError(
        'NeverWakes',
        `'minReplicas' (0) with no ingress and no scale rule scales to zero and never wakes up; set minReplicas >= 1 or add a scale rule`,
        this,
      );
    }

    if (props.ingress) {
      validatePort(this, 'ingress.targetPort', props.ingress.targetPort);
      if (props.ingress.transport === IngressTransport.TCP) {
        const exposed = props.ingress.exposedPort as number;
        const { min, max, reserved } = CONTAINER_APP_LIMITS.exposedPort;
        if (!Number.isInteger(exposed) || exposed < min || exposed > max || reserved.includes(exposed)) {
          throw new ValidationError(
            'ExposedPortInvalid',
            `'ingress.exposedPort' (${exposed}) must be between ${min} and ${max} and not ${reserved.join(' or ')}`,
            this,
          );
        }
      }
    }

    const grace = props.terminationGracePeriodSeconds;
    const graceMax = CONTAINER_APP_LIMITS.terminationGracePeriodSecondsMax;
    if (grace !== undefined) validateIntegerRange(this, 'GracePeriodOutOfRange', 'terminationGracePeriodSeconds', grace, 0, graceMax);
    const shared = renderContainerResource(this, props.name, props.containerName ?? props.name, props);
    const secretNames = new Set((props.secrets ?? []).map((s) => s.name));
    const ruleNames = new Set<string>();
    for (const [i, rule] of scaleRules.entries()) {
      if (!CONTAINER_APP_LIMITS.scaleRuleName.test(rule.name)) {
        throw new ValidationError(
          'ScaleRuleNameInvalid',
          `'scaleRules[${i}].name' (${rule.name}) must be lowercase letters, digits, '-' and '.', starting and ending alphanumeric`,
          this,
        );
      }
      if (ruleNames.has(rule.name)) {
        throw new ValidationError('ScaleRuleDuplicate', `'scaleRules[${i}].name' (${rule.name}) is declared twice`, this);
      }
      ruleNames.add(rule.name);
      for (const [j, auth] of rule.auth.entries()) {
        if (!secretNames.has(auth.secretName)) {
          throw new ValidationError(
            'UnknownSecret',
            `'scaleRules[${i}].auth[${j}].secretName' (${auth.secretName}) must name one of the app's secrets ` +
              `(${[...secretNames].join(', ') || 'none declared'})`,
            this,
          );
        }
      }
    }
    const byKind = (kind: ScaleRuleKind) => scaleRules.filter((r) => r.kind === kind);
    const auth = (rule: ScaleRule) => rule.auth.map((a) => ({ secretName: a.secretName, triggerParameter: a.triggerParameter }));

    this.resource = new ContainerApp(this, 'Resource', {
      ...shared.resource,
      revisionMode: props.revisionMode ?? RevisionMode.SINGLE,
      ingress: props.ingress
        ? {
            transport: props.ingress.transport,
            targetPort: props.ingress.targetPort,
            exposedPort: props.ingress.exposedPort,
            externalEnabled: props.ingress.external,
            allowInsecureConnections: false,
            trafficWeight: [{ latestRevision: true, percentage: 100 }],
          }
        : undefined,
      template: {
        minReplicas: this.minReplicas,
        maxReplicas: this.maxReplicas,
        terminationGracePeriodSeconds: grace,
        ...shared.template,
        customScaleRule: nonEmpty(
          byKind(ScaleRuleKind.CUSTOM).map((r) => ({
            name: r.name,
            customRuleType: r.customType as string,
            metadata: { ...r.metadata },
            authentication: r.auth.length ? auth(r) : undefined,
          })),
        ),
        httpScaleRule: nonEmpty(
          byKind(ScaleRuleKind.HTTP).map((r) => ({
            name: r.name,
            concurrentRequests: r.metadata.concurrentRequests,
            authentication: r.auth.length ? auth(r) : undefined,
          })),
        ),
        tcpScaleRule: nonEmpty(
          byKind(ScaleRuleKind.TCP).map((r) => ({
            name: r.name,
            concurrentRequests: r.metadata.concurrentRequests,
            authentication: r.auth.length ? auth(r) : undefined,
          })),
        ),
      },
    });
  }

  /** `host:port` other apps in the environment use to reach this app, or undefined without ingress. */
  public get internalAddress(): string | undefined {
    if (!this.ingress || Token.isUnresolved(this.appName)) return undefined;
    return `${this.appName}:${this.ingress.servicePort}`;
  }
}

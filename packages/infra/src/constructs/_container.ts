/**
 * @internal Shared by ContainerAppService and MigrationJob: validates one container's spec and renders
 * the azurerm `container`, `volume` and `secret` blocks and the arguments every app and job carries
 * (environment, workload profile, identity, dependencies, tags). Not exported from the package barrel.
 */
import type { IConstruct } from 'constructs';
import { Token, type ITerraformDependable } from 'cdktf';
import type {
  ContainerAppSecret,
  ContainerAppTemplateContainer,
  ContainerAppTemplateVolume,
} from '@cdktf/provider-azurerm/lib/container-app';
import { CONTAINER_APP_LIMITS, isConsumptionAllocation } from './aca-limits';
import {
  type AppSecret,
  type EnvVar,
  type Probe,
  ProbeTransport,
  type Volume,
  type VolumeMount,
  VolumeStorageType,
  WorkloadProfile,
  type ContainerProbes,
} from './app-spec';
import { ValidationError } from './validation-error';

/** The container part shared by apps and jobs. */
export interface ContainerSpecProps {
  /** Image reference `registry/repository:tag` (or `@sha256:` digest). */
  readonly image: string;
  /**
   * Overrides the image ENTRYPOINT.
   * @default - the image entrypoint
   */
  readonly command?: readonly string[];
  /**
   * Overrides the image CMD.
   * @default - the image command
   */
  readonly args?: readonly string[];
  /**
   * Environment variables, in this order.
   * @default - none
   */
  readonly env?: readonly EnvVar[];
  /**
   * App secrets (Key Vault references) that `env` and scale rules may use.
   * @default - none
   */
  readonly secrets?: readonly AppSecret[];
  /**
   * Volumes of the replica.
   * @default - none
   */
  readonly volumes?: readonly Volume[];
  /**
   * Where volumes are mounted in the container.
   * @default - none
   */
  readonly mounts?: readonly VolumeMount[];
  /**
   * vCPU per replica: 0.25-4 in 0.25 steps on the Consumption profile.
   * @default 0.5
   */
  readonly cpuCores?: number;
  /**
   * Memory per replica in GiB: exactly 2 x cpuCores on the Consumption profile.
   * @default 1
   */
  readonly memoryGiB?: number;
  /**
   * Workload profile; on `Consumption` CPU and memory must be one of the fixed pairs, on a dedicated
   * profile they must fit on one node.
   * @default WorkloadProfile.CONSUMPTION
   */
  readonly workloadProfile?: WorkloadProfile;
  /**
   * Health probes.
   * @default - none (the policy checks require at least one per container app)
   */
  readonly probes?: ContainerProbes;
}

/** What a container app and a container apps job share besides their container and name. */
export interface ContainerResourceProps extends ContainerSpecProps {
  /** Resource group of the app or job. */
  readonly resourceGroupName: string;
  /** Resource id of the Container Apps environment. */
  readonly environmentId: string;
  /**
   * Resource id of the user-assigned identity used for Key Vault references.
   * @default - no identity (the app reads no Key Vault secret)
   */
  readonly identityId?: string;
  /**
   * Resources that must exist first (e.g. the app this one calls at start-up).
   * @default - none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Tags.
   * @default - none (the tagging aspect adds the standard ones)
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** @internal */
export interface RenderedContainer {
  readonly container: ContainerAppTemplateContainer;
  readonly volumes: ContainerAppTemplateVolume[];
  readonly secrets: ContainerAppSecret[];
}

function inRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/**
 * @internal Validates an integer field against its inclusive range, throwing
 * `'<field>' (<value>) must be an integer between <min> and <max>` with the given code.
 */
export function validateIntegerRange(scope: IConstruct, code: string, field: string, value: number, min: number, max: number): void {
  if (!inRange(value, min, max)) {
    throw new ValidationError(code, `'${field}' (${value}) must be an integer between ${min} and ${max}`, scope);
  }
}

/** @internal Validates a container app or job name. */
export function validateAppName(scope: IConstruct, name: string): void {
  if (Token.isUnresolved(name)) return;
  const { minLength, maxLength, pattern } = CONTAINER_APP_LIMITS.name;
  if (name.length < minLength || name.length > maxLength) {
    throw new ValidationError('NameLength', `'name' (${name}) must be ${minLength}-${maxLength} characters long, is ${name.length}`, scope);
  }
  if (!pattern.test(name)) {
    throw new ValidationError(
      'NameInvalid',
      `'name' (${name}) must use lowercase letters, digits and '-', start with a letter, end with a letter or digit and contain no '--'`,
      scope,
    );
  }
}

/** @internal Validates a port number. */
export function validatePort(scope: IConstruct, field: string, port: number): void {
  const { min, max } = CONTAINER_APP_LIMITS.port;
  validateIntegerRange(scope, 'PortOutOfRange', field, port, min, max);
}

function validateProbe(scope: IConstruct, slot: keyof ContainerProbes, probe: Probe): void {
  const limits = CONTAINER_APP_LIMITS.probe;
  validatePort(scope, `probes.${slot}.port`, probe.port);
  const checks: [string, number | undefined, number, number][] = [
    ['initialDelaySeconds', probe.initialDelaySeconds, limits.initialDelaySeconds.min, limits.initialDelaySeconds.max],
    ['periodSeconds', probe.periodSeconds, limits.intervalSeconds.min, limits.intervalSeconds.max],
    ['timeoutSeconds', probe.timeoutSeconds, limits.timeoutSeconds.min, limits.timeoutSeconds.max],
    ['failureThreshold', probe.failureThreshold, 1, limits.failureThreshold[slot]],
  ];
  for (const [field, value, min, max] of checks) {
    if (value !== undefined) validateIntegerRange(scope, 'ProbeOutOfRange', `probes.${slot}.${field}`, value, min, max);
  }
  if (probe.transport === ProbeTransport.HTTP && !probe.path?.startsWith('/')) {
    throw new ValidationError('ProbePathInvalid', `'probes.${slot}.path' (${probe.path}) must start with '/'`, scope);
  }
}

function renderProbe(probe: Probe) {
  return {
    transport: probe.transport,
    port: probe.port,
    path: probe.path,
    initialDelay: probe.initialDelaySeconds,
    intervalSeconds: probe.periodSeconds,
    timeout: probe.timeoutSeconds,
    failureCountThreshold: probe.failureThreshold,
    // Name to name and value to value: the reference project rendered `value = header.value.name`.
    header: probe.headers.length ? probe.headers.map((h) => ({ name: h.name, value: h.value })) : undefined,
  };
}

/**
 * @internal The tag (or `sha256:<digest>`) of an image reference, or undefined when it has neither.
 * A registry port (`host:5000/repo`) is not a tag.
 */
export function imageTag(image: string): string | undefined {
  const digest = /@(sha256:[a-f0-9]{64})$/.exec(image);
  if (digest) return digest[1];
  const lastSegment = image.split('/').pop() ?? '';
  const colon = lastSegment.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const tag = lastSegment.slice(colon + 1);
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag) ? tag : undefined;
}

/** @internal Formats GiB the way ACA wants it: `0.5Gi`, `1Gi`, `1.25Gi`. */
export function formatMemory(memoryGiB: number): string {
  return `${Number(memoryGiB.toFixed(2))}Gi`;
}

/** @internal Validates a container spec and renders its azurerm blocks. */
export function renderContainer(scope: IConstruct, containerName: string, props: ContainerSpecProps): RenderedContainer {
  const cpuCores = props.cpuCores ?? 0.5;
  const memoryGiB = props.memoryGiB ?? 1;

  if (!Token.isUnresolved(props.image) && imageTag(props.image) === undefined) {
    throw new ValidationError('ImageUnpinned', `'image' (${props.image}) must be 'repository:tag' or 'repository@sha256:<digest>'`, scope);
  }
  const profile = props.workloadProfile ?? WorkloadProfile.CONSUMPTION;
  if (!profile.isConsumption) {
    if (
      !(cpuCores > 0 && memoryGiB > 0 && cpuCores <= (profile.nodeCpuCores as number) && memoryGiB <= (profile.nodeMemoryGiB as number))
    ) {
      throw new ValidationError(
        'AllocationInvalid',
        `'cpuCores'/'memoryGiB' (${cpuCores}/${memoryGiB}) must fit on one ${profile.type} node (${profile.nodeCpuCores} vCPU / ${profile.nodeMemoryGiB} GiB)`,
        scope,
      );
    }
  } else if (!isConsumptionAllocation(cpuCores, memoryGiB)) {
    throw new ValidationError(
      'AllocationInvalid',
      `'cpuCores'/'memoryGiB' (${cpuCores}/${memoryGiB}) must be a Consumption pair: 0.25-4 vCPU in 0.25 steps with 2 GiB per vCPU (e.g. 0.5/1, 1/2)`,
      scope,
    );
  }

  // Secrets: unique, ACA-safe names.
  const secretNames = new Set<string>();
  for (const [i, secret] of (props.secrets ?? []).entries()) {
    const { maxLength, pattern } = CONTAINER_APP_LIMITS.secretName;
    if (!Token.isUnresolved(secret.name) && (secret.name.length > maxLength || !pattern.test(secret.name))) {
      throw new ValidationError(
        'SecretNameInvalid',
        `'secrets[${i}].name' (${secret.name}) must be lowercase letters, digits and '-', starting and ending alphanumeric, at most ${maxLength} characters`,
        scope,
      );
    }
    if (secretNames.has(secret.name)) {
      throw new ValidationError('SecretDuplicate', `'secrets[${i}].name' (${secret.name}) is declared twice`, scope);
    }
    secretNames.add(secret.name);
  }

  // Environment: unique names, secret references resolve.
  const envNames = new Set<string>();
  for (const [i, variable] of (props.env ?? []).entries()) {
    if (envNames.has(variable.name)) {
      throw new ValidationError('EnvDuplicate', `'env[${i}].name' (${variable.name}) is set twice`, scope);
    }
    envNames.add(variable.name);
    if (variable.secretName !== undefined && !secretNames.has(variable.secretName)) {
      throw new ValidationError(
        'UnknownSecret',
        `'env[${i}].secretName' (${variable.secretName}) must name one of the app's secrets (${[...secretNames].join(', ') || 'none declared'})`,
        scope,
      );
    }
  }

  // Volumes and mounts.
  const volumeNames = new Set<string>();
  for (const [i, volume] of (props.volumes ?? []).entries()) {
    const { maxLength, pattern } = CONTAINER_APP_LIMITS.volumeName;
    if (volume.name.length > maxLength || !pattern.test(volume.name)) {
      throw new ValidationError(
        'VolumeNameInvalid',
        `'volumes[${i}].name' (${volume.name}) must be lowercase letters, digits and '-', at most ${maxLength} characters`,
        scope,
      );
    }
    if (volumeNames.has(volume.name)) {
      throw new ValidationError('VolumeDuplicate', `'volumes[${i}].name' (${volume.name}) is declared twice`, scope);
    }
    volumeNames.add(volume.name);
  }
  for (const [i, mount] of (props.mounts ?? []).entries()) {
    if (!volumeNames.has(mount.volume)) {
      throw new ValidationError(
        'UnknownVolume',
        `'mounts[${i}].volume' (${mount.volume}) must name one of the declared volumes (${[...volumeNames].join(', ') || 'none declared'})`,
        scope,
      );
    }
    if (!mount.path.startsWith('/')) {
      throw new ValidationError('MountPathInvalid', `'mounts[${i}].path' (${mount.path}) must be an absolute path`, scope);
    }
  }

  // Probes.
  const probes = props.probes ?? {};
  for (const slot of ['liveness', 'readiness', 'startup'] as const) {
    const probe = probes[slot];
    if (probe) validateProbe(scope, slot, probe);
  }

  const container: ContainerAppTemplateContainer = {
    name: containerName,
    image: props.image,
    cpu: cpuCores,
    memory: formatMemory(memoryGiB),
    command: props.command ? [...props.command] : undefined,
    args: props.args ? [...props.args] : undefined,
    env: (props.env ?? []).map((v) =>
      v.secretName !== undefined ? { name: v.name, secretName: v.secretName } : { name: v.name, value: v.value },
    ),
    volumeMounts: (props.mounts ?? []).map((m) => ({ name: m.volume, path: m.path, subPath: m.subPath })),
    livenessProbe: probes.liveness ? [renderProbe(probes.liveness)] : undefined,
    readinessProbe: probes.readiness ? [renderProbe(probes.readiness)] : undefined,
    startupProbe: probes.startup ? [renderProbe(probes.startup)] : undefined,
  };
  const volumes: ContainerAppTemplateVolume[] = (props.volumes ?? []).map((v) => ({
    name: v.name,
    storageType: v.storageType,
    storageName: v.storageType === VolumeStorageType.EMPTY_DIR ? undefined : v.storageName,
    mountOptions: v.mountOptions,
  }));
  const secrets: ContainerAppSecret[] = (props.secrets ?? []).map((s) => ({
    name: s.name,
    keyVaultSecretId: s.keyVaultSecretId,
    identity: s.identityId,
  }));
  return { container, volumes, secrets };
}

/**
 * @internal Validates the container spec and renders the arguments an `azurerm_container_app` and an
 * `azurerm_container_app_job` share: name, resource group, environment, workload profile (always
 * explicit, also for Consumption: Azure fills it in and an omitted value shows up as drift), the
 * user-assigned identity, the Key Vault secrets, dependencies and tags, plus the template's single
 * container and its volumes.
 */
export function renderContainerResource(scope: IConstruct, name: string, containerName: string, props: ContainerResourceProps) {
  const rendered = renderContainer(scope, containerName, props);
  return {
    resource: {
      name,
      resourceGroupName: props.resourceGroupName,
      containerAppEnvironmentId: props.environmentId,
      workloadProfileName: (props.workloadProfile ?? WorkloadProfile.CONSUMPTION).name,
      identity: props.identityId ? { type: 'UserAssigned', identityIds: [props.identityId] } : undefined,
      secret: rendered.secrets.length ? rendered.secrets : undefined,
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
      tags: props.tags ? { ...props.tags } : undefined,
    },
    template: {
      container: [rendered.container],
      volume: rendered.volumes.length ? rendered.volumes : undefined,
    },
  };
}

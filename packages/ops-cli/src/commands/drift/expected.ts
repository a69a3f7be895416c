/**
 * What each catalogue component should look like in Azure: the catalogue's `appSpecs()` (the same
 * specification infra renders into Terraform) projected onto drift's comparison shape ({@link AppSpec} in
 * ./spec.ts). Pure, and it derives nothing itself: every value and default comes from `appSpecs()`.
 */
import {
  appSpecs,
  appIdentityName,
  resourceNames,
  enabledComponents,
  type AppEnvVar,
  type AppSpec as CatalogueAppSpec,
  type Catalogue,
  type Component,
  type EnvironmentConfig,
  type ProbeSpec as CatalogueProbeSpec,
  type ScaleRuleSpec as CatalogueScaleRuleSpec,
} from '@cvat-cloud/catalogue';
import {
  normaliseImage,
  trafficEntry,
  type AppSpec,
  type EnvSpec,
  type IngressSpec,
  type MountSpec,
  type ProbeSpec,
  type ScaleRuleSpec,
} from './spec';

/** Roles that are Azure Container Apps (or jobs). The `edge` is a VM and is not compared. */
export function isAcaComponent(component: Component): boolean {
  return component.role !== 'edge';
}

function envSpec(e: AppEnvVar): EnvSpec {
  switch (e.kind) {
    case 'value':
      return { kind: 'value', value: e.value };
    case 'secret':
      return { kind: 'secret', secretRef: e.secretName };
    case 'componentAddress':
      return e.value === undefined ? { kind: 'platform', ref: `${e.component}.${e.part}` } : { kind: 'value', value: e.value };
    case 'platform':
      return e.value === undefined ? { kind: 'platform', ref: e.ref } : { kind: 'value', value: e.value };
  }
}

function probeSpec(p: CatalogueProbeSpec): ProbeSpec {
  const headers = p.headers.map((h) => `${h.name}: ${h.value}`).sort();
  return {
    type: p.transport === 'HTTP' ? 'http' : 'tcp',
    port: p.port,
    ...(p.path !== undefined ? { path: p.path } : {}),
    ...(headers.length ? { headers } : {}),
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
    ...(p.successThreshold !== undefined ? { successThreshold: p.successThreshold } : {}),
  };
}

/** A catalogue scale rule keyed for the diff: custom rules by their KEDA type, http/tcp as ACA's built-in rules. */
function scaleRuleSpec(r: CatalogueScaleRuleSpec): ScaleRuleSpec {
  return {
    type: r.kind === 'custom' ? (r.customRuleType ?? '(none)') : r.kind,
    metadata: { ...r.metadata },
    auth: Object.fromEntries(r.authentication.map((a) => [a.triggerParameter, a.secretName])),
  };
}

/** Projects one catalogue app spec onto the comparison shape. */
export function toDriftSpec(spec: CatalogueAppSpec): AppSpec {
  const [container, ...extra] = spec.containers;
  if (!container) throw new Error(`appSpecs gave '${spec.name}' no container`);
  const volumes = new Map(spec.volumes.map((v) => [v.name, v]));
  const mounts: Record<string, MountSpec> = {};
  for (const m of container.volumeMounts) {
    const volume = volumes.get(m.volumeName);
    const storage = !volume
      ? '(undeclared volume)'
      : volume.storageType === 'EmptyDir'
        ? '(EmptyDir)'
        : (volume.storageName ?? volume.name);
    mounts[m.path] = {
      storage,
      ...(m.subPath ? { subPath: m.subPath } : {}),
      ...(volume?.mountOptions ? { mountOptions: volume.mountOptions } : {}),
    };
  }
  const probes: AppSpec['probes'] = {};
  for (const slot of ['liveness', 'readiness', 'startup'] as const) {
    const p = container.probes[slot];
    if (p) probes[slot] = probeSpec(p);
  }
  let ingress: IngressSpec | undefined;
  if (spec.kind === 'containerApp' && spec.ingress) {
    const i = spec.ingress;
    ingress = {
      transport: i.transport,
      targetPort: i.targetPort,
      ...(i.exposedPort !== undefined ? { exposedPort: i.exposedPort } : {}),
      external: i.external,
    };
  }
  return {
    name: spec.name,
    resource: spec.kind,
    image: normaliseImage(container.image),
    ...(container.command?.length ? { command: [...container.command] } : {}),
    ...(container.args?.length ? { args: [...container.args] } : {}),
    resources: { cpuCores: container.cpuCores, memoryGiB: container.memoryGiB },
    ...(spec.kind === 'containerApp' ? { replicas: { min: spec.scale.minReplicas, max: spec.scale.maxReplicas } } : {}),
    scaleRules: Object.fromEntries(
      (spec.kind === 'containerApp' ? spec.scale.rules : spec.trigger.type === 'event' ? spec.trigger.scale.rules : []).map((r) => [
        r.name,
        scaleRuleSpec(r),
      ]),
    ),
    env: Object.fromEntries(container.env.map((e) => [e.name, envSpec(e)])),
    secrets: Object.fromEntries(spec.secrets.map((s) => [s.name, s.keyVaultSecretName])),
    mounts,
    ...(ingress ? { ingress } : {}),
    probes,
    extraContainers: extra.map((c) => c.name),
    workloadProfileName: spec.workloadProfileName,
    ...(spec.kind === 'containerApp'
      ? {
          revisionMode: spec.revisionMode,
          ...(spec.ingress
            ? { traffic: spec.ingress.trafficWeight.map((t) => trafficEntry({ latestRevision: t.latestRevision, weight: t.percentage })) }
            : {}),
          timing: {
            cooldownPeriodSeconds: spec.scale.cooldownPeriodSeconds,
            pollingIntervalSeconds: spec.scale.pollingIntervalSeconds,
            terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
          },
        }
      : {
          job: {
            triggerType: spec.trigger.type === 'event' ? 'Event' : 'Manual',
            ...(spec.trigger.type === 'event'
              ? {
                  minExecutions: spec.trigger.scale.minExecutions,
                  maxExecutions: spec.trigger.scale.maxExecutions,
                  pollingIntervalSeconds: spec.trigger.scale.pollingIntervalSeconds,
                }
              : {}),
            replicaTimeoutSeconds: spec.replicaTimeoutSeconds,
            replicaRetryLimit: spec.replicaRetryLimit,
            parallelism: spec.trigger.parallelism,
            replicaCompletionCount: spec.trigger.replicaCompletionCount,
          },
        }),
  };
}

/** Enabled Azure Container Apps components of the catalogue (the edge VM excluded), in catalogue order. */
export function acaComponents(catalogue: Catalogue): Component[] {
  return enabledComponents(catalogue).filter(isAcaComponent);
}

/**
 * Expected specs of every enabled ACA component: `appSpecs(catalogue, config)` in the comparison shape. Without a
 * config, values only the environment knows (the PostgreSQL host) are compared by name only, and the identity is not
 * compared. With one, an app or job that reads Key Vault secrets has exactly its own user-assigned identity
 * (`appIdentityName(resourceNames(config), name)`, granted only those secrets) and no system-assigned one; one that reads
 * none has no identity at all.
 */
export function expectedApps(catalogue: Catalogue, config?: EnvironmentConfig): AppSpec[] {
  const names = config ? resourceNames(config) : undefined;
  return appSpecs(catalogue, config).map((spec) => {
    const drift = toDriftSpec(spec);
    if (!names) return drift;
    const identity =
      spec.secrets.length > 0
        ? { type: 'UserAssigned', userAssigned: [appIdentityName(names, spec.name).toLowerCase()] }
        : { type: 'None', userAssigned: [] };
    return { ...drift, identity };
  });
}

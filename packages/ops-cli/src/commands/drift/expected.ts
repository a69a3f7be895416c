/**
 * What each catalogue component should look like in Azure, in the normalised {@link AppSpec} shape. Pure: the
 * resolved catalogue in, specs out. The mapping follows the catalogue's documented contract: an app is named after
 * its component (`resourceNames().apps` is the identity), ACA secret names are catalogue secret names, an env
 * `componentRef` is the catalogue's `componentAddress`, a `platformRef` (only `postgres.host` survives
 * `resolveCatalogue`) is `platformValue(config, ref)`, ephemeral storages are EmptyDir volumes and the others
 * environment storages of the same name.
 */
import { componentAddress, enabledComponents, type Catalogue, type Component } from '@cvat-cloud/catalogue';
import { normaliseImage, type AppSpec, type EnvSpec, type IngressSpec, type MountSpec, type ProbeSpec, type ScaleRuleSpec } from './spec';

/** Roles that are Azure Container Apps (or jobs). The `edge` is a VM and is not compared. */
export function isAcaComponent(component: Component): boolean {
  return component.role !== 'edge';
}

/** Resolves a platform reference (e.g. `postgres.host`) to its value, or `undefined` when only Azure knows it. */
export type PlatformValue = (ref: string) => string | undefined;

function envSpec(component: Component, catalogue: Catalogue, platformValue: PlatformValue): Record<string, EnvSpec> {
  const env: Record<string, EnvSpec> = {};
  for (const e of component.env) {
    if ('value' in e) env[e.name] = { kind: 'value', value: e.value };
    else if ('secretRef' in e) env[e.name] = { kind: 'secret', secretRef: e.secretRef };
    else if ('componentRef' in e) {
      const value = componentAddress(catalogue, e.componentRef);
      env[e.name] = value === undefined ? { kind: 'platform', ref: `${e.componentRef.component}.${e.componentRef.part}` } : { kind: 'value', value };
    } else {
      const value = platformValue(e.platformRef);
      env[e.name] = value === undefined ? { kind: 'platform', ref: e.platformRef } : { kind: 'value', value };
    }
  }
  return env;
}

function probeSpec(probe: NonNullable<Component['probes']['liveness']>): ProbeSpec {
  const headers = (probe.headers ?? []).map((h) => `${h.name}: ${h.value}`).sort();
  return {
    type: probe.type,
    port: probe.port,
    ...(probe.type === 'http' ? { path: probe.path ?? '/' } : {}),
    ...(headers.length ? { headers } : {}),
    initialDelaySeconds: probe.initialDelaySeconds,
    periodSeconds: probe.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds,
    failureThreshold: probe.failureThreshold,
  };
}

/** ACA's concurrency target when an http/tcp rule names none (infra renders the same default). */
export const DEFAULT_CONCURRENT_REQUESTS = '10';

/**
 * The catalogue's KEDA rules as infra renders them: `redis-queue` is a custom rule of type `redis`; `http` and
 * `tcp` are ACA's built-in rules with `concurrentRequests` (default 10); auth maps trigger parameter → secret.
 */
export function expectedScaleRules(component: Component): Record<string, ScaleRuleSpec> {
  const out: Record<string, ScaleRuleSpec> = {};
  for (const r of component.scaleRules) {
    const auth = Object.fromEntries((r.auth ?? []).map((a) => [a.triggerParameter, a.secretRef]));
    out[r.name] =
      r.kind === 'redis-queue'
        ? { type: 'redis', metadata: { ...r.metadata }, auth }
        : { type: r.kind, metadata: { ...r.metadata, concurrentRequests: r.metadata.concurrentRequests ?? DEFAULT_CONCURRENT_REQUESTS }, auth };
  }
  return out;
}

/** The expected spec of one component. */
export function expectedAppSpec(component: Component, catalogue: Catalogue, platformValue: PlatformValue = () => undefined): AppSpec {
  const mounts: Record<string, MountSpec> = {};
  for (const m of component.mounts) {
    const storage = catalogue.storages.find((s) => s.name === m.storage);
    mounts[m.mountPath] = { storage: storage?.kind === 'ephemeral' ? '(EmptyDir)' : m.storage, ...(m.subPath ? { subPath: m.subPath } : {}) };
  }
  const secrets: Record<string, string | undefined> = {};
  for (const name of component.secrets) secrets[name] = catalogue.secrets.find((s) => s.name === name)?.keyVaultName;
  const probes: AppSpec['probes'] = {};
  for (const slot of ['liveness', 'readiness', 'startup'] as const) {
    const p = component.probes[slot];
    if (p) probes[slot] = probeSpec(p);
  }
  const isJob = component.role === 'job';
  let ingress: IngressSpec | undefined;
  if (!isJob && component.ingress) {
    const i = component.ingress;
    ingress = {
      transport: i.transport,
      targetPort: i.targetPort,
      ...(i.transport === 'tcp' ? { exposedPort: i.exposedPort ?? i.targetPort } : {}),
      external: i.external,
    };
  }
  return {
    name: component.name,
    resource: isJob ? 'job' : 'containerApp',
    image: normaliseImage(`${component.image.repository}:${component.image.tag}`),
    ...(component.command?.length ? { command: [...component.command] } : {}),
    ...(component.args?.length ? { args: [...component.args] } : {}),
    resources: { cpuCores: component.resources.cpuCores, memoryGiB: component.resources.memoryGiB },
    ...(isJob ? {} : { replicas: { min: component.replicas.min, max: component.replicas.max } }),
    scaleRules: isJob ? {} : expectedScaleRules(component),
    env: envSpec(component, catalogue, platformValue),
    secrets,
    mounts,
    ...(ingress ? { ingress } : {}),
    probes,
    extraContainers: [],
  };
}

/** Enabled Azure Container Apps components of the catalogue (the edge VM excluded), in catalogue order. */
export function acaComponents(catalogue: Catalogue): Component[] {
  return enabledComponents(catalogue).filter(isAcaComponent);
}

/** Expected specs of every enabled ACA component. */
export function expectedApps(catalogue: Catalogue, platformValue?: PlatformValue): AppSpec[] {
  return acaComponents(catalogue).map((c) => expectedAppSpec(c, catalogue, platformValue));
}

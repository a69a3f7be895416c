import { isCvatBackend } from '../rules/catalogue';
import { CatalogueError } from '../rules/issues';
import type { Catalogue, Component } from '../schema/catalogue';

/** Seconds in the 30-day month used by the monthly totals. */
export const SECONDS_PER_MONTH = 30 * 24 * 3600;

/** The components an environment deploys (`enabled: true`), in catalogue order. */
export function enabledComponents(c: Catalogue): Component[] {
  return c.components.filter((x) => x.enabled);
}

/** Looks up a component by name. */
export function findComponent(c: Catalogue, name: string): Component | undefined {
  return c.components.find((x) => x.name === name);
}

/**
 * Dependency graph of the enabled components: each name maps to the enabled components it
 * depends on (references to disabled optional components are dropped).
 */
export function dependencyGraph(c: Catalogue): Record<string, string[]> {
  const on = new Set(enabledComponents(c).map((x) => x.name));
  const graph: Record<string, string[]> = {};
  for (const x of enabledComponents(c)) graph[x.name] = x.dependsOn.filter((d) => on.has(d) && d !== x.name);
  return graph;
}

/**
 * Deploy order of the enabled components: every component after its dependencies, ties broken by
 * catalogue order (stores, analytics, OPA, init job, server, workers, UI, Grafana, edge).
 *
 * @throws CatalogueError when the graph has a cycle (run `validateCatalogue` first)
 */
export function deployOrder(c: Catalogue): string[] {
  const graph = dependencyGraph(c);
  const names = Object.keys(graph);
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < names.length) {
    const next = names.find((n) => !done.has(n) && (graph[n] ?? []).every((d) => done.has(d)));
    if (!next) {
      const stuck = names.filter((n) => !done.has(n));
      throw new CatalogueError(`dependency cycle among ${stuck.join(', ')}; validateCatalogue reports it as noDependencyCycles`);
    }
    done.add(next);
    order.push(next);
  }
  return order;
}

/** Destroy order: the reverse of `deployOrder` (the edge and dependants first, stores last). */
export function destroyOrder(c: Catalogue): string[] {
  return deployOrder(c).reverse();
}

/** RQ queues served by each enabled worker, e.g. `{ 'cvat-worker-utils': ['notifications', 'cleaning'] }`. */
export function workerQueues(c: Catalogue): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const x of enabledComponents(c)) if (x.queues.length) out[x.name] = [...x.queues];
  return out;
}

/**
 * Names of the enabled backend components: those running the CVAT backend image that mount the
 * shared data, keys and logs storages (the server, every worker and the init job). These must be
 * stopped before restoring the shares.
 */
export function backendComponents(c: Catalogue): string[] {
  return enabledComponents(c)
    .filter(
      (x) =>
        isCvatBackend(x) &&
        ['/home/django/data', '/home/django/keys', '/home/django/logs'].every((p) => x.mounts.some((m) => m.mountPath === p)),
    )
    .map((x) => x.name);
}

/** CPU and memory of a set of replicas. */
export interface ResourceAmount {
  /** Replicas counted. */
  replicas: number;
  /** vCPU summed over the replicas. */
  cpuCores: number;
  /** Memory summed over the replicas, in GiB. */
  memoryGiB: number;
  /** vCPU-seconds in a 30-day month if these replicas run all month. */
  vcpuSecondsPerMonth: number;
  /** GiB-seconds in a 30-day month if these replicas run all month. */
  memoryGiBSecondsPerMonth: number;
}

/** Resource totals of the enabled container apps (jobs and the edge VM are not counted). */
export interface ResourceTotals {
  /** Per app: its allocation per replica and its replica bounds. */
  components: { name: string; cpuCores: number; memoryGiB: number; minReplicas: number; maxReplicas: number }[];
  /** Everything at minimum replicas (the always-on floor). */
  atMinReplicas: ResourceAmount;
  /** Everything at maximum replicas (the ceiling). */
  atMaxReplicas: ResourceAmount;
}

function amount(rows: ResourceTotals['components'], pick: 'minReplicas' | 'maxReplicas'): ResourceAmount {
  const replicas = rows.reduce((s, r) => s + r[pick], 0);
  const cpuCores = round(rows.reduce((s, r) => s + r.cpuCores * r[pick], 0));
  const memoryGiB = round(rows.reduce((s, r) => s + r.memoryGiB * r[pick], 0));
  return {
    replicas,
    cpuCores,
    memoryGiB,
    vcpuSecondsPerMonth: Math.round(cpuCores * SECONDS_PER_MONTH),
    memoryGiBSecondsPerMonth: Math.round(memoryGiB * SECONDS_PER_MONTH),
  };
}
function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * vCPU and GiB of the enabled container apps at minimum and maximum replicas, plus the monthly
 * vCPU-seconds and GiB-seconds if they ran that way all month (input for a cost estimate; prices
 * are not the catalogue's business).
 *
 * @see https://azure.microsoft.com/pricing/details/container-apps/
 */
export function resourceTotals(c: Catalogue): ResourceTotals {
  const rows = enabledComponents(c)
    .filter((x) => x.role !== 'job' && x.role !== 'edge')
    .map((x) => ({
      name: x.name,
      cpuCores: x.resources.cpuCores,
      memoryGiB: x.resources.memoryGiB,
      minReplicas: x.replicas.min,
      maxReplicas: x.replicas.max,
    }));
  return { components: rows, atMinReplicas: amount(rows, 'minReplicas'), atMaxReplicas: amount(rows, 'maxReplicas') };
}

/** Names of the secrets referenced by enabled components (env or scale-rule auth). */
export function referencedSecrets(c: Catalogue): string[] {
  const used = new Set<string>();
  for (const x of enabledComponents(c)) {
    for (const e of x.env) if ('secretRef' in e) used.add(e.secretRef);
    for (const r of x.scaleRules) for (const a of r.auth ?? []) used.add(a.secretRef);
    for (const s of x.secrets) used.add(s);
  }
  return c.secrets.map((s) => s.name).filter((n) => used.has(n));
}

/** Names of the storages mounted by enabled components. */
export function mountedStorages(c: Catalogue): string[] {
  const used = new Set(enabledComponents(c).flatMap((x) => x.mounts.map((m) => m.storage)));
  return c.storages.map((s) => s.name).filter((n) => used.has(n));
}

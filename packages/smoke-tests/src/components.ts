/**
 * Which catalogue component each check proves. Checks name components by the upstream docker-compose service
 * they are about (`cvat_worker_import`, a stable upstream contract); {@link componentDirectory} resolves that
 * to the catalogue's component name (`cvat-worker-import`), so reports use exactly the names `cvat-ops` and
 * the Azure portal show. A managed service that is not a catalogue component (PostgreSQL Flexible Server)
 * keeps a descriptive fallback name.
 */
import { COMPONENT_NAMES, type Catalogue, type Component } from '@cvat-cloud/catalogue';

/** The components the suite has checks for, keyed by a short id, with their upstream compose service. */
export const COMPONENT_UPSTREAM = {
  server: 'cvat_server',
  ui: 'cvat_ui',
  opa: 'cvat_opa',
  database: 'cvat_db',
  redisInmem: 'cvat_redis_inmem',
  redisOndisk: 'cvat_redis_ondisk',
  workerImport: 'cvat_worker_import',
  workerExport: 'cvat_worker_export',
  workerChunks: 'cvat_worker_chunks',
  workerWebhooks: 'cvat_worker_webhooks',
  workerQualityReports: 'cvat_worker_quality_reports',
  workerConsensus: 'cvat_worker_consensus',
  workerAnnotation: 'cvat_worker_annotation',
  workerUtils: 'cvat_worker_utils',
  vector: 'cvat_vector',
  clickhouse: 'cvat_clickhouse',
} as const;

/** A key of {@link COMPONENT_UPSTREAM}. */
export type ComponentKey = keyof typeof COMPONENT_UPSTREAM;

/**
 * Names used when the catalogue has no component for an upstream service: the catalogue's own
 * `COMPONENT_NAMES`, plus `postgres` for the managed database (a platform resource, not a component).
 */
const FALLBACK_NAMES: Record<ComponentKey, string> = {
  server: COMPONENT_NAMES.server,
  ui: COMPONENT_NAMES.ui,
  opa: COMPONENT_NAMES.opa,
  database: 'postgres',
  redisInmem: COMPONENT_NAMES.redisInmem,
  redisOndisk: COMPONENT_NAMES.redisOndisk,
  workerImport: COMPONENT_NAMES.workerImport,
  workerExport: COMPONENT_NAMES.workerExport,
  workerChunks: COMPONENT_NAMES.workerChunks,
  workerWebhooks: COMPONENT_NAMES.workerWebhooks,
  workerQualityReports: COMPONENT_NAMES.workerQualityReports,
  workerConsensus: COMPONENT_NAMES.workerConsensus,
  workerAnnotation: COMPONENT_NAMES.workerAnnotation,
  workerUtils: COMPONENT_NAMES.workerUtils,
  vector: COMPONENT_NAMES.vector,
  clickhouse: COMPONENT_NAMES.clickhouse,
};

/**
 * Upstream queue names per worker (`RQ_QUEUES` of cvat-ai/cvat@v2.73.0 cvat/settings/base.py, as the compose workers
 * take them), used when the catalogue lists none.
 */
const FALLBACK_QUEUES: Partial<Record<ComponentKey, readonly string[]>> = {
  workerImport: ['import'],
  workerExport: ['export'],
  workerChunks: ['chunks'],
  workerWebhooks: ['webhooks'],
  workerQualityReports: ['quality_reports'],
  workerConsensus: ['consensus'],
  workerAnnotation: ['annotation'],
  workerUtils: ['notifications', 'cleaning'],
};

/** What the suite knows about one component. */
export interface ComponentInfo {
  readonly key: ComponentKey;
  /** The catalogue component name (or the fallback name when the catalogue has none). */
  readonly name: string;
  /** Whether the catalogue has a component for it. */
  readonly inCatalogue: boolean;
  /** Whether it is deployed (`undefined` when not in the catalogue). */
  readonly enabled: boolean | undefined;
  /** `replicas.min` from the catalogue (`undefined` when not in the catalogue; 0 for an event-driven job, idle while its queue is empty). */
  readonly minReplicas: number | undefined;
  /**
   * How an RQ runner runs: `always-on` (a worker app) or `event-job` (executions start only while its queue has jobs,
   * after the polling interval and a cold start); `undefined` for other components.
   */
  readonly runner: 'always-on' | 'event-job' | undefined;
  /** RQ queues it serves. */
  readonly queues: readonly string[];
}

/** Resolves {@link ComponentKey}s against a catalogue. */
export interface ComponentDirectory {
  get(key: ComponentKey): ComponentInfo;
  /** Catalogue names of `keys`, in order, without duplicates. */
  names(keys: readonly ComponentKey[]): string[];
}

/**
 * Builds a {@link ComponentDirectory} from a (resolved) catalogue; without one, every name is the fallback.
 *
 * A worker key resolves to the enabled RQ runner that serves its upstream queue (its first one, e.g. `import` for
 * `workerImport`): an always-on worker app or an event-driven job (`cvat-job-import`), whichever the environment's
 * `queueRunners` chose, so reports name what is deployed. Other keys resolve by the compose service they replace.
 */
export function componentDirectory(catalogue?: Pick<Catalogue, 'components'>): ComponentDirectory {
  const all = catalogue?.components ?? [];
  const byUpstream = new Map<string, Component>();
  for (const component of all) {
    // The migration job shares cvat_server's upstream; the long-running app is the one the checks prove.
    if (component.role === 'edge' || (component.role === 'job' && component.job?.trigger !== 'event')) continue;
    for (const service of component.upstream) if (!byUpstream.has(service)) byUpstream.set(service, component);
  }
  const runnerOf = (queue: string | undefined): Component | undefined =>
    queue === undefined ? undefined : (all.find((c) => c.enabled && c.queues.includes(queue)) ?? all.find((c) => c.queues.includes(queue)));
  const infos = new Map<ComponentKey, ComponentInfo>();
  for (const key of Object.keys(COMPONENT_UPSTREAM) as ComponentKey[]) {
    const upstreamQueues = FALLBACK_QUEUES[key];
    const component = (upstreamQueues ? runnerOf(upstreamQueues[0]) : undefined) ?? byUpstream.get(COMPONENT_UPSTREAM[key]);
    infos.set(key, {
      key,
      name: component?.name ?? FALLBACK_NAMES[key],
      inCatalogue: component !== undefined,
      enabled: component?.enabled,
      minReplicas: component?.role === 'job' ? 0 : component?.replicas.min,
      runner: component?.runner,
      queues: component && component.queues.length > 0 ? [...component.queues] : [...(upstreamQueues ?? [])],
    });
  }
  return {
    get: (key) => infos.get(key) as ComponentInfo,
    names: (keys) => [...new Set(keys.map((key) => (infos.get(key) as ComponentInfo).name))],
  };
}

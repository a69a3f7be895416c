import { describe, expect, it } from 'vitest';
import {
  CatalogueError,
  SECONDS_PER_MONTH,
  backendComponents,
  defaultCatalogue,
  dependencyGraph,
  deployOrder,
  destroyOrder,
  enabledComponents,
  mountedStorages,
  referencedSecrets,
  resourceTotals,
  workerQueues,
} from '../src/index';
import { changed, comp } from './support/catalogue';

describe('derived views', () => {
  const c = defaultCatalogue();

  it('lists enabled components only', () => {
    expect(enabledComponents(c).map((x) => x.name)).not.toContain('grafana');
    expect(enabledComponents(c)).toHaveLength(15);
  });

  it('drops dependencies on disabled optional components from the graph', () => {
    const g = dependencyGraph(c);
    expect(g.edge).toEqual(['cvat-server', 'cvat-ui']);
    expect(g.grafana).toBeUndefined();
  });

  it('deploys every component after its dependencies', () => {
    const order = deployOrder(c);
    const g = dependencyGraph(c);
    for (const [name, deps] of Object.entries(g))
      for (const d of deps) expect(order.indexOf(d), `${d} before ${name}`).toBeLessThan(order.indexOf(name));
    expect(order[0]).toBe('cvat-redis-inmem');
    expect(order.indexOf('cvat-init')).toBeLessThan(order.indexOf('cvat-server'));
    expect(order.at(-1)).toBe('edge');
  });

  it('destroys in the reverse order', () => {
    expect(destroyOrder(c)).toEqual([...deployOrder(c)].reverse());
  });

  it('throws a CatalogueError for a cyclic graph', () => {
    const cyclic = changed((x) => comp(x, 'cvat-redis-inmem').dependsOn.push('cvat-ui'));
    expect(() => deployOrder(cyclic)).toThrow(CatalogueError);
  });

  it('maps workers to their queues', () => {
    expect(workerQueues(c)).toEqual({
      'cvat-worker-utils': ['chunks', 'webhooks', 'notifications', 'cleaning'],
      'cvat-job-import': ['import'],
      'cvat-job-export': ['export'],
      'cvat-job-annotation': ['annotation'],
      'cvat-job-quality-reports': ['quality_reports'],
      'cvat-job-consensus': ['consensus'],
    });
  });

  it('names the backend components that mount data, keys and logs', () => {
    expect(backendComponents(c)).toEqual([
      'cvat-init',
      'cvat-server',
      'cvat-worker-utils',
      'cvat-job-import',
      'cvat-job-export',
      'cvat-job-annotation',
      'cvat-job-quality-reports',
      'cvat-job-consensus',
    ]);
  });

  it('sums CPU and memory at min and max replicas, without the jobs and the edge', () => {
    const t = resourceTotals(c);
    expect(t.components.map((r) => r.name)).not.toContain('cvat-init');
    expect(t.components.map((r) => r.name)).not.toContain('edge');
    const atMin = t.components.reduce((s, r) => s + r.cpuCores * r.minReplicas, 0);
    expect(t.atMinReplicas.cpuCores).toBeCloseTo(atMin);
    expect(t.atMinReplicas).toEqual({
      replicas: 8,
      cpuCores: 3.5,
      memoryGiB: 7,
      vcpuSecondsPerMonth: 3.5 * SECONDS_PER_MONTH,
      memoryGiBSecondsPerMonth: 7 * SECONDS_PER_MONTH,
    });
    expect(t.atMaxReplicas.cpuCores).toBeGreaterThan(t.atMinReplicas.cpuCores);
    expect(t.atMaxReplicas.memoryGiB).toBeCloseTo(2 * t.atMaxReplicas.cpuCores);
  });

  it('reflects a replica change in the totals', () => {
    const more = changed((x) => (comp(x, 'cvat-ui').replicas = { min: 3, max: 3 }));
    expect(resourceTotals(more).atMinReplicas.cpuCores).toBeCloseTo(3.5 + 2 * 0.25);
  });

  it('lists the secrets and storages in use', () => {
    expect(referencedSecrets(c)).toContain('clickhouse-password');
    expect(mountedStorages(c)).toEqual([
      'cvat-data',
      'cvat-keys',
      'cvat-logs',
      'cvat-config',
      'cvat-redis-data',
      'cvat-cache',
      'cvat-events',
      'cvat-vector-data',
    ]);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { loadManifest, stateReadDependencies } from '../../src/deploy/manifest';
import { independentResourceCount, resourceGraph, sizeParallelism } from '../../src/deploy/parallelism';
import { dependencyWaves } from '../../src/deploy/orchestrator';
import { synthesize } from '../support/synth';

const res = (body: Record<string, unknown> = {}) => body;

describe('independentResourceCount', () => {
  it('counts the largest set of resources with no dependency path between them, not the widest level', () => {
    // a → b → c and a → d: {b, d} and {c, d} are independent pairs; no three are.
    const json = {
      resource: {
        t: {
          a: res(),
          b: res({ x: '${t.a.id}' }),
          c: res({ x: '${upper(t.b.name)}' }),
          d: res({ depends_on: ['t.a'] }),
        },
      },
    };
    expect(independentResourceCount(resourceGraph(json))).toBe(2);
    // Ten leaves under one root: ten at once.
    const fan = {
      resource: {
        t: Object.fromEntries([['root', res()], ...Array.from({ length: 10 }, (_, i) => [`l${i}`, res({ p: '${t.root.id}' })])]),
      },
    };
    expect(independentResourceCount(resourceGraph(fan))).toBe(10);
  });

  it('follows references through data sources and ignores names that only look like addresses', () => {
    const json = {
      data: { d: { q: { r: '${t.a.id}' } } },
      resource: {
        t: {
          a: res(),
          b: res({ x: '${data.d.q.value}', name: 't.a' }),
          c: res({ name: 'plain t.b text' }),
        },
      },
    };
    const graph = resourceGraph(json);
    expect([...graph.edges.get('t.b')!]).toEqual(['data.d.q']);
    expect([...graph.edges.get('data.d.q')!]).toEqual(['t.a']);
    expect(graph.edges.get('t.c')!.size).toBe(0);
    expect(independentResourceCount(graph)).toBe(2); // {b, c} or {a, c}
  });

  it('sizes -parallelism to at least terraform default, and --parallelism wins', () => {
    expect(sizeParallelism({ resource: { t: { a: res() } } })).toMatchObject({ value: 10, source: 'sized', independent: 1 });
    expect(sizeParallelism({ resource: { t: { a: res() } } }, 3)).toMatchObject({ value: 3, source: 'flag' });
  });
});

describe('the synthesized example environment', () => {
  const synth = synthesize();
  afterAll(() => synth.dispose());
  const manifest = loadManifest(synth.outdir);

  it('creates every container app of a dependency level in one wave: apps parallelism covers its independent resources', () => {
    const apps = sizeParallelism(synth.stack('apps'));
    const resourceCount = Object.values(synth.stack('apps').resource as Record<string, object>).reduce(
      (n, byName) => n + Object.keys(byName).length,
      0,
    );
    // Whatever is ready at one moment has no path between its members, so it fits in one wave of this size.
    expect(apps.independent).toBeGreaterThanOrEqual(8);
    expect(apps.value).toBe(Math.max(10, apps.independent));
    expect(apps.resources).toBe(resourceCount);
    // Every level of the apps graph fits in one wave.
    const graph = resourceGraph(synth.stack('apps'));
    const level = new Map<string, number>();
    const levelOf = (n: string): number => {
      const known = level.get(n);
      if (known !== undefined) return known;
      const l = Math.max(0, ...[...graph.edges.get(n)!].map((d) => levelOf(d) + 1));
      level.set(n, l);
      return l;
    };
    const width = new Map<number, number>();
    for (const r of graph.resources) width.set(levelOf(r), (width.get(levelOf(r)) ?? 0) + 1);
    expect(Math.max(...width.values())).toBeLessThanOrEqual(apps.value);
  });

  it('lets the edge run beside the apps: it reads foundation state only, its apps dependency is ordering-only', () => {
    expect(manifest.stacks.find((s) => s.name === 'edge')!.dependencies).toContain('apps');
    const deps = stateReadDependencies(manifest);
    expect(deps.edge).toEqual({ reads: ['foundation'], orderingOnly: ['apps'], unresolved: false });
    expect(deps.apps).toEqual({ reads: ['foundation'], orderingOnly: [], unresolved: false });
    expect(deps.foundation).toEqual({ reads: [], orderingOnly: [], unresolved: false });
    const waves = dependencyWaves(manifest.stacks, Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.reads])));
    expect(waves).toEqual([['foundation'], ['apps', 'edge']]);
  });
});

describe('stateReadDependencies', () => {
  const stack = (name: string, dependencies: string[] = []) => ({
    name,
    dependencies,
    workingDirectory: `/o/stacks/${name}`,
    synthesizedStackPath: `/o/stacks/${name}/cdk.tf.json`,
  });
  const local = (name: string, reads: string[] = []) => ({
    terraform: { backend: { local: { path: `../../../state/${name}.tfstate` } } },
    data: {
      terraform_remote_state: Object.fromEntries(
        reads.map((r) => [`anything-${r}`, { backend: 'local', config: { path: `../../../state/${r}.tfstate` } }]),
      ),
    },
  });

  it('matches remote states by backend location, and keeps the manifest dependencies when one matches no stack', () => {
    const manifest = { outDir: '/o', version: '0.21.0', stacks: [stack('a'), stack('b', ['a']), stack('c', ['a', 'b'])] };
    const jsons: Record<string, object> = { a: local('a'), b: local('b', ['a']), c: local('c', ['unknown']) };
    const deps = stateReadDependencies(manifest, (s) => jsons[s.name]!);
    expect(deps.b).toEqual({ reads: ['a'], orderingOnly: [], unresolved: false });
    expect(deps.c).toEqual({ reads: ['a', 'b'], orderingOnly: [], unresolved: true });
  });

  it('matches azurerm remote states by account, container and key', () => {
    const az = (key: string) => ({ storage_account_name: 'st', container_name: 'tf', key });
    const manifest = { outDir: '/o', version: '0.21.0', stacks: [stack('a'), stack('b', ['a'])] };
    const jsons: Record<string, object> = {
      a: { terraform: { backend: { azurerm: az('a.tfstate') } } },
      b: {
        terraform: { backend: { azurerm: az('b.tfstate') } },
        data: { terraform_remote_state: { x: { backend: 'azurerm', config: az('a.tfstate') } } },
      },
    };
    expect(stateReadDependencies(manifest, (s) => jsons[s.name]!).b).toEqual({ reads: ['a'], orderingOnly: [], unresolved: false });
  });
});

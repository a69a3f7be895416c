import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from './support/temp-dir';
import { describeBackend, loadManifest, type ManifestStack, orderStacks, selectStacks } from '../../src/deploy/manifest';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function writeOut(stacks: Record<string, unknown>, files: string[] = Object.keys(stacks)): string {
  const dir = makeTempDir('cvat-manifest-');
  dirs.push(dir);
  for (const name of files) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), '{}');
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks }));
  return dir;
}

const entry = (name: string, dependencies: string[]) => ({
  name,
  workingDirectory: `stacks/${name}`,
  synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
  dependencies,
});
const stack = (name: string, dependencies: string[] = []): ManifestStack => ({
  name,
  dependencies,
  workingDirectory: `/x/${name}`,
  synthesizedStackPath: `/x/${name}/cdk.tf.json`,
});

describe('orderStacks', () => {
  it('puts every stack after its dependencies, whatever the manifest order', () => {
    expect(orderStacks([stack('edge', ['apps']), stack('apps', ['foundation']), stack('foundation')]).map((s) => s.name)).toEqual([
      'foundation',
      'apps',
      'edge',
    ]);
  });

  it('keeps manifest order between independent stacks (deterministic)', () => {
    expect(orderStacks([stack('b'), stack('a'), stack('c', ['a', 'b'])]).map((s) => s.name)).toEqual(['b', 'a', 'c']);
  });

  it('names the stacks of a dependency cycle', () => {
    expect(() => orderStacks([stack('foundation'), stack('apps', ['edge']), stack('edge', ['apps'])])).toThrow(
      'stack dependencies form a cycle among: apps, edge',
    );
  });
});

describe('selectStacks', () => {
  const ordered = orderStacks([stack('foundation'), stack('apps', ['foundation']), stack('edge', ['apps'])]);
  it('keeps dependency order for --stack and rejects unknown names', () => {
    expect(selectStacks(ordered, ['edge', 'foundation']).map((s) => s.name)).toEqual(['foundation', 'edge']);
    expect(() => selectStacks(ordered, ['web'])).toThrow(
      "'--stack' (web) is not a stack of the manifest; expected one of: foundation, apps, edge",
    );
  });
});

describe('loadManifest', () => {
  it('reads a cdktf manifest and resolves paths against cdktf.out', () => {
    const dir = writeOut({ foundation: entry('foundation', []), apps: entry('apps', ['foundation']) });
    const m = loadManifest(dir);
    expect(m.version).toBe('0.21.0');
    expect(m.stacks.map((s) => [s.name, s.dependencies, s.workingDirectory])).toEqual([
      ['foundation', [], join(dir, 'stacks/foundation')],
      ['apps', ['foundation'], join(dir, 'stacks/apps')],
    ]);
  });

  it('says to run the synth when there is no manifest', () => {
    const dir = makeTempDir('cvat-manifest-');
    dirs.push(dir);
    expect(() => loadManifest(dir)).toThrow(
      /manifest.json does not exist: run the synth first \(cvat-infra synth, or npx nx run infra:synth\), or pass --out/,
    );
  });

  it.each([
    [
      { apps: entry('apps', ['foundation']) },
      ['apps'],
      "'stacks.apps.dependencies[0]' ('foundation') is not a stack of this manifest (stacks: apps)",
    ],
    [{ apps: { ...entry('apps', []), workingDirectory: 3 } }, ['apps'], "'stacks.apps.workingDirectory' (3) must be a non-empty string"],
    [{ apps: entry('apps', []) }, [], "'stacks.apps.synthesizedStackPath' (stacks/apps/cdk.tf.json) does not exist: re-run the synth"],
    [{}, [], "'stacks' is empty"],
  ])('rejects a broken manifest %#, naming the field', (stacks, files, message) => {
    expect(() => loadManifest(writeOut(stacks as Record<string, unknown>, files))).toThrow(message);
  });
});

describe('describeBackend', () => {
  it('resolves a local state path from the stack directory, as terraform does', () => {
    const s = stack('apps');
    expect(describeBackend(s, { terraform: { backend: { local: { path: '../../../state/apps.tfstate' } } } })).toEqual({
      type: 'local',
      path: '/state/apps.tfstate',
    });
    expect(
      describeBackend(s, {
        terraform: { backend: { azurerm: { storage_account_name: 'st', container_name: 'tfstate', key: 'cvat.apps.tfstate' } } },
      }),
    ).toEqual({
      type: 'azurerm',
      storageAccount: 'st',
      container: 'tfstate',
      key: 'cvat.apps.tfstate',
    });
    expect(describeBackend(s, {})).toEqual({ type: 'none' });
  });
});

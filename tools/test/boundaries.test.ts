import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { checkPackage } from '../check-boundaries.mjs';

const root = resolve(__dirname, '../..');
const PROVIDER = ['@cdktf', 'provider-azurerm'].join('/');

function fixtureWorkspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'boundaries-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ devDependencies: { vitest: '*' } }));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('module boundaries', () => {
  it.each(['catalogue', 'infra', 'ops-cli', 'smoke-tests', 'tools'])('reports no violation in the real %s package', (pkg) => {
    expect(checkPackage(pkg, root)).toEqual([]);
  });

  it('rejects cdktf in the catalogue and names the file and line', () => {
    const dir = fixtureWorkspace({
      'packages/catalogue/package.json': JSON.stringify({ dependencies: { cdktf: '*' } }),
      'packages/catalogue/src/a.ts': "export const x = 1;\nimport { App } from 'cdktf';\n",
    });
    try {
      expect(checkPackage('catalogue', dir)).toEqual([
        "packages/catalogue/src/a.ts:2: 'cdktf' is not allowed in 'catalogue': CDKTF is archived upstream; it stays inside packages/infra",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects the provider package root import in infra but accepts a deep import', () => {
    const dir = fixtureWorkspace({
      'packages/infra/package.json': JSON.stringify({ dependencies: { '@cdktf/provider-azurerm': '*' } }),
      // The root-import line is assembled so that no file in the repository contains it literally.
      'packages/infra/src/a.ts': `import { containerApp } from '${PROVIDER}';\nimport { ContainerApp } from '${PROVIDER}/lib/container-app';\n`,
    });
    try {
      const v = checkPackage('infra', dir);
      expect(v).toHaveLength(1);
      expect(v[0]).toContain("src/a.ts:1: import '@cdktf/provider-azurerm/lib/<resource>' instead of the package root");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects ops-cli importing infra, an undeclared package, and a relative import into another package', () => {
    const dir = fixtureWorkspace({
      'packages/ops-cli/package.json': JSON.stringify({ dependencies: { '@cvat-cloud/catalogue': '*' } }),
      'packages/ops-cli/src/a.ts': [
        "import { x } from '@cvat-cloud/infra';",
        "import { y } from '@cvat-cloud/catalogue';",
        "const pg = " + "require('pg');",
        "import { z } from '../../infra/src/z';",
        "import { readFileSync } from 'node:fs';",
      ].join('\n'),
    });
    try {
      const v = checkPackage('ops-cli', dir);
      expect(v).toEqual([
        "packages/ops-cli/src/a.ts:1: 'ops-cli' may not import '@cvat-cloud/infra' (allowed: catalogue)",
        "packages/ops-cli/src/a.ts:3: 'pg' is imported but not declared in packages/ops-cli/package.json",
        "packages/ops-cli/src/a.ts:4: relative import '../../infra/src/z' leaves the package; import the other package by name",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects Azure SDKs in the catalogue', () => {
    const dir = fixtureWorkspace({
      'packages/catalogue/package.json': JSON.stringify({ dependencies: { '@azure/identity': '*' } }),
      'packages/catalogue/src/a.ts': "export { DefaultAzureCredential } from '@azure/identity';\n",
    });
    try {
      expect(checkPackage('catalogue', dir)[0]).toContain("'@azure/identity' is not allowed in 'catalogue'");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('nx project graph', () => {
  it('lists the packages and shows catalogue as a dependency of infra, ops-cli and smoke-tests only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'graph-'));
    try {
      const file = join(dir, 'graph.json');
      execFileSync('npx', ['nx', 'graph', `--file=${file}`], {
        cwd: root,
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
        stdio: 'pipe',
      });
      const { graph } = JSON.parse(readFileSync(file, 'utf8'));
      expect(Object.keys(graph.nodes).sort()).toEqual(['catalogue', 'infra', 'ops-cli', 'smoke-tests', 'tools']);
      const deps = (p: string) => graph.dependencies[p].map((d: { target: string }) => d.target).sort();
      expect(deps('catalogue')).toEqual([]);
      expect(deps('infra')).toEqual(['catalogue']);
      expect(deps('ops-cli')).toEqual(['catalogue']);
      expect(deps('smoke-tests')).toEqual(['catalogue']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

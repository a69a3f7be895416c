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
  it.each(['catalogue', 'runtime', 'testing', 'infra', 'ops-cli', 'smoke-tests', 'tools'])(
    'reports no violation in the real %s package',
    (pkg) => {
      expect(checkPackage(pkg, root)).toEqual([]);
    },
  );

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
        'const pg = ' + "require('pg');",
        "import { z } from '../../infra/src/z';",
        "import { readFileSync } from 'node:fs';",
      ].join('\n'),
    });
    try {
      const v = checkPackage('ops-cli', dir);
      expect(v).toEqual([
        "packages/ops-cli/src/a.ts:1: 'ops-cli' may not import '@cvat-cloud/infra' (allowed: catalogue, runtime)",
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

describe('runtime and testing boundaries', () => {
  const inFixture = (files: Record<string, string>, pkg: string): string[] => {
    const dir = fixtureWorkspace(files);
    try {
      return checkPackage(pkg, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('lets the runtime import the catalogue and Azure SDKs (also lazily)', () => {
    expect(
      inFixture(
        {
          'packages/runtime/package.json': JSON.stringify({
            dependencies: { '@cvat-cloud/catalogue': '*', '@azure/identity': '*', '@azure/keyvault-secrets': '*' },
          }),
          'packages/runtime/src/a.ts': [
            "import { loadEnvironmentConfig } from '@cvat-cloud/catalogue';",
            "import type { TokenCredential } from '@azure/identity';",
            // assembled so this test file itself does not contain a dynamic import of an undeclared package
            'export const load = () => im' + "port('@azure/keyvault-secrets');",
          ].join('\n'),
        },
        'runtime',
      ),
    ).toEqual([]);
  });

  it('rejects cdktf, pg, undici and every other package of ours in the runtime', () => {
    expect(
      inFixture(
        {
          'packages/runtime/package.json': JSON.stringify({ dependencies: { cdktf: '*', pg: '*', undici: '*' } }),
          'packages/runtime/src/a.ts': [
            "import { App } from 'cdktf';",
            "import { Client } from 'pg';",
            "import { request } from 'undici';",
            "import { x } from '@cvat-cloud/ops-cli';",
            "import { y } from '@cvat-cloud/infra';",
          ].join('\n'),
        },
        'runtime',
      ),
    ).toEqual([
      "packages/runtime/src/a.ts:1: 'cdktf' is not allowed in 'runtime': CDKTF is archived upstream; it stays inside packages/infra",
      expect.stringMatching(/^packages\/runtime\/src\/a\.ts:2: 'pg' is not allowed in 'runtime': /),
      expect.stringMatching(/^packages\/runtime\/src\/a\.ts:3: 'undici' is not allowed in 'runtime': /),
      "packages/runtime/src/a.ts:4: 'runtime' may not import '@cvat-cloud/ops-cli' (allowed: catalogue)",
      "packages/runtime/src/a.ts:5: 'runtime' may not import '@cvat-cloud/infra' (allowed: catalogue)",
    ]);
  });

  it('accepts @cvat-cloud/testing from test files and vitest.config, rejects it from shipped code', () => {
    const manifest = JSON.stringify({ dependencies: { '@cvat-cloud/runtime': '*' }, devDependencies: { '@cvat-cloud/testing': '*' } });
    expect(
      inFixture(
        {
          'packages/ops-cli/package.json': manifest,
          'packages/ops-cli/test/a.test.ts': "import { FakeArmServer } from '@cvat-cloud/testing';\n",
          'packages/ops-cli/test/support/b.ts': "import { tempRepo } from '@cvat-cloud/testing';\n",
          'packages/ops-cli/src/c.test.ts': "import { FakeCredential } from '@cvat-cloud/testing';\n",
          'packages/ops-cli/vitest.config.mts': "import { defineProjectConfig } from '@cvat-cloud/testing/vitest';\n",
          'packages/ops-cli/src/d.ts': "import { CliError } from '@cvat-cloud/runtime';\nimport { tempDir } from '@cvat-cloud/testing';\n",
        },
        'ops-cli',
      ),
    ).toEqual([
      "packages/ops-cli/src/d.ts:2: '@cvat-cloud/testing' holds test doubles: import it from test files only (test/**, *.test.ts, " +
        'vitest.config.*), never from shipped code',
    ]);
  });

  it('lets infra and smoke-tests import the runtime', () => {
    for (const pkg of ['infra', 'smoke-tests']) {
      expect(
        inFixture(
          {
            [`packages/${pkg}/package.json`]: JSON.stringify({ dependencies: { '@cvat-cloud/runtime': '*' } }),
            [`packages/${pkg}/src/a.ts`]: "import { runMain, loadEnvironment } from '@cvat-cloud/runtime';\n",
          },
          pkg,
        ),
      ).toEqual([]);
    }
  });

  it('keeps the testing package to the catalogue: no runtime, no command package, no database driver', () => {
    expect(
      inFixture(
        {
          'packages/testing/package.json': JSON.stringify({ dependencies: { pg: '*' } }),
          'packages/testing/src/a.ts':
            "import { CliError } from '@cvat-cloud/runtime';\nimport { Client } from 'pg';\nimport { x } from '@cvat-cloud/ops-cli';\n",
        },
        'testing',
      ),
    ).toEqual([
      "packages/testing/src/a.ts:1: 'testing' may not import '@cvat-cloud/runtime' (allowed: catalogue)",
      expect.stringMatching(/^packages\/testing\/src\/a\.ts:2: 'pg' is not allowed in 'testing': /),
      "packages/testing/src/a.ts:3: 'testing' may not import '@cvat-cloud/ops-cli' (allowed: catalogue)",
    ]);
  });
});

describe('nx project graph', () => {
  it('lists the packages: catalogue under every other; infra, ops-cli and smoke-tests on the runtime and testing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'graph-'));
    try {
      const file = join(dir, 'graph.json');
      execFileSync('npx', ['nx', 'graph', `--file=${file}`], {
        cwd: root,
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
        stdio: 'pipe',
      });
      const { graph } = JSON.parse(readFileSync(file, 'utf8'));
      expect(Object.keys(graph.nodes).sort()).toEqual(['catalogue', 'infra', 'ops-cli', 'runtime', 'smoke-tests', 'testing', 'tools']);
      const deps = (p: string) => graph.dependencies[p].map((d: { target: string }) => d.target).sort();
      expect(deps('catalogue')).toEqual([]);
      expect(deps('infra')).toEqual(['catalogue', 'runtime', 'testing']);
      expect(deps('ops-cli')).toEqual(['catalogue', 'runtime', 'testing']);
      expect(deps('runtime')).toEqual(['catalogue', 'testing']);
      expect(deps('testing')).toEqual(['catalogue']);
      expect(deps('smoke-tests')).toEqual(['catalogue', 'runtime', 'testing']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = resolve(__dirname, '../..');
const require = createRequire(import.meta.url);
const { scriptArgv, dependencyArgs } = require('../nx/run-script.cjs') as {
  scriptArgv: (line: string) => string[];
  dependencyArgs: (args: string[], keep: string[] | undefined) => string[];
};
const nxEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: 'true' };

describe('run-script executor', () => {
  it('passes shell metacharacters, spaces and quotes through an Nx target as one argument each and runs nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-script-'));
    try {
      const marker = join(dir, 'pwned');
      const hostile = [`x;touch ${marker}`, `$(touch ${marker})`, `\`touch ${marker}\``, 'two words', `it's "quoted"`, `a|b&&c>${marker}`];
      const out = execFileSync('npx', ['nx', 'run', 'tools:argv-probe', '--output-style=static', '--', '--env', ...hostile], {
        cwd: root,
        env: nxEnv,
        encoding: 'utf8',
      });
      const line = out.split('\n').find((l) => l.startsWith('ARGV='));
      expect(JSON.parse(line!.slice('ARGV='.length))).toEqual(['fixed', '--env', ...hostile]);
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes a dependency only its dependencyFlags, so `deploy -- --env X --yes` gives synth `--env X`', () => {
    const out = execFileSync(
      'npx',
      ['nx', 'run', 'tools:argv-probe-dependent', '--output-style=static', '--', '--env', 'a b', '--yes', '--env=c'],
      { cwd: root, env: nxEnv, encoding: 'utf8' },
    );
    const argvs = out
      .split('\n')
      .filter((l) => l.startsWith('ARGV='))
      .map((l) => JSON.parse(l.slice('ARGV='.length)) as string[]);
    expect(argvs).toEqual([
      ['fixed', '--env', 'a b', '--env=c'],
      ['dependent', '--env', 'a b', '--yes', '--env=c'],
    ]);
    expect(dependencyArgs(['--yes', '--env'], ['--env'])).toEqual([]);
    expect(dependencyArgs(['--dry-run', '--env', 'x'], undefined)).toEqual(['--dry-run', '--env', 'x']);
  });

  it('fails the target, naming the script, when the script line uses shell syntax', () => {
    expect(() => scriptArgv('node a.js && rm -rf x')).toThrow("script 'node a.js && rm -rf x' uses shell syntax");
    expect(scriptArgv('node dist/deploy/cli.js deploy --stack foundation').slice(1)).toEqual([
      'dist/deploy/cli.js',
      'deploy',
      '--stack',
      'foundation',
    ]);
    expect(scriptArgv('node x.js')[0]).toBe(process.execPath);
  });
});

/** Scripts a user never passes arguments to: they may keep Nx's inferred `nx:run-script`. */
const INTERNAL_SCRIPTS = new Set(['build', 'typecheck', 'lint', 'test']);

interface PackageJson {
  scripts?: Record<string, string>;
  nx?: { name?: string; targets?: Record<string, { executor?: string; dependsOn?: unknown[] }> };
}

function workspacePackages(): { dir: string; pkg: PackageJson }[] {
  const dirs = [...readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d)), join(root, 'tools')];
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson }));
}

describe('Nx targets users pass arguments to', () => {
  const packages = workspacePackages();

  it('finds the workspace packages', () => {
    expect(packages.map((p) => p.pkg.nx?.name).sort()).toEqual(
      expect.arrayContaining(['catalogue', 'infra', 'ops-cli', 'smoke-tests', 'tools']),
    );
  });

  it('run every user-facing script through the no-shell executor', () => {
    const viaShell: string[] = [];
    for (const { pkg } of packages) {
      for (const script of Object.keys(pkg.scripts ?? {})) {
        if (INTERNAL_SCRIPTS.has(script)) continue;
        const executor = pkg.nx?.targets?.[script]?.executor;
        if (executor !== '@cvat-cloud/tools:run-script') viaShell.push(`${pkg.nx?.name}:${script} (${executor ?? 'nx:run-script'})`);
      }
    }
    expect(viaShell).toEqual([]);
  });

  it('have script lines the executor accepts (plain words, no shell syntax)', () => {
    for (const { pkg } of packages) {
      for (const [script, line] of Object.entries(pkg.scripts ?? {})) {
        if (INTERNAL_SCRIPTS.has(script)) continue;
        expect(() => scriptArgv(line), `${pkg.nx?.name}:${script}`).not.toThrow();
      }
    }
  });

  it('give synth only --env and --out from the arguments of the target that depends on it', () => {
    const infra = packages.find((p) => p.pkg.nx?.name === 'infra')!;
    const synth = infra.pkg.nx?.targets?.synth as { options?: { dependencyFlags?: string[] } } | undefined;
    expect(synth?.options?.dependencyFlags).toEqual(['--env', '--out']);
  });

  it('forward their arguments to synth, so `--env X` synthesizes X and nothing else', () => {
    const notForwarded: string[] = [];
    for (const { pkg } of packages) {
      for (const [name, target] of Object.entries(pkg.nx?.targets ?? {})) {
        for (const dep of target.dependsOn ?? []) {
          if (dep === 'synth') notForwarded.push(`${pkg.nx?.name}:${name}`);
          if (
            typeof dep === 'object' &&
            dep !== null &&
            (dep as { target?: string }).target === 'synth' &&
            (dep as { params?: string }).params !== 'forward'
          ) {
            notForwarded.push(`${pkg.nx?.name}:${name}`);
          }
        }
      }
    }
    expect(notForwarded).toEqual([]);
  });
});

describe('infra:synth through Nx', () => {
  it('receives a hostile --env value as one argument, runs nothing and names the value in its error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-argv-'));
    try {
      const marker = join(dir, 'pwned');
      const value = `x;touch ${marker}`;
      let output = '';
      let failed = false;
      try {
        // Without task dependencies (tools:test depends on infra:build) and into a scratch --out, so this run never
        // rewrites the dist or cdktf.out that the surrounding `run-many` is reading at the same time.
        execFileSync(
          'npx',
          [
            'nx',
            'run',
            'infra:synth',
            '--output-style=static',
            '--excludeTaskDependencies',
            '--skip-nx-cache',
            '--',
            '--env',
            value,
            '--out',
            join(dir, 'out'),
          ],
          {
            cwd: root,
            env: { ...nxEnv, NX_SKIP_NX_CACHE: 'false' },
            encoding: 'utf8',
            stdio: 'pipe',
          },
        );
      } catch (error) {
        failed = true;
        const e = error as { stdout?: string; stderr?: string };
        output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      }
      expect(failed).toBe(true);
      expect(output).toContain(`x;touch ${marker}`);
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ManifestStack } from '../../src/deploy/manifest';
import { acquireCacheLock, CACHE_LOCK_FILE, LOCK_FILE, providerLockStore, resolvePluginCache } from '../../src/deploy/providers';
import { runInfraCli } from '../../src/cli';
import { createTerraformRunner } from '../../src/deploy/terraform';
import { MIRROR_SKIP_REASON, startProviderMirror } from '../support/provider-mirror.mjs';
import { makeTempDir } from './support/temp-dir';
import { TERRAFORM_BINARY, TERRAFORM_SKIP_REASON } from './support/terraform-fixture';

const dirs: string[] = [];
const temp = (prefix: string) => {
  const d = makeTempDir(prefix);
  dirs.push(d);
  return d;
};
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

const stackIn = (root: string, name: string): ManifestStack => {
  const workingDirectory = join(root, 'stacks', name);
  mkdirSync(workingDirectory, { recursive: true });
  return { name, dependencies: [], workingDirectory, synthesizedStackPath: join(workingDirectory, 'cdk.tf.json') };
};
const lock = (version: string) =>
  `provider "registry.terraform.io/hashicorp/azurerm" {\n  version     = "${version}"\n  hashes = [\n    "h1:x=",\n  ]\n}\n`;

describe('resolvePluginCache', () => {
  it('uses TF_PLUGIN_CACHE_DIR when set, creating it (terraform does not)', () => {
    const dir = join(temp('cache-'), 'given');
    expect(resolvePluginCache({ TF_PLUGIN_CACHE_DIR: dir }, '/nonexistent-home')).toEqual({ dir, source: 'TF_PLUGIN_CACHE_DIR', env: {} });
    expect(existsSync(dir)).toBe(true);
  });

  it("leaves a CLI configuration's plugin_cache_dir alone, else defaults to one directory per machine", () => {
    const home = temp('home-');
    writeFileSync(join(home, '.terraformrc'), 'plugin_cache_dir = "$HOME/.terraform.d/plugin-cache"\n');
    expect(resolvePluginCache({}, home)).toEqual({ source: 'cli-config', env: {} });
    const other = temp('home-');
    const cache = resolvePluginCache({ XDG_CACHE_HOME: join(other, 'xdg') }, other);
    expect(cache).toEqual({
      dir: join(other, 'xdg', 'cvat-cloud', 'terraform-plugins'),
      source: 'default',
      env: { TF_PLUGIN_CACHE_DIR: join(other, 'xdg', 'cvat-cloud', 'terraform-plugins') },
    });
    expect(existsSync(cache.dir!)).toBe(true);
    expect(resolvePluginCache({}, other).dir).toBe(join(other, '.cache', 'cvat-cloud', 'terraform-plugins'));
  });
});

describe('providerLockStore', () => {
  it('places the committed lock before init and never overwrites it, saying where a changed one is', () => {
    const root = temp('locks-');
    const locks = join(root, 'terraform-locks');
    mkdirSync(locks);
    writeFileSync(join(locks, `apps${LOCK_FILE}`), lock('4.55.0'));
    const apps = stackIn(root, 'apps');
    const store = providerLockStore(locks, root);
    const lines: string[] = [];
    store.before(apps, (l) => lines.push(l));
    expect(readFileSync(join(apps.workingDirectory, LOCK_FILE), 'utf8')).toBe(lock('4.55.0'));
    writeFileSync(join(apps.workingDirectory, LOCK_FILE), lock('4.56.0')); // what an upgrading init would write
    store.after(apps, (l) => lines.push(l));
    expect(readFileSync(join(locks, `apps${LOCK_FILE}`), 'utf8')).toBe(lock('4.55.0'));
    expect(lines).toEqual([
      'providers: terraform init changed the lock of this stack (a provider update?): review stacks/apps/.terraform.lock.hcl and copy it to ' +
        'terraform-locks/apps.terraform.lock.hcl if intended',
    ]);
  });

  it('saves a new lock for committing and seeds the next stack with it', () => {
    const root = temp('locks-');
    const locks = join(root, 'terraform-locks');
    const [foundation, edge] = [stackIn(root, 'foundation'), stackIn(root, 'edge')];
    const store = providerLockStore(locks, root);
    const lines: string[] = [];
    store.before(foundation, (l) => lines.push(l));
    expect(existsSync(join(foundation.workingDirectory, LOCK_FILE))).toBe(false);
    writeFileSync(join(foundation.workingDirectory, LOCK_FILE), lock('4.55.0')); // what init wrote
    store.after(foundation, (l) => lines.push(l));
    expect(readFileSync(join(locks, `foundation${LOCK_FILE}`), 'utf8')).toBe(lock('4.55.0'));
    store.before(edge, (l) => lines.push(l));
    expect(readFileSync(join(edge.workingDirectory, LOCK_FILE), 'utf8')).toBe(lock('4.55.0'));
    expect(lines[0]).toMatch(/^providers: wrote terraform-locks\/foundation.terraform.lock.hcl: commit it/);
    expect(lines[1]).toBe(
      'providers: no committed lock yet; seeded from stacks/foundation/.terraform.lock.hcl so the cached providers are reused',
    );
  });
});

describe('acquireCacheLock', () => {
  it('lets one init at a time use the plugin cache, across processes, and takes over a lock whose holder is gone', async () => {
    const dir = temp('cache-lock-');
    const lines: string[] = [];
    const order: string[] = [];
    const releaseFirst = await acquireCacheLock(dir, (l) => lines.push(l), { pollMs: 10 });
    expect(readFileSync(join(dir, CACHE_LOCK_FILE), 'utf8')).toBe(String(process.pid));
    const second = acquireCacheLock(dir, (l) => lines.push(l), { pollMs: 10 }).then((release) => {
      order.push('second acquired');
      release();
    });
    await new Promise((r) => setTimeout(r, 60));
    order.push('first released');
    releaseFirst();
    await second;
    expect(order).toEqual(['first released', 'second acquired']);
    expect(lines).toEqual([`providers: another terraform init (pid ${process.pid}) is using the plugin cache; waiting for it`]);
    expect(existsSync(join(dir, CACHE_LOCK_FILE))).toBe(false);
    // A process that exited left its lock behind: taken over at once.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dir, CACHE_LOCK_FILE), gone);
    const release = await acquireCacheLock(dir, (l) => lines.push(l), { pollMs: 10, timeoutMs: 1000 });
    expect(readFileSync(join(dir, CACHE_LOCK_FILE), 'utf8')).toBe(String(process.pid));
    release();
    expect(lines).toHaveLength(1);
  });
});

const skip = TERRAFORM_SKIP_REASON ?? MIRROR_SKIP_REASON;
if (skip) console.warn(`[skipped] provider cache against real terraform: ${skip}`);

describe.skipIf(Boolean(skip))('one provider download per machine (real terraform, loopback provider mirror)', () => {
  it('downloads each provider once for three stacks, links the rest from the shared cache, and none on a warm machine', async () => {
    const root = temp('providers-');
    const mirror = await startProviderMirror(join(root, 'mirror'), [
      { namespace: 'hashicorp', type: 'azurerm', version: '4.55.0' },
      { namespace: 'hashicorp', type: 'random', version: '3.7.2' },
    ]);
    try {
      const cache = resolvePluginCache({ TF_PLUGIN_CACHE_DIR: join(root, 'plugin-cache') });
      const env = {
        PATH: process.env.PATH,
        HOME: root,
        SSL_CERT_FILE: mirror.certFile,
        TF_CLI_CONFIG_FILE: mirror.cliConfig(join(root, 'terraformrc')),
        TF_PLUGIN_CACHE_DIR: cache.dir,
      };
      const runner = createTerraformRunner(TERRAFORM_BINARY!, env);
      const initAll = async (outDir: string, lockDir: string) => {
        const store = providerLockStore(lockDir, root);
        const outputs: string[] = [];
        for (const [name, required] of [
          ['foundation', { azurerm: '4.55.0', random: '3.7.2' }],
          ['apps', { azurerm: '4.55.0' }],
          ['edge', { azurerm: '4.55.0' }],
        ] as const) {
          const stack = stackIn(outDir, name);
          const providers = Object.fromEntries(Object.entries(required).map(([t, v]) => [t, { source: `hashicorp/${t}`, version: v }]));
          writeFileSync(stack.synthesizedStackPath, JSON.stringify({ terraform: { required_providers: providers } }));
          store.before(stack, () => undefined);
          const result = await runner.run(['init', '-input=false', '-no-color'], { cwd: stack.workingDirectory });
          expect(result.exitCode, result.stderr).toBe(0);
          store.after(stack, () => undefined);
          outputs.push(result.stdout);
        }
        return outputs;
      };
      // A fresh machine with no committed lock: one download per provider; apps and edge use the cache.
      const fresh = await initAll(join(root, 'run1'), join(root, 'locks'));
      expect(mirror.downloads()).toEqual({ 'hashicorp/azurerm': 1, 'hashicorp/random': 1 });
      expect(fresh[1]).toContain('Using hashicorp/azurerm v4.55.0 from the shared cache directory');
      expect(fresh[2]).toContain('Using hashicorp/azurerm v4.55.0 from the shared cache directory');
      const linked = join(root, 'run1/stacks/edge/.terraform/providers/registry.terraform.io/hashicorp/azurerm/4.55.0', mirror.platform);
      expect(lstatSync(linked).isSymbolicLink()).toBe(true);
      expect(readFileSync(join(root, 'locks', `apps${LOCK_FILE}`), 'utf8')).toContain('registry.terraform.io/hashicorp/azurerm');
      // The same machine, a new checkout with the locks committed: no download at all.
      await initAll(join(root, 'run2'), join(root, 'locks'));
      expect(mirror.totalDownloads()).toBe(2);
    } finally {
      await mirror.close();
    }
  }, 120_000);
});

describe.skipIf(Boolean(skip))('cvat-infra providers-lock (real terraform, loopback provider mirror)', () => {
  it('writes each stack lock with every platform from the mirror, keeps nothing else, and refuses bad platforms', async () => {
    const root = temp('providers-lock-');
    const platforms = ['linux_amd64', 'darwin_arm64', 'windows_amd64'];
    const mirror = await startProviderMirror(join(root, 'mirror'), [{ namespace: 'hashicorp', type: 'azurerm', version: '4.55.0' }], {
      platforms,
    });
    try {
      // A synth output of two stacks that need azurerm (no backend: providers lock reads only required_providers).
      const out = join(root, 'cdktf.out');
      const manifest = { version: '0.21.0', stacks: {} as Record<string, unknown> };
      for (const name of ['foundation', 'edge']) {
        const dir = join(out, 'stacks', name);
        mkdirSync(dir, { recursive: true });
        writeFileSync(
          join(dir, 'cdk.tf.json'),
          JSON.stringify({ terraform: { required_providers: { azurerm: { source: 'azurerm', version: '4.55.0' } } } }),
        );
        manifest.stacks[name] = {
          workingDirectory: `stacks/${name}`,
          synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
          dependencies: name === 'edge' ? ['foundation'] : [],
        };
      }
      writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest));
      const locks = join(root, 'locks');
      const env = { PATH: process.env.PATH, HOME: root, SSL_CERT_FILE: mirror.certFile, TF_PLUGIN_CACHE_DIR: join(root, 'cache') };
      const argv = [
        'providers-lock',
        '--json',
        '--out',
        out,
        '--lock-dir',
        locks,
        '--net-mirror',
        mirror.url,
        ...platforms.flatMap((p) => ['--platform', p]),
      ];
      let stdout = '';
      let stderr = '';
      const code = await runInfraCli(argv, {
        env,
        cwd: root,
        stdinIsTTY: false,
        out: (t) => {
          stdout += t;
        },
        err: (t) => {
          stderr += t;
        },
      });
      expect(code, stderr).toBe(0);
      const report = JSON.parse(stdout);
      expect(report.stacks).toEqual([
        { stack: 'foundation', lockFile: `locks/foundation${LOCK_FILE}`, providers: ['registry.terraform.io/hashicorp/azurerm'] },
        { stack: 'edge', lockFile: `locks/edge${LOCK_FILE}`, providers: ['registry.terraform.io/hashicorp/azurerm'] },
      ]);
      const lock = readFileSync(join(locks, `edge${LOCK_FILE}`), 'utf8');
      // One h1: checksum per platform package (each stand-in archive differs), so every platform can use a cache.
      expect(lock.match(/"h1:/g)?.length).toBe(platforms.length);
      expect(stderr).toContain(`providers-lock: commit locks/foundation${LOCK_FILE}, locks/edge${LOCK_FILE}`);

      const bad = await runInfraCli(['providers-lock', '--out', out, '--platform', 'Linux-AMD64'], {
        env,
        cwd: root,
        stdinIsTTY: false,
        out: () => undefined,
        err: (t) => {
          stderr += t;
        },
      });
      expect(bad).toBe(2);
      expect(stderr).toContain("'--platform' (Linux-AMD64) must be an os_arch pair such as linux_amd64 or darwin_arm64");
    } finally {
      await mirror.close();
    }
  }, 120_000);
});

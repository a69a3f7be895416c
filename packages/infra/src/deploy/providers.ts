/**
 * Provider installation shared by every stack: one plugin cache per machine and one committed lock file per stack.
 *
 * Terraform's provider plugin cache (https://developer.hashicorp.com/terraform/cli/config/config-file#provider-plugin-cache)
 * keeps each provider package once per machine; `terraform init` in a stack links it instead of downloading it again.
 * Three facts from that page shape this module: the directory must already exist (Terraform does not create it);
 * the cache is not guaranteed to be safe for concurrent installs (the orchestrator runs inits one at a time); and
 * since Terraform 1.4 a cached package is used only when the stack's dependency lock file already records its
 * checksum — without a lock file, each stack downloads again to verify. So each stack gets its lock file before init:
 * the committed `packages/infra/terraform-locks/<stack>.terraform.lock.hcl`, or, when none is committed yet, the lock
 * another stack wrote earlier in the same run (its entries for providers the stack does not use are dropped by init).
 */
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { ManifestStack } from './manifest';

/** The lock file `terraform init` reads and writes in a working directory. */
export const LOCK_FILE = '.terraform.lock.hcl';

/** Where the plugin cache is and who chose it. */
export interface PluginCache {
  /** Absolute directory, or `undefined` when the CLI configuration sets it and we leave it alone. */
  readonly dir?: string;
  /**
   * `TF_PLUGIN_CACHE_DIR`: the caller's environment; `cli-config`: `plugin_cache_dir` in the Terraform CLI
   * configuration; `default`: this tool's per-machine default.
   */
  readonly source: 'TF_PLUGIN_CACHE_DIR' | 'cli-config' | 'default';
  /** Variables to add to the terraform children's environment. */
  readonly env: Readonly<Record<string, string>>;
}

/** The Terraform CLI configuration file terraform reads: `TF_CLI_CONFIG_FILE`, else `~/.terraformrc`. */
function cliConfigFile(env: Readonly<Record<string, string | undefined>>, home: string): string {
  return env.TF_CLI_CONFIG_FILE || join(home, '.terraformrc');
}

/**
 * The plugin cache every terraform child uses: `TF_PLUGIN_CACHE_DIR` when set; else the CLI configuration's own
 * `plugin_cache_dir` (left to terraform); else `$XDG_CACHE_HOME/cvat-cloud/terraform-plugins` (`~/.cache/…`), one per
 * machine and user. The directory is created when we choose or are given it.
 */
export function resolvePluginCache(env: Readonly<Record<string, string | undefined>>, home: string = homedir()): PluginCache {
  const given = env.TF_PLUGIN_CACHE_DIR?.trim();
  if (given) {
    const dir = resolve(given);
    mkdirSync(dir, { recursive: true });
    return { dir, source: 'TF_PLUGIN_CACHE_DIR', env: {} };
  }
  const config = cliConfigFile(env, home);
  try {
    if (/^\s*plugin_cache_dir\s*=/m.test(readFileSync(config, 'utf8'))) return { source: 'cli-config', env: {} };
  } catch {
    // no CLI configuration file: nothing set there
  }
  const dir = join(env.XDG_CACHE_HOME || join(home, '.cache'), 'cvat-cloud', 'terraform-plugins');
  mkdirSync(dir, { recursive: true });
  return { dir, source: 'default', env: { TF_PLUGIN_CACHE_DIR: dir } };
}

/** One line for the log: where providers come from. */
export function formatPluginCache(cache: PluginCache): string {
  if (cache.source === 'cli-config') return 'providers: plugin cache from plugin_cache_dir in the Terraform CLI configuration';
  return `providers: plugin cache ${cache.dir} (${cache.source === 'default' ? 'per-machine default; TF_PLUGIN_CACHE_DIR overrides' : 'TF_PLUGIN_CACHE_DIR'})`;
}

/**
 * Places and keeps each stack's dependency lock file around its `terraform init` (the orchestrator's
 * `providerLocks`). A committed lock is copied into the stack before init and never overwritten: if init changes
 * it (a provider update), the log says where the new one is to review and commit. A stack without a committed lock
 * gets the lock another stack wrote in this run as a seed (so the cached provider is reused rather than downloaded
 * again), and the lock its init writes is saved for committing.
 *
 * @param lockDir e.g. `packages/infra/terraform-locks`
 * @param cwd paths in log lines are shown relative to it
 */
export function providerLockStore(lockDir: string, cwd: string = process.cwd()) {
  let seed: string | undefined;
  const committedFile = (stack: ManifestStack) => join(lockDir, `${stack.name}${LOCK_FILE}`);
  const committedBefore = new Map<string, string | undefined>();
  return {
    before(stack: ManifestStack, log: (line: string) => void): void {
      const committed = committedFile(stack);
      const target = join(stack.workingDirectory, LOCK_FILE);
      if (existsSync(committed)) {
        const text = readFileSync(committed, 'utf8');
        committedBefore.set(stack.name, text);
        writeFileSync(target, text);
        return;
      }
      committedBefore.set(stack.name, undefined);
      if (seed && !existsSync(target)) {
        copyFileSync(seed, target);
        log(`providers: no committed lock yet; seeded from ${relative(cwd, seed)} so the cached providers are reused`);
      }
    },
    after(stack: ManifestStack, log: (line: string) => void): void {
      const target = join(stack.workingDirectory, LOCK_FILE);
      if (!existsSync(target)) return; // no provider to lock (only built-in providers)
      const written = readFileSync(target, 'utf8');
      if (!/^provider "/m.test(written)) return;
      seed = target;
      const committed = committedFile(stack);
      const before = committedBefore.get(stack.name);
      if (before === undefined) {
        mkdirSync(lockDir, { recursive: true });
        writeFileSync(committed, written);
        log(
          `providers: wrote ${relative(cwd, committed)}: commit it so every machine installs the same providers ` +
            `(add the hashes of other platforms with terraform providers lock -platform=…, see docs/deploy.md)`,
        );
      } else if (before !== written) {
        log(
          `providers: terraform init changed the lock of this stack (a provider update?): review ${relative(cwd, target)} ` +
            `and copy it to ${relative(cwd, committed)} if intended`,
        );
      }
    },
  };
}

/** The file that marks an `init` using the plugin cache, across processes. */
export const CACHE_LOCK_FILE = '.cvat-infra-init.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Waits until no other process is running `terraform init` against the plugin cache, then holds it: the per-stack Nx
 * targets (`nx run-many -t deploy:apps deploy:edge`) run separate processes at once, and the cache is not safe for
 * concurrent installs. The lock is a file created exclusively in the cache directory with the holder's pid; one left
 * by a process that no longer runs is taken over. Resolves to the release function.
 *
 * @param timeoutMs give up (and go on without the lock, saying so) after this long @default 600000
 */
export async function acquireCacheLock(
  dir: string,
  log: (line: string) => void,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<() => void> {
  const file = join(dir, CACHE_LOCK_FILE);
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let told = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return () => undefined; // no lock possible: go on without
    }
    const holder = Number.parseInt(readFileSafe(file), 10);
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      log(`providers: ${file} is still held (pid ${holder}); running init without waiting further`);
      return () => undefined;
    }
    if (!told) {
      log(`providers: another terraform init (pid ${holder}) is using the plugin cache; waiting for it`);
      told = true;
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

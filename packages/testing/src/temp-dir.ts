/**
 * Throwaway directories for tests: {@link tempDir} (an empty directory) and {@link tempRepo} (a repository root with
 * `environments/<name>.yaml`, found by the catalogue's `findRepoRoot`, plus any files written under it). Both are
 * removed by `cleanup()`; call it in `afterEach`.
 */
import { lstatSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { loadEnvironmentConfig, resourceNames, type EnvironmentConfig, type ResourceNames } from '@cvat-cloud/catalogue';

/** A temporary directory. */
export interface TempDir {
  readonly dir: string;
  /** Writes `content` to `path` (relative to `dir`, parent directories created) and returns the absolute path. */
  write(path: string, content: string | Buffer): string;
  /** Removes the directory and everything in it. */
  cleanup(): void;
}

/** Creates an empty directory under the OS temp directory, named `<prefix>XXXXXX`. */
export function tempDir(prefix = 'cvat-test-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(path, content) {
      const full = join(dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
      return full;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A temporary repository root with one valid environment. */
export interface TempRepo extends TempDir {
  readonly config: EnvironmentConfig;
  readonly names: ResourceNames;
}

/** Test subscription id (a valid GUID that is nobody's subscription). */
export const TEST_SUBSCRIPTION = '00000000-1111-2222-3333-444444444444';

/** The smallest valid environment file for `name`. */
export function minimalEnvironmentYaml(name: string, subscriptionId: string = TEST_SUBSCRIPTION): string {
  return `name: ${name}\nsubscriptionId: ${subscriptionId}\nedge:\n  mode: none\n  hostname: cvat.example.com\n`;
}

/**
 * Writes `environments/<envName>.yaml` (`yaml`, default {@link minimalEnvironmentYaml}) into a new temporary
 * directory and loads it through the catalogue; throws when the file is invalid (a broken fixture, not a test result).
 */
export function tempRepo(envName = 'dev', yaml: string = minimalEnvironmentYaml(envName)): TempRepo {
  const base = tempDir('cvat-repo-');
  base.write(`environments/${envName}.yaml`, yaml);
  const loaded = loadEnvironmentConfig(envName, { cwd: base.dir });
  if (loaded.errors) {
    base.cleanup();
    throw new Error(`temp repo: invalid environment: ${loaded.errors.map((e) => e.message).join('; ')}`);
  }
  return { ...base, config: loaded.value, names: resourceNames(loaded.value) };
}

/**
 * Every entry under `dir` (relative path → `<kind> <size> <mtime ms>`, kind f/d/l/p for file, directory, symlink,
 * other), for asserting that a command wrote, changed and deleted nothing: compare a snapshot before and after.
 * Directories are listed without size and time (their entries are listed themselves).
 */
export function treeSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      const full = join(current, name);
      const st = lstatSync(full);
      const kind = st.isDirectory() ? 'd' : st.isFile() ? 'f' : st.isSymbolicLink() ? 'l' : 'p';
      out[relative(dir, full)] = st.isDirectory() ? 'd' : `${kind} ${st.size} ${st.mtimeMs}`;
      if (st.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out;
}

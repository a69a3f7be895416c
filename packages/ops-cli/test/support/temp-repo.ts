/**
 * A throwaway repository root for tests: `environments/<name>.yaml` (found by the catalogue's findRepoRoot) and
 * optional files under it (e.g. packages/catalogue/config/… sources for `storage config push`). Removed by cleanup().
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadEnvironmentConfig, resourceNames, type EnvironmentConfig, type ResourceNames } from '@cvat-cloud/catalogue';

export interface TempRepo {
  dir: string;
  config: EnvironmentConfig;
  names: ResourceNames;
  write(path: string, content: string | Buffer): string;
  cleanup(): void;
}

/** Test subscription id (a valid GUID that is nobody's subscription). */
export const TEST_SUBSCRIPTION = '00000000-1111-2222-3333-444444444444';

export function tempRepo(envName = 'dev', yaml = `name: ${envName}\nsubscriptionId: ${TEST_SUBSCRIPTION}\nedge:\n  mode: none\n  hostname: cvat.example.com\n`): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), 'ops-repo-'));
  const write = (path: string, content: string | Buffer): string => {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    return full;
  };
  write(`environments/${envName}.yaml`, yaml);
  const loaded = loadEnvironmentConfig(envName, { cwd: dir });
  if (loaded.errors) throw new Error(`temp repo: invalid environment: ${loaded.errors.map((e) => e.message).join('; ')}`);
  return { dir, config: loaded.value, names: resourceNames(loaded.value), write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

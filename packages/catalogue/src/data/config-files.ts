import { resolve } from 'node:path';
import type { Catalogue } from '../schema/catalogue';

/** Root of the catalogue package (where `config/` lives), from both `src/` and `dist/`. */
export const CATALOGUE_PACKAGE_ROOT = resolve(__dirname, '..', '..');

/**
 * Absolute path of a config file's `source` (sources are relative to packages/catalogue, e.g.
 * `config/vector/vector.toml`). Infra reads the file from here to upload it into its share.
 */
export function configFileSourcePath(source: string): string {
  return resolve(CATALOGUE_PACKAGE_ROOT, source);
}

/** Every config file of the enabled components, with its absolute source path. */
export function configFilesToUpload(c: Catalogue): { component: string; storage: string; path: string; sourcePath: string }[] {
  return c.components
    .filter((x) => x.enabled)
    .flatMap((x) =>
      x.configFiles.map((f) => ({ component: x.name, storage: f.storage, path: f.path, sourcePath: configFileSourcePath(f.source) })),
    );
}

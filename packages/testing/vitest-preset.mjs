// The shared vitest preset of the cvat-cloud packages: `export default defineProjectConfig()` in a package's
// vitest.config.mts gives every package the same test layout, Node environment, timeouts and tsconfig `paths`
// resolution (so tests import @cvat-cloud/* from source, no build needed). Plain ESM so a config can load it before
// anything is built.
import { defineConfig, mergeConfig } from 'vitest/config';

/** Defaults every package shares; `overrides` are merged over them (arrays are concatenated by mergeConfig). */
export const PRESET_DEFAULTS = {
  include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
  environment: 'node',
  testTimeoutMs: 30_000,
};

/**
 * Builds a package's vitest config.
 * @param {import('vitest/config').ViteUserConfig} [overrides] merged over the preset (e.g. `{ test: { setupFiles: [...] } }`)
 */
export function defineProjectConfig(overrides = {}) {
  return defineConfig(
    mergeConfig(
      {
        resolve: { tsconfigPaths: true },
        test: { include: PRESET_DEFAULTS.include, environment: PRESET_DEFAULTS.environment, testTimeout: PRESET_DEFAULTS.testTimeoutMs },
      },
      overrides,
    ),
  );
}

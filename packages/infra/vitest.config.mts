import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// cdktf's Testing leaks cdktf.outdir.* temp folders: each run gets its own folder under .tmp-test
// (so concurrent runs in this package do not delete each other's files) and removes it afterwards.
const runTmp = fileURLToPath(new URL(`./.tmp-test/run-${process.pid}`, import.meta.url));
process.env.INFRA_TEST_TMPDIR = runTmp;

export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    // cdktf matchers on vitest's expect (toolchain.md §4).
    setupFiles: ['test/setup/cdktf-matchers.ts'],
    globalSetup: ['test/setup/global.ts'],
    env: { TMPDIR: runTmp },
  },
});

import { fileURLToPath } from 'node:url';
import { defineProjectConfig } from '@cvat-cloud/testing/vitest';

// cdktf's Testing leaks cdktf.outdir.* temp folders: each run gets its own folder under .tmp-test
// (so concurrent runs in this package do not delete each other's files) and removes it afterwards.
const runTmp = fileURLToPath(new URL(`./.tmp-test/run-${process.pid}`, import.meta.url));
process.env.INFRA_TEST_TMPDIR = runTmp;

// The shared preset (layout, Node environment, 30 s timeout, tsconfig paths) plus infra's own: the cdktf matchers on
// vitest's expect, and the per-run temp folder.
export default defineProjectConfig({
  test: {
    setupFiles: ['test/setup/cdktf-matchers.ts'],
    globalSetup: ['test/setup/global.ts'],
    env: { TMPDIR: runTmp },
  },
});

import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `mkdtemp` under the test TMPDIR, creating TMPDIR first: vitest.config.mts points it at
 * packages/infra/.tmp-test, which another vitest run's teardown may have removed in the meantime.
 * The caller removes the directory when done.
 */
export function makeTempDir(prefix: string): string {
  mkdirSync(tmpdir(), { recursive: true });
  return mkdtempSync(join(tmpdir(), prefix));
}

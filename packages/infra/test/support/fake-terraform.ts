import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A PATH folder holding only a `terraform` stand-in that records every run in `log` (the tests that use it expect
 * none, or only the ones they name). `dir` is a scratch folder the caller removes.
 */
export function fakeTerraformPath(dir: string): { path: string; log: string } {
  const log = join(dir, 'terraform-was-run');
  writeFileSync(join(dir, 'terraform'), `#!/bin/sh\necho "$@" >> '${log}'\n`);
  chmodSync(join(dir, 'terraform'), 0o755);
  return { path: dir, log };
}

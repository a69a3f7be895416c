// cdktf's Testing.app() and fullSynth() create cdktf.outdir.* folders under os.tmpdir() and never
// remove them. vitest.config.mts points TMPDIR at packages/infra/.tmp-test/run-<pid>; this creates
// that folder before the run and removes it (with everything cdktf left there) afterwards, then
// removes .tmp-test itself when no other run is using it.
import { mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

const dir = process.env.INFRA_TEST_TMPDIR as string;

export function setup(): void {
  if (!dir) throw new Error('INFRA_TEST_TMPDIR is not set; run the tests through vitest.config.mts');
  mkdirSync(dir, { recursive: true });
}

export function teardown(): void {
  rmSync(dir, { recursive: true, force: true });
  try {
    rmdirSync(dirname(dir));
  } catch {
    // another run still has its folder there
  }
}

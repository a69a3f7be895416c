import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTerraform, runTerraformValidate } from '../../src/validate/terraform';

const dir = mkdtempSync(join(tmpdir(), 'validate-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bin = join(dir, 'bin');
mkdirSync(bin);
for (const name of ['terraform', 'tofu']) {
  writeFileSync(join(bin, name), '#!/bin/sh\nexit 0\n');
  chmodSync(join(bin, name), 0o755);
}

describe('validate finds terraform by the one variable every tool reads', () => {
  it('TF_BINARY names it (a bare name is looked up on PATH), the deprecated TERRAFORM_BIN still works, else terraform on PATH', () => {
    expect(findTerraform(undefined, { PATH: bin, TF_BINARY: 'tofu' })).toBe(join(bin, 'tofu'));
    expect(findTerraform(undefined, { PATH: '', TERRAFORM_BIN: join(bin, 'tofu') })).toBe(join(bin, 'tofu'));
    expect(findTerraform(undefined, { PATH: bin })).toBe(join(bin, 'terraform'));
    expect(findTerraform(join(bin, 'missing'), { PATH: bin })).toBeUndefined();
  });

  it('skips with the name it looked for when there is none', () => {
    const outcome = runTerraformValidate(dir, [], { env: { PATH: '', TF_BINARY: 'tofu' } });
    expect(outcome).toEqual({ status: 'skipped', reason: 'no terraform binary (tofu not found)' });
  });
});

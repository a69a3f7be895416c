import { describe, expect, it } from 'vitest';
import { terraformBinary } from '../src/edge';

describe('terraformBinary: one variable for every tool', () => {
  it('takes the flag first, then TF_BINARY, then terraform on PATH', () => {
    expect(terraformBinary({ flag: '/opt/tofu', env: { TF_BINARY: 'terraform' } })).toEqual({ binary: '/opt/tofu', source: '--binary' });
    expect(terraformBinary({ env: { TF_BINARY: 'tofu', TERRAFORM_BIN: 'x' } })).toEqual({ binary: 'tofu', source: 'TF_BINARY' });
    expect(terraformBinary({ env: { TF_BINARY: '  ' } })).toEqual({ binary: 'terraform', source: 'default' });
  });

  it('still reads the old names, warning once with the variable to set instead', () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    expect(terraformBinary({ env: { TERRAFORM_BIN: '/usr/bin/tf' }, warn })).toEqual({ binary: '/usr/bin/tf', source: 'TERRAFORM_BIN' });
    expect(terraformBinary({ env: { TERRAFORM_BINARY_NAME: 'tofu' }, warn })).toEqual({ binary: 'tofu', source: 'TERRAFORM_BINARY_NAME' });
    expect(warnings).toEqual([
      'warning: TERRAFORM_BIN is deprecated; set TF_BINARY=/usr/bin/tf instead (docs/environment-variables.md).',
      'warning: TERRAFORM_BINARY_NAME is deprecated; set TF_BINARY=tofu instead (docs/environment-variables.md).',
    ]);
  });
});

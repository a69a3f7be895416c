/**
 * Terraform 1.11 itself loads the synthesized foundation stack, whose generated secrets are `ephemeral` blocks written
 * into the JSON by hand (cdktf 0.21 has no construct for them). Without the providers (no network here) `terraform init`
 * cannot install them, but it loads and checks the configuration first: a malformed ephemeral block is reported then
 * (the control case), so an init that gets as far as installing providers has accepted the configuration's syntax.
 * Skipped, with the reason, when there is no terraform binary.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../deploy/support/temp-dir';
import { synthesize, type Synthesized } from '../support/synth';

const TERRAFORM = process.env.TERRAFORM_BIN ?? 'terraform';
const version = spawnSync(TERRAFORM, ['version'], { encoding: 'utf8' });
const SKIP = version.status === 0 ? undefined : `no terraform binary (${TERRAFORM}); the load check of the ephemeral blocks is skipped`;
if (SKIP) console.warn(`[skipped] ${SKIP}`);

/** Runs `terraform init -backend=false` on one stack document (without its backend) and returns its output. */
function init(dir: string, doc: Record<string, any>): string {
  mkdirSync(dir, { recursive: true });
  const copy = JSON.parse(JSON.stringify(doc));
  delete copy.terraform.backend;
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(copy));
  writeFileSync(join(dir, 'empty.tfrc'), '');
  const r = spawnSync(TERRAFORM, ['init', '-backend=false', '-input=false', '-no-color'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, TF_CLI_CONFIG_FILE: join(dir, 'empty.tfrc'), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
  });
  return `${r.stdout}\n${r.stderr}`;
}

(SKIP ? describe.skip : describe)('terraform loads the synthesized ephemeral blocks', () => {
  let s: Synthesized;
  let dir: string;
  beforeAll(() => {
    s = synthesize();
    dir = makeTempDir('ephemeral-tf-');
  });
  afterAll(() => s.dispose());

  it('gets past loading the foundation configuration (only provider installation is left), and refuses a malformed ephemeral block', () => {
    const foundation = s.stack('foundation');
    expect(Object.keys(foundation.ephemeral.random_password).length).toBeGreaterThan(0);
    const good = init(join(dir, 'good'), foundation);
    expect(good).toMatch(/Initializing provider plugins|Installing hashicorp\/random|Finding hashicorp\//);
    expect(good).not.toMatch(/Invalid ephemeral|Unsupported block type|Unsupported argument|Invalid reference/);
    const broken = JSON.parse(JSON.stringify(foundation));
    broken.ephemeral.random_password['not a name!'] = { length: 32 };
    expect(init(join(dir, 'broken'), broken)).toMatch(/Invalid ephemeral resource name/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { infraCli } from '../support/cli';
import { POLICY_RULES } from '../../src/policy';
import { synthesize, type Synthesized } from '../support/synth';

let s: Synthesized;
let work: string;
beforeAll(() => {
  s = synthesize();
  work = mkdtempSync(join(tmpdir(), 'policy-cli-'));
});
afterAll(() => {
  s.dispose();
  rmSync(work, { recursive: true, force: true });
});

async function run(argv: string[]) {
  const r = await infraCli(['policy', ...argv]);
  return { code: r.code, stdout: r.out, stderr: r.err };
}

describe('policy command', () => {
  it('exits 0 and prints one ok line per rule, when the synthesized example passes', async () => {
    const { code, stdout } = await run(['--out', s.outdir]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ok {3}stacks-ordered$/m);
    expect(stdout).toContain(`${POLICY_RULES.length} of ${POLICY_RULES.length} policy rules passed, 0 finding(s)`);
  });

  it('names an output inside the workspace relative to its root, so a replay from the Nx cache is right in any checkout', async () => {
    const inside = mkdtempSync(join(__dirname, '..', '..', '.tmp-test-policy-'));
    try {
      cpSync(s.outdir, inside, { recursive: true });
      const { code, stdout } = await run(['--out', inside]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^Policy over packages\/infra\/\.tmp-test-policy-\w+ \(/m);
      expect(stdout).not.toContain(join(__dirname, '..', '..'));
    } finally {
      rmSync(inside, { recursive: true, force: true });
    }
  });

  it('exits 1 and names the rule, the resource and the problem, when a stack violates a rule', async () => {
    const copy = join(work, 'violating');
    cpSync(s.outdir, copy, { recursive: true });
    const file = join(copy, 'stacks', 'foundation', 'cdk.tf.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const account = Object.values(json.resource.azurerm_storage_account as Record<string, Record<string, unknown>>)[0];
    account.min_tls_version = 'TLS1_0';
    writeFileSync(file, JSON.stringify(json));
    const { code, stdout } = await run(['--out', copy, '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings).toEqual([
      {
        rule: 'storage-hardening',
        address: expect.stringMatching(/^foundation:azurerm_storage_account\./),
        message: 'min_tls_version is TLS1_0; must be TLS1_2',
      },
    ]);
  });

  it('exits 4 (CONFIG), when there is no synthesized output', async () => {
    const { code, stderr } = await run(['--out', join(work, 'missing')]);
    expect(code).toBe(4);
    expect(stderr).toContain('manifest.json does not exist: run the synth first');
  });

  it('exits 2, when an argument is unknown', async () => {
    expect((await run(['--fix'])).code).toBe(2);
  });
});

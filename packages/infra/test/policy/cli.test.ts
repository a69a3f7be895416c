import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, POLICY_EXIT } from '../../src/policy/cli';
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

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('policy command', () => {
  it('exits 0 and prints one ok line per rule, when the synthesized example passes', () => {
    const { code, stdout } = run(['--out', s.outdir]);
    expect(code).toBe(POLICY_EXIT.OK);
    expect(stdout).toMatch(/^ok {3}stacks-ordered$/m);
    expect(stdout).toContain(`${POLICY_RULES.length} of ${POLICY_RULES.length} policy rules passed, 0 finding(s)`);
  });

  it('exits 1 and names the rule, the resource and the problem, when a stack violates a rule', () => {
    const copy = join(work, 'violating');
    cpSync(s.outdir, copy, { recursive: true });
    const file = join(copy, 'stacks', 'foundation', 'cdk.tf.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const account = Object.values(json.resource.azurerm_storage_account as Record<string, Record<string, unknown>>)[0];
    account.min_tls_version = 'TLS1_0';
    writeFileSync(file, JSON.stringify(json));
    const { code, stdout } = run(['--out', copy, '--json']);
    expect(code).toBe(POLICY_EXIT.VIOLATIONS);
    expect(JSON.parse(stdout).findings).toEqual([{ rule: 'storage-hardening', address: expect.stringMatching(/^foundation:azurerm_storage_account\./), message: 'min_tls_version is TLS1_0; must be TLS1_2' }]);
  });

  it('exits 3, when there is no synthesized output', () => {
    const { code, stderr } = run(['--out', join(work, 'missing')]);
    expect(code).toBe(POLICY_EXIT.INPUT);
    expect(stderr).toContain('manifest.json does not exist; run the synth first');
  });

  it('exits 2, when an argument is unknown', () => {
    expect(run(['--fix']).code).toBe(POLICY_EXIT.USAGE);
  });
});

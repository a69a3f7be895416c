// The validate command: exit codes, the readable and JSON reports over a mutated cdktf.out, and the
// terraform init/validate step (real binary where present; a stand-in script for the diagnostics
// mapping, since no provider plugins can be installed here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultEnvironments } from '../../src/commands/validate';
import { infraCli } from '../support/cli';
import { findTerraform, runTerraformValidate } from '../../src/validate/terraform';
import { synthesize, type Synthesized } from '../support/synth';

let s: Synthesized;
let mutated: string;
beforeAll(() => {
  s = synthesize();
  // A copy of the example output with cvat-server's startup probe at 90 failures (the provider allows 1-30).
  mutated = mkdtempSync(join(tmpdir(), 'validate-mutated-'));
  cpSync(s.outdir, mutated, { recursive: true });
  const file = join(mutated, 'stacks', 'apps', 'cdk.tf.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const server = Object.values(json.resource.azurerm_container_app as Record<string, any>).find((a) => a.name === 'cvat-server');
  server.template.container[0].startup_probe[0].failure_count_threshold = 90;
  writeFileSync(file, JSON.stringify(json, null, 2));
}, 60_000);
afterAll(() => {
  s.dispose();
  rmSync(mutated, { recursive: true, force: true });
});

async function capture(argv: string[]) {
  const r = await infraCli(['validate', ...argv], { env: { ...process.env } });
  return { code: r.code, stdout: r.out, stderr: r.err };
}

describe('cvat-infra validate', () => {
  it('exits 0 on the synthesized example', async () => {
    const r = await capture(['--out', s.outdir, '--no-terraform']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+ resources checked against \d+ constraint rules and the provider schemas: 0 error\(s\), 0 warning\(s\)/);
  });

  it('exits 1 on a mutated output and names stack, resource, attribute path, value, allowed range and provider source', async () => {
    const r = await capture(['--out', mutated, '--no-terraform']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /FAIL apps:azurerm_container_app\.\S+ template\.container\[0\]\.startup_probe\[0\]\.failure_count_threshold = 90/,
    );
    expect(r.stdout).toContain('allowed: an integer between 1 and 30; the value is out of range');
    expect(r.stdout).toContain(
      'rule azurerm_container_app:template.container.startup_probe.failure_count_threshold; ' +
        'hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/containerapps/helpers/container_apps.go ' +
        'ContainerAppStartupProbeSchema',
    );
  });

  it('--json prints the findings as data', async () => {
    const r = await capture(['--out', mutated, '--no-terraform', '--json']);
    expect(r.code).toBe(1);
    const [target] = JSON.parse(r.stdout);
    expect(target.findings).toEqual([
      expect.objectContaining({
        stack: 'apps',
        value: 90,
        path: 'template.container[0].startup_probe[0].failure_count_threshold',
        severity: 'error',
      }),
    ]);
  });

  it('--env synthesizes an environment into a scratch directory and checks it', async () => {
    const r = await capture(['--env', 'maximal-none', '--no-terraform']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Validate environment maximal-none');
  });

  it('checks every environments/maximal*.yaml by default', () => {
    expect(defaultEnvironments()).toEqual(['maximal', 'maximal-none']);
  });

  it('exits 4 on a missing output or environment and 2 on a bad argument', async () => {
    expect((await capture(['--out', join(mutated, 'nope')])).code).toBe(4);
    const bad = await capture(['--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown option '--bogus'");
    expect((await capture(['--env', 'no-such-env', '--no-terraform'])).code).toBe(4);
  });
});

describe('terraform init + validate', () => {
  const stacks = () => ['foundation', 'apps', 'edge'];

  it('skips, saying so, when there is no terraform binary', () => {
    const r = runTerraformValidate(s.outdir, stacks(), { terraformBin: join(mutated, 'no-terraform-here') });
    expect(r).toEqual({ status: 'skipped', reason: expect.stringContaining('no terraform binary') });
  });

  const real = findTerraform();
  it.runIf(real)('with the real terraform: runs where the providers can be installed, otherwise skips with init’s own reason', () => {
    const r = runTerraformValidate(s.outdir, stacks(), { timeoutSeconds: 120 });
    if (r.status === 'skipped') {
      // No network to registry.terraform.io and no mirror here: init's error names what failed.
      expect(r.reason).toMatch(/terraform init -backend=false could not obtain the providers for stack '\w+': .*(registry|provider)/i);
      console.info(`terraform validate skipped: ${r.reason}`);
    } else {
      expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    }
  });
  if (!real) it.skip('real terraform binary: not on PATH (set TERRAFORM_BIN to run it)', () => undefined);

  /** A test double of the terraform binary: a shell script answering `version`, `init` and `validate -json`. */
  function terraformStandIn(initBehaviour: 'ok' | 'registry' | 'syntax', diagnostics: unknown[] = []): string {
    const dir = mkdtempSync(join(tmpdir(), 'terraform-stand-in-'));
    const file = join(dir, 'terraform');
    const init =
      initBehaviour === 'ok'
        ? 'echo "Terraform has been successfully initialized!"; exit 0'
        : initBehaviour === 'registry'
          ? 'printf "Error: Failed to query available provider packages\\n\\nCould not retrieve the list of available versions for ' +
            'provider hashicorp/azurerm: could not connect to registry.terraform.io: no such host\\n" >&2; exit 1'
          : 'printf "Error: Invalid JSON syntax\\n" >&2; exit 1';
    writeFileSync(
      file,
      `#!/bin/sh\ncase "$1" in\n  version) echo "Terraform v1.11.4 (stand-in)";;\n  init) ${init};;\n` +
        `  validate) cat <<'JSON'\n${JSON.stringify({ valid: diagnostics.length === 0, diagnostics })}\nJSON\n  ;;\nesac\n`,
    );
    chmodSync(file, 0o755);
    return file;
  }

  it('maps validate diagnostics to findings (stand-in terraform)', () => {
    const bin = terraformStandIn('ok', [
      {
        severity: 'error',
        summary: 'expected template.0.container.0.startup_probe.0.failure_count_threshold to be in the range (1 - 30), got 90',
        range: { filename: 'cdk.tf.json', start: { line: 42 } },
        snippet: { context: 'resource "azurerm_container_app" "cvat-server"', code: '"failure_count_threshold": 90' },
      },
    ]);
    const r = runTerraformValidate(s.outdir, ['apps'], { terraformBin: bin });
    expect(r.status).toBe('ran');
    if (r.status !== 'ran') return;
    expect(r.terraform).toBe('Terraform v1.11.4 (stand-in)');
    expect(r.findings).toEqual([
      expect.objectContaining({
        rule: 'terraform/validate',
        severity: 'error',
        address: 'apps:resource "azurerm_container_app" "cvat-server"',
        path: 'cdk.tf.json:42',
        value: '"failure_count_threshold": 90',
        allowed: expect.stringContaining('in the range (1 - 30), got 90'),
      }),
    ]);
  });

  it('skips on a registry error from init and reports any other init failure (stand-in terraform)', () => {
    const skipped = runTerraformValidate(s.outdir, ['foundation'], { terraformBin: terraformStandIn('registry') });
    expect(skipped).toEqual({ status: 'skipped', reason: expect.stringContaining('could not connect to registry.terraform.io') });
    const failed = runTerraformValidate(s.outdir, ['foundation'], { terraformBin: terraformStandIn('syntax') });
    expect(failed.status === 'ran' && failed.findings.map((f) => [f.rule, f.allowed])).toEqual([
      ['terraform/init', 'Error: Invalid JSON syntax'],
    ]);
  });

  it('a terraform diagnostic makes the command exit 1 (stand-in terraform via TERRAFORM_BIN)', async () => {
    const previous = process.env.TERRAFORM_BIN;
    process.env.TERRAFORM_BIN = terraformStandIn('ok', [{ severity: 'error', summary: 'Unsupported argument' }]);
    try {
      const r = await capture(['--out', s.outdir]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('Unsupported argument');
    } finally {
      if (previous === undefined) delete process.env.TERRAFORM_BIN;
      else process.env.TERRAFORM_BIN = previous;
    }
  });
});

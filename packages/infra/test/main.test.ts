import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { defaultCatalogue } from '@cvat-cloud/catalogue';
import { parseSynthArgs, runSynth, SYNTH_EXIT, type SynthOptions } from '../src/main';
import { REPO_ROOT, DEFAULT_OUTDIR } from '../src/app';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'main-'));
  dirs.push(d);
  return d;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(options: Partial<SynthOptions>) {
  const out: string[] = [];
  const err: string[] = [];
  const result = runSynth({ env: 'example', outdir: join(tempDir(), 'cdktf.out'), json: false, cwd: REPO_ROOT, ...options }, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { ...result, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('synth command', () => {
  it('synthesizes the example environment into the three stacks with the order in manifest.json and prints the summary', () => {
    const outdir = join(tempDir(), 'cdktf.out');
    const { code, stdout, summary } = run({ outdir });
    expect(code).toBe(SYNTH_EXIT.OK);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(['apps', 'edge', 'foundation']);
    expect(manifest.stacks.apps.dependencies).toEqual(['foundation']);
    expect(manifest.stacks.edge.dependencies).toContain('apps');
    expect(stdout).toContain('Stacks (in order): foundation -> apps -> edge');
    expect(summary?.stacks.map((s) => s.name)).toEqual(['foundation', 'apps', 'edge']);
    expect(stdout).toMatch(/^ +15 {2}azurerm_container_app$/m);
    expect(existsSync(join(outdir, 'stacks', 'foundation', 'cdk.tf.json'))).toBe(true);
    expect(readdirNames(join(outdir, '..'))).toEqual(['cdktf.out']);
  });

  it('lists every catalogue component in the summary, disabled ones included', () => {
    const { stdout, summary } = run({});
    for (const c of defaultCatalogue().components) expect(stdout).toMatch(new RegExp(`^  ${c.name} +`, 'm'));
    expect(summary?.components.find((c) => c.name === 'grafana')?.deployedAs).toBe('disabled');
    expect(summary?.components.find((c) => c.name === 'cvat-init')?.deployedAs).toBe('job');
    expect(summary?.components.find((c) => c.name === 'edge')?.deployedAs).toBe('edge vm');
  });

  it('prints the summary as JSON, when --json is given', () => {
    const { stdout } = run({ json: true });
    const parsed = JSON.parse(stdout);
    expect(parsed.environment).toBe('example');
    expect(parsed.stacks[0].resourcesByType.azurerm_key_vault).toBe(1);
  });

  it('writes the same JSON twice, so synth is deterministic and cacheable', () => {
    const a = join(tempDir(), 'cdktf.out');
    const b = join(tempDir(), 'cdktf.out');
    run({ outdir: a });
    run({ outdir: b });
    for (const stack of ['foundation', 'apps', 'edge']) {
      expect(readFileSync(join(a, 'stacks', stack, 'cdk.tf.json'), 'utf8')).toBe(readFileSync(join(b, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    }
  });

  it('prints the catalogue errors naming the field, exits 1 and writes nothing, when the environment is invalid', () => {
    const root = tempDir();
    mkdirSync(join(root, 'environments'));
    const example = readFileSync(join(REPO_ROOT, 'environments', 'example.yaml'), 'utf8');
    writeFileSync(join(root, 'environments', 'broken.yaml'), example.replace('name: example', 'name: broken').replace('replicas: { min: 1, max: 2 }', 'replicas: { min: 1, max: 500 }'));
    const outdir = join(root, 'cdktf.out');
    mkdirSync(outdir);
    writeFileSync(join(outdir, 'previous.txt'), 'kept');
    const { code, stderr } = run({ env: 'broken', cwd: root, outdir });
    expect(code).toBe(SYNTH_EXIT.CONFIG);
    expect(stderr).toContain('components.cvat-worker-export.replicas.max');
    expect(stderr).toContain('500');
    expect(readFileSync(join(outdir, 'previous.txt'), 'utf8')).toBe('kept');
    expect(existsSync(join(outdir, 'manifest.json'))).toBe(false);
    expect(readdirNames(root).sort()).toEqual(['cdktf.out', 'environments']);
  });

  it('exits 1 without writing, when the environment file does not exist', () => {
    const outdir = join(tempDir(), 'cdktf.out');
    const { code, stderr } = run({ env: 'does-not-exist', outdir });
    expect(code).toBe(SYNTH_EXIT.CONFIG);
    expect(stderr).toContain("environment 'does-not-exist' is invalid");
    expect(existsSync(outdir)).toBe(false);
  });

  it('exits 3 and removes the staging output, when a construct rejects a value the config schema let through', () => {
    const root = tempDir();
    mkdirSync(join(root, 'environments'));
    // The schema accepts high availability on any SKU; the PostgresServer construct knows that
    // Burstable SKUs have no standby and refuses it at synth, before anything is written.
    const example = stringify({ name: 'odd', edge: { mode: 'vm', acmeEmail: 'ops@example.com', hostname: 'cvat.example.com' }, postgres: { skuName: 'B_Standard_B1ms', highAvailability: true } });
    writeFileSync(join(root, 'environments', 'odd.yaml'), example);
    const outdir = join(root, 'cdktf.out');
    const { code, stderr } = run({ env: 'odd', cwd: root, outdir });
    expect(code).toBe(SYNTH_EXIT.VALIDATION);
    expect(stderr).toContain("foundation/Postgres: 'highAvailability' (true) is not available on the Burstable SKU 'B_Standard_B1ms'");
    expect(readdirNames(root).sort()).toEqual(['environments']);
  });
});

describe('parseSynthArgs', () => {
  it('defaults to the example environment and packages/infra/cdktf.out', () => {
    expect(parseSynthArgs([])).toEqual({ env: 'example', outdir: DEFAULT_OUTDIR, json: false, cwd: REPO_ROOT });
  });
  it('reads --env, --out and --json in both forms', () => {
    expect(parseSynthArgs(['--env', 'dev', '--out=/tmp/x', '--json'])).toMatchObject({ env: 'dev', outdir: '/tmp/x', json: true });
    expect(parseSynthArgs(['--env=dev', '--out', '/tmp/x'])).toMatchObject({ env: 'dev', outdir: '/tmp/x', json: false });
  });
  it('returns a usage error, when an option lacks its value', () => {
    expect(parseSynthArgs(['--env'])).toEqual({ error: "'--env' needs a value" });
  });
  it('returns a usage error, when an argument is unknown', () => {
    expect(parseSynthArgs(['--force'])).toEqual({ error: "unknown argument '--force'" });
  });
  it('asks for help, when -h is given', () => {
    expect(parseSynthArgs(['-h'])).toEqual({ help: true });
  });
});

function readdirNames(dir: string): string[] {
  return readdirSync(dir);
}

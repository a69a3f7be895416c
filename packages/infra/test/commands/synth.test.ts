import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { defaultCatalogue } from '@cvat-cloud/catalogue';
import { workspacePath } from '../../src/commands/synth';
import { infraCli, REPO_ROOT } from '../support/cli';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'synth-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function synth(args: string[], cwd = REPO_ROOT) {
  return infraCli(['synth', ...args], { cwd });
}

describe('cvat-infra synth', () => {
  it('synthesizes the example environment into the three stacks with the order in manifest.json and prints the summary', async () => {
    const outdir = join(tempDir(), 'cdktf.out');
    const { code, out } = await synth(['--out', outdir]);
    expect(code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(['apps', 'edge', 'foundation']);
    expect(manifest.stacks.apps.dependencies).toEqual(['foundation']);
    expect(manifest.stacks.edge.dependencies).toContain('apps');
    expect(out).toContain('Stacks (in order): foundation -> apps -> edge');
    expect(out).toMatch(/^ +\d+ {2}azurerm_container_app$/m);
    expect(existsSync(join(outdir, 'stacks', 'foundation', 'cdk.tf.json'))).toBe(true);
    expect(readdirSync(join(outdir, '..'))).toEqual(['cdktf.out']);
  });

  it('lists every catalogue component in the summary, disabled ones included', async () => {
    const { out } = await synth(['--out', join(tempDir(), 'cdktf.out')]);
    for (const c of defaultCatalogue().components) expect(out).toMatch(new RegExp(`^  ${c.name} +`, 'm'));
  });

  it('returns the summary as JSON with --json: stacks in order, components and how each is deployed', async () => {
    const { code, out } = await synth(['--out', join(tempDir(), 'cdktf.out'), '--json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(out);
    expect(parsed.environment).toBe('example');
    expect(parsed.stacks.map((s: { name: string }) => s.name)).toEqual(['foundation', 'apps', 'edge']);
    expect(parsed.stacks[0].resourcesByType.azurerm_key_vault).toBe(1);
    const component = (name: string) => parsed.components.find((c: { name: string }) => c.name === name);
    expect(component('grafana').deployedAs).toBe('disabled');
    expect(component('cvat-init').deployedAs).toBe('job');
    expect(component('edge').deployedAs).toBe('edge vm');
    // Every container app and job in the apps stack is a catalogue component, and the other way round.
    const apps = parsed.stacks.find((s: { name: string }) => s.name === 'apps').resourcesByType;
    const deployedAs = (kind: string) => parsed.components.filter((c: { deployedAs: string }) => c.deployedAs === kind).length;
    expect(apps.azurerm_container_app).toBe(deployedAs('container app'));
    expect(apps.azurerm_container_app_job).toBe(deployedAs('job'));
  });

  it('writes the same JSON twice, so synth is deterministic and cacheable; a previous synth output is replaced', async () => {
    const a = join(tempDir(), 'cdktf.out');
    const b = join(tempDir(), 'cdktf.out');
    await synth(['--out', a]);
    await synth(['--out', b]);
    expect((await synth(['--out', b])).code).toBe(0);
    for (const stack of ['foundation', 'apps', 'edge']) {
      expect(readFileSync(join(a, 'stacks', stack, 'cdk.tf.json'), 'utf8')).toBe(
        readFileSync(join(b, 'stacks', stack, 'cdk.tf.json'), 'utf8'),
      );
    }
  });

  it('names the field and value, exits 4 (CONFIG) and changes nothing, when the environment is invalid', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'environments'));
    const example = readFileSync(join(REPO_ROOT, 'environments', 'example.yaml'), 'utf8');
    writeFileSync(
      join(root, 'environments', 'broken.yaml'),
      // a copy of the example as a user makes one (its own name, a real contact, purge protection on), plus one bad value
      example
        .replace('name: example', 'name: broken')
        .replace('acmeEmail: ops@example.com', 'acmeEmail: ops@cvat-cloud.dev')
        .replace('purgeProtection: false', 'purgeProtection: true')
        .concat('\ncomponents:\n  cvat-ui:\n    replicas: { min: 1, max: 500 }\n'),
    );
    const outdir = join(root, 'cdktf.out');
    const { code, err } = await synth(['--env', 'broken', '--out', outdir], root);
    expect(code).toBe(4);
    expect(err).toContain('components.cvat-ui.replicas.max');
    expect(err).toContain('500');
    expect(err).not.toMatch(/\n\s+at /);
    expect(readdirSync(root).sort()).toEqual(['environments']);
  });

  it('exits 4 without writing, when the environment file does not exist', async () => {
    const outdir = join(tempDir(), 'cdktf.out');
    const { code, err } = await synth(['--env', 'does-not-exist', '--out', outdir]);
    expect(code).toBe(4);
    expect(err).toContain("Environment 'does-not-exist' was not found");
    expect(existsSync(outdir)).toBe(false);
  });

  it('exits 4 and writes nothing, when high availability is asked of a Burstable SKU', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'environments'));
    // Burstable SKUs have no standby: refused by the environment rules (and, behind them, by the PostgresServer construct).
    const env = stringify({
      name: 'odd',
      edge: { mode: 'vm', acmeEmail: 'ops@cvat-cloud.dev', hostname: 'cvat.example.com' },
      postgres: { skuName: 'B_Standard_B1ms', highAvailability: true },
    });
    writeFileSync(join(root, 'environments', 'odd.yaml'), env);
    const { code, err } = await synth(['--env', 'odd', '--out', join(root, 'cdktf.out')], root);
    expect(code).toBe(4);
    expect(err).toMatch(/'postgres\.highAvailability' \(true\)|'highAvailability' \(true\) is not available on the Burstable SKU/);
    expect(readdirSync(root).sort()).toEqual(['environments']);
  });

  it('refuses (exit 3) a non-empty folder that is not a synth output and keeps its files; --force replaces them', async () => {
    const outdir = tempDir();
    writeFileSync(join(outdir, 'notes.txt'), 'mine');
    const refused = await synth(['--out', outdir]);
    expect(refused.code).toBe(3);
    expect(refused.err).toContain(`'--out' (${outdir}) is a non-empty folder that is not a synth output (no manifest.json)`);
    expect(refused.err).toContain('--force');
    expect(readdirSync(outdir)).toEqual(['notes.txt']);
    const forced = await synth(['--out', outdir, '--force']);
    expect(forced.code).toBe(0);
    expect(existsSync(join(outdir, 'notes.txt'))).toBe(false);
    expect(existsSync(join(outdir, 'manifest.json'))).toBe(true);
  });

  it('removes the staging folder a killed synth of the same output left behind, naming it, and nothing else', async () => {
    const dir = tempDir();
    const outdir = join(dir, 'cdktf.out');
    const stale = `${outdir}.staging-2147480000`;
    mkdirSync(stale);
    writeFileSync(join(stale, 'manifest.json'), '{}');
    mkdirSync(`${outdir}.staging-notes`);
    const r = await synth(['--out', outdir]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`notice: removed ${workspacePath(stale)}, the staging folder of a synth that was killed`);
    expect(readdirSync(dir).sort()).toEqual(['cdktf.out', 'cdktf.out.staging-notes']);
  });

  it('refuses (exit 2) an --out that holds the repository, even with --force', async () => {
    const { code, err } = await synth(['--out', REPO_ROOT, '--force']);
    expect(code).toBe(2);
    expect(err).toContain('holds the repository or the working directory');
    expect(existsSync(join(REPO_ROOT, 'package.json'))).toBe(true);
  });

  it('refuses an option of another command (Nx hands a dependency only --env and --out), and a typo', async () => {
    const other = await synth(['--out', join(tempDir(), 'x'), '--yes']);
    expect(other.code).toBe(2);
    expect(other.err).toContain("cvat-infra: error: unknown option '--yes'");
    const typo = await synth(['--out', join(tempDir(), 'x'), '--outt', 'y']);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain("cvat-infra: error: unknown option '--outt'");
  });

  it('prints its help with exit 0, listing the exit codes from the one table', async () => {
    const { code, out } = await infraCli(['synth', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: cvat-infra synth [options]');
    expect(out).toContain('docs/exit-codes.md');
    expect(out).not.toContain('--stack');
  });

  it('prints an output inside the workspace relative to its root, so a replay from the Nx cache is right in any checkout', async () => {
    // .tmp-test is git-ignored; a folder of its own per run, under the real workspace root.
    mkdirSync(join(REPO_ROOT, '.tmp-test'), { recursive: true });
    const dir = mkdtempSync(join(REPO_ROOT, '.tmp-test', 'synth-'));
    dirs.push(dir);
    const shown = relative(REPO_ROOT, join(dir, 'cdktf.out')).split('\\').join('/');
    // Given relative to a working directory inside the workspace (as Nx runs it, from packages/infra).
    const cwd = join(REPO_ROOT, 'packages', 'infra');
    const text = await infraCli(['synth', '--out', relative(cwd, join(dir, 'cdktf.out'))], { cwd });
    expect(text.code).toBe(0);
    expect(text.out).toContain(`Synthesized environment 'example' to ${shown}\n`);
    expect(text.out).not.toContain(REPO_ROOT);
    const json = await infraCli(['synth', '--out', join(dir, 'cdktf.out'), '--json']);
    expect(JSON.parse(json.out).outdir).toBe(shown);
    expect(json.out).not.toContain(REPO_ROOT);
  });

  it('shows a path the same way from any checkout: relative inside the workspace root, absolute outside it', () => {
    for (const root of ['/home/a/cvat-cloud', '/srv/ci/work/cvat-cloud']) {
      expect(workspacePath(`${root}/packages/infra/cdktf.out`, root)).toBe('packages/infra/cdktf.out');
      expect(workspacePath(`${root}/..cache/out`, root)).toBe('..cache/out');
      expect(workspacePath(root, root)).toBe('.');
    }
    expect(workspacePath('/tmp/synth-x/cdktf.out', '/home/a/cvat-cloud')).toBe('/tmp/synth-x/cdktf.out');
    expect(workspacePath('/home/a/cvat-cloud-2/cdktf.out', '/home/a/cvat-cloud')).toBe('/home/a/cvat-cloud-2/cdktf.out');
  });
});

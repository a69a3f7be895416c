import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeTerraformPath as makeFakeTerraform } from '../support/fake-terraform';
import { makeTempDir } from './support/temp-dir';
import { runInfraCli } from '../../src/cli';
import type { InfraIo } from '../../src/commands/context';
import { type FakeArmServer, fakeArmClient, type FakeJobScript, startFakeArm } from './support/fake-arm';
import { EXPECTED_SUPERUSER_BODY, initJobDefinition } from './support/init-job-definition';
import { type FixtureStack, TERRAFORM_BINARY, TERRAFORM_SKIP_REASON, TerraformFixture } from './support/terraform-fixture';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const SUB = '11111111-2222-3333-4444-555555555555';
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function tempDir(prefix: string): string {
  const dir = makeTempDir(prefix);
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** These tests are about terraform and the init job; preflight has its own (test/preflight), so here it passes without ARM calls. */
const preflightPasses: InfraIo['preflight'] = async () => ({
  ok: true,
  environment: 'example',
  subscriptionId: SUB,
  resourceGroup: 'cvat-example-rg',
  location: 'westeurope',
  counts: { pass: 0, fail: 0, skip: 0 },
  checks: [],
});

/** Runs the CLI in-process and captures its output. */
async function cli(argv: string[], env: NodeJS.ProcessEnv, extra: Partial<InfraIo> = {}) {
  let out = '';
  let err = '';
  const synthCalls: string[] = [];
  const code = await runInfraCli(argv, {
    env,
    cwd: REPO_ROOT,
    stdinIsTTY: false,
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    sleep: async () => undefined,
    synth: async (name: string) => void synthCalls.push(name),
    preflight: preflightPasses,
    ...extra,
  });
  return { code, out, err, synthCalls };
}

const fakeTerraformPath = () => makeFakeTerraform(tempDir('cvat-cli-bin-'));

describe('deploy CLI preconditions (nothing runs, nothing changes)', () => {
  it('fails fast without Azure credentials, says how to provide them, and runs neither synth nor terraform', async () => {
    const bin = fakeTerraformPath();
    const home = tempDir('cvat-cli-home-');
    const r = await cli(['deploy'], { PATH: bin.path, HOME: home });
    expect(r.code).toBe(5);
    expect(r.err).toContain('cvat-infra: error: no Azure credentials found; nothing was changed.');
    expect(r.err).toContain('ARM_USE_OIDC=true');
    expect(r.err).toContain('`az login`');
    expect(existsSync(bin.log)).toBe(false);
    expect(r.synthCalls).toEqual([]);
  });

  it('fails fast when the subscription is missing, naming both places to set it', async () => {
    const bin = fakeTerraformPath();
    const r = await cli(['plan'], { PATH: bin.path, HOME: tempDir('h-'), ARM_CLIENT_ID: 'c', ARM_TENANT_ID: 't', ARM_CLIENT_SECRET: 's' });
    expect(r.code).toBe(5);
    expect(r.err).toMatch(
      /no Azure subscription: set 'subscriptionId' in .*environments\/example.yaml, .*or export ARM_SUBSCRIPTION_ID\. Nothing was changed\./,
    );
    expect(existsSync(bin.log)).toBe(false);
  });

  it('fails fast when the terraform binary is missing, before looking at credentials', async () => {
    const r = await cli(['deploy', '--binary', 'tofu'], { PATH: tempDir('empty-'), HOME: tempDir('h-') });
    expect(r.code).toBe(7);
    expect(r.err).toContain(
      "cvat-infra: error: 'tofu' was not found on PATH: install Terraform ≥ 1.5 or OpenTofu, or point --binary / TF_BINARY at it. Nothing was changed.",
    );
  });

  it('takes the binary from TF_BINARY, and from the deprecated TERRAFORM_BIN with a warning', async () => {
    const given = await cli(['plan', '--skip-credential-check'], { PATH: tempDir('empty-'), HOME: tempDir('h-'), TF_BINARY: 'tofu-x' });
    expect(given.code).toBe(7);
    expect(given.err).toContain("'tofu-x' was not found on PATH");
    const old = await cli(['plan', '--skip-credential-check'], { PATH: tempDir('empty-'), HOME: tempDir('h-'), TERRAFORM_BIN: 'tf-old' });
    expect(old.code).toBe(7);
    expect(old.err).toContain('warning: TERRAFORM_BIN is deprecated; set TF_BINARY=tf-old instead');
    expect(old.err).toContain("'tf-old' was not found on PATH");
  });

  it('rejects a bad environment naming the field (exit 4), and bad arguments (exit 2)', async () => {
    const dir = tempDir('cvat-cli-env-');
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\npostgres:\n  storageGiB: 33\n');
    const r = await cli(['deploy', '--env', file], { PATH: '' });
    expect(r.code).toBe(4);
    expect(r.err).toContain("Environment '");
    expect(r.err).toContain("'postgres.storageGiB' (33)");
    expect((await cli(['deploy', '--wat'], {})).code).toBe(2);
  });

  it('refuses local state for an environment other than the example unless --allow-local-state, before anything runs', async () => {
    const bin = fakeTerraformPath();
    const dir = tempDir('cvat-cli-state-');
    const file = join(dir, 'dev.yaml');
    // the example copied as a user makes it: its own name, a real ACME contact, purge protection on
    const example = readFileSync(join(REPO_ROOT, 'environments', 'example.yaml'), 'utf8');
    writeFileSync(
      file,
      example
        .replace(/^name: .*$/m, 'name: dev')
        .replace('acmeEmail: ops@example.com', 'acmeEmail: ops@cvat-cloud.dev')
        .replace('purgeProtection: false', 'purgeProtection: true'),
    );
    const refused = await cli(['deploy', '--env', file, '--skip-credential-check'], { PATH: bin.path, HOME: tempDir('h-') });
    expect(refused.code).toBe(4);
    expect(refused.err).toContain("'stateBackend.type' (local) is refused for environment 'dev'");
    expect(existsSync(bin.log)).toBe(false);
    expect(refused.synthCalls).toEqual([]);
    const allowed = await cli(['deploy', '--env', file, '--skip-credential-check', '--allow-local-state'], {
      PATH: bin.path,
      HOME: tempDir('h-'),
    });
    expect(allowed.err).toContain("warning: environment 'dev' deploys with stateBackend.type 'local' (--allow-local-state)");
    expect(allowed.err).not.toContain('is refused');
    // plan is not refused: it changes nothing.
    const plan = await cli(['plan', '--env', file, '--skip-credential-check'], { PATH: bin.path, HOME: tempDir('h-') });
    expect(plan.err).not.toContain('is refused');
  });

  it('prints help with exit code 0', async () => {
    const r = await cli(['deploy', '--help'], {});
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: cvat-infra deploy [options]');
  });
});

if (TERRAFORM_SKIP_REASON) console.warn(`[skipped] ${TERRAFORM_SKIP_REASON}`);
const describeWithTerraform = TERRAFORM_SKIP_REASON ? describe.skip : describe;

describeWithTerraform('deploy CLI end to end with real terraform and a fake ARM server for the init job', () => {
  const fixture = () => {
    const fx = new TerraformFixture((f): FixtureStack[] => [
      { name: 'foundation', dependencies: [], resources: { network: { onCreate: f.event('apply foundation') } } },
      { name: 'apps', dependencies: ['foundation'], resources: { server: { onCreate: f.event('apply apps') } } },
      { name: 'edge', dependencies: ['apps'], resources: { proxy: { onCreate: f.event('apply edge') } } },
    ]);
    cleanup.push(() => fx.dispose());
    return fx;
  };
  const envFile = (dir: string, cvatVersion: string) => {
    const file = join(dir, 'env.yaml');
    const example = readFileSync(join(REPO_ROOT, 'environments', 'example.yaml'), 'utf8');
    writeFileSync(file, example.replace(/^cvatVersion: .*$/m, `cvatVersion: ${cvatVersion}`));
    return file;
  };
  const azureEnv = () => ({
    PATH: dirname(TERRAFORM_BINARY!),
    HOME: tempDir('h-'),
    ARM_CLIENT_ID: '00000000-0000-0000-0000-00000000000c',
    ARM_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    ARM_CLIENT_SECRET: 'not-a-real-secret',
    ARM_SUBSCRIPTION_ID: SUB,
  });
  async function armWith(jobs: Record<string, FakeJobScript>) {
    const server = await startFakeArm(jobs, { subscriptionId: SUB, resourceGroup: 'cvat-example-rg' });
    cleanup.push(() => server.close());
    return { server, client: fakeArmClient(server) };
  }

  it('deploys with --skip-credential-check and prints a JSON report', async () => {
    const fx = fixture();
    const r = await cli(['deploy', '--yes', '--json', '--out', fx.outDir, '--state-dir', fx.stateRoot, '--skip-credential-check'], {
      PATH: dirname(TERRAFORM_BINARY!),
      HOME: tempDir('h-'),
    });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.stacks.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual([
      'foundation:applied',
      'apps:applied',
      'edge:applied',
    ]);
    expect(report.steps).toEqual([]);
    expect(fx.events()).toEqual(['apply foundation', 'apply apps', 'apply edge']);
  }, 60_000);

  it('prints where CVAT is and how to log in, each stack with its time, and the same in --json with the plugin cache used', async () => {
    const fx = fixture();
    const home = tempDir('h-');
    const env = { PATH: dirname(TERRAFORM_BINARY!), HOME: home };
    const text = await cli(['deploy', '--yes', '--out', fx.outDir, '--state-dir', fx.stateRoot, '--skip-credential-check'], env);
    expect(text.code).toBe(0);
    const cache = join(home, '.cache', 'cvat-cloud', 'terraform-plugins');
    expect(text.err).toContain(`providers: plugin cache ${cache} (per-machine default; TF_PLUGIN_CACHE_DIR overrides)`);
    expect(existsSync(cache)).toBe(true);
    expect(text.err).toMatch(/^deploy finished after \d+\.\ds:$/m);
    expect(text.err).toMatch(/^ {2}foundation {3}applied {6}\s*\d+\.\ds \(0\.\ds → \d+\.\ds into the run\)$/m);
    expect(text.err).toMatch(/^CVAT: https:\/\/\S+\.cloudapp\.azure\.com$/m);
    expect(text.err).toContain('  admin user: admin');
    expect(text.err).toMatch(/^ {4}az keyvault secret show --vault-name \S+ --name cvat-superuser-password --query value -o tsv$/m);
    // Again with --json: nothing to change, the same facts as data.
    const json = await cli(['deploy', '--yes', '--json', '--out', fx.outDir, '--state-dir', fx.stateRoot, '--skip-credential-check'], env);
    const report = JSON.parse(json.out);
    expect(report.providers).toEqual({ pluginCache: cache, source: 'default' });
    expect(report.access).toMatchObject({ adminUser: 'admin', password: { secret: 'cvat-superuser-password' } });
    expect(report.access.url).toMatch(/^https:\/\//);
    expect(report.wallMs).toBeGreaterThan(0);
    expect(report.stacks.every((s: { durationMs: number; startedAtMs: number }) => s.durationMs > 0 && s.startedAtMs >= 0)).toBe(true);
    expect(report.dependencies).toEqual({ foundation: [], apps: ['foundation'], edge: ['apps'] });
  }, 60_000);

  const JOB = `/subscriptions/${SUB}/resourceGroups/cvat-example-rg/providers/Microsoft.App/jobs/cvat-init`;
  // The init job as synthesized now: the administrator for the database-role step, the application role for CVAT.
  const roleEnv = [
    { name: 'CVAT_POSTGRES_HOST', value: 'cvat-dev-pg.postgres.database.azure.com' },
    { name: 'CVAT_POSTGRES_DBNAME', value: 'cvat' },
    { name: 'CVAT_POSTGRES_USER', value: 'cvat_app' },
    { name: 'CVAT_POSTGRES_PASSWORD', secretRef: 'postgres-cvat-password' },
    { name: 'CVAT_POSTGRES_ADMIN_USER', value: 'cvatadmin' },
    { name: 'CVAT_POSTGRES_ADMIN_PASSWORD', secretRef: 'postgres-admin-password' },
    { name: 'DJANGO_SUPERUSER_USERNAME', value: 'admin' },
    { name: 'DJANGO_SUPERUSER_EMAIL', value: 'admin@cvat.invalid' },
    { name: 'DJANGO_SUPERUSER_PASSWORD', secretRef: 'cvat-superuser-password' },
  ];
  const definition = initJobDefinition({ resourceGroup: 'cvat-example-rg', env: roleEnv });
  const superuserBody = { containers: [{ ...EXPECTED_SUPERUSER_BODY.containers[0], env: roleEnv }] };
  const isRoleStart = (body: unknown) =>
    (body as { containers?: Array<{ command?: string[] }> } | undefined)?.containers?.[0]?.command?.[0] === 'python3';
  const posts = (server: FakeArmServer) => server.requests.filter((q) => q.method === 'POST');
  const readRecord = (fx: TerraformFixture) => JSON.parse(readFileSync(join(fx.stateDir, 'init-job.json'), 'utf8'));

  it('runs the init job after apps once per CVAT version, then the superuser step once, records both, and reruns only the ' +
    'migrations after a version change', async () => {
    const fx = fixture();
    const dir = tempDir('cvat-cli-init-');
    const { server, client } = await armWith({ 'cvat-init': { statuses: ['Running', 'Succeeded'], definition } });
    const args = (file: string) => ['deploy', '--yes', '--json', '--env', file, '--out', fx.outDir, '--state-dir', fx.stateRoot];
    const io = { initJobClient: client, initJobPollIntervalMs: 1 };

    const first = await cli(args(envFile(dir, 'v2.73.0')), azureEnv(), io);
    expect(first.code).toBe(0);
    const [initJob, superuser] = JSON.parse(first.out).steps;
    expect(initJob).toMatchObject({
      name: 'init-job',
      after: 'apps',
      status: 'ran',
      reason: 'no successful init run recorded yet',
      detail: { status: 'Succeeded', executionName: 'cvat-init-exec2' },
    });
    expect(superuser).toMatchObject({
      name: 'superuser',
      status: 'ran',
      reason: 'no superuser step recorded yet',
      detail: { status: 'Succeeded', executionName: 'cvat-init-exec3', username: 'admin' },
    });
    // Order: the database role, then the migrations, each to success, before the job is read for the superuser override.
    expect(server.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      `GET ${JOB}`,
      `POST ${JOB}/start`,
      `GET ${JOB}/executions/cvat-init-exec1`,
      `GET ${JOB}/executions/cvat-init-exec1`,
      `POST ${JOB}/start`,
      `GET ${JOB}/executions/cvat-init-exec2`,
      `GET ${JOB}/executions/cvat-init-exec2`,
      `GET ${JOB}`,
      `POST ${JOB}/start`,
      `GET ${JOB}/executions/cvat-init-exec3`,
      `GET ${JOB}/executions/cvat-init-exec3`,
    ]);
    expect(isRoleStart(posts(server)[0].body)).toBe(true);
    expect(posts(server)[1].body ?? {}).not.toHaveProperty('containers');
    expect(posts(server)[2].body).toEqual(superuserBody);
    expect(readRecord(fx)).toMatchObject({
      cvatVersion: 'v2.73.0',
      image: 'cvat/server:v2.73.0',
      executionName: 'cvat-init-exec2',
      superuser: { username: 'admin', executionName: 'cvat-init-exec3' },
    });
    expect(first.err).toContain(
      "superuser: cvat-init-exec3 succeeded; 'admin' exists (password in Key Vault secret cvat-superuser-password of",
    );

    const second = await cli(args(envFile(dir, 'v2.73.0')), azureEnv(), io);
    expect(JSON.parse(second.out).steps).toMatchObject([
      { name: 'init-job', status: 'not-needed' },
      { name: 'superuser', status: 'not-needed' },
    ]);
    expect(posts(server)).toHaveLength(3);

    const upgraded = await cli(args(envFile(dir, 'v2.74.0')), azureEnv(), io);
    expect(upgraded.code).toBe(0);
    expect(JSON.parse(upgraded.out).steps).toMatchObject([
      { status: 'ran', reason: 'CVAT version changed v2.73.0 → v2.74.0' },
      { status: 'not-needed' },
    ]);
    // The role again (idempotent), then the migrations; the superuser is not touched.
    expect(posts(server)).toHaveLength(5);
    expect(isRoleStart(posts(server)[3].body)).toBe(true);
    expect(posts(server)[4].body ?? {}).not.toHaveProperty('containers');
    expect(readRecord(fx)).toMatchObject({
      cvatVersion: 'v2.74.0',
      executionName: 'cvat-init-exec5',
      superuser: { executionName: 'cvat-init-exec3' },
    });
    expect(fx.events()).toEqual(['apply foundation', 'apply apps', 'apply edge']);
  }, 90_000);

  it('runs the superuser step again with --ensure-superuser or once its record entry is removed, without rerunning the migrations', async () => {
    const fx = fixture();
    const dir = tempDir('cvat-cli-init-');
    const { server, client } = await armWith({ 'cvat-init': { statuses: ['Succeeded'], definition } });
    const args = ['deploy', '--yes', '--json', '--env', envFile(dir, 'v2.73.0'), '--out', fx.outDir, '--state-dir', fx.stateRoot];
    const io = { initJobClient: client, initJobPollIntervalMs: 1 };
    expect((await cli(args, azureEnv(), io)).code).toBe(0);
    expect(posts(server)).toHaveLength(3);

    const forced = await cli([...args, '--ensure-superuser'], azureEnv(), io);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.out).steps).toMatchObject([
      { status: 'not-needed' },
      { status: 'ran', reason: '--ensure-superuser', detail: { executionName: 'cvat-init-exec4' } },
    ]);
    expect(posts(server)).toHaveLength(4);
    expect(posts(server)[3].body).toEqual(superuserBody);
    expect(readRecord(fx).superuser.executionName).toBe('cvat-init-exec4');

    const { superuser: _removed, ...withoutSuperuser } = readRecord(fx);
    writeFileSync(join(fx.stateDir, 'init-job.json'), JSON.stringify(withoutSuperuser));
    const again = await cli(args, azureEnv(), io);
    expect(JSON.parse(again.out).steps).toMatchObject([
      { status: 'not-needed' },
      { status: 'ran', reason: 'no superuser step recorded yet' },
    ]);
    expect(posts(server).map((p) => (p.body as { containers?: unknown } | undefined)?.containers !== undefined)).toEqual([
      true,
      false,
      true,
      true,
      true,
    ]);
  }, 90_000);

  it('stops before the edge when the superuser step fails, naming job, execution and next step; a rerun runs only the superuser step', async () => {
    const fx = fixture();
    const dir = tempDir('cvat-cli-init-');
    const { server, client } = await armWith({
      'cvat-init': { statuses: ['Succeeded'], executionStatuses: [['Succeeded'], ['Succeeded'], ['Running', 'Failed']], definition },
    });
    const args = ['deploy', '--yes', '--json', '--env', envFile(dir, 'v2.73.0'), '--out', fx.outDir, '--state-dir', fx.stateRoot];
    const io = { initJobClient: client, initJobPollIntervalMs: 1 };
    const failed = await cli(args, azureEnv(), io);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('superuser step: execution cvat-init-exec3 of job cvat-init ended Failed');
    expect(failed.err).toContain('az containerapp job execution show -g cvat-example-rg -n cvat-init --job-execution-name cvat-init-exec3');
    expect(failed.err).toContain(
      'az containerapp job logs show -g cvat-example-rg -n cvat-init --execution cvat-init-exec3 --container cvat-init',
    );
    expect(JSON.parse(failed.out).failure).toMatchObject({ code: 'SUPERUSER_FAILED', exitCode: 1, stack: 'apps', step: 'superuser' });
    expect(JSON.parse(failed.out).stacks.map((s: { status: string }) => s.status)).toEqual(['applied', 'applied', 'not-started']);
    expect(JSON.parse(failed.out).steps).toMatchObject([
      { name: 'init-job', status: 'ran' },
      { name: 'superuser', status: 'failed', detail: { status: 'Failed' } },
    ]);
    expect(fx.events()).toEqual(['apply foundation', 'apply apps']);
    const record = readRecord(fx);
    expect(record.executionName).toBe('cvat-init-exec2');
    expect(record.superuser).toBeUndefined();

    const rerun = await cli(args, azureEnv(), io);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.out).steps).toMatchObject([
      { status: 'not-needed' },
      { status: 'ran', detail: { executionName: 'cvat-init-exec4', status: 'Succeeded' } },
    ]);
    expect(posts(server)).toHaveLength(4);
    expect(fx.events()).toEqual(['apply foundation', 'apply apps', 'apply edge']);
  }, 90_000);

  it('stops before the edge when the init job fails, records nothing, never starts the superuser step, and says where to read its logs', async () => {
    const fx = fixture();
    const dir = tempDir('cvat-cli-init-');
    const { server, client } = await armWith({
      'cvat-init': { statuses: ['Succeeded'], executionStatuses: [['Succeeded'], ['Running', 'Failed']], definition },
    });
    const r = await cli(
      ['deploy', '--yes', '--env', envFile(dir, 'v2.73.0'), '--out', fx.outDir, '--state-dir', fx.stateRoot],
      azureEnv(),
      { initJobClient: client, initJobPollIntervalMs: 1 },
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain('init job execution cvat-init-exec2 ended Failed');
    expect(r.err).toContain('az containerapp job logs show -g cvat-example-rg -n cvat-init --execution cvat-init-exec2');
    expect(fx.events()).toEqual(['apply foundation', 'apply apps']);
    expect(existsSync(join(fx.stateDir, 'init-job.json'))).toBe(false);
    // The role and the migrations were started; the superuser step never read the job.
    expect(posts(server)).toHaveLength(2);
    expect(server.requests.filter((q) => q.method === 'GET' && q.path === JOB)).toHaveLength(1);
  }, 60_000);

  it('runs no migration when the database-role execution fails, and says where to read its logs', async () => {
    const fx = fixture();
    const dir = tempDir('cvat-cli-init-');
    const { server, client } = await armWith({ 'cvat-init': { statuses: ['Running', 'Failed'], definition } });
    const r = await cli(
      ['deploy', '--yes', '--json', '--env', envFile(dir, 'v2.73.0'), '--out', fx.outDir, '--state-dir', fx.stateRoot],
      azureEnv(),
      { initJobClient: client, initJobPollIntervalMs: 1 },
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain('database-role execution cvat-init-exec1 ended Failed; the CVAT database role may not exist');
    expect(r.err).toContain(
      'az containerapp job logs show -g cvat-example-rg -n cvat-init --execution cvat-init-exec1 --container cvat-init',
    );
    expect(JSON.parse(r.out).steps).toMatchObject([
      { name: 'init-job', status: 'failed' },
      { name: 'superuser', status: 'not-started' },
    ]);
    expect(posts(server)).toHaveLength(1);
    expect(existsSync(join(fx.stateDir, 'init-job.json'))).toBe(false);
  }, 60_000);

  it('re-synthesizes when cdktf.out was synthesized for another environment, then plans', async () => {
    const fx = fixture();
    const foundationFile = join(fx.outDir, 'stacks', 'foundation', 'cdk.tf.json');
    const original = readFileSync(foundationFile, 'utf8');
    const foreign = JSON.parse(original);
    foreign.resource.azurerm_resource_group = { rg: { name: 'cvat-prod-rg', location: 'westeurope' } };
    writeFileSync(foundationFile, JSON.stringify(foreign));
    const synthesized: string[] = [];
    const r = await cli(
      ['plan', '--out', fx.outDir, '--skip-credential-check'],
      { PATH: dirname(TERRAFORM_BINARY!), HOME: tempDir('h-') },
      {
        synth: async (env: string, outDir: string) => {
          synthesized.push(`${env} -> ${outDir}`);
          writeFileSync(foundationFile, original);
        },
      },
    );
    expect(r.err).toContain(
      "synth: it was synthesized for resource group cvat-prod-rg, not cvat-example-rg; synthesizing environment 'example'",
    );
    expect(synthesized).toEqual([`example -> ${fx.outDir}`]);
    expect(r.code).toBe(0);
  }, 30_000);

  it('refuses a local state file that belongs to another environment', async () => {
    const fx = fixture();
    mkdirSync(fx.stateDir, { recursive: true });
    writeFileSync(
      join(fx.stateDir, 'foundation.tfstate'),
      JSON.stringify({
        version: 4,
        resources: [{ mode: 'managed', type: 'azurerm_resource_group', name: 'rg', instances: [{ attributes: { name: 'cvat-prod-rg' } }] }],
      }),
    );
    const r = await cli(['plan', '--out', fx.outDir, '--skip-credential-check'], { PATH: dirname(TERRAFORM_BINARY!), HOME: tempDir('h-') });
    expect(r.code).toBe(4);
    expect(r.err).toContain('holds the state of resource group cvat-prod-rg, not cvat-example-rg: it belongs to another environment');
  }, 30_000);

  const rgState = (group: string) =>
    JSON.stringify({
      version: 4,
      resources: [{ mode: 'managed', type: 'azurerm_resource_group', name: 'rg', instances: [{ attributes: { name: group } }] }],
    });

  it('plans into state/<env>/ and never touches a state file beside it (another layout, another environment)', async () => {
    const fx = fixture();
    mkdirSync(fx.stateRoot, { recursive: true });
    writeFileSync(join(fx.stateRoot, 'foundation.tfstate'), rgState('cvat-prod-rg'));
    const r = await cli(['deploy', '--yes', '--out', fx.outDir, '--state-dir', fx.stateRoot, '--skip-credential-check'], {
      PATH: dirname(TERRAFORM_BINARY!),
      HOME: tempDir('h-'),
    });
    expect(r.code).toBe(0);
    expect(fx.stateResources('foundation')).toEqual(['terraform_data.network']);
    expect(readFileSync(join(fx.stateRoot, 'foundation.tfstate'), 'utf8')).toBe(rgState('cvat-prod-rg'));
  }, 60_000);
});

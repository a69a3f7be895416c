/**
 * `cvat-ops apps restart` (against the fake ARM) and `cvat-ops apps recreate` (address resolution and the deploy
 * command line; the deploy itself is an injected runner).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appsRecreate, appsRestart, cdktfLogicalId, resolveRecreateTarget, type SpawnRunner } from '../../src/commands/apps';
import { runCli } from '../../src/cli';
import { EXIT, CliError } from '@cvat-cloud/runtime';
import { globals, testRuntime, type TestRuntime } from '../support/test-runtime';
import { makeTestRepo, seedFromCatalogue, TEST_SUBSCRIPTION, type TestRepo } from './support/catalogue-fixture';
import { FakeArmServer } from '@cvat-cloud/testing';

describe('cvat-ops apps restart', () => {
  let repo: TestRepo;
  let fake: FakeArmServer;
  let runtime: TestRuntime;
  beforeEach(async () => {
    repo = makeTestRepo();
    fake = await FakeArmServer.start({ subscriptionId: TEST_SUBSCRIPTION, resourceGroup: repo.resourceGroup });
    seedFromCatalogue(fake, repo);
    runtime = testRuntime({ cwd: repo.dir, armEndpoint: fake.url });
  });
  afterEach(async () => {
    await fake.close();
    repo.remove();
  });
  const restarts = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/restart')).map((r) => r.path.split('/').slice(-2)[0]);

  it('restarts every active revision and leaves inactive ones alone', async () => {
    fake.addRevision('cvat-server', 'cvat-server--blue', { active: true, replicas: 1 });
    fake.addRevision('cvat-server', 'cvat-server--old', { active: false });
    const result = await appsRestart({ ...globals({ env: 'test', yes: true }), name: 'cvat-server' }, runtime);
    expect(restarts()).toEqual(['cvat-server--r1', 'cvat-server--blue']);
    expect(result.data.revisions).toEqual([
      { revision: 'cvat-server--r1', outcome: 'restarted' },
      { revision: 'cvat-server--blue', outcome: 'restarted' },
    ]);
    expect(result.exitCode).toBe(EXIT.OK);
  });

  it('with --dry-run lists the revisions and restarts nothing', async () => {
    const result = await appsRestart({ ...globals({ env: 'test', dryRun: true }), name: 'opa' }, runtime);
    expect(result.data.revisions).toEqual([{ revision: 'opa--r1', outcome: 'planned' }]);
    expect(restarts()).toEqual([]);
  });

  it('refuses without --yes in a non-interactive shell', async () => {
    await expect(appsRestart({ ...globals({ env: 'test' }), name: 'opa' }, runtime)).rejects.toMatchObject({ exit: EXIT.REFUSED });
    expect(restarts()).toEqual([]);
  });

  it('says a job has no revisions, and a missing app is not found', async () => {
    await expect(appsRestart({ ...globals({ env: 'test', yes: true }), name: 'cvat-init' }, runtime)).rejects.toMatchObject({ exit: EXIT.USAGE });
    fake.apps.delete('opa');
    const error = (await appsRestart({ ...globals({ env: 'test', yes: true }), name: 'opa' }, runtime).catch((e: unknown) => e)) as CliError;
    expect(error.exit).toBe(EXIT.NOT_FOUND);
    expect(error.message).toContain("Container app 'opa' does not exist in resource group cvat-test-rg");
  });

  it('rejects an unknown name with the list of valid names', async () => {
    const error = (await appsRestart({ ...globals({ env: 'test', yes: true }), name: 'cvat-sever' }, runtime).catch((e: unknown) => e)) as CliError;
    expect(error.exit).toBe(EXIT.USAGE);
    expect(error.message).toMatch(/^Unknown component 'cvat-sever' for 'cvat-ops apps restart'\. Valid names: .*cvat-server/);
  });
});

describe('cvat-ops apps recreate', () => {
  let repo: TestRepo;
  let runtime: TestRuntime;
  let calls: { command: string; args: readonly string[]; cwd: string }[];
  let exitCode: number | null;
  const spawn: SpawnRunner = async (command, args, options) => {
    calls.push({ command, args, cwd: options.cwd });
    return exitCode;
  };
  beforeEach(() => {
    repo = makeTestRepo();
    // make the temp dir look like the repository root so the synth lookup has a place to look
    writeFileSync(join(repo.dir, 'nx.json'), '{}');
    mkdirSync(join(repo.dir, 'packages'));
    runtime = testRuntime({ cwd: repo.dir });
    calls = [];
    exitCode = 0;
  });
  afterEach(() => repo.remove());

  it('computes CDKTF logical IDs the way cdktf makeUniqueId does', () => {
    expect(cdktfLogicalId(['cvat-server', 'Resource'])).toBe('cvat-server_027B861D');
    expect(cdktfLogicalId(['apps', 'cvat-server', 'Resource'])).toBe('apps_cvat-server_D98F7D2C');
    expect(cdktfLogicalId(['Default', 'opa'])).toBe('opa');
  });

  it('finds the address in the synthesized stack when there is one', () => {
    const dir = join(repo.dir, 'packages', 'infra', 'cdktf.out', 'stacks', 'apps');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'cdk.tf.json'),
      JSON.stringify({ resource: { azurerm_container_app: { 'apps_opa_1234ABCD': { name: 'opa' }, 'apps_cvat-ui_99999999': { name: 'cvat-ui' } } } }),
    );
    expect(resolveRecreateTarget('cvat-ui', 'containerApp', { repoRoot: repo.dir, env: {} })).toEqual({ stack: 'apps', address: 'azurerm_container_app.apps_cvat-ui_99999999', source: 'synth' });
  });

  it('falls back to the construct ID contract, configurable by environment variables', () => {
    expect(resolveRecreateTarget('cvat-init', 'job', { env: {} })).toEqual({ stack: 'apps', address: `azurerm_container_app_job.${cdktfLogicalId(['cvat-init', 'Resource'])}`, source: 'convention' });
    expect(resolveRecreateTarget('opa', 'containerApp', { env: { CVAT_OPS_APP_CONSTRUCT_PATH: 'apps/{name}', CVAT_OPS_APPS_STACK: 'workloads' } })).toEqual({
      stack: 'workloads',
      address: `azurerm_container_app.${cdktfLogicalId(['apps', 'opa', 'Resource'])}`,
      source: 'convention',
    });
  });

  it('with --dry-run shows the infra deploy command and runs nothing', async () => {
    const result = await appsRecreate({ ...globals({ env: 'test', dryRun: true }), name: 'cvat-server' }, runtime, { spawn });
    expect(result.data.command).toEqual(['npx', 'nx', 'run', 'infra:deploy', '--', '--env', 'test', '--stack', 'apps', '--replace', 'azurerm_container_app.cvat-server_027B861D']);
    expect(result.data.cwd).toBe(repo.dir);
    expect(calls).toEqual([]);
  });

  it('runs the infra deploy with --yes passed through, and fails with exit 1 when the deploy fails', async () => {
    const result = await appsRecreate({ ...globals({ env: 'test', yes: true }), name: 'opa', address: 'azurerm_container_app.opa_X' }, runtime, { spawn });
    expect(calls).toEqual([{ command: 'npx', args: ['nx', 'run', 'infra:deploy', '--', '--env', 'test', '--stack', 'apps', '--replace', 'azurerm_container_app.opa_X', '--yes'], cwd: repo.dir }]);
    expect(result.data.exitCode).toBe(0);
    exitCode = 3;
    await expect(appsRecreate({ ...globals({ env: 'test', yes: true }), name: 'opa' }, runtime, { spawn })).rejects.toMatchObject({ exit: EXIT.FAILED });
  });

  it('refuses without --yes in a non-interactive shell and needs --env', async () => {
    await expect(appsRecreate({ ...globals({ env: 'test' }), name: 'opa' }, runtime, { spawn })).rejects.toMatchObject({ exit: EXIT.REFUSED });
    await expect(appsRecreate({ ...globals(), name: 'opa' }, runtime, { spawn })).rejects.toMatchObject({ exit: EXIT.USAGE });
    expect(calls).toEqual([]);
  });

  it('explains when to restart, recreate or deploy in --help', async () => {
    await runCli(['apps', 'recreate', '--help'], runtime);
    await runCli(['apps', 'restart', '--help'], runtime);
    const help = runtime.out();
    expect(help).toContain('npx nx run infra:deploy -- --env <env> --stack <stack> --replace <address>');
    expect(help).toContain("If the configuration is right and only the process is stuck, use 'cvat-ops apps restart'.");
    expect(help).toContain("If the resource is\nbroken use 'cvat-ops apps recreate'; if the configuration changed use 'npx nx run infra:deploy'.");
  });
});

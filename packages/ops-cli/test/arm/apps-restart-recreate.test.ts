/**
 * `cvat-ops apps restart` (against the fake ARM) and `cvat-ops apps recreate` (address resolution and the deploy
 * command line; the deploy itself is an injected runner).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appsRecreate, appsRestart, readSynthIndex, resolveRecreateTarget, type SpawnRunner } from '../../src/commands/apps';
import { runCli } from '../../src/cli';
import { EXIT, type CliError } from '@cvat-cloud/runtime';
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
  const restarts = () =>
    fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/restart')).map((r) => r.path.split('/').slice(-2)[0]);

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
    await expect(appsRestart({ ...globals({ env: 'test', yes: true }), name: 'cvat-init' }, runtime)).rejects.toMatchObject({
      exit: EXIT.USAGE,
    });
    fake.apps.delete('opa');
    const error = (await appsRestart({ ...globals({ env: 'test', yes: true }), name: 'opa' }, runtime).catch(
      (e: unknown) => e,
    )) as CliError;
    expect(error.exit).toBe(EXIT.NOT_FOUND);
    expect(error.message).toContain("Container app 'opa' does not exist in resource group cvat-test-rg");
  });

  it('rejects an unknown name with the list of valid names', async () => {
    const error = (await appsRestart({ ...globals({ env: 'test', yes: true }), name: 'cvat-sever' }, runtime).catch(
      (e: unknown) => e,
    )) as CliError;
    expect(error.exit).toBe(EXIT.USAGE);
    expect(error.message).toMatch(/^Unknown component 'cvat-sever' for 'cvat-ops apps restart'\. Valid names: .*cvat-server/);
  });
});

/** Writes a synth index of environment 'test' (what infra's synth writes next to the stacks). */
function writeIndex(dir: string, components: Record<string, unknown>): void {
  writeFileSync(join(dir, 'cvat-index.json'), JSON.stringify({ version: 1, environment: 'test', components }));
}

describe('cvat-ops apps recreate', () => {
  let repo: TestRepo;
  let synthOut: string;
  let runtime: TestRuntime;
  let calls: { command: string; args: readonly string[]; cwd: string }[];
  let exitCode: number | null;
  const spawn: SpawnRunner = async (command, args, options) => {
    calls.push({ command, args, cwd: options.cwd });
    return exitCode;
  };
  beforeEach(() => {
    repo = makeTestRepo();
    // make the temp dir look like the repository root with a synth output of environment 'test'
    writeFileSync(join(repo.dir, 'nx.json'), '{}');
    synthOut = join(repo.dir, 'packages', 'infra', 'cdktf.out');
    mkdirSync(synthOut, { recursive: true });
    writeIndex(synthOut, {
      'cvat-server': {
        stack: 'apps',
        resourceType: 'azurerm_container_app',
        address: 'azurerm_container_app.cvat-server_027B861D',
        azureName: 'cvat-server',
      },
      'cvat-ui': {
        stack: 'apps',
        resourceType: 'azurerm_container_app',
        address: 'azurerm_container_app.cvat-ui_99999999',
        azureName: 'cvat-ui',
      },
      opa: { stack: 'apps', resourceType: 'azurerm_container_app', address: 'azurerm_container_app.opa_71CB0142', azureName: 'opa' },
      'cvat-init': {
        stack: 'apps',
        resourceType: 'azurerm_container_app_job',
        address: 'azurerm_container_app_job.cvat-init_884275C4',
        azureName: 'cvat-init',
      },
    });
    runtime = testRuntime({ cwd: repo.dir });
    calls = [];
    exitCode = 0;
  });
  afterEach(() => repo.remove());

  it('takes the stack and address from the synth index, never from cdktf naming rules', () => {
    const index = () => readSynthIndex(synthOut, 'test');
    expect(resolveRecreateTarget('cvat-ui', 'containerApp', { environment: 'test', index })).toEqual({
      stack: 'apps',
      address: 'azurerm_container_app.cvat-ui_99999999',
      source: 'synth-index',
    });
    expect(resolveRecreateTarget('cvat-init', 'job', { environment: 'test', index })).toEqual({
      stack: 'apps',
      address: 'azurerm_container_app_job.cvat-init_884275C4',
      source: 'synth-index',
    });
    expect(resolveRecreateTarget('opa', 'containerApp', { address: 'azurerm_container_app.x', environment: 'test', index })).toEqual({
      stack: 'apps',
      address: 'azurerm_container_app.x',
      source: 'option',
    });
  });

  it('refuses an index of another environment, a missing entry or a resource of the wrong type, naming the synth to run', () => {
    const index = () => readSynthIndex(synthOut, 'prod');
    expect(() => resolveRecreateTarget('opa', 'containerApp', { environment: 'prod', index })).toThrow(
      expect.objectContaining({
        exit: EXIT.CONFIG,
        message: "The synth index is for environment 'test', not 'prod': run 'npx nx run infra:synth -- --env prod' first.",
      }),
    );
    const test = () => readSynthIndex(synthOut, 'test');
    expect(() => resolveRecreateTarget('vector', 'containerApp', { environment: 'test', index: test })).toThrow(
      expect.objectContaining({ exit: EXIT.NOT_FOUND }),
    );
    expect(() => resolveRecreateTarget('cvat-init', 'containerApp', { environment: 'test', index: test })).toThrow(
      expect.objectContaining({
        exit: EXIT.CONFIG,
        message: expect.stringContaining("gives 'cvat-init' a azurerm_container_app_job, expected a azurerm_container_app"),
      }),
    );
  });

  it('says how to get an index when there is none or it is not one (NOT_FOUND, CONFIG)', () => {
    rmSync(join(synthOut, 'cvat-index.json'));
    expect(() => readSynthIndex(synthOut, 'test')).toThrow(
      expect.objectContaining({
        exit: EXIT.NOT_FOUND,
        message: expect.stringContaining("run 'npx nx run infra:synth -- --env test' first, or pass --address"),
      }),
    );
    writeFileSync(
      join(synthOut, 'cvat-index.json'),
      JSON.stringify({ version: 1, environment: 'test', components: { opa: { stack: 'apps' } } }),
    );
    expect(() => readSynthIndex(synthOut, 'test')).toThrow(
      expect.objectContaining({
        exit: EXIT.CONFIG,
        message: expect.stringContaining("'synthIndex.components.opa.resourceType' (missing)"),
      }),
    );
    writeFileSync(join(synthOut, 'cvat-index.json'), '{');
    expect(() => readSynthIndex(synthOut, 'test')).toThrow(expect.objectContaining({ exit: EXIT.CONFIG }));
  });

  it('reads the index from CVAT_OPS_SYNTH_DIR when it is set', async () => {
    const elsewhere = join(repo.dir, 'elsewhere');
    mkdirSync(elsewhere);
    writeIndex(elsewhere, {
      opa: { stack: 'apps2', resourceType: 'azurerm_container_app', address: 'azurerm_container_app.opa_ELSEWHERE', azureName: 'opa' },
    });
    const result = await appsRecreate(
      { ...globals({ env: 'test', dryRun: true }), name: 'opa' },
      testRuntime({ cwd: repo.dir, env: { CVAT_OPS_SYNTH_DIR: elsewhere } }),
      { spawn },
    );
    expect(result.data).toMatchObject({ stack: 'apps2', address: 'azurerm_container_app.opa_ELSEWHERE', source: 'synth-index' });
  });

  it('with --dry-run shows the infra deploy command and runs nothing', async () => {
    const result = await appsRecreate({ ...globals({ env: 'test', dryRun: true }), name: 'cvat-server' }, runtime, { spawn });
    expect(result.data.command).toEqual([
      'npx',
      'nx',
      'run',
      'infra:deploy',
      '--',
      '--env',
      'test',
      '--stack',
      'apps',
      '--replace',
      'azurerm_container_app.cvat-server_027B861D',
    ]);
    expect(result.data.cwd).toBe(repo.dir);
    expect(calls).toEqual([]);
  });

  it('runs the infra deploy with --yes passed through, and fails with exit 1 when the deploy fails', async () => {
    const result = await appsRecreate(
      { ...globals({ env: 'test', yes: true }), name: 'opa', address: 'azurerm_container_app.opa_X' },
      runtime,
      { spawn },
    );
    expect(calls).toEqual([
      {
        command: 'npx',
        args: ['nx', 'run', 'infra:deploy', '--', '--env', 'test', '--stack', 'apps', '--replace', 'azurerm_container_app.opa_X', '--yes'],
        cwd: repo.dir,
      },
    ]);
    expect(result.data.exitCode).toBe(0);
    exitCode = 3;
    await expect(appsRecreate({ ...globals({ env: 'test', yes: true }), name: 'opa' }, runtime, { spawn })).rejects.toMatchObject({
      exit: EXIT.FAILED,
    });
  });

  it('refuses without --yes in a non-interactive shell and needs --env', async () => {
    await expect(appsRecreate({ ...globals({ env: 'test' }), name: 'opa' }, runtime, { spawn })).rejects.toMatchObject({
      exit: EXIT.REFUSED,
    });
    await expect(appsRecreate({ ...globals(), name: 'opa' }, runtime, { spawn })).rejects.toMatchObject({ exit: EXIT.USAGE });
    expect(calls).toEqual([]);
  });

  it('explains when to restart, recreate or deploy in --help', async () => {
    await runCli(['apps', 'recreate', '--help'], runtime);
    await runCli(['apps', 'restart', '--help'], runtime);
    const help = runtime.out();
    expect(help).toContain('npx nx run infra:deploy -- --env <env> --stack <stack> --replace <address>');
    expect(help).toContain("If the configuration is right and only the process is stuck, use 'cvat-ops apps restart'.");
    expect(help).toContain(
      "If the resource is\nbroken use 'cvat-ops apps recreate'; if the configuration changed use 'npx nx run infra:deploy'.",
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/deploy/manifest';
import { extractTerraformError, type OrchestratorOptions, runOrchestrator } from '../../src/deploy/orchestrator';
import { classifyApplyLine } from '../../src/deploy/scheduling';
import type { TerraformResult, TerraformRunner } from '../../src/deploy/terraform';

// Unit tests with a scripted terraform double: fast, and able to produce any failure on demand. The
// behaviour against the real binary is covered by orchestrator-terraform.test.ts.

const manifest: Manifest = {
  outDir: '/nonexistent/cdktf.out',
  version: '0.21.0',
  stacks: [
    {
      name: 'foundation',
      dependencies: [],
      workingDirectory: '/nonexistent/foundation',
      synthesizedStackPath: '/nonexistent/foundation/cdk.tf.json',
    },
    {
      name: 'apps',
      dependencies: ['foundation'],
      workingDirectory: '/nonexistent/apps',
      synthesizedStackPath: '/nonexistent/apps/cdk.tf.json',
    },
  ],
};

const ok = (stdout = ''): TerraformResult => ({ exitCode: 0, stdout, stderr: '' });
const fail = (stderr: string): TerraformResult => ({ exitCode: 1, stdout: '', stderr });
const planJson = (changes: Array<{ address: string; type: string; actions: string[] }>) =>
  JSON.stringify({
    format_version: '1.2',
    resource_changes: changes.map((c) => ({ address: c.address, mode: 'managed', type: c.type, change: { actions: c.actions } })),
  });
const CREATE_APP = [{ address: 'azurerm_container_app.cvat-ui', type: 'azurerm_container_app', actions: ['create'] }];

type Script = (stack: string, args: readonly string[], call: number) => TerraformResult | undefined;

/** A terraform double: `script` answers first, then defaults (plan → changes, show → `defaultPlan`). */
function scripted(
  script: Script = () => undefined,
  defaultPlan = planJson(CREATE_APP),
): { runner: TerraformRunner; calls: Array<{ stack: string; args: readonly string[] }> } {
  const calls: Array<{ stack: string; args: readonly string[] }> = [];
  return {
    calls,
    runner: {
      binary: '/fake/terraform',
      async run(args, options) {
        const stack = options.cwd.split('/').pop()!;
        calls.push({ stack, args });
        const scriptedResult = script(stack, args, calls.filter((c) => c.stack === stack && c.args[0] === args[0]).length);
        if (scriptedResult) return scriptedResult;
        if (args[0] === 'plan') return { exitCode: 2, stdout: '', stderr: '' };
        if (args[0] === 'show') return ok(defaultPlan);
        return ok();
      },
    },
  };
}

function opts(runner: TerraformRunner, extra: Partial<OrchestratorOptions> = {}) {
  const lines: string[] = [];
  const sleeps: number[] = [];
  const o: OrchestratorOptions = {
    command: 'deploy',
    manifest,
    runner,
    confirmation: { mode: 'auto', reason: '--yes' },
    log: (l) => lines.push(l),
    sleep: async (ms) => void sleeps.push(ms),
    retryPolicy: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000 },
    ...extra,
  };
  return { o, lines, sleeps };
}

describe('runOrchestrator retries', () => {
  it('stops after the last attempt of a persistent "transient" error, naming it and what to check', async () => {
    const CONFLICT =
      'Error: unexpected status 409 (409 Conflict) with error: ManagedEnvironmentOperationInProgress: Cannot modify Container ' +
      'Apps environment cvat-dev-cae because another operation is in progress.';
    const { runner, calls } = scripted((stack, args) => (stack === 'apps' && args[0] === 'apply' ? fail(CONFLICT) : undefined));
    const { o, sleeps } = opts(runner);
    const report = await runOrchestrator(o);
    expect(report.ok).toBe(false);
    expect(calls.filter((c) => c.stack === 'apps' && c.args[0] === 'apply')).toHaveLength(3);
    expect(sleeps).toEqual([1000, 2000]);
    expect(report.stacks[1].retries.map((r) => r.reason)).toEqual([
      'ManagedEnvironmentOperationInProgress',
      'ManagedEnvironmentOperationInProgress',
    ]);
    expect(report.failure?.message).toContain("deploy stopped at stack 'apps', step 'apply' (attempt 3):");
    expect(report.failure?.message).toContain(
      'hint: ManagedEnvironmentOperationInProgress persisted through 3 attempts: check the environment in the portal',
    );
  });

  it('retries a throttled init and plan, then carries on', async () => {
    const THROTTLED = 'Error: Failed to get existing workspaces: unexpected status 429 (429 Too Many Requests)';
    const { runner } = scripted((stack, args, n) =>
      stack === 'foundation' && (args[0] === 'init' || args[0] === 'plan') && n === 1 ? fail(THROTTLED) : undefined,
    );
    const { o } = opts(runner);
    const report = await runOrchestrator(o);
    expect(report.ok).toBe(true);
    expect(report.stacks[0].retries.map((r) => `${r.step}:${r.reason}`)).toEqual(['init:TooManyRequests', 'plan:TooManyRequests']);
  });

  it('does not retry an unknown error, and says what completed and what did not start', async () => {
    const { runner, calls } = scripted((stack, args) =>
      stack === 'foundation' && args[0] === 'plan' ? fail('Error: Invalid reference\n\n  on cdk.tf.json line 3') : undefined,
    );
    const { o, sleeps } = opts(runner);
    const report = await runOrchestrator(o);
    expect(report.failure).toMatchObject({ code: 'STEP_FAILED', stackName: 'foundation', step: 'plan', exitCode: 1 });
    expect(report.failure?.message).toContain('completed: none; not started: apps.');
    expect(sleeps).toEqual([]);
    expect(calls.some((c) => c.stack === 'apps')).toBe(false);
  });

  it('asks again before a retry whose new plan touches resources that were not confirmed', async () => {
    const { runner } = scripted((stack, args, n) => {
      if (stack !== 'apps') return undefined;
      if (args[0] === 'apply' && n === 1) return fail('Error: StatusCode=429 throttled');
      if (args[0] === 'show' && n === 2)
        return ok(planJson([...CREATE_APP, { address: 'azurerm_container_app.opa', type: 'azurerm_container_app', actions: ['update'] }]));
      return undefined;
    });
    const questions: string[] = [];
    const { o } = opts(runner, {
      confirmation: { mode: 'prompt' },
      confirmer: {
        confirm: async (q) => {
          questions.push(q);
          return true;
        },
      },
    });
    const report = await runOrchestrator(o);
    expect(report.ok).toBe(true);
    expect(questions).toEqual([
      "Apply 1 to add, 0 to change, 0 to destroy to stack 'foundation'?",
      "Apply 1 to add, 0 to change, 0 to destroy to stack 'apps'?",
      "Apply 1 to add, 1 to change, 0 to destroy to stack 'apps'?",
    ]);
  });
});

describe('runOrchestrator safety', () => {
  const REPLACE_DB = planJson([
    { address: 'azurerm_postgresql_flexible_server.db', type: 'azurerm_postgresql_flexible_server', actions: ['delete', 'create'] },
  ]);

  it('refuses a non-interactive deploy that would replace a database, before applying anything', async () => {
    const { runner, calls } = scripted(undefined, REPLACE_DB);
    const { o } = opts(runner);
    const report = await runOrchestrator(o);
    expect(report.failure?.code).toBe('DATA_LOSS_GUARD');
    expect(report.failure?.exitCode).toBe(3);
    expect(report.failure?.message).toContain("stack 'foundation': the plan would replace azurerm_postgresql_flexible_server.db");
    expect(report.failure?.message).toContain('rerun with --allow-data-loss');
    expect(calls.some((c) => c.args[0] === 'apply')).toBe(false);
  });

  it('applies it with --allow-data-loss, and an interactive run asks instead of refusing', async () => {
    const a = scripted(undefined, REPLACE_DB);
    expect((await runOrchestrator(opts(a.runner, { allowDataLoss: true }).o)).ok).toBe(true);
    const b = scripted(undefined, REPLACE_DB);
    const asked: string[] = [];
    const interactive = await runOrchestrator(
      opts(b.runner, {
        confirmation: { mode: 'prompt' },
        confirmer: {
          confirm: async (q) => {
            asked.push(q);
            return true;
          },
        },
      }).o,
    );
    expect(interactive.ok).toBe(true);
    expect(asked).toHaveLength(2);
  });

  it('skips apply when terraform reports no changes', async () => {
    const { runner, calls } = scripted((_, args) => (args[0] === 'plan' ? ok() : undefined));
    const report = await runOrchestrator(opts(runner).o);
    expect(report.stacks.map((s) => s.status)).toEqual(['no-changes', 'no-changes']);
    expect(calls.map((c) => c.args[0])).toEqual(['init', 'plan', 'init', 'plan']);
  });

  it('passes --replace to the plan of the one selected stack, and refuses it without exactly one --stack', async () => {
    const { runner, calls } = scripted();
    await runOrchestrator(opts(runner, { only: ['apps'], replace: ['azurerm_container_app.cvat-ui'] }).o);
    expect(calls.find((c) => c.args[0] === 'plan')!.args).toContain('-replace=azurerm_container_app.cvat-ui');
    expect(calls.every((c) => c.stack === 'apps')).toBe(true);
    await expect(runOrchestrator(opts(runner, { replace: ['azurerm_container_app.cvat-ui'] }).o)).rejects.toThrow(
      "'--replace' (azurerm_container_app.cvat-ui) needs exactly one '--stack'",
    );
  });

  it('reports a show that prints no JSON as a failure of the show step', async () => {
    const { runner } = scripted((_, args) => (args[0] === 'show' ? ok('not json') : undefined));
    const report = await runOrchestrator(opts(runner).o);
    expect(report.failure).toMatchObject({ stackName: 'foundation', step: 'show' });
  });
});

describe('extractTerraformError', () => {
  it('keeps the Error block and drops warnings and box drawing', () => {
    const stderr = [
      '╷',
      '│ Warning: Unable to open CLI configuration file',
      '╵',
      '',
      '╷',
      '│ Error: creating Resource Group',
      '│ ',
      '│   with azurerm_resource_group.rg,',
      '╵',
    ].join('\n');
    expect(extractTerraformError(stderr)).toBe('Error: creating Resource Group\n\n  with azurerm_resource_group.rg,');
  });

  it('falls back to the last lines when there is no Error block', () => {
    expect(extractTerraformError('a\nb\n\nsegmentation fault\n')).toBe('a\nb\nsegmentation fault');
  });
});

describe('classifyApplyLine', () => {
  it("reads terraform's apply progress lines (hook_ui.go formats) and ignores the rest", () => {
    expect(classifyApplyLine('azurerm_container_app.ui: Creating...')).toEqual({ kind: 'started', address: 'azurerm_container_app.ui' });
    expect(classifyApplyLine('azurerm_container_app.ui: Modifying... [id=/subscriptions/x]')).toEqual({
      kind: 'started',
      address: 'azurerm_container_app.ui',
    });
    expect(classifyApplyLine('azurerm_container_app.ui: Still creating... [10s elapsed]')).toEqual({
      kind: 'still',
      address: 'azurerm_container_app.ui',
    });
    expect(classifyApplyLine('azurerm_container_app.ui: Still modifying... [id=x, 00m20s elapsed]').kind).toBe('still');
    expect(classifyApplyLine('module.a.azurerm_subnet.s["edge"]: Creation complete after 6s [id=/x]')).toEqual({
      kind: 'completed',
      address: 'module.a.azurerm_subnet.s["edge"]',
    });
    expect(classifyApplyLine('terraform_data.x: Destruction complete after 0s').kind).toBe('completed');
    expect(classifyApplyLine('terraform_data.x (local-exec): Executing: ["/bin/sh" "-c" "echo"]').kind).toBe('other');
    expect(classifyApplyLine('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.').kind).toBe('other');
  });
});

describe('runOrchestrator side by side (scripted terraform)', () => {
  const three: Manifest = {
    ...manifest,
    stacks: [
      ...manifest.stacks,
      {
        name: 'edge',
        dependencies: ['foundation'],
        workingDirectory: '/nonexistent/edge',
        synthesizedStackPath: '/nonexistent/edge/cdk.tf.json',
      },
    ],
  };

  it('asks one question at a time while apps and edge plan side by side, and passes -parallelism to plan and apply', async () => {
    let releaseApps: () => void = () => undefined;
    const appsPlanned = new Promise<void>((r) => {
      releaseApps = r;
    });
    const { runner, calls } = scripted();
    const slow: TerraformRunner = {
      binary: runner.binary,
      async run(args, options) {
        // apps' apply waits until edge has been asked too, so both are in flight at once.
        if (options.cwd.endsWith('/apps') && args[0] === 'apply') await appsPlanned;
        return runner.run(args, options);
      },
    };
    const open: string[] = [];
    const questions: string[] = [];
    const { o } = opts(slow, {
      manifest: three,
      parallelism: (s) => (s.name === 'apps' ? 24 : undefined),
      confirmation: { mode: 'prompt' },
      confirmer: {
        confirm: async (q) => {
          expect(open).toEqual([]); // never two questions at once
          open.push(q);
          questions.push(q);
          await new Promise((r) => setTimeout(r, 5));
          open.pop();
          if (q.includes("'edge'")) releaseApps();
          return true;
        },
      },
    });
    const report = await runOrchestrator(o);
    expect(report.ok).toBe(true);
    expect(questions).toHaveLength(3);
    expect(report.dependencies).toEqual({ foundation: [], apps: ['foundation'], edge: ['foundation'] });
    const appsCalls = calls.filter((c) => c.stack === 'apps');
    expect(appsCalls.find((c) => c.args[0] === 'plan')!.args).toContain('-parallelism=24');
    expect(appsCalls.find((c) => c.args[0] === 'apply')!.args).toContain('-parallelism=24');
    expect(calls.filter((c) => c.stack === 'edge').every((c) => !c.args.some((a) => a.startsWith('-parallelism')))).toBe(true);
    expect(report.stacks.find((s) => s.name === 'apps')!.parallelism).toBe(24);
  });

  it('starts nothing after a failure, and reports the stack that never started', async () => {
    const { runner, calls } = scripted((stack, args) =>
      stack === 'foundation' && args[0] === 'apply' ? fail('Error: quota exceeded') : undefined,
    );
    const report = await runOrchestrator(opts(runner, { manifest: three }).o);
    expect(report.stacks.map((s) => `${s.name}:${s.status}`)).toEqual(['foundation:failed', 'apps:not-started', 'edge:not-started']);
    expect(report.failure!.message).toContain('completed: none; not started: apps, edge.');
    expect(calls.some((c) => c.stack !== 'foundation')).toBe(false);
  });
});

describe('failure hints', () => {
  it('names the state rm of the previous server when an adopted postgres.serverName meets prevent_destroy', async () => {
    const stderr = [
      '╷',
      '│ Error: Instance cannot be destroyed',
      '│ ',
      '│   on cdk.tf.json line 812:',
      '│  812:       "azurerm_postgresql_flexible_server.Postgres_9DC8BB04": {',
      '│ ',
      '│ Resource azurerm_postgresql_flexible_server.Postgres_9DC8BB04 has lifecycle.prevent_destroy set, but the plan calls',
      '│ for this resource to be destroyed.',
      '╵',
      '╷',
      '│ Error: Instance cannot be destroyed',
      '│ ',
      '│ Resource azurerm_postgresql_flexible_server_database.Postgres_Database_F02489C9 has lifecycle.prevent_destroy set,',
      '│ but the plan calls for this resource to be destroyed.',
      '╵',
    ].join('\n');
    const { runner } = scripted((stack, args) => (stack === 'foundation' && args[0] === 'plan' ? fail(stderr) : undefined));
    const report = await runOrchestrator(opts(runner).o);
    expect(report.failure?.message).toContain(
      "hint: the environment adopts postgres.serverName while the previous server is still in this stack's state: forget it with " +
        '`terraform -chdir=/nonexistent/foundation state rm azurerm_postgresql_flexible_server.Postgres_9DC8BB04 ' +
        'azurerm_postgresql_flexible_server_database.Postgres_Database_F02489C9` (they stay in Azure), then deploy again',
    );
  });
});

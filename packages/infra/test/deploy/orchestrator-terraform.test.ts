import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfirmationPolicy } from '@cvat-cloud/runtime';
import { DeployError } from '../../src/deploy/errors';
import { loadManifest } from '../../src/deploy/manifest';
import { type OrchestratorOptions, runOrchestrator } from '../../src/deploy/orchestrator';
import { createTerraformRunner, type TerraformRunner } from '../../src/deploy/terraform';
import { type FixtureStack, TERRAFORM_BINARY, TERRAFORM_SKIP_REASON, TerraformFixture } from './support/terraform-fixture';

if (TERRAFORM_SKIP_REASON) console.warn(`[skipped] ${TERRAFORM_SKIP_REASON}`);
const describeWithTerraform = TERRAFORM_SKIP_REASON ? describe.skip : describe;

interface Call {
  readonly args: readonly string[];
  readonly stack: string;
  readonly exitCode: number;
  readonly planFileExisted: boolean;
}

/** Wraps the real runner, recording every call; `before` may edit files between steps. */
function recordingRunner(before?: (args: readonly string[], stack: string) => void): { runner: TerraformRunner; calls: Call[] } {
  const real = createTerraformRunner(TERRAFORM_BINARY!, { PATH: process.env.PATH, HOME: process.env.HOME });
  const calls: Call[] = [];
  return {
    calls,
    runner: {
      binary: real.binary,
      async run(args, options) {
        const stack = options.cwd.split('/').pop()!;
        before?.(args, stack);
        const planFileExisted = existsSync(join(options.cwd, 'cvat-deploy.tfplan'));
        const result = await real.run(args, options);
        calls.push({ args, stack, exitCode: result.exitCode, planFileExisted });
        return result;
      },
    },
  };
}

const fixtures: TerraformFixture[] = [];
afterEach(() => {
  while (fixtures.length) fixtures.pop()!.dispose();
});

/** foundation → apps → edge, each logging its applies and destroys; apps fails while `marker` exists. */
function threeStacks(options: { manifestOrder?: string[]; edgeOnCreate?: (f: TerraformFixture) => string } = {}): TerraformFixture {
  const fx = new TerraformFixture(
    (f): FixtureStack[] => [
      {
        name: 'foundation',
        dependencies: [],
        resources: { network: { onCreate: f.event('apply foundation'), onDestroy: f.event('destroy foundation') } },
      },
      {
        name: 'apps',
        dependencies: ['foundation'],
        resources: {
          server: { onCreate: f.event('apply apps'), onDestroy: f.event('destroy apps') },
          migrate: { onCreate: `if [ -f '${f.path('marker')}' ]; then echo 'Error: migration refused, marker present' >&2; exit 1; fi` },
        },
      },
      {
        name: 'edge',
        dependencies: ['apps'],
        resources: {
          proxy: { onCreate: options.edgeOnCreate ? options.edgeOnCreate(f) : f.event('apply edge'), onDestroy: f.event('destroy edge') },
        },
      },
    ],
    { manifestOrder: options.manifestOrder },
  );
  fixtures.push(fx);
  return fx;
}

const auto: ConfirmationPolicy = { mode: 'auto', reason: '--yes' };

function options(
  fx: TerraformFixture,
  runner: TerraformRunner,
  extra: Partial<OrchestratorOptions> = {},
): OrchestratorOptions & { lines: string[]; sleeps: number[] } {
  const lines: string[] = [];
  const sleeps: number[] = [];
  return {
    command: 'deploy',
    manifest: loadManifest(fx.outDir),
    runner,
    confirmation: auto,
    log: (l) => lines.push(l),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    retryPolicy: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 4000 },
    lockTimeoutSeconds: 5,
    ...extra,
    lines,
    sleeps,
  };
}

describeWithTerraform('orchestrator against real terraform (terraform_data stacks, local backend)', () => {
  it('applies stacks in dependency order, not manifest order, and a rerun plans to no changes', async () => {
    // GIVEN a manifest listing edge first although it depends on apps, which depends on foundation
    const fx = threeStacks({ manifestOrder: ['edge', 'apps', 'foundation'] });
    const { runner } = recordingRunner();
    // WHEN deploying
    const report = await runOrchestrator(options(fx, runner));
    // THEN the applies happened foundation → apps → edge and state lives outside cdktf.out
    expect(report.ok).toBe(true);
    expect(fx.events()).toEqual(['apply foundation', 'apply apps', 'apply edge']);
    expect(report.stacks.map((s) => [s.name, s.status, s.summary?.add])).toEqual([
      ['foundation', 'applied', 1],
      ['apps', 'applied', 2],
      ['edge', 'applied', 1],
    ]);
    expect(fx.stateResources('apps')).toEqual(['terraform_data.migrate', 'terraform_data.server']);
    expect(existsSync(join(fx.stateDir, 'edge.tfstate'))).toBe(true);

    // WHEN deploying again THEN every stack plans to no changes and nothing is applied
    const again = await runOrchestrator(options(fx, runner));
    expect(again.stacks.map((s) => s.status)).toEqual(['no-changes', 'no-changes', 'no-changes']);
    expect(fx.events()).toHaveLength(3);
  }, 60_000);

  it('applies exactly the saved plan it summarised, even if the configuration changes after planning', async () => {
    const fx = threeStacks();
    // GIVEN the foundation config is edited between its plan and its apply
    const { runner, calls } = recordingRunner((args, stack) => {
      if (args[0] === 'apply' && stack === 'foundation') {
        const file = join(fx.outDir, 'stacks/foundation/cdk.tf.json');
        writeFileSync(file, readFileSync(file, 'utf8').replace('apply foundation', 'apply foundation EDITED AFTER PLAN'));
      }
    });
    const report = await runOrchestrator(options(fx, runner));
    expect(report.ok).toBe(true);
    // THEN the applied provisioner is the planned one, and each apply consumed the plan file its plan wrote
    expect(fx.events()[0]).toBe('apply foundation');
    for (const stack of ['foundation', 'apps', 'edge']) {
      const mine = calls.filter((c) => c.stack === stack).map((c) => c.args[0]);
      expect(mine).toEqual(['init', 'plan', 'show', 'apply']);
      const plan = calls.find((c) => c.stack === stack && c.args[0] === 'plan')!;
      const apply = calls.find((c) => c.stack === stack && c.args[0] === 'apply')!;
      expect(plan.args).toContain('-out=cvat-deploy.tfplan');
      expect(plan.args).toContain('-detailed-exitcode');
      expect(apply.args[apply.args.length - 1]).toBe('cvat-deploy.tfplan');
      expect(apply.planFileExisted).toBe(true);
      expect(existsSync(join(fx.outDir, 'stacks', stack, 'cvat-deploy.tfplan'))).toBe(false);
    }
  }, 60_000);

  it('stops at the failing stack naming the stack and step, and a rerun resumes where it stopped', async () => {
    // GIVEN the apps stack fails while the marker file exists
    const fx = threeStacks();
    writeFileSync(fx.path('marker'), '');
    const { runner } = recordingRunner();
    const first = options(fx, runner);
    const failed = await runOrchestrator(first);
    // THEN the run stops at apps/apply with terraform's error, edge never starts, nothing is retried
    expect(failed.ok).toBe(false);
    expect(failed.failure?.code).toBe('STEP_FAILED');
    expect(failed.failure?.stackName).toBe('apps');
    expect(failed.failure?.step).toBe('apply');
    expect(failed.failure?.message).toContain("stopped at stack 'apps', step 'apply'");
    expect(failed.failure?.message).toContain('migration refused, marker present');
    expect(failed.failure?.message).toContain('completed: foundation; not started: edge');
    expect(failed.stacks.map((s) => s.status)).toEqual(['applied', 'failed', 'not-started']);
    expect(failed.stacks[1].retries).toEqual([]);
    expect(first.sleeps).toEqual([]);
    expect(fx.events()).toEqual(['apply foundation', 'apply apps']);
    expect(fx.stateResources('edge')).toEqual([]);

    // WHEN the cause is fixed and the same command runs again
    rmSync(fx.path('marker'));
    const resumed = await runOrchestrator(options(fx, runner));
    // THEN foundation is untouched, apps finishes (its half-created resource is replaced) and edge follows
    expect(resumed.ok).toBe(true);
    expect(resumed.stacks.map((s) => s.status)).toEqual(['no-changes', 'applied', 'applied']);
    const appsChanges = resumed.stacks[1].summary!.changes;
    expect(appsChanges).toEqual([
      expect.objectContaining({ address: 'terraform_data.migrate', action: 'replace', reason: expect.stringContaining('tainted') }),
    ]);
    expect(fx.events()).toEqual(['apply foundation', 'apply apps', 'apply edge']);
  }, 60_000);

  it('retries a transient 429 with backoff, logging the matched reason, and plans again before re-applying', async () => {
    // GIVEN the edge provisioner prints an ARM throttling error the first time only
    const fx = threeStacks({
      edgeOnCreate: (f) =>
        `if [ ! -f '${f.path('throttled-once')}' ]; then touch '${f.path('throttled-once')}'; ` +
        `echo 'unexpected status 429 (429 Too Many Requests) with error: TooManyRequests' >&2; exit 1; fi; ${f.event('apply edge')}`,
    });
    const { runner, calls } = recordingRunner();
    const opts = options(fx, runner);
    const report = await runOrchestrator(opts);
    // THEN edge succeeds on the second attempt after one logged retry
    expect(report.ok).toBe(true);
    expect(report.stacks[2].retries).toEqual([{ step: 'apply', attempt: 1, reason: 'TooManyRequests', delayMs: 1000 }]);
    expect(opts.sleeps).toEqual([1000]);
    expect(opts.lines.some((l) => l.startsWith('[edge] apply: transient error TooManyRequests'))).toBe(true);
    expect(calls.filter((c) => c.stack === 'edge').map((c) => c.args[0])).toEqual([
      'init',
      'plan',
      'show',
      'apply',
      'plan',
      'show',
      'apply',
    ]);
    expect(fx.events()).toEqual(['apply foundation', 'apply apps', 'apply edge']);
  }, 60_000);

  it('destroys in reverse dependency order after one confirmation showing the total', async () => {
    const fx = threeStacks();
    const { runner } = recordingRunner();
    expect((await runOrchestrator(options(fx, runner))).ok).toBe(true);
    // WHEN destroying interactively and answering yes
    const questions: string[] = [];
    const opts = options(fx, runner, {
      command: 'destroy',
      confirmation: { mode: 'prompt' },
      confirmer: {
        confirm: async (q) => {
          questions.push(q);
          return true;
        },
      },
    });
    const report = await runOrchestrator(opts);
    // THEN edge, apps and foundation were destroyed in that order after exactly one question
    expect(report.ok).toBe(true);
    expect(questions).toEqual(['DESTROY 4 resource(s) in stack(s) edge, apps, foundation? This cannot be undone.']);
    expect(fx.events().slice(3)).toEqual(['destroy edge', 'destroy apps', 'destroy foundation']);
    expect(report.stacks.map((s) => [s.name, s.status, s.summary?.destroy])).toEqual([
      ['edge', 'destroyed', 1],
      ['apps', 'destroyed', 2],
      ['foundation', 'destroyed', 1],
    ]);
    expect(opts.lines.some((l) => l.includes('- DESTROY terraform_data.migrate'))).toBe(true);
    expect(['foundation', 'apps', 'edge'].flatMap((s) => fx.stateResources(s))).toEqual([]);
  }, 60_000);

  it('destroys nothing when the confirmation is declined or with --dry-run, and removes its plan files', async () => {
    const fx = threeStacks();
    const { runner } = recordingRunner();
    expect((await runOrchestrator(options(fx, runner))).ok).toBe(true);
    const declined = await runOrchestrator(
      options(fx, runner, { command: 'destroy', confirmation: { mode: 'prompt' }, confirmer: { confirm: async () => false } }),
    );
    expect(declined.ok).toBe(false);
    expect(declined.failure?.code).toBe('NOT_CONFIRMED');
    const dry = await runOrchestrator(options(fx, runner, { command: 'destroy', dryRun: true }));
    expect(dry.ok).toBe(true);
    expect(dry.stacks.map((s) => s.status)).toEqual(['planned', 'planned', 'planned']);
    expect(fx.events()).toEqual(['apply foundation', 'apply apps', 'apply edge']);
    expect(fx.stateResources('foundation')).toEqual(['terraform_data.network']);
    for (const stack of ['foundation', 'apps', 'edge'])
      expect(existsSync(join(fx.outDir, 'stacks', stack, 'cvat-deploy.tfplan'))).toBe(false);
  }, 60_000);

  it('plans without applying and defers stacks whose dependencies are not applied yet', async () => {
    const fx = threeStacks();
    const { runner, calls } = recordingRunner();
    const report = await runOrchestrator(options(fx, runner, { command: 'plan' }));
    expect(report.ok).toBe(true);
    expect(report.stacks.map((s) => [s.name, s.status])).toEqual([
      ['foundation', 'planned'],
      ['apps', 'deferred'],
      ['edge', 'deferred'],
    ]);
    expect(report.stacks[1].error).toMatch(/cannot be planned until foundation is applied/);
    expect(calls.some((c) => c.args[0] === 'apply')).toBe(false);
    expect(fx.events()).toEqual([]);
    for (const stack of ['foundation', 'apps', 'edge']) expect(existsSync(join(fx.stateDir, `${stack}.tfstate`))).toBe(false);
  }, 60_000);

  it('refuses before the first apply when confirmation is needed and there is no terminal', async () => {
    const fx = threeStacks();
    const { runner, calls } = recordingRunner();
    const report = await runOrchestrator(
      options(fx, runner, { confirmation: { mode: 'refuse', reason: 'stdin is not a TTY; pass --yes' } }),
    );
    expect(report.ok).toBe(false);
    expect(report.failure?.code).toBe('NOT_CONFIRMED');
    expect(report.failure?.message).toContain('pass --yes');
    expect(calls.some((c) => c.args[0] === 'apply')).toBe(false);
    expect(fx.events()).toEqual([]);
  }, 60_000);

  it('runs each step after its stack and before the next one, and reports it', async () => {
    const fx = threeStacks();
    const { runner } = recordingRunner();
    const seen: string[] = [];
    const step = (name: string, after: string) => ({
      name,
      after,
      run: async () => {
        seen.push(`${name}:${fx.events().length}`);
        return { status: 'ran' as const, reason: `after ${after}`, detail: { n: fx.events().length } };
      },
    });
    const report = await runOrchestrator(
      options(fx, runner, { steps: [step('init-job', 'apps'), step('superuser', 'apps'), step('notes', 'edge')] }),
    );
    expect(report.ok).toBe(true);
    expect(seen).toEqual(['init-job:2', 'superuser:2', 'notes:3']);
    expect(report.steps).toMatchObject([
      { name: 'init-job', after: 'apps', status: 'ran', reason: 'after apps', detail: { n: 2 } },
      { name: 'superuser', after: 'apps', status: 'ran' },
      { name: 'notes', after: 'edge', status: 'ran' },
    ]);
  }, 60_000);

  it('stops at a failed step: the step is failed, its stack stays applied, later stacks and steps are not started', async () => {
    const fx = threeStacks();
    const { runner } = recordingRunner();
    const report = await runOrchestrator(
      options(fx, runner, {
        steps: [
          {
            name: 'init-job',
            after: 'apps',
            run: async () => {
              throw new DeployError('INIT_JOB_FAILED', 'init job execution x ended Failed', { stackName: 'apps', step: 'init-job' });
            },
          },
          { name: 'superuser', after: 'apps', run: async () => ({ status: 'ran' as const, reason: 'never' }) },
        ],
      }),
    );
    expect(report.ok).toBe(false);
    expect(report.failure).toMatchObject({ code: 'INIT_JOB_FAILED', step: 'init-job', exit: 1 });
    expect(report.stacks.map((s) => `${s.name}:${s.status}`)).toEqual(['foundation:applied', 'apps:applied', 'edge:not-started']);
    expect(report.steps.map((s) => `${s.name}:${s.status}`)).toEqual(['init-job:failed', 'superuser:not-started']);
    expect(fx.events()).toEqual(['apply foundation', 'apply apps']);
  }, 60_000);

  it('leaves out steps whose stack is not part of the run (--stack foundation)', async () => {
    const fx = threeStacks();
    const { runner } = recordingRunner();
    const report = await runOrchestrator(
      options(fx, runner, {
        only: ['foundation'],
        steps: [{ name: 'init-job', after: 'apps', run: async () => ({ status: 'ran' as const, reason: '' }) }],
      }),
    );
    expect(report.ok).toBe(true);
    expect(report.steps).toEqual([]);
  }, 60_000);
});

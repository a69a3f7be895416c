import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeployError } from '../../src/deploy/errors';
import { loadManifest, stateReadDependencies } from '../../src/deploy/manifest';
import { type OrchestratorOptions, type OrchestratorStep, runOrchestrator } from '../../src/deploy/orchestrator';
import { createTerraformRunner, type TerraformRunner } from '../../src/deploy/terraform';
import { type FixtureStack, TERRAFORM_BINARY, TERRAFORM_SKIP_REASON, TerraformFixture } from './support/terraform-fixture';

// Stacks side by side against the real terraform binary: foundation first, then apps and edge together (edge reads
// foundation's state only; the manifest also lists apps for it, an ordering-only dependency).

if (TERRAFORM_SKIP_REASON) console.warn(`[skipped] ${TERRAFORM_SKIP_REASON}`);
const describeWithTerraform = TERRAFORM_SKIP_REASON ? describe.skip : describe;

const fixtures: TerraformFixture[] = [];
afterEach(() => {
  while (fixtures.length) fixtures.pop()!.dispose();
});

/** A shell snippet appending `<label> <epoch ms>` to the timeline file. */
const mark = (fx: TerraformFixture, label: string) => `echo "${label} $(date +%s%3N)" >> '${fx.path('timeline')}'`;

function timeline(fx: TerraformFixture): Map<string, number> {
  const text = readFileSync(fx.path('timeline'), 'utf8');
  return new Map(
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [label, ms] = l.split(' ');
        return [label!, Number(ms)];
      }),
  );
}

/** foundation → (apps ∥ edge); apps: a quick `job` and a slow `server`, failing while `marker` exists. */
function sideBySide(appsSeconds = 2): TerraformFixture {
  const fx = new TerraformFixture((f): FixtureStack[] => [
    {
      name: 'foundation',
      dependencies: [],
      resources: { network: { onCreate: `${mark(f, 'foundation:start')}; ${mark(f, 'foundation:end')}` } },
    },
    {
      name: 'apps',
      dependencies: ['foundation'],
      resources: {
        job: { onCreate: mark(f, 'job:created') },
        server: {
          onCreate:
            `${mark(f, 'apps:start')}; sleep ${appsSeconds}; ` +
            `if [ -f '${f.path('marker')}' ]; then echo 'Error: server refused, marker present' >&2; exit 1; fi; ${mark(f, 'apps:end')}`,
        },
      },
    },
    {
      name: 'edge',
      dependencies: ['foundation'],
      resources: { vm: { onCreate: `${mark(f, 'edge:start')}; sleep 1; ${mark(f, 'edge:end')}` } },
    },
  ]);
  // The manifest also lists apps for edge, as cdktf's addDependency does: ordering only, edge reads no apps output.
  const manifestFile = join(fx.outDir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  manifest.stacks.edge.dependencies = ['apps', 'foundation'];
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  fixtures.push(fx);
  return fx;
}

interface Call {
  readonly stack: string;
  readonly args: readonly string[];
  readonly startedAt: number;
  readonly endedAt: number;
}

function recording(): { runner: TerraformRunner; calls: Call[] } {
  const real = createTerraformRunner(TERRAFORM_BINARY!, { PATH: process.env.PATH, HOME: process.env.HOME });
  const calls: Call[] = [];
  return {
    calls,
    runner: {
      binary: real.binary,
      async run(args, options) {
        const startedAt = Date.now();
        const result = await real.run(args, options);
        calls.push({ stack: options.cwd.split('/').pop()!, args, startedAt, endedAt: Date.now() });
        return result;
      },
    },
  };
}

function options(fx: TerraformFixture, runner: TerraformRunner, extra: Partial<OrchestratorOptions> = {}) {
  const lines: string[] = [];
  const manifest = loadManifest(fx.outDir);
  const deps = stateReadDependencies(manifest);
  const o: OrchestratorOptions = {
    command: 'deploy',
    manifest,
    runner,
    confirmation: { mode: 'auto', reason: '--yes' },
    log: (l) => lines.push(l),
    sleep: async () => undefined,
    lockTimeoutSeconds: 5,
    dependencies: Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.reads])),
    progressIntervalMs: 400,
    ...extra,
  };
  return { o, lines };
}

describeWithTerraform('orchestrator: independent stacks side by side (real terraform)', () => {
  it('applies edge while apps is applying, after foundation, with prefixed lines and progress lines', async () => {
    const fx = sideBySide();
    const { runner, calls } = recording();
    const { o, lines } = options(fx, runner, { parallelism: (s) => (s.name === 'apps' ? 17 : undefined) });
    const report = await runOrchestrator(o);
    expect(report.ok).toBe(true);
    expect(report.dependencies).toEqual({ foundation: [], apps: ['foundation'], edge: ['foundation'] });
    expect(lines[0]).toMatch(/^deploy: 3 stack\(s\): foundation → \(apps ∥ edge\)/);
    const t = timeline(fx);
    // foundation before both; edge's creation overlaps the apps' creation.
    expect(t.get('foundation:end')!).toBeLessThanOrEqual(Math.min(t.get('apps:start')!, t.get('edge:start')!));
    expect(t.get('edge:start')!).toBeLessThan(t.get('apps:end')!);
    expect(t.get('apps:start')!).toBeLessThan(t.get('edge:end')!);
    // The sized parallelism reaches apps' plan and apply; the others keep terraform's default.
    const appsApply = calls.find((c) => c.stack === 'apps' && c.args[0] === 'apply')!;
    expect(appsApply.args).toContain('-parallelism=17');
    expect(calls.find((c) => c.stack === 'apps' && c.args[0] === 'plan')!.args).toContain('-parallelism=17');
    expect(calls.find((c) => c.stack === 'edge' && c.args[0] === 'apply')!.args.some((a) => a.startsWith('-parallelism'))).toBe(false);
    // Inits never overlap (the shared plugin cache is not safe for concurrent installs).
    const inits = calls.filter((c) => c.args[0] === 'init').sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < inits.length; i++) expect(inits[i]!.startedAt).toBeGreaterThanOrEqual(inits[i - 1]!.endedAt);
    // Every line of a stack is prefixed; a progress line per running stack shows its elapsed time.
    expect(lines.some((l) => /^\[apps\] progress: applying, \d+ of 2 done, \d+ in progress, \d+\.\ds elapsed$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\[edge\] progress: /.test(l))).toBe(true);
    expect(lines.filter((l) => l.includes('terraform_data.vm')).every((l) => l.startsWith('[edge] '))).toBe(true);
    expect(lines.some((l) => l.includes('Still creating...'))).toBe(false);
    // Each stack's window in the report.
    const [foundation, apps, edge] = report.stacks;
    expect(apps!.startedAtMs!).toBeGreaterThanOrEqual(foundation!.finishedAtMs! - 5);
    expect(edge!.startedAtMs!).toBeLessThan(apps!.finishedAtMs!);
    expect(report.wallMs).toBeGreaterThanOrEqual(apps!.finishedAtMs!);
  }, 90_000);

  it("reports a failed apps stack without losing edge's result, and a rerun finishes apps only", async () => {
    const fx = sideBySide(1);
    writeFileSync(fx.path('marker'), '');
    const { runner } = recording();
    const failed = await runOrchestrator(options(fx, runner).o);
    expect(failed.ok).toBe(false);
    expect(failed.stacks.map((s) => `${s.name}:${s.status}`)).toEqual(['foundation:applied', 'apps:failed', 'edge:applied']);
    expect(failed.failure).toMatchObject({ code: 'STEP_FAILED', stackName: 'apps', step: 'apply' });
    expect(failed.failure!.message).toContain('server refused, marker present');
    expect(failed.failure!.message).toContain('completed: foundation, edge; not started: none.');
    expect(fx.stateResources('edge')).toEqual(['terraform_data.vm']);

    rmSync(fx.path('marker'));
    const resumed = await runOrchestrator(options(fx, runner).o);
    expect(resumed.ok).toBe(true);
    expect(resumed.stacks.map((s) => `${s.name}:${s.status}`)).toEqual(['foundation:no-changes', 'apps:applied', 'edge:no-changes']);
  }, 90_000);

  it('reports every stack that failed side by side, the first as the failure', async () => {
    const fx = sideBySide(1);
    writeFileSync(fx.path('marker'), '');
    // edge fails too, on its own.
    const edgeFile = join(fx.outDir, 'stacks/edge/cdk.tf.json');
    const edge = JSON.parse(readFileSync(edgeFile, 'utf8'));
    edge.resource.terraform_data.vm.provisioner[0]['local-exec'].command = "echo 'Error: no capacity for the VM size' >&2; exit 1";
    writeFileSync(edgeFile, JSON.stringify(edge));
    const report = await runOrchestrator(options(fx, recording().runner).o);
    expect(report.stacks.map((s) => s.status)).toEqual(['applied', 'failed', 'failed']);
    expect(report.failures).toHaveLength(2);
    expect(report.failure!.message).toMatch(/also failed: deploy stopped at stack '(apps|edge)', step 'apply'/);
  }, 90_000);

  it('starts the steps of apps as soon as the resource they need exists, while the rest of the apply goes on', async () => {
    const fx = sideBySide(3);
    const { runner } = recording();
    const started: number[] = [];
    const step: OrchestratorStep = {
      name: 'init-job',
      after: 'apps',
      needs: (address) => address === 'terraform_data.job',
      run: async () => {
        started.push(Date.now());
        return { status: 'ran', reason: 'the job exists' };
      },
    };
    const { o, lines } = options(fx, runner, { steps: [step] });
    const report = await runOrchestrator(o);
    expect(report.ok).toBe(true);
    const t = timeline(fx);
    expect(started).toHaveLength(1);
    expect(started[0]!).toBeGreaterThanOrEqual(t.get('job:created')!);
    expect(started[0]!).toBeLessThan(t.get('apps:end')!);
    expect(lines).toContain('[apps] starting init-job: terraform_data.job is ready (the rest of the apply goes on)');
    expect(report.steps[0]).toMatchObject({ name: 'init-job', status: 'ran' });
    expect(report.steps[0]!.startedAtMs!).toBeLessThan(report.stacks[1]!.finishedAtMs!);

    // Rerun: nothing changes, so the step starts after the stack (its resources are unchanged, the plan is empty).
    const again = await runOrchestrator(options(fx, runner, { steps: [step] }).o);
    expect(again.stacks.map((s) => s.status)).toEqual(['no-changes', 'no-changes', 'no-changes']);
    expect(started).toHaveLength(2);
  }, 90_000);

  it('reports an init step that fails while the apps apply goes on, keeping the apply and the edge results', async () => {
    const fx = sideBySide(2);
    const failing: OrchestratorStep = {
      name: 'init-job',
      after: 'apps',
      needs: (address) => address === 'terraform_data.job',
      run: async () => {
        throw new DeployError('INIT_JOB_FAILED', 'init job execution x ended Failed', { stackName: 'apps', step: 'init-job' });
      },
    };
    const later: OrchestratorStep = { name: 'superuser', after: 'apps', run: async () => ({ status: 'ran', reason: 'never' }) };
    const report = await runOrchestrator(options(fx, recording().runner, { steps: [failing, later] }).o);
    expect(report.ok).toBe(false);
    expect(report.failure).toMatchObject({ code: 'INIT_JOB_FAILED', step: 'init-job' });
    expect(report.stacks.map((s) => `${s.name}:${s.status}`)).toEqual(['foundation:applied', 'apps:applied', 'edge:applied']);
    expect(report.steps.map((s) => `${s.name}:${s.status}`)).toEqual(['init-job:failed', 'superuser:not-started']);
    expect(timeline(fx).has('apps:end')).toBe(true);
  }, 90_000);
});

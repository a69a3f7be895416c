import type { ConfirmationPolicy, Confirmer } from '@cvat-cloud/runtime';
import { CliError } from '@cvat-cloud/runtime/edge';
import { DeployError } from './errors';
import { PLAN_FILE, planFilePath, removePlanFiles } from './plan-files';
import { type Manifest, type ManifestStack, orderStacks, selectStacks } from './manifest';
import { classifyApplyLine, createMutex, formatElapsed, type Mutex } from './scheduling';
import { formatPlanCounts, formatPlanSummary, type PlanSummary, summarizePlan } from './plan-summary';
import type { TerraformResult, TerraformRunner } from './terraform';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, matchTransientError, type RetryPolicy, type TransientError } from './transient-errors';

/** The terraform-driving commands. */
export type OrchestratorCommand = 'deploy' | 'plan' | 'destroy';

/** A terraform step of one stack. */
export type StepName = 'init' | 'plan' | 'show' | 'apply';

/** One retry that happened, for the report. */
export interface RetryRecord {
  readonly step: StepName;
  /** Attempt that failed (1-based). */
  readonly attempt: number;
  /** Name of the matched {@link TransientError}. */
  readonly reason: string;
  readonly delayMs: number;
}

/** What happened to one stack. */
export interface StackReport {
  readonly name: string;
  /**
   * - `applied` / `destroyed`: the plan was applied.
   * - `no-changes`: the plan was empty, nothing applied.
   * - `planned`: plan-only run (or destroy `--dry-run`).
   * - `deferred`: plan-only run, the plan failed while a dependency still has pending changes.
   * - `failed`: this stack stopped the run.
   * - `not-started`: an earlier stack stopped the run.
   */
  status: 'applied' | 'destroyed' | 'no-changes' | 'planned' | 'deferred' | 'failed' | 'not-started';
  summary?: PlanSummary;
  retries: RetryRecord[];
  /** Time spent on this stack's terraform steps (waiting for its dependencies excluded). */
  durationMs: number;
  /** When its first terraform step started / its last ended, in ms from the start of the run (absent if not started). */
  startedAtMs?: number;
  finishedAtMs?: number;
  /** `-parallelism` passed to its plan and apply, when the caller sized or set one. */
  parallelism?: number;
  error?: string;
}

/** What a deploy step (the init job, the superuser step) did. */
export interface StepOutcome {
  /** `ran`: it ran and succeeded; `not-needed`: nothing to do (the reason says why); `skipped`: turned off. */
  readonly status: 'ran' | 'not-needed' | 'skipped';
  readonly reason: string;
  /** Step-specific details (execution name, status, times), printed with `--json`. */
  readonly detail?: unknown;
}

/**
 * A step a deploy runs after (part of) a stack has been applied, before the stacks that depend on that stack start.
 * The steps of one stack run one after the other, in their order.
 */
export interface OrchestratorStep {
  /** `init-job`, `superuser`. */
  readonly name: string;
  /** The stack it follows. */
  readonly after: string;
  /**
   * The resources of `after` the step needs. When given, the steps of that stack start as soon as every planned
   * change to a matching resource has completed during the apply (terraform's `<address>: Creation complete` line),
   * or when the apply starts if the plan changes none of them, while the rest of the apply goes on; only the first
   * step's `needs` is read. @default - the steps start once the whole stack is applied
   */
  readonly needs?: (address: string) => boolean;
  /**
   * Runs the step. Throwing a {@link DeployError} (with the step's name as `step`) stops the deploy: the step is
   * reported `failed` and the stacks after it are not started.
   */
  run(context: { readonly log: (line: string) => void }): Promise<StepOutcome>;
}

/** What happened to one step. */
export interface StepReport {
  readonly name: string;
  readonly after: string;
  /** `failed`: this step stopped the run; `not-started`: an earlier stack or step stopped it. */
  status: StepOutcome['status'] | 'failed' | 'not-started';
  reason?: string;
  detail?: unknown;
  durationMs: number;
  /** When it started / ended, in ms from the start of the run. */
  startedAtMs?: number;
  finishedAtMs?: number;
  error?: string;
}

/** The result of one orchestrator run (printed with `--json`). */
export interface RunReport {
  readonly command: OrchestratorCommand;
  readonly stacks: StackReport[];
  /** The steps of a deploy whose stack is part of the run, in the order they run. */
  readonly steps: StepReport[];
  ok: boolean;
  /** Why the run stopped, when `ok` is false. Its `stackName` and `step` say where. */
  failure?: DeployError;
  /** Every failure when more than one stack or step failed (stacks run side by side); `failure` is the first. */
  failures?: DeployError[];
  /** The dependencies the run followed (stack → stacks it waited for), within the selected stacks. */
  readonly dependencies: Record<string, string[]>;
  /** Wall-clock time of the whole run. */
  wallMs: number;
}

/** Inputs of {@link runOrchestrator}. */
export interface OrchestratorOptions {
  readonly command: OrchestratorCommand;
  readonly manifest: Manifest;
  /** `--stack`: limit the run to these stacks (dependency order is kept). @default - all stacks */
  readonly only?: readonly string[];
  /** `--replace`: resource addresses to force-replace (requires exactly one `--stack`). @default - none */
  readonly replace?: readonly string[];
  readonly runner: TerraformRunner;
  readonly confirmation: ConfirmationPolicy;
  /** Used when `confirmation.mode` is `prompt`. */
  readonly confirmer?: Confirmer;
  /** Human progress output (stderr in the CLI). */
  readonly log: (line: string) => void;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default DEFAULT_RETRY_POLICY */
  readonly retryPolicy?: RetryPolicy;
  /** Seconds terraform waits for a state lock held by someone else. @default 60 */
  readonly lockTimeoutSeconds?: number;
  /**
   * Let a non-interactive deploy (`--yes`/CI) replace or delete stateful resources (databases, shares,
   * Key Vault, secrets). Interactive runs show a banner and ask instead.
   * @default false
   */
  readonly allowDataLoss?: boolean;
  /** `destroy --dry-run`: show the destroy plans and stop. @default false */
  readonly dryRun?: boolean;
  /** Stream terraform's own plan output too (apply output is always streamed). @default false */
  readonly verbose?: boolean;
  /**
   * Steps of a deploy, each run after its stack has been applied (or planned to no changes) and before the next
   * stack; a step whose stack is not part of the run is left out. @default - none
   */
  readonly steps?: readonly OrchestratorStep[];
  /** Told each plan file as it is written, so the caller can remove it if the process is killed. @default - nothing */
  readonly onPlanFile?: (path: string) => void;
  /**
   * What each stack waits for in a deploy or plan (stack name → names), e.g. the stacks whose state it reads
   * (`stateReadDependencies`); stacks with no path between them run side by side. Destroy always follows the
   * manifest's order. @default - the manifest's dependencies
   */
  readonly dependencies?: Readonly<Record<string, readonly string[]>>;
  /** `-parallelism` for a stack's plan and apply; `undefined` leaves terraform's default. @default - terraform's default */
  readonly parallelism?: (stack: ManifestStack) => number | undefined;
  /**
   * Called around each `terraform init` (inits run one at a time: the shared plugin cache is not safe for concurrent
   * installs). `before` may place a lock file, `after` may keep the one init wrote. @default - nothing
   */
  readonly providerLocks?: {
    before(stack: ManifestStack, log: (line: string) => void): void;
    after(stack: ManifestStack, log: (line: string) => void): void;
    /** Holds the plugin cache against other processes during the init; resolves to the release. @default - nothing */
    acquire?(log: (line: string) => void): Promise<() => void>;
  };
  /** A `[stack] progress:` line per running stack this often; 0 turns them off. @default 30000 */
  readonly progressIntervalMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The error lines terraform printed (its `Error:` blocks), or the tail of stderr when there are none. */
export function extractTerraformError(stderr: string, maxLines = 12): string {
  const lines = stderr.split('\n').map((l) => l.replace(/^[│╷╵]\s?/, '').trimEnd());
  const start = lines.findIndex((l) => /^Error: /.test(l));
  const picked = start >= 0 ? lines.slice(start) : lines.filter((l) => l.trim() !== '').slice(-maxLines);
  return picked
    .filter((l, i, a) => !(l === '' && a[i - 1] === ''))
    .slice(0, maxLines)
    .join('\n')
    .trim();
}

function hintFor(stderr: string, stackDir: string): string | undefined {
  // terraform: "Error: Instance cannot be destroyed … Resource <address> has lifecycle.prevent_destroy set, but the plan
  // calls for this resource to be destroyed". With postgres.serverName the foundation adopts a restored server (import
  // + prevent_destroy); the previous server still in the state would have to be destroyed, which the lifecycle refuses.
  const unwrapped = stderr.replace(/\n[│ ]*/g, ' ');
  if (/Instance cannot be destroyed/.test(unwrapped) && /azurerm_postgresql_flexible_server/.test(unwrapped)) {
    const addresses = [...new Set([...unwrapped.matchAll(/Resource (\S+) has lifecycle\.prevent_destroy set/g)].map((m) => m[1]!))];
    return (
      "the environment adopts postgres.serverName while the previous server is still in this stack's state: forget it with " +
      `\`terraform -chdir=${stackDir} state rm ${addresses.length ? addresses.join(' ') : '<server and database addresses>'}\` ` +
      '(they stay in Azure), then deploy again; see docs/operations.md, Runbook step 5'
    );
  }
  if (/Backend configuration changed|Backend initialization required/i.test(stderr)) {
    return (
      'the state backend changed since the last init (e.g. local → azurerm). Move the state once with `terraform -chdir=<stack ' +
      'dir> init -migrate-state`, see docs/deploy.md "State backends"'
    );
  }
  if (/Error acquiring the state lock/i.test(stderr)) {
    return 'another run holds the state lock; wait for it, or if it crashed, release it with `terraform -chdir=<stack dir> force-unlock <ID>`';
  }
  if (/Saved plan is stale/i.test(stderr)) return 'the state changed since the plan was made; rerun to plan again';
  return undefined;
}

/**
 * Runs `deploy`, `plan` or `destroy` over the stacks of a synth manifest.
 *
 * deploy: each stack starts as soon as the stacks it depends on (`options.dependencies`, else the manifest's) are
 * done, so independent stacks run side by side — `init` (one at a time: the shared plugin cache is not safe for
 * concurrent installs), `plan -out -detailed-exitcode`, a summary from `show -json`, confirmation (one stack at a
 * time, so a summary and its question stay together), then `apply` of exactly that plan file. Every line is
 * prefixed `[stack]`; terraform's per-resource "Still creating..." lines are folded into one `[stack] progress:` line
 * per interval with the stack's elapsed time. Known transient Azure errors are retried with backoff (an apply retry
 * plans again and asks again only if the new plan touches resources that were not confirmed). Any other failure stops
 * the run: no further stack starts, stacks already running finish and keep their result, and the failure names the
 * stack and the step; the stacks applied so far stay applied and plan to no changes on a rerun.
 *
 * destroy: plans `-destroy` for every stack in reverse order first, shows the total, asks once, then
 * applies the destroy plans in reverse order.
 *
 * plan: init and plan every stack, in dependency order and side by side where independent, no apply.
 *
 * A stack failure does not throw: the returned report has `ok: false`, the stack marked `failed` and
 * `failure` set to a {@link DeployError} carrying `stackName` and `step`. Only argument errors found
 * before anything runs are thrown.
 */
export async function runOrchestrator(options: OrchestratorOptions): Promise<RunReport> {
  const { command, runner, log } = options;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const runStarted = now();
  const policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const lockTimeout = `-lock-timeout=${options.lockTimeoutSeconds ?? 60}s`;
  const progressMs = options.progressIntervalMs ?? 30_000;
  const only = options.only ?? [];
  const replace = options.replace ?? [];
  if (replace.length > 0 && only.length !== 1) {
    throw new DeployError(
      'USAGE',
      `'--replace' (${replace.join(', ')}) needs exactly one '--stack': resource addresses are local to a stack`,
    );
  }
  if (replace.length > 0 && command === 'destroy') throw new DeployError('USAGE', "'--replace' cannot be used with destroy");

  const ordered = selectStacks(orderStacks(options.manifest.stacks), only);
  const stacks = command === 'destroy' ? [...ordered].reverse() : ordered;
  const selected = new Set(stacks.map((s) => s.name));
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const dependencies: Record<string, string[]> = {};
  for (const s of stacks) {
    const declared = command === 'destroy' ? s.dependencies : (options.dependencies?.[s.name] ?? s.dependencies);
    dependencies[s.name] = declared.filter((d) => selected.has(d));
  }
  const reports = new Map<string, StackReport>(
    stacks.map((s) => [s.name, { name: s.name, status: 'not-started', retries: [], durationMs: 0 } as StackReport]),
  );
  for (const s of stacks) {
    const p = options.parallelism?.(s);
    if (p !== undefined) reports.get(s.name)!.parallelism = p;
  }
  const steps = command === 'deploy' ? (options.steps ?? []).filter((step) => selected.has(step.after)) : [];
  const stepReports = steps.map((step): StepReport => ({ name: step.name, after: step.after, status: 'not-started', durationMs: 0 }));
  const run: RunReport = {
    command,
    stacks: stacks.map((s) => reports.get(s.name)!),
    steps: stepReports,
    ok: false,
    dependencies,
    wallMs: 0,
  };
  const waves = command === 'destroy' ? stacks.map((s) => [s.name]) : dependencyWaves(stacks, dependencies);
  log(
    `${command}: ${stacks.length} stack(s): ${waves.map((w) => (w.length > 1 ? `(${w.join(' ∥ ')})` : w[0])).join(' → ')} (${runner.binary})`,
  );
  const since = (t: number) => t - runStarted;

  const prefix = (stack: ManifestStack) => (line: string) => log(`[${stack.name}] ${line}`);
  /** Errors whose message gets the "completed / not started" line once the run has settled. */
  const terraformFailures = new WeakSet<DeployError>();

  const stepFailed = (
    stack: ManifestStack,
    step: StepName,
    result: TerraformResult,
    attempt: number,
    transient?: TransientError,
  ): DeployError => {
    const report = reports.get(stack.name)!;
    const detail = extractTerraformError(result.stderr) || `exit code ${result.exitCode}`;
    const hint = transient
      ? `${transient.name} persisted through ${attempt} attempts: ${transient.persistentHint}`
      : hintFor(result.stderr, stack.workingDirectory);
    const message = [
      `${command} stopped at stack '${stack.name}', step '${step}' (attempt ${attempt}):`,
      detail,
      ...(hint ? [`hint: ${hint}`] : []),
    ].join('\n');
    report.status = 'failed';
    report.error = detail;
    const error = new DeployError('STEP_FAILED', message, { stackName: stack.name, step });
    terraformFailures.add(error);
    return error;
  };

  /** Where each running stack is, for its progress line. */
  const phases = new Map<string, { phase: string; total?: number; done: Set<string>; active: Set<string> }>();
  const setPhase = (stack: ManifestStack, phase: string, total?: number) => {
    const p = phases.get(stack.name);
    if (p) {
      p.phase = phase;
      p.total = total;
    }
  };

  /** Runs one terraform command, retrying known transient errors; returns on an accepted exit code. */
  const runStep = async (
    stack: ManifestStack,
    step: StepName,
    args: string[],
    accept: number[],
    stream: boolean,
  ): Promise<TerraformResult> => {
    const report = reports.get(stack.name)!;
    for (let attempt = 1; ; attempt++) {
      const result = await runner.run(args, {
        cwd: stack.workingDirectory,
        onStdout: stream ? prefix(stack) : undefined,
        onStderr: prefix(stack),
      });
      if (accept.includes(result.exitCode)) return result;
      const transient = matchTransientError(result.stderr);
      if (!transient || attempt >= policy.maxAttempts) throw stepFailed(stack, step, result, attempt, transient);
      const delayMs = backoffDelayMs(policy, attempt);
      report.retries.push({ step, attempt, reason: transient.name, delayMs });
      log(
        `[${stack.name}] ${step}: transient error ${transient.name} — ${transient.description} Retry ${attempt} of ` +
          `${policy.maxAttempts - 1} in ${Math.round(delayMs / 1000)} s.`,
      );
      await sleep(delayMs);
    }
  };

  const planFile = (stack: ManifestStack): string => planFilePath(stack.workingDirectory);
  const removePlan = (stack: ManifestStack): void => {
    removePlanFiles([planFile(stack)]);
  };
  const parallelismArgs = (stack: ManifestStack): string[] => {
    const p = reports.get(stack.name)!.parallelism;
    return p === undefined ? [] : [`-parallelism=${p}`];
  };

  /** The steps that follow each stack, started once (by the apply's progress or after the stack). */
  const stepRuns = new Map<string, Promise<void>>();
  const stepsOf = (stack: ManifestStack) =>
    steps.map((step, i) => ({ step, report: stepReports[i]! })).filter((x) => x.step.after === stack.name);
  const startSteps = (stack: ManifestStack, why?: string): Promise<void> => {
    const existing = stepRuns.get(stack.name);
    if (existing) return existing;
    const mine = stepsOf(stack);
    if (why && mine.length) log(`[${stack.name}] starting ${mine.map((x) => x.step.name).join(', ')}: ${why}`);
    const chain = (async () => {
      for (const { step, report } of mine) {
        const started = now();
        report.startedAtMs = since(started);
        try {
          const outcome = await step.run({ log });
          report.status = outcome.status;
          report.reason = outcome.reason;
          if (outcome.detail !== undefined) report.detail = outcome.detail;
        } catch (error) {
          report.status = 'failed';
          report.error = error instanceof Error ? error.message : String(error);
          const detail = (error as { detail?: unknown }).detail;
          if (detail !== undefined) report.detail = detail;
          throw error instanceof DeployError
            ? error
            : new DeployError('STEP_FAILED', `${command} stopped at step '${step.name}' after stack '${stack.name}': ${report.error}`, {
                stackName: stack.name,
                step: step.name,
                cause: error,
              });
        } finally {
          report.durationMs = now() - started;
          report.finishedAtMs = since(now());
        }
      }
    })();
    // Awaited by the stack's run; meanwhile a failure stops further stacks from starting (never an unhandled rejection).
    chain.catch(() => {
      stopping = true;
    });
    stepRuns.set(stack.name, chain);
    return chain;
  };

  const initLock: Mutex = createMutex();
  const init = (stack: ManifestStack) =>
    initLock.run(async () => {
      setPhase(stack, 'init');
      const release = (await options.providerLocks?.acquire?.(prefix(stack))) ?? (() => undefined);
      try {
        options.providerLocks?.before(stack, prefix(stack));
        const result = await runStep(stack, 'init', ['init', '-input=false', '-no-color', lockTimeout], [0], options.verbose ?? false);
        options.providerLocks?.after(stack, prefix(stack));
        return result;
      } finally {
        release();
      }
    });

  /** plan -out + show -json; returns undefined summary when terraform reports no changes. */
  const plan = async (stack: ManifestStack, destroy: boolean): Promise<PlanSummary | undefined> => {
    setPhase(stack, 'plan');
    const args = ['plan', '-input=false', '-no-color', '-detailed-exitcode', lockTimeout, ...parallelismArgs(stack), `-out=${PLAN_FILE}`];
    options.onPlanFile?.(planFile(stack));
    if (destroy) args.push('-destroy');
    for (const address of replace) args.push(`-replace=${address}`);
    const result = await runStep(stack, 'plan', args, [0, 2], options.verbose ?? false);
    if (result.exitCode === 0) {
      removePlan(stack);
      return undefined;
    }
    const shown = await runStep(stack, 'show', ['show', '-json', '-no-color', PLAN_FILE], [0], false);
    let doc: unknown;
    try {
      doc = JSON.parse(shown.stdout);
    } catch (error) {
      throw new DeployError(
        'STEP_FAILED',
        `stack '${stack.name}', step 'show': terraform show -json did not print JSON (${(error as Error).message})`,
        {
          stackName: stack.name,
          step: 'show',
        },
      );
    }
    const summary = summarizePlan(doc, `${stack.name} plan`);
    return summary.hasChanges ? summary : undefined;
  };

  /**
   * `apply` of the saved plan, its output prefixed; per-resource "Still creating..." lines feed the progress line
   * instead (shown with --verbose), and `onCompleted` hears every resource terraform reports complete.
   */
  const apply = (stack: ManifestStack, total?: number, onCompleted?: (address: string) => void) => {
    setPhase(stack, command === 'destroy' ? 'destroying' : 'applying', total);
    const state = phases.get(stack.name);
    if (state) {
      state.done.clear();
      state.active.clear();
    }
    const out = prefix(stack);
    return runner.run(['apply', '-input=false', '-no-color', lockTimeout, ...parallelismArgs(stack), PLAN_FILE], {
      cwd: stack.workingDirectory,
      onStdout: (line) => {
        const event = classifyApplyLine(line);
        if (event.kind === 'started') state?.active.add(event.address);
        if (event.kind === 'completed') {
          state?.active.delete(event.address);
          state?.done.add(event.address);
          onCompleted?.(event.address);
        }
        if (event.kind !== 'still' || options.verbose) out(line);
      },
      onStderr: out,
    });
  };

  const confirmLock: Mutex = createMutex();
  const confirm = async (question: string): Promise<void> => {
    const c = options.confirmation;
    if (c.mode === 'auto') {
      log(`${question} yes (${c.reason})`);
      return;
    }
    if (c.mode === 'refuse') throw new DeployError('NOT_CONFIRMED', `${question} not confirmed: ${c.reason}. Nothing more was changed.`);
    if (!options.confirmer)
      throw new DeployError('NOT_CONFIRMED', `${question} not confirmed: no confirmer available. Nothing more was changed.`);
    if (!(await options.confirmer.confirm(question)))
      throw new DeployError('NOT_CONFIRMED', `${question} declined. Nothing more was changed.`);
  };

  const guardDataLoss = (stack: ManifestStack, summary: PlanSummary): void => {
    if (options.confirmation.mode !== 'auto' || options.allowDataLoss) return;
    const risky = summary.changes.filter((c) => c.stateful && (c.action === 'replace' || c.action === 'delete'));
    if (risky.length === 0) return;
    throw new DeployError(
      'DATA_LOSS_GUARD',
      `stack '${stack.name}': the plan would ${risky.map((c) => `${c.action} ${c.address}`).join(', ')}, losing data or a name others depend on. ` +
        `A non-interactive run (${options.confirmation.reason}) does not do that on its own: review the plan, then rerun with ` +
        `--allow-data-loss. Nothing more was changed.`,
    );
  };

  const addresses = (s: PlanSummary): Set<string> => new Set(s.changes.map((c) => c.address));

  /** Times a stack's terraform work, keeps a progress line going while it runs, and removes its plan file after. */
  const timed = async (stack: ManifestStack, body: () => Promise<void>): Promise<void> => {
    const started = now();
    const report = reports.get(stack.name)!;
    report.startedAtMs ??= since(started);
    phases.set(stack.name, { phase: 'starting', done: new Set(), active: new Set() });
    const ticker =
      progressMs > 0
        ? setInterval(() => {
            const p = phases.get(stack.name);
            if (!p) return;
            const counts =
              p.phase === 'applying' || p.phase === 'destroying'
                ? `, ${p.done.size}${p.total !== undefined ? ` of ${p.total}` : ''} done, ${p.active.size} in progress`
                : '';
            log(`[${stack.name}] progress: ${p.phase}${counts}, ${formatElapsed(now() - started)} elapsed`);
          }, progressMs)
        : undefined;
    ticker?.unref?.();
    try {
      await body();
    } finally {
      if (ticker) clearInterval(ticker);
      phases.delete(stack.name);
      report.durationMs += now() - started;
      report.finishedAtMs = since(now());
      removePlan(stack);
    }
  };

  /** deploy of one stack: init, plan, confirm, apply (with retries), its steps started when their resources exist. */
  const deployStack = async (stack: ManifestStack): Promise<void> => {
    const report = reports.get(stack.name)!;
    const mine = stepsOf(stack);
    const needs = mine[0]?.step.needs;
    try {
      await timed(stack, async () => {
        await init(stack);
        let confirmed: Set<string> | undefined;
        for (let attempt = 1; ; attempt++) {
          const summary = await plan(stack, false);
          if (!summary) {
            report.status = 'no-changes';
            log(`[${stack.name}] no changes (${formatElapsed(now() - runStarted - (report.startedAtMs ?? 0))})`);
            return;
          }
          report.summary = summary;
          setPhase(stack, 'waiting for confirmation');
          await confirmLock.run(async () => {
            for (const line of formatPlanSummary(stack.name, summary)) log(line);
            guardDataLoss(stack, summary);
            const now = addresses(summary);
            if (!confirmed || [...now].some((a) => !confirmed!.has(a))) {
              await confirm(`Apply ${formatPlanCounts(summary)} to stack '${stack.name}'?`);
              confirmed = new Set([...(confirmed ?? []), ...now]);
            }
          });
          // Steps that need only some resources start as soon as those exist, while the apply goes on.
          let onCompleted: ((address: string) => void) | undefined;
          if (needs && !stepRuns.has(stack.name)) {
            const waiting = new Set(
              summary.changes.filter((c) => needs(c.address) && c.action !== 'delete' && c.action !== 'forget').map((c) => c.address),
            );
            if (waiting.size === 0) startSteps(stack, 'the resources they need are unchanged');
            else {
              onCompleted = (address) => {
                if (!waiting.delete(address) || waiting.size > 0 || stepRuns.has(stack.name)) return;
                startSteps(stack, `${address} is ready (the rest of the apply goes on)`);
              };
            }
          }
          const total = summary.changes.filter((c) => c.action !== 'forget').length;
          const result = await apply(stack, total, onCompleted);
          if (result.exitCode === 0) {
            report.status = 'applied';
            log(`[${stack.name}] applied (${formatElapsed(now() - runStarted - (report.startedAtMs ?? 0))})`);
            return;
          }
          const transient = matchTransientError(result.stderr);
          if (!transient || attempt >= policy.maxAttempts) throw stepFailed(stack, 'apply', result, attempt, transient);
          const delayMs = backoffDelayMs(policy, attempt);
          report.retries.push({ step: 'apply', attempt, reason: transient.name, delayMs });
          log(
            `[${stack.name}] apply: transient error ${transient.name} — ${transient.description} Planning again and retrying ` +
              `(${attempt} of ${policy.maxAttempts - 1}) in ${Math.round(delayMs / 1000)} s.`,
          );
          await sleep(delayMs);
        }
      });
    } catch (error) {
      // The stack's failure first; a step already running keeps running and its result is reported after it.
      recordFailure(stack, error);
      const running = stepRuns.get(stack.name);
      if (running) await running.catch((stepError) => recordFailure(stack, stepError));
      throw error;
    }
    await startSteps(stack);
  };

  /** plan of one stack (plan command); a plan that fails while a dependency has pending changes is deferred. */
  const pendingChanges = new Set<string>();
  const planStack = async (stack: ManifestStack): Promise<void> => {
    const report = reports.get(stack.name)!;
    await timed(stack, async () => {
      await init(stack);
      let summary: PlanSummary | undefined;
      try {
        summary = await plan(stack, false);
      } catch (error) {
        const waitingOn = dependencies[stack.name]!.filter((d) => pendingChanges.has(d));
        if (!(error instanceof DeployError) || error.step !== 'plan' || waitingOn.length === 0) throw error;
        report.status = 'deferred';
        report.error = `cannot be planned until ${waitingOn.join(', ')} is applied: ${report.error ?? ''}`.trim();
        log(`[${stack.name}] deferred: its plan needs ${waitingOn.join(', ')} applied first`);
        pendingChanges.add(stack.name);
        return;
      }
      report.status = 'planned';
      report.summary = summary;
      if (summary) {
        pendingChanges.add(stack.name);
        await confirmLock.run(async () => {
          for (const line of formatPlanSummary(stack.name, summary)) log(line);
        });
      } else log(`[${stack.name}] no changes`);
    });
  };

  // ------------------------------------------------------------------ failures of a concurrent run
  const failures: DeployError[] = [];
  const seen = new WeakSet<object>();
  let fatal: unknown;
  let stopping = false;
  const recordFailure = (stack: ManifestStack | undefined, error: unknown): void => {
    stopping = true;
    if (typeof error === 'object' && error !== null) {
      if (seen.has(error)) return;
      seen.add(error);
    }
    // Ctrl-C at a confirmation (INTERRUPTED) and other process-edge errors end the run as they are.
    if (error instanceof CliError && !(error instanceof DeployError)) {
      fatal ??= error;
      return;
    }
    const failure =
      error instanceof DeployError
        ? error
        : new DeployError('STEP_FAILED', `${command} stopped at stack '${stack?.name ?? '?'}': ${(error as Error).message}`, {
            stackName: stack?.name,
            cause: error,
          });
    if (failures.includes(failure)) return;
    failures.push(failure);
    const report = reports.get(failure.stackName ?? stack?.name ?? '');
    const fromStep = failure.step !== undefined && stepReports.some((r) => r.name === failure.step && r.status === 'failed');
    if (report && report.status !== 'failed' && !fromStep) {
      // A declined confirmation or the data-loss guard stops the run without the stack having failed.
      if (failure.code !== 'NOT_CONFIRMED' && failure.code !== 'DATA_LOSS_GUARD') report.status = 'failed';
      report.error = failure.message;
    }
  };

  /** Runs every stack once its dependencies are done; resolves true when the stack (and its steps) succeeded. */
  const runDag = async (body: (stack: ManifestStack) => Promise<void>): Promise<void> => {
    const outcome = new Map<string, Promise<boolean>>();
    const launch = (stack: ManifestStack): Promise<boolean> => {
      let p = outcome.get(stack.name);
      if (!p) {
        p = (async () => {
          const deps = dependencies[stack.name]!;
          const ok = (await Promise.all(deps.map((d) => launch(byName.get(d)!)))).every(Boolean);
          if (!ok || stopping) return false;
          try {
            await body(stack);
            return true;
          } catch (error) {
            recordFailure(stack, error);
            return false;
          }
        })();
        outcome.set(stack.name, p);
      }
      return p;
    };
    await Promise.all(stacks.map(launch));
  };

  /** The report's failure: the first one, with what completed and what did not start once everything settled. */
  const settle = (): RunReport => {
    for (const st of stacks) removePlan(st);
    run.wallMs = now() - runStarted;
    if (fatal) throw fatal;
    if (failures.length === 0) {
      run.ok = true;
      return run;
    }
    const [first, ...others] = failures;
    let failure = first!;
    if (terraformFailures.has(first!) || others.length) {
      const finished = new Set<StackReport['status']>([
        'applied',
        'destroyed',
        'no-changes',
        ...(command === 'plan' ? (['planned'] as const) : []),
      ]);
      const done = run.stacks.filter((s) => finished.has(s.status)).map((s) => s.name);
      const pending = run.stacks.filter((s) => s.status === 'not-started' && s.name !== first!.stackName).map((s) => s.name);
      const lines = [first!.message];
      for (const other of others) lines.push(`also failed: ${other.message.split('\n').slice(0, 2).join(' ')}`);
      if (terraformFailures.has(first!)) {
        lines.push(
          `completed: ${done.length ? done.join(', ') : 'none'}; not started: ${pending.length ? pending.join(', ') : 'none'}.`,
          command === 'plan'
            ? 'Nothing was changed.'
            : 'Fix the cause and rerun the same command: completed stacks plan to no changes and are skipped.',
        );
      }
      failure = new DeployError(first!.code, lines.join('\n'), {
        ...(first!.stackName !== undefined ? { stackName: first!.stackName } : {}),
        ...(first!.step !== undefined ? { step: first!.step } : {}),
        cause: first,
      });
    }
    run.failure = failure;
    if (others.length) run.failures = [failure, ...others];
    return run;
  };

  if (command === 'deploy') {
    await runDag(deployStack);
    return settle();
  }
  if (command === 'plan') {
    await runDag(planStack);
    return settle();
  }

  let current: ManifestStack | undefined;
  try {
    // destroy: plan everything first (reverse order), ask once, then apply in the same order.
    const planned: ManifestStack[] = [];
    let total = 0;
    for (const stack of stacks) {
      current = stack;
      const report = reports.get(stack.name)!;
      const started = Date.now();
      await init(stack);
      const summary = await plan(stack, true);
      report.durationMs += Date.now() - started;
      if (!summary) {
        report.status = 'no-changes';
        log(`[${stack.name}] nothing to destroy`);
        continue;
      }
      report.summary = summary;
      report.status = 'planned';
      total += summary.destroy;
      for (const line of formatPlanSummary(stack.name, summary)) log(line);
      planned.push(stack);
    }
    if (planned.length === 0 || options.dryRun) {
      for (const s of stacks) removePlan(s);
      run.ok = true;
      log(
        planned.length === 0 ? 'destroy: nothing to destroy' : `destroy --dry-run: would destroy ${total} resource(s); nothing was changed`,
      );
      return run;
    }
    try {
      await confirm(`DESTROY ${total} resource(s) in stack(s) ${planned.map((s) => s.name).join(', ')}? This cannot be undone.`);
    } catch (error) {
      for (const s of stacks) removePlan(s);
      throw error;
    }
    for (const stack of planned) {
      current = stack;
      const report = reports.get(stack.name)!;
      const confirmed = addresses(report.summary!);
      await timed(stack, async () => {
        for (let attempt = 1; ; attempt++) {
          if (attempt > 1) {
            const again = await plan(stack, true);
            if (!again) {
              report.status = 'destroyed';
              return;
            }
            const extra = [...addresses(again)].filter((a) => !confirmed.has(a));
            if (extra.length) await confirm(`The new destroy plan of '${stack.name}' also removes ${extra.join(', ')}. Continue?`);
          }
          const result = await apply(stack);
          if (result.exitCode === 0) {
            report.status = 'destroyed';
            log(`[${stack.name}] destroyed`);
            return;
          }
          const transient = matchTransientError(result.stderr);
          if (!transient || attempt >= policy.maxAttempts) throw stepFailed(stack, 'apply', result, attempt, transient);
          const delayMs = backoffDelayMs(policy, attempt);
          report.retries.push({ step: 'apply', attempt, reason: transient.name, delayMs });
          log(
            `[${stack.name}] destroy: transient error ${transient.name} — ${transient.description} Retry ${attempt} of ` +
              `${policy.maxAttempts - 1} in ${Math.round(delayMs / 1000)} s.`,
          );
          await sleep(delayMs);
        }
      });
    }
  } catch (error) {
    recordFailure(current, error);
  }
  return settle();
}

/**
 * Groups stacks into waves for the first log line: each stack in the wave after its last dependency. Stacks of one
 * wave run side by side (a stack may still start before its whole wave-mate set is done: it waits for its own
 * dependencies only).
 */
export function dependencyWaves(stacks: readonly ManifestStack[], dependencies: Readonly<Record<string, readonly string[]>>): string[][] {
  const level = new Map<string, number>();
  const levelOf = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    const deps = dependencies[name] ?? [];
    const l = deps.length ? Math.max(...deps.map(levelOf)) + 1 : 0;
    level.set(name, l);
    return l;
  };
  const waves: string[][] = [];
  for (const s of stacks) {
    const l = levelOf(s.name);
    waves[l] = [...(waves[l] ?? []), s.name];
  }
  return waves.filter(Boolean);
}

import type { ConfirmationPolicy, Confirmer } from '@cvat-cloud/runtime';
import { CliError } from '@cvat-cloud/runtime/edge';
import { DeployError } from './errors';
import { PLAN_FILE, planFilePath, removePlanFiles } from './plan-files';
import { type Manifest, type ManifestStack, orderStacks, selectStacks } from './manifest';
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
  durationMs: number;
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

/** A step a deploy runs after a stack has been applied (or planned to no changes), before the next stack. */
export interface OrchestratorStep {
  /** `init-job`, `superuser`. */
  readonly name: string;
  /** The stack it follows. */
  readonly after: string;
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

function hintFor(stderr: string): string | undefined {
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
 * deploy: for each stack in dependency order — `init`, `plan -out -detailed-exitcode`, a summary from
 * `show -json`, confirmation, then `apply` of exactly that plan file. Known transient Azure errors are
 * retried with backoff (an apply retry plans again and asks again only if the new plan touches resources
 * that were not confirmed). Any other failure stops the run naming the stack and the step; the stacks
 * applied so far stay applied and plan to no changes on a rerun.
 *
 * destroy: plans `-destroy` for every stack in reverse order first, shows the total, asks once, then
 * applies the destroy plans in reverse order.
 *
 * plan: init and plan every stack, no apply.
 *
 * A stack failure does not throw: the returned report has `ok: false`, the stack marked `failed` and
 * `failure` set to a {@link DeployError} carrying `stackName` and `step`. Only argument errors found
 * before anything runs are thrown.
 */
export async function runOrchestrator(options: OrchestratorOptions): Promise<RunReport> {
  const { command, runner, log } = options;
  const sleep = options.sleep ?? defaultSleep;
  const policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const lockTimeout = `-lock-timeout=${options.lockTimeoutSeconds ?? 60}s`;
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
  const reports = new Map<string, StackReport>(
    stacks.map((s) => [s.name, { name: s.name, status: 'not-started', retries: [], durationMs: 0 } as StackReport]),
  );
  const selected = new Set(stacks.map((s) => s.name));
  const steps = command === 'deploy' ? (options.steps ?? []).filter((step) => selected.has(step.after)) : [];
  const stepReports = steps.map((step): StepReport => ({ name: step.name, after: step.after, status: 'not-started', durationMs: 0 }));
  const run: RunReport = { command, stacks: stacks.map((s) => reports.get(s.name)!), steps: stepReports, ok: false };
  log(`${command}: ${stacks.length} stack(s) in order ${stacks.map((s) => s.name).join(' → ')} (${runner.binary})`);

  const prefix = (stack: ManifestStack) => (line: string) => log(`[${stack.name}] ${line}`);

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
      : hintFor(result.stderr);
    const done = run.stacks
      .filter((s) => s.status === 'applied' || s.status === 'destroyed' || s.status === 'no-changes')
      .map((s) => s.name);
    const pending = run.stacks.filter((s) => s.status === 'not-started' && s.name !== stack.name).map((s) => s.name);
    const message = [
      `${command} stopped at stack '${stack.name}', step '${step}' (attempt ${attempt}):`,
      detail,
      ...(hint ? [`hint: ${hint}`] : []),
      `completed: ${done.length ? done.join(', ') : 'none'}; not started: ${pending.length ? pending.join(', ') : 'none'}.`,
      command === 'plan'
        ? 'Nothing was changed.'
        : 'Fix the cause and rerun the same command: completed stacks plan to no changes and are skipped.',
    ].join('\n');
    report.status = 'failed';
    report.error = detail;
    return new DeployError('STEP_FAILED', message, { stackName: stack.name, step });
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

  /** Runs the steps that follow `stack`; a failure is recorded on the step and rethrown. */
  const runSteps = async (stack: ManifestStack): Promise<void> => {
    for (const [i, step] of steps.entries()) {
      if (step.after !== stack.name) continue;
      const report = stepReports[i]!;
      const started = Date.now();
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
        report.durationMs = Date.now() - started;
      }
    }
  };

  const init = (stack: ManifestStack) =>
    runStep(stack, 'init', ['init', '-input=false', '-no-color', lockTimeout], [0], options.verbose ?? false);

  /** plan -out + show -json; returns undefined summary when terraform reports no changes. */
  const plan = async (stack: ManifestStack, destroy: boolean): Promise<PlanSummary | undefined> => {
    const args = ['plan', '-input=false', '-no-color', '-detailed-exitcode', lockTimeout, `-out=${PLAN_FILE}`];
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

  const apply = (stack: ManifestStack) =>
    runner.run(['apply', '-input=false', '-no-color', lockTimeout, PLAN_FILE], {
      cwd: stack.workingDirectory,
      onStdout: prefix(stack),
      onStderr: prefix(stack),
    });

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

  const timed = async (stack: ManifestStack, body: () => Promise<void>): Promise<void> => {
    const started = Date.now();
    try {
      await body();
    } finally {
      reports.get(stack.name)!.durationMs += Date.now() - started;
      removePlan(stack);
    }
  };

  let current: ManifestStack | undefined;
  try {
    if (command === 'deploy') {
      for (const stack of stacks) {
        current = stack;
        const report = reports.get(stack.name)!;
        await timed(stack, async () => {
          await init(stack);
          let confirmed: Set<string> | undefined;
          for (let attempt = 1; ; attempt++) {
            const summary = await plan(stack, false);
            if (!summary) {
              report.status = 'no-changes';
              log(`[${stack.name}] no changes`);
              return;
            }
            report.summary = summary;
            for (const line of formatPlanSummary(stack.name, summary)) log(line);
            guardDataLoss(stack, summary);
            const now = addresses(summary);
            if (!confirmed || [...now].some((a) => !confirmed!.has(a))) {
              await confirm(`Apply ${formatPlanCounts(summary)} to stack '${stack.name}'?`);
              confirmed = new Set([...(confirmed ?? []), ...now]);
            }
            const result = await apply(stack);
            if (result.exitCode === 0) {
              report.status = 'applied';
              log(`[${stack.name}] applied`);
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
        await runSteps(stack);
      }
    } else if (command === 'plan') {
      const pendingChanges = new Set<string>();
      for (const stack of stacks) {
        current = stack;
        const report = reports.get(stack.name)!;
        await timed(stack, async () => {
          await init(stack);
          let summary: PlanSummary | undefined;
          try {
            summary = await plan(stack, false);
          } catch (error) {
            const waitingOn = stack.dependencies.filter((d) => pendingChanges.has(d));
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
            for (const line of formatPlanSummary(stack.name, summary)) log(line);
          } else log(`[${stack.name}] no changes`);
        });
      }
    } else {
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
          planned.length === 0
            ? 'destroy: nothing to destroy'
            : `destroy --dry-run: would destroy ${total} resource(s); nothing was changed`,
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
    }
  } catch (error) {
    for (const st of stacks) removePlan(st);
    // Ctrl-C at a confirmation (INTERRUPTED) and other process-edge errors end the run as they are.
    if (error instanceof CliError && !(error instanceof DeployError)) throw error;
    const failure =
      error instanceof DeployError
        ? error
        : new DeployError('STEP_FAILED', `${command} stopped at stack '${current?.name ?? '?'}': ${(error as Error).message}`, {
            stackName: current?.name,
            cause: error,
          });
    const report = reports.get(failure.stackName ?? current?.name ?? '');
    const afterStepFailure = stepReports.some((r) => r.status === 'failed');
    if (report && report.status !== 'failed' && !afterStepFailure) {
      // A declined confirmation or the data-loss guard stops the run without the stack having failed.
      if (failure.code !== 'NOT_CONFIRMED' && failure.code !== 'DATA_LOSS_GUARD') report.status = 'failed';
      report.error = failure.message;
    }
    run.failure = failure;
    return run;
  }
  run.ok = true;
  return run;
}

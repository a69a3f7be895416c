/**
 * Runs a set of checks as a dependency graph: a check starts as soon as every check it depends on has
 * passed, so independent checks run in parallel. Each check gets its own timeout (an AbortSignal that
 * cancels its in-flight requests and polls). A check whose dependency did not pass is `blocked`, not
 * failed: only the component that broke is reported as failing.
 */
import { describeError } from '@cvat-cloud/runtime/edge';
import { SmokeError, isSmokeError } from '../errors';
import { formatSeconds } from '../http/client';
import type { ComponentDirectory } from '../components';
import type { CheckContext, CheckDefinition, CheckResult, CheckStatus, SuiteSettings } from './types';

/** A progress event of {@link runChecks}. */
export type RunnerEvent =
  | { readonly type: 'start'; readonly check: CheckDefinition }
  | { readonly type: 'step'; readonly check: CheckDefinition; readonly text: string }
  | { readonly type: 'end'; readonly result: CheckResult };

/** Options of {@link runChecks}. */
export interface RunChecksOptions {
  /** Builds the context of one check; `signal` already combines the check's timeout and the run's signal. */
  readonly context: (
    check: CheckDefinition,
    parts: { signal: AbortSignal; step: (text: string) => void; note: (text: string) => void; remainingMs: () => number },
  ) => CheckContext;
  readonly components: ComponentDirectory;
  readonly settings: SuiteSettings;
  /** Interrupts the run: running checks are aborted, pending ones are not started. */
  readonly signal?: AbortSignal;
  /**
   * Maximum checks running at once.
   * @default Infinity
   */
  readonly concurrency?: number;
  /**
   * Factor applied to every check's `timeoutMs`.
   * @default 1
   */
  readonly timeoutMultiplier?: number;
  /** Per-check timeout overrides in milliseconds (before the multiplier). */
  readonly timeoutsMs?: Readonly<Record<string, number>>;
  /** Time origin for `startedAtMs`. @default performance.now() at the call */
  readonly origin?: number;
  readonly onEvent?: (event: RunnerEvent) => void;
}

/** The result of {@link runChecks}. */
export interface RunChecksResult {
  /** One result per check, in the order given. */
  readonly results: CheckResult[];
  /**
   * Settles when every check body has returned, including those abandoned at their timeout (their requests
   * were aborted, so this is quick). Await it before cleanup so late registrations are not missed.
   */
  readonly settled: Promise<void>;
}

/**
 * Orders checks so every dependency comes first; throws a {@link SmokeError} `usage` naming an unknown
 * dependency or a cycle.
 */
export function planOrder(checks: readonly CheckDefinition[]): CheckDefinition[] {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const ordered: CheckDefinition[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (check: CheckDefinition, path: string[]): void => {
    const s = state.get(check.id);
    if (s === 'done') return;
    if (s === 'visiting') throw new SmokeError('usage', `checks depend on each other in a cycle: ${[...path, check.id].join(' → ')}`);
    state.set(check.id, 'visiting');
    for (const dep of check.dependsOn) {
      const target = byId.get(dep);
      if (!target) throw new SmokeError('usage', `check '${check.id}' depends on unknown check '${dep}'`);
      visit(target, [...path, check.id]);
    }
    state.set(check.id, 'done');
    ordered.push(check);
  };
  for (const check of checks) visit(check, []);
  return ordered;
}

/** Runs `checks` (which must include every dependency; see {@link selectChecks}). */
export async function runChecks(checks: readonly CheckDefinition[], options: RunChecksOptions): Promise<RunChecksResult> {
  const ordered = planOrder(checks);
  const origin = options.origin ?? performance.now();
  const concurrency = options.concurrency ?? Number.POSITIVE_INFINITY;
  const multiplier = options.timeoutMultiplier ?? 1;
  const results = new Map<string, CheckResult>();
  const running = new Map<string, Promise<void>>();
  const bodies: Promise<unknown>[] = [];
  const runSignal = options.signal;

  const finish = (result: CheckResult): void => {
    results.set(result.id, result);
    options.onEvent?.({ type: 'end', result });
  };
  const notRun = (check: CheckDefinition, status: CheckStatus, reason: string): CheckResult => ({
    id: check.id,
    title: check.title,
    components: options.components.names(check.components),
    status,
    durationMs: 0,
    startedAtMs: -1,
    reason,
    details: [],
  });

  const start = (check: CheckDefinition): Promise<void> => {
    const names = options.components.names(check.components);
    const timeoutMs = Math.round((options.timeoutsMs?.[check.id] ?? check.timeoutMs) * multiplier);
    const controller = new AbortController();
    const onRunAbort = (): void => controller.abort(new SmokeError('aborted', 'interrupted'));
    runSignal?.addEventListener('abort', onRunAbort, { once: true });
    const started = performance.now();
    const deadline = started + timeoutMs;
    let step = 'starting';
    const notes: string[] = [];
    options.onEvent?.({ type: 'start', check });
    const context = options.context(check, {
      signal: controller.signal,
      step: (text) => {
        step = text;
        options.onEvent?.({ type: 'step', check, text });
      },
      note: (text) => notes.push(text),
      remainingMs: () => Math.max(0, deadline - performance.now()),
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const body = (async () => check.run(context))();
    bodies.push(body.catch(() => undefined));
    return Promise.race([body.then(() => 'done' as const), timedOut])
      .then(
        (outcome) => {
          const durationMs = performance.now() - started;
          if (outcome === 'timeout') {
            controller.abort(new SmokeError('timeout', 'check timed out'));
            return {
              status: 'fail' as const,
              durationMs,
              reason: `${names.join(', ')}: did not finish within ${formatSeconds(timeoutMs)} (was: ${step})`,
            };
          }
          return { status: 'pass' as const, durationMs };
        },
        (error: unknown) => {
          const durationMs = performance.now() - started;
          if (runSignal?.aborted) return { status: 'aborted' as const, durationMs, reason: `interrupted while: ${step}` };
          const message = isSmokeError(error)
            ? error.message
            : `unexpected error in the check itself (a bug in the suite): ${describeError(error)}`;
          const details = isSmokeError(error) ? error.details : [];
          return { status: 'fail' as const, durationMs, reason: `${names.join(', ')}: ${message}`, details };
        },
      )
      .then((outcome) => {
        clearTimeout(timer);
        runSignal?.removeEventListener('abort', onRunAbort);
        if (!controller.signal.aborted) controller.abort(new SmokeError('aborted', 'check finished'));
        finish({
          id: check.id,
          title: check.title,
          components: names,
          status: outcome.status,
          durationMs: Math.round(outcome.durationMs),
          startedAtMs: Math.round(started - origin),
          reason: outcome.reason,
          details: [...('details' in outcome && outcome.details ? outcome.details : []), ...notes],
        });
      });
  };

  let pending = [...ordered];
  for (;;) {
    let changed = true;
    while (changed) {
      changed = false;
      for (const check of [...pending]) {
        const take = (): void => {
          pending = pending.filter((c) => c !== check);
          changed = true;
        };
        if (runSignal?.aborted) {
          take();
          finish(notRun(check, 'aborted', 'not run: the run was interrupted'));
          continue;
        }
        const deps = check.dependsOn.map((id) => results.get(id));
        if (deps.some((d) => d === undefined)) continue;
        const bad = deps.find((d) => d !== undefined && d.status !== 'pass');
        if (bad) {
          take();
          const verb =
            bad.status === 'fail'
              ? 'failed'
              : bad.status === 'blocked'
                ? 'was blocked'
                : bad.status === 'skip'
                  ? 'was skipped'
                  : 'was interrupted';
          finish(
            notRun(
              check,
              bad.status === 'aborted' ? 'aborted' : 'blocked',
              `not run: needs '${bad.id}' (${bad.components.join(', ')}), which ${verb}`,
            ),
          );
          continue;
        }
        const skipReason = check.skip?.({ settings: options.settings, components: options.components });
        if (skipReason !== undefined) {
          take();
          finish(notRun(check, 'skip', skipReason));
          continue;
        }
        if (running.size >= concurrency) continue;
        take();
        running.set(
          check.id,
          start(check).finally(() => running.delete(check.id)),
        );
      }
    }
    if (running.size === 0) {
      if (pending.length > 0) throw new Error(`internal: no check can start (pending: ${pending.map((c) => c.id).join(', ')})`);
      break;
    }
    await Promise.race(running.values());
  }
  return { results: checks.map((c) => results.get(c.id) as CheckResult), settled: Promise.all(bodies).then(() => undefined) };
}

/**
 * The checks to run for `only`/`skip` selectors (check ids, id prefixes like `export`, or component names),
 * plus every dependency of a selected check. Throws a {@link SmokeError} `usage` for a selector that matches
 * nothing, listing what exists.
 */
export function selectChecks(
  all: readonly CheckDefinition[],
  components: ComponentDirectory,
  selection: { readonly only?: readonly string[]; readonly skip?: readonly string[] } = {},
): CheckDefinition[] {
  const matches = (check: CheckDefinition, selector: string): boolean =>
    check.id === selector || check.id.startsWith(`${selector}.`) || components.names(check.components).includes(selector);
  const validate = (flag: string, selectors: readonly string[]): void => {
    for (const selector of selectors) {
      if (!all.some((check) => matches(check, selector))) {
        const componentNames = [...new Set(all.flatMap((c) => components.names(c.components)))];
        throw new SmokeError(
          'usage',
          `'${flag}' (${selector}) matches no check; use a check id (${all.map((c) => c.id).join(', ')}) or a component name (${componentNames.join(', ')})`,
        );
      }
    }
  };
  validate('--only', selection.only ?? []);
  validate('--skip', selection.skip ?? []);
  let chosen = all.filter((check) => (selection.only?.length ? selection.only.some((s) => matches(check, s)) : true));
  chosen = chosen.filter((check) => !(selection.skip ?? []).some((s) => matches(check, s)));
  const byId = new Map(all.map((c) => [c.id, c]));
  const wanted = new Set(chosen.map((c) => c.id));
  const stack = [...wanted];
  while (stack.length > 0) {
    const check = byId.get(stack.pop() as string);
    for (const dep of check?.dependsOn ?? []) {
      if (!wanted.has(dep)) {
        wanted.add(dep);
        stack.push(dep);
      }
    }
  }
  return all.filter((c) => wanted.has(c.id));
}

import { describe, expect, it } from 'vitest';
import { componentDirectory } from '../src/components';
import { SmokeError } from '../src/errors';
import { sleep } from '../src/http/client';
import { planOrder, runChecks, selectChecks } from '../src/runner/runner';
import type { CheckContext, CheckDefinition, SuiteSettings } from '../src/runner/types';
import { ALL_CHECKS } from '../src/checks';

const components = componentDirectory();
const settings = { analytics: true } as SuiteSettings;

function check(id: string, run: (ctx: CheckContext) => Promise<void>, extra: Partial<CheckDefinition> = {}): CheckDefinition {
  return { id, title: id, proves: id, components: ['server'], dependsOn: [], timeoutMs: 1000, run, ...extra };
}

function run(checks: CheckDefinition[], options: { concurrency?: number; signal?: AbortSignal } = {}) {
  return runChecks(checks, {
    components,
    settings,
    ...options,
    context: (_c, parts) =>
      ({ signal: parts.signal, step: parts.step, note: parts.note, remainingMs: parts.remainingMs }) as unknown as CheckContext,
  });
}

describe('runChecks', () => {
  it('runs independent checks in parallel', async () => {
    // A barrier instead of wall-clock bounds: each check finishes only once all three have started,
    // so a runner that ran them one after another would leave the first waiting until its timeout.
    let arrived = 0;
    let release!: () => void;
    const allStarted = new Promise<void>((r) => (release = r));
    const meet = (id: string) =>
      check(id, async () => {
        if (++arrived === 3) release();
        await allStarted;
      });
    const { results } = await run([meet('a'), meet('b'), meet('c')]);
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
    expect(arrived).toBe(3);
  });

  it('respects the concurrency limit', async () => {
    let running = 0;
    let peak = 0;
    const c = (id: string) =>
      check(id, async () => {
        peak = Math.max(peak, ++running);
        await sleep(20);
        running -= 1;
      });
    await run([c('a'), c('b'), c('c'), c('d')], { concurrency: 2 });
    expect(peak).toBe(2);
  });

  it('starts a check only after its dependencies passed, and blocks it when one failed', async () => {
    const order: string[] = [];
    const { results } = await run([
      check('b', async () => void order.push('b'), { dependsOn: ['a'] }),
      check('a', async () => void order.push('a')),
      check(
        'x',
        async () => {
          throw new SmokeError('assertion', 'x is broken');
        },
        { components: ['workerImport'] },
      ),
      check('y', async () => void order.push('y'), { dependsOn: ['x'] }),
      check('z', async () => void order.push('z'), { dependsOn: ['y'] }),
    ]);
    expect(order).toEqual(['a', 'b']);
    expect(results.map((r) => [r.id, r.status, r.reason])).toEqual([
      ['b', 'pass', undefined],
      ['a', 'pass', undefined],
      ['x', 'fail', 'cvat-worker-import: x is broken'],
      ['y', 'blocked', "not run: needs 'x' (cvat-worker-import), which failed"],
      ['z', 'blocked', "not run: needs 'y' (cvat-server), which was blocked"],
    ]);
  });

  it('fails a check at its timeout, naming the step it was on, and aborts its signal', async () => {
    let aborted = false;
    const { results, settled } = await run([
      check(
        'slow',
        async (ctx) => {
          ctx.step('waiting for the chunk');
          ctx.signal.addEventListener('abort', () => (aborted = true));
          await sleep(5000, ctx.signal);
        },
        { timeoutMs: 50, components: ['workerChunks'] },
      ),
    ]);
    await settled;
    expect(results[0]).toMatchObject({
      status: 'fail',
      reason: 'cvat-worker-chunks: did not finish within 0.05 s (was: waiting for the chunk)',
    });
    expect(aborted).toBe(true);
  });

  it('reports a non-SmokeError as a bug in the suite', async () => {
    const { results } = await run([
      check('bug', async () => {
        throw new TypeError('x is undefined');
      }),
    ]);
    expect(results[0].reason).toBe('cvat-server: unexpected error in the check itself (a bug in the suite): x is undefined');
  });

  it('marks running and pending checks aborted when the run is interrupted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const { results } = await run(
      [check('long', async (ctx) => sleep(5000, ctx.signal)), check('after', async () => undefined, { dependsOn: ['long'] })],
      { signal: controller.signal },
    );
    expect(results.map((r) => r.status)).toEqual(['aborted', 'aborted']);
  });

  it('skips a check that says it does not apply, and blocks its dependents', async () => {
    const { results } = await run([
      check('s', async () => undefined, { skip: () => 'not deployed' }),
      check('t', async () => undefined, { dependsOn: ['s'] }),
    ]);
    expect(results.map((r) => [r.status, r.reason])).toEqual([
      ['skip', 'not deployed'],
      ['blocked', "not run: needs 's' (cvat-server), which was skipped"],
    ]);
  });
});

describe('planOrder', () => {
  it('names the cycle', () => {
    expect(() =>
      planOrder([check('a', async () => undefined, { dependsOn: ['b'] }), check('b', async () => undefined, { dependsOn: ['a'] })]),
    ).toThrow('checks depend on each other in a cycle: a → b → a');
  });

  it('names an unknown dependency', () => {
    expect(() => planOrder([check('a', async () => undefined, { dependsOn: ['nope'] })])).toThrow(
      "check 'a' depends on unknown check 'nope'",
    );
  });

  it('orders the real suite with every dependency first', () => {
    const order = planOrder(ALL_CHECKS).map((c) => c.id);
    for (const c of ALL_CHECKS) for (const dep of c.dependsOn) expect(order.indexOf(dep)).toBeLessThan(order.indexOf(c.id));
  });
});

describe('selectChecks', () => {
  it('adds the dependencies of a selected check', () => {
    expect(selectChecks(ALL_CHECKS, components, { only: ['import.backup'] }).map((c) => c.id)).toEqual([
      'auth.login',
      'opa.authz',
      'import.task-data',
      'export.backup',
      'import.backup',
    ]);
  });

  it('selects by id prefix and by component name', () => {
    expect(selectChecks(ALL_CHECKS, components, { only: ['workers'] }).map((c) => c.id)).toEqual([
      'auth.login',
      'workers.utils',
      'workers.annotation',
    ]);
    expect(selectChecks(ALL_CHECKS, components, { only: ['cvat-worker-chunks'] }).map((c) => c.id)).toEqual([
      'auth.login',
      'opa.authz',
      'import.task-data',
      'chunks.media',
    ]);
  });

  it('leaves out skipped checks', () => {
    const ids = selectChecks(ALL_CHECKS, components, { skip: ['analytics', 'cvat-worker-consensus'] }).map((c) => c.id);
    expect(ids).not.toContain('analytics.events');
    expect(ids).not.toContain('consensus.merge');
    expect(ids).toHaveLength(ALL_CHECKS.length - 2);
  });

  it('rejects a selector that matches nothing, listing the ids', () => {
    expect(() => selectChecks(ALL_CHECKS, components, { only: ['exports'] })).toThrow(
      /^'--only' \(exports\) matches no check; use a check id \(server\.about, .*\) or a component name \(cvat-server, .*\)$/,
    );
  });
});

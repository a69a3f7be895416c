// "No worker or job configuration can kill a running job on scale-in": every queue assignment an environment can
// write (each queue on each runner, alone or with scale-out overrides) either resolves to a catalogue in which no
// runner can be scaled in under a running job, or is refused with the reason. Runs the real resolver and rules.
import { describe, expect, it } from 'vitest';
import {
  ACA_LIMITS,
  EVENT_JOB_NAMES,
  parseEnvironmentConfig,
  parseRqRunner,
  RQ_QUEUE_NAMES,
  RQ_QUEUES,
  resolveCatalogue,
  RUNNER_START_MARGIN_SECONDS,
  WORKER_NAMES,
  type Catalogue,
  type EnvironmentConfigInput,
} from '../src/index';

function resolve(extra: Partial<EnvironmentConfigInput>): { catalogue?: Catalogue; errors: string[] } {
  const parsed = parseEnvironmentConfig({ name: 'dev', adminCidrs: ['203.0.113.0/24'], edge: { acmeEmail: 'o@cvat-cloud.dev' }, ...extra });
  if (!parsed.value) return { errors: parsed.errors.map((e) => e.message) };
  const r = resolveCatalogue(parsed.value);
  return r.value ? { catalogue: r.value, errors: [] } : { errors: r.errors.map((e) => e.message) };
}

/** Why a running job could be killed on scale-in in this catalogue; empty when none can. */
function killers(c: Catalogue): string[] {
  const out: string[] = [];
  for (const x of c.components.filter((y) => y.enabled && y.queues.length)) {
    const runner = parseRqRunner(x.command, x.args);
    const longest = Math.max(...x.queues.map((q) => RQ_QUEUES[q]!.timeoutSeconds ?? Number.POSITIVE_INFINITY));
    if (x.role === 'job') {
      // an execution is never scaled in; it must end by itself before the replica timeout
      const needed = Math.min(
        ACA_LIMITS.jobReplicaTimeoutSecondsMax,
        RUNNER_START_MARGIN_SECONDS + (runner?.maxJobs ?? Infinity) * longest,
      );
      if (!runner?.burst || (x.job?.replicaTimeoutSeconds ?? 0) < needed) out.push(`${x.name}: an execution can outlive its timeout`);
      continue;
    }
    const scalesIn = x.scaleRules.length > 0 || x.replicas.max > x.replicas.min;
    if (!scalesIn) continue;
    if (!runner) out.push(`${x.name}: scales in with supervisord in front`);
    if (longest > (x.terminationGracePeriodSeconds ?? 0)) out.push(`${x.name}: scales in with jobs longer than its grace period`);
  }
  return out;
}

describe('no queue-runner configuration kills a running job on scale-in', () => {
  it('holds for the default assignment', () => {
    const { catalogue, errors } = resolve({});
    expect(errors).toEqual([]);
    expect(killers(catalogue!)).toEqual([]);
  });

  const cases: { queue: string; runner: string; scaleOut: boolean }[] = [];
  for (const queue of RQ_QUEUE_NAMES)
    for (const runner of [...WORKER_NAMES, ...EVENT_JOB_NAMES])
      for (const scaleOut of [false, true]) cases.push({ queue, runner, scaleOut });

  it(`holds for every queue on every runner, with and without scale-out (${cases.length} assignments)`, () => {
    let accepted = 0;
    for (const { queue, runner, scaleOut } of cases) {
      const components = scaleOut && WORKER_NAMES.includes(runner) ? { [runner]: { replicas: { min: 1, max: 3 } } } : {};
      const { catalogue, errors } = resolve({ queueRunners: { [queue]: runner }, components });
      const what = `${queue} on ${runner}${scaleOut ? ' scaling out to 3' : ''}`;
      if (!catalogue) {
        // refused: and for a reason a user can act on (the field, the value, what is allowed)
        expect(errors.length, what).toBeGreaterThan(0);
        for (const e of errors) expect(e, what).toMatch(/^'[^']+' \(.+\) (must|is)/);
        continue;
      }
      accepted += 1;
      expect(killers(catalogue), what).toEqual([]);
    }
    expect(accepted).toBeGreaterThan(cases.length / 4);
  });

  it('is what refuses a long queue on an always-on worker that scales out (the bug this guards against)', () => {
    const { catalogue, errors } = resolve({
      queueRunners: { import: 'cvat-worker-import' },
      components: { 'cvat-worker-import': { replicas: { min: 1, max: 3 } } },
    });
    expect(catalogue).toBeUndefined();
    expect(
      errors.some((e) => e.startsWith('\'components.cvat-worker-import.queues\' (["import"]) must only hold queues whose jobs end')),
    ).toBe(true);
  });
});

/**
 * The idle criteria minute by minute (evaluateIdle, pure): thresholds at their edges, per-replica judgement, what counts
 * as no data, and the month projection; the verdict against the estimate's assumption at the tolerance's edge.
 */
import { describe, expect, it } from 'vitest';
import { assumedCell, assumedOf, VERDICT_TOLERANCE_HOURS, verdictOf } from '../src/commands/idle/assumption';
import { evaluateIdle, type AppMetrics, type MinuteValues, type SplitSeries } from '../src/commands/idle/criteria';

const T0 = Date.parse('2026-12-02T10:00:00Z');
const window = { start: new Date(T0), end: new Date(T0 + 4 * 60_000) };

function series(metric: string, key: string, values: (MinuteValues | undefined)[]): SplitSeries {
  const points = new Map<number, MinuteValues>();
  values.forEach((v, i) => {
    if (v) points.set(T0 + i * 60_000, v);
  });
  return { metric, key, points };
}

const quietPod = (key: string): Pick<AppMetrics, 'cpu' | 'rxBytes'> => ({
  cpu: [series('UsageNanoCores', key, Array(4).fill({ average: 1e6 }))],
  rxBytes: [series('RxBytes', key, Array(4).fill({ total: 100 }))],
});

describe('evaluateIdle', () => {
  it('judges each replica at the thresholds: 9,999,999 nano cores and 59,999 bytes are idle, one more is not', () => {
    const metrics: AppMetrics = {
      cpu: [series('UsageNanoCores', 'a', [{ average: 9_999_999 }, { average: 10_000_000 }, { average: 1 }, { average: 1 }])],
      rxBytes: [series('RxBytes', 'a', [{ total: 59_999 }, { total: 0 }, { total: 60_000 }, { total: 0 }])],
      requests: [series('Requests', 'a', [undefined, undefined, undefined, { total: 1 }])],
      replicas: [series('Replicas', 'app--r1', Array(4).fill({ maximum: 1 }))],
    };
    const r = evaluateIdle(metrics, window, 1);
    expect(r.minutes).toEqual({ window: 4, observed: 4, idle: 1, scaledToZero: 0, missing: 0 });
    expect(r.broken).toEqual({ cpu: 1, rxBytes: 1, requests: 1, aboveMinimum: 0, noData: 0 });
    expect(r.idleShare).toBe(0.25);
    expect(r.month).toEqual({ hours: 730, activeHours: 547.5, idleHours: 182.5 });
  });

  it('without a Replicas value counts the replicas that report; with one, a replica without values is no data', () => {
    const a = quietPod('a');
    const withoutReplicas = evaluateIdle({ ...a, requests: [], replicas: [] }, window, 1);
    expect(withoutReplicas.minutes.idle).toBe(4);
    const twoReported = evaluateIdle(
      { ...a, requests: [], replicas: [series('Replicas', 'r1', Array(4).fill({ maximum: 2 }))] },
      window,
      2,
    );
    expect(twoReported.broken).toMatchObject({ aboveMinimum: 0, noData: 4 });
    expect(twoReported.minutes.idle).toBe(0);
  });

  it('a revision above the minimum makes the minute active even when every replica is quiet; two revisions at 1 are not', () => {
    const b = quietPod('b');
    const both = { cpu: [...quietPod('a').cpu, ...b.cpu], rxBytes: [...quietPod('a').rxBytes, ...b.rxBytes], requests: [] };
    const scaledOut = evaluateIdle({ ...both, replicas: [series('Replicas', 'r1', Array(4).fill({ maximum: 2 }))] }, window, 1);
    expect(scaledOut.broken.aboveMinimum).toBe(4);
    const overlap = evaluateIdle(
      {
        ...both,
        replicas: [series('Replicas', 'r1', Array(4).fill({ maximum: 1 })), series('Replicas', 'r2', Array(4).fill({ maximum: 1 }))],
      },
      window,
      1,
    );
    expect(overlap.broken.aboveMinimum).toBe(0);
    expect(overlap.peakReplicas).toBe(2);
  });

  it('no data at all: no share, no month; gaps after the first data are not "before the app existed"', () => {
    const empty = evaluateIdle({ cpu: [], rxBytes: [], requests: [], replicas: [] }, window, 1);
    expect(empty).toMatchObject({ idleShare: null, month: null, missingBeforeFirstData: 0, minutes: { missing: 4, observed: 0 } });
    const gap = evaluateIdle(
      {
        cpu: [series('UsageNanoCores', 'a', [{ average: 1 }, undefined, { average: 1 }, undefined])],
        rxBytes: [series('RxBytes', 'a', [{ total: 1 }, undefined, { total: 1 }, undefined])],
        requests: [],
        replicas: [],
      },
      window,
      1,
    );
    expect(gap.minutes).toMatchObject({ observed: 2, missing: 2, idle: 2 });
    expect(gap.missingBeforeFirstData).toBe(0);
    expect(gap.lastData).toEqual(new Date(T0 + 2 * 60_000));
  });

  it('minReplicas 0: a minute without data is one without a replica, so the month is projected on the whole window', () => {
    const ranOnce = {
      cpu: [series('UsageNanoCores', 'a', [{ average: 1 }, undefined, undefined, undefined])],
      rxBytes: [series('RxBytes', 'a', [{ total: 1 }, undefined, undefined, undefined])],
      requests: [],
      replicas: [],
    };
    const zero = evaluateIdle(ranOnce, window, 0);
    expect(zero.minutes).toMatchObject({ observed: 1, idle: 0, missing: 3 });
    expect(zero.broken.aboveMinimum).toBe(1);
    expect(zero.month).toEqual({ hours: 730, activeHours: 182.5, idleHours: 0 });
    // with minReplicas 1 the same data is one idle minute out of one: the silent minutes are left out of the share
    expect(evaluateIdle(ranOnce, window, 1).month).toEqual({ hours: 730, activeHours: 0, idleHours: 730 });
  });
});

describe("the verdict against the estimate's assumption", () => {
  const polled = assumedOf({ activity: { activity: 'polled', activeFraction: 60 / 450, reason: 'polled by opa' }, queues: [] });
  const worker = assumedOf({ activity: { activity: 'jobs', reason: 'an RQ worker' }, queues: ['webhooks', 'cleaning'] });

  it('assumes the hours of the class: a polled share of 730 h, the cleaning jobs for a worker taking them, 730 h always', () => {
    expect(polled).toEqual({ class: 'polled', activeHours: 97.3, reason: 'polled by opa' });
    expect(worker).toMatchObject({ class: 'jobs', activeHours: 0.5 });
    expect(assumedCell(worker)).toBe('jobs only (0.5 h)');
    expect(assumedOf({ activity: { activity: 'jobs', reason: '' }, queues: ['chunks'] }).activeHours).toBe(0);
    expect(assumedOf({ activity: { activity: 'always', reason: '' }, queues: [] }).activeHours).toBe(730);
    expect(assumedCell(assumedOf({ activity: { activity: 'user', reason: '' }, queues: [] }))).toBe('0 h');
  });

  it('is as estimated up to the assumption plus 1 h and 1 % of the month, busier above, no data without a measurement', () => {
    expect(VERDICT_TOLERANCE_HOURS).toBeCloseTo(8.3, 9);
    expect(verdictOf(97.3 + 8.3, polled)).toBe('as estimated');
    expect(verdictOf(97.3 + 8.4, polled)).toBe('busier than estimated');
    expect(verdictOf(0, polled)).toBe('as estimated');
    expect(verdictOf(8.8, worker)).toBe('as estimated');
    expect(verdictOf(8.9, worker)).toBe('busier than estimated');
    expect(verdictOf(null, polled)).toBe('no data');
    expect(verdictOf(undefined, worker)).toBe('no data');
  });
});

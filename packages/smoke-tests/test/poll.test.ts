import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POLL, poll, probe } from '../src/poll';

describe('poll', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('documents its defaults: 120 s total, 500 ms first interval, ×1.5 backoff, 3 s cap', () => {
    expect(DEFAULT_POLL).toEqual({ totalTimeoutMs: 120_000, intervalMs: 500, backoffRate: 1.5, maxIntervalMs: 3000 });
  });

  it('probes at growing intervals up to the cap and returns the value once done', async () => {
    const at: number[] = [];
    const result = poll(
      'waiting',
      async () => {
        at.push(performance.now());
        return at.length < 6 ? probe.pending('not yet') : probe.done('ready');
      },
      { intervalMs: 100, backoffRate: 2, maxIntervalMs: 500, totalTimeoutMs: 10_000 },
    );
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('ready');
    const gaps = at.slice(1).map((t, i) => Math.round(t - at[i]));
    expect(gaps).toEqual([100, 200, 400, 500, 500]);
  });

  it('times out with the last observation and the hint in the message', async () => {
    let n = 0;
    const result = poll('the export (request r1)', async () => probe.pending(`'queued' (${++n})`), {
      intervalMs: 1000,
      backoffRate: 1,
      totalTimeoutMs: 3000,
      hint: 'no worker took it',
    });
    const assertion = expect(result).rejects.toMatchObject({
      code: 'timeout',
      message: "the export (request r1): not done after 3 s (4 probes); last seen: 'queued' (4) — no worker took it",
    });
    await vi.runAllTimersAsync();
    await assertion;
  });

  it('ends at once when a probe throws', async () => {
    const result = poll('x', async () => {
      throw new Error('the request failed');
    });
    await expect(result).rejects.toThrow('the request failed');
  });

  it('ends with an aborted error when the signal aborts while waiting', async () => {
    const controller = new AbortController();
    const result = poll('x', async () => probe.pending('no'), { intervalMs: 1000, signal: controller.signal });
    const assertion = expect(result).rejects.toMatchObject({ code: 'aborted' });
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    await vi.runAllTimersAsync();
    await assertion;
  });

  it.each([
    [{ totalTimeoutMs: 0 }, "'totalTimeoutMs' (0) must be greater than 0"],
    [{ intervalMs: -1 }, "'intervalMs' (-1) must be greater than 0"],
    [{ backoffRate: 0.5 }, "'backoffRate' (0.5) must be 1 or more"],
  ])('rejects bad timing %j, naming the field and value', async (options, message) => {
    await expect(poll('x', async () => probe.done(1), options)).rejects.toThrow(message);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, isIdempotent, retryDelayMs, shouldRetry } from '../src/http/retry';

const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
const wrapped = new Error('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) });

describe('shouldRetry', () => {
  it.each(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'get'])('retries %s on a 503', (method) => {
    expect(isIdempotent(method)).toBe(true);
    expect(shouldRetry(method, 1, { status: 503 })).toBe(true);
  });

  it.each(['POST', 'PATCH'])('never retries %s, whatever happened', (method) => {
    expect(isIdempotent(method)).toBe(false);
    expect(shouldRetry(method, 1, { status: 503 })).toBe(false);
    expect(shouldRetry(method, 1, { error: reset })).toBe(false);
  });

  it('retries gateway and overload statuses but not a 500 or a 4xx', () => {
    expect([429, 502, 503, 504].map((status) => shouldRetry('GET', 1, { status }))).toEqual([true, true, true, true]);
    expect([200, 400, 404, 409, 500].map((status) => shouldRetry('GET', 1, { status }))).toEqual([false, false, false, false, false]);
  });

  it('retries connection errors, also when the code sits in the cause, but not timeouts', () => {
    expect(shouldRetry('GET', 1, { error: reset })).toBe(true);
    expect(shouldRetry('GET', 1, { error: wrapped })).toBe(true);
    expect(shouldRetry('GET', 1, { error: Object.assign(new Error('slow'), { code: 'UND_ERR_HEADERS_TIMEOUT' }) })).toBe(false);
    expect(shouldRetry('GET', 1, { error: new Error('no code') })).toBe(false);
  });

  it('stops after maxRetries retries', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxRetries: 2 };
    expect([1, 2, 3].map((attempt) => shouldRetry('GET', attempt, { status: 503 }, policy))).toEqual([true, true, false]);
  });
});

describe('retryDelayMs', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, minDelayMs: 100, backoffRate: 3, maxDelayMs: 500 };

  it('grows by backoffRate and is capped at maxDelayMs', () => {
    expect([1, 2, 3, 4].map((retry) => retryDelayMs(retry, policy))).toEqual([100, 300, 500, 500]);
  });

  it('honours a numeric Retry-After within the cap and ignores others', () => {
    expect(retryDelayMs(1, { ...policy, maxDelayMs: 5000 }, '2')).toBe(2000);
    expect(retryDelayMs(1, policy, '60')).toBe(100);
    expect(retryDelayMs(1, policy, 'Wed, 21 Oct 2015 07:28:00 GMT')).toBe(100);
  });
});

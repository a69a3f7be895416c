import { describe, expect, it } from 'vitest';
import { FakeCredential } from '@cvat-cloud/testing';
import {
  ARM_RETRY_DEFAULTS,
  BEARER_POLICY_NAME,
  EXIT,
  NO_CREDENTIAL,
  applyArmSetup,
  armClientSetup,
  armFailure,
  armReason,
  isNotFound,
} from '../src';

const rest = (statusCode: number | undefined, code: string | undefined, message: string) =>
  Object.assign(new Error(message), { statusCode, code });

describe('armClientSetup', () => {
  it('uses no credential for a plain-http loopback endpoint and the real one otherwise', async () => {
    const credential = new FakeCredential();
    let asked = 0;
    const get = async () => {
      asked++;
      return credential;
    };
    const loop = await armClientSetup({ endpoint: 'http://127.0.0.1:4567/', credential: get, userAgent: 'cvat-ops' });
    expect(loop).toMatchObject({
      credential: NO_CREDENTIAL,
      withoutAuth: true,
      options: { endpoint: 'http://127.0.0.1:4567', allowInsecureConnection: true },
    });
    expect(loop.options.userAgentOptions).toEqual({ userAgentPrefix: 'cvat-ops' });
    expect(asked).toBe(0);
    const real = await armClientSetup({ credential: get, maxRetries: 2 });
    expect(real.credential).toBe(credential);
    expect(real.options).toEqual({ endpoint: 'https://management.azure.com', retryOptions: { ...ARM_RETRY_DEFAULTS, maxRetries: 2 } });
  });

  it('refuses plain http to anything but loopback (CONFIG, naming the variable)', async () => {
    await expect(
      armClientSetup({
        endpoint: 'http://arm.example.com',
        endpointSource: 'CVAT_OPS_ARM_ENDPOINT',
        credential: async () => new FakeCredential(),
      }),
    ).rejects.toMatchObject({
      exit: EXIT.CONFIG,
      message: expect.stringMatching(/must use https .* Fix CVAT_OPS_ARM_ENDPOINT\.$/),
    });
  });

  it('removes the bearer policy only from a loopback client', async () => {
    const removed: string[] = [];
    const client = { pipeline: { removePolicy: (o: { name: string }) => removed.push(o.name) } };
    applyArmSetup(client, await armClientSetup({ endpoint: 'http://localhost:1', credential: async () => new FakeCredential() }));
    applyArmSetup(client, await armClientSetup({ credential: async () => new FakeCredential() }));
    expect(removed).toEqual([BEARER_POLICY_NAME]);
  });
});

describe('armFailure: one ARM failure, one exit code', () => {
  const next = 'Retry: cvat-ops status --env dev';
  it.each([
    ['401', rest(401, 'InvalidAuthenticationToken', 'token expired'), EXIT.AUTH],
    ['403', rest(403, 'AuthorizationFailed', 'no access'), EXIT.AUTH],
    ['SubscriptionNotFound', rest(404, 'SubscriptionNotFound', "The subscription 'x' could not be found."), EXIT.AUTH],
    ['ResourceGroupNotFound', rest(404, 'ResourceGroupNotFound', "Resource group 'rg' could not be found."), EXIT.NOT_FOUND],
    ['503 after retries', rest(503, 'ServiceUnavailable', 'try later'), EXIT.UNAVAILABLE],
    ['429 after retries', rest(429, 'TooManyRequests', 'throttled'), EXIT.UNAVAILABLE],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), EXIT.UNAVAILABLE],
    ['409', rest(409, 'Conflict', 'busy'), EXIT.FAILED],
  ])('%s', (_name, error, exit) => {
    const e = armFailure(error, 'listing container apps in rg', next);
    expect(e.exit).toBe(exit);
    expect(e.message).toMatch(/listing container apps in rg/);
    expect(e.message.endsWith(next) || e.message.includes('az account show') || e.message.includes('az login')).toBe(true);
  });

  it('reads reasons and 404s', () => {
    expect(armReason(rest(409, 'Conflict', 'busy'))).toBe('409 Conflict: busy');
    expect(isNotFound(rest(undefined, 'ResourceNotFound', 'x'))).toBe(true);
    expect(isNotFound(rest(409, 'Conflict', 'x'))).toBe(false);
  });

  it('ends each sentence with one full stop: an ARM message with its own period is not doubled', () => {
    const e = armFailure(
      rest(404, 'ResourceGroupNotFound', "Resource group 'rg' could not be found."),
      'listing apps in rg',
      'Check --env.',
    );
    expect(e.message).toContain('could not be found. Check --env.');
    expect(e.message).not.toMatch(/\.\./);
    expect(armReason(rest(409, 'Conflict', 'wait...'))).toBe('409 Conflict: wait...');
  });
});

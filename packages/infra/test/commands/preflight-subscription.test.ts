import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInfraCli } from '../../src/cli';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const SUB = '11111111-2222-3333-4444-555555555555';
const OTHER = '99999999-2222-3333-4444-555555555555';

/** Runs `cvat-infra preflight --subscription <sub>` with the given variables; synth is a no-op. */
async function preflight(subscription: string, env: NodeJS.ProcessEnv) {
  let err = '';
  const code = await runInfraCli(['preflight', '--env', 'example', '--subscription', subscription], {
    env: { PATH: '', HOME: '/nonexistent', ...env },
    cwd: REPO_ROOT,
    stdinIsTTY: false,
    out: () => undefined,
    err: (t) => {
      err += t;
    },
    synth: async () => undefined,
    // A closed loopback port: should the command get past the subscription check, it fails fast here.
    preflightEndpoints: { armEndpoint: 'http://127.0.0.1:9', maxRetries: 0, credential: { getToken: async () => null } },
  });
  return { code, err };
}

describe('preflight --subscription agrees with the variable the deploy would use', () => {
  it('compares with AZURE_SUBSCRIPTION_ID when ARM_SUBSCRIPTION_ID is unset (exit 5, names the variable)', async () => {
    const r = await preflight(SUB, { AZURE_SUBSCRIPTION_ID: OTHER });
    expect(r.code).toBe(5);
    expect(r.err).toContain(`differs from AZURE_SUBSCRIPTION_ID (${OTHER})`);
  });

  it('ARM_SUBSCRIPTION_ID wins: a different AZURE_SUBSCRIPTION_ID is not what the deploy uses, so no mismatch', async () => {
    const r = await preflight(SUB, { ARM_SUBSCRIPTION_ID: SUB, AZURE_SUBSCRIPTION_ID: OTHER });
    expect(r.err).not.toContain('differs from');
    // it went on to the credential lookup (none here) instead of stopping at the comparison
    expect(r.err).toContain('using ARM_SUBSCRIPTION_ID');
    expect(r.err).toContain('no Azure credentials found');
  });

  it('a mismatch with ARM_SUBSCRIPTION_ID is still refused', async () => {
    const r = await preflight(SUB, { ARM_SUBSCRIPTION_ID: OTHER, AZURE_SUBSCRIPTION_ID: SUB });
    expect(r.code).toBe(5);
    expect(r.err).toContain('differs from ARM_SUBSCRIPTION_ID');
  });
});

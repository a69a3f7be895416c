import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialUnavailable, tempDir, thrownBy, type TempDir } from '@cvat-cloud/testing';
import {
  CliError,
  EXIT,
  authError,
  createAzureCredential,
  credentialsMissingMessage,
  detectAzureCredential,
  readAzureAuthSettings,
  readAzureCliProfile,
  requireOnPath,
  resolveSubscriptionId,
  terraformAuthEnv,
  type AzureCliProfile,
} from '../src';

const SUB_A = '11111111-2222-4333-8444-555555555555';
const SUB_B = '99999999-2222-4333-8444-555555555555';
const LOGGED_OUT: AzureCliProfile = { path: '/nowhere/azureProfile.json', loggedIn: false };

const failure = (fn: () => unknown): CliError => thrownBy(fn, CliError);

describe('ARM_* and AZURE_* names', () => {
  it('accepts either name; ARM_* wins when both are set, and a differing pair gives a warning without the values', () => {
    const s = readAzureAuthSettings({
      AZURE_CLIENT_ID: 'az-id',
      ARM_TENANT_ID: 'arm-t',
      AZURE_TENANT_ID: 'arm-t',
      ARM_CLIENT_SECRET: 'one',
      AZURE_CLIENT_SECRET: 'two',
    });
    expect(s.values.clientId).toEqual({ value: 'az-id', from: 'AZURE_CLIENT_ID' });
    expect(s.values.tenantId).toEqual({ value: 'arm-t', from: 'ARM_TENANT_ID' });
    expect(s.values.clientSecret).toEqual({ value: 'one', from: 'ARM_CLIENT_SECRET' });
    expect(s.warnings).toEqual(['warning: ARM_CLIENT_SECRET and AZURE_CLIENT_SECRET differ; using ARM_CLIENT_SECRET.']);
    expect(s.warnings.join()).not.toContain('two');
  });

  it('gives terraform the ARM_* names of settings only given as AZURE_* (a federated token file turns OIDC on)', () => {
    expect(
      terraformAuthEnv({
        AZURE_CLIENT_ID: 'c',
        AZURE_TENANT_ID: 't',
        ARM_SUBSCRIPTION_ID: SUB_A,
        AZURE_FEDERATED_TOKEN_FILE: '/var/run/token',
      }),
    ).toEqual({
      ARM_CLIENT_ID: 'c',
      ARM_TENANT_ID: 't',
      ARM_OIDC_TOKEN_FILE_PATH: '/var/run/token',
      ARM_USE_OIDC: 'true',
    });
    expect(terraformAuthEnv({ ARM_CLIENT_ID: 'c' })).toEqual({});
  });
});

describe('detectAzureCredential (no network)', () => {
  let dir: TempDir | undefined;
  afterEach(() => dir?.cleanup());

  it('finds a service principal with a secret under either naming scheme', () => {
    expect(detectAzureCredential({ ARM_CLIENT_ID: 'c', ARM_TENANT_ID: 't', ARM_CLIENT_SECRET: 's' }, LOGGED_OUT)).toMatchObject({
      ok: true,
      credential: { source: 'service-principal-secret', detail: 'ARM_CLIENT_ID + ARM_TENANT_ID + ARM_CLIENT_SECRET' },
    });
    expect(detectAzureCredential({ AZURE_CLIENT_ID: 'c', AZURE_TENANT_ID: 't', AZURE_CLIENT_SECRET: 's' }, LOGGED_OUT)).toMatchObject({
      ok: true,
      credential: { source: 'service-principal-secret', detail: 'AZURE_CLIENT_ID + AZURE_TENANT_ID + AZURE_CLIENT_SECRET' },
    });
  });

  it('reports a half-done service principal instead of falling through', () => {
    const r = detectAzureCredential({ AZURE_CLIENT_SECRET: 's', PATH: '' }, LOGGED_OUT);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]).toBe(
      'AZURE_CLIENT_SECRET set, but ARM_CLIENT_ID (or AZURE_CLIENT_ID) and ARM_TENANT_ID (or AZURE_TENANT_ID) missing',
    );
  });

  it('treats an AKS workload-identity token file as OIDC, and checks the file exists', () => {
    dir = tempDir();
    const token = dir.write('token', 'eyJ');
    expect(
      detectAzureCredential({ AZURE_CLIENT_ID: 'c', AZURE_TENANT_ID: 't', AZURE_FEDERATED_TOKEN_FILE: token }, LOGGED_OUT),
    ).toMatchObject({
      ok: true,
      credential: { source: 'oidc' },
    });
    const missing = detectAzureCredential(
      { AZURE_CLIENT_ID: 'c', AZURE_TENANT_ID: 't', AZURE_FEDERATED_TOKEN_FILE: join(dir.dir, 'nope'), PATH: '' },
      LOGGED_OUT,
    );
    expect(!missing.ok && missing.problems).toContain(`AZURE_FEDERATED_TOKEN_FILE (${join(dir.dir, 'nope')}) does not exist`);
  });

  it('uses a logged-in az CLI found on PATH, and says why not otherwise', () => {
    dir = tempDir();
    mkdirSync(join(dir.dir, 'bin'));
    const az = dir.write('bin/az', '#!/bin/sh\n');
    chmodSync(az, 0o755);
    dir.write('azure/azureProfile.json', JSON.stringify({ subscriptions: [{ id: SUB_A, isDefault: true }] }));
    const env = { PATH: join(dir.dir, 'bin'), AZURE_CONFIG_DIR: join(dir.dir, 'azure') };
    const profile = readAzureCliProfile(env);
    expect(profile).toEqual({ path: join(dir.dir, 'azure', 'azureProfile.json'), loggedIn: true, defaultSubscriptionId: SUB_A });
    expect(detectAzureCredential(env, profile)).toMatchObject({ ok: true, credential: { source: 'azure-cli' } });
    writeFileSync(join(dir.dir, 'azure', 'azureProfile.json'), '{"subscriptions":[]}');
    const out = detectAzureCredential(env);
    expect(!out.ok && out.problems).toEqual([expect.stringMatching(/^az CLI is not logged in .* run `az login`$/)]);
    expect(detectAzureCredential({ PATH: '', ARM_USE_CLI: 'false' }, LOGGED_OUT)).toMatchObject({
      ok: false,
      problems: ['ARM_USE_CLI=false, so Azure CLI credentials are not used'],
    });
    expect(credentialsMissingMessage(['no `az` CLI on PATH'])).toMatch(
      /^no Azure credentials found; nothing was changed\.\n {2}- no `az` CLI on PATH\nProvide one of/,
    );
  });
});

describe('requireOnPath', () => {
  it('finds a tool on PATH or by path, else UNAVAILABLE naming it, why and how to get it', () => {
    const dir = tempDir();
    try {
      const bin = dir.write('bin/terraform', '#!/bin/sh\n');
      expect(requireOnPath('terraform', { PATH: join(dir.dir, 'bin') }, { purpose: 'to plan', install: 'install it' })).toBe(bin);
      expect(requireOnPath(bin, {}, { purpose: 'to plan', install: 'install it' })).toBe(bin);
      const e = thrownBy(
        () =>
          requireOnPath(
            'tofu',
            { PATH: join(dir.dir, 'bin') },
            { purpose: 'to plan and apply the stacks', install: 'Install OpenTofu or pass --binary' },
          ),
        CliError,
      );
      expect(e.exit).toBe(EXIT.UNAVAILABLE);
      expect(e.message).toBe(
        "'tofu' was not found on PATH; it is needed to plan and apply the stacks. Install OpenTofu or pass --binary. Nothing was changed.",
      );
    } finally {
      dir.cleanup();
    }
  });
});

describe('createAzureCredential (constructs only, requests no token)', () => {
  it('builds the class matching the winning settings, else DefaultAzureCredential', async () => {
    expect(
      (
        await createAzureCredential({
          AZURE_CLIENT_ID: 'c',
          AZURE_TENANT_ID: '72f988bf-0000-0000-0000-000000000000',
          ARM_CLIENT_SECRET: 's',
        })
      ).constructor.name,
    ).toBe('ClientSecretCredential');
    expect((await createAzureCredential({ ARM_USE_MSI: 'true' })).constructor.name).toBe('ManagedIdentityCredential');
    expect((await createAzureCredential({})).constructor.name).toBe('DefaultAzureCredential');
  });

  it('refuses a certificate that is not PEM (AUTH) before anything runs', async () => {
    const dir = tempDir();
    try {
      const pfx = dir.write('cert.pfx', Buffer.from([0x30, 0x82, 0x01]));
      await expect(
        createAzureCredential({ ARM_CLIENT_ID: 'c', ARM_TENANT_ID: 't', ARM_CLIENT_CERTIFICATE_PATH: pfx }),
      ).rejects.toMatchObject({
        exit: EXIT.AUTH,
        message: expect.stringMatching(/^ARM_CLIENT_CERTIFICATE_PATH \(.*cert\.pfx\) is not a PEM file/),
      });
    } finally {
      dir.cleanup();
    }
  });
});

describe('resolveSubscriptionId', () => {
  it('takes --subscription, else the environment file, else ARM_SUBSCRIPTION_ID, else AZURE_SUBSCRIPTION_ID', () => {
    expect(resolveSubscriptionId({ flag: SUB_B, config: SUB_A, env: { ARM_SUBSCRIPTION_ID: SUB_A } })).toEqual({
      subscriptionId: SUB_B,
      source: '--subscription',
    });
    expect(resolveSubscriptionId({ config: SUB_A, configSource: 'environments/dev.yaml', env: {} })).toEqual({
      subscriptionId: SUB_A,
      source: 'environments/dev.yaml',
    });
    expect(resolveSubscriptionId({ env: { ARM_SUBSCRIPTION_ID: SUB_A, AZURE_SUBSCRIPTION_ID: SUB_A } })).toEqual({
      subscriptionId: SUB_A,
      source: 'ARM_SUBSCRIPTION_ID',
    });
    expect(resolveSubscriptionId({ env: { AZURE_SUBSCRIPTION_ID: SUB_B } })).toEqual({
      subscriptionId: SUB_B,
      source: 'AZURE_SUBSCRIPTION_ID',
    });
  });

  it('rejects a value that is not a GUID: USAGE from the flag, CONFIG from the file or a variable', () => {
    expect(failure(() => resolveSubscriptionId({ flag: 'my-sub', env: {} }))).toMatchObject({
      exit: EXIT.USAGE,
      message: "'--subscription' (my-sub) must be a subscription GUID like 00000000-0000-0000-0000-000000000000.",
    });
    expect(failure(() => resolveSubscriptionId({ config: 'x', configSource: 'environments/dev.yaml', env: {} }))).toMatchObject({
      exit: EXIT.CONFIG,
      message: "'subscriptionId' (x) in environments/dev.yaml must be a subscription GUID like 00000000-0000-0000-0000-000000000000.",
    });
    expect(failure(() => resolveSubscriptionId({ env: { AZURE_SUBSCRIPTION_ID: 'y' } }))).toMatchObject({
      exit: EXIT.CONFIG,
      message: 'AZURE_SUBSCRIPTION_ID (y) must be a subscription GUID like 00000000-0000-0000-0000-000000000000.',
    });
  });

  it('refuses a file and a variable that disagree (AUTH), and no subscription at all (AUTH, suggesting the az default)', () => {
    expect(
      failure(() => resolveSubscriptionId({ config: SUB_A, configSource: 'environments/dev.yaml', env: { AZURE_SUBSCRIPTION_ID: SUB_B } })),
    ).toMatchObject({
      exit: EXIT.AUTH,
      message: `'subscriptionId' (${SUB_A}) in environments/dev.yaml differs from AZURE_SUBSCRIPTION_ID (${SUB_B}); unset one of them. Nothing was changed.`,
    });
    const none = failure(() =>
      resolveSubscriptionId({ env: {}, configSource: 'environments/dev.yaml', profile: { ...LOGGED_OUT, defaultSubscriptionId: SUB_B } }),
    );
    expect(none.exit).toBe(EXIT.AUTH);
    expect(none.message).toContain(`export ARM_SUBSCRIPTION_ID (your az CLI default is ${SUB_B})`);
  });
});

describe('authError', () => {
  it('maps credential failures and 401/403 to AUTH with the next step; other errors to undefined', () => {
    expect(authError(credentialUnavailable(), 'listing apps')).toMatchObject({
      exit: EXIT.AUTH,
      message: expect.stringContaining("Run 'az login'"),
    });
    expect(authError(Object.assign(new Error('denied'), { statusCode: 403 }), 'reading x')).toMatchObject({
      exit: EXIT.AUTH,
      message: expect.stringContaining('HTTP 403'),
    });
    expect(authError(Object.assign(new Error('boom'), { statusCode: 500 }), 'x')).toBeUndefined();
  });
});

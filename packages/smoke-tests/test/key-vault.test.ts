import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEnvironmentConfig, resourceNames } from '@cvat-cloud/catalogue';
import { main } from '../src/cli';
import { EXIT } from '../src/errors';
import { KEYVAULT_ENDPOINT_ENV, keyVaultSecretReader, keyVaultUrl } from '../src/key-vault';
import { CvatStandIn } from './support/cvat-stand-in';
import { FakeCredential, startFakeKeyVaultServer, type FakeKeyVaultServer } from './support/fake-key-vault-server';
import { captureIo } from './support/io';

const cwd = join(__dirname, '..');
const SECRET = 'cvat-superuser-password';
const vault = resourceNames(loadEnvironmentConfig('example', { cwd }).value!).keyVault;
const where = { vault, secret: SECRET, environment: 'example' };

describe('reading the superuser password from Key Vault (real SDK, fake vault on 127.0.0.1)', () => {
  let kv: FakeKeyVaultServer;
  let env: Record<string, string>;
  beforeEach(async () => {
    kv = await startFakeKeyVaultServer();
    env = { [KEYVAULT_ENDPOINT_ENV]: kv.endpointTemplate };
  });
  afterEach(async () => {
    await kv.close();
  });

  it('answers the 401 challenge with a vault.azure.net token and returns the secret value', async () => {
    kv.vaults.set(vault, { secrets: new Map([[SECRET, 's3cret']]) });
    const credential = new FakeCredential();
    await expect(keyVaultSecretReader({ env, credential })(where)).resolves.toBe('s3cret');
    expect(credential.scopes).toEqual(['https://vault.azure.net/.default']);
    expect(kv.requests.map((r) => [r.path, r.authorized, r.status])).toEqual([
      [`/${vault}/secrets/${SECRET}/`, false, 401],
      [`/${vault}/secrets/${SECRET}/`, true, 200],
    ]);
  });

  it.each([
    ['a missing secret', undefined, `Key Vault '${vault}' (http://127.0.0.1:PORT/${vault}) secret '${SECRET}' does not exist: the deploy writes the superuser password there; run 'npx nx run infra:deploy -- --env example', or set CVAT_PASSWORD to give the password yourself`],
    ['no data-plane role', 'rbac' as const, `Key Vault '${vault}' (http://127.0.0.1:PORT/${vault}) secret '${SECRET}': your identity may not read secrets (ForbiddenByRbac); grant it the 'Key Vault Secrets User' role on the vault`],
    ['the vault firewall', 'firewall' as const, `Key Vault '${vault}' (http://127.0.0.1:PORT/${vault}) secret '${SECRET}': the vault's firewall refused your address (ForbiddenByFirewall); add your network to 'adminCidrs' in environments/example.yaml and redeploy`],
  ])('turns %s into a configuration error naming the vault, the secret and the next step', async (_case, forbidden, message) => {
    kv.vaults.set(vault, { secrets: new Map(), forbidden });
    const error = await keyVaultSecretReader({ env, credential: new FakeCredential() })(where).catch((e: unknown) => e);
    const port = new URL(kv.endpointTemplate.replace('{vault}', 'v')).port;
    expect(error).toMatchObject({ name: 'SmokeError', code: 'config' });
    expect((error as Error).message).toContain(message.replace('PORT', port));
  });

  it('says to run az login or set CVAT_PASSWORD when no Azure credential is available', async () => {
    kv.vaults.set(vault, { secrets: new Map([[SECRET, 's3cret']]) });
    const credential = {
      getToken: async () => {
        throw Object.assign(new Error('DefaultAzureCredential failed to retrieve a token from the included credentials.'), { name: 'CredentialUnavailableError' });
      },
    };
    await expect(keyVaultSecretReader({ env, credential })(where)).rejects.toMatchObject({
      code: 'config',
      message: expect.stringMatching(new RegExp(`^no usable Azure credential to read Key Vault '${vault}' .* secret '${SECRET}': run 'az login', or set CVAT_PASSWORD`)),
    });
  });

  it('accepts the endpoint override only for a loopback host', () => {
    expect(keyVaultUrl('kv1', {})).toEqual({ url: 'https://kv1.vault.azure.net', loopback: false });
    expect(keyVaultUrl('kv1', { [KEYVAULT_ENDPOINT_ENV]: 'http://localhost:8443/{vault}/' })).toEqual({ url: 'http://localhost:8443/kv1', loopback: true });
    expect(() => keyVaultUrl('kv1', { [KEYVAULT_ENDPOINT_ENV]: 'http://evil.example/{vault}' })).toThrow(
      `'${KEYVAULT_ENDPOINT_ENV}' (http://evil.example/{vault}) must be a 127.0.0.1/localhost URL template containing {vault}`,
    );
  });
});

describe('cvat-smoke --env without CVAT_PASSWORD', () => {
  let kv: FakeKeyVaultServer;
  let standIn: CvatStandIn;
  let contacted: number;
  beforeEach(async () => {
    kv = await startFakeKeyVaultServer();
    contacted = 0;
    standIn = await CvatStandIn.start({ onRequest: () => void (contacted += 1) });
  });
  afterEach(async () => {
    await standIn.stop();
    await kv.close();
  });

  it('logs in to the stand-in with the password read from the environment vault', async () => {
    kv.vaults.set(vault, { secrets: new Map([[SECRET, standIn.superuser.password]]) });
    const io = captureIo({ [KEYVAULT_ENDPOINT_ENV]: kv.endpointTemplate }, { cwd, credential: new FakeCredential() });
    const code = await main(['--env', 'example', '--url', standIn.url, '--only', 'auth.login'], io.io);
    expect({ code, stderr: io.stderr() }).toMatchObject({ code: EXIT.OK });
    expect(io.stderr()).toContain(`superuser admin (password from Key Vault ${vault}/${SECRET})`);
    expect(io.stdout()).toMatch(/auth\.login +PASS/);
    expect(kv.requests.filter((r) => r.status === 200)).toHaveLength(1);
    expect(standIn.violations).toEqual([]);
  });

  it('exits 4 without contacting CVAT when the secret is missing', async () => {
    kv.vaults.set(vault, { secrets: new Map() });
    const io = captureIo({ [KEYVAULT_ENDPOINT_ENV]: kv.endpointTemplate }, { cwd, credential: new FakeCredential() });
    expect(await main(['--env', 'example', '--url', standIn.url, '--only', 'auth.login'], io.io)).toBe(EXIT.CONFIG);
    expect(io.stderr()).toMatch(new RegExp(`^cvat-smoke: Key Vault '${vault}' .* secret '${SECRET}' does not exist: .*infra:deploy -- --env example`));
    expect(contacted).toBe(0);
  });

  it('exits 4 and names the missing role when the vault answers 403', async () => {
    kv.vaults.set(vault, { secrets: new Map([[SECRET, 'x']]), forbidden: 'rbac' });
    const io = captureIo({ [KEYVAULT_ENDPOINT_ENV]: kv.endpointTemplate }, { cwd, credential: new FakeCredential() });
    expect(await main(['--env', 'example', '--url', standIn.url, '--only', 'auth.login'], io.io)).toBe(EXIT.CONFIG);
    expect(io.stderr()).toContain("'Key Vault Secrets User'");
    expect(contacted).toBe(0);
  });

  it('makes no Key Vault request and asks for no token when CVAT_PASSWORD is set', async () => {
    kv.vaults.set(vault, { secrets: new Map([[SECRET, 'not-this-one']]) });
    const credential = new FakeCredential();
    const io = captureIo({ [KEYVAULT_ENDPOINT_ENV]: kv.endpointTemplate, CVAT_PASSWORD: standIn.superuser.password }, { cwd, credential });
    expect(await main(['--env', 'example', '--url', standIn.url, '--only', 'auth.login'], io.io)).toBe(EXIT.OK);
    expect(io.stderr()).toContain('(password from CVAT_PASSWORD)');
    expect(kv.requests).toEqual([]);
    expect(credential.scopes).toEqual([]);
  });
});

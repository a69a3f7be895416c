/**
 * The Key Vault reader through the REAL @azure/keyvault-secrets client against the loopback Key Vault double, which
 * answers with the secret REST shapes and the 401 challenge the SDK's auth policy expects.
 */
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FAKE_KEY_VAULT_TENANT,
  FAKE_TOKEN,
  FakeCredential,
  credentialUnavailable,
  rejectionOf,
  startFakeKeyVaultServer,
  type FakeKeyVaultServer,
} from '@cvat-cloud/testing';
import { CliError, EXIT, keyVaultSecretReader, keyVaultUrl, rememberedSecrets, type SecretReader } from '../src';

const VAULT = 'kv-cvat-dev-x1';
const SECRET = 'postgres-admin-password';
const where = { vault: VAULT, secret: SECRET, purpose: 'the PostgreSQL administrator password', environment: 'dev' };

const failure = (p: Promise<unknown>): Promise<CliError> => rejectionOf(p, CliError);

describe('keyVaultSecretReader (real SDK, loopback Key Vault)', () => {
  let kv: FakeKeyVaultServer;
  let credential: FakeCredential;
  const reader = (cred: FakeCredential = credential, env: Record<string, string> = {}): SecretReader =>
    keyVaultSecretReader({
      env: { CVAT_KEYVAULT_ENDPOINT: kv.endpointTemplate, ...env },
      credential: async () => cred,
      alternative: 'set PGPASSWORD',
      userAgent: 'test',
    });

  beforeEach(async () => {
    kv = await startFakeKeyVaultServer();
    kv.vaults.set(VAULT, { secrets: new Map([[SECRET, 'pw-from-key-vault']]) });
    credential = new FakeCredential();
  });
  afterEach(() => kv.close());

  it('answers the 401 challenge with a token for https://vault.azure.net in the challenge tenant, then reads the secret', async () => {
    expect(await reader()(where)).toBe('pw-from-key-vault');
    expect(kv.log.map((l) => [l.method, l.path, l.status, l.authorization])).toEqual([
      ['GET', `/${VAULT}/secrets/${SECRET}/`, 401, undefined],
      ['GET', `/${VAULT}/secrets/${SECRET}/`, 200, `Bearer ${FAKE_TOKEN}`],
    ]);
    expect(credential.asked).toEqual([{ scopes: ['https://vault.azure.net/.default'], tenantId: FAKE_KEY_VAULT_TENANT }]);
    expect(rememberedSecrets()).toContain('pw-from-key-vault'); // redacted from everything printed afterwards
  });

  it('a missing secret is NOT_FOUND naming the vault, the secret, the deploy that writes it and the alternative', async () => {
    kv.vaults.get(VAULT)!.secrets.clear();
    const e = await failure(reader()(where));
    expect(e.exit).toBe(EXIT.NOT_FOUND);
    expect(e.message).toBe(
      `Key Vault '${VAULT}' (${kv.url}/${VAULT}) secret '${SECRET}' (the PostgreSQL administrator password) does not exist. ` +
        `The deploy writes it: run 'npx nx run infra:deploy -- --env dev', or set PGPASSWORD.`,
    );
  });

  it('an RBAC refusal is AUTH naming the role to grant; a firewall refusal is AUTH naming adminCidrs', async () => {
    kv.vaults.get(VAULT)!.forbidden = 'rbac';
    const rbac = await failure(reader()(where));
    expect(rbac.exit).toBe(EXIT.AUTH);
    expect(rbac.message).toContain('(HTTP 403 ForbiddenByRbac)');
    expect(rbac.message).toContain("Grant it 'Key Vault Secrets User'");
    kv.vaults.get(VAULT)!.forbidden = 'firewall';
    const firewall = await failure(reader()(where));
    expect(firewall.exit).toBe(EXIT.AUTH);
    expect(firewall.message).toContain("Add your network to 'adminCidrs' in environments/dev.yaml");
  });

  it('no usable credential is AUTH telling to az login', async () => {
    const e = await failure(reader(new FakeCredential(FAKE_TOKEN, credentialUnavailable()))(where));
    expect(e.exit).toBe(EXIT.AUTH);
    expect(e.message).toMatch(/^No usable Azure credential to read Key Vault .* Run 'az login', or set PGPASSWORD\.$/);
  });

  it('an unreachable vault is UNAVAILABLE', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const e = await failure(
      keyVaultSecretReader({
        env: { CVAT_KEYVAULT_ENDPOINT: `http://127.0.0.1:${port}/{vault}` },
        credential: async () => credential,
        maxRetries: 0,
      })(where),
    );
    expect(e.exit).toBe(EXIT.UNAVAILABLE);
    expect(e.message).toMatch(/^Could not reach Key Vault/);
  });
});

describe('keyVaultUrl', () => {
  it('uses the public endpoint by default and accepts the older test-seam variables', () => {
    expect(keyVaultUrl('v', {})).toEqual({ url: 'https://v.vault.azure.net', loopback: false });
    expect(keyVaultUrl('v', { CVAT_OPS_KEYVAULT_ENDPOINT: 'http://127.0.0.1:9/{vault}/' })).toEqual({
      url: 'http://127.0.0.1:9/v',
      loopback: true,
    });
    expect(keyVaultUrl('v', { CVAT_SMOKE_KEYVAULT_ENDPOINT: 'https://{vault}.vault.azure.cn' })).toEqual({
      url: 'https://v.vault.azure.cn',
      loopback: false,
    });
  });

  it('refuses plain http off loopback, and a template without {vault} (CONFIG)', () => {
    expect(() => keyVaultUrl('v', { CVAT_KEYVAULT_ENDPOINT: 'http://vault.example.com/{vault}' })).toThrow(
      /^CVAT_KEYVAULT_ENDPOINT \(http:\/\/vault\.example\.com\/\{vault\}\) must be an https URL template/,
    );
    expect(() => keyVaultUrl('v', { CVAT_KEYVAULT_ENDPOINT: 'https://one.vault.azure.net' })).toThrow(CliError);
  });
});

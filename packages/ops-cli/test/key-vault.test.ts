/**
 * The `db --env` password path through the REAL @azure/keyvault-secrets client, against a loopback Key Vault double
 * that answers with the secret REST shapes and the 401 challenge the SDK's auth policy expects. The last case runs
 * `db check --env` against the real PostgreSQL (PGTEST_*) with the password served by the double.
 */
import type { TokenCredential } from '@azure/identity';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli';
import { environmentDbDefaults } from '../src/commands/db/environment-defaults';
import { CliError, EXIT } from '@cvat-cloud/runtime';
import { testRuntime, type TestRuntime } from './support/test-runtime';
import {
  FAKE_KEY_VAULT_TENANT,
  FAKE_KEY_VAULT_TOKEN,
  FakeCredential,
  rejectionOf,
  startFakeKeyVaultServer,
  tempRepo,
  type FakeKeyVaultServer,
  type TempRepo,
} from '@cvat-cloud/testing';

const SECRET = 'postgres-admin-password';

describe('db --env: the PostgreSQL password from Key Vault (real SDK, loopback Key Vault)', () => {
  let repo: TempRepo;
  let kv: FakeKeyVaultServer;
  let credential: FakeCredential;
  const runtimeWith = (cred: TokenCredential = credential, env: Record<string, string> = {}): TestRuntime =>
    testRuntime({ cwd: repo.dir, credential: async () => cred, env: { CVAT_KEYVAULT_ENDPOINT: kv.endpointTemplate, ...env } });
  const readPassword = async (runtime: TestRuntime = runtimeWith()): Promise<string> =>
    (await environmentDbDefaults({ env: 'dev' }, runtime)).password!();
  const failure = (p: Promise<unknown>): Promise<CliError> => rejectionOf(p, CliError);

  beforeEach(async () => {
    repo = tempRepo('dev');
    kv = await startFakeKeyVaultServer();
    kv.vaults.set(repo.names.keyVault, { secrets: new Map([[SECRET, 'pw-from-key-vault']]) });
    credential = new FakeCredential();
  });
  afterEach(async () => {
    await kv.close();
    repo.cleanup();
  });

  it('answers the 401 challenge with a token for https://vault.azure.net in the challenge tenant, then reads the secret', async () => {
    expect(await readPassword()).toBe('pw-from-key-vault');
    expect(kv.log.map((l) => [l.method, l.path, l.status, l.authorization])).toEqual([
      ['GET', `/${repo.names.keyVault}/secrets/${SECRET}/`, 401, undefined],
      ['GET', `/${repo.names.keyVault}/secrets/${SECRET}/`, 200, `Bearer ${FAKE_KEY_VAULT_TOKEN}`],
    ]);
    expect(kv.log.every((l) => /^\d{4}-\d{2}-\d{2}/.test(l.apiVersion ?? ''))).toBe(true);
    expect(credential.asked).toEqual([{ scopes: ['https://vault.azure.net/.default'], tenantId: FAKE_KEY_VAULT_TENANT }]);
  });

  it('a missing secret is exit 6 naming the vault, the secret and the deploy that writes it', async () => {
    kv.vaults.get(repo.names.keyVault)!.secrets.clear();
    const e = await failure(readPassword());
    expect(e.exit).toBe(EXIT.NOT_FOUND);
    expect(e.message).toBe(
      `Key Vault '${repo.names.keyVault}' (${kv.url}/${repo.names.keyVault}) secret '${SECRET}' (the PostgreSQL administrator password) does not exist. ` +
        `The deploy writes it: run 'npx nx run infra:deploy -- --env dev', or set PGPASSWORD to connect without Key Vault.`,
    );
  });

  it('an RBAC refusal is exit 5 (AUTH) ending with the cvat-ops alternative (the other refusals: runtime test/key-vault.test.ts)', async () => {
    kv.vaults.get(repo.names.keyVault)!.forbidden = 'rbac';
    const e = await failure(readPassword());
    expect(e.exit).toBe(EXIT.AUTH);
    expect(e.message).toContain(`Key Vault '${repo.names.keyVault}' (${kv.url}/${repo.names.keyVault}) secret '${SECRET}'`);
    expect(e.message).toMatch(/, or set PGPASSWORD to connect without Key Vault\.$/);
  });

  it.skipIf(!process.env.PGTEST_HOST)('db check --env connects to the real PostgreSQL with the password read from Key Vault', async () => {
    const E = process.env;
    kv.vaults.get(repo.names.keyVault)!.secrets.set(SECRET, E.PGTEST_PASSWORD!);
    const runtime = runtimeWith();
    const argv = [
      'db',
      'check',
      '--env',
      'dev',
      '--host',
      E.PGTEST_HOST!,
      '--port',
      E.PGTEST_PORT!,
      '--user',
      E.PGTEST_USER!,
      '--database',
      E.PGTEST_DATABASE ?? 'cvat',
      '--sslmode',
      'verify-full',
      '--ca',
      E.PGTEST_CA!,
      '--json',
    ];
    expect(await runCli(argv, runtime)).toBe(0);
    const data = JSON.parse(runtime.out()) as { connection: { sources: Record<string, string> }; tls: { inUse: boolean } };
    expect(data.connection.sources.password).toBe('key-vault');
    expect(data.tls.inUse).toBe(true);
    expect(runtime.out()).not.toContain(E.PGTEST_PASSWORD!);
    expect(kv.log.at(-1)).toMatchObject({ status: 200, path: `/${repo.names.keyVault}/secrets/${SECRET}/` });
  });
});

/**
 * The `db --env` password path through the REAL @azure/keyvault-secrets client, against a loopback Key Vault double
 * that answers with the secret REST shapes and the 401 challenge the SDK's auth policy expects. The last case runs
 * `db check --env` against the real PostgreSQL (PGTEST_*) with the password served by the double.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli';
import { environmentDbDefaults } from '../src/commands/db/environment-defaults';
import { EXIT, ExitError } from '../src/errors';
import { FAKE_KEY_VAULT_TENANT, FAKE_KEY_VAULT_TOKEN, startFakeKeyVaultServer, type FakeKeyVaultServer } from './support/fake-key-vault-server';
import { tempRepo, type TempRepo } from './support/temp-repo';
import { testRuntime, type TestRuntime } from './support/test-runtime';

/** A TokenCredential that records what the SDK asks for. */
class RecordingCredential implements TokenCredential {
  asked: { scopes: string[]; tenantId?: string | undefined }[] = [];
  constructor(private readonly fail?: Error) {}
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.asked.push({ scopes: [scopes].flat(), tenantId: options?.tenantId });
    if (this.fail) throw this.fail;
    return { token: FAKE_KEY_VAULT_TOKEN, expiresOnTimestamp: Date.now() + 3600_000 };
  }
}

const SECRET = 'postgres-admin-password';

describe('db --env: the PostgreSQL password from Key Vault (real SDK, loopback Key Vault)', () => {
  let repo: TempRepo;
  let kv: FakeKeyVaultServer;
  let credential: RecordingCredential;
  const runtimeWith = (cred: TokenCredential = credential, env: Record<string, string> = {}): TestRuntime =>
    testRuntime({ cwd: repo.dir, credential: async () => cred, env: { CVAT_OPS_KEYVAULT_ENDPOINT: kv.endpointTemplate, ...env } });
  const readPassword = async (runtime: TestRuntime = runtimeWith()): Promise<string> => (await environmentDbDefaults({ env: 'dev' }, runtime)).password!();
  const failure = (p: Promise<unknown>): Promise<ExitError> =>
    p.then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => {
        if (!(e instanceof ExitError)) throw e;
        return e;
      },
    );

  beforeEach(async () => {
    repo = tempRepo('dev');
    kv = await startFakeKeyVaultServer();
    kv.vaults.set(repo.names.keyVault, { secrets: new Map([[SECRET, 'pw-from-key-vault']]) });
    credential = new RecordingCredential();
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

  it('a missing secret is exit 5 naming the vault, the secret and the deploy that creates it', async () => {
    kv.vaults.get(repo.names.keyVault)!.secrets.clear();
    const e = await failure(readPassword());
    expect(e.code).toBe(EXIT.NOT_FOUND);
    expect(e.message).toBe(
      `Key Vault '${repo.names.keyVault}' (${kv.url}/${repo.names.keyVault}) has no secret '${SECRET}' (the PostgreSQL administrator password). ` +
        `The foundation stack creates it: run 'npx nx run infra:deploy -- --env dev', or set PGPASSWORD to connect without Key Vault.`,
    );
  });

  it('an RBAC refusal (403 ForbiddenByRbac) is exit 4 naming the vault, the secret and the role to grant', async () => {
    kv.vaults.get(repo.names.keyVault)!.forbidden = 'rbac';
    const e = await failure(readPassword());
    expect(e.code).toBe(EXIT.AUTH_CONFIG);
    expect(e.message).toContain(`Key Vault '${repo.names.keyVault}' refused to read secret '${SECRET}' (HTTP 403 ForbiddenByRbac)`);
    expect(e.message).toContain(`az role assignment create --role "Key Vault Secrets User"`);
    expect(e.message).toContain('or set PGPASSWORD');
  });

  it('a firewall refusal (403 ForbiddenByFirewall) is exit 4 pointing at adminCidrs in the environment file', async () => {
    kv.vaults.get(repo.names.keyVault)!.forbidden = 'firewall';
    const e = await failure(readPassword());
    expect(e.code).toBe(EXIT.AUTH_CONFIG);
    expect(e.message).toContain('(HTTP 403 ForbiddenByFirewall)');
    expect(e.message).toContain("Add your network to 'adminCidrs' in environments/dev.yaml and redeploy");
  });

  it('no usable credential is exit 4 with the az login hint, after the unauthenticated first request only', async () => {
    const unavailable = Object.assign(new Error('DefaultAzureCredential: no credential in the chain'), { name: 'CredentialUnavailableError' });
    const e = await failure(readPassword(runtimeWith(new RecordingCredential(unavailable))));
    expect(e.code).toBe(EXIT.AUTH_CONFIG);
    expect(e.message).toMatch(/^No usable Azure credential for reading secret 'postgres-admin-password' from Key Vault '.+': .*Run 'az login'/);
    expect(kv.log.map((l) => l.status)).toEqual([401]);
  });

  it('refuses a plain-http endpoint that is not loopback before sending anything (exit 4)', async () => {
    const e = await failure(readPassword(runtimeWith(credential, { CVAT_OPS_KEYVAULT_ENDPOINT: 'http://{vault}.example.com' })));
    expect(e.code).toBe(EXIT.AUTH_CONFIG);
    expect(e.message).toBe(`Key Vault endpoint 'http://${repo.names.keyVault}.example.com' must use https (plain http is only accepted for 127.0.0.1/localhost test servers). Fix CVAT_OPS_KEYVAULT_ENDPOINT.`);
    expect(kv.log).toEqual([]);
  });

  it.skipIf(!process.env.PGTEST_HOST)('db check --env connects to the real PostgreSQL with the password read from Key Vault', async () => {
    const E = process.env;
    kv.vaults.get(repo.names.keyVault)!.secrets.set(SECRET, E.PGTEST_PASSWORD!);
    const runtime = runtimeWith();
    const argv = ['db', 'check', '--env', 'dev', '--host', E.PGTEST_HOST!, '--port', E.PGTEST_PORT!, '--user', E.PGTEST_USER!, '--database', E.PGTEST_DATABASE ?? 'cvat', '--sslmode', 'verify-full', '--ca', E.PGTEST_CA!, '--json'];
    expect(await runCli(argv, runtime)).toBe(0);
    const data = JSON.parse(runtime.out()) as { connection: { sources: Record<string, string> }; tls: { inUse: boolean } };
    expect(data.connection.sources.password).toBe('key-vault');
    expect(data.tls.inUse).toBe(true);
    expect(runtime.out()).not.toContain(E.PGTEST_PASSWORD!);
    expect(kv.log.at(-1)).toMatchObject({ status: 200, path: `/${repo.names.keyVault}/secrets/${SECRET}/` });
  });
});

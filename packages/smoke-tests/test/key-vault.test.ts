/**
 * The smoke CLI's use of Key Vault: with `--env` and no password, the superuser password is read from the
 * environment's vault (runtime's `keyVaultSecretReader` over the real SDK, against @cvat-cloud/testing's fake vault
 * on 127.0.0.1), CVAT is not contacted when that fails, and a given password means no vault request at all. The
 * reader's own error mapping is tested in packages/runtime.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEnvironmentConfig, resourceNames } from '@cvat-cloud/catalogue';
import { EXIT } from '@cvat-cloud/runtime';
import { FakeCredential, startFakeKeyVaultServer, type FakeKeyVaultServer } from '@cvat-cloud/testing';
import { main } from '../src/cli';
import { CvatStandIn } from './support/cvat-stand-in';
import { captureIo } from './support/io';

const cwd = join(__dirname, '..');
const SECRET = 'cvat-superuser-password';
const vault = resourceNames(loadEnvironmentConfig('example', { cwd }).value!).keyVault;

describe('cvat-smoke --env without CVAT_PASSWORD', () => {
  let kv: FakeKeyVaultServer;
  let standIn: CvatStandIn;
  let contacted: number;
  let env: Record<string, string>;
  beforeEach(async () => {
    kv = await startFakeKeyVaultServer();
    env = { CVAT_KEYVAULT_ENDPOINT: kv.endpointTemplate };
    contacted = 0;
    standIn = await CvatStandIn.start({
      onRequest: () => {
        contacted += 1;
      },
    });
  });
  afterEach(async () => {
    await standIn.stop();
    await kv.close();
  });

  it('logs in to the stand-in with the password read from the environment vault, and never prints it', async () => {
    kv.vaults.set(vault, { secrets: new Map([[SECRET, standIn.superuser.password]]) });
    const credential = new FakeCredential();
    const io = captureIo(env, { cwd, credential });
    const code = await main(['--env', 'example', '--url', standIn.url, '--only', 'auth.login'], io.io);
    expect({ code, stderr: io.stderr() }).toMatchObject({ code: EXIT.OK });
    expect(io.stderr()).toContain(`superuser admin (password from Key Vault ${vault}/${SECRET})`);
    expect(io.stdout()).toMatch(/auth\.login +PASS/);
    expect(kv.log.filter((r) => r.status === 200)).toHaveLength(1);
    expect(credential.asked.map((a) => a.scopes)).toEqual([['https://vault.azure.net/.default']]);
    expect(`${io.stdout()}${io.stderr()}`).not.toContain(standIn.superuser.password);
    expect(standIn.violations).toEqual([]);
  });

  it('exits 6 (NOT_FOUND) naming the vault, the secret and the deploy, without contacting CVAT, when the secret is missing', async () => {
    kv.vaults.set(vault, { secrets: new Map() });
    const io = captureIo(env, { cwd, credential: new FakeCredential() });
    expect(await main(['--env', 'example', '--url', standIn.url, '--only', 'auth.login'], io.io)).toBe(EXIT.NOT_FOUND);
    expect(io.stderr()).toMatch(
      new RegExp(
        `^cvat-smoke: error: Key Vault '${vault}' ` +
          `.* secret '${SECRET}' \\(the CVAT superuser password\\) does not exist.*infra:deploy -- --env example.*or set CVAT_PASSWORD`,
      ),
    );
    expect(contacted).toBe(0);
  });

  it.each([
    ['rbac' as const, "'Key Vault Secrets User'"],
    ['firewall' as const, "'adminCidrs' in environments/example.yaml"],
  ])('exits 5 (AUTH) and names the next step when the vault refuses (%s), without contacting CVAT', async (forbidden, next) => {
    kv.vaults.set(vault, { secrets: new Map([[SECRET, 'x']]), forbidden });
    const io = captureIo(env, { cwd, credential: new FakeCredential() });
    expect(await main(['--env', 'example', '--url', standIn.url, '--only', 'auth.login'], io.io)).toBe(EXIT.AUTH);
    expect(io.stderr()).toContain(next);
    expect(io.stderr()).toContain('or set CVAT_PASSWORD to give the password yourself');
    expect(contacted).toBe(0);
  });

  it('makes no Key Vault request and asks for no token when CVAT_PASSWORD is set', async () => {
    kv.vaults.set(vault, { secrets: new Map([[SECRET, 'not-this-one']]) });
    const credential = new FakeCredential();
    const io = captureIo({ ...env, CVAT_PASSWORD: standIn.superuser.password }, { cwd, credential });
    expect(await main(['--env', 'example', '--url', standIn.url, '--only', 'auth.login'], io.io)).toBe(EXIT.OK);
    expect(io.stderr()).toContain('(password from CVAT_PASSWORD)');
    expect(kv.log).toEqual([]);
    expect(credential.calls).toBe(0);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeUrls, loadEnvironmentConfig, resourceNames } from '@cvat-cloud/catalogue';
import type { SecretLocation } from '@cvat-cloud/runtime';
import { resolveTarget } from '../src/target';

const cwd = join(__dirname, '..');

describe('resolveTarget', () => {
  it('takes flags over environment variables', async () => {
    const resolved = await resolveTarget(
      { url: 'https://a.example', username: 'root', password: 'p1' },
      { CVAT_URL: 'https://b.example', CVAT_USERNAME: 'admin', CVAT_PASSWORD: 'p2' },
      cwd,
    );
    expect(resolved).toMatchObject({ target: { baseUrl: 'https://a.example', username: 'root', password: 'p1' }, source: '--url' });
  });

  it('reads CVAT_URL, CVAT_USERNAME and CVAT_PASSWORD', async () => {
    await expect(
      resolveTarget({}, { CVAT_URL: 'https://b.example', CVAT_USERNAME: 'admin', CVAT_PASSWORD: 'p2' }, cwd),
    ).resolves.toMatchObject({
      target: { baseUrl: 'https://b.example', username: 'admin', password: 'p2' },
      source: 'CVAT_URL',
      passwordSource: 'CVAT_PASSWORD',
      catalogue: undefined,
    });
  });

  it('refuses to run without a target, listing the three ways to give one', async () => {
    await expect(resolveTarget({}, {}, cwd)).rejects.toThrow(
      'no target: give --url <https://cvat.example.org>, set CVAT_URL, or use --env <name> to take the edge hostname from environments/<name>.yaml. Refusing to guess a deployment.',
    );
  });

  it('names the flag and the value of a URL that is not absolute', async () => {
    await expect(resolveTarget({ url: 'cvat.example.org' }, { CVAT_PASSWORD: 'x' }, cwd)).rejects.toThrow(
      `'--url' ("cvat.example.org") must be an absolute URL such as https://cvat.example.org`,
    );
  });

  it('asks for the password, or --env to read it from Key Vault, when neither is given', async () => {
    await expect(resolveTarget({ url: 'https://a.example', username: 'admin' }, {}, cwd)).rejects.toMatchObject({
      code: 'usage',
      message:
        'no superuser password: set CVAT_PASSWORD (or --password, which other users can see in the process list), or use --env <name> to read it ' +
        "from the environment's Key Vault",
    });
  });

  it('reads the password with --env from the vault resourceNames() gives, under the catalogue secret name', async () => {
    const config = loadEnvironmentConfig('example', { cwd }).value!;
    const asked: SecretLocation[] = [];
    const resolved = await resolveTarget({ env: 'example' }, {}, cwd, {
      readSecret: async (location) => {
        asked.push(location);
        return 'from-vault';
      },
    });
    expect(asked).toEqual([
      {
        vault: resourceNames(config).keyVault,
        secret: 'cvat-superuser-password',
        purpose: 'the CVAT superuser password',
        environment: config.name,
      },
    ]);
    expect(resolved.target).toEqual({ baseUrl: edgeUrls(config).baseUrl, username: 'admin', password: 'from-vault' });
    expect(resolved.passwordSource).toBe(`Key Vault ${resourceNames(config).keyVault}/cvat-superuser-password`);
  });

  it.each([
    ['CVAT_PASSWORD', {}, { CVAT_PASSWORD: 'env-secret' }, 'env-secret'],
    ['--password', { password: 'flag-secret' }, {}, 'flag-secret'],
  ])('never reads Key Vault with --env when %s gives the password', async (source, flags, env, password) => {
    let reads = 0;
    const resolved = await resolveTarget({ env: 'example', ...flags }, env, cwd, {
      readSecret: async () => {
        reads += 1;
        return 'from-vault';
      },
    });
    expect(reads).toBe(0);
    expect(resolved.target.password).toBe(password);
    expect(resolved.passwordSource).toBe(source);
  });

  it('does not read Key Vault when the URL is already invalid', async () => {
    let reads = 0;
    await expect(
      resolveTarget({ env: 'example', url: 'nope' }, {}, cwd, {
        readSecret: async () => {
          reads += 1;
          return 'x';
        },
      }),
    ).rejects.toThrow(/'--url' \("nope"\) must be an absolute URL/);
    expect(reads).toBe(0);
  });

  it('resolves the edge URL, the superuser name, the catalogue and analytics from --env', async () => {
    const config = loadEnvironmentConfig('example', { cwd }).value!;
    const resolved = await resolveTarget({ env: 'example' }, { CVAT_PASSWORD: 'secret' }, cwd);
    expect(resolved.target).toEqual({ baseUrl: edgeUrls(config).baseUrl, username: 'admin', password: 'secret' });
    expect(resolved.source).toBe('--env example');
    expect(resolved.analytics).toBe(config.analytics);
    expect(resolved.catalogue?.cvatVersion).toBe(config.cvatVersion);
  });

  describe('with a bad environment file', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'smoke-env-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reports a missing environment as a configuration error naming the file', async () => {
      await expect(resolveTarget({ env: 'no-such-env' }, { CVAT_PASSWORD: 'x' }, cwd)).rejects.toThrow(
        /^environment 'no-such-env' is not valid:\n.*no-such-env\.yaml.*must exist/s,
      );
    });

    it('reports an invalid field with its dot-path', async () => {
      const file = join(dir, 'broken.yaml');
      await writeFile(
        file,
        'name: broken\nlocation: westeurope\nnetwork: { addressSpace: 10.0.0.0/16, subnets: { apps: 10.0.0.0/23, privateEndpoints: 10.0.2.0/24, ' +
          'edge: 10.0.3.0/24 } }\nadminCidrs: [203.0.113.0/24]\ncvatVersion: 2.73\n',
      );
      await expect(resolveTarget({ env: file }, { CVAT_PASSWORD: 'x' }, cwd)).rejects.toThrow(/cvatVersion/);
    });
  });
});

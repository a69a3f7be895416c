import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeUrls, loadEnvironmentConfig } from '@cvat-cloud/catalogue';
import { resolveTarget } from '../src/target';

const cwd = join(__dirname, '..');

describe('resolveTarget', () => {
  it('takes flags over environment variables', () => {
    const resolved = resolveTarget({ url: 'https://a.example', username: 'root', password: 'p1' }, { CVAT_URL: 'https://b.example', CVAT_USERNAME: 'admin', CVAT_PASSWORD: 'p2' }, cwd);
    expect(resolved).toMatchObject({ target: { baseUrl: 'https://a.example', username: 'root', password: 'p1' }, source: '--url' });
  });

  it('reads CVAT_URL, CVAT_USERNAME and CVAT_PASSWORD', () => {
    expect(resolveTarget({}, { CVAT_URL: 'https://b.example', CVAT_USERNAME: 'admin', CVAT_PASSWORD: 'p2' }, cwd)).toMatchObject({
      target: { baseUrl: 'https://b.example', username: 'admin', password: 'p2' },
      source: 'CVAT_URL',
      catalogue: undefined,
    });
  });

  it('refuses to run without a target, listing the three ways to give one', () => {
    expect(() => resolveTarget({}, {}, cwd)).toThrow(
      'no target: give --url <https://cvat.example.org>, set CVAT_URL, or use --env <name> to take the edge hostname from environments/<name>.yaml. Refusing to guess a deployment.',
    );
  });

  it('names the flag and the value of a URL that is not absolute', () => {
    expect(() => resolveTarget({ url: 'cvat.example.org' }, { CVAT_PASSWORD: 'x' }, cwd)).toThrow(`'--url' ("cvat.example.org") must be an absolute URL such as https://cvat.example.org`);
  });

  it('asks for the password and says where it lives, when --env is used without CVAT_PASSWORD', () => {
    expect(() => resolveTarget({ env: 'example' }, {}, cwd)).toThrow(
      /^no superuser password: set CVAT_PASSWORD .* The superuser password of 'example' is Key Vault secret 'cvat-superuser-password' in vault '[\w-]+': export CVAT_PASSWORD="\$\(az keyvault secret show --vault-name [\w-]+ --name cvat-superuser-password --query value -o tsv\)"$/,
    );
  });

  it('resolves the edge URL, the superuser name, the catalogue and analytics from --env', () => {
    const config = loadEnvironmentConfig('example', { cwd }).value!;
    const resolved = resolveTarget({ env: 'example' }, { CVAT_PASSWORD: 'secret' }, cwd);
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

    it('reports a missing environment as a configuration error naming the file', () => {
      expect(() => resolveTarget({ env: 'no-such-env' }, { CVAT_PASSWORD: 'x' }, cwd)).toThrow(/^environment 'no-such-env' is not valid:\n.*no-such-env\.yaml.*must exist/s);
    });

    it('reports an invalid field with its dot-path', async () => {
      const file = join(dir, 'broken.yaml');
      await writeFile(file, 'name: broken\nlocation: westeurope\nnetwork: { addressSpace: 10.0.0.0/16, subnets: { apps: 10.0.0.0/23, privateEndpoints: 10.0.2.0/24, edge: 10.0.3.0/24 } }\nadminCidrs: [203.0.113.0/24]\ncvatVersion: 2.73\n');
      expect(() => resolveTarget({ env: file }, { CVAT_PASSWORD: 'x' }, cwd)).toThrow(/cvatVersion/);
    });
  });
});

import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FAKE_TOKEN,
  FakeCredential,
  closedLoopbackPort,
  credentialUnavailable,
  rejectionOf,
  startFakeKeyVaultServer,
  startLoopbackServer,
  tempDir,
  tempRepo,
  thrownBy,
  treeSnapshot,
  type TempDir,
} from '../src';
import { PRESET_DEFAULTS, defineProjectConfig } from '../vitest-preset.mjs';

describe('loopback server', () => {
  it('listens on 127.0.0.1 only, hands the handler the decoded path and body, and records every request', async () => {
    const server = await startLoopbackServer((req) => ({
      status: 201,
      body: { path: req.path, body: req.body.toString('utf8'), q: req.query.get('a') },
    }));
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${server.url}/x%20y?a=1`, { method: 'POST', body: 'hello' });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ path: '/x y', body: 'hello', q: '1' });
      expect(server.requests).toEqual([{ method: 'POST', url: '/x%20y?a=1' }]);
    } finally {
      await server.close();
    }
  });

  it('answers 500 with an error envelope when the handler throws', async () => {
    const server = await startLoopbackServer(() => {
      throw new Error('boom');
    });
    try {
      const response = await fetch(server.url);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: { code: 'TestDoubleError', message: 'Error: boom' } });
    } finally {
      await server.close();
    }
  });
});

describe('fake Key Vault', () => {
  it('challenges a request without a token with 401 + WWW-Authenticate naming vault.azure.net, and serves a secret with the token', async () => {
    const kv = await startFakeKeyVaultServer();
    try {
      kv.vaults.set('kv1', { secrets: new Map([['s', 'v']]) });
      const anonymous = await fetch(`${kv.url}/kv1/secrets/s/?api-version=7.6`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(
        /^Bearer authorization="https:\/\/login\.microsoftonline\.com\/[^"]+", resource="https:\/\/vault\.azure\.net"$/,
      );
      const ok = await fetch(`${kv.url}/kv1/secrets/s/?api-version=7.6`, { headers: { authorization: `Bearer ${FAKE_TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({
        value: 'v',
        id: expect.stringMatching(/^https:\/\/kv1\.vault\.azure\.net\/secrets\/s\/[0-9a-f]{32}$/),
      });
      const missing = await fetch(`${kv.url}/kv1/secrets/nope/?api-version=7.6`, { headers: { authorization: `Bearer ${FAKE_TOKEN}` } });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('SecretNotFound');
    } finally {
      await kv.close();
    }
  });
});

describe('fake credential', () => {
  it('records scopes and tenant, and fails like @azure/identity when told to', async () => {
    const credential = new FakeCredential();
    expect((await credential.getToken('https://vault.azure.net/.default', { tenantId: 't' })).token).toBe(FAKE_TOKEN);
    expect(credential.asked).toEqual([{ scopes: ['https://vault.azure.net/.default'], tenantId: 't' }]);
    await expect(new FakeCredential(FAKE_TOKEN, credentialUnavailable()).getToken('x')).rejects.toMatchObject({
      name: 'CredentialUnavailableError',
    });
  });
});

describe('temporary directories', () => {
  let dir: TempDir | undefined;
  afterEach(() => dir?.cleanup());

  it('tempDir writes nested files and cleanup removes everything', () => {
    dir = tempDir();
    const file = dir.write('a/b/c.txt', 'x');
    expect(existsSync(file)).toBe(true);
    dir.cleanup();
    expect(existsSync(dir.dir)).toBe(false);
  });

  it('tempRepo writes a valid environment and derives its names; an invalid one is refused and removed', () => {
    const repo = tempRepo('dev');
    dir = repo;
    expect(repo.config.name).toBe('dev');
    expect(repo.names.resourceGroup).toBe('cvat-dev-rg');
    expect(() => tempRepo('bad', 'name: bad\nnope: 1\n')).toThrow(/^temp repo: invalid environment: .*nope/);
  });
});

describe('vitest preset', () => {
  it('gives the shared layout and merges overrides over it', () => {
    const base = defineProjectConfig() as {
      resolve: { tsconfigPaths: boolean };
      test: { include: string[]; testTimeout: number; environment: string };
    };
    expect(base.resolve.tsconfigPaths).toBe(true);
    expect(base.test).toMatchObject({ include: PRESET_DEFAULTS.include, environment: 'node', testTimeout: 30_000 });
    const merged = defineProjectConfig({ test: { testTimeout: 60_000, setupFiles: ['test/setup.ts'] } }) as {
      test: { testTimeout: number; setupFiles: string[]; include: string[] };
    };
    expect(merged.test).toMatchObject({ testTimeout: 60_000, setupFiles: ['test/setup.ts'], include: PRESET_DEFAULTS.include });
  });
});

describe('thrownBy / rejectionOf', () => {
  class MyError extends Error {}
  it('return the expected error and fail on anything else', async () => {
    const mine = new MyError('x');
    expect(
      thrownBy(() => {
        throw mine;
      }, MyError),
    ).toBe(mine);
    expect(() => thrownBy(() => 1, MyError)).toThrow('expected a MyError, but the call returned 1');
    expect(() =>
      thrownBy(() => {
        throw new Error('other');
      }, MyError),
    ).toThrow('expected a MyError, got Error: other');
    expect(await rejectionOf(Promise.reject(mine), MyError)).toBe(mine);
    await expect(rejectionOf(Promise.resolve('ok'), MyError)).rejects.toThrow('expected a MyError, but the promise resolved to "ok"');
  });
});

describe('closedLoopbackPort and treeSnapshot', () => {
  it('gives a port where a connection is refused at once', async () => {
    const port = await closedLoopbackPort();
    const started = Date.now();
    const error = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e as Error);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((error as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
  });

  it('records every entry with kind, size and time, so any write, change or deletion shows', async () => {
    const dir = tempDir();
    try {
      dir.write('a/b.txt', 'hi');
      const before = treeSnapshot(dir.dir);
      expect(Object.keys(before)).toEqual(['a', 'a/b.txt']);
      expect(before.a).toBe('d');
      expect(before['a/b.txt']).toMatch(/^f 2 \d/);
      expect(treeSnapshot(dir.dir)).toEqual(before);
      dir.write('a/c.txt', '');
      expect(treeSnapshot(dir.dir)).not.toEqual(before);
    } finally {
      dir.cleanup();
    }
  });
});

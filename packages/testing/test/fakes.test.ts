/**
 * The ARM, ARM-storage and Azure Files doubles answer the wire shapes their SDKs read (the ops-cli suites drive them
 * through the real SDK clients; these checks pin the shapes themselves).
 */
import { describe, expect, it } from 'vitest';
import { armExampleDocument, FakeArmServer, startFakeArmStorageServer, startFakeFileServer } from '../src';

describe('FakeArmServer (Microsoft.App)', () => {
  it('pages a list behind an absolute nextLink and records every request', async () => {
    const arm = await FakeArmServer.start({ pageSize: 2 });
    try {
      for (const name of ['a', 'b', 'c']) arm.addApp(name);
      const first = (await (
        await fetch(`${arm.url}${arm.groupId}/providers/Microsoft.App/containerApps?api-version=2025-07-01`)
      ).json()) as {
        value: { name: string }[];
        nextLink?: string;
      };
      expect(first.value.map((a) => a.name)).toEqual(['a', 'b']);
      expect(first.nextLink).toMatch(new RegExp(`^${arm.url}/.*api-version=2025-07-01`));
      const second = (await (await fetch(first.nextLink!)).json()) as { value: { name: string }[]; nextLink?: string };
      expect(second.value.map((a) => a.name)).toEqual(['c']);
      expect(second.nextLink).toBeUndefined();
      expect(arm.requestsTo('GET', '/containerApps')).toHaveLength(2);
    } finally {
      await arm.close();
    }
  });
});

describe('FakeArmServer job starts', () => {
  it('starts an execution (body recorded), lists it, and walks its status script on successive GETs', async () => {
    const arm = await FakeArmServer.start();
    try {
      arm.addJob('cvat-init');
      arm.scriptJob('cvat-init', { statuses: ['Running', 'Succeeded'] });
      const base = `${arm.url}${arm.groupId}/providers/Microsoft.App/jobs/cvat-init`;
      const template = { containers: [{ name: 'cvat-init', command: ['python3', 'manage.py', 'migrate'] }] };
      const start = await fetch(`${base}/start?api-version=2025-07-01`, {
        method: 'POST',
        body: JSON.stringify(template),
        headers: { 'content-type': 'application/json' },
      });
      expect(start.status).toBe(200);
      const started = (await start.json()) as { name: string; id: string };
      expect(started).toEqual({
        name: 'cvat-init-exec1',
        id: `${arm.groupId}/providers/Microsoft.App/jobs/cvat-init/executions/cvat-init-exec1`,
      });
      expect(arm.requestsTo('POST', '/start')[0]!.body).toEqual(template);
      const status = async () =>
        (
          (await (await fetch(`${base}/executions/${started.name}?api-version=2025-07-01`)).json()) as {
            properties: { status: string; endTime?: string };
          }
        ).properties;
      expect((await status()).status).toBe('Running');
      const done = await status();
      expect(done.status).toBe('Succeeded');
      expect(done.endTime).toBeDefined();
      expect((await status()).status).toBe('Succeeded');
      const list = (await (await fetch(`${base}/executions?api-version=2025-07-01`)).json()) as { value: { name: string }[] };
      expect(list.value.map((e) => e.name)).toEqual(['cvat-init-exec1']);
    } finally {
      await arm.close();
    }
  });

  it('answers a long-running start with 202 + Location whose result is the execution, and injects start errors', async () => {
    const arm = await FakeArmServer.start();
    try {
      arm.addJob('cvat-init');
      arm.scriptJob('cvat-init', { statuses: ['Succeeded'], asyncStart: true });
      const base = `${arm.url}${arm.groupId}/providers/Microsoft.App/jobs/cvat-init`;
      const start = await fetch(`${base}/start?api-version=2025-07-01`, { method: 'POST' });
      expect(start.status).toBe(202);
      const result = (await (await fetch(start.headers.get('location')!)).json()) as { name: string };
      expect(result.name).toBe('cvat-init-exec1');
      arm.scriptJob('cvat-init', { statuses: ['Succeeded'], startError: { status: 409, code: 'Conflict', message: 'busy' } });
      const refused = await fetch(`${base}/start?api-version=2025-07-01`, { method: 'POST' });
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('Conflict');
    } finally {
      await arm.close();
    }
  });
});

describe('fake ARM storage', () => {
  it('answers 429 with Retry-After when throttled, then the account with its networkAcls; 404 ResourceNotFound otherwise', async () => {
    const arm = await startFakeArmStorageServer();
    try {
      arm.addAccount({
        subscriptionId: 's',
        resourceGroup: 'rg',
        name: 'st1',
        key: 'k',
        networkAcls: { defaultAction: 'Deny', ipRules: [{ value: '203.0.113.7' }] },
      });
      const path = `${arm.url}/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1?api-version=2025-01-01`;
      arm.throttle(1, 3);
      const throttled = await fetch(path);
      expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([429, '3']);
      const ok = (await (await fetch(path)).json()) as { properties: { networkAcls: unknown } };
      expect(ok.properties.networkAcls).toEqual({
        bypass: 'AzureServices',
        defaultAction: 'Deny',
        ipRules: [{ value: '203.0.113.7', action: 'Allow' }],
        virtualNetworkRules: [],
      });
      const missing = await fetch(path.replace('st1', 'st2'));
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('ResourceNotFound');
    } finally {
      await arm.close();
    }
  });
});

describe('fake Azure Files', () => {
  it('refuses a request without SharedKey auth with 403 AuthenticationFailed', async () => {
    const files = await startFakeFileServer();
    try {
      files.createShare('cvat-data');
      const response = await fetch(`${files.url}/${files.account}/cvat-data?restype=share`);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('<Code>AuthenticationFailed</Code>');
    } finally {
      await files.close();
    }
  });
});

describe('FakeArmServer PostgreSQL flexible servers (2025-08-01)', () => {
  it('answers a point-in-time restore like the specification example: 202 with Azure-AsyncOperation and Location, then polls to Succeeded', async () => {
    const arm = await FakeArmServer.start();
    try {
      arm.pgPolls = 2;
      const source = arm.addPgServer('cvat-pg');
      expect(source.properties.backup).toMatchObject({ backupRetentionDays: 7 });
      const example = armExampleDocument('2025-08-01', 'ServersCreatePointInTimeRestore');
      const base = `${arm.url}${arm.groupId}/providers/Microsoft.DBforPostgreSQL/flexibleServers`;
      const put = await fetch(`${base}/cvat-pg-r1?api-version=2025-08-01`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          location: arm.location,
          properties: {
            createMode: 'PointInTimeRestore',
            sourceServerResourceId: source.id,
            pointInTimeUTC: new Date(Date.now() - 60_000).toISOString(),
          },
        }),
      });
      expect(put.status).toBe(202);
      for (const header of Object.keys(example.responses['202']!.headers!))
        expect(put.headers.get(header)).toMatch(/^http:\/\/127\.0\.0\.1:/);
      const status = put.headers.get('azure-asyncoperation')!;
      const states: string[] = [];
      for (let i = 0; i < 3; i++) states.push(((await (await fetch(status)).json()) as { status: string }).status);
      expect(states).toEqual(['InProgress', 'InProgress', 'Succeeded']);
      const restored = (await (await fetch(`${base}/cvat-pg-r1?api-version=2025-08-01`)).json()) as { properties: Record<string, unknown> };
      expect(restored.properties).toMatchObject({ state: 'Ready', sourceServerResourceId: source.id });
    } finally {
      await arm.close();
    }
  });

  it('refuses a point in time outside the source server restore window with 400, and an unknown source with 404', async () => {
    const arm = await FakeArmServer.start();
    try {
      const source = arm.addPgServer('cvat-pg', { earliestRestoreDate: new Date(Date.now() - 3_600_000).toISOString() });
      const base = `${arm.url}${arm.groupId}/providers/Microsoft.DBforPostgreSQL/flexibleServers`;
      const put = (properties: Record<string, unknown>) =>
        fetch(`${base}/r?api-version=2025-08-01`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ location: arm.location, properties: { createMode: 'PointInTimeRestore', ...properties } }),
        });
      const early = await put({ sourceServerResourceId: source.id, pointInTimeUTC: new Date(Date.now() - 7_200_000).toISOString() });
      expect(early.status).toBe(400);
      expect(((await early.json()) as { error: { code: string } }).error.code).toBe('InvalidPointInTime');
      expect((await put({ sourceServerResourceId: `${source.id}x`, pointInTimeUTC: new Date().toISOString() })).status).toBe(404);
      expect(arm.pgServers.has('r')).toBe(false);
    } finally {
      await arm.close();
    }
  });
});

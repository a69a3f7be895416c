/**
 * `cvat-ops logs` against the fake ARM and its fake log stream endpoint (getAuthtoken → bearer token →
 * logstream / eventstream), including follow mode ended by a signal.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logStreamUrl, logs } from '../../src/commands/logs';
import { runCli } from '../../src/cli';
import { EXIT, type CliError } from '@cvat-cloud/runtime';
import { globals, testRuntime, type TestRuntime } from '../support/test-runtime';
import { makeTestRepo, seedFromCatalogue, TEST_SUBSCRIPTION, type TestRepo } from './support/catalogue-fixture';
import { FakeArmServer } from '@cvat-cloud/testing';

const SERVER_LINES = ['[2026-01-02 10:00:00] INFO boot', '[2026-01-02 10:00:01] INFO ready', 'GET /api/server/about 200 \\u0022ok\\u0022'];

describe('cvat-ops logs', () => {
  let repo: TestRepo;
  let fake: FakeArmServer;
  let runtime: TestRuntime;
  beforeEach(async () => {
    repo = makeTestRepo();
    fake = await FakeArmServer.start({
      subscriptionId: TEST_SUBSCRIPTION,
      resourceGroup: repo.resourceGroup,
      logStreamToken: 'stream-token-1',
    });
    seedFromCatalogue(fake, repo);
    fake.replicas.set('cvat-server/cvat-server--r1', [
      fake.replica('cvat-server', 'cvat-server--r1', 'cvat-server--r1-aaa', 'cvat-server', 'NotRunning'),
      fake.replica('cvat-server', 'cvat-server--r1', 'cvat-server--r1-bbb', 'cvat-server'),
    ]);
    fake.logStreams.set('cvat-server', {
      console: {
        'cvat-server--r1/cvat-server--r1-bbb/cvat-server': SERVER_LINES,
        'cvat-server--r1/cvat-server--r1-aaa/cvat-server': ['from aaa'],
      },
      system: ['{"TimeStamp":"2026-01-02T10:00:00Z","Type":"Normal","Reason":"ReplicaReady","Msg":"replica ready"}'],
    });
    runtime = testRuntime({ cwd: repo.dir, armEndpoint: fake.url });
  });
  afterEach(async () => {
    await fake.close();
    repo.remove();
  });
  const streamRequests = () => fake.requests.filter((r) => /\/(logstream|eventstream)$/.test(r.path));

  it('builds the log stream URLs the way az containerapp logs show does', () => {
    const common = {
      eventStreamEndpoint: 'https://westeurope.azurecontainerapps.dev/subscriptions/s/resourceGroups/rg/containerApps/web/eventstream',
      subscriptionId: 's',
      resourceGroup: 'rg',
      app: 'web',
      follow: true,
      tailLines: 50,
    };
    expect(logStreamUrl({ ...common, type: 'console', revision: 'web--r1', replica: 'web--r1-x', container: 'web' })).toBe(
      'https://westeurope.azurecontainerapps.dev/subscriptions/s/resourceGroups/rg/containerApps/web/revisions/web--r1/replicas/web--r1-x/containers/web/logstream?follow=true&output=text&tailLines=50',
    );
    expect(logStreamUrl({ ...common, type: 'system', follow: false })).toBe(
      'https://westeurope.azurecontainerapps.dev/subscriptions/s/resourceGroups/rg/containerApps/web/eventstream?follow=false&output=json&tailLines=50',
    );
  });

  it('prints the last N console lines of the first running replica with the bearer token from getAuthtoken', async () => {
    const result = await logs({ ...globals({ env: 'test' }), name: 'cvat-server', tail: 2 }, runtime);
    expect(runtime.out()).toBe('[2026-01-02 10:00:01] INFO ready\nGET /api/server/about 200 "ok"\n');
    expect(result.data).toEqual({
      app: 'cvat-server',
      type: 'console',
      revision: 'cvat-server--r1',
      replica: 'cvat-server--r1-bbb',
      container: 'cvat-server',
      follow: false,
      tailLines: 2,
      lineCount: 2,
    });
    const [request] = streamRequests();
    expect(request!.query).toEqual({ follow: 'false', output: 'text', tailLines: '2' });
    expect(request!.headers.authorization).toBe('Bearer stream-token-1');
    expect(fake.requests.some((r) => r.method === 'POST' && r.path.endsWith('/cvat-server/getAuthtoken'))).toBe(true);
  });

  it('streams the replica asked for, and names the known replicas when it does not exist', async () => {
    await logs({ ...globals({ env: 'test' }), name: 'cvat-server', replica: 'cvat-server--r1-aaa' }, runtime);
    expect(runtime.out()).toBe('from aaa\n');
    const error = (await logs({ ...globals({ env: 'test' }), name: 'cvat-server', replica: 'nope' }, runtime).catch(
      (e: unknown) => e,
    )) as CliError;
    expect(error.exit).toBe(EXIT.NOT_FOUND);
    expect(error.message).toBe(
      "'--replica' (nope) is not a replica of revision cvat-server--r1; replicas: cvat-server--r1-aaa, cvat-server--r1-bbb.",
    );
  });

  it('suggests system logs when the revision has no replica', async () => {
    fake.replicas.set('opa/opa--r1', []);
    const error = (await logs({ ...globals({ env: 'test' }), name: 'opa' }, runtime).catch((e: unknown) => e)) as CliError;
    expect(error.exit).toBe(EXIT.NOT_FOUND);
    expect(error.message).toContain("Try '--type system'");
    expect(streamRequests()).toHaveLength(0);
  });

  it('streams system events from the eventstream endpoint as JSON lines', async () => {
    await logs({ ...globals({ env: 'test' }), name: 'cvat-server', type: 'system' }, runtime);
    expect(runtime.out()).toContain('"Reason":"ReplicaReady"');
    expect(streamRequests()[0]!.path).toBe(
      `/subscriptions/${TEST_SUBSCRIPTION}/resourceGroups/cvat-test-rg/containerApps/cvat-server/eventstream`,
    );
    expect(streamRequests()[0]!.query.output).toBe('json');
  });

  it('masks credentials in log lines: URL user info, secret-named parameters and the stream token itself', async () => {
    fake.logStreams.set('cvat-server', {
      console: {
        'cvat-server--r1/cvat-server--r1-bbb/cvat-server': [
          'OperationalError: could not connect to redis://:Sup3rSecretRedisPass@cvat-redis-inmem:6379/0',
          'GET /data?sig=9hV2x7qW3eR5tY8uI0oP1aS4dF6gH7jK&se=2026-12-04 200',
          'echoed stream-token-1 by mistake',
        ],
      },
      system: [],
    });
    await logs({ ...globals({ env: 'test' }), name: 'cvat-server' }, runtime);
    const out = runtime.out();
    expect(out).not.toContain('Sup3rSecretRedisPass');
    expect(out).not.toContain('9hV2x7qW3eR5tY8uI0oP1aS4dF6gH7jK');
    expect(out).not.toContain('stream-token-1');
    expect(out).toContain('cvat-redis-inmem:6379/0');
    expect(out.split('\n')).toHaveLength(4);
  });

  it('collects the lines into the result with --json', async () => {
    const result = await logs({ ...globals({ env: 'test', json: true }), name: 'cvat-server' }, runtime);
    expect(runtime.out()).toBe('');
    expect(result.data.lines).toEqual([
      '[2026-01-02 10:00:00] INFO boot',
      '[2026-01-02 10:00:01] INFO ready',
      'GET /api/server/about 200 "ok"',
    ]);
  });

  it('follows the stream until interrupted, then hangs up', async () => {
    const controller = new AbortController();
    const done = logs({ ...globals({ env: 'test' }), name: 'cvat-server', follow: true, tail: 1 }, runtime, { signal: controller.signal });
    await waitFor(() => runtime.out().includes('follow line 3'));
    controller.abort();
    const result = await done;
    expect(result.data.follow).toBe(true);
    expect(result.data.lineCount).toBeGreaterThanOrEqual(4);
    expect(runtime.out().startsWith('GET /api/server/about 200 "ok"\nfollow line 1\n')).toBe(true);
    expect(runtime.err()).toContain('streaming cvat-server cvat-server--r1/cvat-server--r1-bbb/cvat-server (Ctrl-C to stop)');
    expect(streamRequests()[0]!.query.follow).toBe('true');
    await waitFor(() => fake.openStreams === 0);
  });

  it('fails with exit 1 naming the HTTP status when the stream is refused', async () => {
    fake.logStreams.delete('cvat-server');
    const error = (await logs({ ...globals({ env: 'test' }), name: 'cvat-server' }, runtime).catch((e: unknown) => e)) as CliError;
    expect(error.exit).toBe(EXIT.FAILED);
    expect(error.message).toMatch(/^The log stream answered HTTP 404/);
  });

  it('rejects bad arguments: a tail over 300, replica selection for system logs, a job, an unknown app', async () => {
    expect(await runCli(['logs', 'cvat-server', '--env', 'test', '--tail', '500'], runtime).catch((e: CliError) => e.exit)).toBe(
      EXIT.USAGE,
    );
    expect(runtime.err()).toContain("'--tail' (500) must be an integer between 0 and 300.");
    await expect(logs({ ...globals({ env: 'test' }), name: 'cvat-server', type: 'system', replica: 'x' }, runtime)).rejects.toMatchObject({
      exit: EXIT.USAGE,
    });
    await expect(logs({ ...globals({ env: 'test' }), name: 'cvat-init' }, runtime)).rejects.toMatchObject({ exit: EXIT.USAGE });
    await expect(logs({ ...globals({ env: 'test' }), name: 'cvat-servr' }, runtime)).rejects.toMatchObject({ exit: EXIT.USAGE });
    expect(streamRequests()).toHaveLength(0);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * `cvat-ops status` against the fake ARM seeded from the catalogue, with an injected fetch for the health endpoint.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { status } from '../../src/commands/status';
import type { FetchLike } from '../../src/commands/status/health';
import { runCli } from '../../src/cli';
import { appSpecs, enabledComponents } from '@cvat-cloud/catalogue';
import { EXIT } from '@cvat-cloud/runtime';
import { renderView } from '../../src/output';
import { globals, testRuntime, type TestRuntime } from '../support/test-runtime';
import { makeTestRepo, seedFromCatalogue, TEST_SUBSCRIPTION, type TestRepo } from './support/catalogue-fixture';
import { FakeArmServer } from '@cvat-cloud/testing';

const WORKING = {
  DatabaseBackend: 'working',
  'Cache backend: default': 'working',
  'Cache backend: media': 'working',
  OPAHealthCheck: 'working',
};

function healthFetch(status: number, body: unknown, seen: string[] = []): FetchLike {
  return async (url) => {
    seen.push(url);
    return { status, text: async () => JSON.stringify(body) };
  };
}

describe('cvat-ops status', () => {
  let repo: TestRepo;
  let fake: FakeArmServer;
  let runtime: TestRuntime;
  beforeEach(async () => {
    repo = makeTestRepo();
    fake = await FakeArmServer.start({ subscriptionId: TEST_SUBSCRIPTION, resourceGroup: repo.resourceGroup, pageSize: 4 });
    seedFromCatalogue(fake, repo);
    runtime = testRuntime({ cwd: repo.dir, armEndpoint: fake.url });
  });
  afterEach(async () => {
    await fake.close();
    repo.remove();
  });

  it('reports every component healthy and the server health, exit 0', async () => {
    const seen: string[] = [];
    const result = await status(globals({ env: 'test' }), runtime, { fetch: healthFetch(200, WORKING, seen) });
    expect(result.exitCode).toBe(EXIT.OK);
    expect(result.data.healthy).toBe(true);
    expect(seen).toEqual(['https://cvat.test.example/api/server/health/?format=json']);
    const server = result.data.components.find((c) => c.name === 'cvat-server')!;
    expect(server).toMatchObject({
      exists: true,
      provisioningState: 'Succeeded',
      runningStatus: 'Running',
      activeRevisions: ['cvat-server--r1'],
      image: { expected: 'cvat/server:v2.73.0', matches: true },
    });
    expect(server.replicas).toEqual({ running: 1, desired: 1, min: 1, max: expect.any(Number) });
    expect(result.data.components.find((c) => c.name === 'cvat-init')).toMatchObject({
      resource: 'job',
      lastExecution: { name: 'cvat-init-exec1', status: 'Succeeded' },
      healthy: true,
    });
    expect(result.data.components.find((c) => c.name === 'edge')).toMatchObject({ resource: 'vm', exists: null });
    expect(result.data.serverHealth).toMatchObject({ checked: true, reachable: true, httpStatus: 200, healthy: true, failing: [] });
    // Every deployed component of the catalogue: its apps and jobs (the edge VM is listed, not checked here).
    expect(renderView(result.view)).toContain(`All ${appSpecs(repo.catalogue, repo.config).length} components healthy.`);
  });

  it('exits 1 and names each problem: missing app, wrong image, too few replicas, stopped app, failed init job', async () => {
    fake.apps.delete('opa');
    (fake.apps.get('cvat-ui')!.properties.template as { containers: { image: string }[] }).containers[0]!.image = 'cvat/ui:v2.72.0';
    fake.replicas.set('cvat-server/cvat-server--r1', []);
    fake.apps.get('vector')!.properties.runningStatus = 'Stopped';
    fake.addJob('cvat-init', fake.jobs.get('cvat-init')!.properties, [
      { name: 'cvat-init-old', status: 'Succeeded', startTime: '2026-01-01T10:00:00Z' },
      { name: 'cvat-init-new', status: 'Failed', startTime: '2026-01-03T10:00:00Z' },
    ]);
    const result = await status(globals({ env: 'test' }), runtime, { fetch: healthFetch(200, WORKING) });
    expect(result.exitCode).toBe(EXIT.FAILED);
    const problems = Object.fromEntries(result.data.components.filter((c) => !c.healthy).map((c) => [c.name, c.problems]));
    expect(Object.keys(problems).sort()).toEqual(['cvat-init', 'cvat-server', 'cvat-ui', 'opa', 'vector']);
    expect(problems.opa).toEqual(["opa: does not exist in Azure; deploy it with 'npx nx run infra:deploy -- --env test'"]);
    expect(problems['cvat-ui']![0]).toContain('runs image cvat/ui:v2.72.0, the catalogue says cvat/ui:v2.73.0');
    expect(problems['cvat-server']![0]).toContain('cvat-server: 0 replica(s) running, minimum is 1');
    expect(problems.vector).toEqual(['vector: running status is Stopped (expected Running)']);
    expect(problems['cvat-init']).toEqual([
      'cvat-init: last execution cvat-init-new ended Failed; see its logs in Log Analytics (ContainerAppConsoleLogs_CL)',
    ]);
  });

  it('exits 1 when the server health endpoint answers 500, naming the failing checks', async () => {
    const result = await status(globals({ env: 'test' }), runtime, {
      fetch: healthFetch(500, { ...WORKING, OPAHealthCheck: 'unavailable: bundle not loaded' }),
    });
    expect(result.exitCode).toBe(EXIT.FAILED);
    expect(result.data.serverHealth).toMatchObject({ reachable: true, httpStatus: 500, healthy: false, failing: ['OPAHealthCheck'] });
    expect(renderView(result.view)).toContain('server health: HTTP 500, failing: OPAHealthCheck');
  });

  it('reports an unreachable edge without counting it as unhealthy', async () => {
    const unreachable: FetchLike = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
    };
    const result = await status(globals({ env: 'test' }), runtime, { fetch: unreachable });
    expect(result.data.serverHealth).toEqual({
      checked: true,
      url: 'https://cvat.test.example/api/server/health/?format=json',
      reachable: false,
      error: 'ENOTFOUND',
    });
    expect(result.exitCode).toBe(EXIT.OK);
  });

  it('skips the health check with --no-health and lists live apps the catalogue does not know', async () => {
    fake.addApp('hello-world');
    let called = false;
    const result = await status({ ...globals({ env: 'test' }), noHealth: true }, runtime, {
      fetch: async () => {
        called = true;
        return { status: 200, text: async () => '{}' };
      },
    });
    expect(called).toBe(false);
    expect(result.data.serverHealth).toEqual({ checked: false, reason: '--no-health' });
    expect(result.data.notInCatalogue).toEqual(['hello-world']);
  });

  it('prints JSON through the CLI and exits 1 when unhealthy', async () => {
    fake.apps.delete('cvat-ui');
    const code = await runCli(['status', '--env', 'test', '--json', '--no-health'], runtime);
    expect(code).toBe(EXIT.FAILED);
    const data = JSON.parse(runtime.out()) as {
      healthy: boolean;
      resourceGroup: string;
      components: { name: string; exists: boolean | null }[];
    };
    expect(data.healthy).toBe(false);
    expect(data.resourceGroup).toBe('cvat-test-rg');
    expect(data.components.find((c) => c.name === 'cvat-ui')?.exists).toBe(false);
  });

  it('writes the JSON result to CVAT_OPS_OUTPUT while stdout shows the table (the status is unhealthy: exit 1)', async () => {
    fake.apps.delete('cvat-ui');
    const rt = testRuntime({ cwd: repo.dir, armEndpoint: fake.url, env: { CVAT_OPS_OUTPUT: 'status.json' } });
    expect(await runCli(['status', '--env', 'test', '--no-health'], rt)).toBe(EXIT.FAILED);
    expect(rt.out()).toMatch(/^Resource group cvat-test-rg \(environment test\)\nCOMPONENT/);
    const data = JSON.parse(readFileSync(join(repo.dir, 'status.json'), 'utf8')) as {
      healthy: boolean;
      components: { name: string; exists: boolean | null }[];
    };
    expect(data.healthy).toBe(false);
    expect(data.components.find((c) => c.name === 'cvat-ui')?.exists).toBe(false);
    expect(data.components.map((c) => c.name).sort()).toEqual(
      enabledComponents(repo.catalogue)
        .map((c) => c.name)
        .sort(),
    );
  });

  it('maps a missing resource group to exit 6 naming it', async () => {
    const code = await runCli(['status', '--env', 'test', '--resource-group', 'rg-nope', '--no-health'], runtime).catch(
      (e: { exit: number; message: string }) => {
        expect(e.message).toContain("listing container apps and jobs in resource group 'rg-nope' failed: 404 ResourceGroupNotFound");
        return e.exit;
      },
    );
    expect(code).toBe(EXIT.NOT_FOUND);
  });
});

/**
 * `cvat-ops apps delete` against the loopback fake ARM seeded from the test environment's catalogue.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appsDelete } from '../../src/commands/apps';
import { runCli } from '../../src/cli';
import { EXIT, CliError } from '@cvat-cloud/runtime';
import { globals, testRuntime, type TestRuntime } from '../support/test-runtime';
import { makeTestRepo, seedFromCatalogue, TEST_SUBSCRIPTION, type TestRepo } from './support/catalogue-fixture';
import { FakeArmServer, closedLoopbackPort } from '@cvat-cloud/testing';

/**
 * Every enabled catalogue container app and job of the test environment, in the order `--all` deletes them
 * (grafana, disabled here and not deployed, is named in a note, not listed: see its own test).
 */
const ALL_IN_DESTROY_ORDER = [
  'cvat-ui',
  'cvat-job-consensus', // event-driven queue runners: they depend on the server's database and Redis
  'cvat-job-quality-reports',
  'cvat-job-annotation',
  'cvat-job-export',
  'cvat-job-import',
  'cvat-worker-utils', // also serves chunks, in an RQ worker process of its own
  'opa', // depends on cvat-server (its readiness needs the server's policy bundle)
  'cvat-server',
  'cvat-init',
  'vector',
  'clickhouse',
  'cvat-redis-ondisk',
  'cvat-redis-inmem',
];
/** Catalogue components disabled in the test environment (the always-on workers the queue runners replace, grafana). */
const DISABLED = [
  'cvat-worker-import',
  'cvat-worker-export',
  'cvat-worker-annotation',
  'cvat-worker-webhooks',
  'cvat-worker-quality-reports',
  'cvat-worker-chunks',
  'cvat-worker-consensus',
  'grafana',
];
const isJob = (name: string): boolean => name === 'cvat-init' || name.startsWith('cvat-job-');

describe('cvat-ops apps delete', () => {
  let repo: TestRepo;
  let fake: FakeArmServer;
  let runtime: TestRuntime;
  beforeEach(async () => {
    repo = makeTestRepo();
    fake = await FakeArmServer.start({ subscriptionId: TEST_SUBSCRIPTION, resourceGroup: repo.resourceGroup, pageSize: 5 });
    seedFromCatalogue(fake, repo);
    runtime = testRuntime({ cwd: repo.dir, armEndpoint: fake.url });
  });
  afterEach(async () => {
    await fake.close();
    repo.remove();
  });
  const deps = { pollIntervalMs: 5 };

  it('deletes everything else in reverse dependency order when one delete fails, and reports every outcome', async () => {
    fake.failDelete('cvat-server', { status: 409, code: 'Conflict', message: 'Another operation is in progress on cvat-server.' });
    const result = await appsDelete({ ...globals({ env: 'test', yes: true }), all: true }, runtime, deps);

    expect(result.exitCode).toBe(EXIT.FAILED);
    expect(
      result.data.results.map(({ name, resource, outcome, reason }) => ({ name, resource, outcome, ...(reason ? { reason } : {}) })),
    ).toEqual(
      ALL_IN_DESTROY_ORDER.map((name) => ({
        name,
        resource: isJob(name) ? 'job' : 'containerApp',
        outcome: name === 'cvat-server' ? 'failed' : 'deleted',
        ...(name === 'cvat-server' ? { reason: '409 Conflict: Another operation is in progress on cvat-server' } : {}),
      })),
    );
    expect(result.data.summary).toEqual({ deleted: 13, notFound: 0, failed: 1, planned: 0 });
    expect(result.data.notDeployed).toEqual(DISABLED);
    // DELETEs went out one by one in destroy order, and each finished before the next started
    const order = fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.path.split('/').pop());
    expect(order).toEqual(ALL_IN_DESTROY_ORDER);
    expect(fake.deleted).toEqual(ALL_IN_DESTROY_ORDER.filter((n) => n !== 'cvat-server'));
    expect([...fake.apps.keys()]).toEqual(['cvat-server']);
    expect([...fake.jobs.keys()]).toEqual([]);
    const lines = result.view.flatMap((b) => (b.kind === 'lines' ? b.lines : []));
    expect(lines).toContain('13 deleted, 0 not found (already gone), 1 failed.');
    expect(lines).toContain(`Disabled in this environment and not deployed, nothing to delete: ${DISABLED.join(', ')}.`);
    expect(JSON.stringify(result.view)).not.toContain('grafana: not found');
    expect(lines.some((l) => l.startsWith('Not deleted: cvat-server.') && l.includes('cvat-ops apps delete --all --env test --yes'))).toBe(
      true,
    );
  });

  it('shows progress lines on stderr while a long-running delete is polled', async () => {
    await fake.close();
    fake = await FakeArmServer.start({ subscriptionId: TEST_SUBSCRIPTION, resourceGroup: repo.resourceGroup, deletePolls: 2 });
    seedFromCatalogue(fake, repo);
    runtime = testRuntime({ cwd: repo.dir, armEndpoint: fake.url });
    let t = 0;
    const result = await appsDelete({ ...globals({ env: 'test', yes: true }), names: ['cvat-ui'] }, runtime, {
      pollIntervalMs: 5,
      now: () => (t += 1000),
    });
    expect(result.exitCode).toBe(EXIT.OK);
    const err = runtime.err().split('\n').filter(Boolean);
    expect(err[0]).toBe('deleting cvat-ui (container app)…');
    expect(err.filter((l) => l.startsWith('  cvat-ui: still deleting ('))).toHaveLength(2);
    expect(err.at(-1)).toMatch(/^ {2}cvat-ui: deleted \(\d+ s\)$/);
  });

  it('reports a delete whose operation ends Failed with the operation error', async () => {
    fake.failDelete('opa', { asyncFailure: 'Container app opa is locked by a pending environment update.' });
    const result = await appsDelete({ ...globals({ env: 'test', yes: true }), names: ['opa'] }, runtime, deps);
    expect(result.exitCode).toBe(EXIT.FAILED);
    expect(result.data.results).toEqual([
      expect.objectContaining({
        name: 'opa',
        outcome: 'failed',
        reason: expect.stringContaining('locked by a pending environment update'),
      }),
    ]);
  });

  it('reports apps that are already gone without sending a DELETE', async () => {
    fake.apps.delete('cvat-ui');
    const result = await appsDelete({ ...globals({ env: 'test', yes: true }), names: ['cvat-ui', 'opa'] }, runtime, deps);
    expect(result.data.results.map((r) => [r.name, r.outcome])).toEqual([
      ['cvat-ui', 'not-found'],
      ['opa', 'deleted'],
    ]);
    expect(fake.requestsTo('DELETE', '/cvat-ui')).toHaveLength(0);
    expect(result.exitCode).toBe(EXIT.OK);
  });

  it('with --dry-run prints the plan and sends no DELETE', async () => {
    const result = await appsDelete({ ...globals({ env: 'test', dryRun: true }), all: true }, runtime, deps);
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
    expect(fake.apps.size + fake.jobs.size).toBe(14);
    expect(result.data.results.map((r) => r.outcome)).toEqual(ALL_IN_DESTROY_ORDER.map(() => 'planned'));
    expect(result.data.results.some((r) => r.name === 'grafana')).toBe(false);
    expect(result.exitCode).toBe(EXIT.OK);
  });

  it('--all deletes a disabled component that is still deployed (a leftover), first, and lists it', async () => {
    fake.addApp('grafana');
    const result = await appsDelete({ ...globals({ env: 'test', yes: true }), all: true }, runtime, deps);
    expect(result.data.results[0]).toMatchObject({ name: 'grafana', outcome: 'deleted' });
    expect(result.data.notDeployed).toEqual(DISABLED.filter((n) => n !== 'grafana'));
    expect(fake.deleted[0]).toBe('grafana');
    expect(result.exitCode).toBe(EXIT.OK);
  });

  it('refuses without --yes in a non-interactive shell, exit 3, nothing deleted', async () => {
    const error = await appsDelete({ ...globals({ env: 'test' }), all: true }, runtime, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exit).toBe(EXIT.REFUSED);
    expect((error as CliError).message).toContain('cvat-ops apps delete --all --env test --yes');
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
  });

  it('with --yes and ARM unreachable, stops at the first read (exit 7) instead of retrying a delete of every app', async () => {
    const port = await closedLoopbackPort();
    const offline = testRuntime({ cwd: repo.dir, armEndpoint: `http://127.0.0.1:${port}`, env: { CVAT_OPS_ARM_MAX_RETRIES: '0' } });
    const error = await appsDelete({ ...globals({ env: 'test', yes: true }), all: true }, offline, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exit).toBe(EXIT.UNAVAILABLE);
    expect((error as CliError).message).toMatch(
      /^reading \S+ in '\S+' failed: .*Nothing was deleted; check the network and CVAT_OPS_ARM_ENDPOINT/,
    );
    expect(offline.err()).not.toContain('deleting');
  });

  it('rejects unknown component names with exit 2, listing the valid ones, before touching Azure', async () => {
    const error = (await appsDelete(
      { ...globals({ env: 'test', yes: true }), names: ['cvat-ui', 'cvat_server', 'edge'] },
      runtime,
      deps,
    ).catch((e: unknown) => e)) as CliError;
    expect(error.exit).toBe(EXIT.USAGE);
    expect(error.message).toContain("Unknown components 'cvat_server', 'edge'");
    expect(error.message).toContain("'edge' is the edge VM");
    expect(error.message).toContain('Valid names: cvat-redis-inmem, cvat-redis-ondisk, clickhouse, vector, opa, cvat-init, cvat-server,');
    expect(fake.requests).toHaveLength(0);
  });

  it('needs names or --all, not neither and not both', async () => {
    await expect(appsDelete({ ...globals({ env: 'test' }) }, runtime, deps)).rejects.toMatchObject({ exit: EXIT.USAGE });
    await expect(appsDelete({ ...globals({ env: 'test' }), names: ['opa'], all: true }, runtime, deps)).rejects.toMatchObject({
      exit: EXIT.USAGE,
    });
  });

  it('runs through the CLI: non-TTY without --yes exits 3 and sends no DELETE', async () => {
    const code = await runCli(['apps', 'delete', 'opa', '--env', 'test'], runtime).catch((e: CliError) => e.exit);
    expect(code).toBe(EXIT.REFUSED);
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
  });

  it('runs through the CLI with --json and exits 1 on a partial failure', async () => {
    fake.failDelete('opa', { status: 409, code: 'Conflict', message: 'busy' });
    fake.deletePolls = 0; // the CLI polls at its default interval: let the operation finish on the first poll
    const code = await runCli(['apps', 'delete', 'opa', 'cvat-ui', '--env', 'test', '--yes', '--json'], runtime);
    expect(code).toBe(EXIT.FAILED);
    const data = JSON.parse(runtime.out()) as { results: { name: string; outcome: string }[] };
    expect(data.results.map((r) => `${r.name}:${r.outcome}`)).toEqual(['cvat-ui:deleted', 'opa:failed']);
  });
});

/** Cleanup in every ending of a run: interrupted, --keep, a failed delete, objects the run never registered. */
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli';
import { EXIT } from '@cvat-cloud/runtime';
import { exitCodeFor } from '../src/suite';
import { renderTable } from '../src/report/table';
import { CvatStandIn } from './support/cvat-stand-in';
import { runAgainst } from './support/fast';
import { captureIo } from './support/io';

const EMPTY = { tasks: [], projects: [], webhooks: [], users: [], orphanJobs: [] };

describe('a run that ends early or cannot clean up', () => {
  let standIn: CvatStandIn | undefined;
  afterEach(async () => {
    await standIn?.stop();
    standIn = undefined;
  });

  it('aborts running checks, starts no more, and still deletes what it created, when interrupted during the import', async () => {
    const interrupt = new AbortController();
    standIn = await CvatStandIn.start({
      latency: { jobMs: { import: 5000 } },
      onRequest: (method, path) => {
        if (method === 'POST' && /^\/api\/tasks\/\d+\/data\/$/.test(path)) setTimeout(() => interrupt.abort(), 20);
      },
    });
    const result = await runAgainst(standIn, { signal: interrupt.signal });
    const of = (id: string) => result.checks.find((c) => c.id === id)?.status;
    expect(result.interrupted).toBe(true);
    expect(exitCodeFor(result)).toBe(EXIT.INTERRUPTED);
    expect(of('import.task-data')).toBe('aborted');
    expect(of('export.dataset')).toBe('aborted');
    expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(result.cleanup.deleted.length).toBeGreaterThan(0);
    expect(standIn.inventory()).toEqual(EMPTY);
    expect(standIn.violations).toEqual([]);
  });

  it('leaves every object in place, named with the run id, with --keep; --cleanup <run-id> --yes removes them later', async () => {
    standIn = await CvatStandIn.start();
    const result = await runAgainst(standIn, { keep: true, only: ['webhooks.delivery'] });
    expect(result.ok).toBe(true);
    const left = standIn.inventory();
    const names = [
      ...left.tasks.map((t) => t.name),
      ...left.projects.map((p) => p.name),
      ...left.webhooks.map((w) => w.description),
      ...left.users.map((u) => u.username),
    ];
    expect(names.length).toBe(6); // 2 users, the authz task, the webhooks project, its webhook and its event task
    for (const name of names) expect(name).toContain(result.runId);
    expect(result.cleanup.kept.map((r) => r.name).sort()).toEqual([...names].sort());
    expect(renderTable(result)).toContain(`Cleanup: --keep, left 6 object(s) in place:`);

    const dry = captureIo({ CVAT_PASSWORD: standIn.superuser.password });
    expect(await main(['--url', standIn.url, '--username', 'admin', '--cleanup', result.runId, '--dry-run'], dry.io)).toBe(EXIT.OK);
    expect(dry.stdout()).toContain('Would delete 6 object(s):');
    expect(standIn.inventory()).toEqual(left);

    const real = captureIo({ CVAT_PASSWORD: standIn.superuser.password });
    expect(await main(['--url', standIn.url, '--username', 'admin', '--cleanup', result.runId, '--yes'], real.io)).toBe(EXIT.OK);
    expect(real.stdout()).toContain('Cleanup: deleted 6 object(s) (6 found by the run-id search); nothing left behind.');
    expect(standIn.inventory()).toEqual(EMPTY);
  });

  it('finds and deletes objects carrying the run id that were never registered', async () => {
    standIn = await CvatStandIn.start();
    const runId = '20260101-000000-beef';
    const auth = `Basic ${Buffer.from(`${standIn.superuser.username}:${standIn.superuser.password}`).toString('base64')}`;
    const res = await fetch(`${standIn.url}/api/tasks`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `smoke-${runId}-lost`, labels: [{ name: 'car' }] }),
    });
    expect(res.status).toBe(201);
    const result = await runAgainst(standIn, { runId, only: ['server.about'] });
    expect(result.cleanup.found.map((r) => r.name)).toEqual([`smoke-${runId}-lost`]);
    expect(standIn.inventory()).toEqual(EMPTY);
  });

  it('reports exactly what is left and exits 3, when the deployment refuses to delete', async () => {
    standIn = await CvatStandIn.start({ faults: { bursts: [{ method: 'DELETE', path: /^\/api\/tasks\/\d+$/, status: 500, count: 100 }] } });
    const result = await runAgainst(standIn, { only: ['opa.authz'] });
    expect(result.checks.every((c) => c.status === 'pass')).toBe(true);
    expect(exitCodeFor(result)).toBe(EXIT.INCOMPLETE);
    const task = standIn.inventory().tasks[0];
    expect(result.cleanup.failed).toEqual([{ resource: { kind: 'task', id: task.id, name: task.name }, error: 'DELETE answered 500' }]);
    expect(renderTable(result)).toContain(
      `Cleanup INCOMPLETE: deleted 2, could not delete 1:\n  task ${task.id} (${task.name}): DELETE answered 500`,
    );
  });
});

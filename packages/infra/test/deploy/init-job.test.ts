import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from './support/temp-dir';
import { initJobNeeded, readInitJobState, runInitJob, writeInitJobState } from '../../src/deploy/init-job';
import { type FakeArmServer, fakeArmClient, type FakeJobScript, startFakeArm } from './support/fake-arm';

const SUB = '00000000-0000-0000-0000-000000000001';
const servers: FakeArmServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

async function clientFor(jobs: Record<string, FakeJobScript>): Promise<{ server: FakeArmServer; client: ContainerAppsAPIClient }> {
  const server = await startFakeArm(jobs, { subscriptionId: SUB, resourceGroup: 'cvat-dev-rg' });
  servers.push(server);
  return { server, client: fakeArmClient(server) };
}

describe('runInitJob against a loopback fake ARM server', () => {
  it('starts one execution and polls it until it succeeds, reporting its duration', async () => {
    const { server, client } = await clientFor({ 'cvat-init': { statuses: ['Running', 'Running', 'Succeeded'] } });
    const sleeps: number[] = [];
    const lines: string[] = [];
    const outcome = await runInitJob(client, {
      resourceGroup: 'cvat-dev-rg',
      jobName: 'cvat-init',
      pollIntervalMs: 5,
      sleep: async (ms) => void sleeps.push(ms),
      log: (l) => lines.push(l),
    });
    expect(outcome).toEqual({
      executionName: 'cvat-init-exec1',
      status: 'Succeeded',
      startTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      endTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      durationSeconds: Math.round((Date.parse(outcome.endTime!) - Date.parse(outcome.startTime!)) / 1000),
    });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /subscriptions/${SUB}/resourceGroups/cvat-dev-rg/providers/Microsoft.App/jobs/cvat-init/start`,
      ...Array(3).fill(
        `GET /subscriptions/${SUB}/resourceGroups/cvat-dev-rg/providers/Microsoft.App/jobs/cvat-init/executions/cvat-init-exec1`,
      ),
    ]);
    expect(server.requests.every((r) => r.query['api-version'] === '2025-07-01')).toBe(true);
    expect(sleeps).toEqual([5, 5]);
    expect(lines).toEqual([
      'init job: execution cvat-init-exec1 started',
      'init job: cvat-init-exec1 is Running',
      'init job: cvat-init-exec1 is Succeeded',
    ]);
  });

  it('follows a 202 long-running start operation to its execution name', async () => {
    const { server, client } = await clientFor({ 'cvat-init': { statuses: ['Succeeded'], asyncStart: true } });
    const outcome = await runInitJob(client, {
      resourceGroup: 'cvat-dev-rg',
      jobName: 'cvat-init',
      pollIntervalMs: 1,
      sleep: async () => undefined,
    });
    expect(outcome.executionName).toBe('cvat-init-exec1');
    expect(server.requests.some((r) => /\/containerappOperationResults\//i.test(r.path))).toBe(true);
  });

  it.each(['Failed', 'Stopped', 'Degraded'])('returns the terminal state %s instead of waiting forever', async (status) => {
    const { client } = await clientFor({ 'cvat-init': { statuses: ['Running', status] } });
    const outcome = await runInitJob(client, {
      resourceGroup: 'cvat-dev-rg',
      jobName: 'cvat-init',
      pollIntervalMs: 1,
      sleep: async () => undefined,
    });
    expect(outcome.status).toBe(status);
  });

  it('fails with the job and resource group named when the job does not exist', async () => {
    const { client } = await clientFor({});
    await expect(
      runInitJob(client, { resourceGroup: 'cvat-dev-rg', jobName: 'cvat-init', pollIntervalMs: 1, sleep: async () => undefined }),
    ).rejects.toThrow(/could not start job 'cvat-init' in resource group 'cvat-dev-rg': .*was not found/);
  });

  it('gives up after the timeout, saying the execution keeps running and how to follow it', async () => {
    const { client } = await clientFor({ 'cvat-init': { statuses: ['Running'] } });
    let now = 0;
    const error = await runInitJob(client, {
      resourceGroup: 'cvat-dev-rg',
      jobName: 'cvat-init',
      pollIntervalMs: 1000,
      timeoutMs: 3000,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    }).then(
      () => undefined,
      (e: unknown) => e as Error & { step?: string },
    );
    if (!error) throw new Error('expected runInitJob to time out');
    expect(error.message).toContain('is still Running after 3 s; it keeps running in Azure');
    expect(error.message).toContain('az containerapp job execution show -g cvat-dev-rg -n cvat-init --job-execution-name cvat-init-exec1');
    expect(error.step).toBe('init-job');
  });
});

describe('init job bookkeeping', () => {
  const current = { cvatVersion: 'v2.73.0', image: 'cvat/server:v2.73.0' };

  it('runs when nothing is recorded, when the CVAT version or the image changed, and not otherwise', () => {
    expect(initJobNeeded(undefined, current)).toEqual({ needed: true, reason: 'no successful init run recorded yet' });
    const recorded = { ...current, executionName: 'cvat-init-x', finishedAt: '2026-11-28T10:00:00Z' };
    expect(initJobNeeded(recorded, current).needed).toBe(false);
    expect(initJobNeeded({ ...recorded, cvatVersion: 'v2.72.0' }, current)).toEqual({
      needed: true,
      reason: 'CVAT version changed v2.72.0 → v2.73.0',
    });
    expect(initJobNeeded({ ...recorded, image: 'cvat/server:v2.73.0-hotfix' }, current).reason).toBe(
      'init image changed cvat/server:v2.73.0-hotfix → cvat/server:v2.73.0',
    );
  });

  it('round-trips the state file and rejects a corrupt one with the fix in the message', () => {
    const dir = makeTempDir('cvat-init-state-');
    dirs.push(dir);
    const file = join(dir, 'nested', 'dev.init.json');
    expect(readInitJobState(file)).toBeUndefined();
    writeInitJobState(file, { ...current, executionName: 'e1', finishedAt: '2026-11-28T10:01:30.000Z' });
    expect(readInitJobState(file)).toEqual({ ...current, executionName: 'e1', finishedAt: '2026-11-28T10:01:30.000Z' });
    expect(JSON.parse(readFileSync(file, 'utf8')).cvatVersion).toBe('v2.73.0');
    writeFileSync(file, '{ not json');
    expect(() => readInitJobState(file)).toThrow(/is not valid JSON .*delete it to make the next deploy run the init job/);
    writeFileSync(file, JSON.stringify({ cvatVersion: 2 }));
    expect(() => readInitJobState(file)).toThrow("'cvatVersion' and 'image' must be strings");
    const withSuperuser = {
      ...current,
      executionName: 'e1',
      finishedAt: 'x',
      superuser: { username: 'admin', executionName: 'e2', finishedAt: 'y' },
    };
    writeInitJobState(file, withSuperuser);
    expect(readInitJobState(file)).toEqual(withSuperuser);
    writeFileSync(file, JSON.stringify({ ...withSuperuser, superuser: { username: 7 } }));
    expect(() => readInitJobState(file)).toThrow("'superuser.username' must be a string; delete the 'superuser' entry");
  });
});

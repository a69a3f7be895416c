/**
 * The ARM client as cvat-ops builds it (src/azure/aca-client.ts), against the loopback fake: paging, 404, 429 with
 * Retry-After (retried by the SDK pipeline, not by us), long-running delete, 409.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAcaClient } from '../../src/azure/aca-client';
import { getContainerApp, listContainerApps, listReplicas, activeRevisions } from '../../src/azure/live-state';
import { testRuntime } from '../support/test-runtime';
import { armReason, isNotFound } from '@cvat-cloud/runtime';
import { FakeArmServer } from '@cvat-cloud/testing';

describe('the Container Apps ARM client against a loopback fake', () => {
  let fake: FakeArmServer;
  beforeEach(async () => {
    fake = await FakeArmServer.start({ pageSize: 2 });
  });
  afterEach(async () => {
    await fake.close();
  });
  const client = () => createAcaClient(testRuntime({ armEndpoint: fake.url }), fake.subscriptionId);

  it('follows nextLink until every page of container apps is read', async () => {
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) fake.addApp(name);
    const apps = await listContainerApps(await client(), fake.resourceGroup);
    expect(apps.map((a) => a.name)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    const lists = fake.requests.filter((r) => r.method === 'GET' && /\/containerApps$/i.test(r.path));
    expect(lists.map((r) => r.query.$skiptoken ?? '0')).toEqual(['0', '2', '4']);
    expect(lists.every((r) => r.query['api-version'] === '2025-07-01')).toBe(true);
  });

  it('reads the flattened model: states, latest revision, event stream endpoint, no properties key', async () => {
    fake.addApp('cvat-server', { runningStatus: 'Stopped' });
    const app = await getContainerApp(await client(), fake.resourceGroup, 'cvat-server');
    expect(app).toMatchObject({
      name: 'cvat-server',
      provisioningState: 'Succeeded',
      runningStatus: 'Stopped',
      latestRevisionName: 'cvat-server--r1',
    });
    expect(app?.eventStreamEndpoint).toBe(
      `${fake.url}/subscriptions/${fake.subscriptionId}/resourceGroups/${fake.resourceGroup}/containerApps/cvat-server/eventstream`,
    );
    expect(app).not.toHaveProperty('properties');
  });

  it('turns a 404 ResourceNotFound into undefined, and keeps the ARM code on the error', async () => {
    const c = await client();
    expect(await getContainerApp(c, fake.resourceGroup, 'missing')).toBeUndefined();
    const error = await c.containerApps.get(fake.resourceGroup, 'missing').catch((e: unknown) => e);
    expect(isNotFound(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
  });

  it('waits for Retry-After on a 429 and retries in the SDK pipeline', async () => {
    fake.addApp('opa');
    fake.throttle((r) => r.method === 'GET' && r.path.endsWith('/containerApps/opa'), { times: 1, retryAfterSeconds: 1 });
    const app = await getContainerApp(await client(), fake.resourceGroup, 'opa');
    expect(app?.name).toBe('opa');
    const gets = fake.requests.filter((r) => r.path.endsWith('/containerApps/opa'));
    expect(gets).toHaveLength(2);
    expect(gets[1]!.at - gets[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('gives up after the configured retries when ARM keeps throttling', async () => {
    fake.addApp('opa');
    fake.throttle((r) => r.path.endsWith('/containerApps/opa'), { times: 10, retryAfterSeconds: 0 });
    const runtime = testRuntime({ armEndpoint: fake.url, env: { CVAT_OPS_ARM_MAX_RETRIES: '2' } });
    const c = await createAcaClient(runtime, fake.subscriptionId);
    const error = await c.containerApps.get(fake.resourceGroup, 'opa').catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 429 });
    expect(fake.requests.filter((r) => r.path.endsWith('/containerApps/opa'))).toHaveLength(3);
  });

  it('polls a long-running delete (202 + Azure-AsyncOperation) until it succeeds', async () => {
    fake = await restart(fake, { deletePolls: 2 });
    fake.addApp('cvat-ui');
    const c = await client();
    const poller = await c.containerApps.beginDelete(fake.resourceGroup, 'cvat-ui', { updateIntervalInMs: 5 });
    await poller.pollUntilDone();
    expect(fake.deleted).toEqual(['cvat-ui']);
    expect(fake.requestsTo('DELETE', '/containerApps/cvat-ui')).toHaveLength(1);
    expect(fake.requestsTo('GET', '/containerappOperationStatuses/')).toHaveLength(3);
  });

  it('reports a 409 Conflict on delete with its status, code and message', async () => {
    fake.addApp('cvat-server');
    fake.failDelete('cvat-server', { status: 409, code: 'Conflict', message: 'Another operation is in progress on cvat-server.' });
    const c = await client();
    const error = await c.containerApps.beginDelete(fake.resourceGroup, 'cvat-server', { updateIntervalInMs: 5 }).catch((e: unknown) => e);
    expect(armReason(error)).toBe('409 Conflict: Another operation is in progress on cvat-server');
    expect(fake.apps.has('cvat-server')).toBe(true);
  });

  it('lists the active revision and its replicas, calling getAuthtoken with a lower-case t', async () => {
    fake.addApp('cvat-server', {}, { replicaCount: 2 });
    fake.addRevision('cvat-server', 'cvat-server--old', { active: false });
    const c = await client();
    const active = await activeRevisions(c, fake.resourceGroup, 'cvat-server');
    expect(active.map((r) => r.name)).toEqual(['cvat-server--r1']);
    const replicas = await listReplicas(c, fake.resourceGroup, 'cvat-server', 'cvat-server--r1');
    expect(replicas.map((r) => r.name)).toEqual(['cvat-server--r1-replica-0', 'cvat-server--r1-replica-1']);
    const token = await c.containerApps.getAuthToken(fake.resourceGroup, 'cvat-server');
    expect(token.token).toBe(fake.logStreamToken);
    expect(fake.requests.some((r) => r.method === 'POST' && r.path.endsWith('/getAuthtoken'))).toBe(true);
  });
});

/** Replaces the fake with one started with other options (the afterEach closes the new one). */
async function restart(fake: FakeArmServer, options: Parameters<typeof FakeArmServer.start>[0]): Promise<FakeArmServer> {
  await fake.close();
  return FakeArmServer.start(options);
}

/**
 * The CVAT stand-in reproduces what a CVAT v2.73.0 server does on the edges the suite depends on (each case
 * cites the upstream code it follows), and the suite gives the right verdict when the stand-in simulates it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CvatClient, type Credentials } from '../src/http/client';
import { CvatStandIn } from './support/cvat-stand-in';
import { runAgainst } from './support/fast';

let standIn: CvatStandIn | undefined;
let client: CvatClient | undefined;

afterEach(async () => {
  await client?.close();
  await standIn?.stop();
  client = undefined;
  standIn = undefined;
});

async function start(options: Parameters<typeof CvatStandIn.start>[0] = {}): Promise<{ s: CvatStandIn; c: CvatClient; admin: Credentials }> {
  standIn = await CvatStandIn.start(options);
  client = new CvatClient({ baseUrl: standIn.url, retry: { maxRetries: 0 } });
  return { s: standIn, c: client, admin: { kind: 'basic', ...standIn.superuser } };
}

function reasonOf(result: Awaited<ReturnType<typeof runAgainst>>, id: string): string {
  return result.checks.find((c) => c.id === id)?.reason ?? '';
}

describe('POST /api/events (cvat/apps/events/serializers.py@v2.73.0 ClientEventsSerializer)', () => {
  const now = new Date().toISOString();

  it('answers 400 naming the scope and the source for any source but "client"', async () => {
    const { c, admin } = await start();
    const res = await c.request('POST', '/api/events', {
      auth: admin,
      json: { timestamp: now, events: [{ scope: 'load:cvat', timestamp: now, source: 'smoke-tests', payload: '{}' }] },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ scope: ['Event scope **load:cvat** is not allowed from smoke-tests'] });
  });

  it('accepts a client scope without a source (it defaults to "client"), and refuses a payload that is not JSON', async () => {
    const { c, admin } = await start();
    const ok = await c.request('POST', '/api/events', { auth: admin, json: { timestamp: now, events: [{ scope: 'load:cvat', timestamp: now, payload: '{"a":1}' }] } });
    expect(ok.status).toBe(201);
    const bad = await c.request('POST', '/api/events', { auth: admin, json: { timestamp: now, events: [{ scope: 'load:cvat', timestamp: now, payload: 'not json' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ payload: ['JSON payload is not valid in passed event'] });
  });

  it('the analytics check sends an event the serializer accepts, and finds it in the export', async () => {
    const { s } = await start();
    const result = await runAgainst(s, { only: ['analytics.events'] });
    expect(result.checks.find((r) => r.id === 'analytics.events')?.status).toBe('pass');
    expect(s.log.filter((e) => e.path === '/api/events')).toEqual([{ method: 'POST', path: '/api/events', status: 201 }]);
    expect(reasonOf(result, 'analytics.events')).toBe('');
  });
});

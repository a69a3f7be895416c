/**
 * The CVAT stand-in reproduces what a CVAT v2.73.0 server does on the edges the suite depends on (each case
 * cites the upstream code it follows), and the suite gives the right verdict when the stand-in simulates it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CvatClient, type Credentials } from '../src/http/client';
import { MultipartForm } from '../src/http/multipart';
import { CvatStandIn, standInPng } from './support/cvat-stand-in';
import { runAgainst } from './support/fast';

let standIn: CvatStandIn | undefined;
let client: CvatClient | undefined;

afterEach(async () => {
  await client?.close();
  await standIn?.stop();
  client = undefined;
  standIn = undefined;
});

async function start(
  options: Parameters<typeof CvatStandIn.start>[0] = {},
): Promise<{ s: CvatStandIn; c: CvatClient; admin: Credentials }> {
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
    const ok = await c.request('POST', '/api/events', {
      auth: admin,
      json: { timestamp: now, events: [{ scope: 'load:cvat', timestamp: now, payload: '{"a":1}' }] },
    });
    expect(ok.status).toBe(201);
    const bad = await c.request('POST', '/api/events', {
      auth: admin,
      json: { timestamp: now, events: [{ scope: 'load:cvat', timestamp: now, payload: 'not json' }] },
    });
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

describe('/api/server/health/ (django-health-check 3.20.0 with the plugins of cvat/settings/base.py@v2.73.0)', () => {
  it('reports the six plugin identifiers, sorted, each "working", with 200', async () => {
    const { c } = await start();
    const res = await c.request<Record<string, string>>('GET', '/api/server/health/', { query: { format: 'json' } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual([
      'Cache backend: default',
      'Cache backend: media',
      'DatabaseBackend',
      'DiskUsage',
      'MemoryUsage',
      'OPAHealthCheck',
    ]);
    expect(new Set(Object.values(res.body))).toEqual(new Set(['working']));
  });

  it("answers 500 with OPAHealthCheck quoting requests' raise_for_status message when OPA has no bundle", async () => {
    const { c } = await start({ faults: { opaWithoutBundle: true }, opaUrl: 'http://cvat-opa:8181' });
    const res = await c.request<Record<string, string>>('GET', '/api/server/health/', { query: { format: 'json' } });
    expect(res.status).toBe(500);
    expect(res.body.OPAHealthCheck).toBe(
      'unknown error: 500 Server Error: Internal Server Error for url: http://cvat-opa:8181/health?bundles',
    );
    expect(res.body.DatabaseBackend).toBe('working');
  });

  it('OPA without its bundle: authorization decisions are 500, and opa.authz names the missing decision', async () => {
    const { s, c, admin } = await start({ faults: { opaWithoutBundle: true } });
    const self = await c.request('GET', '/api/users/self', { auth: admin });
    expect(self.status).toBe(500);
    expect(String(self.body)).toContain('Server Error (500)');
    const result = await runAgainst(s, { only: ['opa.authz', 'opa.health'] });
    expect(reasonOf(result, 'opa.health')).toBe(
      'opa: health check \'OPAHealthCheck\' reports "unknown error: 500 Server Error: Internal Server Error for url: http://opa:8181/health?bundles"',
    );
    expect(reasonOf(result, 'opa.authz')).toMatch(
      /^opa: GET \/api\/users\/self as the superuser answered 500, expected 200: the server got no authorization decision from OPA/,
    );
  });
});

describe('ALLOWED_HOSTS (Django get_host with USE_X_FORWARDED_HOST)', () => {
  it("answers every server route with Django's 400 page for a host outside ALLOWED_HOSTS, and still serves the UI", async () => {
    const { s, c } = await start({ allowedHosts: ['cvat.example.org'] });
    for (const path of ['/api/server/about', '/api/server/health/', '/django-rq/']) {
      const res = await c.request('GET', path);
      expect(res.status, path).toBe(400);
      expect(String(res.body)).toContain('Bad Request (400)');
    }
    expect((await c.request('GET', '/')).status).toBe(200);
    // X-Forwarded-Host wins over Host.
    const forwarded = await c.request('GET', '/api/server/about', { headers: { 'x-forwarded-host': 'cvat.example.org' } });
    expect(forwarded.status).toBe(200);
    void s;
  });

  it('the suite blames ALLOWED_HOSTS in server.about, the health checks and the login, not their components', async () => {
    const { s } = await start({ allowedHosts: ['cvat.example.org'] });
    const result = await runAgainst(s);
    const cause =
      /answered Django's "Bad Request \(400\)" page: cvat-server refuses the host '127\.0\.0\.1' \(DisallowedHost\); add it to cvat-server's ALLOWED_HOSTS/;
    for (const id of [
      'server.about',
      'server.health',
      'database.health',
      'redis-inmem.health',
      'redis-ondisk.health',
      'opa.health',
      'auth.login',
    ]) {
      expect(reasonOf(result, id), id).toMatch(cause);
    }
    expect(result.checks.find((r) => r.id === 'ui.index')?.status).toBe('pass');
    expect(s.violations).toEqual([]);
  });
});

describe('result_url (DRF reverse(..., request=request) → absolute URL from the forwarded scheme and host)', () => {
  it('is built from X-Forwarded-Proto and X-Forwarded-Host, as an edge sets them, with the upstream download path', async () => {
    const { s } = await start({ edge: { forwardedProto: 'https', forwardedHost: 'cvat.example.org' }, allowedHosts: ['cvat.example.org'] });
    const c = new CvatClient({ baseUrl: s.url, retry: { maxRetries: 0 } });
    const admin: Credentials = { kind: 'basic', ...s.superuser };
    try {
      const task = await c.request<{ id: number }>('POST', '/api/tasks', {
        auth: admin,
        json: { name: 'edge-task', labels: [{ name: 'car' }] },
        expect: 201,
      });
      const dir = await mkdtemp(join(tmpdir(), 'edge-'));
      await writeFile(join(dir, 'a.png'), standInPng());
      const form = new MultipartForm().file('client_files[0]', join(dir, 'a.png'), 'a.png', 'image/png').field('image_quality', '70');
      const upload = await c.request<{ rq_id: string }>('POST', `/api/tasks/${task.body.id}/data/`, { auth: admin, form, expect: 202 });
      for (let i = 0; i < 100; i++) {
        const rq = await c.request<{ status: string }>('GET', `/api/requests/${encodeURIComponent(upload.body.rq_id)}`, {
          auth: admin,
          expect: 200,
        });
        if (rq.body.status === 'finished') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const exp = await c.request<{ rq_id: string }>('POST', `/api/tasks/${task.body.id}/backup/export`, { auth: admin, expect: 202 });
      let resultUrl: string | null | undefined;
      for (let i = 0; i < 100 && !resultUrl; i++) {
        const rq = await c.request<{ result_url?: string | null }>('GET', `/api/requests/${encodeURIComponent(exp.body.rq_id)}`, {
          auth: admin,
          expect: 200,
        });
        resultUrl = rq.body.result_url;
        if (!resultUrl) await new Promise((r) => setTimeout(r, 10));
      }
      expect(resultUrl).toBe(
        `https://cvat.example.org/api/tasks/${task.body.id}/backup/download?rq_id=${encodeURIComponent(exp.body.rq_id)}`,
      );
      await c.request('DELETE', `/api/tasks/${task.body.id}`, { auth: admin, expect: 204 });
    } finally {
      await c.close();
    }
  });
});

describe('the chunk endpoint (cvat/apps/engine/cache.py + views.py@v2.73.0)', () => {
  it('no chunks worker: 429 with Retry-After after the chunk wait, and chunks.media names the 429 and the chunks queue', async () => {
    const { s } = await start({ faults: { deadQueues: ['chunks'] }, latency: { chunkCreateTimeoutMs: 100 } });
    const result = await runAgainst(s, { only: ['chunks.media'] });
    expect(reasonOf(result, 'chunks.media')).toMatch(
      new RegExp(
        /^cvat-worker-utils: GET \/api\/jobs\/\d+\/data\?type=chunk&index=0&quality=original answered 429 /.source +
          /\(Retry-After: 10\) 1 time\(s\): the server waited for the chunk job on the 'chunks' queue/.source,
      ),
    );
    // Not retried by the client's policy: the check reads the 429 itself.
    expect(s.log.filter((e) => e.method === 'GET' && e.path.includes('/data?')).map((e) => e.status)).toEqual([429]);
  });

  it('a chunks worker slower than the wait: 429 first, then the check honours Retry-After and gets the chunk', async () => {
    const { s } = await start({ latency: { chunkCreateTimeoutMs: 100, jobMs: { chunks: 150 }, chunkRetryAfterSeconds: 1 } });
    const result = await runAgainst(s, { only: ['chunks.media'], timeoutsMs: { 'chunks.media': 500_000 } /* × 0.02 = 10 s */ });
    expect(result.checks.find((r) => r.id === 'chunks.media')?.status).toBe('pass');
    expect(s.log.filter((e) => e.method === 'GET' && e.path.includes('/data?')).map((e) => e.status)).toEqual([429, 200]);
    // The second request found the job queued by the first (cache.py enqueue_create_chunk_job reuses it).
    expect(s.enqueued.chunks).toBe(1);
  });
});

describe('the anonymous throttle (DRF AnonRateThrottle, "anon": "100/minute" in cvat/settings/base.py@v2.73.0)', () => {
  it('answers 429 with Retry-After over the rate, and opa.authz names the throttle and CVAT_NUM_PROXIES', async () => {
    // The login uses 1 of 2, one registration the second; the other registration is throttled.
    const { s } = await start({ anonPerMinute: 2 });
    const result = await runAgainst(s, { only: ['opa.authz'] });
    expect(result.checks.find((r) => r.id === 'auth.login')?.status).toBe('pass');
    expect(reasonOf(result, 'opa.authz')).toMatch(
      new RegExp(
        /^opa: POST \/api\/auth\/register answered 429 \(Retry-After: \d+ s\): the server's anonymous throttle \(100 /.source +
          /requests\/minute per client IP\) refused it: .*Request was throttled.*CVAT_NUM_PROXIES/.source,
      ),
    );
    expect(s.inventory().users).toHaveLength(0);
  });
});

/**
 * The worker checks read django-rq's staff page `/django-rq/`; this pins the parser to the markup django-rq
 * 2.10.3 renders (the queue row of django_rq/templates/django_rq/stats.html, copied below with Django's
 * template tags replaced the way `{% url %}` and `{{ }}` render them), and pins the stand-in's
 * `/django-rq/stats.json` to what that view does on a CVAT v2.73.0 server, which the suite must not use.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseRqQueuesPage } from '../src/checks/workers';
import { CvatClient, responseCookies } from '../src/http/client';
import { CvatStandIn } from './support/cvat-stand-in';
import { runAgainst } from './support/fast';

/** The `{% for queue in queues %}` row of rq/django-rq@v2.10.3 django_rq/templates/django_rq/stats.html, rendered. */
function renderedRow(q: { index: number; name: string; jobs: number; workers: number }, row: 'row1' | 'row2'): string {
  const jobs = `/django-rq/queues/${q.index}/`;
  return `
                            <tr class="${row}">
                                <th>
                                    <a href="${jobs}">
                                        ${q.name}
                                    </a>
                                </th>
                                <th>
                                    <a href="${jobs}">
                                        ${q.jobs}
                                    </a>
                                </th>
                                <td>-</td>
                                <th>
                                    <a href="/django-rq/queues/${q.index}/started/">
                                        0
                                    </a>
                                </th>
                                <th>
                                    <a href="/django-rq/queues/${q.index}/deferred/">
                                        0
                                    </a>
                                </th>
                                <th>
                                    <a href="/django-rq/queues/${q.index}/finished/">
                                        12
                                    </a>
                                </th>
                                <th>
                                    <a href="/django-rq/queues/${q.index}/failed/">
                                        0
                                    </a>
                                </th>
                                <th>
                                    <a href="/django-rq/queues/${q.index}/scheduled/">
                                        0
                                    </a>
                                </th>
                                <th><a href="/django-rq/workers/${q.index}/">
                                        ${q.workers}
                                    </a>
                                </th>
                                <td>cvat-redis-inmem</td>
                                <td>6379</td>
                                <td>0</td>
                            </tr>`;
}

describe('parseRqQueuesPage', () => {
  it("reads each queue's name and live workers from django-rq 2.10.3's stats.html rows", () => {
    // django_rq/settings.py numbers RQ_QUEUES sorted by name: annotation 0, chunks 1, cleaning 2, …
    const queues = [
      { index: 0, name: 'annotation', jobs: 3, workers: 0 },
      { index: 1, name: 'chunks', jobs: 0, workers: 2 },
      { index: 2, name: 'cleaning', jobs: 7, workers: 1 },
    ];
    const html = `<table id="result_list"><tbody>${queues.map((q, i) => renderedRow(q, i % 2 ? 'row2' : 'row1')).join('')}</tbody></table>`;
    expect(parseRqQueuesPage(html)).toEqual([
      { index: 0, name: 'annotation', workers: 0 },
      { index: 1, name: 'chunks', workers: 2 },
      { index: 2, name: 'cleaning', workers: 1 },
    ]);
  });

  it('finds no table in the UI index or an admin login page', () => {
    expect(parseRqQueuesPage('<!DOCTYPE html><html><body><div id="root"></div></body></html>')).toBeUndefined();
    expect(parseRqQueuesPage('<form action="/admin/login/?next=/django-rq/" method="post"></form>')).toBeUndefined();
  });
});

describe("the stand-in's django-rq views behave as on CVAT v2.73.0", () => {
  let standIn: CvatStandIn | undefined;
  afterEach(async () => {
    await standIn?.stop();
    standIn = undefined;
  });

  async function staffSession(client: CvatClient, s: CvatStandIn): Promise<string> {
    const login = await client.request('POST', '/api/auth/login', {
      json: { username: s.superuser.username, password: s.superuser.password },
      expect: 200,
    });
    return responseCookies(login.headers).sessionid;
  }

  it('stats.json: 500 for a staff session, 200 {"error": true} for anonymous, HTTP Basic and token callers', async () => {
    standIn = await CvatStandIn.start();
    const client = new CvatClient({ baseUrl: standIn.url, retry: { maxRetries: 0 } });
    try {
      const sessionId = await staffSession(client, standIn);
      const staff = await client.request('GET', '/django-rq/stats.json', { auth: { kind: 'session', sessionId } });
      expect(staff.status).toBe(500);
      expect(String(staff.body)).toContain('Server Error (500)');
      const basic = { kind: 'basic', username: standIn.superuser.username, password: standIn.superuser.password } as const;
      for (const [path, auth] of [
        ['/django-rq/stats.json', undefined],
        ['/django-rq/stats.json', basic],
        ['/django-rq/stats.json/sometoken/', undefined],
      ] as const) {
        const res = await client.request<{ error?: boolean; description?: string }>('GET', path, { auth });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ error: true, description: 'Please configure API_TOKEN in settings.py before accessing this view.' });
      }
    } finally {
      await client.close();
    }
  });

  it('/django-rq/: 302 to the admin login without a Django session (HTTP Basic does not count), the queue page with one', async () => {
    standIn = await CvatStandIn.start({ faults: { deadQueues: ['annotation'] } });
    const client = new CvatClient({ baseUrl: standIn.url, retry: { maxRetries: 0 } });
    try {
      const basic = await client.request('GET', '/django-rq/', {
        auth: { kind: 'basic', username: standIn.superuser.username, password: standIn.superuser.password },
      });
      expect(basic.status).toBe(302);
      expect(basic.headers.location).toBe('/admin/login/?next=/django-rq/');
      const sessionId = await staffSession(client, standIn);
      const page = await client.request<string>('GET', '/django-rq/', { auth: { kind: 'session', sessionId } });
      expect(page.status).toBe(200);
      const rows = parseRqQueuesPage(page.body) ?? [];
      expect(rows.map((r) => r.name)).toEqual([
        'annotation',
        'chunks',
        'cleaning',
        'consensus',
        'export',
        'import',
        'notifications',
        'quality_reports',
        'webhooks',
      ]);
      expect(rows.find((r) => r.name === 'annotation')?.workers).toBe(0);
      expect(rows.find((r) => r.name === 'cleaning')?.workers).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('the suite reads /django-rq/ with the session and never asks stats.json', async () => {
    standIn = await CvatStandIn.start();
    const result = await runAgainst(standIn, { only: ['workers'] });
    // workers.utils reads the page; workers.annotation is skipped (the default serves annotation with an event-driven job)
    expect(result.checks.filter((c) => c.id.startsWith('workers.')).map((c) => c.status)).toEqual(['pass', 'skip']);
    expect(standIn.log.filter((e) => e.path.startsWith('/django-rq'))).toEqual([{ method: 'GET', path: '/django-rq/', status: 200 }]);
  });
});

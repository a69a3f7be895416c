/**
 * Item 11 of issue 6: the workers whose queues no API action of this suite can exercise — `annotation`
 * (auto-annotation needs Nuclio functions, which this project does not deploy) and the utils worker's
 * `notifications` and `cleaning` (cron jobs registered by the init job) — are checked for live workers on
 * django-rq's staff page `/django-rq/`. Every other queue is proved by a job it really runs (see
 * docs/smoke-tests.md, "Which evidence proves which queue").
 *
 * Why the HTML page and not `/django-rq/stats.json` (rq/django-rq@v2.10.3, the version
 * cvat-ai/cvat@v2.73.0 cvat/requirements/base.txt pins, with redis==8.0.1 and rq==1.16.0):
 * - `stats_json` (django_rq/views.py) answers anyone who is not staff and has no matching token with
 *   HTTP 200 `{"error": true, "description": "Please configure API_TOKEN …"}`, not 302/401/403;
 * - for a staff session it returns `JsonResponse(get_statistics())`, and `get_statistics` (django_rq/utils.py)
 *   puts each queue's `connection_pool.connection_kwargs` into the JSON. redis-py 8.0.1 (redis/client.py,
 *   `Redis.__init__`) puts a `Retry` object (`"retry": copy.deepcopy(retry)`) into those kwargs, so the
 *   JSON encoder raises `TypeError: Object of type Retry is not JSON serializable`: HTTP 500. Were it to
 *   work, it would also publish the Redis password (`password` is among the kwargs);
 * - the token route compares with `RQ_API_TOKEN`, which cvat/settings/base.py@v2.73.0 never sets ('').
 * The staff page `stats` (django_rq/views.py, `@staff_member_required`) renders the same statistics through
 * django_rq/templates/django_rq/stats.html without JSON, after `clean_worker_registry` dropped dead workers;
 * each queue row links its name to `/django-rq/queues/<index>/` and its live-worker count
 * (`Worker.count(queue=queue)`, rq/rq@v1.16 rq/worker.py) to `/django-rq/workers/<index>/`.
 * `staff_member_required` reads Django's session (not HTTP Basic), so the check uses the session cookie
 * `POST /api/auth/login` sets (dj-rest-auth `LoginView.login()`, cvat/apps/iam/views.py@v2.73.0
 * `LoginViewEx`); without a staff session Django redirects (302) to `/admin/login/?next=/django-rq/`.
 */
import type { ComponentKey } from '../components';
import { SmokeError } from '../errors';
import { excerpt, headerValue } from '../http/client';
import type { CheckContext, CheckDefinition } from '../runner/types';

/** The django-rq page the worker checks read. */
export const DJANGO_RQ_PAGE = '/django-rq/';

/** One queue row of django-rq's `/django-rq/` page. */
export interface RqQueueRow {
  /** The queue's index (django-rq sorts `RQ_QUEUES` by name and numbers them from 0). */
  readonly index: number;
  readonly name: string;
  /** Live workers listening on the queue. */
  readonly workers: number;
}

const ROW_LINK = /<a\s+href="[^"]*\/(queues|workers)\/(\d+)\/"\s*>\s*([^<]*?)\s*<\/a>/g;

/**
 * Reads the queue table of django-rq 2.10.3's `stats.html`: the name is the text of the first link to
 * `…/queues/<index>/` (the second one, the queued-jobs count, is a number), the live workers the text of the
 * link to `…/workers/<index>/`. Returns `undefined` when the page has no such table (not django-rq's page).
 */
export function parseRqQueuesPage(html: string): RqQueueRow[] | undefined {
  const names = new Map<number, string>();
  const workers = new Map<number, number>();
  for (const m of html.matchAll(ROW_LINK)) {
    const index = Number(m[2]);
    const text = m[3].trim();
    if (m[1] === 'queues') {
      if (!/^\d+$/.test(text) && !names.has(index)) names.set(index, text);
    } else if (/^\d+$/.test(text)) {
      workers.set(index, Number(text));
    }
  }
  const rows = [...names]
    .filter(([index]) => workers.has(index))
    .map(([index, name]) => ({ index, name, workers: workers.get(index) as number }));
  return rows.length > 0 ? rows.sort((a, b) => a.index - b.index) : undefined;
}

/** `/django-rq/` once per run, as queue name → live workers. */
export function rqQueues(ctx: CheckContext): Promise<Map<string, number>> {
  return ctx.state.once('rq-queues', async () => {
    const session = ctx.state.values.adminSession;
    if (!session) {
      throw new SmokeError(
        'config',
        `POST /api/auth/login set no sessionid cookie, and ${DJANGO_RQ_PAGE} accepts only a Django session ` +
          '(staff_member_required); cannot read the worker counts',
      );
    }
    const res = await ctx.client.request<string>('GET', DJANGO_RQ_PAGE, {
      auth: session,
      headers: { accept: 'text/html' },
      signal: ctx.runSignal,
    });
    const server = ctx.components.get('server').name;
    if (res.status === 302) {
      const location = headerValue(res.headers, 'location') ?? '';
      throw new SmokeError(
        'http',
        `GET ${DJANGO_RQ_PAGE} redirected (302) to ${location || 'a login page'}: the superuser's session is not a staff ` +
          "session (is_staff false?), so django-rq's page is refused",
        { status: 302 },
      );
    }
    if (res.status !== 200) {
      const detail = `${excerpt(res.body)} (is /django-rq routed to ${server}?)`;
      throw new SmokeError('http', `GET ${DJANGO_RQ_PAGE} answered ${res.status}, expected 200: ${detail}`, { status: res.status });
    }
    const html = typeof res.body === 'string' ? res.body : '';
    const rows = parseRqQueuesPage(html);
    if (!rows) {
      const hint = /id=["']root["']/.test(html)
        ? `it is the CVAT UI's index.html: the edge does not route /django-rq to ${server}`
        : 'no queue table found';
      throw new SmokeError(
        'assertion',
        `GET ${DJANGO_RQ_PAGE} answered 200 but not with django-rq's queue page (${hint}): ${excerpt(html)}`,
      );
    }
    return new Map(rows.map((row) => [row.name, row.workers]));
  });
}

function liveWorkersCheck(id: string, key: ComponentKey, why: string): CheckDefinition {
  return {
    id,
    title: `every queue of the ${key === 'workerUtils' ? 'utils' : 'annotation'} worker has a live worker`,
    proves: why,
    components: [key],
    dependsOn: ['auth.login'],
    timeoutMs: 30_000,
    skip(ctx) {
      const info = ctx.components.get(key);
      if (info.enabled === false) return `${info.name} is disabled in the catalogue`;
      if (info.runner === 'event-job')
        return (
          `${info.name} is an event-driven job: its burst workers run only while the ${info.queues.join(', ')} queue has jobs, so an ` +
          'idle deployment has no live worker to see'
        );
      if (info.minReplicas === 0)
        return `${info.name} scales to zero (catalogue replicas.min 0), so an idle deployment has no live worker to see`;
      return undefined;
    },
    async run(ctx) {
      const info = ctx.components.get(key);
      ctx.step(`GET ${DJANGO_RQ_PAGE} (staff session)`);
      const queues = await rqQueues(ctx);
      const problems: string[] = [];
      for (const queue of info.queues) {
        const workers = queues.get(queue);
        if (workers === undefined) {
          problems.push(`queue '${queue}' is not on django-rq's page (queues: ${[...queues.keys()].join(', ')})`);
        } else if (workers < 1) problems.push(`queue '${queue}' has no live worker`);
        else ctx.note(`queue '${queue}': ${workers} live worker(s)`);
      }
      if (problems.length > 0) throw new SmokeError('assertion', `${problems.join('; ')} (django-rq's ${DJANGO_RQ_PAGE} page)`);
    },
  };
}

export const workersUtils = liveWorkersCheck(
  'workers.utils',
  'workerUtils',
  "django-rq's staff page /django-rq/ shows at least one live worker on every queue of the utils worker: notifications and " +
    'cleaning (the cron jobs have a worker), and webhooks and chunks when the environment serves them there, as the default ' +
    'does (chunks in an RQ worker process of its own, so this sees both processes).',
);
export const workersAnnotation = liveWorkersCheck(
  'workers.annotation',
  'workerAnnotation',
  "django-rq's staff page /django-rq/ shows at least one live worker on the annotation queue " +
    '(auto-annotation requests would be taken).',
);

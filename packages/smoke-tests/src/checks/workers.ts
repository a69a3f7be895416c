/**
 * Item 11 of issue 6: workers whose queues no API action exercises here (annotation needs Nuclio; utils runs
 * cron jobs) are checked for live workers in django-rq's statistics, which need a staff session.
 */
import type { ComponentKey } from '../components';
import { SmokeError } from '../errors';
import { expectShape, match } from '../expect';
import { excerpt } from '../http/client';
import type { CheckContext, CheckDefinition } from '../runner/types';

interface QueueStats {
  name: string;
  workers: number;
}

/** `/django-rq/stats.json` once per run, as queue name → live workers. */
export function rqStats(ctx: CheckContext): Promise<Map<string, number>> {
  return ctx.state.once('rq-stats', async () => {
    const token = ctx.settings.rqApiToken;
    const session = ctx.state.values.adminSession;
    if (!token && !session) throw new SmokeError('config', 'no staff session (login set no sessionid cookie) and no --rq-api-token: cannot read /django-rq/stats.json');
    const path = token ? `/django-rq/stats.json/${encodeURIComponent(token)}` : '/django-rq/stats.json';
    const res = await ctx.client.request<{ queues?: QueueStats[] }>('GET', path, { auth: token ? undefined : session, headers: { accept: 'application/json' }, signal: ctx.runSignal });
    if (res.status === 302 || res.status === 401 || res.status === 403) {
      throw new SmokeError('http', `GET /django-rq/stats.json answered ${res.status}: the session is not a staff session (or the token is wrong)`, { status: res.status });
    }
    if (res.status !== 200) throw new SmokeError('http', `GET /django-rq/stats.json answered ${res.status}, expected 200: ${excerpt(res.body)} (is /django-rq routed to the server?)`, { status: res.status });
    expectShape('GET /django-rq/stats.json', res.body, { queues: match.arrayOf({ name: match.string(), workers: match.integer(0) }, 1) });
    return new Map((res.body.queues ?? []).map((q) => [q.name, q.workers]));
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
      if (info.minReplicas === 0) return `${info.name} scales to zero (catalogue replicas.min 0), so an idle deployment has no live worker to see`;
      return undefined;
    },
    async run(ctx) {
      const info = ctx.components.get(key);
      ctx.step('GET /django-rq/stats.json');
      const stats = await rqStats(ctx);
      const problems: string[] = [];
      for (const queue of info.queues) {
        const workers = stats.get(queue);
        if (workers === undefined) problems.push(`queue '${queue}' is not in the statistics (queues: ${[...stats.keys()].join(', ')})`);
        else if (workers < 1) problems.push(`queue '${queue}' has no live worker`);
        else ctx.note(`queue '${queue}': ${workers} worker(s)`);
      }
      if (problems.length > 0) throw new SmokeError('assertion', problems.join('; '));
    },
  };
}

export const workersUtils = liveWorkersCheck('workers.utils', 'workerUtils', 'django-rq shows at least one live worker on the notifications and cleaning queues (cron jobs run).');
export const workersAnnotation = liveWorkersCheck('workers.annotation', 'workerAnnotation', 'django-rq shows at least one live worker on the annotation queue (auto-annotation requests would be processed).');

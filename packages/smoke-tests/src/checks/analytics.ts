/**
 * Item 10 of issue 6: a client event travels Django → vector → ClickHouse and comes back out of the events
 * export (which runs on the export worker). Vector's ClickHouse sink sends a batch after 1 s (its default; the
 * catalogue's vector.toml sets no batch.timeout_secs), so the export is repeated until the event appears or the
 * check's time runs out.
 *
 * Upstream facts (cvat-ai/cvat@v2.73.0):
 * - cvat/apps/events/serializers.py `ClientEventsSerializer.to_internal_value`: an event's `source` defaults
 *   to "client", and its `scope` must be in `ALLOWED_SCOPES[source]`, which has only a "client" entry; any
 *   other source (e.g. "smoke-tests") is answered 400 `{"scope": ["Event scope **…** is not allowed from …"]}`.
 *   So the event carries no `source`. `payload` must be a JSON string (`json.loads`), else 400.
 * - cvat/apps/events/views.py `EventsViewSet.create` answers 201 with the validated events and logs them to
 *   vector; `initiate_export` (`POST /api/events/export`, admin: `dump:events`) answers 202 `{rq_id}` and
 *   runs on the export queue (`EventsExporter`, cvat/apps/events/export.py).
 * - cvat/apps/events/export.py `_create_csv`: `SELECT * EXCEPT(remote_addr) FROM events WHERE source in
 *   ('server', 'client') AND scope != 'send:exception' AND timestamp >= {from}`, written as CSV, so the
 *   payload (which carries the run id) is in the export; `result_url` is `reverse("events-download-file",
 *   request=…)?rq_id=…`, an absolute URL.
 */
import { readFile } from 'node:fs/promises';
import { SmokeError } from '../errors';
import { expectShape, match } from '../expect';
import { excerpt, sleep } from '../http/client';
import type { CheckDefinition } from '../runner/types';
import { downloadResult, waitForRequest, EVENT_JOB_START_MS } from './helpers';

export const analyticsEvents: CheckDefinition = {
  id: 'analytics.events',
  title: 'a client event reaches ClickHouse and the events export',
  proves: 'POST /api/events is accepted, vector ships it to ClickHouse, and the export worker finds it in an events export (CSV).',
  components: ['vector', 'clickhouse', 'workerExport'],
  dependsOn: ['opa.authz'],
  timeoutMs: 170_000 + EVENT_JOB_START_MS,
  skip(ctx) {
    if (!ctx.settings.analytics) return 'analytics is disabled for this deployment (--no-analytics or the environment config)';
    const vector = ctx.components.get('vector');
    if (vector.enabled === false) return `analytics is disabled in the catalogue (${vector.name} is not deployed)`;
    return undefined;
  },
  async run(ctx) {
    const from = new Date(Date.now() - 5 * 60_000).toISOString();
    const now = new Date().toISOString();
    const marker = `smoke-run ${ctx.runId}`;
    ctx.step('POST /api/events');
    const posted = await ctx.client.request('POST', '/api/events', {
      auth: ctx.admin,
      json: { timestamp: now, events: [{ scope: 'load:cvat', timestamp: now, payload: JSON.stringify({ marker }), duration: 0 }] },
      signal: ctx.signal,
    });
    if (posted.status === 400) {
      const why = `the server's events serializer refused a client 'load:cvat' event: ${excerpt(posted.body)}`;
      throw new SmokeError('assertion', `${posted.what} answered 400: ${why}`, { status: 400 });
    }
    if (posted.status !== 201) {
      throw new SmokeError('http', `${posted.what} answered ${posted.status}, expected 201: ${excerpt(posted.body)}`, {
        status: posted.status,
      });
    }
    expectShape(posted.what, posted.body, { timestamp: match.string() });
    for (let round = 1; ; round++) {
      ctx.step(`events export, round ${round}`);
      const res = await ctx.client.request<{ rq_id: string }>('POST', '/api/events/export', {
        auth: ctx.admin,
        query: { from },
        signal: ctx.signal,
        expect: 202,
      });
      expectShape(res.what, res.body, { rq_id: match.string(/./) });
      const request = await waitForRequest(ctx, res.body.rq_id, 'export', 'workerExport', 'the events export');
      const file = await downloadResult(ctx, request, `events-${round}.csv`, 'the events export');
      const csv = await readFile(file.path, 'utf8');
      if (csv.includes(ctx.runId)) {
        ctx.note(`event found in export round ${round}`);
        return;
      }
      const waitMs = Math.min(ctx.settings.poll.maxIntervalMs * 2, ctx.remainingMs() - 1000);
      if (waitMs <= 0) {
        throw new SmokeError(
          'timeout',
          `the posted event never appeared in the events export (${round} exports): ${ctx.components.get('vector').name} did not deliver it to ` +
            `${ctx.components.get('clickhouse').name}, or ClickHouse is not the one the export worker reads`,
        );
      }
      await sleep(waitMs, ctx.signal);
    }
  },
};

/**
 * Item 5 of issue 6: the chunks worker builds media on a cache miss.
 *
 * Upstream facts (cvat-ai/cvat@v2.73.0):
 * - Tasks created with `use_cache=true` keep their media in the `media` cache (kvrocks) and build chunks on
 *   demand (cvat/apps/engine/task.py: storage method CACHE unless CVAT_ALLOW_STATIC_CACHE). A request for a
 *   chunk that is not cached enqueues `chunks:prepare-item-<key>` on the `chunks` queue and waits for it
 *   (cvat/apps/engine/cache.py `MediaCache._create_cache_item`, `enqueue_create_chunk_job`, `wait_for_rq_job`):
 *   CVAT_CHUNK_CREATE_TIMEOUT = 50 s, polled every 0.2 s (cvat/apps/engine/default_settings.py), then
 *   `TimeoutError`, which the data endpoint answers with **429 and `Retry-After: 10`**
 *   (cvat/apps/engine/views.py `_DataGetter.__call__`, `_RETRY_AFTER_TIMEOUT = 10`). A job still queued is
 *   reused by the next request (`enqueue_create_chunk_job` re-enqueues only finished/failed/canceled jobs).
 * - `GET /api/jobs/{id}/data?type=chunk&index=0&quality=original` is `JobViewSet.data` → `_JobDataGetter`;
 *   without a `Range` header the whole chunk is answered with 200.
 * - The task preview is *not* evidence for the chunks worker: the import worker builds it while creating the
 *   task, inside its own RQ job (task.py `_create_task_preview`; cache.py builds items in-process when
 *   `rq.get_current_job()` is set), so `GET /api/tasks/{id}/preview` is a cache hit. This check does not use it.
 */
import { SmokeError } from '../errors';
import { formatSeconds, type HttpResponse, headerValue, sleep } from '../http/client';
import type { CheckDefinition } from '../runner/types';

/** How long CVAT holds a chunk request while it waits for the chunks queue (CVAT_CHUNK_CREATE_TIMEOUT). */
export const CHUNK_CREATE_TIMEOUT_SECONDS = 50;
/** The `Retry-After` CVAT sends with its 429 (`_RETRY_AFTER_TIMEOUT`), used when the header is missing. */
export const CHUNK_RETRY_AFTER_SECONDS = 10;
/** Time kept for one more attempt after a 429, beyond the Retry-After wait, in milliseconds. */
const MIN_ATTEMPT_MS = 5000;

export const chunksMedia: CheckDefinition = {
  id: 'chunks.media',
  title: 'a data chunk is built on a media-cache miss',
  proves:
    'On a media-cache miss the server queues the chunk on the chunks queue and waits up to 50 s; a non-empty 200 means ' +
    "the chunks queue's runner built it (and kvrocks stored it). A 429 means it was not built in time.",
  components: ['workerChunks'],
  dependsOn: ['import.task-data'],
  // Two server-side waits of 50 s with the 10 s Retry-After between them, plus margin.
  timeoutMs: 130_000,
  async run(ctx) {
    const main = ctx.state.need('mainTask');
    const job = main.jobIds[0];
    const worker = ctx.components.get('workerChunks').name;
    const path = `/api/jobs/${job}/data`;
    for (let attempt = 1; ; attempt++) {
      ctx.step(`GET ${path}?type=chunk&index=0&quality=original (attempt ${attempt})`);
      const timeoutMs = Math.max(1000, ctx.remainingMs() - 500);
      let res: HttpResponse;
      try {
        res = await ctx.client.request('GET', path, {
          auth: ctx.admin,
          query: { type: 'chunk', index: 0, quality: 'original' },
          signal: ctx.signal,
          timeoutMs,
          read: 'buffer',
          retry: false,
        });
      } catch (error) {
        if (error instanceof SmokeError && error.code === 'timeout') {
          throw new SmokeError(
            'timeout',
            `${error.message}; CVAT holds a chunk request up to ${CHUNK_CREATE_TIMEOUT_SECONDS} s while it waits for ${worker} ` +
              "on the 'chunks' queue, then answers 429",
            { cause: error },
          );
        }
        throw error;
      }
      if (res.status === 200) {
        if (!Buffer.isBuffer(res.body) || res.body.length === 0) {
          throw new SmokeError('assertion', `${res.what} answered 200 with an empty chunk`);
        }
        ctx.note(`chunk ${res.body.length} bytes${attempt > 1 ? ` (after ${attempt - 1} answer(s) 429)` : ''}`);
        return;
      }
      if (res.status !== 429) {
        throw new SmokeError('http', `${res.what} answered ${res.status}, expected 200 (or 429 while the chunk is built)`, {
          status: res.status,
        });
      }
      const header = headerValue(res.headers, 'retry-after');
      const seconds = header !== undefined && /^\d+$/.test(header.trim()) ? Number(header.trim()) : CHUNK_RETRY_AFTER_SECONDS;
      const retryAfterMs = seconds * 1000;
      if (ctx.remainingMs() < retryAfterMs + MIN_ATTEMPT_MS) {
        throw new SmokeError(
          'assertion',
          `${res.what} answered 429 (Retry-After: ${header ?? 'none'}) ${attempt} time(s): ` +
            `the server waited for the chunk job on the 'chunks' queue (up to ${CHUNK_CREATE_TIMEOUT_SECONDS} s each time) ` +
            `and no ${worker} built it (is it running? if it scales to zero, did its queue scale rule fire?)`,
          { status: 429 },
        );
      }
      ctx.note(`attempt ${attempt}: 429, retrying after ${formatSeconds(retryAfterMs)}`);
      await sleep(retryAfterMs, ctx.signal);
    }
  },
};

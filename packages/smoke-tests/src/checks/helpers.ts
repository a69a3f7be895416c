/**
 * Steps several checks share: creating tasks (registered for cleanup at once), uploading generated images
 * as a streamed multipart body, waiting for a background request on a named RQ queue, and downloading a
 * request's `result_url`.
 *
 * Upstream facts (cvat-ai/cvat@v2.73.0):
 * - `POST /api/tasks/{id}/data/` (cvat/apps/engine/views.py `TaskViewSet.data`, `url_path=r"data/?$"`, parsers
 *   JSON + multipart): `client_files[i]` parts become the DataSerializer's `client_files` list (DRF's
 *   `parse_html_list`), `image_quality` is required for images; the answer is 202 `{rq_id}` from
 *   `TaskCreator.enqueue_job` on the `import` queue; a second upload is 400 ("Adding more data is not supported").
 * - Request ids are `key=value&…` with "." → "~" and " " → "_" (cvat/apps/redis_handler/rq.py
 *   `RequestId.render`), so they are URL-encoded into `GET /api/requests/{id}` (DefaultRouter lookup `[^/.]+`).
 *   That view (cvat/apps/redis_handler/serializers.py `RequestSerializer`) reports `status` queued / started /
 *   failed / finished (deferred and scheduled read as queued), `message` (the exception for failed), and for
 *   a finished export `result_url`, for other actions `result_id` (the job's integer return value).
 * - `result_url` is `reverse("<target>-download-…", request=request) + "?rq_id=…"` (cvat/apps/engine/background.py
 *   `make_result_url`): absolute, from the scheme Django derives from X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER)
 *   and the host from X-Forwarded-Host or Host (USE_X_FORWARDED_HOST), both in cvat/settings/base.py. The
 *   download answers 200 with the file (sendfile through the server image's nginx), 400 for an unknown id.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComponentKey } from '../components';
import { SmokeError } from '../errors';
import { expectShape, match } from '../expect';
import type { Credentials, DownloadResult } from '../http/client';
import { MultipartForm } from '../http/multipart';
import { testFrame } from '../png';
import { poll, probe } from '../poll';
import type { TaskFixture } from '../runner/state';
import type { CheckContext } from '../runner/types';

/** The label every task of the suite has. */
export const LABEL_NAME = 'car';

/** A CVAT background request (`GET /api/requests/{id}`), the fields the suite reads. */
export interface BackgroundRequest {
  readonly id: string;
  readonly status: 'queued' | 'started' | 'failed' | 'finished';
  readonly message?: string;
  readonly progress?: number | null;
  readonly result_url?: string | null;
  readonly result_id?: number | null;
}

interface Paginated<T> {
  readonly count: number;
  readonly results: readonly T[];
}

/**
 * Time left for a poll inside a check: the check's remaining time minus a margin (a fifth of it, at most 2 s),
 * so the poll's own message — which names the queue and the worker — wins over the runner's generic timeout,
 * even when the last poll request is slow on a loaded machine.
 */
/**
 * Extra time a check waiting on import, export, annotation, quality_reports or consensus allows for an event-driven
 * queue job's first execution: the job's polling interval (15-30 s in the catalogue), starting the replica (image pull
 * of cvat/server, no warm replica) and the runner's wait for PostgreSQL, Redis and `migrate --check` (Django boot).
 * An always-on worker takes the job at once, so this only lengthens the limit, never a passing run.
 */
export const EVENT_JOB_START_MS = 180_000;

export function pollBudgetMs(ctx: CheckContext): number {
  const remaining = ctx.remainingMs();
  return Math.max(10, remaining - Math.min(2000, remaining * 0.2));
}

/** Creates a task named `smoke-<runId>-<suffix>` with the `car` label (or in `projectId`), registered for cleanup. */
export async function createTask(
  ctx: CheckContext,
  suffix: string,
  options: { readonly auth?: Credentials; readonly projectId?: number; readonly consensusReplicas?: number } = {},
): Promise<{ id: number; name: string }> {
  const name = ctx.name(suffix);
  ctx.step(`creating task ${name}`);
  const body: Record<string, unknown> = { name };
  if (options.projectId !== undefined) body.project_id = options.projectId;
  else body.labels = [{ name: LABEL_NAME, type: 'any' }];
  if (options.consensusReplicas !== undefined) body.consensus_replicas = options.consensusReplicas;
  const res = await ctx.client.request<{ id: number; name: string }>('POST', '/api/tasks', {
    auth: options.auth ?? ctx.admin,
    json: body,
    signal: ctx.signal,
    expect: 201,
  });
  expectShape(res.what, res.body, { id: match.integer(1) });
  ctx.cleanup.add({ kind: 'task', id: res.body.id, name });
  return { id: res.body.id, name };
}

/**
 * Writes `count` generated PNGs into the work dir and uploads them as `client_files[i]` parts that stream
 * from disk, with `image_quality=70` and `use_cache=true`. Returns the request id.
 */
export async function uploadImages(ctx: CheckContext, taskId: number, count: number, tag: string): Promise<string> {
  const form = new MultipartForm();
  for (let i = 0; i < count; i++) {
    const file = join(ctx.settings.workDir, `${tag}-${i}.png`);
    await writeFile(file, testFrame(i, `${ctx.runId}:${tag}`));
    form.file(`client_files[${i}]`, file, `frame-${String(i).padStart(3, '0')}.png`, 'image/png');
  }
  form.field('image_quality', '70').field('use_cache', 'true').field('sorting_method', 'lexicographical');
  ctx.step(`uploading ${count} images to task ${taskId}`);
  const res = await ctx.client.request<{ rq_id: string }>('POST', `/api/tasks/${taskId}/data/`, {
    auth: ctx.admin,
    form,
    signal: ctx.signal,
    expect: 202,
  });
  expectShape(res.what, res.body, { rq_id: match.string(/./) });
  return res.body.rq_id;
}

/**
 * Polls `GET /api/requests/{rq_id}` until `finished`. A `failed` request throws at once with CVAT's message;
 * running out of time throws with a hint naming the worker that should have processed `queue`.
 */
export async function waitForRequest(
  ctx: CheckContext,
  rqId: string,
  queue: string,
  worker: ComponentKey,
  what: string,
): Promise<BackgroundRequest> {
  const component = ctx.components.get(worker).name;
  ctx.step(`waiting for ${what} (request ${rqId} on the '${queue}' queue)`);
  let last: BackgroundRequest | undefined;
  try {
    return await poll(
      `${what} (request ${rqId})`,
      async () => {
        const res = await ctx.client.request<BackgroundRequest>('GET', `/api/requests/${encodeURIComponent(rqId)}`, {
          auth: ctx.admin,
          signal: ctx.signal,
          expect: 200,
        });
        expectShape(res.what, res.body, { status: match.oneOf('queued', 'started', 'failed', 'finished') });
        last = res.body;
        if (res.body.status === 'failed') {
          throw new SmokeError('assertion', `${what} failed on the '${queue}' queue: ${res.body.message?.trim() || '(no message)'}`);
        }
        if (res.body.status === 'finished') return probe.done(res.body);
        const progress = typeof res.body.progress === 'number' ? ` (progress ${Math.round(res.body.progress * 100)}%)` : '';
        return probe.pending(`'${res.body.status}'${progress}`);
      },
      { ...ctx.settings.poll, totalTimeoutMs: pollBudgetMs(ctx), signal: ctx.signal },
    );
  } catch (error) {
    if (error instanceof SmokeError && error.code === 'timeout') {
      const hint =
        last?.status === 'started'
          ? `${component} started the job but did not finish it in time`
          : ctx.components.get(worker).runner === 'event-job'
            ? `no ${component} execution took the job from the '${queue}' queue (did the job's redis scale rule on rq:queue:${queue} ` +
              'start an execution? see its execution history)'
            : `no ${component} took the job from the '${queue}' queue (is it running? if it scales to zero, did its queue scale rule fire?)`;
      throw new SmokeError('timeout', `${error.message} — ${hint}`, { cause: error });
    }
    throw error;
  }
}

/**
 * Downloads a finished request's `result_url` into the work dir. The URL must be on the suite's base origin:
 * CVAT builds it from `Host` / `X-Forwarded-*`, so another origin means the edge or `CVAT_BASE_URL` is wrong.
 */
export async function downloadResult(
  ctx: CheckContext,
  request: BackgroundRequest,
  fileName: string,
  what: string,
): Promise<DownloadResult> {
  if (typeof request.result_url !== 'string' || request.result_url.length === 0) {
    throw new SmokeError('assertion', `${what} finished without a result_url`);
  }
  let url: URL;
  try {
    url = new URL(request.result_url, ctx.client.baseUrl);
  } catch {
    throw new SmokeError('assertion', `${what} has an invalid result_url ${JSON.stringify(request.result_url)}`);
  }
  if (url.origin !== ctx.client.baseUrl.origin) {
    throw new SmokeError(
      'assertion',
      [
        `${what}: result_url ${url.href} is not on ${ctx.client.baseUrl.origin}; the server builds it from Host/X-Forwarded-Host/X-Forwarded-Proto,`,
        'so the edge does not forward them (or CVAT_BASE_URL is wrong)',
      ].join(' '),
    );
  }
  ctx.step(`downloading ${what}`);
  const path = join(ctx.settings.workDir, fileName);
  const result = await ctx.client.download(url.href, path, { auth: ctx.admin, signal: ctx.signal });
  if (result.bytes <= 0) throw new SmokeError('assertion', `${what}: the download from ${ctx.client.display(url)} is empty`);
  return result;
}

/** The id of the `car` label of a task. */
export async function labelIdOf(ctx: CheckContext, taskId: number): Promise<number> {
  const res = await ctx.client.request<Paginated<{ id: number; name: string }>>('GET', '/api/labels', {
    auth: ctx.admin,
    query: { task_id: taskId, page_size: 100 },
    signal: ctx.signal,
    expect: 200,
  });
  const label = res.body.results.find((l) => l.name === LABEL_NAME);
  if (!label)
    throw new SmokeError(
      'assertion',
      `task ${taskId} has no label '${LABEL_NAME}' (labels: ${res.body.results.map((l) => l.name).join(', ') || 'none'})`,
    );
  return label.id;
}

/** Job ids of a task, optionally of one type, in id order. */
export async function jobIdsOf(
  ctx: CheckContext,
  taskId: number,
  type?: 'annotation' | 'ground_truth' | 'consensus_replica',
): Promise<number[]> {
  const res = await ctx.client.request<Paginated<{ id: number }>>('GET', '/api/jobs', {
    auth: ctx.admin,
    query: { task_id: taskId, type, page_size: 100 },
    signal: ctx.signal,
    expect: 200,
  });
  return res.body.results.map((j) => j.id).sort((a, b) => a - b);
}

/** Creates a task, uploads `frames` images and waits for the import; returns the fixture. */
export async function createTaskWithData(
  ctx: CheckContext,
  suffix: string,
  frames: number,
  options: { readonly consensusReplicas?: number } = {},
): Promise<TaskFixture> {
  const task = await createTask(ctx, suffix, options);
  const rqId = await uploadImages(ctx, task.id, frames, suffix);
  await waitForRequest(ctx, rqId, 'import', 'workerImport', `the data import of task ${task.name}`);
  const res = await ctx.client.request<{ size: number }>('GET', `/api/tasks/${task.id}`, {
    auth: ctx.admin,
    signal: ctx.signal,
    expect: 200,
  });
  expectShape(res.what, res.body, { size: frames });
  const jobIds = await jobIdsOf(ctx, task.id, 'annotation');
  if (jobIds.length === 0) throw new SmokeError('assertion', `task ${task.name} has data but no annotation job`);
  const labelId = await labelIdOf(ctx, task.id);
  return { id: task.id, name: task.name, frameCount: frames, jobIds, labelId };
}

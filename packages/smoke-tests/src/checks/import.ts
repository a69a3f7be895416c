/**
 * Item 4 of issue 6: the import worker turns uploads into task data, and restores a task backup.
 *
 * Upstream facts (cvat-ai/cvat@v2.73.0):
 * - Task data: see helpers.ts (`POST /api/tasks/{id}/data/` → 202, `import` queue). With `consensus_replicas: 2`
 *   each annotation job gets 2 `consensus_replica` jobs (cvat/apps/engine/task.py `_create_segments_and_jobs`).
 * - `POST /api/tasks/backup/` (views.py `TaskViewSet.import_backup`, `url_path=r"backup/?$"`, multipart
 *   `task_file`) → `BackupImporter.enqueue_job` → 202 `{rq_id}` on the `import` queue. The job is
 *   cvat/apps/engine/backup.py `import_task`, which returns the new task's id; `GET /api/requests/{rq_id}`
 *   shows it as `result_id` once finished.
 */
import { SmokeError } from '../errors';
import { expectShape, match } from '../expect';
import { MultipartForm } from '../http/multipart';
import type { CheckDefinition } from '../runner/types';
import { createTaskWithData, waitForRequest, EVENT_JOB_START_MS } from './helpers';

/** Frames of the main, quality and consensus tasks. */
export const FRAMES = { main: 3, quality: 3, consensus: 2 } as const;

export const importTaskData: CheckDefinition = {
  id: 'import.task-data',
  title: 'uploaded images become task data (three tasks)',
  proves:
    'The import worker takes jobs from the import queue: three tasks (main, quality, consensus with 2 replicas) get their generated images as ' +
    'data, with the right frame count and jobs.',
  components: ['workerImport'],
  dependsOn: ['opa.authz'],
  timeoutMs: 150_000 + EVENT_JOB_START_MS,
  async run(ctx) {
    const [main, quality, consensus] = await Promise.all([
      createTaskWithData(ctx, 'main', FRAMES.main),
      createTaskWithData(ctx, 'quality', FRAMES.quality),
      createTaskWithData(ctx, 'consensus', FRAMES.consensus, { consensusReplicas: 2 }),
    ]);
    ctx.state.values.mainTask = main;
    ctx.state.values.qualityTask = quality;
    ctx.state.values.consensusTask = consensus;
  },
};

export const importBackup: CheckDefinition = {
  id: 'import.backup',
  title: 'a task backup is restored',
  proves: 'The import worker restores the task backup made by export.backup into a new task with the same frames.',
  components: ['workerImport'],
  dependsOn: ['export.backup'],
  timeoutMs: 120_000 + EVENT_JOB_START_MS,
  async run(ctx) {
    const main = ctx.state.need('mainTask');
    const file = ctx.state.need('backupFile');
    const form = new MultipartForm().file('task_file', file, `${main.name}-backup.zip`, 'application/zip');
    ctx.step('POST /api/tasks/backup/ (upload)');
    const res = await ctx.client.request<{ rq_id: string }>('POST', '/api/tasks/backup/', {
      auth: ctx.admin,
      form,
      signal: ctx.signal,
      expect: 202,
    });
    expectShape(res.what, res.body, { rq_id: match.string(/./) });
    const request = await waitForRequest(ctx, res.body.rq_id, 'import', 'workerImport', 'the backup import');
    if (typeof request.result_id !== 'number')
      throw new SmokeError('assertion', 'the backup import finished without a result_id (the restored task id)');
    const restored = await ctx.client.request<{ id: number; name: string; size: number }>('GET', `/api/tasks/${request.result_id}`, {
      auth: ctx.admin,
      signal: ctx.signal,
      expect: 200,
    });
    // The restored task keeps the backed-up name, which carries the run id, so the run-id search would find it too.
    ctx.cleanup.add({ kind: 'task', id: restored.body.id, name: restored.body.name });
    expectShape(restored.what, restored.body, { size: main.frameCount, name: match.string() });
  },
};

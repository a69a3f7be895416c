/**
 * Item 7 of issue 6: the export worker builds dataset exports and task backups, downloadable via result_url.
 *
 * Upstream facts (cvat-ai/cvat@v2.73.0):
 * - `POST /api/tasks/{id}/dataset/export?format=…&save_images=false` and `POST /api/tasks/{id}/backup/export`
 *   (cvat/apps/engine/mixins.py `initiate_dataset_export`, `initiate_backup_export`) → 202 `{rq_id}` on the
 *   `export` queue; 405 when the format is not available, 409 while the same export runs
 *   (cvat/apps/redis_handler/background.py `handle_existing_job`).
 * - Format names are `<name> <version>` of the exporters: "CVAT for images 1.1"
 *   (cvat/apps/dataset_manager/formats/cvat.py) writes `annotations.xml`; "COCO 1.0" (formats/coco.py) writes
 *   `annotations/instances_default.json`.
 * - A task backup has its manifest `task.json` (with the task `name`) at the archive root
 *   (cvat/apps/engine/backup.py `MANIFEST_FILENAME`).
 */
import { SmokeError } from '../errors';
import { expectShape, match } from '../expect';
import type { TaskFixture } from '../runner/state';
import type { CheckContext, CheckDefinition } from '../runner/types';
import { listZipEntries, readZipEntry } from '../zip';
import { LABEL_NAME, downloadResult, waitForRequest, EVENT_JOB_START_MS } from './helpers';

/** Formats exported by default (names as `GET /api/server/annotation/formats` lists them). */
export const DEFAULT_EXPORT_FORMATS: readonly string[] = ['CVAT for images 1.1', 'COCO 1.0'];

/** Checks an archive's content for a known format; returns a one-line summary. Unknown formats only need a non-empty archive. */
export async function verifyDatasetArchive(format: string, path: string, task: TaskFixture, shapes: number): Promise<string> {
  if (format.startsWith('CVAT for images')) {
    const xml = (await readZipEntry(path, 'annotations.xml')).toString('utf8');
    const images = (xml.match(/<image\s/g) ?? []).length;
    const boxes = (xml.match(new RegExp(`<box\\s[^>]*label="${LABEL_NAME}"`, 'g')) ?? []).length;
    const polygons = (xml.match(new RegExp(`<polygon\\s[^>]*label="${LABEL_NAME}"`, 'g')) ?? []).length;
    if (images !== task.frameCount)
      throw new SmokeError('assertion', `${format}: annotations.xml lists ${images} images, expected ${task.frameCount}`);
    if (boxes + polygons !== shapes)
      throw new SmokeError(
        'assertion',
        `${format}: annotations.xml has ${boxes} boxes and ${polygons} polygons labelled '${LABEL_NAME}', expected ${shapes} shapes`,
      );
    return `${format}: ${images} images, ${boxes + polygons} shapes`;
  }
  if (format.startsWith('COCO')) {
    const raw = (await readZipEntry(path, 'annotations/instances_default.json')).toString('utf8');
    let coco: { images?: unknown[]; annotations?: unknown[]; categories?: { name?: string }[] };
    try {
      coco = JSON.parse(raw) as typeof coco;
    } catch {
      throw new SmokeError('assertion', `${format}: annotations/instances_default.json is not JSON`);
    }
    expectShape(`${format} instances_default.json`, coco, {
      images: match.arrayOf(undefined, task.frameCount),
      annotations: match.arrayOf({ bbox: match.arrayOf(undefined, 4) }, shapes),
      categories: match.arrayContaining({ name: LABEL_NAME }),
    });
    return `${format}: ${coco.images?.length} images, ${coco.annotations?.length} annotations`;
  }
  const entries = await listZipEntries(path);
  if (entries.length === 0) throw new SmokeError('assertion', `${format}: the archive is empty`);
  return `${format}: ${entries.length} entries`;
}

async function exportDataset(ctx: CheckContext, task: TaskFixture, format: string, shapes: number): Promise<string> {
  ctx.step(`POST /api/tasks/${task.id}/dataset/export?format=${format}`);
  const res = await ctx.client.request<{ rq_id: string }>('POST', `/api/tasks/${task.id}/dataset/export`, {
    auth: ctx.admin,
    query: { format, save_images: false },
    signal: ctx.signal,
  });
  if (res.status === 405)
    throw new SmokeError('assertion', `the server says format '${format}' is not available for export (405)`, { status: 405 });
  if (res.status !== 202) throw new SmokeError('http', `${res.what} answered ${res.status}, expected 202`, { status: res.status });
  expectShape(res.what, res.body, { rq_id: match.string(/./) });
  const request = await waitForRequest(ctx, res.body.rq_id, 'export', 'workerExport', `the '${format}' export`);
  const slug = format.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const file = await downloadResult(ctx, request, `dataset-${slug}.zip`, `the '${format}' export`);
  return verifyDatasetArchive(format, file.path, task, shapes);
}

export const exportDatasetCheck: CheckDefinition = {
  id: 'export.dataset',
  title: 'the annotated task is exported (CVAT for images 1.1, COCO 1.0)',
  proves:
    'The export worker builds dataset archives in each format, result_url downloads them through the edge, and they contain the frames and shapes written.',
  components: ['workerExport'],
  dependsOn: ['annotations.roundtrip'],
  timeoutMs: 120_000 + EVENT_JOB_START_MS,
  async run(ctx) {
    const task = ctx.state.need('mainTask');
    const shapes = ctx.state.need('annotatedShapes');
    const summaries = await Promise.all(ctx.settings.exportFormats.map((format) => exportDataset(ctx, task, format, shapes)));
    for (const s of summaries) ctx.note(s);
  },
};

export const exportBackup: CheckDefinition = {
  id: 'export.backup',
  title: 'a task backup is exported',
  proves: 'The export worker writes a task backup whose task.json names the task; the file is kept for import.backup.',
  components: ['workerExport'],
  dependsOn: ['import.task-data'],
  timeoutMs: 120_000 + EVENT_JOB_START_MS,
  async run(ctx) {
    const task = ctx.state.need('mainTask');
    ctx.step(`POST /api/tasks/${task.id}/backup/export`);
    const res = await ctx.client.request<{ rq_id: string }>('POST', `/api/tasks/${task.id}/backup/export`, {
      auth: ctx.admin,
      signal: ctx.signal,
      expect: 202,
    });
    expectShape(res.what, res.body, { rq_id: match.string(/./) });
    const request = await waitForRequest(ctx, res.body.rq_id, 'export', 'workerExport', 'the task backup');
    const file = await downloadResult(ctx, request, 'task-backup.zip', 'the task backup');
    const raw = (await readZipEntry(file.path, 'task.json')).toString('utf8');
    let manifest: { name?: unknown };
    try {
      manifest = JSON.parse(raw) as { name?: unknown };
    } catch {
      throw new SmokeError('assertion', 'the task backup has a task.json that is not JSON');
    }
    if (manifest.name !== task.name)
      throw new SmokeError(
        'assertion',
        `the task backup's task.json names ${JSON.stringify(manifest.name)}, expected ${JSON.stringify(task.name)}`,
      );
    ctx.state.values.backupFile = file.path;
    ctx.note(`backup ${file.bytes} bytes`);
  },
};

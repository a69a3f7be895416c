/**
 * Item 9 of issue 6 (first half): a quality report is computed against a ground-truth job.
 *
 * Upstream facts (cvat-ai/cvat@v2.73.0):
 * - `POST /api/jobs {type: "ground_truth", task_id, frame_selection_method: "random_uniform", frame_count,
 *   random_seed}` creates the GT job (201); `PATCH /api/jobs/{id} {stage, state}` answers 200.
 * - cvat/apps/quality_control/quality_reports.py `QualityReportRQJobManager.validate_request`: a task report
 *   needs a GT job at stage "acceptance" in state "completed" (else 400), 2D only; `enqueue_job` answers
 *   202 `{rq_id}` (409 while one runs) on the `quality_reports` queue. The 201 of the deprecated
 *   `?rq_id=` status poll is not used.
 * - cvat/apps/quality_control/views.py `QualityReportViewSet.get_queryset`: `task_id` and `target=task`
 *   filter the list.
 */
import { SmokeError } from '../errors';
import { expectShape, match } from '../expect';
import { excerpt } from '../http/client';
import type { CheckDefinition } from '../runner/types';
import { waitForRequest, EVENT_JOB_START_MS } from './helpers';

export const qualityReport: CheckDefinition = {
  id: 'quality.report',
  title: 'a quality report is computed against a ground-truth job',
  proves:
    'The quality_reports worker computes a report: a ground-truth job is created and completed, POST /api/quality/reports is processed, and the ' +
    'report is listed.',
  components: ['workerQualityReports'],
  dependsOn: ['import.task-data'],
  timeoutMs: 150_000 + EVENT_JOB_START_MS,
  async run(ctx) {
    const task = ctx.state.need('qualityTask');
    ctx.step(`creating a ground-truth job in task ${task.id}`);
    const gt = await ctx.client.request<{ id: number }>('POST', '/api/jobs', {
      auth: ctx.admin,
      json: { type: 'ground_truth', task_id: task.id, frame_selection_method: 'random_uniform', frame_count: 1, random_seed: 1 },
      signal: ctx.signal,
      expect: 201,
    });
    expectShape(gt.what, gt.body, { id: match.integer(1) });
    ctx.step(`completing ground-truth job ${gt.body.id}`);
    await ctx.client.request('PATCH', `/api/jobs/${gt.body.id}`, {
      auth: ctx.admin,
      json: { stage: 'acceptance', state: 'completed' },
      signal: ctx.signal,
      expect: 200,
      read: 'discard',
    });

    ctx.step('POST /api/quality/reports');
    const res = await ctx.client.request<{ rq_id?: string }>('POST', '/api/quality/reports', {
      auth: ctx.admin,
      json: { task_id: task.id },
      signal: ctx.signal,
    });
    if (res.status !== 202) {
      throw new SmokeError('http', `${res.what} answered ${res.status}, expected 202: ${excerpt(res.body)}`, { status: res.status });
    }
    expectShape(res.what, res.body, { rq_id: match.string(/./) });
    await waitForRequest(ctx, res.body.rq_id as string, 'quality_reports', 'workerQualityReports', 'the quality report');
    const list = await ctx.client.request<{ count: number }>('GET', '/api/quality/reports', {
      auth: ctx.admin,
      query: { task_id: task.id, target: 'task' },
      signal: ctx.signal,
      expect: 200,
    });
    expectShape(list.what, list.body, { count: match.integer(1) });
  },
};

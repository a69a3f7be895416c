/**
 * Item 9 of issue 6 (second half): consensus replicas are merged.
 *
 * Upstream facts (cvat-ai/cvat@v2.73.0): cvat/apps/consensus/merging_manager.py refuses a merge (400) unless
 * consensus is enabled, the task is 2D and some replica is not (stage annotation, state new); a replica set to
 * state "in progress" qualifies. `POST /api/consensus/merges {task_id}` → 202 `{rq_id}` on the `consensus` queue.
 */
import { SmokeError } from '../errors';
import { expectShape, match } from '../expect';
import type { CheckDefinition } from '../runner/types';
import { jobIdsOf, waitForRequest, EVENT_JOB_START_MS } from './helpers';

export const consensusMerge: CheckDefinition = {
  id: 'consensus.merge',
  title: 'consensus replicas are merged',
  proves: 'The consensus worker merges replica jobs: with one replica in progress, POST /api/consensus/merges is processed to finished.',
  components: ['workerConsensus'],
  dependsOn: ['import.task-data'],
  timeoutMs: 150_000 + EVENT_JOB_START_MS,
  async run(ctx) {
    const task = ctx.state.need('consensusTask');
    ctx.step(`listing the consensus replicas of task ${task.id}`);
    const replicas = await jobIdsOf(ctx, task.id, 'consensus_replica');
    if (replicas.length < 2)
      throw new SmokeError(
        'assertion',
        `task ${task.name} has ${replicas.length} consensus replica jobs, expected at least 2 (consensus_replicas=2)`,
      );
    ctx.step(`marking replica ${replicas[0]} in progress`);
    await ctx.client.request('PATCH', `/api/jobs/${replicas[0]}`, {
      auth: ctx.admin,
      json: { state: 'in progress' },
      signal: ctx.signal,
      expect: 200,
      read: 'discard',
    });
    ctx.step('POST /api/consensus/merges');
    const res = await ctx.client.request<{ rq_id: string }>('POST', '/api/consensus/merges', {
      auth: ctx.admin,
      json: { task_id: task.id },
      signal: ctx.signal,
      expect: 202,
    });
    expectShape(res.what, res.body, { rq_id: match.string(/./) });
    await waitForRequest(ctx, res.body.rq_id, 'consensus', 'workerConsensus', 'the consensus merge');
  },
};

// The worker processes of an RQ runner are derived from its queues (rqRunnerGroups), never configured: a queue whose
// callers wait synchronously (chunks) always gets a process of its own, so it cannot wait behind another queue's job.
// This holds by construction for every set of queues a runner can be given; these tests check it over all of them
// instead of a named rule (no catalogue can express a shared process for such a queue).
import { describe, expect, it } from 'vitest';
import {
  appSpecs,
  CPU_PER_EXTRA_WORKER_PROCESS,
  parseRqRunner,
  RQ_QUEUE_NAMES,
  RQ_QUEUES,
  RQ_RUNNER,
  rqRunnerArgs,
  rqRunnerCommand,
  rqRunnerGroups,
  WORKER_NAMES,
} from '../src/index';
import { comp, resolvedWith } from './support/catalogue';

/** Every non-empty subset of the CVAT queues (511), each in RQ_QUEUES order. */
function subsets(): string[][] {
  const out: string[][] = [];
  for (let mask = 1; mask < 1 << RQ_QUEUE_NAMES.length; mask++) out.push(RQ_QUEUE_NAMES.filter((_, i) => mask & (1 << i)));
  return out;
}

describe('rqRunnerGroups: the worker processes of a runner', () => {
  it('gives chunks its own process and the other queues one shared process in RQ_QUEUES order, scheduler flag where needed', () => {
    expect(rqRunnerGroups(['webhooks', 'cleaning', 'chunks', 'notifications'])).toEqual([
      { queues: ['chunks'], flags: [] },
      { queues: ['webhooks', 'notifications', 'cleaning'], flags: ['--with-scheduler'] },
    ]);
    expect(rqRunnerArgs(['chunks', 'webhooks', 'notifications', 'cleaning'])).toEqual([
      'chunks',
      RQ_RUNNER.groupSeparator,
      'webhooks',
      'notifications',
      'cleaning',
      '--with-scheduler',
    ]);
    // one process: exactly the arguments of one rqworker, no separator
    expect(rqRunnerArgs(['webhooks', 'notifications', 'cleaning'])).toEqual(['webhooks', 'notifications', 'cleaning', '--with-scheduler']);
    expect(rqRunnerArgs(['chunks'])).toEqual(['chunks']);
    expect(rqRunnerArgs(['import'], { burstMaxJobs: 5 })).toEqual(['import', '--burst', '--max-jobs=5']);
  });

  it(`never lets a queue a caller waits on share a process, for every set of queues (${subsets().length})`, () => {
    for (const queues of subsets()) {
      const groups = rqRunnerGroups(queues);
      const what = queues.join(' ');
      // every queue in exactly one process
      expect(groups.flatMap((g) => g.queues).sort(), what).toEqual([...queues].sort());
      for (const g of groups) {
        if (g.queues.some((q) => RQ_QUEUES[q]?.callerWaits)) expect(g.queues, what).toHaveLength(1);
        // RQ's scheduler runs in the process whose queues need it, and only there
        expect(g.flags.includes('--with-scheduler'), what).toBe(g.queues.some((q) => RQ_QUEUES[q]?.scheduler === 'rq'));
        expect(g.flags.includes('--burst'), what).toBe(false);
      }
      // at most one process holds the queues nobody waits on
      expect(groups.filter((g) => !g.queues.some((q) => RQ_QUEUES[q]?.callerWaits)).length, what).toBeLessThanOrEqual(1);
      // what the container runs reads back to the same processes
      expect(parseRqRunner(rqRunnerCommand(true), rqRunnerArgs(queues))?.groups, what).toEqual(groups);
    }
  });

  it('keeps a burst runner (an event job) one process on all its queues', () => {
    expect(rqRunnerGroups(['import', 'export'], { burstMaxJobs: 2 })).toEqual([
      { queues: ['import', 'export'], flags: ['--burst', '--max-jobs=2'] },
    ]);
  });
});

describe('runners built from a queue assignment', () => {
  it('sizes an always-on worker by its processes: utils 0.75 vCPU / 1.5 GiB with chunks, 0.5 / 1 without', () => {
    const merged = comp(resolvedWith({ chunks: 'cvat-worker-utils' }), 'cvat-worker-utils');
    expect(merged.resources).toEqual({ cpuCores: 0.75, memoryGiB: 1.5 });
    const separate = resolvedWith({ chunks: 'cvat-worker-chunks' });
    expect(comp(separate, 'cvat-worker-utils').resources).toEqual({ cpuCores: 0.5, memoryGiB: 1 });
    expect(comp(separate, 'cvat-worker-chunks').resources).toEqual({ cpuCores: 0.5, memoryGiB: 1 });
    expect(CPU_PER_EXTRA_WORKER_PROCESS).toBe(0.25);
  });

  it.each(WORKER_NAMES.map((n) => [n]))('%s with chunks and webhooks: two processes, chunks alone', (name) => {
    const c = resolvedWith({ chunks: name, webhooks: name, notifications: name, cleaning: name });
    const x = comp(c, name);
    expect(parseRqRunner(x.command, x.args)?.groups.map((g) => g.queues)).toEqual([['chunks'], ['webhooks', 'notifications', 'cleaning']]);
  });

  it('exposes the processes in the app spec (infra, drift and the cost estimator read them there)', () => {
    const c = resolvedWith({ chunks: 'cvat-worker-utils' });
    const specs = appSpecs(c);
    const utils = specs.find((s) => s.name === 'cvat-worker-utils')!;
    expect(utils.workerProcesses).toEqual([
      { queues: ['chunks'], flags: [] },
      { queues: ['webhooks', 'notifications', 'cleaning'], flags: ['--with-scheduler'] },
    ]);
    const job = specs.find((s) => s.name === 'cvat-job-import')!;
    expect(job.workerProcesses).toEqual([{ queues: ['import'], flags: ['--burst', expect.stringMatching(/^--max-jobs=\d+$/)] }]);
    expect(specs.find((s) => s.name === 'cvat-server')!.workerProcesses).toEqual([]);
    // every queue runs in exactly one process of the deployed apps
    expect(
      specs
        .flatMap((s) => s.workerProcesses)
        .flatMap((g) => g.queues)
        .sort(),
    ).toEqual([...RQ_QUEUE_NAMES].sort());
  });
});

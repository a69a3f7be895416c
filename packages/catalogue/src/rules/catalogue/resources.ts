import { ACA_LIMITS, ephemeralStorageBudgetGiB } from '../../data/aca-limits';
import { RQ_QUEUES } from '../../data/rq-queues';
import type { Catalogue } from '../../schema/catalogue';
import { defineRule, type Rule, type RuleIssue } from '../issues';
import { parseRqRunner } from '../../derivations/rq-runner';
import { cpath, enabled, runsScheduler, isMultipleOf } from './helpers';

/** Resources and replicas: CPU/memory pairs, profiles, replica bounds, scale to zero, ephemeral storage. */
export const RESOURCE_RULES: readonly Rule<Catalogue>[] = [
  /**
   * On the Consumption profile, CPU and memory form an exact pair: 0.25-4 vCPU in 0.25 steps and
   * memory = 2 GiB per vCPU. azurerm does not check this; the API rejects it at apply time.
   *
   * @see https://learn.microsoft.com/azure/container-apps/containers#allocations
   */
  defineRule('consumptionResourcePair', 'Consumption CPU/memory form a valid pair (0.25/0.5 … 4/8, memory = 2 × cpu).', (c, report) => {
    const out: RuleIssue[] = [];
    const {
      consumptionCpuCoresMin: min,
      consumptionCpuCoresMax: max,
      consumptionCpuCoresStep: step,
      consumptionMemoryGiBPerCpuCore: perCore,
    } = ACA_LIMITS;
    for (const x of c.components) {
      if (x.role === 'edge' || x.workloadProfile !== 'Consumption') continue;
      const { cpuCores, memoryGiB } = x.resources;
      if (cpuCores < min || cpuCores > max || !isMultipleOf(cpuCores, step)) {
        out.push(
          report.error(
            cpath(x, 'resources.cpuCores'),
            cpuCores,
            `must be a multiple of ${step} between ${min} and ${max} on the Consumption profile`,
          ),
        );
      } else if (Math.abs(memoryGiB - cpuCores * perCore) > 1e-9) {
        out.push(
          report.error(
            cpath(x, 'resources.memoryGiB'),
            memoryGiB,
            `must be ${cpuCores * perCore} (${perCore} × cpuCores ${cpuCores}) on the Consumption profile; valid pairs run from ` +
              `${min}/${min * perCore} to ${max}/${max * perCore}`,
          ),
        );
      }
    }
    return out;
  }),
  /** On a dedicated workload profile an app has no fixed pairs but must fit on one node of that profile. */
  defineRule('dedicatedProfileFit', 'Apps on a dedicated profile fit on one node.', (c, report) => {
    const out: RuleIssue[] = [];
    for (const x of c.components) {
      if (x.role === 'edge' || x.workloadProfile === 'Consumption') continue;
      const node = ACA_LIMITS.dedicatedProfiles[x.workloadProfile];
      if (x.resources.cpuCores > node.cpuCores) {
        out.push(
          report.error(
            cpath(x, 'resources.cpuCores'),
            x.resources.cpuCores,
            `must fit on one ${x.workloadProfile} node (at most ${node.cpuCores} vCPU)`,
          ),
        );
      }
      if (x.resources.memoryGiB > node.memoryGiB) {
        out.push(
          report.error(
            cpath(x, 'resources.memoryGiB'),
            x.resources.memoryGiB,
            `must fit on one ${x.workloadProfile} node (at most ${node.memoryGiB} GiB)`,
          ),
        );
      }
    }
    return out;
  }),
  /** Replicas within azurerm's bounds (min 0-300, max 1-300) and min ≤ max. */
  defineRule('replicaBounds', 'min 0-300, max 1-300, min ≤ max.', (c, report) => {
    const out: RuleIssue[] = [];
    const L = ACA_LIMITS;
    for (const x of c.components) {
      const { min, max } = x.replicas;
      if (min < L.minReplicasMin || min > L.minReplicasMax) {
        out.push(report.error(cpath(x, 'replicas.min'), min, `must be between ${L.minReplicasMin} and ${L.minReplicasMax}`));
      }
      if (max < L.maxReplicasMin || max > L.maxReplicasMax) {
        out.push(report.error(cpath(x, 'replicas.max'), max, `must be between ${L.maxReplicasMin} and ${L.maxReplicasMax}`));
      }
      if (min > max) {
        out.push(report.error(cpath(x, 'replicas.min'), min, `must be less than or equal to '${cpath(x, 'replicas.max')}' (${max})`));
      }
    }
    return out;
  }),
  /** A store (Redis, kvrocks, ClickHouse) runs exactly one replica: a second one would be a separate, empty store behind the same address. */
  defineRule('storesAreSingletons', 'Stateful stores run exactly one replica.', (c, report) => {
    return enabled(c)
      .filter((x) => x.role === 'store' && (x.replicas.max !== 1 || x.replicas.min !== 1))
      .map((x) => report.error(cpath(x, 'replicas'), x.replicas, 'must be { min: 1, max: 1 } for a stateful store'));
  }),
  /**
   * A worker that runs an RQ scheduler (webhooks `--with-scheduler`, utils with rqscheduler for
   * `cleaning`) runs exactly one replica and has no scale rule: two schedulers enqueue every
   * periodic job twice.
   */
  defineRule('schedulerWorkerSingleReplica', 'Workers running an RQ scheduler run exactly one replica and never scale.', (c, report) => {
    const out: RuleIssue[] = [];
    for (const x of enabled(c)) {
      if (!runsScheduler(x)) continue;
      if (x.replicas.min !== 1 || x.replicas.max !== 1) {
        out.push(report.error(cpath(x, 'replicas'), x.replicas, 'must be { min: 1, max: 1 }: this worker runs an RQ scheduler'));
      }
      if (x.scaleRules.length) {
        out.push(
          report.error(
            cpath(x, 'scaleRules'),
            x.scaleRules.map((r) => r.name),
            'must be empty: this worker runs an RQ scheduler and must not scale',
          ),
        );
      }
    }
    return out;
  }),
  /**
   * A long-running app without ingress and with `min` 0 needs a scale rule, or it scales to zero
   * and never wakes up.
   *
   * @see https://learn.microsoft.com/azure/container-apps/scale-app
   */
  defineRule('idleWorkersNeedScaleRule', 'Apps without ingress scale to 0 only with a scale rule.', (c, report) => {
    return enabled(c)
      .filter((x) => x.role !== 'job' && x.role !== 'edge' && !x.ingress && x.replicas.min === 0 && x.scaleRules.length === 0)
      .map((x) =>
        report.error(
          cpath(x, 'replicas.min'),
          0,
          'must be at least 1 for an app without ingress and without a scale rule (it would scale to zero and never wake up)',
        ),
      );
  }),
  /**
   * Scale-in never kills a running job. A worker app that can scale in (a scale rule, or
   * `replicas.max` above `replicas.min`) gets SIGTERM on scale-in and has `terminationGracePeriodSeconds`
   * to finish; RQ pops a job off the list when it starts, so KEDA sees an empty list and scales in
   * while long jobs still run. Such a worker may only serve queues whose job timeout fits in its grace
   * period; longer queues go to an event-driven job (never scaled in) or to a worker with fixed
   * replicas. Its command must be the RQ runner (SIGTERM reaches the worker itself, not supervisord,
   * whose 10 s stop timeout would kill any job).
   */
  defineRule(
    'scaleInNeverKillsAJob',
    'A worker that can scale in only serves queues whose jobs end within its grace period.',
    (c, report) => {
      const out: RuleIssue[] = [];
      for (const x of enabled(c).filter((y) => y.role === 'worker' && y.queues.length > 0)) {
        const scalesIn = x.scaleRules.length > 0 || x.replicas.max > x.replicas.min;
        if (!scalesIn) continue;
        const grace = x.terminationGracePeriodSeconds ?? 0;
        if (!parseRqRunner(x.command, x.args)) {
          out.push(
            report.error(
              cpath(x, 'command'),
              (x.command ?? []).slice(0, 3).map((a) => (a.length > 30 ? `${a.slice(0, 27)}...` : a)),
              'must start the RQ runner (rqRunnerCommand): behind supervisord a running job is killed 10 s after SIGTERM',
            ),
          );
        }
        const long = x.queues.filter((q) => {
          const t = RQ_QUEUES[q]?.timeoutSeconds;
          return t === undefined || t > grace;
        });
        if (long.length) {
          out.push(
            report.error(
              cpath(x, 'queues'),
              long,
              `must only hold queues whose jobs end within terminationGracePeriodSeconds (${grace} s) on a worker that scales in; ` +
                'serve them with an event job (queueRunners) or keep replicas.min = replicas.max without scale rules',
            ),
          );
        }
      }
      return out;
    },
  ),
  /** Ephemeral volumes of an app fit in the replica's ephemeral storage budget (1/2/4/8 GiB by CPU). */
  defineRule('ephemeralStorageFits', 'Ephemeral volumes fit in the replica budget.', (c, report) => {
    const out: RuleIssue[] = [];
    const storages = new Map(c.storages.map((s) => [s.name, s]));
    for (const x of enabled(c)) {
      if (x.role === 'edge') continue;
      const used = [...new Set(x.mounts.map((m) => m.storage))]
        .map((n) => storages.get(n))
        .filter((s) => s?.kind === 'ephemeral')
        .reduce((sum, s) => sum + (s?.quotaGiB ?? 0), 0);
      const budget = ephemeralStorageBudgetGiB(x.resources.cpuCores);
      if (used > budget) {
        out.push(
          report.error(
            cpath(x, 'mounts'),
            `${used} GiB ephemeral`,
            `must fit in the ${budget} GiB ephemeral storage of a ${x.resources.cpuCores} vCPU replica; raise cpuCores, lower the storage quotaGiB or use nfs`,
          ),
        );
      }
    }
    return out;
  }),
];

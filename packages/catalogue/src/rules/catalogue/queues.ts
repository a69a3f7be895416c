import { ACA_LIMITS } from '../../data/aca-limits';
import { RUNNER_START_MARGIN_SECONDS } from '../../data/components';
import { queueAllowsEventJob, RQ_QUEUE_NAMES, RQ_QUEUES, rqQueueKey } from '../../data/rq-queues';
import { parseRqRunner } from '../../derivations/rq-runner';
import type { Catalogue } from '../../schema/catalogue';
import { defineRule, type Rule, type RuleIssue } from '../issues';
import { cpath, enabled } from './helpers';

/** Queues and scaling: every queue served, Redis-queue scale rules. */
export const QUEUE_RULES: readonly Rule<Catalogue>[] = [
  /**
   * Every CVAT queue is served by exactly one enabled runner (an always-on worker or an event-driven
   * job), and runners only name known queues. Two runners on one queue would split its jobs between
   * them (and two schedulers would enqueue every periodic job twice); none would leave its requests
   * queued forever. The runner of chunks in particular is not optional.
   */
  defineRule('everyQueueServedOnce', 'Every CVAT queue is served by exactly one enabled runner.', (c, report) => {
    const out: RuleIssue[] = [];
    const served = new Map<string, string[]>();
    for (const x of enabled(c)) {
      x.queues.forEach((q, i) => {
        if (!(q in RQ_QUEUES))
          out.push(report.error(cpath(x, `queues[${i}]`), q, `must be one of the CVAT queues (${RQ_QUEUE_NAMES.join(', ')})`));
        served.set(q, [...(served.get(q) ?? []), x.name]);
      });
    }
    for (const q of RQ_QUEUE_NAMES) {
      const by = served.get(q) ?? [];
      if (by.length === 0)
        out.push(report.error(`queueRunners.${q}`, q, 'must be served by an enabled runner (requests on this queue would never finish)'));
      if (by.length > 1)
        out.push(report.error(`queueRunners.${q}`, by, 'must be served by exactly one runner (each runner takes jobs off the same list)'));
    }
    return out;
  }),
  /**
   * Queues a caller waits on (chunks) or that need a scheduler (webhooks, cleaning) are served by an
   * always-on worker: an event-driven job would add its cold start to an HTTP request, and a scheduler
   * has to run while nothing is queued.
   */
  defineRule(
    'eventJobsServeBurstQueuesOnly',
    'Event-driven jobs serve only queues nobody waits on that need no scheduler.',
    (c, report) => {
      const out: RuleIssue[] = [];
      for (const x of enabled(c).filter((y) => y.role === 'job' && y.job?.trigger === 'event')) {
        x.queues.forEach((q, i) => {
          if (q in RQ_QUEUES && !queueAllowsEventJob(q)) {
            const why = RQ_QUEUES[q]?.callerWaits ? 'a caller waits for its jobs' : `it needs the ${RQ_QUEUES[q]?.scheduler} scheduler`;
            out.push(
              report.error(
                cpath(x, `queues[${i}]`),
                q,
                `must be served by an always-on worker (${why}); event jobs may serve ${RQ_QUEUE_NAMES.filter(queueAllowsEventJob).join(', ')}`,
              ),
            );
          }
        });
      }
      return out;
    },
  ),
  /**
   * An event-driven job's executions are burst RQ workers that take at most `--max-jobs` jobs, so one
   * ends by itself before the platform's replica timeout stops it: the timeout covers the start
   * margin plus that many of its longest jobs (capped at the longest timeout the catalogue allows,
   * which only the 24 h annotation queue reaches).
   */
  defineRule('eventJobsEndBeforeTheirTimeout', 'An event job execution ends by itself before its replica timeout.', (c, report) => {
    const out: RuleIssue[] = [];
    for (const x of enabled(c).filter((y) => y.role === 'job' && y.job?.trigger === 'event')) {
      const runner = parseRqRunner(x.command, x.args);
      if (!runner?.burst || runner.maxJobs === undefined || !(runner.maxJobs >= 1)) {
        out.push(
          report.error(
            cpath(x, 'args'),
            x.args,
            `must run the RQ runner in burst mode with a job limit (rqRunnerCommand(false) + rqRunnerArgs(queues, { burstMaxJobs }))`,
          ),
        );
        continue;
      }
      if (runner.queues.join(' ') !== x.queues.join(' '))
        out.push(report.error(cpath(x, 'args'), runner.queues, `must name the queues the job serves (${x.queues.join(', ')})`));
      const longest = Math.max(0, ...x.queues.map((q) => RQ_QUEUES[q]?.timeoutSeconds ?? ACA_LIMITS.jobReplicaTimeoutSecondsMax));
      const needed = Math.min(ACA_LIMITS.jobReplicaTimeoutSecondsMax, RUNNER_START_MARGIN_SECONDS + runner.maxJobs * longest);
      const timeout = x.job?.replicaTimeoutSeconds ?? 0;
      if (timeout < needed)
        out.push(
          report.error(
            cpath(x, 'job.replicaTimeoutSeconds'),
            timeout,
            `must be at least ${needed} (${RUNNER_START_MARGIN_SECONDS} s to start + ${runner.maxJobs} × ${longest} s jobs): ` +
              'the platform would stop a running job',
          ),
        );
    }
    return out;
  }),
  /**
   * Redis-queue scale rules watch `rq:queue:<queue>` of a queue the worker serves, in database 0 of
   * the in-memory Redis, and authenticate with its password.
   */
  defineRule('redisQueueScaleRules', 'Redis-queue scale rules watch a served queue with the Redis password.', (c, report) => {
    const out: RuleIssue[] = [];
    const redis = c.components.find((x) => x.name === 'cvat-redis-inmem');
    const address = redis?.ingress?.exposedPort ? `${redis.name}:${redis.ingress.exposedPort}` : undefined;
    for (const x of enabled(c)) {
      x.scaleRules.forEach((r, i) => {
        if (r.kind !== 'redis-queue') return;
        const at = (f: string) => cpath(x, `scaleRules[${i}].${f}`);
        const allowed = x.queues.map(rqQueueKey);
        if (!allowed.includes(r.metadata.listName ?? ''))
          out.push(
            report.error(at('metadata.listName'), r.metadata.listName, `must be one of ${allowed.join(', ') || '(no queues served)'}`),
          );
        if (r.metadata.host !== undefined || r.metadata.port !== undefined)
          out.push(report.error(at('metadata'), r.metadata, 'must give the Redis server as "address" (host:port), not host and port'));
        if (r.metadata.enableTLS !== 'false')
          out.push(
            report.error(
              at('metadata.enableTLS'),
              r.metadata.enableTLS,
              'must be "false" (the in-memory Redis speaks plain TCP inside the environment)',
            ),
          );
        if (address && r.metadata.address !== address)
          out.push(report.error(at('metadata.address'), r.metadata.address, `must be "${address}" (the in-memory Redis)`));
        if ((r.metadata.databaseIndex ?? '0') !== '0')
          out.push(report.error(at('metadata.databaseIndex'), r.metadata.databaseIndex, 'must be "0" (RQ queues live in database 0)'));
        if (!/^[1-9][0-9]*$/.test(r.metadata.listLength ?? ''))
          out.push(
            report.error(at('metadata.listLength'), r.metadata.listLength, 'must be a positive whole number of queued jobs per replica'),
          );
        if (!(r.auth ?? []).some((a) => a.triggerParameter === 'password'))
          out.push(report.error(at('auth'), r.auth, 'must pass the Redis password (triggerParameter "password")'));
      });
    }
    return out;
  }),
];

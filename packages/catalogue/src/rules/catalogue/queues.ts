import { RQ_QUEUES, rqQueueKey } from '../../data/rq-queues';
import type { Catalogue } from '../../schema/catalogue';
import { defineRule, type Rule, type RuleIssue } from '../issues';
import { cpath, enabled } from './helpers';

/** Queues and scaling: every queue served, Redis-queue scale rules. */
export const QUEUE_RULES: readonly Rule<Catalogue>[] = [
  /** Every CVAT queue is served by an enabled worker, and workers only name known queues. The chunks worker in particular is not optional. */
  defineRule('everyQueueServed', 'Every CVAT queue has an enabled worker.', (c, report) => {
    const out: RuleIssue[] = [];
    const served = new Map<string, string[]>();
    for (const x of enabled(c)) {
      x.queues.forEach((q, i) => {
        if (!(q in RQ_QUEUES))
          out.push(report.error(cpath(x, `queues[${i}]`), q, `must be one of the CVAT queues (${Object.keys(RQ_QUEUES).join(', ')})`));
        served.set(q, [...(served.get(q) ?? []), x.name]);
      });
    }
    for (const q of Object.keys(RQ_QUEUES)) {
      const by = served.get(q) ?? [];
      if (by.length === 0)
        out.push(report.error('components', q, 'must be served by an enabled worker (requests on this queue would never finish)'));
      if (by.length > 1) out.push(report.warning('components', q, `is served by several workers (${by.join(', ')})`));
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

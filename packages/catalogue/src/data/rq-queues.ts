/** What a CVAT queue needs from the runner that serves it. */
export interface RqQueueFacts {
  /** RQ job timeout in seconds (`DEFAULT_TIMEOUT`); `undefined` would mean unbounded. */
  readonly timeoutSeconds: number | undefined;
  /** Whether upstream starts smokescreen (the SSRF proxy) next to the worker of this queue. */
  readonly smokescreen: boolean;
  /**
   * The scheduler the queue needs: `rq` = RQ's own scheduler in a worker started with
   * `--with-scheduler` on this queue (moves retries with intervals from the queue's scheduled-job
   * registry); `rqscheduler` = the rq-scheduler process upstream starts with this queue's worker
   * (moves cron and `enqueue_in` jobs of every queue); `undefined` = none.
   */
  readonly scheduler: 'rq' | 'rqscheduler' | undefined;
  /** Whether a caller waits synchronously for the result (an HTTP request blocked on the job). */
  readonly callerWaits: boolean;
  /** What the queue carries. */
  readonly description: string;
}

/**
 * The RQ queues CVAT v2.73.0 defines (`CVAT_QUEUES` and `RQ_QUEUES` of cvat-ai/cvat@v2.73.0
 * cvat/settings/base.py), with:
 *
 * - their job timeouts in seconds (`RQ_QUEUES[...]["DEFAULT_TIMEOUT"]`: import and export 4h,
 *   annotation 24h, webhooks 25s, notifications 1h, quality_reports 1h, cleaning 2h, chunks 5m,
 *   consensus 1h);
 * - whether the worker serving them starts smokescreen (cvat-ai/cvat@v2.73.0
 *   backend_entrypoint.d/cvat.conf: annotation, chunks, export, import, webhooks and the server;
 *   clamav for import only with `CLAM_AV=yes`, which the cvat/server image is not built with);
 * - the scheduler they need: `webhooks` deliveries are enqueued with `Retry(max, interval=[...])`
 *   (cvat/apps/webhooks/dispatch.py), which only a worker run with `--with-scheduler` on that queue
 *   re-enqueues (docker-compose.yml `run worker webhooks --with-scheduler`); `cleaning` gets the
 *   rqscheduler process (backend_entrypoint.d/cvat.conf `["cleaning"]="rqscheduler"`,
 *   supervisord/reusable/rqscheduler.conf), which runs the cron jobs `syncperiodicjobs` registers
 *   (`PERIODIC_RQ_JOBS`, all on `cleaning`) and the `enqueue_in` jobs of rq-scheduler (export
 *   retries in cvat/apps/dataset_manager/views.py, import-cache cleanup in
 *   cvat/apps/engine/mixins.py) for every queue;
 * - whether a caller waits for the job: the server blocks an HTTP request on `chunks` (media-cache
 *   miss); every other queue is polled by the client through `/api/requests/<rq_id>` or runs in the
 *   background.
 *
 * Each queue is a Redis list `rq:queue:<name>` in database 0 of the in-memory Redis
 * (`REDIS_INMEM_DATABASES.RQ`); KEDA `redis` scale rules key on those lists.
 *
 * @see https://github.com/cvat-ai/cvat/blob/v2.73.0/cvat/settings/base.py
 */
export const RQ_QUEUES: Readonly<Record<string, RqQueueFacts>> = {
  import: {
    timeoutSeconds: 4 * 3600,
    smokescreen: true,
    scheduler: undefined,
    callerWaits: false,
    description: 'task data creation, annotation/dataset/backup import',
  },
  export: {
    timeoutSeconds: 4 * 3600,
    smokescreen: true,
    scheduler: undefined,
    callerWaits: false,
    description: 'dataset/annotation/backup export and events export',
  },
  annotation: {
    timeoutSeconds: 24 * 3600,
    smokescreen: true,
    scheduler: undefined,
    callerWaits: false,
    description: 'auto-annotation requests (needs Nuclio)',
  },
  webhooks: {
    timeoutSeconds: 25,
    smokescreen: true,
    scheduler: 'rq',
    callerWaits: false,
    description: 'webhook deliveries and redeliveries (RQ scheduler drives retries)',
  },
  notifications: {
    timeoutSeconds: 3600,
    smokescreen: false,
    scheduler: undefined,
    callerWaits: false,
    description: 'notifications (no community-edition API action known)',
  },
  quality_reports: {
    timeoutSeconds: 3600,
    smokescreen: false,
    scheduler: undefined,
    callerWaits: false,
    description: 'quality report computation',
  },
  cleaning: {
    timeoutSeconds: 2 * 3600,
    smokescreen: false,
    scheduler: 'rqscheduler',
    callerWaits: false,
    description: 'periodic cleanup jobs run by rqscheduler',
  },
  chunks: {
    timeoutSeconds: 5 * 60,
    smokescreen: true,
    scheduler: undefined,
    callerWaits: true,
    description: 'on-demand chunk and preview preparation',
  },
  consensus: {
    timeoutSeconds: 3600,
    smokescreen: false,
    scheduler: undefined,
    callerWaits: false,
    description: 'consensus merges',
  },
};

/** The CVAT queues in `RQ_QUEUES` order. */
export const RQ_QUEUE_NAMES: readonly string[] = Object.keys(RQ_QUEUES);

/**
 * Whether an event-driven job (a burst worker started when the queue has jobs) may serve a queue:
 * not when a caller waits on it (the cold start would be added to an HTTP request) and not when it
 * needs a scheduler (a scheduler must run all the time, not only while jobs are queued).
 */
export function queueAllowsEventJob(queue: string): boolean {
  const q = RQ_QUEUES[queue];
  return q !== undefined && !q.callerWaits && q.scheduler === undefined;
}

/**
 * The Redis list key of an RQ queue, e.g. `rq:queue:import`: RQ keeps a queue's job ids in the list named by
 * `Queue.redis_queue_namespace_prefix` (`rq:queue:`) plus the queue name (rq/rq@v1.16 rq/queue.py, the version
 * cvat-ai/cvat@v2.73.0 cvat/requirements/base.txt pins).
 */
export function rqQueueKey(queue: string): string {
  return `rq:queue:${queue}`;
}

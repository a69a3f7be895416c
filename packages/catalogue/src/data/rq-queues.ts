/**
 * The RQ queues CVAT v2.73.0 defines, with their job timeouts in seconds (`RQ_QUEUES[...]
 * ["DEFAULT_TIMEOUT"]` of cvat-ai/cvat@v2.73.0 cvat/settings/base.py: import and export 4h,
 * annotation 24h, webhooks 25s, notifications 1h, quality_reports 1h, cleaning 2h, chunks 5m,
 * consensus 1h; `undefined` would mean unbounded) and whether the worker serving them starts
 * smokescreen (cvat-ai/cvat@v2.73.0 backend_entrypoint.d/cvat.conf: annotation, chunks, export,
 * import, webhooks).
 *
 * Each queue is a Redis list `rq:queue:<name>` in database 0 of the in-memory Redis
 * (`REDIS_INMEM_DATABASES.RQ`); KEDA `redis` scale rules key on those lists.
 *
 * @see https://github.com/cvat-ai/cvat/blob/v2.73.0/cvat/settings/base.py
 */
export const RQ_QUEUES: Readonly<Record<string, { timeoutSeconds: number | undefined; smokescreen: boolean; description: string }>> = {
  import: { timeoutSeconds: 4 * 3600, smokescreen: true, description: 'task data creation, annotation/dataset/backup import' },
  export: { timeoutSeconds: 4 * 3600, smokescreen: true, description: 'dataset/annotation/backup export and events export' },
  annotation: { timeoutSeconds: 24 * 3600, smokescreen: true, description: 'auto-annotation requests (needs Nuclio)' },
  webhooks: { timeoutSeconds: 25, smokescreen: true, description: 'webhook deliveries and redeliveries (RQ scheduler drives retries)' },
  notifications: { timeoutSeconds: 3600, smokescreen: false, description: 'notifications (no community-edition API action known)' },
  quality_reports: { timeoutSeconds: 3600, smokescreen: false, description: 'quality report computation' },
  cleaning: { timeoutSeconds: 2 * 3600, smokescreen: false, description: 'periodic cleanup jobs run by rqscheduler' },
  chunks: { timeoutSeconds: 5 * 60, smokescreen: true, description: 'on-demand chunk and preview preparation' },
  consensus: { timeoutSeconds: 3600, smokescreen: false, description: 'consensus merges' },
};

/** The Redis list key of an RQ queue, e.g. `rq:queue:import`. */
export function rqQueueKey(queue: string): string {
  return `rq:queue:${queue}`;
}

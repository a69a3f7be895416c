import { readFileSync } from 'node:fs';
import { configFileSourcePath } from '../data/config-files';

/**
 * The liveness endpoint every RQ worker serves next to its entrypoint, because Azure Container
 * Apps has no exec probes and upstream probes workers with an exec of CVAT's `workerprobe`
 * (cvat-ai/cvat@v2.73.0 helm-chart/templates/_helpers.tpl `cvat.backend.worker.livenessProbe`,
 * values.yaml `cvat.backend.worker.livenessProbe`: period 120 s, timeout 10 s).
 *
 * Details: the worker's container `command` is `python3 -c <script> --port <port> --main-process
 * 'django-admin rqworker' -- /opt/cvat/backend_entrypoint.sh bash -c <rq_runner.sh> cvat-rq-runner` and its
 * `args` the runner's queue groups (`rqRunnerCommand(true)`, `rqRunnerArgs`), so the container runs
 * `command + args`. The script (config/worker-liveness/worker_liveness.py, standard library only) forks
 * a small HTTP server and exec()s the image's entrypoint (cvat-ai/cvat@v2.73.0 Dockerfile
 * `ENTRYPOINT ["/opt/cvat/backend_entrypoint.sh"]`) in the original process, so SIGTERM still reaches
 * the runner. `GET /livez` answers 200 "starting" until that process, or one of its children, runs
 * `django-admin rqworker` (the runner first waits for its dependencies and the init job's migrations;
 * its `django-admin migrate --check` children do not count) and for `startGraceSeconds` more; after
 * that it runs `django-admin workerprobe <every queue of every group> --expected-num-workers $NUMPROCS`
 * (at most one at a time, a result reused for 20 s) and answers 200 or 503: one registered live
 * worker per queue means every worker process of the container is alive. The port is not exposed:
 * workers have no ingress, the platform probes the replica directly.
 */
export const WORKER_LIVENESS = {
  /** Container port of the endpoint. */
  port: 8081,
  /** HTTP path of the endpoint. */
  path: '/livez',
  /** The image's ENTRYPOINT, exec()ed by the script with the container args. */
  entrypoint: '/opt/cvat/backend_entrypoint.sh',
  /** Path of the script, relative to packages/catalogue. */
  source: 'config/worker-liveness/worker_liveness.py',
  /** Seconds the script gives one `workerprobe` run (its `--timeout` default); below the probe timeouts. */
  checkTimeoutSeconds: 50,
  /** Seconds after the first rqworker starts before checks apply, while the workers register (its `--grace` default). */
  startGraceSeconds: 120,
} as const;

let scriptText: string | undefined;

/**
 * The Python source of the liveness script as the container runs it: the file in the catalogue
 * package without its comment-only and blank lines (they would only enlarge every worker's
 * template; the script has no multi-line strings, so no code changes).
 */
export function workerLivenessScript(): string {
  scriptText ??= readFileSync(configFileSourcePath(WORKER_LIVENESS.source), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))
    .join('\n')
    .concat('\n');
  return scriptText;
}

/**
 * The container `command` of a worker with the liveness endpoint; the worker's `args`
 * (`run worker <queues>`) follow it.
 */
export function workerLivenessCommand(): string[] {
  return ['python3', '-c', workerLivenessScript(), '--port', String(WORKER_LIVENESS.port), '--', WORKER_LIVENESS.entrypoint];
}

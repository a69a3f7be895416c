import { readFileSync } from 'node:fs';
import { configFileSourcePath } from '../data/config-files';
import { WORKER_LIVENESS, workerLivenessScript } from './worker-liveness';

/**
 * How every CVAT RQ runner (an always-on worker app or an event-driven job) starts its worker:
 * through the image's entrypoint (cvat-ai/cvat@v2.73.0 Dockerfile
 * `ENTRYPOINT ["/opt/cvat/backend_entrypoint.sh"]`) and its `bash` subcommand (`exec bash "$@"`),
 * running config/rq-runner/rq_runner.sh, which waits like `run worker` and then exec()s
 * `django-admin rqworker` itself instead of supervisord. The platform's SIGTERM therefore reaches
 * the RQ worker, which finishes its current job (RQ's warm shutdown) within the termination grace
 * period; upstream's `run worker` puts supervisord in front, whose default `stopwaitsecs` of 10 s
 * (cvat-ai/cvat@v2.73.0 supervisord/worker.conf sets none) kills a running job 10 s after SIGTERM.
 *
 * The container runs `command + args`:
 *
 * - command: `[/opt/cvat/backend_entrypoint.sh, bash, -c, <script>, cvat-rq-runner]`, behind the
 *   liveness wrapper (`python3 -c <liveness script> --port 8081 --main-process django-admin --`) on
 *   always-on workers, whose wrapper exec()s the entrypoint in the same process;
 * - args: the queue names and rqworker flags (`--with-scheduler`, `--burst`, `--max-jobs=<n>`).
 *
 * Every `exec` keeps the process id, so the process the platform signals ends up being
 * `django-admin rqworker` (test/rq-runner-signals.test.ts runs this exact chain with a stand-in
 * worker).
 */
export const RQ_RUNNER = {
  /** The image's ENTRYPOINT. */
  entrypoint: '/opt/cvat/backend_entrypoint.sh',
  /** `$0` of the runner script, and the marker the liveness script finds the queues after. */
  name: 'cvat-rq-runner',
  /** Path of the script, relative to packages/catalogue. */
  source: 'config/rq-runner/rq_runner.sh',
  /** The program the runner exec()s last (what the liveness wrapper waits for). */
  mainProcess: 'django-admin',
} as const;

let scriptText: string | undefined;

/**
 * The bash source of the runner as the container runs it: the file without comment-only and blank
 * lines (they would only enlarge every runner's template; the script has no here-documents).
 */
export function rqRunnerScript(): string {
  scriptText ??= readFileSync(configFileSourcePath(RQ_RUNNER.source), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))
    .join('\n')
    .concat('\n');
  return scriptText;
}

/**
 * The container `command` of an RQ runner; its `args` ({@link rqRunnerArgs}) follow it.
 *
 * @param liveness put the worker liveness endpoint in front (always-on workers; a job needs none,
 *   its replica timeout bounds it)
 */
export function rqRunnerCommand(liveness: boolean): string[] {
  const runner = [RQ_RUNNER.entrypoint, 'bash', '-c', rqRunnerScript(), RQ_RUNNER.name];
  if (!liveness) return runner;
  return [
    'python3',
    '-c',
    workerLivenessScript(),
    '--port',
    String(WORKER_LIVENESS.port),
    '--main-process',
    RQ_RUNNER.mainProcess,
    '--',
    ...runner,
  ];
}

/** How one runner's worker runs. */
export interface RqRunnerMode {
  /** Run RQ's scheduler in the worker (`--with-scheduler`). @default false */
  readonly withScheduler?: boolean;
  /**
   * Burst mode: drain the queues and exit (`--burst`), after at most this many jobs
   * (`--max-jobs=<n>`), so that an execution cannot outlive its replica timeout.
   * @default - not burst (an always-on worker)
   */
  readonly burstMaxJobs?: number;
}

/** The container `args` of an RQ runner: queue names, then rqworker flags. */
export function rqRunnerArgs(queues: readonly string[], mode: RqRunnerMode = {}): string[] {
  const args = [...queues];
  if (mode.withScheduler) args.push('--with-scheduler');
  if (mode.burstMaxJobs !== undefined) args.push('--burst', `--max-jobs=${mode.burstMaxJobs}`);
  return args;
}

/** What {@link parseRqRunner} reads from a component's command and args. */
export interface ParsedRqRunner {
  /** Whether the liveness wrapper runs in front. */
  readonly liveness: boolean;
  /** Queue names. */
  readonly queues: readonly string[];
  /** `--with-scheduler` given. */
  readonly withScheduler: boolean;
  /** `--burst` given. */
  readonly burst: boolean;
  /** `--max-jobs=<n>`, when given. */
  readonly maxJobs: number | undefined;
}

/**
 * Reads an RQ runner's command line back (for rules and tests); `undefined` when the command is not
 * the runner's (e.g. upstream's `run worker`, which puts supervisord in front).
 */
export function parseRqRunner(command: readonly string[] | undefined, args: readonly string[] | undefined): ParsedRqRunner | undefined {
  const all = [...(command ?? []), ...(args ?? [])];
  const at = all.indexOf(RQ_RUNNER.name);
  if (at < 4 || all[at - 4] !== RQ_RUNNER.entrypoint || all[at - 3] !== 'bash' || all[at - 2] !== '-c') return undefined;
  const rest = all.slice(at + 1);
  const maxJobsArg = rest.find((a) => a.startsWith('--max-jobs='));
  return {
    liveness: at > 4,
    queues: rest.filter((a) => !a.startsWith('--')),
    withScheduler: rest.includes('--with-scheduler'),
    burst: rest.includes('--burst'),
    maxJobs: maxJobsArg === undefined ? undefined : Number(maxJobsArg.slice('--max-jobs='.length)),
  };
}

import { readFileSync } from 'node:fs';
import { configFileSourcePath } from '../data/config-files';
import { RQ_QUEUE_NAMES, RQ_QUEUES } from '../data/rq-queues';
import { WORKER_LIVENESS, workerLivenessScript } from './worker-liveness';

/**
 * How every CVAT RQ runner (an always-on worker app or an event-driven job) starts its worker
 * process(es): through the image's entrypoint (cvat-ai/cvat@v2.73.0 Dockerfile
 * `ENTRYPOINT ["/opt/cvat/backend_entrypoint.sh"]`) and its `bash` subcommand (`exec bash "$@"`),
 * running config/rq-runner/rq_runner.sh, which waits like `run worker` and then starts
 * `django-admin rqworker` itself instead of supervisord. The platform's SIGTERM therefore reaches
 * the RQ worker, which finishes its current job (RQ's warm shutdown) within the termination grace
 * period; upstream's `run worker` puts supervisord in front, whose default `stopwaitsecs` of 10 s
 * (cvat-ai/cvat@v2.73.0 supervisord/worker.conf sets none) kills a running job 10 s after SIGTERM.
 *
 * The container runs `command + args`:
 *
 * - command: `[/opt/cvat/backend_entrypoint.sh, bash, -c, <script>, cvat-rq-runner]`, behind the
 *   liveness wrapper (`python3 -c <liveness script> --port 8081 --main-process 'django-admin rqworker' --`)
 *   on always-on workers, whose wrapper exec()s the entrypoint in the same process;
 * - args: per worker process ({@link rqRunnerGroups}) the queue names and rqworker flags
 *   (`--with-scheduler`, `--burst`, `--max-jobs=<n>`), processes separated by `::`.
 *
 * With one worker process every step exec()s, so the process the platform signals ends up being
 * `django-admin rqworker`. With several (an always-on worker serving `chunks` next to other queues) the
 * runner script stays that process, starts one rqworker child per group, forwards SIGTERM to all of
 * them and exits once all have finished their jobs; when one exits on its own it stops the others and
 * exits non-zero, so the platform restarts the container. test/rq-runner-signals.test.ts runs both
 * chains with real processes and a stand-in worker.
 */
export const RQ_RUNNER = {
  /** The image's ENTRYPOINT. */
  entrypoint: '/opt/cvat/backend_entrypoint.sh',
  /** `$0` of the runner script, and the marker the liveness script finds the queues after. */
  name: 'cvat-rq-runner',
  /** Path of the script, relative to packages/catalogue. */
  source: 'config/rq-runner/rq_runner.sh',
  /**
   * The worker program and subcommand (what the liveness wrapper waits for): the process the runner
   * exec()s with one worker process, or its children with several.
   */
  mainProcess: 'django-admin rqworker',
  /**
   * The argument that separates the worker processes of one runner in its `args` (see
   * {@link rqRunnerArgs}); neither a queue name nor an rqworker `--flag`.
   */
  groupSeparator: '::',
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
  /**
   * Burst mode: drain the queues and exit (`--burst`), after at most this many jobs
   * (`--max-jobs=<n>`), so that an execution cannot outlive its replica timeout. A burst runner is
   * one process on all its queues (an event job serves no queue a caller waits on).
   * @default - not burst (an always-on worker)
   */
  readonly burstMaxJobs?: number;
}

/**
 * One RQ worker process of a runner: `django-admin rqworker -v 3 <queues> --worker-class
 * cvat.rqworker.DefaultWorker <flags>`.
 */
export interface RqWorkerGroup {
  /** Queue names, in the order the process takes them. */
  readonly queues: readonly string[];
  /** rqworker flags (`--with-scheduler`, `--burst`, `--max-jobs=<n>`). */
  readonly flags: readonly string[];
}

/**
 * The RQ worker processes of an always-on runner serving `queues`, derived from the queues, not
 * configured: each queue whose callers wait synchronously (`RQ_QUEUES[q].callerWaits`, i.e. `chunks`)
 * gets a process of its own, so a request blocked on it never waits behind a webhook delivery or a
 * 2-hour cleanup job; all other queues share one process, in `RQ_QUEUES` order. A process gets
 * `--with-scheduler` when one of its queues needs RQ's scheduler (webhooks' delivery retries; RQ's
 * scheduler moves the scheduled jobs of the queues of its own worker only, rq/rq@v1.16 rq/scheduler.py).
 * The processes come in that order: the waited-on queues first, then the shared one. A burst runner
 * (`burstMaxJobs`) is one process on every queue, with `--burst --max-jobs=<n>`.
 */
export function rqRunnerGroups(queues: readonly string[], mode: RqRunnerMode = {}): RqWorkerGroup[] {
  const ordered = [...queues].sort((a, b) => order(a) - order(b));
  const flagsOf = (qs: readonly string[]): string[] => {
    const flags: string[] = [];
    if (qs.some((q) => RQ_QUEUES[q]?.scheduler === 'rq')) flags.push('--with-scheduler');
    if (mode.burstMaxJobs !== undefined) flags.push('--burst', `--max-jobs=${mode.burstMaxJobs}`);
    return flags;
  };
  if (mode.burstMaxJobs !== undefined) return ordered.length ? [{ queues: ordered, flags: flagsOf(ordered) }] : [];
  const own = ordered.filter((q) => RQ_QUEUES[q]?.callerWaits === true);
  const shared = ordered.filter((q) => RQ_QUEUES[q]?.callerWaits !== true);
  return [...own.map((q) => [q]), ...(shared.length ? [shared] : [])].map((qs) => ({ queues: qs, flags: flagsOf(qs) }));
}

/** Position of a queue in `RQ_QUEUES` order (unknown queues last, in the order given). */
function order(queue: string): number {
  const i = RQ_QUEUE_NAMES.indexOf(queue);
  return i === -1 ? RQ_QUEUE_NAMES.length : i;
}

/**
 * The container `args` of an RQ runner: per worker process ({@link rqRunnerGroups}) its queue names,
 * then its rqworker flags, the processes separated by `RQ_RUNNER.groupSeparator` (`::`). One process
 * gives exactly the arguments of one `rqworker` (no separator), e.g. `import --burst --max-jobs=5`;
 * two give e.g. `chunks :: webhooks notifications cleaning --with-scheduler`.
 */
export function rqRunnerArgs(queues: readonly string[], mode: RqRunnerMode = {}): string[] {
  return rqRunnerGroups(queues, mode).flatMap((g, i) => [...(i > 0 ? [RQ_RUNNER.groupSeparator] : []), ...g.queues, ...g.flags]);
}

/** What {@link parseRqRunner} reads from a component's command and args. */
export interface ParsedRqRunner {
  /** Whether the liveness wrapper runs in front. */
  readonly liveness: boolean;
  /** Queue names of every process, in argument order. */
  readonly queues: readonly string[];
  /** The worker processes, in argument order (one without a separator). */
  readonly groups: readonly RqWorkerGroup[];
  /** `--with-scheduler` given to some process. */
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
  const groups: { queues: string[]; flags: string[] }[] = [{ queues: [], flags: [] }];
  for (const a of rest) {
    const g = groups[groups.length - 1] as { queues: string[]; flags: string[] };
    if (a === RQ_RUNNER.groupSeparator) groups.push({ queues: [], flags: [] });
    else if (a.startsWith('--')) g.flags.push(a);
    else g.queues.push(a);
  }
  const flags = groups.flatMap((g) => g.flags);
  const maxJobsArg = flags.find((a) => a.startsWith('--max-jobs='));
  return {
    liveness: at > 4,
    queues: groups.flatMap((g) => g.queues),
    groups,
    withScheduler: flags.includes('--with-scheduler'),
    burst: flags.includes('--burst'),
    maxJobs: maxJobsArg === undefined ? undefined : Number(maxJobsArg.slice('--max-jobs='.length)),
  };
}

// Runs a catalogue RQ runner's command line (`command + args`, exactly as the container would) on this
// machine, against test doubles: the image entrypoint is replaced by test/support/backend_entrypoint_stand_in.sh
// (its `bash` subcommand only) and `django-admin`, `wait-for-it` and `smokescreen` by the stand-ins in
// test/support/rq-runner-bin (first on PATH). The runner script itself (config/rq-runner/rq_runner.sh)
// and the liveness wrapper (config/worker-liveness/worker_liveness.py) are the real ones.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RQ_RUNNER, WORKER_LIVENESS } from '../../src/index';

export const SUPPORT = resolve(__dirname);
export const ENTRYPOINT_STAND_IN = join(SUPPORT, 'backend_entrypoint_stand_in.sh');
export const BIN_STAND_INS = join(SUPPORT, 'rq-runner-bin');

/** Options of {@link runnerArgv}. */
export interface RunnerArgvOptions {
  /** Loopback port for the liveness endpoint (wrapped runners). */
  readonly port?: number;
  /** Extra options of the liveness wrapper, before its `--`. */
  readonly livenessOptions?: readonly string[];
}

/**
 * `command + args` with only what cannot run here replaced: the image entrypoint by its stand-in, and the
 * liveness endpoint moved to 127.0.0.1:<port>.
 */
export function runnerArgv(command: readonly string[], args: readonly string[], options: RunnerArgvOptions = {}): string[] {
  const all = [...command, ...args].map((a) => (a === RQ_RUNNER.entrypoint ? ENTRYPOINT_STAND_IN : a));
  const split = all.indexOf('--');
  if (all[0] !== 'python3' || split === -1) return all;
  const own = all.slice(3, split).map((a) => (options.port !== undefined && a === String(WORKER_LIVENESS.port) ? String(options.port) : a));
  return [...all.slice(0, 3), ...own, '--host', '127.0.0.1', ...(options.livenessOptions ?? []), ...all.slice(split)];
}

/** One line of the stand-ins' event log. */
export interface StandInEvent {
  /** Epoch milliseconds. */
  readonly at: number;
  /** Process id of the stand-in that wrote it. */
  readonly pid: number;
  readonly text: string;
}

/** A started runner. */
export interface RunningRunner {
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** The events the stand-ins recorded, in order (`job started`, `SIGTERM received…`, …). */
  events(): string[];
  /** The same events with the time (epoch ms) and the process id of the stand-in that recorded each. */
  eventLog(): StandInEvent[];
  /** Resolves with the exit code (or signal) once the top process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Spawns `argv` with the stand-ins first on PATH; `dir` receives the stand-ins' event log. */
export function spawnRunner(argv: readonly string[], dir: string, env: Record<string, string> = {}): RunningRunner {
  let out = '';
  const child = spawn(argv[0]!, argv.slice(1), {
    env: {
      ...process.env,
      PATH: `${BIN_STAND_INS}:${process.env.PATH ?? ''}`,
      STAND_IN_LOG_DIR: dir,
      STAND_IN_START: join(dir, 'start'),
      CVAT_POSTGRES_HOST: 'db.invalid',
      CVAT_REDIS_INMEM_HOST: 'cvat-redis-inmem',
      CVAT_REDIS_INMEM_PORT: '6379',
      CVAT_REDIS_ONDISK_HOST: 'cvat-redis-ondisk',
      CVAT_REDIS_ONDISK_PORT: '6666',
      SMOKESCREEN_OPTS: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: the runner's background side processes (smokescreen, rqscheduler loops) outlive the
    // worker here, where no container ends with it; stopRunner() ends the whole group.
    detached: true,
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal, at: Date.now() })),
  );
  const eventLog = (): StandInEvent[] => {
    const file = join(dir, 'events.log');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const m = /^([0-9.]+) ([0-9]+) (.*)$/.exec(l);
        if (!m) throw new Error(`test setup: a stand-in wrote an event line without time and pid: ${l}`);
        return { at: Number(m[1]) * 1000, pid: Number(m[2]), text: m[3] as string };
      });
  };
  return { child, output: () => out, events: () => eventLog().map((e) => e.text), eventLog, exited };
}

/** Waits until `ok()` holds (polling every 50 ms), failing with `what` after `ms`. */
export async function until(ok: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The command line of a process, from /proc (Linux), or undefined when it is gone. */
export function cmdline(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

/**
 * Ends a runner started by {@link spawnRunner} and everything in its process group (the side-process loops the
 * runner script starts), by the group id of that one child; waits for the top process when it still runs.
 */
export async function stopRunner(runner: RunningRunner | undefined): Promise<void> {
  const pid = runner?.child.pid;
  if (!runner || pid === undefined) return;
  const running = runner.child.exitCode === null && runner.child.signalCode === null;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
  if (running) await runner.exited;
}

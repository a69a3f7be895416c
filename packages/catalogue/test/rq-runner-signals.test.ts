// The signal path of every RQ runner, with real processes: the catalogue's command line (`command +
// args`, the liveness wrapper and the runner script unchanged) runs on this machine against test doubles
// for the image entrypoint (its `bash` subcommand: `exec bash "$@"`) and for `django-admin`, whose
// `rqworker` stand-in handles SIGTERM like rq 1.16.0's warm shutdown (finish the job, then exit).
//
// What it proves: SIGTERM sent to the process the platform signals (the container's main process, the
// one the command line started) reaches the worker process itself while it runs a job, because every
// step exec()s in place; the worker finishes the job and only then does that process exit, well within
// the grace period. With several worker processes in one runner (an always-on worker serving `chunks` next to
// other queues), the runner script stays in front, forwards SIGTERM to every worker, and exits 0 only after all
// of them finished their jobs; a worker that exits on its own makes it warm-stop the others and exit non-zero.
// What it does not prove: RQ's own shutdown code (the stand-in models it, see
// test/support/rq-runner-bin/django-admin), the CVAT image's real entrypoint (modelled after
// cvat-ai/cvat@v2.73.0 backend_entrypoint.sh cmd_bash), or PID-1 signal semantics inside a container
// (here the process is not PID 1).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACA_LIMITS, defaultCatalogue, EVENT_JOB_NAMES, parseRqRunner, RQ_RUNNER, RQ_QUEUES, type Component } from '../src/index';
import { comp, resolvedWith } from './support/catalogue';
import { cmdline, runnerArgv, spawnRunner, stopRunner, until, type RunningRunner } from './support/rq-runner-harness';
import { freePort } from './support/free-port';

const TOOLS = ['python3', 'bash'].every((t) => spawnSync(t, ['--version']).status === 0) && process.platform === 'linux';
if (!TOOLS) console.warn('[skipped] RQ runner signal tests: they need python3, bash and /proc (Linux)');

/** Seconds the stand-in's job runs: SIGTERM arrives in the middle of it. */
const JOB_SECONDS = 2;

interface Outcome {
  /** The top process's command line while the job ran (what the platform would signal). */
  readonly signalled: string[];
  readonly events: string[];
  readonly exit: { code: number | null; signal: NodeJS.Signals | null };
  /** Whether the job finished before the top process exited. */
  readonly jobFinishedBeforeExit: boolean;
  /** Seconds from SIGTERM to the top process's exit. */
  readonly shutdownSeconds: number;
}

describe.skipIf(!TOOLS)('RQ runners receive SIGTERM themselves and finish their job (real processes, test doubles)', () => {
  let dir: string;
  let running: RunningRunner | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rq-runner-'));
    writeFileSync(join(dir, 'start'), ''); // migrations done: the runner goes straight to the worker
  });
  afterEach(async () => {
    await stopRunner(running);
    running = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `argv` until its job is running, sends SIGTERM to the top process and watches what follows. */
  async function terminateDuringJob(argv: string[]): Promise<Outcome> {
    running = spawnRunner(argv, dir, { STAND_IN_JOB_SECONDS: String(JOB_SECONDS) });
    const r = running;
    await until(() => r.events().includes('job started'), `the stand-in worker's job to start\n${r.output()}`);
    const signalled = cmdline(r.child.pid!) ?? [];
    const sent = Date.now();
    r.child.kill('SIGTERM');
    const exit = await Promise.race([
      r.exited,
      new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`no exit within 20 s\n${r.output()}`)), 20_000)),
    ]);
    // give an orphaned worker (if the top process did not wait for it) time to finish and log
    if (!r.events().includes('job finished')) await new Promise((done) => setTimeout(done, (JOB_SECONDS + 0.5) * 1000));
    const events = r.events().filter((e) => !e.startsWith('smokescreen'));
    const jobFinishedBeforeExit = events.includes('job finished') && exit.at >= finishedAt(dir);
    return { signalled, events, exit, jobFinishedBeforeExit, shutdownSeconds: (exit.at - sent) / 1000 };
  }

  /** Asserts the warm-shutdown outcome; a non-forwarding process in front fails it. */
  function expectWarmShutdown(o: Outcome, grace: number): void {
    expect(o.signalled.slice(0, 3).map((a) => a.split('/').pop())).toEqual([
      expect.stringMatching(/^python3?/),
      'django-admin',
      'rqworker',
    ]);
    expect(o.events).toEqual([
      expect.stringMatching(/^rqworker pid=/),
      'job started',
      'SIGTERM received: warm shutdown, finishing the current job',
      'job finished',
      'exiting 0 after the warm shutdown',
    ]);
    expect(o.exit).toMatchObject({ code: 0, signal: null });
    expect(o.jobFinishedBeforeExit).toBe(true);
    expect(o.shutdownSeconds).toBeLessThan(grace);
  }

  it('the utils worker with one process (chunks back on its own worker): the runner exec()s rqworker, which finishes its job', async () => {
    const x = comp(resolvedWith({ chunks: 'cvat-worker-chunks' }), 'cvat-worker-utils');
    expect(parseRqRunner(x.command, x.args)).toMatchObject({ liveness: true, queues: ['webhooks', 'notifications', 'cleaning'] });
    const o = await terminateDuringJob(runnerArgv(x.command!, x.args!, { port: await freePort() }));
    expectWarmShutdown(o, x.terminationGracePeriodSeconds ?? 0);
    expect(o.events[0]).toBe(
      `rqworker pid=${running!.child.pid} args=-v 3 webhooks notifications cleaning --worker-class cvat.rqworker.DefaultWorker --with-scheduler`,
    );
    expect(running!.events()).toContain('smokescreen --listen-ip=127.0.0.1'); // webhooks gets the SSRF proxy, as upstream
  });

  it('the chunks worker brought back (queueRunners chunks: cvat-worker-chunks), the one that scales in: 600 s grace, 300 s jobs', async () => {
    const x = comp(resolvedWith({ chunks: 'cvat-worker-chunks' }), 'cvat-worker-chunks');
    expect(x.enabled).toBe(true);
    expect(x.scaleRules.length).toBeGreaterThan(0);
    expect(x.terminationGracePeriodSeconds).toBe(ACA_LIMITS.terminationGracePeriodSecondsMax);
    expectWarmShutdown(
      await terminateDuringJob(runnerArgv(x.command!, x.args!, { port: await freePort() })),
      x.terminationGracePeriodSeconds!,
    );
  });

  describe('a runner with two worker processes (chunks in its own process next to webhooks, notifications, cleaning)', () => {
    const utilsWithChunks = () => comp(resolvedWith({ chunks: 'cvat-worker-utils' }), 'cvat-worker-utils');
    const PROCESS_EVENTS = [
      expect.stringMatching(/^rqworker pid=/),
      'job started',
      'SIGTERM received: warm shutdown, finishing the current job',
      'job finished',
      'exiting 0 after the warm shutdown',
    ];

    it('forwards SIGTERM to both workers, which finish their running jobs at the same time; exits 0 after both', async () => {
      const x = utilsWithChunks();
      expect(parseRqRunner(x.command, x.args)?.groups).toEqual([
        { queues: ['chunks'], flags: [] },
        { queues: ['webhooks', 'notifications', 'cleaning'], flags: ['--with-scheduler'] },
      ]);
      const grace = x.terminationGracePeriodSeconds ?? 0;
      // parallel shutdown: the grace period covers the longest job the platform may interrupt on scale-in, chunks' 300 s
      expect(grace).toBeGreaterThanOrEqual(RQ_QUEUES.chunks!.timeoutSeconds!);
      running = spawnRunner(runnerArgv(x.command!, x.args!, { port: await freePort() }), dir, {
        STAND_IN_JOB_SECONDS: String(JOB_SECONDS),
      });
      const r = running;
      const workers = () => [
        ...new Set(
          r
            .eventLog()
            .filter((e) => e.text.startsWith('rqworker pid='))
            .map((e) => e.pid),
        ),
      ];
      await until(
        () => workers().length === 2 && r.eventLog().filter((e) => e.text === 'job started').length === 2,
        `both stand-in workers' jobs to start\n${r.output()}`,
      );
      // the process the platform signals stays the runner script (bash), in front of its two workers
      const signalled = cmdline(r.child.pid!) ?? [];
      expect(signalled[0]?.split('/').pop()).toBe('bash');
      expect(signalled).toContain(RQ_RUNNER.name);
      expect(workers()).not.toContain(r.child.pid);
      const sent = Date.now();
      r.child.kill('SIGTERM');
      const exit = await Promise.race([
        r.exited,
        new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`no exit within 20 s\n${r.output()}`)), 20_000)),
      ]);
      const log = r.eventLog().filter((e) => !e.text.startsWith('smokescreen'));
      const byWorker = workers().map((pid) => log.filter((e) => e.pid === pid));
      expect(byWorker.map((events) => events.map((e) => e.text))).toEqual([PROCESS_EVENTS, PROCESS_EVENTS]);
      expect(byWorker.map((events) => events[0]!.text.replace(/^rqworker pid=\d+ /, '')).sort()).toEqual([
        'args=-v 3 chunks --worker-class cvat.rqworker.DefaultWorker',
        'args=-v 3 webhooks notifications cleaning --worker-class cvat.rqworker.DefaultWorker --with-scheduler',
      ]);
      // both got the signal while their job ran, and the runner exited only after the last job finished
      for (const events of byWorker) expect(events[2]!.at).toBeLessThan(events[3]!.at);
      expect(exit.at).toBeGreaterThanOrEqual(Math.max(...byWorker.map((events) => events[3]!.at)));
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect((exit.at - sent) / 1000).toBeLessThan(grace);
      // once: the side processes, started once for the whole runner; and one application name per process
      expect(r.eventLog().filter((e) => e.text.startsWith('smokescreen')).length).toBe(1);
      expect(r.output()).toContain('CVAT_POSTGRES_APPLICATION_NAME=cvat:worker:chunks\n');
      expect(r.output()).toContain('CVAT_POSTGRES_APPLICATION_NAME=cvat:worker:webhooks+notifications+cleaning\n');
    });

    it('warm-stops the other worker and exits non-zero when one worker exits on its own (the platform restarts the container)', async () => {
      const x = utilsWithChunks();
      running = spawnRunner(runnerArgv(x.command!, x.args!, { port: await freePort() }), dir, {
        STAND_IN_JOB_SECONDS: String(JOB_SECONDS),
        STAND_IN_CRASH_QUEUE: 'chunks',
      });
      const r = running;
      const exit = await Promise.race([
        r.exited,
        new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`no exit within 20 s\n${r.output()}`)), 20_000)),
      ]);
      const log = r.eventLog().filter((e) => !e.text.startsWith('smokescreen'));
      const crashed = log.find((e) => e.text === 'crashing: exit 3')!;
      expect(crashed).toBeDefined();
      const other = log.filter((e) => e.pid !== crashed.pid);
      expect(other.map((e) => e.text)).toEqual(PROCESS_EVENTS);
      expect(other[2]!.at).toBeGreaterThanOrEqual(crashed.at);
      expect(exit.code).toBe(3);
      expect(exit.at).toBeGreaterThanOrEqual(other[3]!.at);
      expect(r.output()).toContain('a worker exited on its own');
    });

    it('exits 143 without starting a worker when SIGTERM arrives while it still waits for migrations', async () => {
      rmSync(join(dir, 'start'));
      const x = utilsWithChunks();
      running = spawnRunner(runnerArgv(x.command!, x.args!, { port: await freePort() }), dir);
      const r = running;
      await until(() => r.output().includes('waiting for migrations'), `the runner to wait for migrations\n${r.output()}`);
      r.child.kill('SIGTERM');
      // bash runs the trap once the running `migrate --check` returns (the stand-in's returns once migrations are done)
      writeFileSync(join(dir, 'start'), '');
      expect(await r.exited).toMatchObject({ code: 143 });
      expect(r.events()).toEqual([]);
    });
  });

  it.each(EVENT_JOB_NAMES.map((n) => [n]))('the event-driven job %s: a burst worker with a job limit, signalled directly', async (name) => {
    const x: Component = comp(defaultCatalogue(), name);
    const parsed = parseRqRunner(x.command, x.args);
    expect(parsed).toMatchObject({ liveness: false, burst: true });
    const o = await terminateDuringJob(runnerArgv(x.command!, x.args!));
    expectWarmShutdown(o, ACA_LIMITS.terminationGracePeriodSecondsMax);
    expect(o.events[0]).toContain(`--burst --max-jobs=${parsed!.maxJobs}`);
  });

  it('fails when the command line puts a process that does not forward SIGTERM in front (sh -c without exec)', async () => {
    const x = comp(defaultCatalogue(), 'cvat-job-import');
    // The same runner, started by a shell that waits for it instead of exec()ing it: the shell gets the
    // signal and dies, the worker never hears of it.
    const argv = runnerArgv(['sh', '-c', '"$@"; echo done', 'sh', ...x.command!], x.args!);
    const o = await terminateDuringJob(argv);
    expect(() => expectWarmShutdown(o, ACA_LIMITS.terminationGracePeriodSecondsMax)).toThrow();
    expect(o.events).not.toContain('SIGTERM received: warm shutdown, finishing the current job');
  });

  it("fails for upstream's `run worker`: supervisord in front, which the stand-in entrypoint refuses to model", async () => {
    const argv = runnerArgv(['/opt/cvat/backend_entrypoint.sh'], ['run', 'worker', 'import']);
    running = spawnRunner(argv, dir);
    const exit = await running.exited;
    expect(exit.code).not.toBe(0);
    expect(running.output()).toContain('only the bash subcommand is modelled');
  });
});

/** Epoch ms at which the stand-in logged "job finished" (Infinity when it did not). */
function finishedAt(dir: string): number {
  const { readFileSync, existsSync } = require('node:fs') as typeof import('node:fs');
  const file = join(dir, 'events.log');
  if (!existsSync(file)) return Number.POSITIVE_INFINITY;
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.endsWith(' job finished'));
  return line ? Number(line.split(' ')[0]) * 1000 : Number.POSITIVE_INFINITY;
}

// Runs the real worker liveness script (config/worker-liveness/worker_liveness.py) with python3, the
// way the catalogue's worker command runs it (`python3 -c <script> ... -- <entrypoint> bash -c
// <rq_runner.sh> cvat-rq-runner <queues>`), against test doubles in test/support: a stand-in for the
// image's entrypoint (its `bash` subcommand), for `django-admin` (migrate --check waits for a start file;
// rqworker idles) and for `django-admin workerprobe`. Loopback only (127.0.0.1).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rqRunnerCommand, workerLivenessCommand, type Catalogue } from '../src/index';
import { comp, resolvedWith } from './support/catalogue';
import { ENTRYPOINT_STAND_IN, runnerArgv, spawnRunner, stopRunner, until, type RunningRunner } from './support/rq-runner-harness';
import { freePort } from './support/free-port';

const PYTHON = spawnSync('python3', ['--version']).status === 0;
if (!PYTHON) console.warn('[skipped] worker liveness script tests: python3 is not on PATH on this machine');

const SUPPORT = resolve(__dirname, 'support');
/** chunks on its own worker: every runner has one worker process. */
const SEPARATE = (): Catalogue => resolvedWith({ chunks: 'cvat-worker-chunks' });
/** chunks on the utils worker: two worker processes there (chunks; webhooks, notifications, cleaning). */
const MERGED = (): Catalogue => resolvedWith({ chunks: 'cvat-worker-utils' });
const PROBE_STAND_IN = join(SUPPORT, 'workerprobe_stand_in.py');

async function get(port: number, path = '/livez'): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(20_000) });
  return { status: res.status, body: await res.text() };
}

/** Waits until the endpoint accepts connections (the forked child binds after the fork). */
async function reachable(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((done) => {
      const s = createServer();
      s.once('error', () => done(true)); // EADDRINUSE: the endpoint holds the port
      s.listen(port, '127.0.0.1', () => s.close(() => done(false)));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the liveness endpoint never bound 127.0.0.1:${port}`);
}

describe.skipIf(!PYTHON)('worker liveness script (python3, against test doubles)', () => {
  let dir: string;
  let running: RunningRunner | undefined;
  const state = (queues: Record<string, number>, hangSeconds = 0) =>
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ queues, hang_seconds: hangSeconds }));
  const probeCalls = () => readFileSync(join(dir, 'probe.log'), 'utf8').split('\n').filter(Boolean);
  const output = () => running?.output() ?? '';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'worker-liveness-'));
    writeFileSync(join(dir, 'probe.log'), '');
  });
  afterEach(async () => {
    await stopRunner(running);
    running = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Starts the catalogue's worker command for `component`, with the endpoint on loopback, the probe
   * command pointed at the stand-in and the image entrypoint replaced by the entrypoint stand-in.
   * `migrated` false holds the runner in its `migrate --check` wait until the test writes the start file.
   */
  async function start(
    component: string,
    options: string[] = [],
    numprocs = '1',
    migrated = true,
    catalogue: Catalogue = SEPARATE(),
  ): Promise<number> {
    if (migrated) writeFileSync(join(dir, 'start'), '');
    const port = await freePort();
    const x = comp(catalogue, component);
    expect(x.command).toEqual(rqRunnerCommand(true));
    const livenessOptions = ['--probe-command', `python3 ${PROBE_STAND_IN} workerprobe`, '--grace', '0', ...options];
    running = spawnRunner(runnerArgv(x.command!, x.args!, { port, livenessOptions }), dir, {
      NUMPROCS: numprocs,
      STAND_IN_STATE: join(dir, 'state.json'),
      STAND_IN_LOG: join(dir, 'probe.log'),
    });
    await reachable(port);
    if (migrated) await until(() => output().includes('django-admin stand-in: rqworker'), `the rqworker stand-in\n${output()}`);
    return port;
  }

  it("answers 200 while every queue has NUMPROCS live workers and 503 with workerprobe's message when one has fewer", async () => {
    state({ webhooks: 2, notifications: 2, cleaning: 2 });
    const port = await start('cvat-worker-utils', ['--min-interval', '0'], '2');
    expect(await get(port)).toEqual({ status: 200, body: 'ok\n' });
    // the queues are the runner's own args after `cvat-rq-runner`, without --flags; the count is $NUMPROCS
    expect(probeCalls()).toEqual(['workerprobe webhooks notifications cleaning --expected-num-workers 2']);
    state({ webhooks: 2, notifications: 2, cleaning: 1 });
    const failed = await get(port);
    expect(failed.status).toBe(503);
    expect(failed.body).toContain('Queue cleaning: expected at least 2 live worker(s)');
    expect(await get(port, '/')).toMatchObject({ status: 404 });
    expect(output()).toContain('entrypoint stand-in: bash');
    expect(output()).toContain('rqworker pid=');
    expect(output()).toContain('webhooks notifications cleaning --worker-class cvat.rqworker.DefaultWorker --with-scheduler');
  });

  it('answers 200 "starting" without running workerprobe while the runner waits for migrations, then checks once rqworker runs', async () => {
    state({ chunks: 0 });
    const port = await start('cvat-worker-chunks', ['--min-interval', '0'], '1', false);
    const waiting = await get(port);
    expect(waiting).toEqual({
      status: 200,
      body: 'starting: the entrypoint has not started django-admin rqworker yet (waiting for its dependencies)\n',
    });
    expect(probeCalls()).toEqual([]);
    writeFileSync(join(dir, 'start'), ''); // migrations done: the runner now exec()s `django-admin rqworker`
    let r = waiting;
    for (let i = 0; i < 200 && r.body.startsWith('starting'); i++) {
      await new Promise((done) => setTimeout(done, 50));
      r = await get(port);
    }
    expect(r.status).toBe(503);
    expect(r.body).toContain('Queue chunks: expected at least 1 live worker(s)');
  });

  it('keeps answering "starting" for --grace seconds after rqworker starts', async () => {
    state({ chunks: 0 });
    const port = await start('cvat-worker-chunks', ['--grace', '30']);
    let r = await get(port);
    for (let i = 0; i < 100 && !r.body.includes('django-admin rqworker up'); i++) r = await get(port);
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^starting: django-admin rqworker up for \d+ s, checks begin after 30 s\n$/);
    expect(probeCalls()).toEqual([]);
  });

  it('delivers SIGTERM to the process the runner became (rqworker, same process id), and the endpoint then goes away', async () => {
    state({ chunks: 1 });
    const port = await start('cvat-worker-chunks');
    expect((await get(port)).status).toBe(200);
    running!.child.kill('SIGTERM');
    expect(await running!.exited).toMatchObject({ code: 0 });
    expect(output()).toContain('SIGTERM received: warm shutdown');
    // the endpoint notices its parent is gone (checked every 2 s) and exits, freeing the port
    let gone = false;
    for (let i = 0; i < 60 && !gone; i++) {
      gone = await fetch(`http://127.0.0.1:${port}/livez`, { signal: AbortSignal.timeout(1000) }).then(
        () => false,
        () => true,
      );
      if (!gone) await new Promise((r) => setTimeout(r, 100));
    }
    expect(gone).toBe(true);
  });

  describe('a runner with two worker processes (the runner shell stays in front of its rqworker children)', () => {
    it('answers "starting" while the runner waits for migrations (its `migrate --check` children do not count), then checks', async () => {
      state({ chunks: 1, webhooks: 1, notifications: 1, cleaning: 1 });
      const port = await start('cvat-worker-utils', ['--min-interval', '0'], '1', false, MERGED());
      await until(() => output().includes('waiting for migrations'), `the runner to wait for migrations\n${output()}`);
      for (let i = 0; i < 3; i++) {
        expect(await get(port)).toEqual({
          status: 200,
          body: 'starting: the entrypoint has not started django-admin rqworker yet (waiting for its dependencies)\n',
        });
      }
      expect(probeCalls()).toEqual([]);
      writeFileSync(join(dir, 'start'), ''); // migrations done: the runner starts one rqworker child per group
      await until(() => output().split('django-admin stand-in: rqworker').length === 3, `both rqworker stand-ins\n${output()}`);
      let r = await get(port);
      for (let i = 0; i < 200 && r.body.startsWith('starting'); i++) {
        await new Promise((done) => setTimeout(done, 50));
        r = await get(port);
      }
      expect(r).toEqual({ status: 200, body: 'ok\n' });
      // one probe over every queue of both processes, one live worker expected on each
      expect(probeCalls()).toEqual(['workerprobe chunks webhooks notifications cleaning --expected-num-workers 1']);
    });

    it('answers 503 naming the queue when one of the two workers no longer answers (hung or gone: no live registration)', async () => {
      state({ chunks: 1, webhooks: 1, notifications: 1, cleaning: 1 });
      const port = await start('cvat-worker-utils', ['--min-interval', '0'], '1', true, MERGED());
      await until(() => output().split('django-admin stand-in: rqworker').length === 3, `both rqworker stand-ins\n${output()}`);
      expect(await get(port)).toEqual({ status: 200, body: 'ok\n' });
      state({ chunks: 0, webhooks: 1, notifications: 1, cleaning: 1 });
      const failed = await get(port);
      expect(failed.status).toBe(503);
      expect(failed.body).toContain('Queue chunks: expected at least 1 live worker(s)');
    });
  });

  it('answers 503 when workerprobe outlives --timeout instead of hanging the probe', async () => {
    state({ chunks: 1 }, 10);
    const port = await start('cvat-worker-chunks', ['--timeout', '1', '--min-interval', '0']);
    const started = Date.now();
    const r = await get(port);
    expect(r).toEqual({ status: 503, body: 'workerprobe did not finish within 1 s\n' });
    expect(Date.now() - started).toBeLessThan(9000);
  });

  it('runs one check at a time and reuses a result younger than --min-interval (bounded CPU)', async () => {
    state({ chunks: 1 });
    const port = await start('cvat-worker-chunks', ['--min-interval', '30']);
    const all = await Promise.all([get(port), get(port), get(port)]);
    expect(all.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await get(port)).toMatchObject({ status: 200 });
    expect(probeCalls()).toHaveLength(1);
  });

  it('refuses a command without "--" or without queues, naming the problem (exit 2)', () => {
    const script = workerLivenessScript();
    const noDash = spawnSync('python3', ['-c', script, '--port', '1'], { encoding: 'utf8' });
    expect(noDash.status).toBe(2);
    expect(noDash.stderr).toContain("missing '--' before the entrypoint command");
    const noQueue = spawnSync('python3', ['-c', script, '--', ENTRYPOINT_STAND_IN, 'run', 'worker'], { encoding: 'utf8' });
    expect(noQueue.status).toBe(2);
    expect(noQueue.stderr).toContain("names no queue after 'run worker' or 'cvat-rq-runner'");
    const runnerNoQueue = spawnSync('python3', ['-c', script, '--', ENTRYPOINT_STAND_IN, 'bash', '-c', 'x', 'cvat-rq-runner', '--burst'], {
      encoding: 'utf8',
    });
    expect(runnerNoQueue.status).toBe(2);
    expect(runnerNoQueue.stderr).toContain('names no queue');
    const badPort = spawnSync('python3', ['-c', script, '--port', '70000', '--', 'x', 'run', 'worker', 'import'], { encoding: 'utf8' });
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toContain('--port must be between 1 and 65535, got 70000');
  });
});

function workerLivenessScript(): string {
  return workerLivenessCommand()[2]!;
}

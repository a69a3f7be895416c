// The saved plan files a deploy writes hold secrets: removed on every exit path, SIGTERM and Ctrl-C included, and a
// stale one from a killed run is removed (with a notice) by the next run. The signal cases run the built cvat-infra as
// a real process with a stand-in terraform that writes its plan file and then hangs.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardPlanFiles, PLAN_FILE, removeStalePlanFiles, type SignalTarget } from '../../src/deploy/plan-files';
import { synthesize, type Synthesized } from '../support/synth';

const INFRA = join(__dirname, '..', '..');
const CLI = join(INFRA, 'dist', 'cli.js');

describe('guardPlanFiles', () => {
  function fakeProcess(): SignalTarget & EventEmitter & { exits: number[] } {
    const emitter = new EventEmitter() as EventEmitter & SignalTarget & { exits: number[] };
    emitter.exits = [];
    emitter.exit = ((code: number) => {
      emitter.exits.push(code);
      emitter.emit('exit');
    }) as SignalTarget['exit'];
    return emitter;
  }

  it('removes the plan files on exit, and turns SIGTERM/SIGHUP into exit 130 after stopping terraform', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-guard-'));
    try {
      const file = join(dir, PLAN_FILE);
      const target = fakeProcess();
      const stopped: string[] = [];
      const release = guardPlanFiles(() => [file], { target, onSignal: () => stopped.push('terraform') });
      writeFileSync(file, 'secret');
      target.emit('SIGTERM');
      expect(stopped).toEqual(['terraform', 'terraform']);
      expect(target.exits).toEqual([130]);
      expect(existsSync(file)).toBe(false);
      release();
      writeFileSync(file, 'secret');
      target.emit('exit');
      expect(existsSync(file)).toBe(true);
      expect(target.listenerCount('SIGTERM') + target.listenerCount('SIGHUP') + target.listenerCount('exit')).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names and removes a stale plan file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-stale-'));
    try {
      const file = join(dir, PLAN_FILE);
      writeFileSync(file, 'secret');
      const lines: string[] = [];
      expect(removeStalePlanFiles([file, join(dir, 'other', PLAN_FILE)], (l) => lines.push(l))).toEqual([file]);
      expect(existsSync(file)).toBe(false);
      expect(lines).toEqual([`notice: removed ${file}: a plan file left by an interrupted run (it holds secrets in clear text)`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the built cvat-infra removes its plan files', () => {
  let syn: Synthesized;
  let bin: string;
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: the test target builds it first`);
    syn = synthesize();
    bin = mkdtempSync(join(tmpdir(), 'plan-bin-'));
    // terraform stand-in: version and init succeed; plan writes its -out file, says so, then hangs (HANG=1) or reports
    // no changes (exit 0).
    writeFileSync(
      join(bin, 'terraform'),
      [
        '#!/bin/sh',
        'case "$1" in',
        '  version) echo \'{"terraform_version":"1.11.0"}\' ;;',
        '  init) if [ -n "$LEAK" ]; then',
        '      echo "Error: client secret $ARM_CLIENT_SECRET rejected for https://u:$LEAK@cvat-cloud.dev" >&2; exit 1',
        '    fi ;;',
        '  plan)',
        '    for a in "$@"; do case "$a" in -out=*) echo "secret" > "${a#-out=}" ;; esac; done',
        '    echo planned >> "$MARKER"',
        '    if [ "$HANG" = 1 ]; then exec sleep 30; fi ;;',
        'esac',
        'exit 0',
        '',
      ].join('\n'),
    );
    chmodSync(join(bin, 'terraform'), 0o755);
  }, 60_000);
  afterAll(() => {
    syn?.dispose();
    rmSync(bin, { recursive: true, force: true });
  });

  const planFile = (stack: string) => join(syn.outdir, 'stacks', stack, PLAN_FILE);

  function runPlan(env: Record<string, string>) {
    const child = spawn(
      process.execPath,
      [CLI, 'plan', '--env', 'example', '--out', syn.outdir, '--skip-credential-check', '--binary', join(bin, 'terraform')],
      {
        cwd: INFRA,
        env: { PATH: process.env.PATH ?? '', HOME: bin, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
    const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, done, stderr: () => stderr };
  }

  async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
    const until = Date.now() + ms;
    while (!check()) {
      if (Date.now() > until) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s while terraform plans: exit 130 and the plan file is gone',
    async (signal) => {
      const marker = join(bin, `planned-${signal}`);
      const run = runPlan({ HANG: '1', MARKER: marker });
      await waitFor(() => existsSync(marker));
      expect(existsSync(planFile('foundation'))).toBe(true);
      run.child.kill(signal);
      expect(await run.done).toBe(130);
      expect(existsSync(planFile('foundation'))).toBe(false);
    },
    60_000,
  );

  it('never prints a secret of the environment or a URL password, even when terraform quotes them', async () => {
    const run = runPlan({ LEAK: 'url-password-1234', ARM_CLIENT_SECRET: 'client-secret-value-5678', MARKER: join(bin, 'planned-leak') });
    const child = run.child;
    let stdout = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += String(c)));
    expect(await run.done).toBe(1);
    const printed = run.stderr() + stdout;
    expect(printed).toContain("plan stopped at stack 'foundation', step 'init'");
    expect(printed).toContain('Error: client secret *** rejected for https://u:***@cvat-cloud.dev');
    expect(printed).not.toContain('client-secret-value-5678');
    expect(printed).not.toContain('url-password-1234');
  }, 60_000);

  it('finds a plan file a killed run left behind, says so and removes it', async () => {
    writeFileSync(planFile('apps'), 'secret from a run killed with SIGKILL');
    const run = runPlan({ MARKER: join(bin, 'planned-stale') });
    expect(await run.done).toBe(0);
    expect(run.stderr()).toContain(`notice: removed ${planFile('apps')}: a plan file left by an interrupted run`);
    for (const stack of ['foundation', 'apps', 'edge']) expect(existsSync(planFile(stack))).toBe(false);
  }, 60_000);
});

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError, EXIT, InternalError, describeError, isCliError, isUnreachable, reportError, runMain, systemCliError } from '../src';

function streams() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  return { stdout, stderr, out: () => Buffer.concat(out).toString(), err: () => Buffer.concat(err).toString() };
}

const run = (main: Parameters<typeof runMain>[0], argv: string[] = [], env: Record<string, string> = {}) => {
  const s = streams();
  return runMain(main, { tool: 'tool', argv, env, stdout: s.stdout, stderr: s.stderr, handleSignals: false }).then((code) => ({
    code,
    ...s,
  }));
};

describe('CliError and describeError', () => {
  it('carries the exit code, the hint, the data and the cause', () => {
    const cause = new Error('inner');
    const e = new CliError(EXIT.NOT_FOUND, 'no share', { hint: 'cvat-ops storage rules --env dev', data: { share: 'x' }, cause });
    expect(e).toMatchObject({
      name: 'CliError',
      exit: 6,
      message: 'no share',
      hint: 'cvat-ops storage rules --env dev',
      data: { share: 'x' },
      printed: false,
    });
    expect(e.cause).toBe(cause);
    expect(isCliError(e, EXIT.NOT_FOUND)).toBe(true);
    expect(isCliError(e, EXIT.AUTH)).toBe(false);
  });

  it('describes any thrown value in one line with the Node error code and a new cause', () => {
    expect(describeError(Object.assign(new Error('connect failed\nmore'), { code: 'ECONNREFUSED' }))).toBe('connect failed (ECONNREFUSED)');
    expect(describeError(new Error('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND x') }))).toBe(
      'fetch failed (getaddrinfo ENOTFOUND x)',
    );
    expect(describeError('text')).toBe('text');
  });

  it('recognises network failures through the cause chain', () => {
    expect(isUnreachable(new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }))).toBe(true);
    expect(isUnreachable(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(true);
    expect(isUnreachable(new Error('400 bad'))).toBe(false);
  });
});

describe('runMain / reportError: the process edge', () => {
  it('returns what main returns, 0 when it returns nothing', async () => {
    expect((await run(async () => 1)).code).toBe(1);
    expect((await run(async () => undefined)).code).toBe(0);
  });

  it('prints a CliError once as "<tool>: error: …" plus its hint, without a stack, and exits with its code', async () => {
    const r = await run(async () => {
      throw new CliError(EXIT.CONFIG, "Environment 'x' is invalid", { hint: 'cvat-ops status --env x' });
    });
    expect(r.code).toBe(4);
    expect(r.err()).toBe("tool: error: Environment 'x' is invalid\nnext: cvat-ops status --env x\n");
    expect(r.out()).toBe('');
  });

  it('with --json prints { error: { exitCode, message, hint, data } } on stdout and nothing on stderr', async () => {
    const r = await run(async () => {
      throw new CliError(EXIT.FAILED, 'partial', { data: { failed: ['a'] }, hint: 'retry' });
    }, ['--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out())).toEqual({ error: { exitCode: 1, message: 'partial', hint: 'retry', data: { failed: ['a'] } } });
    expect(r.err()).toBe('');
  });

  it('prints nothing more for an error already printed (e.g. by the argument parser), except with --json', async () => {
    const printed = new CliError(EXIT.USAGE, "unknown option '--x'", { printed: true, data: { usage: true } });
    expect((await run(async () => Promise.reject(printed))).err()).toBe('');
    const json = await run(async () => Promise.reject(printed), ['--json']);
    expect(JSON.parse(json.out())).toEqual({ error: { exitCode: 2, message: "unknown option '--x'" } });
  });

  it('reports anything else as an internal error with the stack, exit 70', async () => {
    const r = await run(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'rows')");
    });
    expect(r.code).toBe(70);
    expect(r.err()).toMatch(
      /^tool: error: internal error: Cannot read properties of undefined \(reading 'rows'\)\. This is a bug in tool; please report it/,
    );
    expect(r.err()).toContain('at ');
    const internal = await run(async () => Promise.reject(new InternalError('state')), ['--json']);
    expect(JSON.parse(internal.out()).error.exitCode).toBe(70);
  });

  it('prints the cause chain with CVAT_DEBUG (and the old CVAT_OPS_DEBUG)', async () => {
    const error = new CliError(EXIT.AUTH, 'refused', { cause: new Error('outer', { cause: new Error('inner') }) });
    for (const variable of ['CVAT_DEBUG', 'CVAT_OPS_DEBUG']) {
      const r = await run(async () => Promise.reject(error), [], { [variable]: '1' });
      expect(r.err()).toBe('tool: error: refused\ncause: outer (inner)\ncause: inner\n');
    }
  });

  it('exits 130 when the run was aborted (Ctrl-C with interrupt: abort), whatever main threw', async () => {
    const controller = new AbortController();
    const s = streams();
    const code = await runMain(
      async ({ signal }) => {
        controller.abort();
        expect(signal.aborted).toBe(true);
        throw new Error('aborted request');
      },
      { tool: 'tool', argv: [], env: {}, stdout: s.stdout, stderr: s.stderr, handleSignals: false, signal: controller.signal },
    );
    expect(code).toBe(130);
    expect(s.err()).toBe('tool: interrupted\n');
  });

  it('reports a system-call failure that escaped a command in one line with its code, never as a bug', async () => {
    const sys = (code: string, message: string) => Object.assign(new Error(message), { code, syscall: 'open', path: '/x' });
    const cases: [Error, number][] = [
      [sys('EACCES', "EACCES: permission denied, open '/x'"), EXIT.FAILED],
      [sys('ENOSPC', 'ENOSPC: no space left on device, write'), EXIT.FAILED],
      [sys('ENOENT', "ENOENT: no such file or directory, open '/x'"), EXIT.NOT_FOUND],
      [sys('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'), EXIT.UNAVAILABLE],
    ];
    for (const [error, exit] of cases) {
      const r = await run(async () => {
        throw error;
      });
      expect(r.code).toBe(exit);
      expect(r.err()).toBe(`tool: error: ${error.message}. Nothing more was done.\n`);
    }
    expect(systemCliError(new TypeError('x is not a function'))).toBeUndefined();
    expect(systemCliError(Object.assign(new Error('odd'), { code: 'EWHATEVER', syscall: 'read' }))).toBeUndefined();
  });

  it('keeps secrets out of every printed error: URL credentials, secret parameters and secret variables', async () => {
    const env = { PGPASSWORD: 'pg-hunter22', CVAT_DEBUG: '1' };
    const r = await run(
      async () => {
        throw new CliError(EXIT.UNAVAILABLE, 'cannot reach postgres://cvat:inline-pw@db:5432/cvat with pg-hunter22', {
          hint: 'curl https://x/y?sig=abc123&sv=1',
          cause: new Error('auth pg-hunter22 failed'),
        });
      },
      [],
      env,
    );
    expect(r.err()).toBe(
      'tool: error: cannot reach postgres://cvat:***@db:5432/cvat with ***\nnext: curl https://x/y?sig=***&sv=1\ncause: auth *** failed\n',
    );
    const json = await run(
      async () => {
        throw new CliError(EXIT.FAILED, 'token=abcd1234', { data: { url: 'https://u:p4ss@h/', pw: 'pg-hunter22' } });
      },
      ['--json'],
      env,
    );
    expect(JSON.parse(json.out())).toEqual({ error: { exitCode: 1, message: 'token=***', data: { url: 'https://u:***@h/', pw: '***' } } });
    const bug = await run(
      async () => {
        throw new TypeError('boom pg-hunter22');
      },
      [],
      env,
    );
    expect(bug.code).toBe(EXIT.INTERNAL);
    expect(bug.err()).not.toContain('pg-hunter22');
  });

  it('reportError returns the code without printing twice', () => {
    const s = streams();
    expect(
      reportError(new CliError(EXIT.UNAVAILABLE, 'no terraform'), { tool: 't', json: false, stdout: s.stdout, stderr: s.stderr }),
    ).toBe(7);
    expect(s.err()).toBe('t: error: no terraform\n');
  });
});

describe('runProcess: Ctrl-C (a real child process, SIGINT)', () => {
  const fixture = join(__dirname, 'fixtures', 'sigint-main.ts');
  const interrupt = (mode: 'exit' | 'abort') =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], {
        cwd: join(__dirname, '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('ready') && !child.killed) child.kill('SIGINT');
      });
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it("'exit' ends the process at once with 130", async () => {
    const r = await interrupt('exit');
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('\nprobe: interrupted\n');
    expect(r.stdout).toBe('ready\n');
  });

  it("'abort' lets the command clean up, then exits 130", async () => {
    const r = await interrupt('abort');
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('ready\ncleaned up\n');
    expect(r.stderr).toBe('\nprobe: interrupted; stopping (Ctrl-C again to quit at once)\n');
  });
});

describe('runProcess: a reader that closes the pipe early (EPIPE)', () => {
  it('ends quietly with exit 0, no stack trace', async () => {
    const fixture = join(__dirname, 'fixtures', 'epipe-main.ts');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
        cwd: join(__dirname, '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stdout.once('data', () => child.stdout.destroy()); // like `| head -1`
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

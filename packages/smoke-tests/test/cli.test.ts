import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli';
import { EXIT } from '@cvat-cloud/runtime';
import { CvatStandIn } from './support/cvat-stand-in';
import { captureIo } from './support/io';

const EMPTY = { tasks: [], projects: [], webhooks: [], users: [], orphanJobs: [] };

describe('cvat-smoke argument handling', () => {
  it.each([
    [[], {}, EXIT.USAGE, /no target: give --url <https:\/\/cvat\.example\.org>, set CVAT_URL, or use --env <name>/],
    [['--url', 'https://cvat.example.org'], {}, EXIT.USAGE, /no superuser username: give --username or set CVAT_USERNAME/],
    [['--url', 'https://cvat.example.org', '--username', 'admin'], {}, EXIT.USAGE, /no superuser password: set CVAT_PASSWORD/],
    [['--concurrency', '0'], {}, EXIT.USAGE, /'--concurrency' \(0\) must be an integer between 1 and 1000/],
    [['--timeout-multiplier', 'fast'], {}, EXIT.USAGE, /'--timeout-multiplier' \(fast\) must be a number between 0\.01 and 100/],
    [['--frobnicate'], {}, EXIT.USAGE, /unknown option '--frobnicate'/],
    [['extra'], {}, EXIT.USAGE, /too many arguments/],
    [
      ['--run-id', 'ABC'],
      { CVAT_URL: 'https://x.example' },
      EXIT.USAGE,
      /'--run-id' \("ABC"\) must be 8-40 lowercase letters, digits or '-'/,
    ],
    [['--dry-run'], { CVAT_URL: 'https://x.example' }, EXIT.USAGE, /'--dry-run' only applies to --cleanup <run-id>/],
    [
      ['--cleanup', '20260101-000000-ab12'],
      { CVAT_URL: 'https://x.example', CVAT_USERNAME: 'a', CVAT_PASSWORD: 'b' },
      EXIT.USAGE,
      /add --yes to confirm or --dry-run to list them/,
    ],
    [
      ['--only', 'nonsense'],
      { CVAT_URL: 'https://x.example', CVAT_USERNAME: 'a', CVAT_PASSWORD: 'b' },
      EXIT.USAGE,
      /'--only' \(nonsense\) matches no check/,
    ],
    [['--env', 'no-such-env'], { CVAT_PASSWORD: 'b' }, EXIT.CONFIG, /environment 'no-such-env' is not valid/],
    // CVAT_ENV names the environment like --env, as for cvat-infra and cvat-ops
    [[], { CVAT_ENV: 'no-such-env', CVAT_PASSWORD: 'b' }, EXIT.CONFIG, /environment 'no-such-env' is not valid/],
    [
      [],
      { CVAT_OPS_ENV: 'no-such-env', CVAT_PASSWORD: 'b' },
      EXIT.CONFIG,
      /CVAT_OPS_ENV is deprecated[\s\S]*environment 'no-such-env' is not valid/,
    ],
  ])('%j with env %j exits %i and says why', async (argv, env, code, message) => {
    const io = captureIo(env);
    expect(await main(argv, io.io)).toBe(code);
    expect(io.stderr()).toMatch(message);
    expect(io.stdout()).toBe('');
  });

  it('prints help with the exit codes', async () => {
    const io = captureIo();
    expect(await main(['--help'], io.io)).toBe(EXIT.OK);
    expect(io.stdout()).toContain('Usage: cvat-smoke [options]');
    expect(io.stdout()).toContain('Exit codes (the same in every cvat-cloud tool, see docs/exit-codes.md):');
    expect(io.stdout()).toMatch(/^ {2}8 {3}the work succeeded but cleanup did not finish/m);
  });

  it('lists the plan without contacting anything', async () => {
    const io = captureIo();
    expect(await main(['--list', '--only', 'export.dataset'], io.io)).toBe(EXIT.OK);
    expect(io.stdout().split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^CHECK +COMPONENTS +TIMEOUT +NEEDS$/),
      expect.stringMatching(/^auth\.login +cvat-server +20 s +-$/),
      expect.stringMatching(/^opa\.authz +opa +45 s +auth\.login$/),
      expect.stringMatching(/^import\.task-data +cvat-job-import +330 s +opa\.authz$/),
      expect.stringMatching(/^annotations\.roundtrip +cvat-server +45 s +import\.task-data$/),
      expect.stringMatching(/^export\.dataset +cvat-job-export +300 s +annotations\.roundtrip$/),
    ]);
  });
});

describe('cvat-smoke against the stand-in', () => {
  let standIn: CvatStandIn | undefined;
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smoke-cli-'));
  });
  afterEach(async () => {
    await standIn?.stop();
    standIn = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the JSON report to stdout, the table to stderr and JUnit to a file, and exits 0', async () => {
    standIn = await CvatStandIn.start();
    const io = captureIo({ CVAT_URL: standIn.url, CVAT_USERNAME: 'admin', CVAT_PASSWORD: standIn.superuser.password });
    const junit = join(dir, 'smoke.xml');
    const code = await main(['--json', '--junit', junit, '--only', 'webhooks.delivery,server', '--quiet'], io.io);
    const report = JSON.parse(io.stdout()) as { exitCode: number; checks: { id: string; status: string }[] };
    expect(code).toBe(EXIT.OK);
    expect(report.exitCode).toBe(0);
    expect(report.checks.map((c) => c.id)).toEqual(['server.about', 'server.health', 'auth.login', 'opa.authz', 'webhooks.delivery']);
    expect(io.stderr()).toContain('5 passed, 0 failed, 0 blocked, 0 skipped');
    expect(await readFile(junit, 'utf8')).toContain('<testsuite name="cvat-worker-utils" tests="1" failures="0"');
    expect(standIn.violations).toEqual([]);
    expect(standIn.inventory()).toEqual(EMPTY);
  });

  it('exits 1 and shows the failing component in the table, when a worker is dead', async () => {
    standIn = await CvatStandIn.start({ faults: { deadQueues: ['cleaning'] } });
    const io = captureIo({ CVAT_PASSWORD: standIn.superuser.password });
    const code = await main(['--url', standIn.url, '--username', 'admin', '--only', 'workers', '--no-analytics'], io.io);
    expect(code).toBe(EXIT.FAILED);
    expect(io.stdout()).toMatch(
      new RegExp(
        /^cvat-worker-utils +workers\.utils +FAIL +[\d.]+ s +cvat-worker-utils: queue 'cleaning' has /.source +
          /no live worker \(django-rq's \/django-rq\/ page\)$/.source,
        'm',
      ),
    );
    expect(io.stderr()).toMatch(/start +workers\.utils/);
  });

  it('cleans up and exits 130 when the process gets SIGINT mid-run', async () => {
    let uploads = 0;
    let onUpload: () => void = () => undefined;
    const uploaded = new Promise<void>((resolve) => (onUpload = resolve));
    standIn = await CvatStandIn.start({
      latency: { jobMs: { import: 60_000 } },
      onRequest: (method, path) => {
        if (method === 'POST' && /\/data\/$/.test(path) && ++uploads === 3) onUpload();
      },
    });
    const cli = join(__dirname, '..', 'src', 'cli.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--url', standIn.url, '--username', 'admin'], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, CVAT_PASSWORD: standIn.superuser.password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await Promise.race([uploaded, exited]);
    child.kill('SIGINT');
    const code = await exited;
    expect({ code, stderr: stderr.slice(-600) }).toMatchObject({ code: EXIT.INTERRUPTED });
    expect(stderr).toContain('interrupted; stopping checks and cleaning up');
    expect(stdout).toMatch(/cvat-job-import +import\.task-data +ABORTED/);
    expect(stdout).toMatch(/Cleanup: deleted \d+ object\(s\).*; nothing left behind\./);
    expect(standIn.inventory()).toEqual(EMPTY);
  }, 30_000);
});

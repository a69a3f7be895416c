/**
 * End-to-end runs of the BUILT binary (dist/index.js, built by the nx `test` → `build` dependency), snapshotting
 * { exitCode, stdout, stderr } with volatile parts (temp paths, ports) replaced. Skipped with the reason printed when
 * dist is missing (run `npm run build` in packages/ops-cli).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeFileServer, startFakeFileServer } from '@cvat-cloud/testing';

const BIN = resolve(__dirname, '../bin/cvat-ops.js');
// The committed launcher always exists; what the runs need is the build output it loads.
const ENTRY = resolve(__dirname, '../dist/index.js');
const HAVE_BIN = existsSync(ENTRY);
if (!HAVE_BIN) console.warn(`e2e binary tests skipped: ${ENTRY} does not exist (run 'npm run build' in packages/ops-cli).`);
if (HAVE_BIN && !process.env.PGTEST_HOST) {
  console.warn('e2e binary db tests skipped: PGTEST_HOST is not set (run .ci/run, which starts PostgreSQL with TLS and exports PGTEST_*).');
}

interface Run {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the binary with a clean environment (no PG* / AZURE_* from the developer's shell). */
function cli(
  args: string[],
  options: { env?: Record<string, string>; stdin?: string; cwd?: string; onSpawn?: (kill: () => void) => void } = {},
): Promise<Run> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? tmpdir(),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(options.stdin ?? '');
    options.onSpawn?.(() => child.kill('SIGKILL'));
    child.on('close', (exitCode) => resolvePromise({ exitCode, stdout, stderr }));
  });
}

/** Runs `node -e <probe>` and resolves with what it printed on stdout. */
function runProbe(probe: string): Promise<string> {
  return new Promise<string>((done, fail) => {
    const child = spawn(process.execPath, ['-e', probe], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.on('error', fail);
    child.on('close', () => done(text));
  });
}

const scrub = (r: Run, tmp?: string): Run => {
  const clean = (s: string) =>
    (tmp ? s.split(tmp).join('<tmp>') : s).replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>').replace(/in \d+(\.\d+)? s/g, 'in <n> s');
  return { exitCode: r.exitCode, stdout: clean(r.stdout), stderr: clean(r.stderr) };
};

describe.skipIf(!HAVE_BIN)('cvat-ops binary', () => {
  it('starting up loads neither the catalogue nor an Azure SDK (only @cvat-cloud/runtime/edge)', async () => {
    const probe =
      `require(${JSON.stringify(ENTRY)}); const m = Object.keys(require.cache); ` +
      `console.log(JSON.stringify({ catalogue: m.some((k) => k.includes('/catalogue/')), azure: m.some((k) => k.includes('@azure')), runtimeRoot: ` +
      `m.some((k) => /runtime[\\/]dist[\\/]index\\.js$/.test(k)) }))`;
    const out = await runProbe(probe);
    expect(JSON.parse(out)).toEqual({ catalogue: false, azure: false, runtimeRoot: false });
  });

  it('idle --help loads no Azure SDK and not the idle command module (help is declared in src/cli.ts)', async () => {
    const cliJs = resolve(__dirname, '../dist/cli.js');
    const probe =
      `const { runCli } = require(${JSON.stringify(cliJs)}); const { PassThrough } = require('node:stream'); const out = new PassThrough(); ` +
      `out.resume(); runCli(['idle', '--help'], { cwd: process.cwd(), env: {}, stdin: process.stdin, stdout: out, stderr: out, isTTY: false, ` +
      `credential: async () => { throw new Error('no credential in this probe'); }, egressIp: async () => '' }).then((code) => { ` +
      `const m = Object.keys(require.cache); console.log(JSON.stringify({ code, azure: m.some((k) => k.includes('@azure')), ` +
      `idle: m.some((k) => /commands[\\/]idle/.test(k)) })); });`;
    const out = await runProbe(probe);
    expect(JSON.parse(out)).toEqual({ code: 0, azure: false, idle: false });
    const help = await cli(['idle', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('--hours <n>');
    expect(help.stdout).toContain("compare with 'npx nx run infra:cost -- --profile idle'");
  });

  it('@azure/arm-monitor (441 KB of generated code) loads only when idle builds a metrics client; @azure/monitor-query never', async () => {
    const dist = resolve(__dirname, '../dist');
    const probe =
      `const fs = require('node:fs'); const path = require('node:path'); const dist = ${JSON.stringify(dist)}; ` +
      `const loaded = (name) => Object.keys(require.cache).some((k) => k.includes('/node_modules/@azure/' + name + '/')); ` +
      `const index = (d) => path.join(dist, 'commands', d, 'index.js'); ` +
      `const commands = fs.readdirSync(path.join(dist, 'commands')).filter((d) => fs.existsSync(index(d))); ` +
      `for (const d of commands) require(index(d)); ` +
      `const afterModules = { armMonitor: loaded('arm-monitor'), monitorQuery: loaded('monitor-query') }; ` +
      `const { createMetricsClient } = require(path.join(dist, 'azure', 'monitor-client.js')); ` +
      `const runtime = { armEndpoint: 'http://127.0.0.1:9', env: {}, credential: async () => { throw new Error('no credential'); } }; ` +
      `createMetricsClient(runtime, 's') ` +
      `.then((client) => console.log(JSON.stringify({ commands, afterModules, list: typeof client.list, ` +
      `afterClient: { armMonitor: loaded('arm-monitor'), monitorQuery: loaded('monitor-query') } })));`;
    const out = await runProbe(probe);
    const result = JSON.parse(out) as { commands: string[] };
    expect(result.commands).toContain('idle');
    expect(result.commands.length).toBeGreaterThanOrEqual(8);
    expect(result).toMatchObject({
      afterModules: { armMonitor: false, monitorQuery: false },
      list: 'function',
      afterClient: { armMonitor: true, monitorQuery: false },
    });
  });

  it('--help: exit 0, every command group, exit codes and examples', async () => {
    const r = await cli(['--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    for (const command of ['db', 'storage', 'status', 'drift', 'idle', 'apps', 'logs'])
      expect(r.stdout).toMatch(new RegExp(`\\n  ${command}\\s`));
    expect(r.stdout).toContain('Exit codes (the same in every cvat-cloud tool, see docs/exit-codes.md):\n  0   done');
    expect(r.stdout).toContain('  3   confirmation declined or impossible (no TTY, no --yes), or a data-loss guard; nothing changed');
  });

  it('db --help', async () => {
    expect(await cli(['db', '--help'])).toMatchSnapshot();
  });

  it('an unknown subcommand is a usage error with a suggestion (exit 2)', async () => {
    expect(await cli(['db', 'chek'])).toMatchSnapshot();
  });

  it('a bad option value names the option and the allowed range (exit 2)', async () => {
    expect(await cli(['storage', 'upload', 'a', 'cvat-data', '--concurrency', '0'])).toMatchSnapshot();
  });

  it('db check without any connection settings says how to give them (exit 2)', async () => {
    expect(await cli(['db', 'check'])).toMatchSnapshot();
  });

  it('a write without --yes in a non-interactive shell is refused before connecting (exit 3)', async () => {
    expect(
      await cli(['db', 'query', 'delete from engine_task', '--write', '--host', '127.0.0.1', '--user', 'cvat', '--port', '1']),
    ).toMatchSnapshot();
  });

  it('--json turns errors into a JSON object on stdout (exit 6 for a missing local path)', async () => {
    // the file endpoint points at a closed loopback port, so even a regression that connected first stays off the network
    const r = await cli(['storage', 'upload', './does-not-exist', 'cvat-data', '--account', 'cvattestsa', '--json'], {
      env: { AZURE_STORAGE_KEY: 'a2V5', CVAT_OPS_FILE_ENDPOINT: 'http://127.0.0.1:9/{account}' },
    });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.split(tmpdir()).join('<tmpdir>'))).toMatchSnapshot();
  });

  describe('hostile input through the real process (the full table is test/bad-input.test.ts)', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'cvat-ops-e2e-bad-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('a YAML alias bomb as the environment file: exit 4 in one line, no stack trace', async () => {
      const lines = ['name: bomb', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
      for (let i = 1; i < 9; i++) {
        const [prev, name] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
        lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
      }
      writeFileSync(join(dir, 'bomb.yaml'), `${lines.join('\n')}\n`);
      const r = await cli(['status', '--env', 'bomb.yaml'], { cwd: dir });
      expect(r.exitCode).toBe(4);
      expect(r.stderr.split('\n')[0]).toMatch(/^cvat-ops: error: Environment 'bomb\.yaml' (is invalid:|could not be loaded: )/);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    });

    it('apps delete --all without --yes and ARM down: exit 3 at once, not after the retries', async () => {
      writeFileSync(
        join(dir, 'test.yaml'),
        'name: test\nsubscriptionId: 11111111-2222-4333-8444-555555555555\nedge:\n  mode: none\n  hostname: cvat.example.com\n',
      );
      const started = Date.now();
      const env = { CVAT_OPS_ARM_ENDPOINT: 'http://127.0.0.1:9' }; // nothing listens on port 9 (discard)
      const r = await cli(['apps', 'delete', '--all', '--env', 'test.yaml'], { cwd: dir, env });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/then run: cvat-ops apps delete --all --env test\.yaml --yes\n$/);
    });
  });

  describe('storage upload killed mid-file and run again', () => {
    let server: FakeFileServer;
    let dir: string;
    beforeEach(async () => {
      server = await startFakeFileServer();
      server.createShare('cvat-data');
      dir = mkdtempSync(join(tmpdir(), 'ops-e2e-'));
    });
    afterEach(async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('leaves a partial file without Content-MD5, then the re-run uploads only what is missing', async () => {
      const big = randomBytes(10 * 1024 * 1024); // 3 ranges
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'src', 'big.bin'), big);
      writeFileSync(join(dir, 'src', 'a.txt'), 'small file\n');
      const env = {
        CVAT_OPS_FILE_ENDPOINT: server.endpointTemplate,
        AZURE_STORAGE_KEY: server.key,
        CVAT_OPS_STATE_DIR: join(dir, '.state'),
      };
      const args = [
        'storage',
        'upload',
        join(dir, 'src'),
        'cvat-data/seed',
        '--account',
        server.account,
        '--concurrency',
        '1',
        '--range-concurrency',
        '1',
      ];
      // GIVEN slow range uploads one at a time, WHEN the process is killed once big.bin's second range arrived (the first was acknowledged)
      server.setRangeDelayMs(400);
      const killed = await cli(args, {
        env,
        onSpawn: (kill) => {
          const timer = setInterval(() => {
            // a.txt's one range, big.bin's first (acknowledged) and its second (arriving)
            if (server.file('cvat-data', 'seed/big.bin') && server.counts['file-range'] >= 3) {
              clearInterval(timer);
              kill();
            }
          }, 20);
        },
      });
      expect(killed.exitCode).toBeNull(); // killed by the signal
      const partial = server.file('cvat-data', 'seed/big.bin')!;
      expect(partial.data.length).toBe(big.length);
      expect(partial.md5).toBeUndefined();
      // THEN a second run sends only the ranges the share did not acknowledge, and skips the finished file
      server.setRangeDelayMs(0);
      const rangesBefore = server.counts['file-range'];
      const again = await cli([...args, '--json'], { env });
      expect(again.exitCode).toBe(0);
      const report = JSON.parse(again.stdout) as {
        summary: Record<string, number>;
        files: { remotePath: string; status: string; reason: string }[];
      };
      expect(report.summary).toMatchObject({ files: 2, uploaded: 1, skipped: 1, failed: 0 });
      expect(report.files).toEqual([
        expect.objectContaining({ remotePath: 'seed/a.txt', status: 'skipped', reason: 'identical (recorded upload, ETag unchanged)' }),
        expect.objectContaining({
          remotePath: 'seed/big.bin',
          status: 'uploaded',
          reason: expect.stringMatching(/^resumed \([12] of 3 ranges were already uploaded\)$/),
        }),
      ]);
      expect(server.counts['file-range'] - rangesBefore).toBeLessThan(3);
      expect(server.file('cvat-data', 'seed/big.bin')!.data.equals(big)).toBe(true);
      // and a third run has nothing left to do
      const third = scrub(await cli(args, { env }), dir);
      expect(third).toEqual({
        exitCode: 0,
        stdout: expect.stringContaining(
          "Uploaded 0 files (0 B), skipped 2 identical (10.0 MiB), 0 failed in <n> s → share 'cvat-data' folder 'seed' of storage account 'cvattestsa'.",
        ),
        stderr: expect.stringMatching(
          /^skipped\s+seed\/a\.txt \(identical \(recorded upload, ETag unchanged\)\)\nskipped\s+seed\/big\.bin/,
        ),
      });
    });
  });

  describe.skipIf(!process.env.PGTEST_HOST)('db commands through the binary', () => {
    const pgEnv = () => ({
      PGHOST: process.env.PGTEST_HOST!,
      PGPORT: process.env.PGTEST_PORT!,
      PGUSER: process.env.PGTEST_USER!,
      PGPASSWORD: process.env.PGTEST_PASSWORD!,
      PGDATABASE: process.env.PGTEST_DATABASE ?? 'cvat',
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: process.env.PGTEST_CA!,
    });

    it('db query --json prints the rows', async () => {
      const r = await cli(['db', 'query', "select 1 as one, 'x' as two", '--json'], { env: pgEnv() });
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        command: 'SELECT',
        columns: ['one', 'two'],
        rows: [{ one: 1, two: 'x' }],
        transaction: 'read-only',
      });
    });

    it('db shell reads statements from a pipe and stops at \\q', async () => {
      const r = await cli(['db', 'shell'], { env: pgEnv(), stdin: 'select 40 + 2 as answer;\n\\conninfo\n\\q\nselect 0;\n' });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(
        /^answer\n42\n\(1 row\)\n\nYou are connected to cvat@127\.0\.0\.1:\d+\/cvat, PostgreSQL [^\n]*, TLS TLSv1\.[23] [^\n]+\.\n$/,
      );
      expect(r.stderr).toBe('');
    });

    it('db check with a wrong password exits 5', async () => {
      const r = await cli(['db', 'check'], { env: { ...pgEnv(), PGPASSWORD: 'wrong' } });
      expect(r.exitCode).toBe(5);
      expect(r.stderr).toMatch(/^cvat-ops: error: Password authentication failed for user/);
    });
  });
});

/**
 * Hostile and mistaken input to `cvat-smoke`, one row per case: each asserts the exit code (docs/exit-codes.md),
 * the one line that says what is wrong, that no password appears anywhere in the output, and that nothing was
 * written (the working folder is unchanged, the CVAT stand-in holds nothing, and argument errors contact nothing).
 * Network cases use loopback servers only: the CVAT stand-in, the stand-in behind an http→https redirecting edge,
 * and a port on 127.0.0.1 nobody listens on.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '@cvat-cloud/runtime';
import { tempDir, type TempDir } from '@cvat-cloud/testing';
import { main } from '../src/cli';
import { renderTable } from '../src/report/table';
import { exitCodeFor } from '../src/suite';
import { CvatStandIn } from './support/cvat-stand-in';
import { runAgainst } from './support/fast';
import { captureIo } from './support/io';

/** The superuser password every stand-in here uses; it must never be printed or written. */
const SECRET = 'Pa55-w0rd/LEAK:me';
const SECRET_IN_URL = encodeURIComponent(SECRET);
const SUPERUSER = { username: 'admin', password: SECRET };
const EMPTY = { tasks: [], projects: [], webhooks: [], users: [], orphanJobs: [] };

/** A 127.0.0.1 port with nothing listening (taken, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every file under `dir` with its size and modification time. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const entry of readdirSync(d)) {
      const p = join(d, entry);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      out[relative(dir, p)] = s.isDirectory() ? 'dir' : `${s.size}:${s.mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

interface Context {
  /** The healthy stand-in's URL (`http://127.0.0.1:<port>`). */
  readonly live: string;
  /** The stand-in behind an edge that redirects http to https. */
  readonly redirect: string;
  /** A URL nobody answers. */
  readonly dead: string;
  /** The working folder (empty, plus `file.txt`). */
  readonly dir: string;
}

interface Case {
  readonly name: string;
  readonly argv: (c: Context) => string[];
  readonly env?: (c: Context) => Record<string, string>;
  readonly exit: number;
  /** The one error line (without the `cvat-smoke: error: ` prefix). */
  readonly message: (c: Context) => RegExp;
  /** Requests the stand-ins may get: 0 for argument errors, 1 probe for network cases. @default 0 */
  readonly requests?: number;
  /** Warnings expected before the error line. @default 0 */
  readonly warnings?: number;
  /** Needs Linux (/proc takes no new files). @default false */
  readonly linuxOnly?: boolean;
}

const creds = (): Record<string, string> => ({ CVAT_USERNAME: 'admin', CVAT_PASSWORD: SECRET });
const esc = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const https = (url: string): string => url.replace(/^http:/, 'https:');

const CASES: Case[] = [
  {
    name: 'a URL with another scheme',
    argv: () => ['--url', 'ftp://cvat.example.org'],
    env: creds,
    exit: EXIT.USAGE,
    message: () => /^'--url' \("ftp:\/\/cvat\.example\.org"\) must use https or http, e\.g\. https:\/\/cvat\.example\.org$/,
  },
  {
    name: 'a URL that is not one',
    argv: () => ['--url', 'cvat example org'],
    env: creds,
    exit: EXIT.USAGE,
    message: () => /^'--url' \("cvat example org"\) must be an absolute URL such as https:\/\/cvat\.example\.org$/,
  },
  {
    name: 'a URL with a query',
    argv: () => ['--url', 'https://cvat.example.org/?next=/admin'],
    env: creds,
    exit: EXIT.USAGE,
    message: () =>
      /^'--url' \(.*\) must not carry a query or fragment: give the deployment's base URL, e.g\. https:\/\/cvat\.example\.org$/,
  },
  {
    name: 'a malformed URL with a password in it',
    argv: () => ['--url', `https://admin:${SECRET}@`],
    env: () => ({ CVAT_USERNAME: 'admin' }),
    exit: EXIT.USAGE,
    message: () => /^'--url' \("https:\/\/admin:\*\*\*@"\) must be an absolute URL/,
  },
  {
    name: 'a password in the URL of a dead target',
    argv: (c) => ['--url', c.dead.replace('http://', `http://admin:${SECRET_IN_URL}@`)],
    exit: EXIT.UNAVAILABLE,
    message: (c) => new RegExp(`^cannot reach ${esc(c.dead)} \\(from --url\\): .*ECONNREFUSED.*\\. Nothing was created\\. Check the URL`),
    warnings: 1,
  },
  {
    name: 'an unknown flag',
    argv: () => ['--frobnicate'],
    exit: EXIT.USAGE,
    message: () => /^unknown option '--frobnicate'; see cvat-smoke --help$/,
  },
  {
    name: 'a misspelt --password with the password after it',
    argv: () => ['--pasword', SECRET],
    exit: EXIT.USAGE,
    message: () => /^unknown option '--pasword' \(Did you mean --password\?\); see cvat-smoke --help$/,
  },
  {
    name: 'the password as a stray argument',
    argv: (c) => ['--url', c.live, SECRET],
    exit: EXIT.USAGE,
    message: () => /^too many arguments\. Expected 0 arguments but got 1; see cvat-smoke --help$/,
  },
  {
    name: 'a fractional --concurrency',
    argv: () => ['--concurrency', '1.5'],
    exit: EXIT.USAGE,
    message: () => /^'--concurrency' \(1\.5\) must be an integer between 1 and 1000$/,
  },
  {
    name: 'a hexadecimal --timeout-multiplier',
    argv: () => ['--timeout-multiplier', '0x10'],
    exit: EXIT.USAGE,
    message: () => /^'--timeout-multiplier' \(0x10\) must be a number between 0\.01 and 100$/,
  },
  {
    name: 'a negative --concurrency',
    argv: () => ['--concurrency', '-3'],
    exit: EXIT.USAGE,
    message: () => /^'--concurrency' \(-3\) must be an integer between 1 and 1000$/,
  },
  {
    name: 'an empty --password',
    argv: (c) => ['--url', c.live, '--username', 'admin', '--password', ''],
    exit: EXIT.USAGE,
    message: () => /^'--password' is empty; set CVAT_PASSWORD instead/,
    warnings: 1,
  },
  {
    name: 'an empty --username',
    argv: (c) => ['--url', c.live, '--username', ''],
    env: creds,
    exit: EXIT.USAGE,
    message: () => /^'--username' is empty/,
  },
  {
    name: 'an empty --only',
    argv: (c) => ['--url', c.live, '--only', ','],
    env: creds,
    exit: EXIT.USAGE,
    message: () => /^'--only' \(","\) is empty; give comma-separated check ids or component names/,
  },
  {
    name: 'a run id with path characters',
    argv: (c) => ['--url', c.live, '--run-id', '../../etc/x'],
    env: creds,
    exit: EXIT.USAGE,
    message: () => /^'--run-id' \("\.\.\/\.\.\/etc\/x"\) must be 8-40 lowercase letters, digits or '-'/,
  },
  {
    name: 'the password pasted into another flag that the error quotes',
    argv: (c) => ['--url', c.live, '--username', 'admin', '--password', SECRET, '--run-id', SECRET],
    exit: EXIT.USAGE,
    message: () => /^'--run-id' \("\*\*\*"\) must be 8-40 lowercase letters, digits or '-'/,
    warnings: 1,
  },
  {
    name: 'a webhook target that is not http(s)',
    argv: (c) => ['--url', c.live, '--webhook-target', 'javascript:alert(1)'],
    env: creds,
    exit: EXIT.USAGE,
    message: () => /^'--webhook-target' \("javascript:alert\(1\)"\) must be an absolute http or https URL/,
  },
  {
    name: 'an --expect-version that is not a version',
    argv: (c) => ['--url', c.live, '--expect-version', 'latest'],
    env: creds,
    exit: EXIT.USAGE,
    message: () => /^'--expect-version' \("latest"\) must be a version such as 2\.73\.0$/,
  },
  {
    name: 'a dead URL',
    argv: (c) => ['--url', c.dead],
    env: creds,
    exit: EXIT.UNAVAILABLE,
    message: (c) => new RegExp(`^cannot reach ${esc(c.dead)} \\(from --url\\): .*ECONNREFUSED.*\\. Nothing was created\\.`),
  },
  {
    name: '--cleanup against a dead URL',
    argv: (c) => ['--url', c.dead, '--cleanup', '20260101-000000-ab12', '--yes'],
    env: creds,
    exit: EXIT.UNAVAILABLE,
    message: (c) => new RegExp(`^cannot reach ${esc(c.dead)} \\(from --url\\): .*Nothing was created\\.`),
  },
  {
    name: 'an edge that redirects http to https (--url)',
    argv: (c) => ['--url', c.redirect],
    env: creds,
    exit: EXIT.USAGE,
    requests: 1,
    message: (c) =>
      new RegExp(
        `^--url \\(${esc(c.redirect)}\\) is redirected to https: GET /api/server/about answered 301 ` +
          `with Location ${esc(https(c.redirect))}/api/server/about\\. ` +
          `The edge redirects http to https; use --url ${esc(https(c.redirect))}\\. Nothing was created\\.$`,
      ),
  },
  {
    name: 'an edge that redirects http to https (CVAT_URL, with --password)',
    argv: () => ['--password', SECRET, '--username', 'admin'],
    env: (c) => ({ CVAT_URL: c.redirect }),
    exit: EXIT.USAGE,
    requests: 1,
    warnings: 1,
    message: (c) =>
      new RegExp(`^CVAT_URL \\(.*\\) is redirected to https: .*; set CVAT_URL=${esc(https(c.redirect))}\\. Nothing was created\\.$`),
  },
  {
    name: 'a --junit path the file system refuses',
    linuxOnly: true,
    argv: (c) => ['--url', c.live, '--junit', '/proc/cvat-smoke.xml'],
    env: creds,
    exit: EXIT.USAGE,
    message: () => /^'--junit' \("\/proc\/cvat-smoke\.xml"\) cannot be written \(E[A-Z]+\): choose a folder you can write to$/,
  },
  {
    name: 'a folder as --junit',
    argv: (c) => ['--url', c.live, '--junit', c.dir],
    env: creds,
    exit: EXIT.USAGE,
    message: (c) => new RegExp(`^'--junit' \\("${esc(c.dir)}"\\) is a folder; give a file inside it, e.g\\. ${esc(c.dir)}/smoke\\.xml$`),
  },
  {
    name: '--junit in a folder that does not exist',
    argv: (c) => ['--url', c.live, '--junit', 'reports/smoke.xml'],
    env: creds,
    exit: EXIT.USAGE,
    message: (c) =>
      new RegExp(
        `^'--junit' \\("reports/smoke\\.xml"\\) cannot be written: the folder ${esc(join(c.dir, 'reports'))} does not exist; create it first$`,
      ),
  },
  {
    name: '--json under a file',
    argv: (c) => ['--url', c.live, '--json', 'file.txt/smoke.json'],
    env: creds,
    exit: EXIT.USAGE,
    message: () => /^'--json' \("file\.txt\/smoke\.json"\) cannot be created: a part of its folder path is a file, not a folder$/,
  },
  {
    name: '--junit and --json naming the same file',
    argv: (c) => ['--url', c.live, '--junit', 'same.out', '--json', 'same.out'],
    env: creds,
    exit: EXIT.USAGE,
    message: () => /^'--junit' and '--json' name the same file \(same\.out\); give two paths$/,
  },
  {
    name: '--cleanup without --yes',
    argv: (c) => ['--url', c.live, '--cleanup', '20260101-000000-ab12'],
    env: creds,
    exit: EXIT.USAGE,
    message: () =>
      /^'--cleanup 20260101-000000-ab12' deletes every task, project, webhook and user whose name contains the run id; add --yes/,
  },
];

describe('cvat-smoke with bad input', () => {
  let live: CvatStandIn;
  let redirect: CvatStandIn;
  let dead: string;
  let requests = 0;
  beforeAll(async () => {
    const count = (): void => {
      requests += 1;
    };
    live = await CvatStandIn.start({ superuser: SUPERUSER, onRequest: count });
    redirect = await CvatStandIn.start({ superuser: SUPERUSER, edge: { redirectToHttps: 301 }, onRequest: count });
    dead = `http://127.0.0.1:${await deadPort()}`;
  });
  afterAll(async () => {
    await live.stop();
    await redirect.stop();
  });

  let dir: TempDir;
  beforeEach(() => {
    dir = tempDir('smoke-bad-input-');
    dir.write('file.txt', 'keep me\n');
    requests = 0;
  });
  afterEach(() => dir.cleanup());

  it('has at least 15 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });

  it.for(CASES.map((c) => [c.name, c] as const))('%s', async ([, c], { skip }) => {
    if (c.linuxOnly && process.platform !== 'linux') skip('/proc refuses new files on Linux only');
    const ctx: Context = { live: live.url, redirect: redirect.url, dead, dir: dir.dir };
    const before = snapshot(dir.dir);
    const io = captureIo(c.env?.(ctx) ?? {}, { cwd: dir.dir });
    const code = await main(c.argv(ctx), io.io);
    const stderr = io.stderr();
    const lines = stderr.split('\n').filter(Boolean);
    const errors = lines.filter((l) => l.startsWith('cvat-smoke: error: '));
    expect({ code, stderr }).toMatchObject({ code: c.exit });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.slice('cvat-smoke: error: '.length)).toMatch(c.message(ctx));
    expect(lines.filter((l) => l.startsWith('cvat-smoke: warning: '))).toHaveLength(c.warnings ?? 0);
    expect(lines).toHaveLength(1 + (c.warnings ?? 0));
    expect(io.stdout()).toBe('');
    for (const text of [stderr, io.stdout()]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SECRET_IN_URL);
      expect(text).not.toMatch(/^\s+at /m);
    }
    expect(snapshot(dir.dir)).toEqual(before);
    expect(requests).toBe(c.requests ?? 0);
    expect(live.inventory()).toEqual(EMPTY);
  });

  it('prints a usage error as the only JSON on stdout with --json', async () => {
    const io = captureIo(creds(), { cwd: dir.dir });
    expect(await main(['--json', '--url', 'ftp://x.example'], io.io)).toBe(EXIT.USAGE);
    expect(JSON.parse(io.stdout())).toEqual({
      error: { exitCode: EXIT.USAGE, message: `'--url' ("ftp://x.example") must use https or http, e.g. https://x.example` },
    });
    expect(io.stderr()).toBe('');
  });
});

describe('cvat-smoke never echoes credentials of a run it accepts', () => {
  let standIn: CvatStandIn;
  let dir: TempDir;
  beforeEach(async () => {
    standIn = await CvatStandIn.start({ superuser: SUPERUSER });
    dir = tempDir('smoke-secrets-');
  });
  afterEach(async () => {
    await standIn.stop();
    dir.cleanup();
  });

  it('takes user and password out of --url, warns, passes, and masks them in every line and report', async () => {
    const url = standIn.url.replace('http://', `http://admin:${SECRET_IN_URL}@`);
    const io = captureIo({}, { cwd: dir.dir });
    const code = await main(['--url', url, '--only', 'auth.login,server.about', '--junit', 'smoke.xml', '--json', 'smoke.json'], io.io);
    expect({ code, stderr: io.stderr() }).toMatchObject({ code: EXIT.OK });
    const lines = io.stderr().split('\n');
    expect(lines[0]).toMatch(/^cvat-smoke: warning: the user name and password in --url are visible in the process list/);
    expect(lines[1]).toBe(`cvat-smoke: target ${standIn.url}/ (from --url), superuser admin (password from --url)`);
    expect(io.stdout()).toContain(`against ${standIn.url}/`);
    expect(readdirSync(dir.dir).sort()).toEqual(['smoke.json', 'smoke.xml']);
    const outputs = [
      io.stdout(),
      io.stderr(),
      readFileSync(join(dir.dir, 'smoke.xml'), 'utf8'),
      readFileSync(join(dir.dir, 'smoke.json'), 'utf8'),
    ];
    for (const text of outputs) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SECRET_IN_URL);
    }
    expect(JSON.parse(outputs[3]!)).toMatchObject({ exitCode: 0, baseUrl: `${standIn.url}/` });
    expect(standIn.violations).toEqual([]);
  });

  it('warns that --password shows in the process list, and never prints the password', async () => {
    const io = captureIo({}, { cwd: dir.dir });
    const code = await main(['--url', standIn.url, '--username', 'admin', '--password', SECRET, '--only', 'auth.login', '--quiet'], io.io);
    expect(code).toBe(EXIT.OK);
    expect(io.stderr()).toMatch(
      new RegExp(
        /^cvat-smoke: warning: --password is visible to other users in the process list, .*Nx prints; set /.source +
          /CVAT_PASSWORD instead, or use --env <name> to read it from Key Vault\n$/.source,
      ),
    );
    expect(`${io.stdout()}${io.stderr()}`).not.toContain(SECRET);
  });

  it('overwrites an existing report file given on purpose, and only that file', async () => {
    const report = dir.write('smoke.xml', 'old report\n');
    writeFileSync(join(dir.dir, 'neighbour.txt'), 'untouched\n');
    mkdirSync(join(dir.dir, 'sub'));
    const io = captureIo({ CVAT_USERNAME: 'admin', CVAT_PASSWORD: SECRET }, { cwd: dir.dir });
    expect(await main(['--url', standIn.url, '--only', 'server.about', '--junit', report, '--quiet'], io.io)).toBe(EXIT.OK);
    expect(readFileSync(report, 'utf8')).toContain('<testsuites name="cvat-smoke ');
    expect(readFileSync(join(dir.dir, 'neighbour.txt'), 'utf8')).toBe('untouched\n');
    expect(readdirSync(dir.dir).sort()).toEqual(['neighbour.txt', 'smoke.xml', 'sub']);
  });
});

describe('a run whose target dies before anything is created', () => {
  it('fails its checks but says nothing was created, not that cleanup is incomplete', async () => {
    const standIn = await CvatStandIn.start({ superuser: SUPERUSER });
    await standIn.stop();
    const result = await runAgainst(standIn, { only: ['auth.login', 'server.about'] });
    expect(result.cleanup).toEqual({ deleted: [], kept: [], failed: [], found: [], nothingCreated: true });
    expect(exitCodeFor(result)).toBe(EXIT.FAILED);
    const table = renderTable(result);
    expect(table).toContain('Cleanup: nothing was created, so there is nothing to delete.');
    expect(table).not.toContain('INCOMPLETE');
  });
});

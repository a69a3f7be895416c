/**
 * The bad-input table of `cvat-ops`: hostile, malformed or impossible input, each run through the whole process edge
 * (`main`: argument parsing, the command, runtime's runMain) in a throwaway repository, against a loopback fake ARM
 * (or a closed loopback port). Every case asserts the documented exit code, the one-line message, that no stack
 * trace and no "internal error" was printed, that no secret of the environment was echoed, that nothing in the
 * repository was written, changed or deleted, and how many requests reached the fake (zero unless stated).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '@cvat-cloud/runtime';
import { FakeArmServer, closedLoopbackPort, treeSnapshot } from '@cvat-cloud/testing';
import { main } from '../src/index';
import { testRuntime } from './support/test-runtime';
import { makeTestRepo, TEST_SUBSCRIPTION, type TestRepo } from './arm/support/catalogue-fixture';

/** Secrets present in every case's environment: none may appear in any output. */
const SECRETS = { PGPASSWORD: 'pg-S3cret-Value-1', ARM_CLIENT_SECRET: 'arm-S3cret-Value-2', AZURE_STORAGE_KEY: 'c3RvcmFnZS1rZXk=' };

/** An environment file whose YAML aliases expand to 9^9 nodes if anyone expands them. */
function aliasBomb(): string {
  const lines = ['name: bomb', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    lines.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** The words /bin/sh makes of a suggested command line (nothing in it runs: printf only prints). */
function shellWords(line: string, cwd: string): string[] {
  return execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { cwd, encoding: 'utf8' })
    .split('\0')
    .slice(0, -1);
}

interface Case {
  name: string;
  argv: string[];
  /** Extra environment variables (the secrets are always set). */
  env?: Record<string, string>;
  /** The ARM endpoint: the fake (default) or a closed loopback port. */
  arm?: 'fake' | 'closed';
  exit: number;
  /** Matched against the first line of stderr. */
  message: RegExp;
  /** More checks on stderr (e.g. the suggested command). */
  check?: (stderr: string, repo: TestRepo) => void;
}

const HOSTILE_ENV_PATH = "hostile dir/te;st $(touch pwned) `id` it's.yaml";

const cases: Case[] = [
  // ------------------------------------------------------------------ arguments
  { name: 'unknown option', argv: ['status', '--env', 'test', '--bogus'], exit: EXIT.USAGE, message: /^error: unknown option '--bogus'$/ },
  { name: 'unknown command', argv: ['frobnicate'], exit: EXIT.USAGE, message: /^error: unknown command 'frobnicate'$/ },
  {
    name: 'idle with a look-back beyond 720 hours',
    argv: ['idle', '--env', 'test', '--hours', '1000'],
    exit: EXIT.USAGE,
    message: /^error: option '--hours <n>' argument '1000' is invalid\. '--hours' \(1000\) must be an integer between 1 and 720\.$/,
  },
  {
    name: 'idle for an app the environment does not have: the allowed names, nothing sent',
    argv: ['idle', '--env', 'test', '--app', 'cvat-serverr'],
    exit: EXIT.USAGE,
    message:
      /^cvat-ops: error: '--app' \(cvat-serverr\) is not a container app or job of this environment; allowed: .*cvat-server.*Nothing was sent/,
  },
  {
    name: 'unknown command with a terminal escape sequence: shown escaped',
    argv: ['\u001b[2Jclear', '--env', 'test'],
    exit: EXIT.USAGE,
    message: /^error: unknown command '\\x1b\[2Jclear'$/,
    check: (stderr) => expect(stderr).not.toContain('\u001b'),
  },
  {
    name: 'unknown option that carries a password: redacted',
    argv: ['status', '--env', 'test', '--password=hunter2-typed'],
    exit: EXIT.USAGE,
    message: /^error: unknown option '--password=\*\*\*'$/,
    check: (stderr) => expect(stderr).not.toContain('hunter2-typed'),
  },
  {
    name: 'integer option out of range',
    argv: ['logs', 'cvat-server', '--env', 'test', '--tail', '-5'],
    exit: EXIT.USAGE,
    message: /'--tail' \(-5\) must be an integer between 0 and 300/,
  },
  {
    name: 'statement timeout of zero seconds',
    argv: ['db', 'query', 'select 1', '--statement-timeout', '0'],
    exit: EXIT.USAGE,
    message: /'--statement-timeout' \(0\) must be an integer between 1 and 86400/,
  },
  {
    name: 'port that is not a number',
    argv: ['db', 'check', '--port', '54;32'],
    exit: EXIT.USAGE,
    message: /'--port' \(54;32\) must be an integer between 1 and 65535/,
  },
  {
    name: 'IP with a shell command',
    argv: ['storage', 'rules', '--env', 'test', '--ip', '1.2.3.4;id'],
    exit: EXIT.USAGE,
    message: /'--ip' \(1\.2\.3\.4;id\) must be an IPv4 address/,
  },
  // ------------------------------------------------------------------ subscription and resource group
  {
    name: '--subscription that is not a GUID',
    argv: ['status', '--env', 'test', '--subscription', 'my-sub'],
    exit: EXIT.USAGE,
    message: /^cvat-ops: error: '--subscription' \(my-sub\) must be a subscription GUID like 00000000-0000-0000-0000-000000000000\.$/,
  },
  {
    name: 'empty --subscription',
    argv: ['drift', '--env', 'test', '--subscription', ''],
    exit: EXIT.USAGE,
    message: /^cvat-ops: error: '--subscription' \(''\) must be a subscription GUID/,
  },
  {
    name: '--subscription with command substitution (nothing runs)',
    argv: ['apps', 'delete', '--all', '--env', 'test', '--yes', '--subscription', '$(touch pwned)'],
    exit: EXIT.USAGE,
    message: /^cvat-ops: error: '--subscription' \(\$\(touch pwned\)\) must be a subscription GUID/,
  },
  {
    name: '--subscription with a newline and a terminal escape stays one line',
    argv: ['status', '--env', 'test', '--subscription', 'x\n\u001b[2Jy'],
    exit: EXIT.USAGE,
    message: /^cvat-ops: error: '--subscription' \(x\\n\\x1b\[2Jy\) must be a subscription GUID/,
  },
  {
    name: 'AZURE_SUBSCRIPTION_ID that is not a GUID',
    argv: ['status', '--resource-group', 'rg-x'],
    env: { AZURE_SUBSCRIPTION_ID: 'x;y' },
    exit: EXIT.CONFIG,
    message: /^cvat-ops: error: AZURE_SUBSCRIPTION_ID \(x;y\) must be a subscription GUID/,
  },
  {
    name: '--resource-group with shell metacharacters',
    argv: ['apps', 'delete', 'opa', '--env', 'test', '--yes', '--resource-group', 'rg;rm -rf ~'],
    exit: EXIT.USAGE,
    message: /^cvat-ops: error: '--resource-group' \(rg;rm -rf ~\) must be 1-90 letters, digits/,
  },
  // ------------------------------------------------------------------ destructive commands without --yes
  {
    name: 'apps delete --all without --yes, non-interactive: refused before any request',
    argv: ['apps', 'delete', '--all', '--env', 'test'],
    exit: EXIT.REFUSED,
    message: /^cvat-ops: error: Refusing to delete every catalogue container app and job without --yes in a non-interactive shell;/,
    check: (stderr) => expect(stderr).toContain('then run: cvat-ops apps delete --all --env test --yes'),
  },
  {
    name: 'apps delete --all without --yes, ARM unreachable: refused at once, not after the retries',
    argv: ['apps', 'delete', '--all', '--env', 'test'],
    arm: 'closed',
    env: { CVAT_OPS_ARM_MAX_RETRIES: '4' },
    exit: EXIT.REFUSED,
    message: /^cvat-ops: error: Refusing to delete every catalogue container app and job without --yes/,
  },
  {
    name: 'apps delete with a hostile environment path: the suggested command is quoted safely',
    argv: ['apps', 'delete', 'opa', 'cvat-ui', '--env', HOSTILE_ENV_PATH],
    exit: EXIT.REFUSED,
    message: /^cvat-ops: error: Refusing to delete 2 container app\(s\)\/job\(s\) without --yes/,
    check: (stderr, repo) => {
      const suggested = /then run: (.*)$/m.exec(stderr)?.[1] ?? '';
      expect(shellWords(suggested, repo.dir)).toEqual(['cvat-ops', 'apps', 'delete', 'opa', 'cvat-ui', '--env', HOSTILE_ENV_PATH, '--yes']);
    },
  },
  {
    name: 'apps restart without --yes, non-interactive',
    argv: ['apps', 'restart', 'cvat-server', '--env', 'test'],
    exit: EXIT.REFUSED,
    message: /^cvat-ops: error: Refusing to restart cvat-server without --yes/,
  },
  {
    name: 'db query --write without --yes: refused before resolving the connection, the SQL quoted',
    argv: ['db', 'query', "delete from engine_task where name = 'x'; drop table y", '--write', '--env', 'test'],
    exit: EXIT.REFUSED,
    message: /^cvat-ops: error: Refusing to run a writing SQL statement and COMMIT it without --yes/,
    check: (stderr, repo) => {
      const suggested = /then run: (.*)$/m.exec(stderr)?.[1] ?? '';
      expect(shellWords(suggested, repo.dir).slice(0, 4)).toEqual([
        'cvat-ops',
        'db',
        'query',
        "delete from engine_task where name = 'x'; drop table y",
      ]);
    },
  },
  {
    name: 'db shell --write without --yes',
    argv: ['db', 'shell', '--write', '--host', '127.0.0.1'],
    exit: EXIT.REFUSED,
    message: /^cvat-ops: error: Refusing to open a read-write shell without --yes/,
  },
  // ------------------------------------------------------------------ hostile names
  {
    name: 'app name with ; $() and backticks',
    argv: ['apps', 'delete', 'cvat-ui;touch pwned', '$(reboot)', '`id`', '--env', 'test', '--yes'],
    exit: EXIT.USAGE,
    message: /^cvat-ops: error: Unknown components 'cvat-ui;touch pwned', '\$\(reboot\)', '`id`' for 'cvat-ops apps delete'\./,
  },
  {
    name: 'restart of a hostile name',
    argv: ['apps', 'restart', '$(rm -rf ~)', '--env', 'test', '--yes'],
    exit: EXIT.USAGE,
    message: /^cvat-ops: error: Unknown component '\$\(rm -rf ~\)'/,
  },
  {
    name: 'share path with command substitution',
    argv: ['storage', 'upload', 'existing.json', 'x;$(id)/dir', '--account', 'cvattestsa', '--dry-run'],
    exit: EXIT.USAGE,
    message: /^cvat-ops: error: '<share-path>' \(x;\$\(id\)\/dir\) must start with a share name/,
  },
  {
    name: 'storage account name with shell metacharacters',
    argv: ['storage', 'upload', 'existing.json', 'cvat-data', '--account', 'Bad;Name'],
    exit: EXIT.USAGE,
    message: /^cvat-ops: error: '--account' \(Bad;Name\) must be a storage account name/,
  },
  {
    name: 'environment name with shell metacharacters',
    argv: ['status', '--env', 'x;touch pwned'],
    exit: EXIT.CONFIG,
    message: /^cvat-ops: error: Environment 'x;touch pwned' is invalid:$/,
  },
  // ------------------------------------------------------------------ environment files
  {
    name: 'YAML alias bomb',
    argv: ['status', '--env', 'bomb.yaml'],
    exit: EXIT.CONFIG,
    message: /^cvat-ops: error: Environment 'bomb\.yaml' (could not be loaded: .*|is invalid:)$/,
  },
  {
    name: 'a directory as the environment file',
    argv: ['drift', '--env', 'envdir.yaml'],
    exit: EXIT.CONFIG,
    message: /^cvat-ops: error: Environment 'envdir\.yaml' is invalid: .*envdir\.yaml is a directory;/,
  },
  {
    name: 'a FIFO as the environment file (no hang)',
    argv: ['status', '--env', 'fifo.yaml'],
    exit: EXIT.CONFIG,
    message: /is not a regular file \(a FIFO, socket or device\)/,
  },
  {
    name: 'a list at the top of the environment file',
    argv: ['status', '--env', 'list.yaml'],
    exit: EXIT.CONFIG,
    message: /^cvat-ops: error: Environment 'list\.yaml' is invalid:$/,
  },
  {
    name: 'an environment that does not exist',
    argv: ['status', '--env', 'nope'],
    exit: EXIT.CONFIG,
    message: /^cvat-ops: error: Environment 'nope' was not found:$/,
  },
  {
    name: 'subscriptionId in the file that is not a GUID',
    argv: ['status', '--env', 'badsub.yaml'],
    exit: EXIT.CONFIG,
    message: /^cvat-ops: error: Environment 'badsub\.yaml' is invalid:$/,
    check: (stderr) => expect(stderr).toMatch(/'subscriptionId' \("not-a-guid"\)/),
  },
  // ------------------------------------------------------------------ output paths (checked before the run)
  {
    name: '--output is a directory',
    argv: ['status', '--env', 'test', '--output', 'outdir'],
    exit: EXIT.USAGE,
    message: /^cvat-ops: error: --output \(outdir\) is a directory;/,
  },
  {
    name: '--output in an unwritable place',
    argv: ['drift', '--env', 'test', '--output', '/proc/cvat-drift.json'],
    exit: EXIT.USAGE,
    message: /^cvat-ops: error: --output \(\/proc\/cvat-drift\.json\) cannot be written: the directory \/proc is not writable/,
  },
  {
    name: '--output in a missing directory',
    argv: ['status', '--env', 'test', '--output', 'no/such/dir/s.json'],
    exit: EXIT.NOT_FOUND,
    message: /the directory .*no\/such\/dir does not exist/,
  },
  {
    name: '--output that exists, without --overwrite',
    argv: ['drift', '--env', 'test', '--output', 'existing.json'],
    exit: EXIT.REFUSED,
    message: /^cvat-ops: error: --output \(existing\.json\) already exists; pass --overwrite to replace it/,
  },
  {
    name: 'CVAT_OPS_OUTPUT is a directory',
    argv: ['status', '--env', 'test'],
    env: { CVAT_OPS_OUTPUT: 'outdir' },
    exit: EXIT.CONFIG,
    message: /^cvat-ops: error: CVAT_OPS_OUTPUT \(outdir\) is a directory;/,
  },
  {
    name: 'CVAT_OPS_ARM_MAX_RETRIES that is not a small integer',
    argv: ['status', '--env', 'test', '--no-health'],
    env: { CVAT_OPS_ARM_MAX_RETRIES: 'lots' },
    exit: EXIT.CONFIG,
    message: /^cvat-ops: error: CVAT_OPS_ARM_MAX_RETRIES \(lots\) must be an integer between 0 and 10\.$/,
  },
  {
    name: 'plain-http file endpoint off loopback, with a SAS signature: CONFIG, signature not echoed',
    argv: ['storage', 'upload', 'existing.json', 'cvat-data', '--account', 'cvattestsa', '--dry-run'],
    env: { CVAT_OPS_FILE_ENDPOINT: 'http://files.example.com/{account}?sv=2024&sig=SASsig-Secret1' },
    exit: EXIT.CONFIG,
    message:
      /^cvat-ops: error: CVAT_OPS_FILE_ENDPOINT \(http:\/\/files\.example\.com\/\{account\}\?sv=2024&sig=\*\*\*\) must be an https URL/,
    check: (stderr) => expect(stderr).not.toContain('SASsig-Secret1'),
  },
  // ------------------------------------------------------------------ secrets
  {
    name: 'credentials in the ARM endpoint are not echoed',
    argv: ['status', '--env', 'test', '--no-health'],
    env: { CVAT_OPS_ARM_ENDPOINT: 'http://admin:Hunter2-arm@evil.example.com' },
    exit: EXIT.CONFIG,
    message: /^cvat-ops: error: ARM endpoint 'http:\/\/admin:\*\*\*@evil\.example\.com' must use https/,
    check: (stderr) => expect(stderr).not.toContain('Hunter2-arm'),
  },
  {
    name: 'a refused database connection does not echo PGPASSWORD',
    argv: ['db', 'check', '--host', '127.0.0.1', '--port', 'CLOSED', '--sslmode', 'disable', '--user', 'cvat'],
    exit: EXIT.UNAVAILABLE,
    message: /^cvat-ops: error: Nothing accepts connections at 127\.0\.0\.1:\d+ \(connection refused\)/,
  },
];

describe('cvat-ops with bad input: clear error, documented exit code, nothing changed', () => {
  let repo: TestRepo;
  let fake: FakeArmServer;
  let closedPort: number;

  beforeAll(async () => {
    repo = makeTestRepo();
    fake = await FakeArmServer.start({ subscriptionId: TEST_SUBSCRIPTION, resourceGroup: repo.resourceGroup });
    for (const name of ['opa', 'cvat-ui', 'cvat-server']) fake.addApp(name);
    closedPort = await closedLoopbackPort();
    const write = (path: string, content: string): void => {
      mkdirSync(join(repo.dir, path, '..'), { recursive: true });
      writeFileSync(join(repo.dir, path), content);
    };
    write('bomb.yaml', aliasBomb());
    write('list.yaml', '- name: a\n- name: b\n');
    write('badsub.yaml', 'name: badsub\nsubscriptionId: not-a-guid\nedge:\n  mode: none\n  hostname: cvat.example.com\n');
    write(HOSTILE_ENV_PATH, `name: test\nsubscriptionId: ${TEST_SUBSCRIPTION}\nedge:\n  mode: none\n  hostname: cvat.example.com\n`);
    write('existing.json', '{"keep":true}\n');
    mkdirSync(join(repo.dir, 'envdir.yaml'));
    mkdirSync(join(repo.dir, 'outdir'));
    execFileSync('mkfifo', [join(repo.dir, 'fifo.yaml')]);
  });
  afterAll(async () => {
    await fake?.close();
    repo?.remove();
  });

  it(`has at least 20 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)('$name → exit $exit', async (c) => {
    const before = treeSnapshot(repo.dir);
    const requestsBefore = fake.requests.length;
    const argv = c.argv.map((a) => (a === 'CLOSED' ? String(closedPort) : a));
    const variables: Record<string, string> = { ...SECRETS, ...c.env };
    // the endpoints reach the runtime as fields, as src/index.ts processRuntime reads them from the environment
    const { CVAT_OPS_ARM_ENDPOINT, CVAT_OPS_FILE_ENDPOINT, ...env } = variables;
    const runtime = testRuntime({
      cwd: repo.dir,
      env,
      armEndpoint: CVAT_OPS_ARM_ENDPOINT ?? (c.arm === 'closed' ? `http://127.0.0.1:${closedPort}` : fake.url),
      fileEndpoint: CVAT_OPS_FILE_ENDPOINT ?? `http://127.0.0.1:${closedPort}/{account}`,
    });

    const started = Date.now();
    const code = await main(argv, runtime);
    const seconds = (Date.now() - started) / 1000;
    const stderr = runtime.err();
    const output = `${runtime.out()}${stderr}`;

    expect({ code, stderr }).toMatchObject({ code: c.exit });
    expect(stderr.split('\n')[0]).toMatch(c.message);
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack trace
    expect(output).not.toContain('internal error');
    for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
    expect(treeSnapshot(repo.dir)).toEqual(before); // nothing written, changed or deleted
    expect(fake.requests.length - requestsBefore).toBe(0); // nothing contacted
    expect([...fake.apps.keys()].sort()).toEqual(['cvat-server', 'cvat-ui', 'opa']);
    expect(seconds).toBeLessThan(5); // no retries, no hang (the ARM SDK's retries would take about a minute)
    c.check?.(stderr, repo);
  });

  it('the same apps delete --all with --dry-run does reach the fake (the zero-request checks above can fail)', async () => {
    const requestsBefore = fake.requests.length;
    const runtime = testRuntime({ cwd: repo.dir, env: {}, armEndpoint: fake.url });
    expect(await main(['apps', 'delete', '--all', '--env', 'test', '--dry-run'], runtime)).toBe(EXIT.OK);
    expect(fake.requests.length - requestsBefore).toBeGreaterThan(0);
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
  });
});

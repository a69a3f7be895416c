/**
 * Table-driven argv parsing (house style rule 17) of every command: the command modules are mocked, and each argv
 * must call exactly one command function with exactly these options. Options are the contract between src/cli.ts and
 * the commands. Bad argv must be a usage error (exit 2) naming the option or argument, the value and what is allowed,
 * before any command runs.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli';
import { main } from '../src/index';
import { EXIT, CliError } from '@cvat-cloud/runtime';
import { testRuntime } from './support/test-runtime';

const result = { data: { ok: true }, view: [{ kind: 'lines' as const, lines: ['done'] }] };
const db = vi.hoisted(() => ({ dbCheck: vi.fn(), dbQuery: vi.fn(), dbShell: vi.fn() }));
const storage = vi.hoisted(() => ({ storageUpload: vi.fn(), storageConfigPush: vi.fn(), storageRules: vi.fn() }));
const status = vi.hoisted(() => ({ status: vi.fn() }));
const drift = vi.hoisted(() => ({ drift: vi.fn() }));
const apps = vi.hoisted(() => ({ appsDelete: vi.fn(), appsRestart: vi.fn(), appsRecreate: vi.fn() }));
const logs = vi.hoisted(() => ({ logs: vi.fn() }));
const backup = vi.hoisted(() => ({ backupCreate: vi.fn(), backupList: vi.fn(), backupRestore: vi.fn(), backupPrune: vi.fn() }));
const idle = vi.hoisted(() => ({ idle: vi.fn() }));
vi.mock('../src/commands/db/index', () => db);
vi.mock('../src/commands/storage/index', () => storage);
vi.mock('../src/commands/status/index', () => status);
vi.mock('../src/commands/drift/index', () => drift);
vi.mock('../src/commands/apps/index', () => apps);
vi.mock('../src/commands/logs/index', () => logs);
vi.mock('../src/commands/backup/index', () => backup);
vi.mock('../src/commands/idle/index', () => idle);

const all = { ...db, ...storage, ...status, ...drift, ...apps, ...logs, ...backup, ...idle };
type Name = keyof typeof all;

const SUB = '11111111-2222-4333-8444-555555555555';
const G = { json: false, yes: false, dryRun: false, env: undefined, subscription: undefined, resourceGroup: undefined };

const cases: { argv: string; fn: Name; options: Record<string, unknown>; env?: Record<string, string> }[] = [
  { argv: 'db check', fn: 'dbCheck', options: { ...G, connection: {} } },
  { argv: 'db check --env dev --json', fn: 'dbCheck', options: { ...G, env: 'dev', json: true, connection: {} } },
  { argv: '--env dev db check', fn: 'dbCheck', options: { ...G, env: 'dev', connection: {} } },
  {
    argv: 'db check --host 127.0.0.1 --port 55432 --user cvat --database cvat --sslmode verify-full --ca /tmp/ca.crt --connect-timeout 3',
    fn: 'dbCheck',
    options: {
      ...G,
      connection: {
        host: '127.0.0.1',
        port: 55432,
        user: 'cvat',
        database: 'cvat',
        sslmode: 'verify-full',
        ca: '/tmp/ca.crt',
        connectTimeoutSeconds: 3,
      },
    },
  },
  { argv: 'db query "select 1"', fn: 'dbQuery', options: { ...G, connection: {}, sql: 'select 1', write: false } },
  {
    argv: 'db query "delete from x" --write --yes --dry-run --max-rows 5 --env prod',
    fn: 'dbQuery',
    options: { ...G, env: 'prod', yes: true, dryRun: true, connection: {}, sql: 'delete from x', write: true, maxRows: 5 },
  },
  {
    argv: 'db shell --host /var/run/postgresql',
    fn: 'dbShell',
    options: { ...G, connection: { host: '/var/run/postgresql' }, write: false },
  },
  {
    argv: 'db query "select count(*) from engine_job" --statement-timeout 120',
    fn: 'dbQuery',
    options: { ...G, connection: {}, sql: 'select count(*) from engine_job', write: false, statementTimeoutSeconds: 120 },
  },
  { argv: 'db shell --write --yes', fn: 'dbShell', options: { ...G, yes: true, connection: {}, write: true } },
  {
    argv: 'storage upload ./seed cvat-data/imports --env dev',
    fn: 'storageUpload',
    options: { ...G, env: 'dev', localPath: './seed', sharePath: 'cvat-data/imports' },
  },
  {
    argv:
      'storage upload a.txt cvat-config --account cvatdevst1234 --concurrency 8 --dry-run --subscription 00000000-0000-0000-0000-000000000000 ' +
      '--resource-group rg-x',
    fn: 'storageUpload',
    options: {
      ...G,
      dryRun: true,
      subscription: '00000000-0000-0000-0000-000000000000',
      resourceGroup: 'rg-x',
      localPath: 'a.txt',
      sharePath: 'cvat-config',
      account: 'cvatdevst1234',
      concurrency: 8,
    },
  },
  {
    argv: 'storage upload big.mp4 cvat-data/videos --env dev --range-concurrency 16',
    fn: 'storageUpload',
    options: { ...G, env: 'dev', localPath: 'big.mp4', sharePath: 'cvat-data/videos', rangeConcurrency: 16 },
  },
  { argv: 'storage config push --env dev', fn: 'storageConfigPush', options: { ...G, env: 'dev', components: [] } },
  { argv: 'backup create --env prod', fn: 'backupCreate', options: { ...G, env: 'prod', dbBackup: false } },
  { argv: 'backup create --env prod --db-backup --json', fn: 'backupCreate', options: { ...G, env: 'prod', json: true, dbBackup: true } },
  { argv: 'backup list --env prod --json', fn: 'backupList', options: { ...G, env: 'prod', json: true } },
  {
    argv: 'backup restore prod-20261203t144501z --env prod --dry-run --server-name cvat-prod-pg-x-r1',
    fn: 'backupRestore',
    options: { ...G, env: 'prod', dryRun: true, id: 'prod-20261203t144501z', serverName: 'cvat-prod-pg-x-r1' },
  },
  {
    argv: 'backup prune --env prod --keep-days 14 --keep-last 7 --yes',
    fn: 'backupPrune',
    options: { ...G, env: 'prod', yes: true, keepDays: 14, keepLast: 7 },
  },
  {
    argv: 'storage config push vector grafana --env dev --yes',
    fn: 'storageConfigPush',
    options: { ...G, env: 'dev', yes: true, components: ['vector', 'grafana'] },
  },
  { argv: 'storage rules --env dev', fn: 'storageRules', options: { ...G, env: 'dev', myIp: false } },
  {
    argv: 'storage rules --env dev --ip 203.0.113.7 --my-ip --json',
    fn: 'storageRules',
    options: { ...G, env: 'dev', json: true, ip: '203.0.113.7', myIp: true },
  },
  // --output <file> on every read command, and its variable
  { argv: 'db check --output check.json', fn: 'dbCheck', options: { ...G, connection: {}, output: 'check.json' } },
  {
    argv: 'storage rules --env dev',
    fn: 'storageRules',
    options: { ...G, env: 'dev', myIp: false, output: 'rules.json' },
    env: { CVAT_OPS_OUTPUT: 'rules.json' },
  },
  { argv: 'storage rules --env dev', fn: 'storageRules', options: { ...G, env: 'dev', myIp: false }, env: { CVAT_OPS_OUTPUT: '' } },
  {
    argv: 'db query "select 1"',
    fn: 'dbQuery',
    options: { ...G, connection: {}, sql: 'select 1', write: false },
    env: { CVAT_OPS_OUTPUT: 'ignored.json' },
  },
  // status
  { argv: 'status --env dev', fn: 'status', options: { ...G, env: 'dev', noHealth: false } },
  {
    argv: 'status --env dev --json --no-health --health-timeout 3 --output out/status.json',
    fn: 'status',
    options: { ...G, env: 'dev', json: true, noHealth: true, healthTimeoutSeconds: 3, output: 'out/status.json' },
  },
  {
    argv: 'status --env dev --output flag.json',
    fn: 'status',
    options: { ...G, env: 'dev', noHealth: false, output: 'flag.json' },
    env: { CVAT_OPS_OUTPUT: 'env.json' },
  },
  {
    argv: `--json status --subscription ${SUB} --resource-group rg-x`,
    fn: 'status',
    options: { ...G, json: true, subscription: SUB, resourceGroup: 'rg-x', noHealth: false },
  },
  // drift
  { argv: 'drift --env dev', fn: 'drift', options: { ...G, env: 'dev' } },
  { argv: `drift --subscription ${SUB} --resource-group rg-x`, fn: 'drift', options: { ...G, subscription: SUB, resourceGroup: 'rg-x' } },
  { argv: 'drift --env dev --json --output drift.json', fn: 'drift', options: { ...G, env: 'dev', json: true, output: 'drift.json' } },
  {
    argv: 'drift --env dev',
    fn: 'drift',
    options: { ...G, env: 'dev', output: 'from-env.json' },
    env: { CVAT_OPS_OUTPUT: 'from-env.json' },
  },
  { argv: 'drift', fn: 'drift', options: { ...G, env: 'staging' }, env: { CVAT_ENV: 'staging' } },
  { argv: 'drift', fn: 'drift', options: { ...G, env: 'old' }, env: { CVAT_OPS_ENV: 'old' } },
  { argv: 'drift --env dev', fn: 'drift', options: { ...G, env: 'dev' }, env: { CVAT_ENV: 'staging', CVAT_OPS_ENV: 'old' } },
  { argv: 'drift', fn: 'drift', options: { ...G, env: 'staging' }, env: { CVAT_ENV: 'staging', CVAT_OPS_ENV: 'old' } },
  // idle
  { argv: 'idle --env dev', fn: 'idle', options: { ...G, env: 'dev' } },
  {
    argv: 'idle --env dev --hours 720 --app cvat-server --app opa --json --output out/idle.json',
    fn: 'idle',
    options: { ...G, env: 'dev', json: true, hours: 720, apps: ['cvat-server', 'opa'], output: 'out/idle.json' },
  },
  { argv: 'idle --hours 1', fn: 'idle', options: { ...G, env: 'staging', hours: 1 }, env: { CVAT_ENV: 'staging' } },
  // apps delete / restart / recreate
  { argv: 'apps delete --all --env dev --dry-run', fn: 'appsDelete', options: { ...G, env: 'dev', dryRun: true, names: [], all: true } },
  {
    argv: 'apps delete cvat-ui opa --env dev --yes --json',
    fn: 'appsDelete',
    options: { ...G, env: 'dev', yes: true, json: true, names: ['cvat-ui', 'opa'], all: false },
  },
  { argv: '--yes apps delete vector', fn: 'appsDelete', options: { ...G, yes: true, names: ['vector'], all: false } },
  { argv: 'apps restart cvat-server --env dev --yes', fn: 'appsRestart', options: { ...G, env: 'dev', yes: true, name: 'cvat-server' } },
  {
    argv: 'apps restart opa --dry-run --json --env dev',
    fn: 'appsRestart',
    options: { ...G, env: 'dev', dryRun: true, json: true, name: 'opa' },
  },
  { argv: 'apps recreate opa --env dev --dry-run', fn: 'appsRecreate', options: { ...G, env: 'dev', dryRun: true, name: 'opa' } },
  {
    argv: 'apps recreate opa --env dev --yes --address azurerm_container_app.opa_X',
    fn: 'appsRecreate',
    options: { ...G, env: 'dev', yes: true, name: 'opa', address: 'azurerm_container_app.opa_X' },
  },
  // logs
  { argv: 'logs cvat-server --env dev', fn: 'logs', options: { ...G, env: 'dev', name: 'cvat-server', follow: false, type: 'console' } },
  {
    argv: 'logs cvat-server -f --tail 0 --type console --revision r1 --replica r1-a --container c --env dev',
    fn: 'logs',
    options: {
      ...G,
      env: 'dev',
      name: 'cvat-server',
      follow: true,
      tail: 0,
      type: 'console',
      revision: 'r1',
      replica: 'r1-a',
      container: 'c',
    },
  },
  {
    argv: 'logs opa --type system --tail 300 --follow --json --env dev',
    fn: 'logs',
    options: { ...G, env: 'dev', json: true, name: 'opa', follow: true, type: 'system', tail: 300 },
  },
];

/** Splits like a shell for these simple cases (double quotes group words). */
const split = (argv: string): string[] => [...argv.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);

describe('cvat-ops argv parsing', () => {
  // --output writes files relative to the runtime's cwd: keep them in a temp dir
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'cvat-ops-parse-'));
    mkdirSync(join(cwd, 'out'));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  beforeEach(() => {
    for (const fn of Object.values(all)) {
      fn.mockReset();
      fn.mockResolvedValue(result);
    }
  });

  it.each(cases)('`cvat-ops $argv` (env $env) calls $fn with exactly its options', async ({ argv, fn, options, env }) => {
    const runtime = testRuntime({ cwd, env: env ?? {} });
    const code = await runCli(split(argv), runtime);
    expect(code).toBe(0);
    expect(all[fn]).toHaveBeenCalledTimes(1);
    expect(all[fn]).toHaveBeenCalledWith(options, runtime);
    for (const [name, other] of Object.entries(all)) if (name !== fn) expect(other).not.toHaveBeenCalled();
    if (typeof options.output === 'string') {
      expect(JSON.parse(readFileSync(join(cwd, options.output), 'utf8'))).toEqual(result.data);
      rmSync(join(cwd, options.output));
    }
  });

  it('prints the returned view, or the data as JSON with --json', async () => {
    const human = testRuntime();
    await runCli(['db', 'check'], human);
    expect(human.out()).toBe('done\n');
    const machine = testRuntime();
    await runCli(['db', 'check', '--json'], machine);
    expect(JSON.parse(machine.out())).toEqual({ ok: true });
  });

  it('writes the --output file as JSON while stdout keeps the table, also for a result with exit code 1', async () => {
    drift.drift.mockResolvedValue({ data: { drifted: true, apps: [] }, view: [{ kind: 'lines', lines: ['1 drifted'] }], exitCode: 1 });
    const runtime = testRuntime({ cwd });
    expect(await runCli(['drift', '--output', 'drift-result.json'], runtime)).toBe(1);
    expect(runtime.out()).toBe('1 drifted\n');
    expect(JSON.parse(readFileSync(join(cwd, 'drift-result.json'), 'utf8'))).toEqual({ drifted: true, apps: [] });
    rmSync(join(cwd, 'drift-result.json'));
  });

  it('an --output in a directory that does not exist is exit 6 before the command runs, naming the directory', async () => {
    const runtime = testRuntime({ cwd });
    const error = await runCli(['status', '--output', 'no-such-dir/status.json'], runtime).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exit).toBe(EXIT.NOT_FOUND);
    expect((error as CliError).message).toBe(
      `--output (no-such-dir/status.json): the directory ${join(cwd, 'no-such-dir')} does not exist; create it first. Nothing was written.`,
    );
    expect(status.status).not.toHaveBeenCalled();
    expect(runtime.out()).toBe('');
    expect(existsSync(join(cwd, 'no-such-dir'))).toBe(false);
  });

  it('an existing --output file is refused (exit 3) without --overwrite, before the command runs, and replaced with it', async () => {
    writeFileSync(join(cwd, 'old.json'), 'keep');
    const refused = testRuntime({ cwd });
    const error = (await runCli(['drift', '--env', 'dev', '--output', 'old.json'], refused).catch((e: unknown) => e)) as CliError;
    expect(error.exit).toBe(EXIT.REFUSED);
    expect(error.message).toContain('Run: cvat-ops drift --env dev --output old.json --overwrite');
    expect(drift.drift).not.toHaveBeenCalled();
    expect(readFileSync(join(cwd, 'old.json'), 'utf8')).toBe('keep');
    expect(await runCli(['drift', '--env', 'dev', '--output', 'old.json', '--overwrite'], testRuntime({ cwd }))).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, 'old.json'), 'utf8'))).toEqual(result.data);
    rmSync(join(cwd, 'old.json'));
  });

  it('returns the exit code a command reports (1 for failed checks)', async () => {
    db.dbCheck.mockResolvedValue({ ...result, exitCode: 1 });
    expect(await runCli(['db', 'check'], testRuntime())).toBe(1);
  });

  const usage: { argv: string; message: RegExp }[] = [
    { argv: 'db chek', message: /unknown command 'chek'/ },
    { argv: 'db check --port 99999', message: /'--port' \(99999\) must be an integer between 1 and 65535/ },
    { argv: 'db check --port abc', message: /'--port' \(abc\) must be an integer between 1 and 65535/ },
    { argv: 'db check --sslmode sometimes', message: /Allowed choices are disable, prefer, require, verify-ca, verify-full/ },
    { argv: 'db query', message: /missing required argument 'sql'/ },
    { argv: 'storage upload only-one-arg', message: /missing required argument 'share-path'/ },
    { argv: 'storage upload a b --concurrency 0', message: /'--concurrency' \(0\) must be an integer between 1 and 64/ },
    { argv: 'storage rules --ip 300.1.1.1', message: /'--ip' \(300\.1\.1\.1\) must be an IPv4 address/ },
    { argv: 'storage upload a b --range-concurrency 65', message: /'--range-concurrency' \(65\) must be an integer between 1 and 64/ },
    { argv: 'backup restore', message: /missing required argument 'recovery-point'/ },
    { argv: 'backup prune --keep-days -1', message: /'--keep-days' \(-1\) must be an integer between 0 and 3650/ },
    { argv: 'backup prune --keep-last many', message: /'--keep-last' \(many\) must be an integer between 0 and 1000/ },
    { argv: 'backup snapshot', message: /unknown command 'snapshot'/ },
    { argv: 'db check --bogus', message: /unknown option '--bogus'/ },
    { argv: 'db query "select 1" --output q.json', message: /unknown option '--output'/ },
    { argv: 'status --health-timeout 0', message: /'--health-timeout' \(0\) must be an integer between 1 and 120/ },
    { argv: 'status --health-timeout soon', message: /'--health-timeout' \(soon\) must be an integer between 1 and 120/ },
    { argv: 'status --output', message: /option '--output <file>' argument missing/ },
    { argv: 'status cvat-server', message: /too many arguments for 'status'\. Expected 0 arguments but got 1/ },
    { argv: 'drift --output', message: /option '--output <file>' argument missing/ },
    { argv: 'drift cvat-server', message: /too many arguments for 'drift'\. Expected 0 arguments but got 1/ },
    { argv: 'drift --yes-please', message: /unknown option '--yes-please'/ },
    { argv: 'idle --hours 0', message: /'--hours' \(0\) must be an integer between 1 and 720/ },
    { argv: 'idle --hours 721', message: /'--hours' \(721\) must be an integer between 1 and 720/ },
    { argv: 'idle --hours day', message: /'--hours' \(day\) must be an integer between 1 and 720/ },
    { argv: 'idle --app', message: /option '--app <name>' argument missing/ },
    { argv: 'idle cvat-server', message: /too many arguments for 'idle'\. Expected 0 arguments but got 1/ },
    { argv: 'apps remove cvat-ui', message: /unknown command 'remove'/ },
    { argv: 'apps delete --all --force', message: /unknown option '--force'/ },
    { argv: 'apps restart', message: /missing required argument 'name'/ },
    { argv: 'apps restart cvat-ui opa', message: /too many arguments for 'restart'\. Expected 1 argument but got 2/ },
    { argv: 'apps recreate', message: /missing required argument 'name'/ },
    { argv: 'apps recreate opa --address', message: /option '--address <address>' argument missing/ },
    { argv: 'logs', message: /missing required argument 'name'/ },
    { argv: 'logs cvat-server --tail 301', message: /'--tail' \(301\) must be an integer between 0 and 300/ },
    { argv: 'logs cvat-server --tail -1', message: /'--tail' \(-1\) must be an integer between 0 and 300/ },
    { argv: 'logs cvat-server --tail 2.5', message: /'--tail' \(2\.5\) must be an integer between 0 and 300/ },
    {
      argv: 'logs cvat-server --type stdout',
      message: /option '--type <type>' argument 'stdout' is invalid\. Allowed choices are console, system/,
    },
  ];

  it.each(usage)('`cvat-ops $argv` is a usage error (exit 2) and calls nothing', async ({ argv, message }) => {
    const runtime = testRuntime();
    const error = await runCli(split(argv), runtime).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exit).toBe(2);
    expect(runtime.err()).toMatch(message);
    for (const fn of Object.values(all)) expect(fn).not.toHaveBeenCalled();
  });

  it('CVAT_OPS_ENV still names the environment, with a deprecation warning pointing at CVAT_ENV', async () => {
    drift.drift.mockResolvedValue(result);
    const runtime = testRuntime({ env: { CVAT_OPS_ENV: 'old' } });
    expect(await runCli(['drift'], runtime)).toBe(0);
    expect(runtime.err()).toBe('warning: CVAT_OPS_ENV is deprecated; set CVAT_ENV=old instead (CVAT_OPS_ENV will be removed).\n');
    const current = testRuntime({ env: { CVAT_ENV: 'new' } });
    expect(await runCli(['drift'], current)).toBe(0);
    expect(current.err()).toBe('');
  });

  it('--help exits 0 and lists commands, exit codes and environment variables', async () => {
    const runtime = testRuntime();
    expect(await runCli(['--help'], runtime)).toBe(0);
    expect(runtime.out()).toMatch(/Commands:\n\s+db\s/);
    expect(runtime.out()).toContain('Exit codes (the same in every cvat-cloud tool, see docs/exit-codes.md):\n  0   done');
    expect(runtime.out()).toContain('PGHOST PGPORT');
  });

  describe('the process edge (main)', () => {
    it('prints an CliError as "cvat-ops: error: …" and returns its code', async () => {
      db.dbCheck.mockRejectedValue(new CliError(EXIT.NOT_FOUND, "Database 'x' does not exist"));
      const rt = testRuntime();
      expect(await main(['db', 'check'], rt)).toBe(6);
      expect(rt.err()).toBe("cvat-ops: error: Database 'x' does not exist\n");
      expect(rt.out()).toBe('');
    });

    it('prints an CliError as JSON on stdout with --json', async () => {
      db.dbCheck.mockRejectedValue(new CliError(EXIT.REFUSED, 'Refusing', { data: { planned: ['a'] } }));
      const rt = testRuntime();
      expect(await main(['db', 'check', '--json'], rt)).toBe(3);
      expect(JSON.parse(rt.out())).toEqual({ error: { exitCode: 3, message: 'Refusing', data: { planned: ['a'] } } });
    });

    it('turns an unexpected exception into exit 70 with the stack, calling it a bug', async () => {
      db.dbCheck.mockRejectedValue(new TypeError("Cannot read properties of undefined (reading 'rows')"));
      const rt = testRuntime();
      expect(await main(['db', 'check'], rt)).toBe(70);
      expect(rt.err()).toMatch(
        /^cvat-ops: error: internal error: Cannot read properties of undefined \(reading 'rows'\)\. This is a bug in cvat-ops/,
      );
      expect(rt.err()).toContain('TypeError: Cannot read properties');
    });

    it('does not print a usage error twice (commander already did) and returns 2', async () => {
      const rt = testRuntime();
      expect(await main(['db', 'nope'], rt)).toBe(2);
      expect(rt.err().match(/unknown command 'nope'/g)).toHaveLength(1);
    });
  });
});

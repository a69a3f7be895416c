/**
 * Table-driven argv parsing (house style rule 17): the command modules are mocked, and each argv must call exactly
 * one command function with exactly these options. Options are the contract between src/cli.ts and the commands.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli';
import { main } from '../src/index';
import { EXIT, ExitError } from '../src/errors';
import { testRuntime } from './support/test-runtime';

const result = { data: { ok: true }, view: [{ kind: 'lines' as const, lines: ['done'] }] };
const db = vi.hoisted(() => ({ dbCheck: vi.fn(), dbQuery: vi.fn(), dbShell: vi.fn() }));
const storage = vi.hoisted(() => ({ storageUpload: vi.fn(), storageConfigPush: vi.fn(), storageRules: vi.fn() }));
vi.mock('../src/commands/db/index', () => db);
vi.mock('../src/commands/storage/index', () => storage);

const all = { ...db, ...storage };
type Name = keyof typeof all;

const G = { json: false, yes: false, dryRun: false, env: undefined, subscription: undefined, resourceGroup: undefined };

const cases: { argv: string; fn: Name; options: Record<string, unknown> }[] = [
  { argv: 'db check', fn: 'dbCheck', options: { ...G, connection: {} } },
  { argv: 'db check --env dev --json', fn: 'dbCheck', options: { ...G, env: 'dev', json: true, connection: {} } },
  { argv: '--env dev db check', fn: 'dbCheck', options: { ...G, env: 'dev', connection: {} } },
  {
    argv: 'db check --host 127.0.0.1 --port 55432 --user cvat --database cvat --sslmode verify-full --ca /tmp/ca.crt --connect-timeout 3',
    fn: 'dbCheck',
    options: { ...G, connection: { host: '127.0.0.1', port: 55432, user: 'cvat', database: 'cvat', sslmode: 'verify-full', ca: '/tmp/ca.crt', connectTimeoutSeconds: 3 } },
  },
  { argv: 'db query "select 1"', fn: 'dbQuery', options: { ...G, connection: {}, sql: 'select 1', write: false } },
  {
    argv: 'db query "delete from x" --write --yes --dry-run --max-rows 5 --env prod',
    fn: 'dbQuery',
    options: { ...G, env: 'prod', yes: true, dryRun: true, connection: {}, sql: 'delete from x', write: true, maxRows: 5 },
  },
  { argv: 'db shell --host /var/run/postgresql', fn: 'dbShell', options: { ...G, connection: { host: '/var/run/postgresql' }, write: false } },
  { argv: 'db shell --write --yes', fn: 'dbShell', options: { ...G, yes: true, connection: {}, write: true } },
  { argv: 'storage upload ./seed cvat-data/imports --env dev', fn: 'storageUpload', options: { ...G, env: 'dev', localPath: './seed', sharePath: 'cvat-data/imports' } },
  {
    argv: 'storage upload a.txt cvat-config --account cvatdevst1234 --concurrency 8 --dry-run --subscription 00000000-0000-0000-0000-000000000000 --resource-group rg-x',
    fn: 'storageUpload',
    options: { ...G, dryRun: true, subscription: '00000000-0000-0000-0000-000000000000', resourceGroup: 'rg-x', localPath: 'a.txt', sharePath: 'cvat-config', account: 'cvatdevst1234', concurrency: 8 },
  },
  { argv: 'storage config push --env dev', fn: 'storageConfigPush', options: { ...G, env: 'dev', components: [] } },
  { argv: 'storage config push vector grafana --env dev --yes', fn: 'storageConfigPush', options: { ...G, env: 'dev', yes: true, components: ['vector', 'grafana'] } },
  { argv: 'storage rules --env dev', fn: 'storageRules', options: { ...G, env: 'dev', myIp: false } },
  { argv: 'storage rules --env dev --ip 203.0.113.7 --my-ip --json', fn: 'storageRules', options: { ...G, env: 'dev', json: true, ip: '203.0.113.7', myIp: true } },
];

/** Splits like a shell for these simple cases (double quotes group words). */
const split = (argv: string): string[] => [...argv.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);

describe('cvat-ops argv parsing', () => {
  beforeEach(() => {
    for (const fn of Object.values(all)) {
      fn.mockReset();
      fn.mockResolvedValue(result);
    }
  });

  it.each(cases)('`cvat-ops $argv` calls $fn with exactly its options', async ({ argv, fn, options }) => {
    const runtime = testRuntime();
    const code = await runCli(split(argv), runtime);
    expect(code).toBe(0);
    expect(all[fn]).toHaveBeenCalledTimes(1);
    expect(all[fn]).toHaveBeenCalledWith(options, runtime);
    for (const [name, other] of Object.entries(all)) if (name !== fn) expect(other).not.toHaveBeenCalled();
  });

  it('prints the returned view, or the data as JSON with --json', async () => {
    const human = testRuntime();
    await runCli(['db', 'check'], human);
    expect(human.out()).toBe('done\n');
    const machine = testRuntime();
    await runCli(['db', 'check', '--json'], machine);
    expect(JSON.parse(machine.out())).toEqual({ ok: true });
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
    { argv: 'db check --bogus', message: /unknown option '--bogus'/ },
  ];

  it.each(usage)('`cvat-ops $argv` is a usage error (exit 2) and calls nothing', async ({ argv, message }) => {
    const runtime = testRuntime();
    const error = await runCli(split(argv), runtime).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExitError);
    expect((error as ExitError).code).toBe(2);
    expect(runtime.err()).toMatch(message);
    for (const fn of Object.values(all)) expect(fn).not.toHaveBeenCalled();
  });

  it('--help exits 0 and lists commands, exit codes and environment variables', async () => {
    const runtime = testRuntime();
    expect(await runCli(['--help'], runtime)).toBe(0);
    expect(runtime.out()).toMatch(/Commands:\n\s+db\s/);
    expect(runtime.out()).toContain('Exit codes:\n  0   success');
    expect(runtime.out()).toContain('PGHOST PGPORT');
  });

  describe('the process edge (main)', () => {
    it('prints an ExitError as "cvat-ops: error: …" and returns its code', async () => {
      db.dbCheck.mockRejectedValue(new ExitError(EXIT.NOT_FOUND, "Database 'x' does not exist"));
      const rt = testRuntime();
      expect(await main(['db', 'check'], rt)).toBe(5);
      expect(rt.err()).toBe("cvat-ops: error: Database 'x' does not exist\n");
      expect(rt.out()).toBe('');
    });

    it('prints an ExitError as JSON on stdout with --json', async () => {
      db.dbCheck.mockRejectedValue(new ExitError(EXIT.REFUSED, 'Refusing', { data: { planned: ['a'] } }));
      const rt = testRuntime();
      expect(await main(['db', 'check', '--json'], rt)).toBe(3);
      expect(JSON.parse(rt.out())).toEqual({ error: { exitCode: 3, message: 'Refusing', data: { planned: ['a'] } } });
    });

    it('turns an unexpected exception into exit 70 with the stack, calling it a bug', async () => {
      db.dbCheck.mockRejectedValue(new TypeError("Cannot read properties of undefined (reading 'rows')"));
      const rt = testRuntime();
      expect(await main(['db', 'check'], rt)).toBe(70);
      expect(rt.err()).toMatch(/^cvat-ops: error: internal error: Cannot read properties of undefined \(reading 'rows'\)\. This is a bug in cvat-ops/);
      expect(rt.err()).toContain('TypeError: Cannot read properties');
    });

    it('does not print a usage error twice (commander already did) and returns 2', async () => {
      const rt = testRuntime();
      expect(await main(['db', 'nope'], rt)).toBe(2);
      expect(rt.err().match(/unknown command 'nope'/g)).toHaveLength(1);
    });
  });
});

/**
 * Table-driven argv parsing of the Container Apps commands (house style rule 17): the command modules are mocked,
 * and each argv must call exactly one command function with exactly these options.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli';
import { EXIT, ExitError } from '../../src/errors';
import { testRuntime } from '../support/test-runtime';

const result = { data: { ok: true }, view: [{ kind: 'lines' as const, lines: ['done'] }] };
const status = vi.hoisted(() => ({ status: vi.fn() }));
const drift = vi.hoisted(() => ({ drift: vi.fn() }));
const apps = vi.hoisted(() => ({ appsDelete: vi.fn(), appsRestart: vi.fn(), appsRecreate: vi.fn() }));
const logs = vi.hoisted(() => ({ logs: vi.fn() }));
vi.mock('../../src/commands/status/index', () => status);
vi.mock('../../src/commands/drift/index', () => drift);
vi.mock('../../src/commands/apps/index', () => apps);
vi.mock('../../src/commands/logs/index', () => logs);

const all = { ...status, ...drift, ...apps, ...logs };
type Name = keyof typeof all;

const G = { json: false, yes: false, dryRun: false, env: undefined, subscription: undefined, resourceGroup: undefined };

const cases: { argv: string; fn: Name; options: Record<string, unknown> }[] = [
  { argv: 'status --env dev', fn: 'status', options: { ...G, env: 'dev', noHealth: false } },
  { argv: 'status --env dev --json --no-health --health-timeout 3', fn: 'status', options: { ...G, env: 'dev', json: true, noHealth: true, healthTimeoutSeconds: 3 } },
  { argv: 'drift --subscription s-1 --resource-group rg-x', fn: 'drift', options: { ...G, subscription: 's-1', resourceGroup: 'rg-x' } },
  { argv: 'apps delete --all --env dev --dry-run', fn: 'appsDelete', options: { ...G, env: 'dev', dryRun: true, names: [], all: true } },
  { argv: 'apps delete cvat-ui opa --env dev --yes --json', fn: 'appsDelete', options: { ...G, env: 'dev', yes: true, json: true, names: ['cvat-ui', 'opa'], all: false } },
  { argv: 'apps restart cvat-server --env dev --yes', fn: 'appsRestart', options: { ...G, env: 'dev', yes: true, name: 'cvat-server' } },
  { argv: 'apps recreate opa --env dev --dry-run', fn: 'appsRecreate', options: { ...G, env: 'dev', dryRun: true, name: 'opa' } },
  { argv: 'apps recreate opa --env dev --address azurerm_container_app.opa_X', fn: 'appsRecreate', options: { ...G, env: 'dev', name: 'opa', address: 'azurerm_container_app.opa_X' } },
  { argv: 'logs cvat-server --env dev', fn: 'logs', options: { ...G, env: 'dev', name: 'cvat-server', follow: false, type: 'console' } },
  {
    argv: 'logs cvat-server -f --tail 0 --type console --revision r1 --replica r1-a --container c --env dev',
    fn: 'logs',
    options: { ...G, env: 'dev', name: 'cvat-server', follow: true, tail: 0, type: 'console', revision: 'r1', replica: 'r1-a', container: 'c' },
  },
  { argv: 'logs opa --type system --tail 300 --env dev', fn: 'logs', options: { ...G, env: 'dev', name: 'opa', follow: false, type: 'system', tail: 300 } },
];

describe('cvat-ops argv parsing: status, drift, apps, logs', () => {
  beforeEach(() => {
    for (const fn of Object.values(all)) {
      fn.mockReset();
      fn.mockResolvedValue(result);
    }
  });

  it.each(cases)('calls $fn for `$argv`', async ({ argv, fn, options }) => {
    const runtime = testRuntime();
    expect(await runCli(argv.split(' '), runtime)).toBe(0);
    expect(all[fn]).toHaveBeenCalledTimes(1);
    expect(all[fn]).toHaveBeenCalledWith(options, runtime);
    for (const [name, other] of Object.entries(all)) if (name !== fn) expect(other).not.toHaveBeenCalled();
  });

  it.each(['logs cvat-server --tail 301', 'logs cvat-server --type stdout', 'apps restart', 'apps recreate', 'status --health-timeout 0'])(
    'rejects `%s` as a usage error before running anything',
    async (argv) => {
      const error = await runCli(argv.split(' '), testRuntime()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExitError);
      expect((error as ExitError).code).toBe(EXIT.USAGE);
      for (const fn of Object.values(all)) expect(fn).not.toHaveBeenCalled();
    },
  );
});

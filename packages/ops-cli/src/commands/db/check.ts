import type { Client } from 'pg';
import type { CommandResult } from '../../output';
import type { Runtime } from '../../context/runtime';
import { describeError } from '@cvat-cloud/runtime';
import { closeConnection, describeConnection, isLocalHost, openConnection, target } from './connection';
import { resolveDbConnection } from './resolve';
import type { DbCheckOptions } from './options';

/** Result of one check. */
export interface CheckRow {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

/** A query running longer than others, from pg_stat_activity. */
export interface LongQuery {
  pid: number;
  user: string | null;
  database: string | null;
  state: string | null;
  seconds: number;
  query: string;
}

/** Everything `db check` reports (`--json`). */
export interface DbCheckReport {
  connection: Record<string, unknown>;
  connectMs: number;
  tls: { inUse: boolean; version: string | null; cipher: string | null; bits: number | null };
  server: { version: string; versionNum: number } | null;
  cvatDatabase: { present: boolean; databases: string[] } | null;
  migrations: { table: boolean; count: number; latest: { app: string; name: string; applied: string } | null; apps: number } | null;
  connections: { current: number; max: number; reserved: number; usedPercent: number } | null;
  longRunning: LongQuery[];
  checks: CheckRow[];
  ok: boolean;
}

/** Queries longer than this are flagged. */
export const LONG_QUERY_WARN_SECONDS = 300;
/** Connection usage (percent of max_connections minus reserved) that warns / fails. */
export const CONNECTIONS_WARN_PERCENT = 80;
export const CONNECTIONS_FAIL_PERCENT = 95;
/** Oldest PostgreSQL major version CVAT v2.73 runs on (upstream compose uses 15). */
export const MIN_SERVER_MAJOR = 12;

async function step<T>(rows: CheckRow[], name: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (error) {
    rows.push({ check: name, status: 'fail', detail: `query failed: ${describeError(error)}` });
    return null;
  }
}

/**
 * `cvat-ops db check`: connectivity, TLS, server version, the cvat database, Django migrations, connection usage and
 * the longest-running queries. Connection failures throw (wrong password → 4, unreachable → 1, missing database → 5);
 * failed checks make the exit code 1 with the full report.
 */
export async function dbCheck(options: DbCheckOptions, runtime: Runtime): Promise<CommandResult<DbCheckReport>> {
  const conn = await resolveDbConnection(options.connection, options, runtime);
  const open = await openConnection(conn);
  const client: Client = open.client;
  const rows: CheckRow[] = [];
  try {
    rows.push({ check: 'connection', status: 'ok', detail: `${target(conn)} in ${open.connectMs} ms` });

    const tlsRow = await step(rows, 'tls', async () => {
      const r = await client.query<{ ssl: boolean; version: string | null; cipher: string | null; bits: number | null }>(
        'select ssl, version, cipher, bits from pg_stat_ssl where pid = pg_backend_pid()',
      );
      return r.rows[0] ?? { ssl: false, version: null, cipher: null, bits: null };
    });
    const tls = {
      inUse: Boolean(tlsRow?.ssl),
      version: tlsRow?.version ?? null,
      cipher: tlsRow?.cipher ?? null,
      bits: tlsRow?.bits ?? null,
    };
    if (tlsRow) {
      if (tls.inUse)
        rows.push({ check: 'tls', status: 'ok', detail: `${tls.version} ${tls.cipher} (${tls.bits} bits), sslmode=${conn.sslmode}` });
      else if (isLocalHost(conn.host))
        rows.push({ check: 'tls', status: 'warn', detail: `not in use (sslmode=${conn.sslmode}); acceptable only for a local server` });
      else
        rows.push({
          check: 'tls',
          status: 'fail',
          detail: `not in use (sslmode=${conn.sslmode}) on a remote host; use --sslmode verify-full`,
        });
    }

    const server = await step(rows, 'server version', async () => {
      const r = await client.query<{ version: string; num: string }>(
        "select current_setting('server_version') as version, current_setting('server_version_num') as num",
      );
      const row = r.rows[0]!;
      return { version: row.version, versionNum: Number(row.num) };
    });
    if (server) {
      const major = Math.floor(server.versionNum / 10000);
      rows.push(
        major >= MIN_SERVER_MAJOR
          ? { check: 'server version', status: 'ok', detail: `PostgreSQL ${server.version}` }
          : { check: 'server version', status: 'fail', detail: `PostgreSQL ${server.version}; CVAT needs ${MIN_SERVER_MAJOR} or newer` },
      );
    }

    const cvatDatabase = await step(rows, 'cvat database', async () => {
      const r = await client.query<{ datname: string }>('select datname from pg_database where not datistemplate order by datname');
      const databases = r.rows.map((x) => x.datname);
      return { present: databases.includes('cvat'), databases };
    });
    if (cvatDatabase) {
      rows.push(
        cvatDatabase.present
          ? { check: 'cvat database', status: 'ok', detail: `present (${cvatDatabase.databases.length} databases)` }
          : {
              check: 'cvat database',
              status: 'fail',
              detail: `missing; databases: ${cvatDatabase.databases.join(', ')}. It is created by the infra deploy (foundation stack).`,
            },
      );
    }

    const migrations = await step(rows, 'django migrations', async () => {
      const present = await client.query<{ t: string | null }>("select to_regclass('public.django_migrations')::text as t");
      if (!present.rows[0]?.t) return { table: false, count: 0, latest: null, apps: 0 };
      const r = await client.query<{ count: string; apps: string }>(
        'select count(*) as count, count(distinct app) as apps from public.django_migrations',
      );
      const latest = await client.query<{ app: string; name: string; applied: Date }>(
        'select app, name, applied from public.django_migrations order by applied desc, id desc limit 1',
      );
      const l = latest.rows[0];
      return {
        table: true,
        count: Number(r.rows[0]!.count),
        apps: Number(r.rows[0]!.apps),
        latest: l ? { app: l.app, name: l.name, applied: new Date(l.applied).toISOString() } : null,
      };
    });
    if (migrations) {
      if (!migrations.table) {
        rows.push({
          check: 'django migrations',
          status: 'warn',
          detail: `no django_migrations table in '${conn.database}': CVAT has not migrated this database yet (cvat-server runs the migrations at start)`,
        });
      } else if (migrations.count === 0) {
        rows.push({ check: 'django migrations', status: 'warn', detail: 'django_migrations is empty: migrations have not run' });
      } else {
        rows.push({
          check: 'django migrations',
          status: 'ok',
          detail:
            `${migrations.count} applied across ${migrations.apps} apps; latest ${migrations.latest!.app}.${migrations.latest!.name} at ` +
            `${migrations.latest!.applied}`,
        });
      }
    }

    const connections = await step(rows, 'connections', async () => {
      const r = await client.query<{ current: string; max: string; reserved: string }>(
        "select (select count(*) from pg_stat_activity where backend_type = 'client backend') as current, " +
          "current_setting('max_connections') as max, current_setting('superuser_reserved_connections') as reserved",
      );
      const row = r.rows[0]!;
      const current = Number(row.current);
      const max = Number(row.max);
      const reserved = Number(row.reserved);
      const usable = Math.max(1, max - reserved);
      return { current, max, reserved, usedPercent: Math.round((current / usable) * 1000) / 10 };
    });
    if (connections) {
      const status =
        connections.usedPercent >= CONNECTIONS_FAIL_PERCENT ? 'fail' : connections.usedPercent >= CONNECTIONS_WARN_PERCENT ? 'warn' : 'ok';
      rows.push({
        check: 'connections',
        status,
        detail:
          `${connections.current} of ${connections.max - connections.reserved} usable (max_connections ${connections.max}, ` +
          `${connections.reserved} reserved): ${connections.usedPercent}%`,
      });
    }

    const longRunning =
      (await step(rows, 'long-running queries', async () => {
        const r = await client.query<{
          pid: number;
          user: string | null;
          database: string | null;
          state: string | null;
          seconds: number;
          query: string;
        }>(
          'select pid, usename as "user", datname as "database", state, ' +
            'round(extract(epoch from (clock_timestamp() - query_start))::numeric, 1)::float8 as seconds, ' +
            "left(regexp_replace(coalesce(query, ''), '\\s+', ' ', 'g'), 160) as query " +
            "from pg_stat_activity where state is distinct from 'idle' and pid <> pg_backend_pid() and query_start is not null " +
            "and backend_type = 'client backend' order by query_start asc limit 5",
        );
        return r.rows.map((x) => ({ ...x, seconds: Number(x.seconds) }));
      })) ?? [];
    const slow = longRunning.filter((q) => q.seconds >= LONG_QUERY_WARN_SECONDS);
    rows.push(
      slow.length
        ? {
            check: 'long-running queries',
            status: 'warn',
            detail: `${slow.length} running for ${LONG_QUERY_WARN_SECONDS} s or more (longest ${slow[0]!.seconds} s, pid ${slow[0]!.pid})`,
          }
        : {
            check: 'long-running queries',
            status: 'ok',
            detail: longRunning.length ? `longest ${longRunning[0]!.seconds} s` : 'none active',
          },
    );

    const ok = rows.every((r) => r.status !== 'fail');
    const report: DbCheckReport = {
      connection: describeConnection(conn),
      connectMs: open.connectMs,
      tls,
      server,
      cvatDatabase,
      migrations,
      connections,
      longRunning,
      checks: rows,
      ok,
    };
    const failed = rows.filter((r) => r.status === 'fail').length;
    const warned = rows.filter((r) => r.status === 'warn').length;
    return {
      data: report,
      exitCode: ok ? 0 : 1,
      view: [
        {
          kind: 'table',
          title: `PostgreSQL ${target(conn)}`,
          columns: [{ key: 'check' }, { key: 'status' }, { key: 'detail' }],
          rows: rows as unknown as Record<string, unknown>[],
        },
        ...(longRunning.length
          ? [
              {
                kind: 'table' as const,
                title: 'Longest-running queries',
                columns: [
                  { key: 'pid', align: 'right' as const },
                  { key: 'seconds', align: 'right' as const },
                  { key: 'user' },
                  { key: 'state' },
                  { key: 'query' },
                ],
                rows: longRunning as unknown as Record<string, unknown>[],
              },
            ]
          : []),
        {
          kind: 'lines',
          lines: [ok ? `${rows.length} checks: ${warned} warnings, 0 failures.` : `${failed} of ${rows.length} checks failed.`],
        },
      ],
    };
  } finally {
    await closeConnection(client);
  }
}

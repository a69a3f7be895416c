/**
 * `cvat-ops db shell`: a small psql-like REPL. On a TTY it prompts and edits lines; otherwise it reads statements from
 * stdin (`echo "select 1;" | cvat-ops db shell`). Statements end at a top-level `;` (the rest at end of input runs
 * too). Without `--write` every statement runs alone in `BEGIN READ ONLY … ROLLBACK`.
 */
import { createInterface } from 'node:readline';
import type { Client } from 'pg';
import { renderJson, renderView, type CommandResult } from '../../output';
import type { Runtime } from '../../context/runtime';
import {
  assertCanConfirm,
  CliError,
  confirmAction,
  describeError,
  EXIT,
  formatCommand,
  redactSecrets,
  rememberedSecrets,
  secretValuesFromEnv,
} from '@cvat-cloud/runtime';
import { closeConnection, flagArgv, openConnection, target, type ResolvedConnection } from './connection';
import { resolveDbConnection } from './resolve';
import { resultBlocks, runOne, runSimple, statementError, type StatementResult } from './sql';
import { isOnlyComments, splitStatements } from './split-statements';
import type { DbShellOptions } from './options';
import { DEFAULT_STATEMENT_TIMEOUT_SECONDS, READ_ONLY_ROLE, sideEffectsOf } from './sandbox';

/** Summary returned (and printed as the last JSON line with --json). */
export interface DbShellSummary {
  statements: number;
  errors: number;
}

export const SHELL_HELP = `Meta commands:
  \\q               quit (also Ctrl-D)
  \\?               this help
  \\conninfo        connection, TLS and server details
  \\l               list databases
  \\dt [PATTERN]    list tables (PATTERN: * and ? wildcards)
  \\d NAME          describe a table's columns
  \\x               toggle expanded display
  \\timing          toggle statement timing
End SQL statements with ';'.`;

interface ShellState {
  expanded: boolean;
  timing: boolean;
  statements: number;
  errors: number;
  /** Read-only mode: whether the login may SET ROLE to the read-only role (looked up at the first statement). */
  readOnlyRole?: boolean;
}

/** psql's `*`/`?` patterns as a LIKE pattern (other LIKE characters escaped). */
export function psqlPatternToLike(pattern: string): string {
  return pattern
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replace(/\*/g, '%')
    .replace(/\?/g, '_');
}

export async function dbShell(options: DbShellOptions, runtime: Runtime): Promise<CommandResult<DbShellSummary>> {
  const rerun = formatCommand(['cvat-ops', 'db', 'shell', '--write', '--yes', ...flagArgv(options.connection, options.env)]);
  // before resolving the connection (Key Vault, terraform outputs): a run that can never be confirmed stops here
  if (options.write) assertCanConfirm({ action: 'open a read-write shell', yes: options.yes, rerun, terminal: runtime });
  const conn = await resolveDbConnection(options.connection, options, runtime);
  if (options.write) {
    await confirmAction({
      action: `open a read-write shell on ${target(conn)} (statements autocommit)`,
      yes: options.yes,
      rerun,
      terminal: runtime,
    });
  }
  const { client } = await openConnection(conn);
  const state: ShellState = { expanded: false, timing: false, statements: 0, errors: 0 };
  // every line goes through the one redaction (PGPASSWORD, the Key Vault password, URL credentials never echoed)
  const secrets = [...secretValuesFromEnv(runtime.env), ...rememberedSecrets()];
  const out = (text: string): void => {
    if (text) runtime.stdout.write(redactSecrets(text.endsWith('\n') ? text : `${text}\n`, secrets));
  };
  const json = options.json;
  const tty = runtime.isTTY;
  try {
    if (tty && !json) {
      const info = await connInfo(client, conn);
      out(`cvat-ops db shell — ${info}`);
      out(
        options.write
          ? 'Read-write: statements autocommit (use BEGIN/COMMIT for transactions).'
          : 'Read-only: each statement runs in BEGIN READ ONLY … ROLLBACK (start with --write to change data).',
      );
      out('Type \\? for help, \\q to quit.');
    }
    const rl = createInterface({
      input: runtime.stdin,
      ...(tty ? { output: runtime.stdout } : {}),
      terminal: tty,
      historySize: tty ? 200 : 0,
    });
    const base = `${conn.database}${options.write ? '' : ' (ro)'}`;
    let buffer = '';
    const setPrompt = (): void => {
      rl.setPrompt(buffer.trim() ? `${base}-> ` : `${base}=> `);
      if (tty) rl.prompt();
    };
    rl.on('SIGINT', () => {
      // like psql: Ctrl-C drops the current input buffer
      buffer = '';
      runtime.stdout.write('\n');
      setPrompt();
    });
    setPrompt();
    let quit = false;
    for await (const line of rl) {
      if (!buffer.trim() && line.trim().startsWith('\\')) {
        quit = await meta(line.trim(), client, conn, state, out, json);
        if (quit) break;
        setPrompt();
        continue;
      }
      buffer += `${line}\n`;
      const { statements, rest } = splitStatements(buffer);
      buffer = rest;
      for (const statement of statements) await execute(statement, client, options.write, state, out, json);
      setPrompt();
    }
    if (!quit && buffer.trim() && !isOnlyComments(buffer)) await execute(buffer.trim(), client, options.write, state, out, json);
    rl.close();
  } finally {
    await closeConnection(client);
  }
  const summary = { statements: state.statements, errors: state.errors };
  if (json) out(JSON.stringify({ summary }));
  return { data: summary, view: [], streamed: true, exitCode: state.errors > 0 && !tty ? 1 : 0 };
}

async function execute(
  statement: string,
  client: Client,
  write: boolean,
  state: ShellState,
  out: (t: string) => void,
  json: boolean,
): Promise<void> {
  state.statements++;
  let result: StatementResult;
  try {
    if (write) {
      result = await runSimple(client, statement);
    } else {
      // The sandbox of db query (./sandbox): no side effects outside the transaction, a statement timeout, the
      // read-only role when there is one.
      const effects = sideEffectsOf(statement);
      if (effects.length > 0) {
        throw new CliError(
          EXIT.REFUSED,
          `Refused: the statement uses ${effects.join('; ')}, whose effects happen outside the read-only transaction. ` +
            'Nothing was sent. Start the shell with --write if it is intended.',
        );
      }
      await client.query('BEGIN READ ONLY');
      try {
        await client.query(`SET LOCAL statement_timeout = ${DEFAULT_STATEMENT_TIMEOUT_SECONDS * 1000}`);
        state.readOnlyRole ??= Boolean(
          (
            await client.query('select 1 from pg_roles where rolname = $1 and pg_has_role(current_user, oid, $2)', [
              READ_ONLY_ROLE,
              'MEMBER',
            ])
          ).rowCount,
        );
        if (state.readOnlyRole) await client.query(`SET LOCAL ROLE ${READ_ONLY_ROLE}`);
        result = await runOne(client, statement);
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
      }
    }
  } catch (error) {
    state.errors++;
    const e = statementError(error);
    if (json) out(JSON.stringify({ statement, error: e.message, exitCode: e.exit }));
    else out(`ERROR:  ${e.message}`);
    return;
  }
  if (json) {
    out(
      renderJson({
        statement,
        command: result.command,
        rowCount: result.rowCount,
        columns: result.columns,
        rows: result.rows,
        durationMs: result.durationMs,
      })
        .replace(/\n\s*/g, ' ')
        .trim(),
    );
    return;
  }
  out(renderView(resultBlocks(result, { expanded: state.expanded })));
  if (state.timing) out(`Time: ${result.durationMs} ms`);
  // psql leaves a blank line after each result
  if (result.columns.length) out('\n');
}

async function connInfo(client: Client, conn: ResolvedConnection): Promise<string> {
  const r = await client.query<{ ssl: boolean | null; version: string | null; cipher: string | null; server: string }>(
    "select s.ssl, s.version, s.cipher, current_setting('server_version') as server from pg_stat_ssl s where s.pid = pg_backend_pid()",
  );
  const row = r.rows[0];
  const tls = row?.ssl ? `TLS ${row.version} ${row.cipher}` : 'no TLS';
  return `${target(conn)}, PostgreSQL ${row?.server ?? '?'}, ${tls}`;
}

/** Runs a meta command; returns true for \q. */
async function meta(
  line: string,
  client: Client,
  conn: ResolvedConnection,
  state: ShellState,
  out: (t: string) => void,
  json: boolean,
): Promise<boolean> {
  const [cmd, ...args] = line.split(/\s+/);
  const show = (r: StatementResult): void => {
    if (json) out(JSON.stringify({ meta: cmd, rows: r.rows }));
    else out(`${renderView(resultBlocks(r, { expanded: state.expanded }))}\n`);
  };
  try {
    switch (cmd) {
      case '\\q':
        return true;
      case '\\?':
        out(SHELL_HELP);
        return false;
      case '\\conninfo':
        out(`You are connected to ${await connInfo(client, conn)}.`);
        return false;
      case '\\x':
        state.expanded = !state.expanded;
        out(`Expanded display is ${state.expanded ? 'on' : 'off'}.`);
        return false;
      case '\\timing':
        state.timing = !state.timing;
        out(`Timing is ${state.timing ? 'on' : 'off'}.`);
        return false;
      case '\\l':
        show(
          await runOne(
            client,
            'select datname as "Name", pg_get_userbyid(datdba) as "Owner", pg_encoding_to_char(encoding) as "Encoding" from pg_database where not ' +
              'datistemplate order by 1',
          ),
        );
        return false;
      case '\\dt': {
        const like = args[0] ? psqlPatternToLike(args[0]) : '%';
        const r = await client.query({
          text:
            'select n.nspname as "Schema", c.relname as "Name", case c.relkind when \'p\' then \'partitioned table\' else \'table\' end as "Type", ' +
            'pg_get_userbyid(c.relowner) as "Owner" from pg_class c join pg_namespace n on n.oid = c.relnamespace ' +
            "where c.relkind in ('r','p') and n.nspname not in ('pg_catalog','information_schema') and n.nspname !~ '^pg_toast' " +
            'and c.relname like $1 order by 1, 2',
          values: [like],
          rowMode: 'array',
        });
        const result: StatementResult = {
          command: 'SELECT',
          rowCount: r.rowCount,
          columns: r.fields.map((f) => f.name),
          rows: (r.rows as unknown[][]).map((v) => Object.fromEntries(r.fields.map((f, i) => [f.name, v[i]]))),
          durationMs: 0,
        };
        if (result.rows.length === 0 && !json)
          out(args[0] ? `Did not find any relation named "${args[0]}".` : 'Did not find any relations.');
        else show(result);
        return false;
      }
      case '\\d': {
        if (!args[0]) {
          out('usage: \\d NAME   (\\dt lists tables)');
          return false;
        }
        const r = await client.query({
          text:
            'select a.attname as "Column", format_type(a.atttypid, a.atttypmod) as "Type", ' +
            "case when a.attnotnull then 'not null' else '' end as \"Nullable\", coalesce(pg_get_expr(d.adbin, d.adrelid), '') as \"Default\" " +
            'from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum ' +
            'where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped order by a.attnum',
          values: [args[0]],
          rowMode: 'array',
        });
        if (r.rows.length === 0) {
          out(`Did not find any relation named "${args[0]}".`);
          return false;
        }
        show({
          command: 'SELECT',
          rowCount: r.rowCount,
          columns: r.fields.map((f) => f.name),
          rows: (r.rows as unknown[][]).map((v) => Object.fromEntries(r.fields.map((f, i) => [f.name, v[i]]))),
          durationMs: 0,
        });
        return false;
      }
      default:
        out(`invalid command ${cmd}\nTry \\? for help.`);
        return false;
    }
  } catch (error) {
    state.errors++;
    out(`ERROR:  ${describeError(error)}`);
    return false;
  }
}

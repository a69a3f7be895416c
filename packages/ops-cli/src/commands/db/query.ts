import type { CommandResult } from '../../output';
import type { Runtime } from '../../context/runtime';
import { assertCanConfirm, CliError, confirmAction, EXIT, formatCommand } from '@cvat-cloud/runtime';
import { closeConnection, describeConnection, flagArgv, openConnection, target } from './connection';
import { resolveDbConnection } from './resolve';
import { resultBlocks, runOne, statementError, type StatementResult } from './sql';
import { msg } from './messages';
import type { DbQueryOptions } from './options';

/** Rows printed by default. */
export const DEFAULT_MAX_ROWS = 1000;

/** What `db query --json` prints. */
export interface DbQueryReport extends Omit<StatementResult, 'rows'> {
  connection: Record<string, unknown>;
  rows: Record<string, unknown>[];
  truncated: boolean;
  /** 'read-only' (rolled back), 'dry-run' (read-write, rolled back) or 'committed'. */
  transaction: 'read-only' | 'dry-run' | 'committed';
}

/**
 * `cvat-ops db query "SQL"`: one statement inside `BEGIN READ ONLY … ROLLBACK` (a write fails with exit 3 and
 * changes nothing). With `--write`: `BEGIN READ WRITE … COMMIT` after confirmation; `--dry-run` rolls back instead.
 */
export async function dbQuery(options: DbQueryOptions, runtime: Runtime): Promise<CommandResult<DbQueryReport>> {
  const sql = options.sql.trim().replace(/;\s*$/, '');
  if (!sql) throw new CliError(EXIT.USAGE, 'The SQL statement is empty; pass one statement, e.g. cvat-ops db query "select version()".');
  const commit = options.write && !options.dryRun;
  const rerun = formatCommand(['cvat-ops', 'db', 'query', options.sql, '--write', '--yes', ...flagArgv(options.connection, options.env)]);
  // before resolving the connection (Key Vault, terraform outputs): a run that can never be confirmed stops here
  if (commit) assertCanConfirm({ action: 'run a writing SQL statement and COMMIT it', yes: options.yes, rerun, terminal: runtime });
  const conn = await resolveDbConnection(options.connection, options, runtime);
  if (commit) {
    await confirmAction({
      action: msg.writeAction(conn),
      items: [sql.length > 200 ? `${sql.slice(0, 200)}…` : sql],
      yes: options.yes,
      rerun,
      terminal: runtime,
    });
  }
  const { client } = await openConnection(conn);
  try {
    await client.query(options.write ? 'BEGIN READ WRITE' : 'BEGIN READ ONLY');
    let result: StatementResult;
    try {
      result = await runOne(client, sql);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw statementError(error);
    }
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
    const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
    const transaction = commit ? 'committed' : options.write ? 'dry-run' : 'read-only';
    const note =
      transaction === 'committed'
        ? `Committed on ${target(conn)}.`
        : transaction === 'dry-run'
          ? `Dry run: the statement ran in a read-write transaction on ${target(conn)} and was rolled back; nothing was changed.`
          : '';
    return {
      data: {
        connection: describeConnection(conn),
        command: result.command,
        rowCount: result.rowCount,
        columns: result.columns,
        rows: result.rows.slice(0, maxRows),
        truncated: result.rows.length > maxRows,
        durationMs: result.durationMs,
        transaction,
      },
      view: [...resultBlocks(result, { maxRows }), ...(note ? [{ kind: 'lines' as const, lines: [note] }] : [])],
    };
  } finally {
    await closeConnection(client);
  }
}

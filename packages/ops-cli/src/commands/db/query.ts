import type { CommandResult } from '../../output';
import type { Runtime } from '../../context/runtime';
import { assertCanConfirm, CliError, confirmAction, EXIT, formatCommand } from '@cvat-cloud/runtime';
import { closeConnection, describeConnection, flagArgv, openConnection, target } from './connection';
import { resolveDbConnection } from './resolve';
import { resultBlocks, runOne, statementError, type StatementResult } from './sql';
import { msg } from './messages';
import type { DbQueryOptions } from './options';
import {
  advancedSequences,
  DEFAULT_STATEMENT_TIMEOUT_SECONDS,
  READ_ONLY_ROLE,
  SEQUENCES_SQL,
  type SequenceValue,
  sideEffectsOf,
} from './sandbox';

/** Rows printed by default. */
export const DEFAULT_MAX_ROWS = 1000;

/** What `db query --json` prints. */
export interface DbQueryReport extends Omit<StatementResult, 'rows'> {
  connection: Record<string, unknown>;
  rows: Record<string, unknown>[];
  truncated: boolean;
  /** 'read-only' (rolled back), 'dry-run' (read-write, rolled back) or 'committed'. */
  transaction: 'read-only' | 'dry-run' | 'committed';
  /** The statement timeout the statement ran under, in seconds. */
  statementTimeoutSeconds: number;
  /** The role the statement ran as: the read-only role when one was used, else the login. */
  ranAs: string;
  /** Dry run only: sequences the statement advanced, which the rollback does not undo (`schema.name old → new`). */
  sequencesAdvanced?: string[];
}

/**
 * `cvat-ops db query "SQL"`: one statement inside `BEGIN READ ONLY … ROLLBACK` (a write fails with exit 3 and
 * changes nothing), under a statement timeout, as the read-only role when one exists, and refused before connecting when
 * it calls something with effects outside the transaction (./sandbox). With `--write`: `BEGIN READ WRITE … COMMIT` after
 * confirmation; `--dry-run` rolls back instead and reports the sequences the statement advanced anyway.
 */
export async function dbQuery(options: DbQueryOptions, runtime: Runtime): Promise<CommandResult<DbQueryReport>> {
  const sql = options.sql.trim().replace(/;\s*$/, '');
  if (!sql) throw new CliError(EXIT.USAGE, 'The SQL statement is empty; pass one statement, e.g. cvat-ops db query "select version()".');
  const commit = options.write && !options.dryRun;
  const timeoutSeconds = options.statementTimeoutSeconds ?? DEFAULT_STATEMENT_TIMEOUT_SECONDS;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 86_400) {
    throw new CliError(EXIT.USAGE, `--statement-timeout (${timeoutSeconds}) must be a whole number of seconds between 1 and 86400.`);
  }
  const effects = sideEffectsOf(sql);
  if (effects.length > 0 && !commit) {
    throw new CliError(
      EXIT.REFUSED,
      `Refused: the statement uses ${effects.join('; ')}, whose effects happen outside ${options.write ? 'the dry run' : 'the read-only transaction'} ` +
        'and are not rolled back. Nothing was sent to the server. If it is intended, re-run with --write (without --dry-run) and confirm.',
    );
  }
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
    let ranAs = conn.user;
    let before: SequenceValue[] = [];
    let sequencesAdvanced: string[] | undefined;
    try {
      await client.query(`SET LOCAL statement_timeout = ${timeoutSeconds * 1000}`);
      if (!options.write) {
        const role = await client.query('select 1 from pg_roles where rolname = $1 and pg_has_role(current_user, oid, $2)', [
          READ_ONLY_ROLE,
          'MEMBER',
        ]);
        if (role.rowCount) {
          await client.query(`SET LOCAL ROLE ${READ_ONLY_ROLE}`);
          ranAs = READ_ONLY_ROLE;
        }
      }
      const snapshot = async (): Promise<SequenceValue[]> =>
        (await client.query<{ name: string; last_value: string | null }>(SEQUENCES_SQL)).rows.map((r) => ({
          name: r.name,
          lastValue: r.last_value,
        }));
      if (options.write && !commit) before = await snapshot();
      result = await runOne(client, sql);
      if (options.write && !commit) sequencesAdvanced = advancedSequences(before, await snapshot());
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if ((error as { code?: string }).code === '57014') {
        throw new CliError(
          EXIT.FAILED,
          `The statement ran longer than the statement timeout (${timeoutSeconds} s) and was cancelled; nothing was changed.`,
          { cause: error },
        );
      }
      throw statementError(error);
    }
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
    const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
    const transaction = commit ? 'committed' : options.write ? 'dry-run' : 'read-only';
    const note =
      transaction === 'committed'
        ? `Committed on ${target(conn)}.`
        : transaction === 'dry-run'
          ? `Dry run: the statement ran in a read-write transaction on ${target(conn)} and was rolled back; its table changes were ` +
            `undone. ${
              sequencesAdvanced?.length
                ? `Sequences are not transactional, so these stay advanced: ${sequencesAdvanced.join(', ')}.`
                : 'No sequence advanced.'
            }`
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
        statementTimeoutSeconds: timeoutSeconds,
        ranAs,
        ...(sequencesAdvanced ? { sequencesAdvanced } : {}),
      },
      view: [...resultBlocks(result, { maxRows }), ...(note ? [{ kind: 'lines' as const, lines: [note] }] : [])],
    };
  } finally {
    await closeConnection(client);
  }
}

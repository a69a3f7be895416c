/**
 * What makes `db query` a sandbox rather than only a read-only transaction. A read-only transaction stops writes in this
 * session, not side effects outside it: `dblink_exec` opens a second connection that commits on its own,
 * `pg_terminate_backend` kills other sessions of the same login, `COPY … PROGRAM` runs a shell command on the server, and
 * nothing bounds how long a statement runs. So, in layers:
 *
 * 1. A statement timeout (`SET LOCAL statement_timeout`), in every mode.
 * 2. A text check before anything is sent: calls with side effects outside the transaction, and the ways to run SQL built
 *    at run time (DO blocks, query_to_xml…) which would hide such a call from the check, are refused unless `--write` is
 *    given without `--dry-run` (a dry run cannot undo them either). The check reads the raw text, string literals included,
 *    so a call spelled inside a string is refused too; it cannot see a call hidden in a view or function that already
 *    exists in the database, which is what layer 3 is for.
 * 3. A read-only role, where one exists: read-only runs `SET LOCAL ROLE` to it (a role the login is a member of), so
 *    privileges, not the text check, decide what the statement may do: it owns no session to terminate and may write nothing.
 *
 * @see https://www.postgresql.org/docs/current/dblink.html (dblink connections are separate sessions)
 * @see https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SIGNAL (who may signal a backend)
 * @see https://www.postgresql.org/docs/current/sql-copy.html (COPY … PROGRAM)
 */

/** Statement timeout of db query, in seconds. */
export const DEFAULT_STATEMENT_TIMEOUT_SECONDS = 30;

/** The role db query switches to for read-only runs when it exists and the login is a member of it. */
export const READ_ONLY_ROLE = 'cvat_readonly';

/** A construct refused outside a committed `--write`, with why. */
export interface SideEffect {
  readonly pattern: RegExp;
  readonly what: string;
}

/** Calls and statements whose effects a rollback does not undo, or that run SQL the check cannot read. */
export const SIDE_EFFECTS: readonly SideEffect[] = [
  { pattern: /\bdblink\w*\s*\(/i, what: 'dblink (a separate connection that commits on its own)' },
  { pattern: /\bpg_(terminate|cancel)_backend\s*\(/i, what: 'pg_terminate_backend / pg_cancel_backend (signals other sessions)' },
  { pattern: /\bpg_(reload_conf|rotate_logfile|promote|switch_wal|create_restore_point)\s*\(/i, what: 'server administration functions' },
  { pattern: /\blo_(import|export)\s*\(/i, what: 'lo_import / lo_export (server files)' },
  { pattern: /\bcopy\b[\s\S]*\bprogram\b/i, what: 'COPY … PROGRAM (runs a command on the server)' },
  { pattern: /^\s*do\b/i, what: 'a DO block (runs code the check cannot read)' },
  { pattern: /\b(query_to_xml\w*|cursor_to_xml\w*)\s*\(/i, what: 'query_to_xml / cursor_to_xml (run SQL given as a string)' },
];

/** The side effects a statement contains (empty when none). */
export function sideEffectsOf(sql: string): string[] {
  return SIDE_EFFECTS.filter((s) => s.pattern.test(sql)).map((s) => s.what);
}

/** One sequence's `last_value` (null when never used or not readable). */
export interface SequenceValue {
  readonly name: string;
  readonly lastValue: string | null;
}

/** SQL listing every sequence the login can see with its last value (pg_sequences, PostgreSQL 10+). */
export const SEQUENCES_SQL = "select schemaname || '.' || sequencename as name, last_value::text as last_value from pg_sequences";

/**
 * Sequences that moved between two snapshots. Sequence changes (nextval, setval) are not transactional: a rollback
 * leaves them advanced (https://www.postgresql.org/docs/current/functions-sequence.html), so a dry run must say so.
 */
export function advancedSequences(before: readonly SequenceValue[], after: readonly SequenceValue[]): string[] {
  const was = new Map(before.map((s) => [s.name, s.lastValue]));
  return after
    .filter((s) => s.lastValue !== null && was.get(s.name) !== s.lastValue)
    .map((s) => `${s.name} ${was.get(s.name) ?? 'unused'} → ${s.lastValue}`);
}

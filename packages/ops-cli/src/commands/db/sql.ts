/**
 * Running statements safely: one statement per call over the extended protocol (so `commit; drop …` cannot be smuggled
 * out of a read-only transaction), results turned into rows/columns, SQL errors into ExitErrors.
 */
import type { Client, FieldDef, QueryArrayResult, QueryConfig } from 'pg';
import { EXIT, CliError } from '@cvat-cloud/runtime';
import type { Block } from '../../output';
import { msg } from './messages';

/** One statement's outcome. */
export interface StatementResult {
  /** Command tag: SELECT, UPDATE, CREATE, … */
  command: string;
  rowCount: number | null;
  /** Column names, deduplicated (`?column?`, `?column?_2`). */
  columns: string[];
  rows: Record<string, unknown>[];
  durationMs: number;
}

/** Runs exactly one statement with the extended protocol (multiple statements are rejected by the server). */
export async function runOne(client: Client, text: string): Promise<StatementResult> {
  const started = performance.now();
  // `queryMode: 'extended'` is supported by pg ≥ 8.11 but missing from @types/pg.
  const config = { text, rowMode: 'array', queryMode: 'extended' } as QueryConfig & { rowMode: 'array' };
  const r: QueryArrayResult = await client.query(config);
  return toResult(r, performance.now() - started);
}

/** Runs SQL as-is (simple protocol: several statements, transaction control allowed) and returns the last result. */
export async function runSimple(client: Client, text: string): Promise<StatementResult> {
  const started = performance.now();
  const r = (await client.query({ text, rowMode: 'array' } as QueryConfig & { rowMode: 'array' })) as QueryArrayResult | QueryArrayResult[];
  const last = Array.isArray(r) ? r[r.length - 1]! : r;
  return toResult(last, performance.now() - started);
}

function toResult(r: QueryArrayResult, ms: number): StatementResult {
  const fields: FieldDef[] = r.fields ?? [];
  const seen = new Map<string, number>();
  const columns = fields.map((f) => {
    const n = (seen.get(f.name) ?? 0) + 1;
    seen.set(f.name, n);
    return n === 1 ? f.name : `${f.name}_${n}`;
  });
  const rows = (r.rows ?? []).map((values) => Object.fromEntries(columns.map((c, i) => [c, values[i]])));
  return { command: r.command ?? '', rowCount: r.rowCount ?? null, columns, rows, durationMs: Math.round(ms * 10) / 10 };
}

/** A pg server error, as far as messages need it. */
interface PgError {
  code?: string;
  message?: string;
  position?: string;
  hint?: string;
  detail?: string;
}

/** Maps a statement failure: read-only violation → REFUSED, several statements → USAGE, anything else → FAILED. */
export function statementError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const e = error as PgError;
  const text = e.message ?? String(error);
  if (e.code === '25006') return new CliError(EXIT.REFUSED, msg.readOnlyRefused(text), { cause: error });
  if (e.code === '42601' && /multiple commands/i.test(text)) return new CliError(EXIT.USAGE, msg.oneStatement, { cause: error });
  if (e.code === undefined) return new CliError(EXIT.FAILED, `The connection failed during the statement: ${text}`, { cause: error });
  return new CliError(EXIT.FAILED, msg.sqlError(text, e.code, e.position, e.hint ?? e.detail), { cause: error });
}

/** Table view of a result (columns keyed by index so duplicate names survive). */
export function resultBlocks(r: StatementResult, options: { maxRows?: number; expanded?: boolean } = {}): Block[] {
  const shown = options.maxRows === undefined ? r.rows : r.rows.slice(0, options.maxRows);
  const footer: string[] = [];
  if (r.columns.length === 0) {
    footer.push(r.rowCount === null ? r.command : `${r.command} ${r.rowCount}`);
    return [{ kind: 'lines', lines: footer }];
  }
  footer.push(
    `(${r.rows.length} ${r.rows.length === 1 ? 'row' : 'rows'}${shown.length < r.rows.length ? `, first ${shown.length} shown` : ''})`,
  );
  if (options.expanded) {
    const width = Math.max(...r.columns.map((c) => c.length));
    return [
      {
        kind: 'lines',
        lines: [
          ...shown.flatMap((row, i) => [`-[ RECORD ${i + 1} ]-`, ...r.columns.map((c) => `${c.padEnd(width)} | ${formatCell(row[c])}`)]),
          ...footer,
        ],
      },
    ];
  }
  return [
    {
      kind: 'table',
      columns: r.columns.map((c, i) => ({ key: `c${i}`, header: c })),
      rows: shown.map((row) => Object.fromEntries(r.columns.map((c, i) => [`c${i}`, row[c]]))),
      empty: '',
      footer,
    },
  ];
}

function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString('hex')}`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

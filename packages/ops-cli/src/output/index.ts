/**
 * The one place where results become text. Commands return a {@link CommandResult}: `data` (what `--json` prints,
 * a stable machine shape) and `view` (blocks a person reads: tables, fields, lines). They never write to stdout
 * themselves (the interactive `db shell` and progress bars on stderr are the exceptions).
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, CliError, describeError, redactSecrets } from '@cvat-cloud/runtime/edge';
import { tidyMessage } from './tidy';

export { clause, tidyMessage } from './tidy';

/** A column of a {@link TableBlock}. */
export interface Column {
  /** Property of each row to show. */
  key: string;
  /** Header text. @default key in upper case */
  header?: string;
  /** @default 'left' */
  align?: 'left' | 'right';
}

/** Rows under a header line. */
export interface TableBlock {
  kind: 'table';
  title?: string;
  columns: Column[];
  rows: Record<string, unknown>[];
  /** Printed instead of the table when there are no rows. @default '(none)' */
  empty?: string;
  /** Lines printed right under the table (e.g. `(3 rows)`). */
  footer?: string[];
}

/** `label: value` pairs, aligned. */
export interface FieldsBlock {
  kind: 'fields';
  title?: string;
  fields: [label: string, value: unknown][];
}

/** Free lines (summaries, hints). */
export interface LinesBlock {
  kind: 'lines';
  lines: string[];
}

export type Block = TableBlock | FieldsBlock | LinesBlock;

/** What every command returns. */
export interface CommandResult<T = unknown> {
  /** Printed as JSON with `--json`. */
  data: T;
  /** Printed for people without `--json`. */
  view: Block[];
  /** 0 unless the command completed but something failed (a failed check, a partial batch). @default 0 */
  exitCode?: number;
  /** The command already wrote its output as it went (e.g. `db shell`); print nothing more. @default false */
  streamed?: boolean;
}

/** Formats one value for a table cell or field. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map(formatValue).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function renderTable(block: TableBlock): string[] {
  const out: string[] = [];
  if (block.title) out.push(block.title);
  if (block.rows.length === 0) {
    if (block.empty !== '') out.push(block.empty ?? '(none)');
    out.push(...(block.footer ?? []));
    return out;
  }
  const headers = block.columns.map((c) => c.header ?? c.key.toUpperCase());
  const cells = block.rows.map((row) => block.columns.map((c) => formatValue(row[c.key]).replace(/\s*\n\s*/g, ' ')));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]): string =>
    values
      .map((v, i) => (block.columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  out.push(line(headers));
  for (const row of cells) out.push(line(row));
  out.push(...(block.footer ?? []));
  return out;
}

function renderFields(block: FieldsBlock): string[] {
  const out: string[] = [];
  if (block.title) out.push(block.title);
  const width = Math.max(0, ...block.fields.map(([label]) => label.length));
  for (const [label, value] of block.fields) out.push(`${(`${label}:`).padEnd(width + 1)} ${formatValue(value)}`);
  return out;
}

/** Renders the human view: blocks separated by a blank line, ending with a newline (or '' when empty). */
export function renderView(view: readonly Block[]): string {
  const parts = view.map((block) => {
    if (block.kind === 'table') return renderTable(block);
    if (block.kind === 'fields') return renderFields(block);
    return block.lines.map(tidyMessage);
  });
  const text = parts
    .filter((p) => p.length > 0)
    .map((p) => p.join('\n'))
    .join('\n\n');
  return text ? `${text}\n` : '';
}

/**
 * JSON with Dates as ISO strings, bigints as strings and byte arrays as base64. With `secrets`, every string value
 * goes through runtime redactSecrets (URL credentials, secret parameters and those values become `***`).
 */
export function renderJson(data: unknown, secrets?: readonly string[]): string {
  return `${JSON.stringify(
    data,
    function (this: Record<string, unknown>, key: string, value: unknown) {
      // `this[key]` is the value before toJSON (Buffer.toJSON would give { type, data }).
      const raw = this[key];
      if (typeof raw === 'bigint') return raw.toString();
      if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
      if (secrets && typeof value === 'string') return redactSecrets(value, secrets);
      return value;
    },
    2,
  )}\n`;
}

/**
 * Writes a result to stdout in the requested format. Everything printed goes through runtime redactSecrets with
 * `secrets` (the secret variables of the environment): credentials in URLs and connection strings, secret
 * parameters and known secret values are never echoed.
 */
export function printResult(
  result: CommandResult,
  options: { json: boolean; stdout: NodeJS.WritableStream; secrets?: readonly string[] },
): void {
  if (result.streamed) return;
  const secrets = options.secrets ?? [];
  const text = options.json ? renderJson(result.data, secrets) : redactSecrets(renderView(result.view), secrets);
  if (text) options.stdout.write(text);
}

/**
 * Writes `data` as JSON (the `--json` shape) to `file`, resolved against `cwd`, through a temporary file and a rename
 * so a reader never sees half a result. Returns the absolute path. A write failure is exit 1 naming the file. The
 * path was checked before the run (runtime checkOutputPath: not a directory, writable, no existing file without
 * `--overwrite`). String values are redacted like stdout.
 */
export function writeResultFile(file: string, data: unknown, cwd: string, secrets?: readonly string[]): string {
  const path = resolve(cwd, file);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, renderJson(data, secrets ?? []));
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new CliError(
      EXIT.FAILED,
      `Could not write the JSON result to '${path}' (--output / CVAT_OPS_OUTPUT): ${describeError(error)}. ` +
        `The command itself completed; create the directory or pass another --output, then re-run.`,
      { cause: error },
    );
  }
  return path;
}

/**
 * THE exit-code table of every cvat-cloud command (cvat-ops, cvat-smoke, synth, policy, cost, deploy, preflight).
 * Each code means one thing everywhere; docs/exit-codes.md is the published copy and every tool's docs link to it.
 * Scripts and CI read these numbers: add codes, never renumber or reuse one for another meaning.
 */
export const EXIT = {
  /** Everything asked for was done; for checks, every check passed. */
  OK: 0,
  /** An operation or check failed, drift or findings were found, or a batch partly failed (the output lists every outcome). */
  FAILED: 1,
  /** Bad arguments or options (unknown command, option, component or value). Nothing was contacted or changed. */
  USAGE: 2,
  /** Refused: the confirmation was declined, or needed with no terminal and no --yes, or a data-loss guard stopped it. Nothing changed. */
  REFUSED: 3,
  /** Invalid (or missing) environment file, configuration or input file. Nothing changed. */
  CONFIG: 4,
  /** No usable credential, or Azure / Key Vault / the database refused it (401/403, subscription missing, unknown or mismatched). */
  AUTH: 5,
  /** A named thing does not exist: Azure resource, resource group, share, database, secret, local file. */
  NOT_FOUND: 6,
  /** A required tool or service is missing or unreachable: terraform binary, DNS, connection refused, timeout, 5xx after retries. */
  UNAVAILABLE: 7,
  /** The main work succeeded but cleanup did not finish (the output lists what is left). */
  INCOMPLETE: 8,
  /** A bug (an unexpected exception); the only case that prints a stack trace. */
  INTERNAL: 70,
  /** Interrupted by Ctrl-C / SIGINT. */
  INTERRUPTED: 130,
} as const;

/** Name of an exit code (`'CONFIG'`). */
export type ExitName = keyof typeof EXIT;

/** One of the documented exit codes. */
export type ExitCode = (typeof EXIT)[ExitName];

/** One line of the table as the help texts print it. */
export interface ExitCodeRow {
  readonly code: ExitCode;
  readonly name: ExitName;
  /** Short meaning for `--help`. */
  readonly meaning: string;
}

/** The table in order, with the short meaning each tool's `--help` prints. */
export const EXIT_CODE_TABLE: readonly ExitCodeRow[] = [
  { code: EXIT.OK, name: 'OK', meaning: 'done (every check passed)' },
  {
    code: EXIT.FAILED,
    name: 'FAILED',
    meaning: 'an operation or check failed, drift/findings found, or a batch partly failed (every outcome is listed)',
  },
  { code: EXIT.USAGE, name: 'USAGE', meaning: 'bad arguments or options; nothing contacted or changed' },
  {
    code: EXIT.REFUSED,
    name: 'REFUSED',
    meaning: 'confirmation declined or impossible (no TTY, no --yes), or a data-loss guard; nothing changed',
  },
  { code: EXIT.CONFIG, name: 'CONFIG', meaning: 'invalid or missing environment file, configuration or input file; nothing changed' },
  { code: EXIT.AUTH, name: 'AUTH', meaning: 'no usable credential, or Azure/Key Vault/the database refused it (401/403, subscription)' },
  { code: EXIT.NOT_FOUND, name: 'NOT_FOUND', meaning: 'a named resource, share, database, secret or file does not exist' },
  {
    code: EXIT.UNAVAILABLE,
    name: 'UNAVAILABLE',
    meaning: 'a required tool or service is missing or unreachable (binary, network, timeout, 5xx)',
  },
  { code: EXIT.INCOMPLETE, name: 'INCOMPLETE', meaning: 'the work succeeded but cleanup did not finish (what is left is listed)' },
  { code: EXIT.INTERNAL, name: 'INTERNAL', meaning: 'internal error (a bug; please report it)' },
  { code: EXIT.INTERRUPTED, name: 'INTERRUPTED', meaning: 'interrupted (Ctrl-C)' },
];

/** Where the full table is published (printed under every tool's `--help`). */
export const EXIT_CODES_DOC = 'docs/exit-codes.md';

/**
 * The `Exit codes:` block of a `--help` text. `only` limits it to the codes a tool can actually return
 * (0, 2, 70 and 130 are always listed).
 */
export function exitCodesHelp(only?: readonly ExitCode[]): string {
  const always: readonly ExitCode[] = [EXIT.OK, EXIT.USAGE, EXIT.INTERNAL, EXIT.INTERRUPTED];
  const rows = EXIT_CODE_TABLE.filter((row) => !only || only.includes(row.code) || always.includes(row.code));
  const lines = rows.map((r) => `  ${String(r.code).padEnd(4)}${r.meaning}`);
  return [`Exit codes (the same in every cvat-cloud tool, see ${EXIT_CODES_DOC}):`, ...lines].join('\n');
}

/** True when `value` is one of the documented codes. */
export function isExitCode(value: unknown): value is ExitCode {
  return typeof value === 'number' && EXIT_CODE_TABLE.some((row) => row.code === value);
}

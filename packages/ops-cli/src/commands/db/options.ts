import type { GlobalOptions, OutputFileOptions } from '../../context/global-options';

/** TLS modes, as libpq names them. */
export type SslMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** Connection settings given as flags; each falls back to its PG* variable, then to the environment. */
export interface DbConnectionFlags {
  host?: string;
  port?: number;
  user?: string;
  database?: string;
  sslmode?: SslMode;
  /** Path of a PEM CA certificate. */
  ca?: string;
  connectTimeoutSeconds?: number;
}

/** `cvat-ops db check` */
export interface DbCheckOptions extends GlobalOptions, OutputFileOptions {
  connection: DbConnectionFlags;
}

/** `cvat-ops db query <sql>` */
export interface DbQueryOptions extends GlobalOptions {
  connection: DbConnectionFlags;
  sql: string;
  /** Run read-write and COMMIT (confirmation or --yes required; --dry-run rolls back). @default false */
  write: boolean;
  /** Rows printed. @default 1000 */
  maxRows?: number;
  /** Statement timeout in seconds (1-86400). @default 30 */
  statementTimeoutSeconds?: number;
}

/** `cvat-ops db shell` */
export interface DbShellOptions extends GlobalOptions {
  connection: DbConnectionFlags;
  /** Autocommit writes; otherwise every statement runs in a read-only transaction. @default false */
  write: boolean;
}

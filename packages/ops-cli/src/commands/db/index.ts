export type { DbCheckOptions, DbQueryOptions, DbShellOptions, DbConnectionFlags, SslMode } from './options';
export { dbCheck } from './check';
export { dbQuery } from './query';
export { dbShell } from './shell';

import type { GlobalOptions } from '../../context/global-options';
import type { Runtime } from '../../context/runtime';
import { resolveConnection, type ResolvedConnection } from './connection';
import type { DbConnectionFlags } from './options';

/**
 * Flags → PG* → `--env`. The environment path (catalogue, terraform outputs, Key Vault) is a separate module loaded
 * only when `--env` is given and something is still missing.
 */
export function resolveDbConnection(flags: DbConnectionFlags, global: GlobalOptions, runtime: Runtime): Promise<ResolvedConnection> {
  return resolveConnection(flags, global, runtime, () =>
    import('./environment-defaults.js').then((m) => m.environmentDbDefaults(global, runtime)),
  );
}

/** User-facing text of `cvat-ops backup …`. */
import { clause } from '../../output/tidy';

/** The environment-file lines that point an environment at a restored server (`postgres.serverName`). */
export const RESTORED_SERVER_YAML = (server: string): string[] => ['postgres:', `  serverName: ${server}`];

/** The foundation stack's synthesized directory, relative to the repository root. */
export const FOUNDATION_STACK_DIR = 'packages/infra/cdktf.out/stacks/foundation';

/**
 * Terraform addresses of the foundation's PostgreSQL server and database (construct ids `Postgres` and
 * `Postgres/Database`; ids are a stable contract, and infra's test/stacks/foundation-postgres-adopt.test.ts pins the
 * same two addresses). ops-cli never imports infra, so they are written out here.
 */
export const FOUNDATION_POSTGRES_ADDRESSES = [
  'azurerm_postgresql_flexible_server.Postgres_9DC8BB04',
  'azurerm_postgresql_flexible_server_database.Postgres_Database_F02489C9',
] as const;

export const messages = {
  what: (sub: string) => `cvat-ops backup ${sub}`,
  serverMissing: (server: string, rg: string, env: string) =>
    `PostgreSQL server '${server}' does not exist in resource group ${rg}; deploy the environment first ('npx nx run infra:deploy -- --env ${env}').`,
  pointServerGone: (id: string, server: string, rg: string) =>
    `PostgreSQL server '${server}', on which recovery point ${id} was recorded, no longer exists in resource group ${rg}: ` +
    `the point's database part cannot be restored (its share snapshots remain). Nothing was changed.`,
  shareMissing: (share: string, account: string) =>
    `Share '${share}' does not exist in storage account '${account}'; deploy the foundation stack first.`,
  snapshotting: (share: string) => `snapshotting share ${share}…`,
  snapshotted: (share: string, snapshot: string) => `  ${share}: snapshot ${snapshot}`,
  snapshotFailed: (share: string, reason: string) => `snapshot of share ${share} failed: ${clause(reason)}`,
  dbBackupStarted: (server: string, name: string) => `on-demand backup ${name} of ${server}…`,
  dbBackupFailed: (name: string, reason: string) => `on-demand backup ${name} failed: ${clause(reason)}`,
  manifestFailed: (reason: string) => `the manifest could not be written: ${clause(reason)}`,
  createdComplete: (id: string, at: string, path: string) => `Recovery point ${id} (database point in time ${at}) recorded in ${path}.`,
  createdPartial: (id: string) =>
    `Recovery point ${id} is PARTIAL: what exists is listed above. Remove it with 'cvat-ops backup prune' rules, or take a new one.`,
  idTaken: (id: string) =>
    `Recovery point ${id} already exists (ids are per second of the point in time); nothing was changed. Run the command again.`,
  createDry: (rerun: string) => `Dry run: nothing was snapshotted or written. Run: ${rerun}`,
  notFound: (id: string, env: string) =>
    `Recovery point '${id}' has no manifest in environment '${env}'; see 'cvat-ops backup list --env ${env}'.`,
  outsideWindow: (id: string, at: string, earliest: string) =>
    `Recovery point ${id} cannot be restored: its database point in time ${at} is before the server's earliest restore ` +
    `point ${earliest} (the backup retention window has passed). Its share snapshots remain; nothing was changed.`,
  serverExists: (name: string) =>
    `A PostgreSQL server named '${name}' already exists; pass --server-name <new name> (or delete it); nothing was changed.`,
  snapshotMissing: (share: string, snapshot: string, id: string) =>
    `Share snapshot ${share}@${snapshot} of recovery point ${id} no longer exists; the point is not restorable as a whole.`,
  restoringServer: (name: string, at: string) => `creating server ${name} restored to ${at} (long-running, usually minutes)…`,
  stillRestoring: (name: string, seconds: number) => `  ${name}: still restoring (${seconds} s)`,
  serverRestored: (name: string, seconds: number) => `  ${name}: ready (${seconds} s)`,
  serverFailed: (name: string, reason: string) => `restore of server ${name} failed: ${clause(reason)}`,
  restoringShare: (share: string, files: number) => `restoring share ${share} from its snapshot (${files} files)…`,
  nextSteps: (env: string, server: string, previous: string) => [
    `Next, point the environment at the restored server through the normal deploy path (server ${previous} is kept):`,
    `  1. in environments/${env}.yaml set:`,
    ...RESTORED_SERVER_YAML(server).map((line) => `       ${line}`),
    `  2. forget ${previous} and its database in the foundation stack's Terraform state (they stay in Azure, untouched):`,
    `       npx nx run infra:synth -- --env ${env}`,
    `       terraform -chdir=${FOUNDATION_STACK_DIR} init -input=false`,
    `       terraform -chdir=${FOUNDATION_STACK_DIR} state rm ${FOUNDATION_POSTGRES_ADDRESSES.join(' ')}`,
    '     (skipped, the deploy stops at its plan with "Instance cannot be destroyed": prevent_destroy guards the old server)',
    `  3. npx nx run infra:deploy -- --env ${env}   (imports ${server} and its database, moves every app's CVAT_POSTGRES_HOST)`,
    `  4. npx cvat-ops status --env ${env}, npx cvat-ops db check --env ${env}, npx nx run smoke-tests:e2e -- --env ${env}`,
  ],
  restoreDry: (rerun: string) => `Dry run: nothing was created or copied. Run: ${rerun}`,
  restorePartial: (rerun: string) => `The restore is PARTIAL: what exists is listed above. Fix the reason, then re-run: ${rerun}`,
  pruneNeedsRule: "'cvat-ops backup prune' needs --keep-days <n> and/or --keep-last <n>; nothing was deleted.",
  pruneNothing: (kept: number) => `Nothing to prune: all ${kept} recovery point(s) are kept by the rules.`,
  pruneDry: (rerun: string) => `Dry run: nothing was deleted. Run: ${rerun}`,
  prunePartial: (rerun: string) => `Some deletions failed (listed above); the manifests of those points were kept. Re-run: ${rerun}`,
  pitrNote: (days: number | undefined) =>
    `The database part of a recovery point is restorable while it lies inside the server's backup retention ` +
    `(${days ?? '?'} days, postgres.backupRetentionDays); share snapshots stay until pruned.`,
} as const;

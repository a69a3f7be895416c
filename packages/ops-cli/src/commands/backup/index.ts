/**
 * `cvat-ops backup create|list|restore|prune --env <name>`: recovery points of a whole CVAT (PostgreSQL point in time +
 * snapshots of the data and keys shares + one manifest; see ./manifest.ts for what a point is and why it is
 * consistent, ./azure.ts for the APIs). Every subcommand takes `--dry-run` and `--json`, writes progress on stderr and
 * exits with the codes of docs/exit-codes.md: 0 done; 1 a step failed (the report names what exists); 2 bad
 * arguments; 3 refused; 4/5/6/7 configuration, credentials, a missing resource, Azure unreachable.
 */
import type { PostgreSQLManagementFlexibleServerClient, Server } from '@azure/arm-postgresql-flexible' with { 'resolution-mode': 'import' };
import type { ShareServiceClient } from '@azure/storage-file-share' with { 'resolution-mode': 'import' };
import type { GlobalOptions } from '../../context/global-options';
import type { Runtime } from '../../context/runtime';
import type { ResolvedEnvironment } from '../../context/environment';
import {
  armFailure,
  armReason,
  assertCanConfirm,
  CliError,
  confirmAction,
  describeError,
  EXIT,
  formatCommand,
  isNotFound,
} from '@cvat-cloud/runtime';
import type { Block, CommandResult } from '../../output';
import { mapLimit } from '../../azure/live-state';
import { fileError } from '../storage/transfer';
import {
  BACKUP_SHARES,
  CONSISTENCY,
  checkRecoveryPointId,
  MANIFEST_VERSION,
  recoveryPointId,
  restoredServerName,
  selectForPrune,
  type Manifest,
  type ShareSnapshotRecord,
} from './manifest';
import { messages } from './messages';

export { recoveryPointId, restoredServerName, selectForPrune, parseManifest } from './manifest';
export type { Manifest } from './manifest';

/** Options every backup subcommand shares. */
export type BackupOptions = GlobalOptions;

/** `backup create`. */
export interface BackupCreateOptions extends BackupOptions {
  /** Also take an on-demand full backup of the server right after the point in time. @default false */
  dbBackup?: boolean;
}

/** `backup restore <id>`. */
export interface BackupRestoreOptions extends BackupOptions {
  id: string;
  /** Name of the server to create. @default - `<server>-r<yyyymmddhhmm>` of the point in time */
  serverName?: string;
}

/** `backup prune`. */
export interface BackupPruneOptions extends BackupOptions {
  /** Keep every recovery point younger than this many days. */
  keepDays?: number;
  /** Keep the newest this many recovery points. */
  keepLast?: number;
}

/** Injectable dependencies (tests). */
export interface BackupDeps {
  now?: () => Date;
  /** Poll interval of the long-running PostgreSQL operations. @default 10000 */
  pollIntervalMs?: number;
}

/** One step of a run, as the report lists it. */
export interface BackupStep {
  step: string;
  status: 'done' | 'failed' | 'skipped' | 'planned';
  detail: string;
}

interface Target {
  environment: ResolvedEnvironment;
  subscriptionId: string;
  resourceGroup: string;
  serverName: string;
  account: string;
  storage: ShareServiceClient;
  pg: PostgreSQLManagementFlexibleServerClient;
  flags: string[];
}

async function resolveTarget(options: BackupOptions, runtime: Runtime, what: string, beforeNetwork?: () => void): Promise<Target> {
  const { resolveAzureScope } = await import('../../context/environment.js');
  const scope = resolveAzureScope(options, runtime, what);
  const environment = scope.environment;
  if (!environment)
    throw new CliError(EXIT.USAGE, `${what} needs an environment: pass --env <name> (environments/<name>.yaml) or set CVAT_ENV.`);
  beforeNetwork?.();
  const [{ connectStorage }, { postgresClient }] = await Promise.all([import('../storage/account.js'), import('./azure.js')]);
  const account = environment.names.storageAccount;
  const storage = await connectStorage(options, runtime, what, { account, environment });
  const pg = await postgresClient(runtime, scope.subscriptionId);
  return {
    environment,
    subscriptionId: scope.subscriptionId,
    resourceGroup: scope.resourceGroup,
    serverName: environment.names.postgresServer,
    account,
    storage: storage.service,
    pg,
    flags: ['--env', environment.ref],
  };
}

/**
 * GETs the source server (the environment's, or for a restore the one the recovery point was recorded on); a missing
 * one is NOT_FOUND naming the deploy to run, or for a restore saying the point's database part is gone.
 */
async function sourceServer(
  target: Target,
  what: string,
  restoreOf?: { id: string; server: string },
): Promise<{ server: Server; armTime: Date | undefined }> {
  const { getServer } = await import('./azure.js');
  const name = restoreOf?.server ?? target.serverName;
  try {
    return await getServer(target.pg, target.resourceGroup, name);
  } catch (error) {
    if (isNotFound(error)) {
      const text =
        restoreOf && restoreOf.server !== target.serverName
          ? messages.pointServerGone(restoreOf.id, restoreOf.server, target.resourceGroup)
          : messages.serverMissing(name, target.resourceGroup, target.environment.ref);
      throw new CliError(EXIT.NOT_FOUND, text, { cause: error });
    }
    throw armFailure(error, `${what}: reading PostgreSQL server '${name}'`, `Retry: ${what} --env ${target.environment.ref}`);
  }
}

/** Checks that every share exists before anything is changed (NOT_FOUND naming the first missing one). */
async function checkShares(target: Target, shares: readonly string[]): Promise<void> {
  const { openShare } = await import('../storage/shares.js');
  for (const share of shares) {
    await openShare({ account: target.account, keySource: 'AZURE_STORAGE_KEY', endpoint: '', service: target.storage }, share);
  }
}

const stepsTable = (title: string, steps: BackupStep[]): Block => ({
  kind: 'table',
  title,
  columns: [
    { key: 'step', header: 'STEP' },
    { key: 'status', header: 'STATUS' },
    { key: 'detail', header: 'DETAIL' },
  ],
  rows: steps.map((s) => ({ ...s })),
});

const reason = (error: unknown): string =>
  (error as { statusCode?: number }).statusCode !== undefined && (error as { details?: unknown }).details !== undefined
    ? fileError(error)
    : armReason(error) || describeError(error);

// ------------------------------------------------------------------------------------------------ create

/** What `backup create --json` prints. */
export interface BackupCreateData {
  id: string;
  environment: string;
  dryRun: boolean;
  pointInTime: string;
  status: 'complete' | 'partial' | 'planned';
  /** Where the manifest is (`cvat-config/backups/<id>.json`), or null when it could not be written. */
  manifest: string | null;
  postgres: { server: string; earliestRestoreDate?: string; retentionDays?: number; onDemandBackup?: string };
  shares: ShareSnapshotRecord[];
  steps: BackupStep[];
  problems: string[];
}

/** Runs `cvat-ops backup create`. */
export async function backupCreate(
  options: BackupCreateOptions,
  runtime: Runtime,
  deps: BackupDeps = {},
): Promise<CommandResult<BackupCreateData>> {
  const what = messages.what('create');
  const target = await resolveTarget(options, runtime, what);
  const now = deps.now ?? (() => new Date());
  const { server, armTime } = await sourceServer(target, what);
  await checkShares(target, [...BACKUP_SHARES, 'cvat-config']);
  // the point in time is Azure's clock when it answered (a machine clock ahead would ask for a future time)
  const at = deps.now ? deps.now() : (armTime ?? new Date());
  const pointInTime = at.toISOString();
  const id = recoveryPointId(target.environment.config.name, at);
  const earliest = server.backup?.earliestRestoreDate ? new Date(server.backup.earliestRestoreDate).toISOString() : undefined;
  const retentionDays = server.backup?.backupRetentionDays;
  const steps: BackupStep[] = [
    { step: 'database point in time', status: options.dryRun ? 'planned' : 'done', detail: `${target.serverName} @ ${pointInTime}` },
  ];
  const rerun = formatCommand(['cvat-ops', 'backup', 'create', ...target.flags, ...(options.dbBackup ? ['--db-backup'] : [])]);
  const base = {
    id,
    environment: target.environment.ref,
    dryRun: options.dryRun,
    pointInTime,
    postgres: {
      server: target.serverName,
      ...(earliest ? { earliestRestoreDate: earliest } : {}),
      ...(retentionDays ? { retentionDays } : {}),
    },
  };
  const { manifestExists } = await import('./azure.js');
  if (await manifestExists(target.storage, id)) throw new CliError(EXIT.FAILED, messages.idTaken(id));
  if (options.dryRun) {
    for (const share of BACKUP_SHARES) steps.push({ step: `snapshot ${share}`, status: 'planned', detail: `tagged cvatbackup=${id}` });
    if (options.dbBackup) steps.push({ step: 'on-demand database backup', status: 'planned', detail: id });
    steps.push({ step: 'manifest', status: 'planned', detail: `cvat-config/backups/${id}.json` });
    return {
      data: { ...base, status: 'planned', manifest: null, shares: [], steps, problems: [] },
      view: [stepsTable(`Plan for recovery point ${id} (dry run)`, steps), { kind: 'lines', lines: [messages.createDry(rerun)] }],
    };
  }

  const { snapshotShare, writeManifest } = await import('./azure.js');
  const shares: ShareSnapshotRecord[] = [];
  const problems: string[] = [];
  for (const share of BACKUP_SHARES) {
    runtime.stderr.write(`${messages.snapshotting(share)}\n`);
    try {
      const snapshot = await snapshotShare(target.storage.getShareClient(share), id, pointInTime);
      shares.push({ share, snapshot });
      runtime.stderr.write(`${messages.snapshotted(share, snapshot)}\n`);
      steps.push({ step: `snapshot ${share}`, status: 'done', detail: snapshot });
    } catch (error) {
      const text = messages.snapshotFailed(share, reason(error));
      problems.push(text);
      runtime.stderr.write(`${text}\n`);
      steps.push({ step: `snapshot ${share}`, status: 'failed', detail: reason(error) });
    }
  }
  let onDemandBackup: string | undefined;
  if (options.dbBackup) {
    runtime.stderr.write(`${messages.dbBackupStarted(target.serverName, id)}\n`);
    try {
      await target.pg.backupsAutomaticAndOnDemand.beginCreateAndWait(target.resourceGroup, target.serverName, id, {
        updateIntervalInMs: deps.pollIntervalMs ?? 10_000,
      });
      onDemandBackup = id;
      steps.push({ step: 'on-demand database backup', status: 'done', detail: id });
    } catch (error) {
      problems.push(messages.dbBackupFailed(id, reason(error)));
      steps.push({ step: 'on-demand database backup', status: 'failed', detail: reason(error) });
    }
  }
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    id,
    environment: target.environment.ref,
    createdAt: now().toISOString(),
    pointInTime,
    status: problems.length ? 'partial' : 'complete',
    consistency: CONSISTENCY,
    postgres: {
      server: target.serverName,
      resourceGroup: target.resourceGroup,
      ...(retentionDays ? { retentionDays } : {}),
      ...(onDemandBackup ? { onDemandBackup } : {}),
    },
    shares,
    problems: [...problems],
  };
  let manifestPath: string | null = null;
  try {
    manifestPath = await writeManifest(target.storage, manifest);
    steps.push({ step: 'manifest', status: 'done', detail: manifestPath });
  } catch (error) {
    problems.push(messages.manifestFailed(reason(error)));
    steps.push({ step: 'manifest', status: 'failed', detail: reason(error) });
  }
  const status = problems.length ? 'partial' : 'complete';
  const lines = [
    status === 'complete' ? messages.createdComplete(id, pointInTime, manifestPath ?? '') : messages.createdPartial(id),
    messages.pitrNote(retentionDays),
  ];
  return {
    data: {
      ...base,
      status,
      manifest: manifestPath,
      postgres: { ...base.postgres, ...(onDemandBackup ? { onDemandBackup } : {}) },
      shares,
      steps,
      problems,
    },
    view: [
      stepsTable(`Recovery point ${id} of environment ${target.environment.ref}`, steps),
      { kind: 'lines', lines: [...problems, ...lines] },
    ],
    exitCode: problems.length ? EXIT.FAILED : EXIT.OK,
  };
}

// ------------------------------------------------------------------------------------------------ list

/** One recovery point as `backup list` reports it. */
export interface RecoveryPointState {
  id: string;
  pointInTime: string;
  manifest: 'complete' | 'partial' | 'missing';
  /** Share → snapshot, and whether that snapshot still exists. */
  shares: { share: string; snapshot: string; exists: boolean }[];
  /** Whether the database point in time is inside the server's restore window. */
  databaseRestorable: boolean | null;
  /** `restorable`, or why not. */
  state: string;
}

/** What `backup list --json` prints. */
export interface BackupListData {
  environment: string;
  server: string;
  earliestRestoreDate: string | null;
  points: RecoveryPointState[];
  unreadable: string[];
}

/** A server's earliest restore point: a date, unknown (`undefined`), or `'gone'` when the server no longer exists. */
type RestoreWindow = Date | undefined | 'gone';

/** `windowOf(server)`: the restore window of the server a point was recorded on (`undefined`: the environment's). */
async function collectPoints(target: Target, windowOf: (server: string | undefined) => Promise<RestoreWindow>) {
  const { listSnapshots, readManifests } = await import('./azure.js');
  const [{ manifests, unreadable }, snapshots] = await Promise.all([
    readManifests(target.storage),
    listSnapshots(target.storage, BACKUP_SHARES),
  ]);
  const points: (RecoveryPointState & { manifestData?: Manifest })[] = [];
  for (const m of manifests) {
    const shares = m.shares.map((s) => ({ ...s, exists: snapshots.some((l) => l.share === s.share && l.snapshot === s.snapshot) }));
    const window = await windowOf(m.postgres.server);
    const inWindow = window === 'gone' ? false : window ? Date.parse(m.pointInTime) >= window.getTime() : null;
    const missingShares = BACKUP_SHARES.filter((name) => !shares.some((s) => s.share === name && s.exists));
    const state =
      missingShares.length > 0
        ? `not restorable: no snapshot of ${missingShares.join(', ')}`
        : window === 'gone'
          ? `database server ${m.postgres.server} no longer exists`
          : inWindow === false
            ? 'database outside the restore window'
            : m.status === 'partial'
              ? 'partial'
              : 'restorable';
    points.push({ id: m.id, pointInTime: m.pointInTime, manifest: m.status, shares, databaseRestorable: inWindow, state, manifestData: m });
  }
  // snapshots tagged with a recovery point that has no manifest (a run cut before it wrote one)
  const orphanIds = [
    ...new Set(snapshots.filter((s) => s.recoveryPoint && !manifests.some((m) => m.id === s.recoveryPoint)).map((s) => s.recoveryPoint!)),
  ];
  const current = await windowOf(undefined);
  for (const id of orphanIds) {
    const stamp = /(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})(\d{2})z$/.exec(id);
    const pointInTime = stamp ? `${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}:${stamp[5]}:${stamp[6]}.000Z` : new Date(0).toISOString();
    points.push({
      id,
      pointInTime,
      manifest: 'missing',
      shares: snapshots.filter((s) => s.recoveryPoint === id).map((s) => ({ share: s.share, snapshot: s.snapshot, exists: true })),
      databaseRestorable: current instanceof Date ? Date.parse(pointInTime) >= current.getTime() : null,
      state: 'no manifest (snapshots only): prune removes it',
    });
  }
  points.sort((a, b) => Date.parse(b.pointInTime) - Date.parse(a.pointInTime));
  return { points, unreadable };
}

/** Runs `cvat-ops backup list`. */
export async function backupList(options: BackupOptions, runtime: Runtime): Promise<CommandResult<BackupListData>> {
  const what = messages.what('list');
  const target = await resolveTarget(options, runtime, what);
  const { server } = await sourceServer(target, what);
  const earliest = server.backup?.earliestRestoreDate ? new Date(server.backup.earliestRestoreDate) : undefined;
  // a point recorded on another server (before a restore moved the environment) is judged by that server's window
  const { getServer } = await import('./azure.js');
  const others = new Map<string, Promise<RestoreWindow>>();
  const windowOf = (name: string | undefined): Promise<RestoreWindow> => {
    if (name === undefined || name === target.serverName) return Promise.resolve(earliest);
    if (!others.has(name)) {
      others.set(
        name,
        getServer(target.pg, target.resourceGroup, name).then(
          ({ server: other }) => (other.backup?.earliestRestoreDate ? new Date(other.backup.earliestRestoreDate) : undefined),
          (error: unknown) => {
            if (isNotFound(error)) return 'gone' as const;
            throw armFailure(error, `${what}: reading PostgreSQL server '${name}'`, `Retry: ${what} --env ${target.environment.ref}`);
          },
        ),
      );
    }
    return others.get(name)!;
  };
  const { points, unreadable } = await collectPoints(target, windowOf);
  const data: BackupListData = {
    environment: target.environment.ref,
    server: target.serverName,
    earliestRestoreDate: earliest ? earliest.toISOString() : null,
    points: points.map(({ manifestData: _m, ...p }) => p),
    unreadable,
  };
  return {
    data,
    view: [
      {
        kind: 'table',
        title: `Recovery points of environment ${target.environment.ref} (newest first)`,
        columns: [
          { key: 'id', header: 'RECOVERY POINT' },
          { key: 'pointInTime', header: 'POINT IN TIME (UTC)' },
          { key: 'shares', header: 'SNAPSHOTS' },
          { key: 'state', header: 'STATE' },
        ],
        rows: data.points.map((p) => ({
          id: p.id,
          pointInTime: p.pointInTime,
          shares: p.shares.map((s) => `${s.share}${s.exists ? '' : ' (gone)'}`).join(', ') || '(none)',
          state: p.state,
        })),
        empty: "(none yet: 'cvat-ops backup create --env <name>')",
      },
      {
        kind: 'lines',
        lines: [...unreadable.map((u) => `unreadable manifest: ${u}`), messages.pitrNote(server.backup?.backupRetentionDays)],
      },
    ],
  };
}

// ------------------------------------------------------------------------------------------------ restore

/** What `backup restore --json` prints. */
export interface BackupRestoreData {
  id: string;
  environment: string;
  dryRun: boolean;
  pointInTime: string;
  server: { name: string; created: boolean; fullyQualifiedDomainName?: string };
  shares: { share: string; snapshot: string; files: number; bytes: number; restored: number; failed: { path: string; reason: string }[] }[];
  steps: BackupStep[];
  next: string[];
}

/** Runs `cvat-ops backup restore <id>`. */
export async function backupRestore(
  options: BackupRestoreOptions,
  runtime: Runtime,
  deps: BackupDeps = {},
): Promise<CommandResult<BackupRestoreData>> {
  const what = messages.what('restore');
  const id = checkRecoveryPointId(options.id);
  if (options.serverName !== undefined && !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(options.serverName)) {
    throw new CliError(
      EXIT.USAGE,
      `'--server-name' (${options.serverName.slice(0, 80)}) must be 3-63 lowercase letters, digits and hyphens.`,
    );
  }
  let rerun = '';
  const target = await resolveTarget(options, runtime, what, () => {
    rerun = formatCommand([
      'cvat-ops',
      'backup',
      'restore',
      id,
      '--env',
      options.env ?? '',
      ...(options.serverName ? ['--server-name', options.serverName] : []),
    ]);
    if (!options.dryRun)
      assertCanConfirm({ action: `restore recovery point ${id}`, yes: options.yes, rerun: `${rerun} --yes`, terminal: runtime });
  });
  const { readManifests, listSnapshots, listSnapshotFiles, copyFromSnapshot } = await import('./azure.js');
  const { manifests } = await readManifests(target.storage);
  const manifest = manifests.find((m) => m.id === id);
  if (!manifest) throw new CliError(EXIT.NOT_FOUND, messages.notFound(id, target.environment.ref));
  // the server the point was recorded on: after an earlier restore the environment uses another one (postgres.serverName),
  // whose backups begin at its creation; the previous server keeps the older points restorable
  const { server } = await sourceServer(target, what, { id, server: manifest.postgres.server });
  const earliest = server.backup?.earliestRestoreDate ? new Date(server.backup.earliestRestoreDate) : undefined;
  if (earliest && Date.parse(manifest.pointInTime) < earliest.getTime()) {
    throw new CliError(EXIT.FAILED, messages.outsideWindow(id, manifest.pointInTime, earliest.toISOString()));
  }
  const listed = await listSnapshots(target.storage, BACKUP_SHARES);
  for (const s of manifest.shares) {
    if (!listed.some((l) => l.share === s.share && l.snapshot === s.snapshot)) {
      throw new CliError(EXIT.NOT_FOUND, messages.snapshotMissing(s.share, s.snapshot, id));
    }
  }
  const missing = BACKUP_SHARES.filter((name) => !manifest.shares.some((s) => s.share === name));
  if (missing.length)
    throw new CliError(EXIT.NOT_FOUND, `Recovery point ${id} has no snapshot of ${missing.join(', ')}; it is not restorable as a whole.`);
  // named after the derived server, so restoring a restored server does not stack `-r…` suffixes
  const newName = options.serverName ?? restoredServerName(target.environment.names.postgresServerDerived, new Date(manifest.pointInTime));
  const existing = await target.pg.servers.get(target.resourceGroup, newName).then(
    () => true,
    (error: unknown) => {
      if (isNotFound(error)) return false;
      throw armFailure(error, `${what}: reading PostgreSQL server '${newName}'`, `Retry: ${rerun}`);
    },
  );
  if (existing) throw new CliError(EXIT.FAILED, messages.serverExists(newName));

  const plans = [];
  for (const s of manifest.shares) {
    const files = await listSnapshotFiles(target.storage.getShareClient(s.share), s.snapshot);
    plans.push({ ...s, files });
  }
  const steps: BackupStep[] = [
    {
      step: `create server ${newName}`,
      status: 'planned',
      detail: `PointInTimeRestore of ${manifest.postgres.server} at ${manifest.pointInTime}`,
    },
    ...plans.map(
      (p): BackupStep => ({
        step: `restore share ${p.share}`,
        status: 'planned',
        detail: `${p.files.length} files (${p.files.reduce((a, f) => a + f.size, 0)} bytes) from snapshot ${p.snapshot}; newer files are kept`,
      }),
    ),
  ];
  const next = messages.nextSteps(target.environment.ref, newName, target.serverName);
  const data: BackupRestoreData = {
    id,
    environment: target.environment.ref,
    dryRun: options.dryRun,
    pointInTime: manifest.pointInTime,
    server: { name: newName, created: false },
    shares: plans.map((p) => ({
      share: p.share,
      snapshot: p.snapshot,
      files: p.files.length,
      bytes: p.files.reduce((a, f) => a + f.size, 0),
      restored: 0,
      failed: [],
    })),
    steps,
    next,
  };
  if (options.dryRun) {
    return {
      data,
      view: [
        stepsTable(`Plan: restore recovery point ${id} (dry run)`, steps),
        { kind: 'lines', lines: [messages.restoreDry(rerun), ...next] },
      ],
    };
  }
  await confirmAction({
    action: `restore recovery point ${id} (${manifest.pointInTime})`,
    items: steps.map((s) => `${s.step}: ${s.detail}`),
    yes: options.yes,
    rerun: `${rerun} --yes`,
    terminal: runtime,
  });

  // 1. the database, first: if it cannot be restored, the shares are left as they are (no newer database with older files)
  const now = deps.now ?? (() => new Date());
  const started = now().getTime();
  runtime.stderr.write(`${messages.restoringServer(newName, manifest.pointInTime)}\n`);
  try {
    const poller = await target.pg.servers.beginCreateOrUpdate(
      target.resourceGroup,
      newName,
      {
        location: server.location ?? '',
        createMode: 'PointInTimeRestore',
        sourceServerResourceId: server.id ?? '',
        pointInTimeUTC: new Date(manifest.pointInTime),
        // The source's delegated subnet and private DNS zone, stated rather than left to the service: the deploy that
        // adopts the new server (postgres.serverName) expects both, and azurerm v4.55.0 makes delegated_subnet_id and
        // private_dns_zone_id ForceNew (internal/services/postgres/postgresql_flexible_server_resource.go).
        ...(server.network?.delegatedSubnetResourceId
          ? {
              network: {
                delegatedSubnetResourceId: server.network.delegatedSubnetResourceId,
                ...(server.network.privateDnsZoneArmResourceId
                  ? { privateDnsZoneArmResourceId: server.network.privateDnsZoneArmResourceId }
                  : {}),
              },
            }
          : {}),
      },
      { updateIntervalInMs: deps.pollIntervalMs ?? 10_000 },
    );
    poller.onProgress(() => {
      if (!poller.isDone()) runtime.stderr.write(`${messages.stillRestoring(newName, Math.round((now().getTime() - started) / 1000))}\n`);
    });
    const created = await poller.pollUntilDone();
    data.server = {
      name: newName,
      created: true,
      ...(created.fullyQualifiedDomainName ? { fullyQualifiedDomainName: created.fullyQualifiedDomainName } : {}),
    };
    steps[0] = { ...steps[0]!, status: 'done', detail: created.fullyQualifiedDomainName ?? newName };
    runtime.stderr.write(`${messages.serverRestored(newName, Math.round((now().getTime() - started) / 1000))}\n`);
  } catch (error) {
    const text = messages.serverFailed(newName, reason(error));
    runtime.stderr.write(`${text}\n`);
    steps[0] = { ...steps[0]!, status: 'failed', detail: reason(error) };
    for (const s of steps.slice(1)) s.status = 'skipped';
    return {
      data,
      view: [
        stepsTable(`Restore of recovery point ${id}: FAILED`, steps),
        {
          kind: 'lines',
          lines: [
            text,
            `Nothing else was changed: the shares are untouched. Azure may keep a failed server '${newName}': check it in the ` +
              `portal, delete it, then re-run: ${rerun} --yes`,
          ],
        },
      ],
      exitCode: EXIT.FAILED,
    };
  }

  // 2. the shares: every file of the snapshot copied over the live share (server side)
  let failed = 0;
  for (const [i, p] of plans.entries()) {
    runtime.stderr.write(`${messages.restoringShare(p.share, p.files.length)}\n`);
    const share = target.storage.getShareClient(p.share);
    const made = new Set<string>();
    const report = data.shares[i]!;
    await mapLimit(p.files, 8, async (f) => {
      try {
        await copyFromSnapshot(share, p.snapshot, f.path, made);
        report.restored += 1;
      } catch (error) {
        report.failed.push({ path: f.path, reason: reason(error) });
      }
    });
    failed += report.failed.length;
    steps[i + 1] = {
      ...steps[i + 1]!,
      status: report.failed.length ? 'failed' : 'done',
      detail: `${report.restored} of ${p.files.length} files restored from ${p.snapshot}${report.failed.length ? `; ${report.failed.length} failed` : ''}`,
    };
  }
  const failures = data.shares.flatMap((s) => s.failed.slice(0, 10).map((f) => `  ${s.share}/${f.path}: ${f.reason}`));
  return {
    data,
    view: [
      stepsTable(`Restore of recovery point ${id}${failed ? ': PARTIAL' : ''}`, steps),
      {
        kind: 'lines',
        lines: [...failures, ...(failed ? [messages.restorePartial(`${rerun} --yes --server-name ${newName}`)] : []), ...next],
      },
    ],
    exitCode: failed ? EXIT.FAILED : EXIT.OK,
  };
}

// ------------------------------------------------------------------------------------------------ prune

/** What `backup prune --json` prints. */
export interface BackupPruneData {
  environment: string;
  dryRun: boolean;
  rules: { keepDays?: number; keepLast?: number };
  kept: string[];
  removed: {
    id: string;
    pointInTime: string;
    snapshotsDeleted: string[];
    manifestDeleted: boolean;
    onDemandBackupDeleted?: boolean;
    failed: string[];
  }[];
}

/** Runs `cvat-ops backup prune`. */
export async function backupPrune(
  options: BackupPruneOptions,
  runtime: Runtime,
  deps: BackupDeps = {},
): Promise<CommandResult<BackupPruneData>> {
  const what = messages.what('prune');
  if (options.keepDays === undefined && options.keepLast === undefined) throw new CliError(EXIT.USAGE, messages.pruneNeedsRule);
  let rerun = '';
  const target = await resolveTarget(options, runtime, what, () => {
    rerun = formatCommand([
      'cvat-ops',
      'backup',
      'prune',
      '--env',
      options.env ?? '',
      ...(options.keepDays !== undefined ? ['--keep-days', String(options.keepDays)] : []),
      ...(options.keepLast !== undefined ? ['--keep-last', String(options.keepLast)] : []),
    ]);
    if (!options.dryRun)
      assertCanConfirm({ action: 'delete old recovery points', yes: options.yes, rerun: `${rerun} --yes`, terminal: runtime });
  });
  const { points } = await collectPoints(target, async () => undefined);
  const now = deps.now ?? (() => new Date());
  const rules = {
    ...(options.keepDays !== undefined ? { keepDays: options.keepDays } : {}),
    ...(options.keepLast !== undefined ? { keepLast: options.keepLast } : {}),
  };
  const { keep, remove } = selectForPrune(points, rules, now());
  const data: BackupPruneData = {
    environment: target.environment.ref,
    dryRun: options.dryRun,
    rules,
    kept: keep.map((p) => p.id),
    removed: remove.map((p) => ({ id: p.id, pointInTime: p.pointInTime, snapshotsDeleted: [], manifestDeleted: false, failed: [] })),
  };
  const table = (title: string): Block => ({
    kind: 'table',
    title,
    columns: [
      { key: 'id', header: 'RECOVERY POINT' },
      { key: 'pointInTime', header: 'POINT IN TIME (UTC)' },
      { key: 'action', header: 'ACTION' },
    ],
    rows: [
      ...keep.map((p) => ({ id: p.id, pointInTime: p.pointInTime, action: 'keep' })),
      ...data.removed.map((r) => ({
        id: r.id,
        pointInTime: r.pointInTime,
        action: options.dryRun
          ? 'would delete'
          : r.failed.length
            ? `FAILED: ${r.failed.join('; ')}`
            : `deleted (${r.snapshotsDeleted.length} snapshots${r.manifestDeleted ? ', manifest' : ''})`,
      })),
    ],
  });
  if (remove.length === 0)
    return { data, view: [table('Recovery points'), { kind: 'lines', lines: [messages.pruneNothing(keep.length)] }] };
  if (options.dryRun) return { data, view: [table('Prune plan (dry run)'), { kind: 'lines', lines: [messages.pruneDry(rerun)] }] };
  await confirmAction({
    action: `delete ${remove.length} recovery point(s) (share snapshots and manifests)`,
    items: remove.map((p) => `${p.id} (${p.pointInTime})`),
    yes: options.yes,
    rerun: `${rerun} --yes`,
    terminal: runtime,
  });
  const { deleteSnapshot, deleteManifest } = await import('./azure.js');
  for (const [i, p] of remove.entries()) {
    const r = data.removed[i]!;
    for (const s of p.shares) {
      try {
        await deleteSnapshot(target.storage.getShareClient(s.share), s.snapshot);
        r.snapshotsDeleted.push(`${s.share}@${s.snapshot}`);
      } catch (error) {
        r.failed.push(`snapshot ${s.share}@${s.snapshot}: ${reason(error)}`);
      }
    }
    const onDemand = p.manifestData?.postgres.onDemandBackup;
    if (onDemand) {
      try {
        await target.pg.backupsAutomaticAndOnDemand.beginDeleteAndWait(target.resourceGroup, p.manifestData!.postgres.server, onDemand, {
          updateIntervalInMs: deps.pollIntervalMs ?? 10_000,
        });
        r.onDemandBackupDeleted = true;
      } catch (error) {
        if (isNotFound(error)) r.onDemandBackupDeleted = true;
        else r.failed.push(`on-demand backup ${onDemand}: ${reason(error)}`);
      }
    }
    // the manifest goes last, and only when everything it lists is gone: a failed prune stays visible in 'backup list'
    if (r.failed.length === 0 && p.manifest !== 'missing') {
      try {
        r.manifestDeleted = await deleteManifest(target.storage, p.id);
      } catch (error) {
        r.failed.push(`manifest: ${reason(error)}`);
      }
    }
    runtime.stderr.write(`${r.failed.length ? `prune ${p.id}: FAILED` : `pruned ${p.id}`}\n`);
  }
  const failed = data.removed.some((r) => r.failed.length > 0);
  return {
    data,
    view: [table('Pruned recovery points'), { kind: 'lines', lines: failed ? [messages.prunePartial(`${rerun} --yes`)] : [] }],
    exitCode: failed ? EXIT.FAILED : EXIT.OK,
  };
}

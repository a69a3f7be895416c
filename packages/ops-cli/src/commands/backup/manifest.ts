/**
 * A recovery point of a whole CVAT, as `cvat-ops backup` records it (pure: no I/O).
 *
 * A recovery point ties together, by one UTC point in time:
 * - PostgreSQL: the Flexible Server's own point-in-time restore (PITR) at `pointInTime`: nothing is copied at backup
 *   time, the server's automatic backups and write-ahead log make any second of the retention window restorable
 *   (https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-backup-restore); optionally an on-demand
 *   full backup taken right after (`postgres.onDemandBackup`), which shortens the log replay of a restore;
 * - the CVAT data and keys shares: one share snapshot each, taken after the point in time was recorded, tagged with
 *   the recovery point's id in the snapshot's metadata (`cvatbackup`).
 *
 * Consistency: crash-consistent, with an order that favours CVAT. The database time is recorded BEFORE the snapshots,
 * so every file the database at that time refers to was already in the share when it was snapshotted (CVAT writes a
 * task's files before the rows that name them, and deletes files only when a user deletes a task); a file written in
 * the seconds between the two is an orphan the restored database does not know, which CVAT ignores. Workers are not
 * paused: pausing (scaling import/export workers to 0) would have to be undone by the same run, and a run cut half-way
 * would leave CVAT unable to import; the order above gives the same guarantee without touching the apps.
 *
 * The manifest is one JSON file per recovery point in the environment's storage account, share `cvat-config`, folder
 * `backups/` (`cvat-config/backups/<id>.json`): the share cvat-ops already writes (`storage config push`), mounted
 * read-only and only through sub-paths by the apps, and not itself part of a recovery point.
 */
import { CliError, EXIT } from '@cvat-cloud/runtime';

/** Format version of the manifest. */
export const MANIFEST_VERSION = 1;
/** Share and folder holding the manifests. */
export const MANIFEST_SHARE = 'cvat-config';
export const MANIFEST_FOLDER = 'backups';
/** The shares a recovery point snapshots (CVAT's data and keys volumes; logs and config are not state to recover). */
export const BACKUP_SHARES = ['cvat-data', 'cvat-keys'] as const;
/** Snapshot metadata key naming the recovery point. */
export const SNAPSHOT_TAG = 'cvatbackup';

/** One share snapshot of a recovery point. */
export interface ShareSnapshotRecord {
  share: string;
  /** The snapshot's `x-ms-snapshot` value. */
  snapshot: string;
}

/** The manifest of one recovery point. */
export interface Manifest {
  version: number;
  /** `<environment>-<yyyymmdd>t<hhmmss>z`, also the snapshots' `cvatbackup` tag and the manifest's file name. */
  id: string;
  environment: string;
  /** When the run started (UTC ISO). */
  createdAt: string;
  /** The database point in time (UTC ISO), recorded before the share snapshots. */
  pointInTime: string;
  /** `complete`, or `partial` when a step failed (the manifest then lists only what exists). */
  status: 'complete' | 'partial';
  consistency: string;
  postgres: {
    server: string;
    resourceGroup: string;
    /** The server's backup retention in days when the point was made (the PITR window). */
    retentionDays?: number;
    /** Name of the on-demand backup taken right after, when asked for. */
    onDemandBackup?: string;
  };
  shares: ShareSnapshotRecord[];
  /** What failed, for a partial point. */
  problems: string[];
}

/** The consistency statement every manifest carries. */
export const CONSISTENCY = 'crash-consistent: database point in time recorded before the share snapshots; workers were not paused';

const pad = (n: number): string => String(n).padStart(2, '0');

/** `dev-20261203t144501z`: environment name and UTC second; lower case (share metadata and file names). */
export function recoveryPointId(environment: string, at: Date): string {
  const stamp =
    `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}t` +
    `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}z`;
  return `${environment.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-${stamp}`;
}

/** A recovery point id as `backup restore` and `prune` accept it. */
export const RECOVERY_POINT_ID = /^[a-z0-9-]{1,60}-\d{8}t\d{6}z$/;

/** Checks a recovery point id given on the command line (USAGE naming the value and the form). */
export function checkRecoveryPointId(id: string): string {
  if (!RECOVERY_POINT_ID.test(id)) {
    throw new CliError(
      EXIT.USAGE,
      `'<recovery-point>' (${id.slice(0, 80)}) must be a recovery point id such as dev-20261203t144501z (see 'cvat-ops backup list').`,
    );
  }
  return id;
}

/**
 * Name of the server a restore creates: `<server>-r<yyyymmddhhmm>` of the point in time, cut so the whole stays within
 * the 63 characters of a Flexible Server name and ends with a letter or digit.
 */
export function restoredServerName(server: string, pointInTime: Date): string {
  const p = pointInTime;
  const suffix = `-r${p.getUTCFullYear()}${pad(p.getUTCMonth() + 1)}${pad(p.getUTCDate())}${pad(p.getUTCHours())}${pad(p.getUTCMinutes())}`;
  return `${server.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/** Reads a manifest, checking the fields a restore relies on; `source` names the file in the error. */
export function parseManifest(text: string, source: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(EXIT.CONFIG, `The manifest ${source} is not JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  const m = value as Partial<Manifest>;
  const problems: string[] = [];
  if (m.version !== MANIFEST_VERSION) problems.push(`version must be ${MANIFEST_VERSION}`);
  if (typeof m.id !== 'string' || !RECOVERY_POINT_ID.test(m.id)) problems.push('id must be a recovery point id');
  if (typeof m.pointInTime !== 'string' || Number.isNaN(Date.parse(m.pointInTime))) problems.push('pointInTime must be a UTC time');
  if (!m.postgres || typeof m.postgres.server !== 'string' || typeof m.postgres.resourceGroup !== 'string') {
    problems.push('postgres.server and postgres.resourceGroup must be set');
  }
  if (!Array.isArray(m.shares) || m.shares.some((s) => typeof s?.share !== 'string' || typeof s?.snapshot !== 'string')) {
    problems.push('shares must list { share, snapshot }');
  }
  if (problems.length > 0) throw new CliError(EXIT.CONFIG, `The manifest ${source} is invalid: ${problems.join('; ')}.`);
  return { problems: [], status: 'complete', consistency: CONSISTENCY, createdAt: m.pointInTime!, environment: '', ...m } as Manifest;
}

/** A recovery point as prune sees it. */
export interface RetentionCandidate {
  id: string;
  pointInTime: string;
}

/**
 * Which recovery points a prune keeps: the newest `keepLast`, and every one younger than `keepDays` days; the rest
 * go. With neither rule given nothing is selected (the caller refuses that).
 */
export function selectForPrune<T extends RetentionCandidate>(
  points: readonly T[],
  rules: { keepDays?: number; keepLast?: number },
  now: Date,
): { keep: T[]; remove: T[] } {
  const sorted = [...points].sort((a, b) => Date.parse(b.pointInTime) - Date.parse(a.pointInTime));
  const cutoff = rules.keepDays === undefined ? undefined : now.getTime() - rules.keepDays * 86_400_000;
  const keep: T[] = [];
  const remove: T[] = [];
  sorted.forEach((p, i) => {
    const byCount = rules.keepLast !== undefined && i < rules.keepLast;
    const byAge = cutoff !== undefined && Date.parse(p.pointInTime) >= cutoff;
    (byCount || byAge ? keep : remove).push(p);
  });
  return { keep, remove };
}

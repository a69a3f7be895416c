/**
 * The Azure calls of `cvat-ops backup`, in two API families:
 *
 * - Azure Files REST (data plane, @azure/storage-file-share, the account key as for `storage upload`): Snapshot Share
 *   with `x-ms-meta-cvatbackup` (https://learn.microsoft.com/rest/api/storageservices/snapshot-share), List Shares with
 *   `include=snapshots,metadata` (https://learn.microsoft.com/rest/api/storageservices/list-shares), Delete Share with
 *   `sharesnapshot=` (https://learn.microsoft.com/rest/api/storageservices/delete-share), List Directories and Files
 *   and Copy File from a snapshot URL for a restore (https://learn.microsoft.com/rest/api/storageservices/copy-file; a
 *   source in the same account needs no SAS: the az CLI reference copies within an account with only the account key,
 *   "a source in another account must be readable, for example through a SAS token",
 *   https://learn.microsoft.com/cli/azure/storage/file/copy), and the manifest as a file of
 *   `cvat-config/backups/`. The data plane rather than ARM's `fileServices/default/shares?$expand=snapshots`: one
 *   credential for snapshots, manifests and copies, and snapshot metadata, which ARM's share snapshot create does not set.
 * - ARM Microsoft.DBforPostgreSQL (@azure/arm-postgresql-flexible 9.0.0, api-version 2025-08-01): Servers_Get for the
 *   restore window (`backup.earliestRestoreDate`), Servers_Create with `createMode: PointInTimeRestore` (a long-running
 *   operation polled through Azure-AsyncOperation), BackupsAutomaticAndOnDemand_Create/Delete for on-demand backups.
 */
import type { PostgreSQLManagementFlexibleServerClient, Server } from '@azure/arm-postgresql-flexible' with { 'resolution-mode': 'import' };
import type { ShareClient, ShareServiceClient } from '@azure/storage-file-share' with { 'resolution-mode': 'import' };
import { applyArmSetup } from '@cvat-cloud/runtime';
import type { Runtime } from '../../context/runtime';
import { withThrottleRetry } from '../storage/transfer';
import { MANIFEST_FOLDER, MANIFEST_SHARE, parseManifest, SNAPSHOT_TAG, type Manifest } from './manifest';

/** The PostgreSQL ARM client (loaded lazily). */
export async function postgresClient(runtime: Runtime, subscriptionId: string): Promise<PostgreSQLManagementFlexibleServerClient> {
  const [{ PostgreSQLManagementFlexibleServerClient }, { armClientSetup }] = await Promise.all([
    import('@azure/arm-postgresql-flexible'),
    import('../../context/azure.js'),
  ]);
  const setup = await armClientSetup(runtime);
  return applyArmSetup(new PostgreSQLManagementFlexibleServerClient(setup.credential, subscriptionId, setup.options), setup);
}

/** A server and the time ARM answered (its clock, not this machine's). */
export async function getServer(
  client: PostgreSQLManagementFlexibleServerClient,
  resourceGroup: string,
  name: string,
): Promise<{ server: Server; armTime: Date | undefined }> {
  let date: string | undefined;
  const server = await client.servers.get(resourceGroup, name, {
    onResponse: (raw) => {
      date = raw.headers.get('date') ?? undefined;
    },
  });
  const armTime = date ? new Date(date) : undefined;
  return { server, armTime: armTime && !Number.isNaN(armTime.getTime()) ? armTime : undefined };
}

/** One share snapshot as List Shares reports it. */
export interface ListedSnapshot {
  share: string;
  snapshot: string;
  /** The `cvatbackup` tag: the recovery point it belongs to. */
  recoveryPoint?: string;
}

/** Snapshots of the given shares (all of them, tagged or not). */
export async function listSnapshots(service: ShareServiceClient, shares: readonly string[]): Promise<ListedSnapshot[]> {
  const out: ListedSnapshot[] = [];
  for await (const item of service.listShares({ includeSnapshots: true, includeMetadata: true })) {
    if (!item.snapshot || !shares.includes(item.name)) continue;
    const tag = item.metadata?.[SNAPSHOT_TAG];
    out.push({ share: item.name, snapshot: item.snapshot, ...(tag ? { recoveryPoint: tag } : {}) });
  }
  return out;
}

/** Snapshot Share with the recovery point's tag; returns the snapshot's id. */
export async function snapshotShare(share: ShareClient, recoveryPoint: string, pointInTime: string): Promise<string> {
  const result = await withThrottleRetry(() =>
    share.createSnapshot({ metadata: { [SNAPSHOT_TAG]: recoveryPoint, pointintime: pointInTime } }),
  );
  if (!result.snapshot) throw new Error(`Snapshot Share of ${share.name} answered without x-ms-snapshot`);
  return result.snapshot;
}

/** Deletes one share snapshot; `false` when it was already gone (404). */
export async function deleteSnapshot(share: ShareClient, snapshot: string): Promise<boolean> {
  try {
    await withThrottleRetry(() => share.withSnapshot(snapshot).delete());
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

/** Every file path of a share snapshot (depth first, sorted), with sizes. */
export async function listSnapshotFiles(share: ShareClient, snapshot: string): Promise<{ path: string; size: number }[]> {
  const root = share.withSnapshot(snapshot);
  const files: { path: string; size: number }[] = [];
  const walk = async (dir: string): Promise<void> => {
    const client = dir ? root.getDirectoryClient(dir) : root.rootDirectoryClient;
    const subdirs: string[] = [];
    for await (const entry of client.listFilesAndDirectories()) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.kind === 'directory') subdirs.push(path);
      else files.push({ path, size: entry.properties.contentLength ?? 0 });
    }
    for (const sub of subdirs.sort()) await walk(sub);
  };
  await walk('');
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Copies one file of a snapshot over the live share (server side, Copy File); creates missing directories. */
export async function copyFromSnapshot(share: ShareClient, snapshot: string, path: string, made: Set<string>): Promise<void> {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    if (made.has(dir)) continue;
    await withThrottleRetry(() => share.getDirectoryClient(dir).createIfNotExists());
    made.add(dir);
  }
  const source = share.withSnapshot(snapshot).rootDirectoryClient.getFileClient(path).url;
  const target = share.rootDirectoryClient.getFileClient(path);
  const poller = await withThrottleRetry(() => target.startCopyFromURL(source));
  if (poller.copyStatus && poller.copyStatus !== 'success') {
    // an asynchronous copy (large files): wait for it
    for (;;) {
      const props = await withThrottleRetry(() => target.getProperties());
      if (props.copyStatus === 'success') return;
      if (props.copyStatus === 'failed' || props.copyStatus === 'aborted') {
        throw new Error(`copy of ${path} ${props.copyStatus}: ${props.copyStatusDescription ?? ''}`.trim());
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** The manifests folder's client. */
function manifestDir(service: ShareServiceClient) {
  return service.getShareClient(MANIFEST_SHARE).getDirectoryClient(MANIFEST_FOLDER);
}

/** Reads every manifest (an unreadable one is reported, not fatal). */
export async function readManifests(service: ShareServiceClient): Promise<{ manifests: Manifest[]; unreadable: string[] }> {
  const dir = manifestDir(service);
  const manifests: Manifest[] = [];
  const unreadable: string[] = [];
  if (!(await withThrottleRetry(() => dir.exists()))) return { manifests, unreadable };
  for await (const entry of dir.listFilesAndDirectories()) {
    if (entry.kind !== 'file' || !entry.name.endsWith('.json')) continue;
    const where = `${MANIFEST_SHARE}/${MANIFEST_FOLDER}/${entry.name}`;
    try {
      const buffer = await withThrottleRetry(() => dir.getFileClient(entry.name).downloadToBuffer());
      manifests.push(parseManifest(buffer.toString('utf8'), where));
    } catch (error) {
      unreadable.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { manifests: manifests.sort((a, b) => Date.parse(b.pointInTime) - Date.parse(a.pointInTime)), unreadable };
}

/** Writes (or replaces) a manifest; returns its path in the account. */
export async function writeManifest(service: ShareServiceClient, manifest: Manifest): Promise<string> {
  const share = service.getShareClient(MANIFEST_SHARE);
  await withThrottleRetry(() => share.getDirectoryClient(MANIFEST_FOLDER).createIfNotExists());
  const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const file = share.getDirectoryClient(MANIFEST_FOLDER).getFileClient(`${manifest.id}.json`);
  await withThrottleRetry(() => file.uploadData(body, { fileHttpHeaders: { fileContentType: 'application/json' } }));
  return `${MANIFEST_SHARE}/${MANIFEST_FOLDER}/${manifest.id}.json`;
}

/** Whether a manifest with this id exists. */
export async function manifestExists(service: ShareServiceClient, id: string): Promise<boolean> {
  return withThrottleRetry(() => manifestDir(service).getFileClient(`${id}.json`).exists());
}

/** Deletes a manifest; `false` when it was already gone. */
export async function deleteManifest(service: ShareServiceClient, id: string): Promise<boolean> {
  const result = await withThrottleRetry(() => manifestDir(service).getFileClient(`${id}.json`).deleteIfExists());
  return result.succeeded;
}

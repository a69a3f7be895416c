import type { Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { CommandResult, Block } from '../../output';
import { createProgress, formatBytes } from '../../output/progress';
import type { Runtime } from '../../context/runtime';
import { EXIT, CliError, describeError } from '@cvat-cloud/runtime';
import { connectStorage, resolveAccountName } from './account';
import { checkShareInCatalogue, openShare, parseSharePath } from './shares';
import { DEFAULT_CONCURRENCY, transfer, type TransferItem, type TransferOutcome, type TransferSummary } from './transfer';
import { loadContentTypes } from './content-type';
import { UploadState } from './upload-state';
import type { StorageUploadOptions } from './options';
import { msg } from './messages';

/** What `storage upload --json` prints. */
export interface StorageUploadReport {
  account: string;
  share: string;
  /** Folder inside the share ('' = root). */
  destination: string;
  dryRun: boolean;
  summary: TransferSummary;
  files: TransferOutcome[];
}

/** Files listed one per row in the human output up to this many (failures are always listed). */
export const LIST_LIMIT = 50;

/**
 * Lists the files to send: a file goes to `<dest>/<its name>`; a folder's contents go under `<dest>/` (like
 * `cp -r dir/. dest/`). Symlinks to files are followed; symlinked folders are skipped (no cycles).
 */
export async function collectItems(
  localPath: string,
  dest: string,
  cwd: string,
): Promise<{ items: TransferItem[]; skippedLinks: string[] }> {
  const root = resolve(cwd, localPath);
  let info: Stats;
  try {
    info = await stat(root);
  } catch (error) {
    throw new CliError(EXIT.NOT_FOUND, msg.localPathNotFound(localPath, describeError(error)), { cause: error });
  }
  const prefix = dest ? `${dest}/` : '';
  if (info.isFile()) return { items: [{ localPath: root, remotePath: `${prefix}${basename(root)}`, size: info.size }], skippedLinks: [] };
  if (!info.isDirectory()) throw new CliError(EXIT.USAGE, msg.notFileOrFolder(localPath));
  const items: TransferItem[] = [];
  const skippedLinks: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(full, relPath);
      else if (entry.isFile()) items.push({ localPath: full, remotePath: `${prefix}${relPath}`, size: (await lstat(full)).size });
      else if (entry.isSymbolicLink()) {
        const target = await stat(full).catch(() => undefined);
        if (target?.isFile()) items.push({ localPath: full, remotePath: `${prefix}${relPath}`, size: target.size });
        else skippedLinks.push(relPath);
      }
    }
  };
  await walk(root, '');
  return { items, skippedLinks };
}

/** The human summary line shared by upload and config push. */
export function summaryLine(s: TransferSummary, dryRun: boolean, where: string): string {
  if (dryRun) {
    return (
      `Dry run: would upload ${s.uploaded} files (${formatBytes(s.bytesUploaded)}), skip ${s.skipped} identical ` +
      `(${formatBytes(s.bytesSkipped)})${s.failed ? `, ${s.failed} could not be checked` : ''} → ${where}. Nothing was changed.`
    );
  }
  return (
    `Uploaded ${s.uploaded} files (${formatBytes(s.bytesUploaded)}), skipped ${s.skipped} identical (${formatBytes(s.bytesSkipped)}), ` +
    `${s.failed} failed in ${s.seconds} s → ${where}.`
  );
}

/** Table blocks for outcomes: all when few, else only failures. */
export function outcomeBlocks(outcomes: TransferOutcome[], withLabel: boolean): Block[] {
  const failed = outcomes.filter((o) => o.status === 'failed');
  const rows = outcomes.length <= LIST_LIMIT ? outcomes : failed;
  if (rows.length === 0) return [];
  return [
    {
      kind: 'table',
      title: outcomes.length <= LIST_LIMIT ? undefined : `Failed files (${failed.length} of ${outcomes.length}; --json lists all)`,
      columns: [
        ...(withLabel ? [{ key: 'label', header: 'COMPONENT' }] : []),
        { key: 'status' },
        { key: 'remotePath', header: 'PATH' },
        { key: 'sizeText', header: 'SIZE', align: 'right' as const },
        { key: 'reason' },
      ],
      rows: rows.map((o) => ({ ...o, sizeText: formatBytes(o.size) })),
    },
  ];
}

/** `cvat-ops storage upload <local-path> <share>[/<path>]` */
export async function storageUpload(options: StorageUploadOptions, runtime: Runtime): Promise<CommandResult<StorageUploadReport>> {
  const { share, path: dest } = parseSharePath(options.sharePath);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const { items, skippedLinks } = await collectItems(options.localPath, dest, runtime.cwd);
  const resolved = await resolveAccountName(options, runtime, 'storage upload');
  checkShareInCatalogue(share, resolved.environment);
  const target = await connectStorage(options, runtime, 'storage upload', resolved);
  const shareClient = await openShare(target, share);
  const state = UploadState.open(runtime.env, target.account, share);
  const contentTypes = await loadContentTypes();
  const progress = await createProgress(runtime, {
    json: options.json,
    totalBytes: items.reduce((a, i) => a + i.size, 0),
    totalItems: items.length,
    label: options.dryRun ? 'checking' : 'uploading',
  });
  let result: Awaited<ReturnType<typeof transfer>>;
  try {
    result = await transfer({
      share: shareClient,
      items,
      concurrency,
      ...(options.rangeConcurrency ? { rangeConcurrency: options.rangeConcurrency } : {}),
      dryRun: options.dryRun,
      progress,
      state,
      contentTypeOf: contentTypes,
    });
  } finally {
    progress.stop();
    state.flush();
  }
  const where = `share '${share}'${dest ? ` folder '${dest}'` : ''} of storage account '${target.account}'`;
  const lines = [summaryLine(result.summary, options.dryRun, where)];
  if (skippedLinks.length)
    lines.push(
      `Skipped ${skippedLinks.length} symlinked folders or broken links: ${skippedLinks.slice(0, 5).join(', ')}${skippedLinks.length > 5 ? ', …' : ''}`,
    );
  if (state.writeError) lines.push(msg.stateNotSaved(state.path, state.writeError));
  const resumed = result.outcomes.reduce((a, o) => a + (o.resumedBytes ?? 0), 0);
  if (resumed) lines.push(msg.resumedBytes(formatBytes(resumed)));
  if (result.summary.failed) lines.push(msg.retryFailed);
  return {
    data: { account: target.account, share, destination: dest, dryRun: options.dryRun, summary: result.summary, files: result.outcomes },
    view: [...outcomeBlocks(result.outcomes, false), { kind: 'lines', lines }],
    exitCode: result.summary.failed ? EXIT.FAILED : EXIT.OK,
  };
}

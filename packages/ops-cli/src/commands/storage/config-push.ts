import { stat } from 'node:fs/promises';
import { configFileSourcePath, enabledComponents } from '@cvat-cloud/catalogue';
import type { CommandResult } from '../../output';
import { createProgress } from '../../output/progress';
import { didYouMean } from '../../output/suggest';
import type { Runtime } from '../../context/runtime';
import { EXIT, CliError, formatCommand } from '@cvat-cloud/runtime';
import { connectStorage, resolveAccountName } from './account';
import { checkShareInCatalogue, openShare } from './shares';
import { DEFAULT_CONCURRENCY, transfer, type TransferItem, type TransferOutcome, type TransferSummary } from './transfer';
import { outcomeBlocks, summaryLine } from './upload';
import { loadContentTypes } from './content-type';
import { UploadState } from './upload-state';
import type { StorageConfigPushOptions } from './options';
import { msg } from './messages';

/** What `storage config push --json` prints. */
export interface StorageConfigPushReport {
  account: string;
  dryRun: boolean;
  /** Share → files. */
  shares: { share: string; summary: TransferSummary; files: TransferOutcome[] }[];
  summary: TransferSummary;
}

/**
 * `cvat-ops storage config push [component...]`: uploads each enabled component's `configFiles` (catalogue) to the
 * share of its `storage`, at its `path`. Identical files are skipped; a missing source file stops before any upload.
 */
export async function storageConfigPush(
  options: StorageConfigPushOptions,
  runtime: Runtime,
  /** Where a `configFiles[].source` lives (the catalogue package's own files); injectable for tests. */
  sourcePath: (source: string) => string = configFileSourcePath,
): Promise<CommandResult<StorageConfigPushReport>> {
  if (!options.env) {
    throw new CliError(EXIT.USAGE, msg.configPushNeedsEnv);
  }
  const resolved = await resolveAccountName(options, runtime, 'storage config push');
  const environment = resolved.environment!;
  const enabled = enabledComponents(environment.catalogue);
  const all = environment.catalogue.components.map((c) => c.name);
  for (const name of options.components) {
    if (!all.includes(name)) throw new CliError(EXIT.USAGE, msg.unknownComponent(name, didYouMean(name, all), all));
    if (!enabled.some((c) => c.name === name)) {
      throw new CliError(EXIT.USAGE, msg.disabledComponent(name, environment.ref));
    }
  }
  const selected = enabled.filter(
    (c) => (options.components.length ? options.components.includes(c.name) : true) && c.configFiles.length > 0,
  );
  if (options.components.length && selected.length < options.components.length) {
    const without = options.components.filter((n) => !selected.some((c) => c.name === n));
    throw new CliError(
      EXIT.USAGE,
      msg.noConfigFiles(
        without,
        enabled.filter((c) => c.configFiles.length).map((c) => c.name),
      ),
    );
  }
  // Build every item first: a missing source or a share the component does not mount stops before any upload.
  const byShare = new Map<string, TransferItem[]>();
  const missing: string[] = [];
  for (const component of selected) {
    for (const file of component.configFiles) {
      const local = sourcePath(file.source);
      const info = await stat(local).catch(() => undefined);
      if (!info?.isFile()) {
        missing.push(`components[${component.name}].configFiles source '${file.source}' (${local})`);
        continue;
      }
      const share = environment.names.storages[file.storage] ?? file.storage;
      checkShareInCatalogue(share, environment);
      const items = byShare.get(share) ?? [];
      items.push({ localPath: local, remotePath: file.path, size: info.size, label: component.name });
      byShare.set(share, items);
    }
  }
  if (missing.length) throw new CliError(EXIT.NOT_FOUND, msg.missingSources(missing));

  const target = await connectStorage(options, runtime, 'storage config push', resolved);
  const allItems = [...byShare.values()].flat();
  const progress = await createProgress(runtime, {
    json: options.json,
    totalBytes: allItems.reduce((a, i) => a + i.size, 0),
    totalItems: allItems.length,
    label: options.dryRun ? 'checking' : 'pushing',
  });
  const shares: StorageConfigPushReport['shares'] = [];
  const contentTypes = await loadContentTypes();
  try {
    for (const [share, items] of byShare) {
      const client = await openShare(target, share);
      const state = UploadState.open(runtime.env, target.account, share);
      const r = await transfer({
        share: client,
        items,
        concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
        dryRun: options.dryRun,
        progress,
        state,
        contentTypeOf: contentTypes,
      });
      state.flush();
      shares.push({ share, summary: r.summary, files: r.outcomes });
    }
  } finally {
    progress.stop();
  }
  const summary: TransferSummary = shares.reduce(
    (a, s) => ({
      files: a.files + s.summary.files,
      uploaded: a.uploaded + s.summary.uploaded,
      skipped: a.skipped + s.summary.skipped,
      failed: a.failed + s.summary.failed,
      bytesUploaded: a.bytesUploaded + s.summary.bytesUploaded,
      bytesSkipped: a.bytesSkipped + s.summary.bytesSkipped,
      seconds: Math.round((a.seconds + s.summary.seconds) * 10) / 10,
    }),
    { files: 0, uploaded: 0, skipped: 0, failed: 0, bytesUploaded: 0, bytesSkipped: 0, seconds: 0 },
  );
  const outcomes = shares.flatMap((s) => s.files.map((f) => ({ ...f, remotePath: `${s.share}/${f.remotePath}` })));
  const lines = [summaryLine(summary, options.dryRun, `storage account '${target.account}'`)];
  if (selected.length === 0) lines.unshift('No enabled component declares configFiles; nothing to push.');
  if (summary.failed) lines.push(msg.retryFailed);
  if (summary.uploaded && !options.dryRun) {
    const changed = [...new Set(outcomes.filter((o) => o.status === 'uploaded').map((o) => o.label))];
    const restart = (c: string | undefined): string =>
      `  ${formatCommand(['cvat-ops', 'apps', 'restart', c ?? '', '--env', environment.ref])}`;
    lines.push('Components read their config at start; restart them to pick it up:', ...changed.map(restart));
  }
  return {
    data: { account: target.account, dryRun: options.dryRun, shares, summary },
    view: [...outcomeBlocks(outcomes, true), { kind: 'lines', lines }],
    exitCode: summary.failed ? EXIT.FAILED : EXIT.OK,
  };
}

/**
 * The upload engine behind `storage upload` and `storage config push`.
 *
 * Per file: hash it (MD5), ask the share for the remote file's size and Content-MD5, skip when both match, else
 * create the file at its full size, upload 4 MiB ranges, and set Content-MD5 LAST. A file interrupted mid-way
 * therefore has the right size but no (or an old) Content-MD5, and the next run re-uploads it: re-running the same
 * command resumes. Files run in parallel with bounded concurrency; one failure does not stop the others.
 * 429 responses are retried after their Retry-After (bounded); 500/503/network errors are retried by the SDK.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ShareClient, ShareFileClient } from '@azure/storage-file-share' with { 'resolution-mode': 'import' };
import { describeError } from '@cvat-cloud/runtime';
import type { Progress } from '../../output/progress';
import { msg } from './messages';

/** Maximum bytes per Put Range request (Azure Files limit). */
export const RANGE_BYTES = 4 * 1024 * 1024;
/** Default number of files uploaded at the same time. */
export const DEFAULT_CONCURRENCY = 4;
/** 429 retries per request, and the longest Retry-After honoured. */
export const THROTTLE_RETRIES = 5;
export const MAX_RETRY_AFTER_SECONDS = 60;

/** One file to send. */
export interface TransferItem {
  localPath: string;
  /** Path inside the share, '/'-separated, no leading slash. */
  remotePath: string;
  size: number;
  /** Free label shown in results (e.g. the component of a config file). */
  label?: string;
}

/** What happened to one file. */
export interface TransferOutcome {
  remotePath: string;
  localPath: string;
  size: number;
  label?: string;
  status: 'uploaded' | 'skipped' | 'failed' | 'would-upload' | 'would-skip';
  /** Why: identical / missing / size differs / no Content-MD5 (partial or foreign upload) / Content-MD5 differs; or the error. */
  reason: string;
}

/** Totals for the summary. */
export interface TransferSummary {
  files: number;
  uploaded: number;
  skipped: number;
  failed: number;
  bytesUploaded: number;
  bytesSkipped: number;
  seconds: number;
}

/** MD5 of a local file (streamed). */
export async function md5File(path: string): Promise<Buffer> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest();
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds to wait from a 429 response's Retry-After (seconds or HTTP date), bounded; 1 s when absent. */
export function retryAfterSeconds(error: unknown, now = Date.now()): number {
  const headers = (error as { response?: { headers?: { get?: (n: string) => string | undefined } } }).response?.headers;
  const raw = headers?.get?.('retry-after');
  let seconds = 1;
  if (raw !== undefined && raw !== null && raw !== '') {
    if (/^\d+(\.\d+)?$/.test(raw.trim())) seconds = Number(raw);
    else {
      const at = Date.parse(raw);
      if (!Number.isNaN(at)) seconds = Math.max(0, (at - now) / 1000);
    }
  }
  return Math.min(MAX_RETRY_AFTER_SECONDS, seconds);
}

/** Runs `op`, retrying only HTTP 429 after Retry-After (never other errors: those are the SDK's or final). */
export async function withThrottleRetry<T>(op: () => Promise<T>, onWait?: (seconds: number) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 429 || attempt >= THROTTLE_RETRIES) throw error;
      const seconds = retryAfterSeconds(error);
      onWait?.(seconds);
      await sleep(seconds * 1000);
    }
  }
}

/** Runs `worker` over `items` with at most `concurrency` in flight; results keep the input order. */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await worker(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Decides whether a remote file already holds `size` bytes with Content-MD5 `md5`. */
async function remoteState(file: ShareFileClient, size: number, md5: Buffer): Promise<{ identical: boolean; reason: string }> {
  try {
    const props = await withThrottleRetry(() => file.getProperties());
    if (props.contentLength !== size) return { identical: false, reason: `size differs (remote ${props.contentLength ?? '?'} B)` };
    if (!props.contentMD5 || props.contentMD5.length === 0)
      return { identical: false, reason: 'no Content-MD5 (partial or foreign upload)' };
    if (!Buffer.from(props.contentMD5).equals(md5)) return { identical: false, reason: 'Content-MD5 differs' };
    return { identical: true, reason: 'identical (size + MD5)' };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return { identical: false, reason: 'new' };
    throw error;
  }
}

/** Creates every missing directory level of `dir` once per run (shared between parallel uploads). */
export class DirectoryMaker {
  private readonly made = new Map<string, Promise<void>>();
  constructor(private readonly share: ShareClient) {}

  ensure(dir: string): Promise<void> {
    if (!dir) return Promise.resolve();
    let pending = this.made.get(dir);
    if (!pending) {
      const parent = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
      pending = this.ensure(parent).then(async () => {
        await withThrottleRetry(() => this.share.getDirectoryClient(dir).createIfNotExists());
      });
      // a failed attempt may be retried by a later file
      pending.catch(() => this.made.delete(dir));
      this.made.set(dir, pending);
    }
    return pending;
  }
}

/** Options of {@link transfer}. */
export interface TransferOptions {
  share: ShareClient;
  items: readonly TransferItem[];
  concurrency: number;
  dryRun: boolean;
  progress: Progress;
}

async function uploadOne(item: TransferItem, md5: Buffer, file: ShareFileClient, progress: Progress): Promise<void> {
  let sent = 0;
  try {
    // Create (or truncate-and-resize) at full size; Content-MD5 is deliberately not set yet.
    await withThrottleRetry(() => file.create(item.size));
    const handle = await open(item.localPath, 'r');
    try {
      for (let offset = 0; offset < item.size; offset += RANGE_BYTES) {
        const length = Math.min(RANGE_BYTES, item.size - offset);
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, offset);
        if (bytesRead !== length)
          throw new Error(`${item.localPath} changed while uploading (read ${bytesRead} of ${length} bytes at ${offset})`);
        await withThrottleRetry(() => file.uploadRange(buffer, offset, length));
        sent += length;
        progress.advance(length);
      }
    } finally {
      await handle.close();
    }
    // Marks the file complete: only now do size and Content-MD5 both match.
    await withThrottleRetry(() => file.setHttpHeaders({ fileContentMD5: md5 }));
  } catch (error) {
    progress.rewind(sent);
    throw error;
  }
}

/** Uploads (or, with dryRun, only inspects) every item; never throws for a single file's failure. */
export async function transfer(options: TransferOptions): Promise<{ outcomes: TransferOutcome[]; summary: TransferSummary }> {
  const started = performance.now();
  const dirs = new DirectoryMaker(options.share);
  const outcomes = await mapPool(options.items, options.concurrency, async (item): Promise<TransferOutcome> => {
    const base = { remotePath: item.remotePath, localPath: item.localPath, size: item.size, ...(item.label ? { label: item.label } : {}) };
    try {
      const md5 = await md5File(item.localPath);
      const file = options.share.rootDirectoryClient.getFileClient(item.remotePath);
      const state = await remoteState(file, item.size, md5).catch((error: unknown) => {
        // A missing parent directory makes Get Properties fail with 404 ParentNotFound on some servers.
        if ((error as { statusCode?: number }).statusCode === 404) return { identical: false, reason: 'new' };
        throw error;
      });
      if (state.identical) {
        progress(options.progress, item, options.dryRun ? 'would-skip' : 'skipped', state.reason);
        return { ...base, status: options.dryRun ? 'would-skip' : 'skipped', reason: state.reason };
      }
      if (options.dryRun) {
        options.progress.itemDone(item.remotePath, 'would-upload', state.reason);
        return { ...base, status: 'would-upload', reason: state.reason };
      }
      const dir = item.remotePath.includes('/') ? item.remotePath.slice(0, item.remotePath.lastIndexOf('/')) : '';
      await dirs.ensure(dir);
      await uploadOne(item, md5, file, options.progress);
      options.progress.itemDone(item.remotePath, 'uploaded', state.reason);
      return { ...base, status: 'uploaded', reason: state.reason };
    } catch (error) {
      const reason = fileError(error);
      options.progress.itemDone(item.remotePath, 'failed', reason);
      return { ...base, status: 'failed', reason };
    }
  });
  const sum = (status: TransferOutcome['status'][]): TransferOutcome[] => outcomes.filter((o) => status.includes(o.status));
  const uploaded = sum(['uploaded', 'would-upload']);
  const skipped = sum(['skipped', 'would-skip']);
  return {
    outcomes,
    summary: {
      files: outcomes.length,
      uploaded: uploaded.length,
      skipped: skipped.length,
      failed: sum(['failed']).length,
      bytesUploaded: uploaded.reduce((a, o) => a + o.size, 0),
      bytesSkipped: skipped.reduce((a, o) => a + o.size, 0),
      seconds: Math.round((performance.now() - started) / 100) / 10,
    },
  };
}

function progress(p: Progress, item: TransferItem, status: string, reason: string): void {
  p.advance(item.size);
  p.itemDone(item.remotePath, status, reason);
}

/** One-line cause of a file failure, with the storage error code when there is one. */
export function fileError(error: unknown): string {
  const e = error as { statusCode?: number; code?: string; details?: { errorCode?: string } };
  const code = e.details?.errorCode ?? e.code;
  const status = e.statusCode;
  const text = describeError(error);
  if (status === 403 && code === 'AuthorizationFailure') return msg.firewallBlocked;
  if (status === 403) return `access denied (403 ${code ?? ''}): ${text}`.trim();
  return status ? `HTTP ${status}${code && !text.includes(code) ? ` ${code}` : ''}: ${text}` : text;
}

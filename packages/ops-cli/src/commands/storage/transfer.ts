/**
 * The upload engine behind `storage upload` and `storage config push`.
 *
 * Per file: read the local record (upload-state.ts) and the remote file's properties, then decide:
 * - skip: the share holds this content. With a record of a complete upload: the remote ETag is the one recorded and the
 *   local MD5 the one sent (a write in the share, even one that keeps size and the stored Content-MD5, changes the ETag);
 *   without one: size and Content-MD5 match (then recorded, so later runs compare ETags);
 * - resume: an interrupted upload of the same content, whose remote file has the full size, no Content-MD5 yet, and
 *   whose last write was ours (its ETag is one of the recorded ones, or it happened within {@link IN_FLIGHT_GRACE_MS} of
 *   our last acknowledged write: a range in flight when the run was cut may still have landed). Only the ranges the
 *   share did not acknowledge are sent again;
 * - upload: anything else, from byte 0.
 * An upload creates the file at full size with its Content-Type (Create File `x-ms-content-type`), sends ranges of at
 * most 4 MiB (Put Range: "For update operations, the range can be up to 4 MiB in size",
 * https://learn.microsoft.com/rest/api/storageservices/put-range), each with its own Content-MD5 which the service checks
 * (a mismatch fails with 400), several at once across all files (`rangeConcurrency`), and sets Content-MD5 LAST with
 * Set File Properties, sending Content-Type again because that operation clears any x-ms-content-* property it is not
 * given (https://learn.microsoft.com/rest/api/storageservices/set-file-properties). A file without Content-MD5 is
 * therefore never mistaken for a complete one.
 *
 * The local MD5 is computed once per content: a file whose size and mtime match the record reuses the recorded MD5.
 * Files run in parallel with bounded concurrency; one failure does not stop the others. 429 responses are retried after
 * their Retry-After (bounded); 500/503/network errors are retried by the SDK.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { ShareClient, ShareFileClient } from '@azure/storage-file-share' with { 'resolution-mode': 'import' };
import { describeError } from '@cvat-cloud/runtime';
import type { Progress } from '../../output/progress';
import { msg } from './messages';
import { RECENT_ETAGS, type FileRecord, type PartialUpload, type UploadState } from './upload-state';

/** Maximum bytes per Put Range request (Azure Files limit). */
export const RANGE_BYTES = 4 * 1024 * 1024;
/** Default number of files uploaded at the same time. */
export const DEFAULT_CONCURRENCY = 4;
/** Default number of Put Range requests in flight across all files. */
export const DEFAULT_RANGE_CONCURRENCY = 8;
/**
 * How much later than our last acknowledged write the share's Last-Modified of an interrupted file may be and still be
 * ours: a range that was in flight when the run was cut lands within the request timeout.
 */
export const IN_FLIGHT_GRACE_MS = 120_000;
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
  /** Why: new / identical / size differs / changed in the share / resumed / Content-MD5 differs …; or the error. */
  reason: string;
  /** Content-Type sent (uploads). */
  contentType?: string;
  /** Bytes skipped because an interrupted upload was resumed (uploads). */
  resumedBytes?: number;
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

/** What the share reports about a file (undefined when it does not exist). */
export interface RemoteFile {
  size: number;
  /** Content-MD5 property, base64 ('' when not set). */
  md5: string;
  etag: string;
  lastModified: Date;
}

/** What to do with one file. */
export type Decision =
  | { action: 'skip'; reason: string }
  | { action: 'upload'; reason: string }
  | { action: 'resume'; reason: string; partial: PartialUpload };

/**
 * Decides from the remote file, the local size and MD5 (base64) and the record (pure; see the module comment). Times
 * compared (`lastWriteAt`, `remote.lastModified`) both come from the share's clock, never this machine's.
 */
export function decide(remote: RemoteFile | undefined, size: number, md5: string, record: FileRecord | undefined): Decision {
  if (!remote) return { action: 'upload', reason: 'new' };
  if (remote.size !== size) return { action: 'upload', reason: `size differs (remote ${remote.size} B)` };
  if (record?.done) {
    if (remote.etag !== record.done.etag) return { action: 'upload', reason: 'changed in the share since the last upload (ETag differs)' };
    if (record.local.md5 === md5 && remote.md5 === md5) return { action: 'skip', reason: 'identical (recorded upload, ETag unchanged)' };
    return { action: 'upload', reason: 'content differs from the last upload (MD5)' };
  }
  if (remote.md5 && remote.md5 === md5) return { action: 'skip', reason: 'identical (size + MD5)' };
  const partial = record?.partial;
  if (partial && !remote.md5 && record.local.md5 === md5 && partial.rangeBytes === RANGE_BYTES) {
    const ours =
      partial.etags.includes(remote.etag) || remote.lastModified.getTime() <= Date.parse(partial.lastWriteAt) + IN_FLIGHT_GRACE_MS;
    if (ours) {
      const total = Math.ceil(size / RANGE_BYTES);
      return { action: 'resume', reason: `resumed (${partial.ranges.length} of ${total} ranges were already uploaded)`, partial };
    }
    return { action: 'upload', reason: 'partial upload changed in the share since it was interrupted' };
  }
  if (!remote.md5) return { action: 'upload', reason: 'no Content-MD5 (partial or foreign upload)' };
  return { action: 'upload', reason: 'Content-MD5 differs' };
}

/** The remote file's properties, or undefined when it (or its directory) does not exist. */
async function remoteFile(file: ShareFileClient): Promise<RemoteFile | undefined> {
  try {
    const props = await withThrottleRetry(() => file.getProperties());
    return {
      size: props.contentLength ?? -1,
      md5: props.contentMD5?.length ? Buffer.from(props.contentMD5).toString('base64') : '',
      etag: props.etag ?? '',
      lastModified: props.lastModified ?? new Date(0),
    };
  } catch (error) {
    // 404 ResourceNotFound, or ParentNotFound when the directory is missing too
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** At most `limit` tasks at once, shared by every file of a transfer (Put Range requests). */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
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
  /** Files at the same time. */
  concurrency: number;
  /** Put Range requests in flight across all files. @default DEFAULT_RANGE_CONCURRENCY */
  rangeConcurrency?: number;
  dryRun: boolean;
  progress: Progress;
  /** The share's upload record (resume, ETags); without it every decision rests on size + Content-MD5. */
  state?: UploadState;
  /** Content-Type for a path. @default - none sent */
  contentTypeOf?: (path: string) => string | undefined;
}

interface Local {
  md5: Buffer;
  md5Base64: string;
  mtimeMs: number;
}

/** MD5 of the local file, reusing the recorded one when size and mtime are those it was computed for. */
async function localState(item: TransferItem, record: FileRecord | undefined): Promise<Local> {
  const info = await stat(item.localPath);
  if (record && record.local.size === info.size && record.local.mtimeMs === info.mtimeMs) {
    return { md5: Buffer.from(record.local.md5, 'base64'), md5Base64: record.local.md5, mtimeMs: info.mtimeMs };
  }
  const md5 = await md5File(item.localPath);
  return { md5, md5Base64: md5.toString('base64'), mtimeMs: info.mtimeMs };
}

interface UploadContext {
  item: TransferItem;
  file: ShareFileClient;
  local: Local;
  contentType: string | undefined;
  limiter: Limiter;
  progress: Progress;
  state: UploadState | undefined;
}

const later = (a: string, b: Date | undefined): string => (b && b.getTime() > Date.parse(a) ? b.toISOString() : a);

/** Uploads one file from scratch or resumes `resume`; returns the bytes that did not need sending again. */
async function uploadOne(ctx: UploadContext, resume: PartialUpload | undefined): Promise<number> {
  const { item, file, local, contentType, state } = ctx;
  const base = { local: { size: item.size, mtimeMs: local.mtimeMs, md5: local.md5Base64 }, ...(contentType ? { contentType } : {}) };
  let partial: PartialUpload;
  if (resume) {
    partial = { ...resume, ranges: [...resume.ranges], etags: [...resume.etags] };
  } else {
    // Create (or truncate-and-resize) at full size with its Content-Type; Content-MD5 is deliberately not set yet.
    const created = await withThrottleRetry(() =>
      file.create(item.size, contentType ? { fileHttpHeaders: { fileContentType: contentType } } : {}),
    );
    partial = {
      rangeBytes: RANGE_BYTES,
      ranges: [],
      etags: created.etag ? [created.etag] : [],
      lastWriteAt: (created.lastModified ?? new Date()).toISOString(),
    };
    state?.set(item.remotePath, { ...base, partial });
  }
  const total = Math.ceil(item.size / RANGE_BYTES);
  const done = new Set(partial.ranges);
  const skippedBytes = [...done].reduce((a, i) => a + Math.min(RANGE_BYTES, item.size - i * RANGE_BYTES), 0);
  ctx.progress.advance(skippedBytes);
  let sent = 0;
  let failure: unknown;
  const handle = await open(item.localPath, 'r');
  try {
    const todo = Array.from({ length: total }, (_, i) => i).filter((i) => !done.has(i));
    await Promise.all(
      todo.map((index) =>
        ctx.limiter.run(async () => {
          if (failure !== undefined) return;
          try {
            const offset = index * RANGE_BYTES;
            const length = Math.min(RANGE_BYTES, item.size - offset);
            const buffer = Buffer.alloc(length);
            const { bytesRead } = await handle.read(buffer, 0, length, offset);
            if (bytesRead !== length) throw new Error(msg.changedWhileUploading(item.localPath, bytesRead, length, offset));
            const contentMD5 = createHash('md5').update(buffer).digest();
            const answer = await withThrottleRetry(() => file.uploadRange(buffer, offset, length, { contentMD5 }));
            partial.ranges.push(index);
            if (answer.etag) partial.etags = [...partial.etags, answer.etag].slice(-RECENT_ETAGS);
            partial.lastWriteAt = later(partial.lastWriteAt, answer.lastModified);
            state?.set(item.remotePath, { ...base, partial }, total > 1);
            sent += length;
            ctx.progress.advance(length);
          } catch (error) {
            failure ??= error;
          }
        }),
      ),
    );
  } finally {
    await handle.close();
  }
  if (failure !== undefined) {
    ctx.progress.rewind(sent + skippedBytes);
    throw failure;
  }
  const after = await stat(item.localPath);
  if (after.size !== item.size || after.mtimeMs !== local.mtimeMs) {
    ctx.progress.rewind(sent + skippedBytes);
    throw new Error(msg.changedDuringUpload(item.localPath));
  }
  // Marks the file complete: only now do size and Content-MD5 both match. Content-Type again: this call clears it otherwise.
  const final = await withThrottleRetry(() =>
    file.setHttpHeaders({ fileContentMD5: local.md5, ...(contentType ? { fileContentType: contentType } : {}) }),
  );
  state?.set(item.remotePath, {
    ...base,
    done: { etag: final.etag ?? '', lastModified: (final.lastModified ?? new Date()).toISOString() },
  });
  return skippedBytes;
}

/** Uploads (or, with dryRun, only inspects) every item; never throws for a single file's failure. */
export async function transfer(options: TransferOptions): Promise<{ outcomes: TransferOutcome[]; summary: TransferSummary }> {
  const started = performance.now();
  const dirs = new DirectoryMaker(options.share);
  const limiter = new Limiter(Math.max(1, options.rangeConcurrency ?? DEFAULT_RANGE_CONCURRENCY));
  const state = options.dryRun ? undefined : options.state;
  const outcomes = await mapPool(options.items, options.concurrency, async (item): Promise<TransferOutcome> => {
    const base = { remotePath: item.remotePath, localPath: item.localPath, size: item.size, ...(item.label ? { label: item.label } : {}) };
    try {
      const record = options.state?.get(item.remotePath);
      const local = await localState(item, record);
      const file = options.share.rootDirectoryClient.getFileClient(item.remotePath);
      const remote = await remoteFile(file);
      const decision = decide(remote, item.size, local.md5Base64, record);
      if (decision.action === 'skip') {
        // adopt what the share holds (size + MD5 matched): later runs compare its ETag
        if (remote && !record?.done) {
          state?.set(item.remotePath, {
            local: { size: item.size, mtimeMs: local.mtimeMs, md5: local.md5Base64 },
            done: { etag: remote.etag, lastModified: remote.lastModified.toISOString() },
          });
        }
        progress(options.progress, item, options.dryRun ? 'would-skip' : 'skipped', decision.reason);
        return { ...base, status: options.dryRun ? 'would-skip' : 'skipped', reason: decision.reason };
      }
      if (options.dryRun) {
        const reason = decision.action === 'resume' ? `would be ${decision.reason}` : decision.reason;
        options.progress.itemDone(item.remotePath, 'would-upload', reason);
        return { ...base, status: 'would-upload', reason };
      }
      const dir = item.remotePath.includes('/') ? item.remotePath.slice(0, item.remotePath.lastIndexOf('/')) : '';
      await dirs.ensure(dir);
      const contentType = options.contentTypeOf?.(item.remotePath);
      const resumedBytes = await uploadOne(
        { item, file, local, contentType, limiter, progress: options.progress, state },
        decision.action === 'resume' ? decision.partial : undefined,
      );
      options.progress.itemDone(item.remotePath, 'uploaded', decision.reason);
      return {
        ...base,
        status: 'uploaded',
        reason: decision.reason,
        ...(contentType ? { contentType } : {}),
        ...(resumedBytes ? { resumedBytes } : {}),
      };
    } catch (error) {
      const reason = fileError(error);
      options.progress.itemDone(item.remotePath, 'failed', reason);
      return { ...base, status: 'failed', reason };
    }
  });
  state?.flush();
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

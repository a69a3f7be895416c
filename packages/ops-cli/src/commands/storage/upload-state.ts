/**
 * The local record `storage upload` keeps per share, so a re-run can resume inside a file and tell a file changed in
 * the share from one it uploaded itself.
 *
 * Where: `<state dir>/uploads/<account>/<share>.json`, the state dir being `CVAT_OPS_STATE_DIR`, else
 * `$XDG_STATE_HOME/cvat-ops`, else `~/.local/state/cvat-ops`. One JSON object, written through a temporary file and a
 * rename (a reader never sees half of it): after each acknowledged range of a large file, otherwise at most every
 * {@link FLUSH_INTERVAL_MS}, and once at the end.
 * A record older than the last flush only costs re-sending some ranges, never a wrong skip (see transfer.ts).
 *
 * Per remote path it keeps:
 * - `local`: size, mtime and MD5 of the local file when it was last hashed (an unchanged size + mtime reuses the MD5);
 * - `done`: the ETag and Last-Modified the share answered to the final Set File Properties of a complete upload. Any
 *   later write to the file, through REST or SMB, changes its ETag (Get File Properties:
 *   https://learn.microsoft.com/rest/api/storageservices/get-file-properties), so a different ETag means the content
 *   may have changed in the share even if size and the stored Content-MD5 did not (SMB writes leave Content-MD5 alone);
 * - `partial`: an upload in progress: the range size, the indexes of the ranges the share acknowledged, the ETags of the
 *   last acknowledged writes and the share's time of the last one; validated against the share before resuming.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Format version of the record file. */
export const UPLOAD_STATE_VERSION = 1;
/** Least time between two writes of the record while uploading. */
export const FLUSH_INTERVAL_MS = 500;
/** ETags of the most recent acknowledged writes kept per partial file. */
export const RECENT_ETAGS = 64;

/** An upload in progress. */
export interface PartialUpload {
  /** Range size used (a resume with another size starts over). */
  rangeBytes: number;
  /** Indexes of the ranges the share acknowledged (offset = index × rangeBytes). */
  ranges: number[];
  /** ETags the share returned for the most recent acknowledged writes (create and ranges). */
  etags: string[];
  /** The share's Last-Modified of the most recent acknowledged write (ISO). */
  lastWriteAt: string;
}

/** What is known about one remote file. */
export interface FileRecord {
  local: { size: number; mtimeMs: number; md5: string };
  contentType?: string;
  done?: { etag: string; lastModified: string };
  partial?: PartialUpload;
}

interface StateFile {
  version: number;
  account: string;
  share: string;
  files: Record<string, FileRecord>;
}

/** The state directory of a runtime environment. */
export function stateDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.CVAT_OPS_STATE_DIR) return env.CVAT_OPS_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'cvat-ops');
  return join(homedir(), '.local', 'state', 'cvat-ops');
}

/** The record of one share. Load with {@link UploadState.open}; `flush()` when done. */
export class UploadState {
  private dirty = false;
  private lastFlush = 0;
  /** Why the record could not be written, once (the upload goes on without it). */
  writeError: string | undefined;

  private constructor(
    readonly path: string,
    private readonly data: StateFile,
  ) {}

  /** Reads the record of `account`/`share` (a missing or unreadable one starts empty). */
  static open(env: Readonly<Record<string, string | undefined>>, account: string, share: string): UploadState {
    const path = join(stateDir(env), 'uploads', account, `${share}.json`);
    let data: StateFile = { version: UPLOAD_STATE_VERSION, account, share, files: {} };
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as StateFile;
      if (parsed.version === UPLOAD_STATE_VERSION && parsed.files && typeof parsed.files === 'object') data = parsed;
    } catch {
      // no record yet, or an unreadable one: start empty (the share is still checked file by file)
    }
    return new UploadState(path, data);
  }

  get(remotePath: string): FileRecord | undefined {
    return this.data.files[remotePath];
  }

  /**
   * Records what is known about one file. Written at once when `now` (a range of a multi-range file was acknowledged:
   * at least 4 MiB went over the network for one small write), else at most every {@link FLUSH_INTERVAL_MS}.
   */
  set(remotePath: string, record: FileRecord | undefined, now = false): void {
    if (record) this.data.files[remotePath] = record;
    else delete this.data.files[remotePath];
    this.dirty = true;
    if (now || Date.now() - this.lastFlush >= FLUSH_INTERVAL_MS) this.flush();
  }

  /** Writes the record if it changed (atomically); a failure is remembered in `writeError`, never thrown. */
  flush(): void {
    if (!this.dirty) return;
    this.lastFlush = Date.now();
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(temporary, JSON.stringify(this.data));
      renameSync(temporary, this.path);
      this.dirty = false;
    } catch (error) {
      this.writeError ??= error instanceof Error ? error.message : String(error);
    }
  }
}

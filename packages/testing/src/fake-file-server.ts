/**
 * Test double: a fake Azure Files REST endpoint on loopback (Azurite emulates Blob, Queue and Table only:
 * https://learn.microsoft.com/azure/storage/common/storage-use-azurite).
 * Path-style URLs `/<account>/<share>/<path>`, SharedKey auth required (the signature is not verified), and the
 * requests @azure/storage-file-share sends for shares, directories, files, ranges and properties. Faults can be
 * injected per operation (fail the Nth range of a file, 429 + Retry-After, 403 …) to test retries and resuming.
 *
 * @see https://learn.microsoft.com/rest/api/storageservices/file-service-rest-api
 */
import { createHash } from 'node:crypto';
import { startLoopbackServer, type LoopbackRequest, type LoopbackResponse, type LoopbackServer } from './loopback-server';

/** The operations the double distinguishes (for faults and counters). */
export type FileOp =
  | 'share-get'
  | 'share-create'
  | 'dir-create'
  | 'dir-get'
  | 'file-create'
  | 'file-range'
  | 'file-set-properties'
  | 'file-get-properties'
  | 'file-download'
  | 'share-snapshot'
  | 'share-list'
  | 'share-delete'
  | 'dir-list'
  | 'file-copy'
  | 'file-delete';

/** A stored file. */
export interface FakeFile {
  data: Buffer;
  /** Content-MD5 property (undefined = not set). */
  md5?: Buffer;
  /** Content-Type property (undefined = not set; Get File Properties then reports application/octet-stream). */
  contentType?: string;
  /** ETag: changes with every write of content or properties (Get File Properties). */
  etag: string;
  /** Last-Modified: updated by every write of content or properties. */
  lastModified: Date;
}

/** An injected failure. */
export interface Fault {
  op: FileOp;
  /** Only requests for this path inside the share (e.g. 'dir/big.bin'). */
  path?: string;
  /** Fail only the Nth matching request (1-based); with `times`, starting at the Nth. @default 1 */
  nth?: number;
  /** How many matching requests fail, starting at the Nth. @default 1; Infinity = every one from then on */
  times?: number;
  status: number;
  code: string;
  headers?: Record<string, string>;
}

interface Share {
  dirs: Set<string>;
  files: Map<string, FakeFile>;
  metadata?: Record<string, string>;
}

/** A read-only share snapshot: the share's directories and files at that moment. */
export interface FakeShareSnapshot {
  /** The `x-ms-snapshot` value (a UTC time with 7 fraction digits, as the service writes it). */
  snapshot: string;
  dirs: Set<string>;
  files: Map<string, FakeFile>;
  metadata: Record<string, string>;
}

export interface FakeFileServer extends LoopbackServer {
  /** `http://127.0.0.1:<port>/{account}`, a file endpoint template (cvat-ops: CVAT_OPS_FILE_ENDPOINT). */
  endpointTemplate: string;
  account: string;
  /** Base64 account key accepted by the double. */
  key: string;
  createShare(name: string): void;
  /** Seeds a file (parent directories are created). */
  putFile(share: string, path: string, data: Buffer, md5?: Buffer | 'auto'): void;
  file(share: string, path: string): FakeFile | undefined;
  files(share: string): string[];
  dirs(share: string): string[];
  addFault(fault: Fault): void;
  /** Snapshots of a share, oldest first. */
  snapshots(share: string): FakeShareSnapshot[];
  /** Removes a snapshot behind the client's back (as if deleted in the portal). */
  dropSnapshot(share: string, snapshot: string): void;
  /** Requests per operation so far. */
  counts: Record<FileOp, number>;
  /** Delay (ms) before answering each range upload (to let a test kill an upload mid-way). */
  setRangeDelayMs(ms: number): void;
  /** Most Put Range requests that were being handled at the same time so far. */
  maxRangesInFlight(): number;
  /** Writes `data` at `offset` of an existing file the way an SMB client does: content, ETag and time change, Content-MD5 stays. */
  writeInPlace(share: string, path: string, offset: number, data: Buffer): void;
}

const xmlError = (status: number, code: string, message = code, headers: Record<string, string> = {}): LoopbackResponse => ({
  status,
  headers: { 'x-ms-error-code': code, 'content-type': 'application/xml', ...headers },
  body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
});

const ok = (status: number, headers: Record<string, string> = {}): LoopbackResponse => ({
  status,
  headers: {
    'x-ms-request-id': 'fake',
    'x-ms-version': '2026-04-06',
    etag: '"0x1"',
    'last-modified': new Date(0).toUTCString(),
    ...headers,
  },
});

export async function startFakeFileServer(options: { account?: string } = {}): Promise<FakeFileServer> {
  const account = options.account ?? 'cvattestsa';
  const key = Buffer.from('fake-key-for-loopback-tests').toString('base64');
  const shares = new Map<string, Share>();
  const faults: (Fault & { seen: number })[] = [];
  const counts = Object.fromEntries(
    [
      'share-get',
      'share-create',
      'dir-create',
      'dir-get',
      'file-create',
      'file-range',
      'file-set-properties',
      'file-get-properties',
      'file-download',
      'share-snapshot',
      'share-list',
      'share-delete',
      'dir-list',
      'file-copy',
      'file-delete',
    ].map((k) => [k, 0]),
  ) as Record<FileOp, number>;
  const state = { rangeDelayMs: 0, rangesInFlight: 0, maxRangesInFlight: 0, etag: 0 };
  /** A new ETag and Last-Modified for a file that was just written (the service changes both on every write). */
  const touch = (file: Omit<FakeFile, 'etag' | 'lastModified'> & Partial<FakeFile>): FakeFile => {
    state.etag += 1;
    file.etag = `"0x8DC${state.etag.toString(16).toUpperCase().padStart(12, '0')}"`;
    file.lastModified = new Date();
    return file as FakeFile;
  };
  const fileHeaders = (file: FakeFile): Record<string, string> => ({ etag: file.etag, 'last-modified': file.lastModified.toUTCString() });

  const snapshots = new Map<string, FakeShareSnapshot[]>();
  let lastSnapshotMs = 0;
  const classify = (req: LoopbackRequest, rest: string): FileOp | undefined => {
    const restype = req.query.get('restype');
    const comp = req.query.get('comp');
    if (restype === 'share' && !rest && req.method === 'PUT' && comp === 'snapshot') return 'share-snapshot';
    if (restype === 'share' && !rest && req.method === 'DELETE') return 'share-delete';
    if (restype === 'share' && !rest) return req.method === 'PUT' ? 'share-create' : 'share-get';
    if (restype === 'directory' && comp === 'list' && req.method === 'GET') return 'dir-list';
    if (restype === 'directory') return req.method === 'PUT' ? 'dir-create' : 'dir-get';
    if (req.method === 'PUT' && !comp && req.headers['x-ms-copy-source']) return 'file-copy';
    if (req.method === 'DELETE' && !restype) return 'file-delete';
    if (req.method === 'PUT' && comp === 'range') return 'file-range';
    if (req.method === 'PUT' && comp === 'properties') return 'file-set-properties';
    if (req.method === 'PUT' && !comp) return 'file-create';
    if (req.method === 'HEAD') return 'file-get-properties';
    if (req.method === 'GET' && !comp) return 'file-download';
    return undefined;
  };

  const parentOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

  const handler = async (req: LoopbackRequest): Promise<LoopbackResponse> => {
    const auth = String(req.headers.authorization ?? '');
    if (!auth.startsWith(`SharedKey ${account}:`))
      return xmlError(403, 'AuthenticationFailed', 'Server failed to authenticate the request.');
    const [, acct, shareName, ...restParts] = req.path.split('/');
    if (acct !== account) return xmlError(400, 'InvalidUri');
    if (!shareName && req.method === 'GET' && req.query.get('comp') === 'list') {
      counts['share-list']++;
      const failed = injected('share-list', '');
      if (failed) return failed;
      return listShares(req.query.get('include') ?? '');
    }
    const rest = restParts.filter(Boolean).join('/');
    const op = classify(req, rest);
    if (!op || !shareName) return xmlError(400, 'UnsupportedHttpVerb', `fake file server: ${req.method} ${req.path}?${req.query}`);
    counts[op]++;
    const failed = injected(op, rest);
    if (failed) return failed;
    const snapshotId = req.query.get('sharesnapshot');
    if (snapshotId !== null) return serveSnapshot(op, shareName, snapshotId, rest, req);
    const share = shares.get(shareName);
    if (op === 'share-create') {
      if (share) return xmlError(409, 'ShareAlreadyExists');
      shares.set(shareName, { dirs: new Set(['']), files: new Map() });
      return ok(201);
    }
    if (!share) return xmlError(404, 'ShareNotFound', 'The specified share does not exist.');
    switch (op) {
      case 'share-snapshot': {
        // Snapshot Share: a read-only copy, identified by x-ms-snapshot (https://learn.microsoft.com/rest/api/storageservices/snapshot-share)
        let ms = Date.now();
        if (ms <= lastSnapshotMs) ms = lastSnapshotMs + 1;
        lastSnapshotMs = ms;
        const id = new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
        const metadata = Object.fromEntries(
          Object.entries(req.headers)
            .filter(([k]) => k.startsWith('x-ms-meta-'))
            .map(([k, v]) => [k.slice('x-ms-meta-'.length), String(v)]),
        );
        const files = new Map([...share.files].map(([path, f]) => [path, { ...f, data: Buffer.from(f.data) }]));
        snapshots.set(shareName, [...(snapshots.get(shareName) ?? []), { snapshot: id, dirs: new Set(share.dirs), files, metadata }]);
        return ok(201, { 'x-ms-snapshot': id });
      }
      case 'share-delete':
        if (req.headers['x-ms-delete-snapshots'] !== 'include' && (snapshots.get(shareName)?.length ?? 0) > 0)
          return xmlError(409, 'ShareHasSnapshots');
        shares.delete(shareName);
        snapshots.delete(shareName);
        return ok(202);
      case 'dir-list':
        return listDirectory(share, shareName, rest, undefined);
      case 'file-copy': {
        if (!share.dirs.has(parentOf(rest))) return xmlError(404, 'ParentNotFound');
        const source = copySource(String(req.headers['x-ms-copy-source']));
        if ('error' in source) return source.error;
        const copied = touch({
          data: Buffer.from(source.file.data),
          ...(source.file.md5 ? { md5: source.file.md5 } : {}),
          ...(source.file.contentType ? { contentType: source.file.contentType } : {}),
        });
        share.files.set(rest, copied);
        return ok(202, { 'x-ms-copy-status': 'success', 'x-ms-copy-id': `copy-${state.etag}`, ...fileHeaders(copied) });
      }
      case 'file-delete':
        if (!share.files.delete(rest)) return xmlError(404, 'ResourceNotFound');
        return ok(202);
      case 'share-get':
        return ok(200, { 'x-ms-share-quota': '50' });
      case 'dir-create':
        if (share.dirs.has(rest) || share.files.has(rest)) return xmlError(409, 'ResourceAlreadyExists');
        if (!share.dirs.has(parentOf(rest))) return xmlError(404, 'ParentNotFound');
        share.dirs.add(rest);
        return ok(201);
      case 'dir-get':
        return share.dirs.has(rest) ? ok(200) : xmlError(404, 'ResourceNotFound');
      case 'file-create': {
        if (!share.dirs.has(parentOf(rest))) return xmlError(404, 'ParentNotFound');
        const size = Number(req.headers['x-ms-content-length']);
        if (!Number.isSafeInteger(size) || size < 0) return xmlError(400, 'InvalidHeaderValue', 'x-ms-content-length');
        const md5 = req.headers['x-ms-content-md5'];
        const type = req.headers['x-ms-content-type'];
        const created = touch({
          data: Buffer.alloc(size),
          ...(md5 ? { md5: Buffer.from(String(md5), 'base64') } : {}),
          ...(type ? { contentType: String(type) } : {}),
        });
        share.files.set(rest, created);
        return ok(201, fileHeaders(created));
      }
      case 'file-range': {
        const file = share.files.get(rest);
        if (!file) return xmlError(404, 'ResourceNotFound');
        const m = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers['x-ms-range'] ?? req.headers.range ?? ''));
        if (!m) return xmlError(400, 'InvalidRange');
        const start = Number(m[1]);
        const end = Number(m[2]);
        if (end >= file.data.length || end - start + 1 !== req.body.length) return xmlError(416, 'InvalidRange');
        // Put Range: an update range is at most 4 MiB; a Content-MD5 that does not match the body fails with 400
        // (https://learn.microsoft.com/rest/api/storageservices/put-range)
        if (req.headers['x-ms-write'] !== 'clear' && req.body.length > 4 * 1024 * 1024) return xmlError(413, 'RequestBodyTooLarge');
        const digest = createHash('md5').update(req.body).digest('base64');
        const sentMd5 = req.headers['content-md5'];
        if (sentMd5 !== undefined && String(sentMd5) !== digest) return xmlError(400, 'Md5Mismatch');
        state.rangesInFlight += 1;
        state.maxRangesInFlight = Math.max(state.maxRangesInFlight, state.rangesInFlight);
        try {
          if (state.rangeDelayMs) await new Promise((r) => setTimeout(r, state.rangeDelayMs));
        } finally {
          state.rangesInFlight -= 1;
        }
        if (share.files.get(rest) !== file) return xmlError(404, 'ResourceNotFound');
        if (req.headers['x-ms-write'] === 'clear') file.data.fill(0, start, end + 1);
        else req.body.copy(file.data, start);
        touch(file);
        return ok(201, { 'content-md5': digest, ...fileHeaders(file) });
      }
      case 'file-set-properties': {
        const file = share.files.get(rest);
        if (!file) return xmlError(404, 'ResourceNotFound');
        // Set File Properties clears Content-MD5 and Content-Type when their headers are absent, as the service does
        // (https://learn.microsoft.com/rest/api/storageservices/set-file-properties).
        const md5 = req.headers['x-ms-content-md5'];
        if (md5) file.md5 = Buffer.from(String(md5), 'base64');
        else delete file.md5;
        const type = req.headers['x-ms-content-type'];
        if (type) file.contentType = String(type);
        else delete file.contentType;
        const size = req.headers['x-ms-content-length'];
        if (size !== undefined) {
          const resized = Buffer.alloc(Number(size));
          file.data.copy(resized, 0, 0, Math.min(file.data.length, resized.length));
          file.data = resized;
        }
        touch(file);
        return ok(200, fileHeaders(file));
      }
      case 'file-get-properties':
      case 'file-download': {
        const file = share.files.get(rest);
        if (!file) return xmlError(404, share.dirs.has(parentOf(rest)) ? 'ResourceNotFound' : 'ParentNotFound');
        const headers: Record<string, string> = {
          'x-ms-type': 'File',
          'content-type': file.contentType ?? 'application/octet-stream',
          'content-length': String(file.data.length),
          ...fileHeaders(file),
        };
        if (file.md5) headers['content-md5'] = file.md5.toString('base64');
        return {
          ...ok(200, headers),
          body: op === 'file-download' ? file.data : Buffer.alloc(0),
          headers: { ...ok(200).headers, ...headers },
        };
      }
      default:
        return xmlError(400, 'UnsupportedHttpVerb');
    }
  };

  /** The injected fault for this request, if one applies. */
  function injected(op: FileOp, rest: string): LoopbackResponse | undefined {
    for (const f of faults) {
      if (f.op !== op || (f.path !== undefined && f.path !== rest)) continue;
      f.seen++;
      const first = f.nth ?? 1;
      const times = f.times ?? 1;
      if (f.seen >= first && f.seen < first + times) return xmlError(f.status, f.code, f.code, f.headers);
    }
    return undefined;
  }

  const xml = (body: string): LoopbackResponse => ({
    ...ok(200),
    headers: { ...ok(200).headers, 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="utf-8"?>${body}`,
  });
  const esc = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

  /** List Shares (https://learn.microsoft.com/rest/api/storageservices/list-shares): shares, and snapshots with include=snapshots. */
  function listShares(include: string): LoopbackResponse {
    const withSnapshots = include.split(',').includes('snapshots');
    const withMetadata = include.split(',').includes('metadata');
    const entry = (name: string, snapshot: string | undefined, metadata: Record<string, string> | undefined): string =>
      `<Share><Name>${esc(name)}</Name>${snapshot ? `<Snapshot>${snapshot}</Snapshot>` : ''}` +
      `<Properties><Last-Modified>${new Date(0).toUTCString()}</Last-Modified><Etag>"0x1"</Etag><Quota>50</Quota></Properties>` +
      (withMetadata && metadata
        ? `<Metadata>${Object.entries(metadata)
            .map(([k, v]) => `<${k}>${esc(v)}</${k}>`)
            .join('')}</Metadata>`
        : '') +
      '</Share>';
    const entries: string[] = [];
    for (const name of [...shares.keys()].sort()) {
      if (withSnapshots) for (const snap of snapshots.get(name) ?? []) entries.push(entry(name, snap.snapshot, snap.metadata));
      entries.push(entry(name, undefined, shares.get(name)?.metadata ?? {}));
    }
    return xml(
      `<EnumerationResults ServiceEndpoint="${server.url}/${account}/"><Shares>${entries.join('')}</Shares><NextMarker /></EnumerationResults>`,
    );
  }

  /** List Directories and Files (https://learn.microsoft.com/rest/api/storageservices/list-directories-and-files): one level. */
  function listDirectory(
    share: Pick<Share, 'dirs' | 'files'>,
    shareName: string,
    dir: string,
    snapshot: string | undefined,
  ): LoopbackResponse {
    if (!share.dirs.has(dir)) return xmlError(404, 'ResourceNotFound');
    const prefix = dir ? `${dir}/` : '';
    const child = (p: string): string | undefined =>
      p.startsWith(prefix) && !p.slice(prefix.length).includes('/') ? p.slice(prefix.length) : undefined;
    const dirs = [...share.dirs]
      .filter((d) => d !== dir && d !== '')
      .map(child)
      .filter((n): n is string => Boolean(n))
      .sort();
    const files = [...share.files.keys()]
      .map((p) => [p, child(p)] as const)
      .filter(([, n]) => Boolean(n))
      .sort();
    const entries =
      files
        .map(
          ([p, n]) =>
            `<File><Name>${esc(n!)}</Name><Properties><Content-Length>${share.files.get(p)!.data.length}</Content-Length></Properties></File>`,
        )
        .join('') + dirs.map((n) => `<Directory><Name>${esc(n)}</Name><Properties /></Directory>`).join('');
    return xml(
      `<EnumerationResults ServiceEndpoint="${server.url}/${account}/" ShareName="${esc(shareName)}"` +
        `${snapshot ? ` ShareSnapshot="${snapshot}"` : ''} DirectoryPath="${esc(dir)}"><Entries>${entries}</Entries><NextMarker /></EnumerationResults>`,
    );
  }

  /** Reads through `?sharesnapshot=`: properties, download and listing only (a snapshot is read-only). */
  function serveSnapshot(op: FileOp, shareName: string, id: string, rest: string, req: LoopbackRequest): LoopbackResponse {
    const snap = (snapshots.get(shareName) ?? []).find((s) => s.snapshot === id);
    if (op === 'share-delete') {
      if (!snap) return xmlError(404, 'ShareSnapshotNotFound', 'The specified share snapshot does not exist.');
      snapshots.set(
        shareName,
        (snapshots.get(shareName) ?? []).filter((s) => s !== snap),
      );
      return ok(202);
    }
    if (!snap) return xmlError(404, 'ShareSnapshotNotFound', 'The specified share snapshot does not exist.');
    if (op === 'dir-list') return listDirectory(snap, shareName, rest, id);
    if (op === 'share-get') return ok(200, { 'x-ms-share-quota': '50' });
    if (op === 'file-get-properties' || op === 'file-download') {
      const file = snap.files.get(rest);
      if (!file) return xmlError(404, 'ResourceNotFound');
      const headers = {
        'x-ms-type': 'File',
        'content-type': file.contentType ?? 'application/octet-stream',
        'content-length': String(file.data.length),
        ...fileHeaders(file),
      };
      return {
        ...ok(200, headers),
        body: op === 'file-download' ? file.data : Buffer.alloc(0),
        headers: { ...ok(200).headers, ...headers },
      };
    }
    return xmlError(400, 'OperationNotAllowedOnShareSnapshot', `${req.method} is not allowed on a share snapshot`);
  }

  /** The file an `x-ms-copy-source` URL names in this account (a share snapshot with `?sharesnapshot=`). */
  function copySource(url: string): { file: FakeFile } | { error: LoopbackResponse } {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { error: xmlError(400, 'InvalidHeaderValue', 'x-ms-copy-source') };
    }
    const [, acct, shareName, ...parts] = decodeURIComponent(parsed.pathname).split('/');
    if (acct !== account || !shareName) return { error: xmlError(403, 'CannotVerifyCopySource') };
    const path = parts.filter(Boolean).join('/');
    const id = parsed.searchParams.get('sharesnapshot');
    const from = id ? (snapshots.get(shareName) ?? []).find((s) => s.snapshot === id) : shares.get(shareName);
    const file = from?.files.get(path);
    if (!file) return { error: xmlError(404, 'CannotVerifyCopySource', 'The specified copy source does not exist.') };
    return { file };
  }

  const server = await startLoopbackServer(handler);
  const ensureDirs = (share: Share, path: string): void => {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) share.dirs.add(parts.slice(0, i).join('/'));
  };
  return Object.assign(server, {
    endpointTemplate: `${server.url}/{account}`,
    account,
    key,
    counts,
    setRangeDelayMs(ms: number) {
      state.rangeDelayMs = ms;
    },
    maxRangesInFlight: () => state.maxRangesInFlight,
    writeInPlace(shareName: string, path: string, offset: number, data: Buffer) {
      const file = shares.get(shareName)?.files.get(path);
      if (!file) throw new Error(`fake file server: no file ${shareName}/${path}`);
      data.copy(file.data, offset);
      touch(file);
    },
    createShare(name: string) {
      shares.set(name, { dirs: new Set(['']), files: new Map() });
    },
    putFile(shareName: string, path: string, data: Buffer, md5?: Buffer | 'auto') {
      const share = shares.get(shareName);
      if (!share) throw new Error(`fake file server: no share ${shareName}`);
      const parent = parentOf(path);
      if (parent) ensureDirs(share, parent);
      const digest = md5 === 'auto' ? createHash('md5').update(data).digest() : md5;
      share.files.set(path, touch({ data: Buffer.from(data), ...(digest ? { md5: digest } : {}) }));
    },
    file: (shareName: string, path: string) => shares.get(shareName)?.files.get(path),
    files: (shareName: string) => [...(shares.get(shareName)?.files.keys() ?? [])].sort(),
    dirs: (shareName: string) => [...(shares.get(shareName)?.dirs ?? [])].filter(Boolean).sort(),
    addFault(fault: Fault) {
      faults.push({ ...fault, seen: 0 });
    },
    snapshots: (shareName: string) => [...(snapshots.get(shareName) ?? [])],
    dropSnapshot(shareName: string, snapshot: string) {
      snapshots.set(
        shareName,
        (snapshots.get(shareName) ?? []).filter((s) => s.snapshot !== snapshot),
      );
    },
  });
}

import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storageUpload } from '../src/commands/storage/upload';
import { CliError } from '@cvat-cloud/runtime';
import { globals, testRuntime } from './support/test-runtime';
import { type FakeFileServer, startFakeFileServer } from '@cvat-cloud/testing';

const md5 = (b: Buffer): Buffer => createHash('md5').update(b).digest();

describe('storage upload against a fake Azure Files endpoint', () => {
  let server: FakeFileServer;
  let dir: string;
  const big = randomBytes(9 * 1024 * 1024 + 17); // 3 ranges of ≤ 4 MiB
  const small = Buffer.from('kvrocks.conf contents\n');

  beforeEach(async () => {
    server = await startFakeFileServer();
    server.createShare('cvat-data');
    dir = mkdtempSync(join(tmpdir(), 'ops-upload-'));
    mkdirSync(join(dir, 'seed/nested/deeper'), { recursive: true });
    writeFileSync(join(dir, 'seed/big.bin'), big);
    writeFileSync(join(dir, 'seed/nested/small.conf'), small);
    writeFileSync(join(dir, 'seed/nested/deeper/empty.txt'), '');
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (overrides: Partial<Parameters<typeof storageUpload>[0]> = {}, env: Record<string, string> = {}) => {
    const runtime = testRuntime({
      cwd: dir,
      env: { AZURE_STORAGE_KEY: server.key, CVAT_OPS_STORAGE_MAX_TRIES: '1', CVAT_OPS_STATE_DIR: join(dir, 'state'), ...env },
      fileEndpoint: server.endpointTemplate,
    });
    const result = storageUpload(
      { ...globals(), localPath: 'seed', sharePath: 'cvat-data/imports', account: server.account, concurrency: 3, ...overrides },
      runtime,
    );
    return { runtime, result };
  };

  it('uploads a folder with nested directories, sets Content-MD5 on every file, and reports totals', async () => {
    // GIVEN an empty share  WHEN uploading the folder
    const { result, runtime } = run();
    const r = await result;
    // THEN every file is there with identical bytes and MD5
    expect(server.files('cvat-data')).toEqual(['imports/big.bin', 'imports/nested/deeper/empty.txt', 'imports/nested/small.conf']);
    expect(server.dirs('cvat-data')).toEqual(['imports', 'imports/nested', 'imports/nested/deeper']);
    expect(server.file('cvat-data', 'imports/big.bin')!.data.equals(big)).toBe(true);
    expect(server.file('cvat-data', 'imports/big.bin')!.md5).toEqual(md5(big));
    expect(server.file('cvat-data', 'imports/nested/deeper/empty.txt')!.md5).toEqual(md5(Buffer.alloc(0)));
    expect(r.exitCode).toBe(0);
    expect(r.data.summary).toMatchObject({ files: 3, uploaded: 3, skipped: 0, failed: 0, bytesUploaded: big.length + small.length });
    // 3 ranges for big.bin, 1 for small.conf, none for the empty file
    expect(server.counts['file-range']).toBe(4);
    // non-TTY: one plain progress line per file on stderr, nothing on stdout from the command itself
    expect(runtime.err().trim().split('\n').sort()).toEqual([
      expect.stringMatching(/^uploaded\s+imports\/big\.bin \(new\)$/),
      expect.stringMatching(/^uploaded\s+imports\/nested\/deeper\/empty\.txt/),
      expect.stringMatching(/^uploaded\s+imports\/nested\/small\.conf/),
    ]);
  });

  it('skips files whose size and Content-MD5 match, and re-uploads a changed one', async () => {
    // GIVEN a first complete upload
    await run().result;
    const rangesAfterFirst = server.counts['file-range'];
    writeFileSync(join(dir, 'seed/nested/small.conf'), 'changed contents, same share path\n');
    // WHEN running again
    const r = await run().result;
    // THEN only the changed file is sent again
    expect(r.data.summary).toMatchObject({ uploaded: 1, skipped: 2, failed: 0 });
    expect(r.data.files.find((f) => f.remotePath === 'imports/nested/small.conf')).toMatchObject({
      status: 'uploaded',
      reason: expect.stringMatching(/size differs|Content-MD5 differs/),
    });
    expect(r.data.files.find((f) => f.remotePath === 'imports/big.bin')).toMatchObject({
      status: 'skipped',
      reason: 'identical (recorded upload, ETag unchanged)',
    });
    expect(server.counts['file-range'] - rangesAfterFirst).toBe(1);
  });

  it('treats a same-size file with a different Content-MD5 as changed', async () => {
    server.putFile('cvat-data', 'imports/small.conf', Buffer.alloc(small.length, 0x61), 'auto');
    const r = await run({ localPath: 'seed/nested/small.conf' }).result;
    expect(r.data.files[0]).toMatchObject({ status: 'uploaded', reason: 'Content-MD5 differs' });
    expect(server.file('cvat-data', 'imports/small.conf')!.data.equals(small)).toBe(true);
  });

  it('resumes after an interruption: completed files are skipped, the partial one sends only its missing ranges', async () => {
    // GIVEN the 3rd range of big.bin fails (the SDK does not retry: max tries 1), like a connection cut mid-file;
    // ranges go one at a time here so exactly the first two were acknowledged
    server.addFault({ op: 'file-range', path: 'imports/big.bin', nth: 3, times: 1, status: 500, code: 'InternalError' });
    const first = await run({ rangeConcurrency: 1, concurrency: 1 }).result;
    // THEN the first run reports a partial failure and leaves a full-size file without Content-MD5
    expect(first.exitCode).toBe(1);
    expect(first.data.summary).toMatchObject({ uploaded: 2, failed: 1 });
    expect(first.data.files.find((f) => f.status === 'failed')).toMatchObject({
      remotePath: 'imports/big.bin',
      reason: expect.stringContaining('500'),
    });
    const partial = server.file('cvat-data', 'imports/big.bin')!;
    expect(partial.data.length).toBe(big.length);
    expect(partial.md5).toBeUndefined();
    expect(partial.data.equals(big)).toBe(false);
    // WHEN re-running the same command
    const rangesBefore = server.counts['file-range'];
    const createsBefore = server.counts['file-create'];
    const second = await run().result;
    // THEN big.bin is completed with its one missing range (no new Create File), the others are skipped
    expect(second.exitCode).toBe(0);
    expect(second.data.summary).toMatchObject({ uploaded: 1, skipped: 2, failed: 0 });
    expect(second.data.files.find((f) => f.remotePath === 'imports/big.bin')).toMatchObject({
      status: 'uploaded',
      reason: 'resumed (2 of 3 ranges were already uploaded)',
      resumedBytes: 8 * 1024 * 1024,
    });
    expect(server.counts['file-range'] - rangesBefore).toBe(1);
    expect(server.counts['file-create'] - createsBefore).toBe(0);
    expect(server.file('cvat-data', 'imports/big.bin')!.data.equals(big)).toBe(true);
    expect(server.file('cvat-data', 'imports/big.bin')!.md5).toEqual(md5(big));
  });

  it('does not resume a partial file written in the share after the interruption: it starts over', async () => {
    server.addFault({ op: 'file-range', path: 'imports/big.bin', nth: 2, times: 1, status: 500, code: 'InternalError' });
    await run({ localPath: 'seed/big.bin', rangeConcurrency: 1 }).result;
    // the interruption was an hour ago (the record says so), and since then someone wrote into the file over SMB
    const recordPath = join(dir, 'state', 'uploads', server.account, 'cvat-data.json');
    const record = JSON.parse(readFileSync(recordPath, 'utf8'));
    record.files['imports/big.bin'].partial.lastWriteAt = new Date(Date.now() - 3_600_000).toISOString();
    writeFileSync(recordPath, JSON.stringify(record));
    server.writeInPlace('cvat-data', 'imports/big.bin', 0, Buffer.from('foreign bytes'));
    const createsBefore = server.counts['file-create'];
    const r = await run({ localPath: 'seed/big.bin' }).result;
    expect(r.data.files[0]).toMatchObject({ status: 'uploaded', reason: 'partial upload changed in the share since it was interrupted' });
    expect(server.counts['file-create'] - createsBefore).toBe(1);
    expect(server.file('cvat-data', 'imports/big.bin')!.data.equals(big)).toBe(true);
  });

  it('re-uploads a file changed in place in the share with the same size and a stale Content-MD5', async () => {
    await run().result;
    // an SMB client rewrites bytes: size and the stored Content-MD5 stay, content and ETag change
    server.writeInPlace('cvat-data', 'imports/nested/small.conf', 0, Buffer.from('KVROCKS'));
    const changed = server.file('cvat-data', 'imports/nested/small.conf')!;
    expect(changed.data.length).toBe(small.length);
    expect(changed.md5).toEqual(md5(small));
    const r = await run().result;
    expect(r.data.files.find((f) => f.remotePath === 'imports/nested/small.conf')).toMatchObject({
      status: 'uploaded',
      reason: 'changed in the share since the last upload (ETag differs)',
    });
    expect(r.data.summary).toMatchObject({ uploaded: 1, skipped: 2 });
    expect(server.file('cvat-data', 'imports/nested/small.conf')!.data.equals(small)).toBe(true);
  });

  it('uploads the ranges of a large file in parallel, never more than --range-concurrency at once', async () => {
    server.setRangeDelayMs(300);
    await run({ localPath: 'seed/big.bin', concurrency: 1, rangeConcurrency: 3 }).result;
    expect(server.maxRangesInFlight()).toBe(3);
    expect(server.file('cvat-data', 'imports/big.bin')!.data.equals(big)).toBe(true);
    await server.close();
    server = await startFakeFileServer();
    server.createShare('cvat-data');
    server.setRangeDelayMs(200);
    await run(
      { localPath: 'seed/big.bin', concurrency: 1, rangeConcurrency: 2, dryRun: false },
      { CVAT_OPS_STATE_DIR: join(dir, 'state2') },
    ).result;
    expect(server.maxRangesInFlight()).toBe(2);
  });

  it('sets Content-Type from the file name and keeps it when Content-MD5 is set last', async () => {
    writeFileSync(join(dir, 'seed/frame.png'), Buffer.from('not really a png'));
    await run().result;
    expect(server.file('cvat-data', 'imports/frame.png')!.contentType).toBe('image/png');
    expect(server.file('cvat-data', 'imports/frame.png')!.md5).toEqual(md5(Buffer.from('not really a png')));
    expect(server.file('cvat-data', 'imports/big.bin')!.contentType).toBe('application/octet-stream');
  });

  it('waits for Retry-After on 429 and then succeeds', async () => {
    server.addFault({
      op: 'file-create',
      path: 'imports/small.conf',
      status: 429,
      code: 'ServerBusy',
      times: 2,
      headers: { 'retry-after': '1' },
    });
    const createsBefore = server.counts['file-create'];
    const started = Date.now();
    const r = await run({ localPath: 'seed/nested/small.conf' }).result;
    const elapsedMs = Date.now() - started;
    expect(r.data.summary).toMatchObject({ uploaded: 1, failed: 0 });
    expect(server.counts['file-create'] - createsBefore).toBe(3); // two throttled attempts, then the one that succeeds
    expect(elapsedMs).toBeGreaterThanOrEqual(1900); // a lower bound only: the two 1 s waits happened (never an upper bound)
    expect(server.file('cvat-data', 'imports/small.conf')!.data.equals(small)).toBe(true);
  });

  it('changes nothing with --dry-run and says what would happen', async () => {
    server.putFile('cvat-data', 'imports/nested/small.conf', small, 'auto');
    const before = { ...server.counts };
    const { result, runtime } = run({ dryRun: true });
    const r = await result;
    expect(r.data.dryRun).toBe(true);
    expect(r.data.files.map((f) => [f.remotePath, f.status])).toEqual([
      ['imports/big.bin', 'would-upload'],
      ['imports/nested/deeper/empty.txt', 'would-upload'],
      ['imports/nested/small.conf', 'would-skip'],
    ]);
    for (const op of ['file-create', 'file-range', 'file-set-properties', 'dir-create'] as const)
      expect(server.counts[op]).toBe(before[op]);
    expect(server.files('cvat-data')).toEqual(['imports/nested/small.conf']);
    expect(runtime.err()).toContain('would-upload');
  });

  it('fails with exit 6 naming the account when the share does not exist, before uploading anything', async () => {
    const err = await run({ sharePath: 'cvat-nope' }).result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({
      exit: 6,
      message: expect.stringContaining(`Share 'cvat-nope' not found in storage account '${server.account}'`),
    });
    expect(server.counts['file-create']).toBe(0);
  });

  it('fails with exit 6 when the local path does not exist, without contacting the service', async () => {
    const before = server.requests.length;
    const err = await run({ localPath: 'missing-dir' }).result.catch((e: unknown) => e);
    expect(err).toMatchObject({ exit: 6, message: expect.stringContaining("Local path 'missing-dir' not found") });
    expect(server.requests.length).toBe(before);
  });

  it('rejects a malformed share path with a usage error naming the argument', async () => {
    await expect(run({ sharePath: 'Bad_Share/x' }).result).rejects.toMatchObject({
      exit: 2,
      message: expect.stringContaining("'<share-path>' (Bad_Share/x) must start with a share name"),
    });
    await expect(run({ sharePath: 'cvat-data/../etc' }).result).rejects.toMatchObject({
      exit: 2,
      message: expect.stringContaining("must not contain '..'"),
    });
  });

  it('reports a file refused by the storage firewall (403 AuthorizationFailure) with the command that shows the rules', async () => {
    server.addFault({ op: 'file-create', path: 'imports/small.conf', status: 403, code: 'AuthorizationFailure' });
    const r = await run({ localPath: 'seed/nested/small.conf' }).result;
    expect(r.exitCode).toBe(1);
    expect(r.data.files[0]).toMatchObject({
      status: 'failed',
      reason: 'blocked by the storage account firewall (403 AuthorizationFailure); see cvat-ops storage rules --my-ip',
    });
    expect(r.view.at(-1)).toMatchObject({
      lines: [
        expect.stringMatching(/^Uploaded 0 files .* 1 failed/),
        'Run the same command again to retry the failed files; completed files are skipped (size + MD5).',
      ],
    });
  });

  it('maps a rejected key (403) to exit 5 with the next step', async () => {
    // the double does not verify signatures, so the service's refusal is injected
    server.addFault({ op: 'share-get', status: 403, code: 'AuthenticationFailed' });
    const err2 = await run().result.catch((e: unknown) => e);
    expect(err2).toMatchObject({ exit: 5, message: expect.stringMatching(/refused access to share 'cvat-data'.*storage rules --my-ip/) });
  });
});

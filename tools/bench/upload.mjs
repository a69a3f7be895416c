#!/usr/bin/env node
// Throughput of `cvat-ops storage upload` (the built command, in-process) against the loopback Azure Files double of
// @cvat-cloud/testing: one large file (ranges in parallel vs one at a time) and many small files (files in parallel),
// plus the re-run that finds everything already uploaded. `--latency-ms` delays every Put Range answer to stand in for
// a network round trip (the double answers at once otherwise, and then the figures measure this machine only).
// Prints MiB/s and files/s per case; there is no pass/fail threshold.
// Needs builds of packages/ops-cli and packages/testing (npx nx run-many -t build -p ops-cli testing).
// Usage: node tools/bench/upload.mjs [--large-mib 128] [--small-count 2000] [--small-kib 4] [--latency-ms 20]
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const uploadJs = resolve(root, 'packages/ops-cli/dist/commands/storage/upload.js');
const testingJs = resolve(root, 'packages/testing/dist/index.js');
for (const file of [uploadJs, testingJs]) {
  if (!existsSync(file)) {
    console.error(`missing ${file}; build first: npx nx run-many -t build -p ops-cli testing`);
    process.exit(2);
  }
}
const { storageUpload } = require(uploadJs);
const { startFakeFileServer } = require(testingJs);

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const largeMiB = arg('--large-mib', 128);
const smallCount = arg('--small-count', 2000);
const smallKiB = arg('--small-kib', 4);
const latencyMs = arg('--latency-ms', 20);

const work = mkdtempSync(join(tmpdir(), 'cvat-bench-upload-'));
mkdirSync(join(work, 'large'));
writeFileSync(join(work, 'large', 'video.mp4'), randomBytes(largeMiB * 1024 * 1024));
mkdirSync(join(work, 'small'));
for (let i = 0; i < smallCount; i++) {
  const dir = join(work, 'small', `d${Math.floor(i / 200)}`);
  if (i % 200 === 0) mkdirSync(dir);
  writeFileSync(join(dir, `frame_${String(i).padStart(6, '0')}.jpg`), randomBytes(smallKiB * 1024));
}

const sink = () => new PassThrough().resume();
async function run(label, localPath, options, { fresh = true } = {}) {
  const server = await startFakeFileServer();
  server.createShare('cvat-data');
  server.setRangeDelayMs(latencyMs);
  const stateDir = join(work, `state-${label.replace(/\W+/g, '-')}`);
  const runtime = {
    cwd: work,
    env: { AZURE_STORAGE_KEY: server.key, CVAT_OPS_STATE_DIR: stateDir },
    stdin: new PassThrough(),
    stdout: sink(),
    stderr: sink(),
    isTTY: false,
    fileEndpoint: server.endpointTemplate,
    credential: async () => {
      throw new Error('no credential in the benchmark');
    },
    egressIp: async () => '127.0.0.1',
  };
  const base = { json: true, yes: false, dryRun: false, localPath, sharePath: 'cvat-data/bench', account: server.account };
  const once = async () => {
    const started = process.hrtime.bigint();
    const result = await storageUpload({ ...base, ...options }, runtime);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.data.summary.failed) throw new Error(`${label}: ${result.data.summary.failed} files failed`);
    return { seconds, summary: result.data.summary };
  };
  try {
    const first = await once();
    const again = fresh ? undefined : await once();
    return { label, first, again, maxRanges: server.maxRangesInFlight() };
  } finally {
    await server.close();
  }
}

const mib = (bytes) => bytes / 1024 / 1024;
const rows = [];
const show = (r, bytes, files) => {
  rows.push({
    case: r.label,
    seconds: r.first.seconds.toFixed(2),
    'MiB/s': (mib(bytes) / r.first.seconds).toFixed(1),
    'files/s': (files / r.first.seconds).toFixed(0),
    'max ranges in flight': r.maxRanges,
    're-run (all skipped) s': r.again ? r.again.seconds.toFixed(2) : '',
  });
};

console.log(
  `storage upload against the loopback Files double: node ${process.version}, ${cpus().length} cores, ` +
    `Put Range latency ${latencyMs} ms, large file ${largeMiB} MiB, ${smallCount} small files of ${smallKiB} KiB`,
);
try {
  const largeBytes = largeMiB * 1024 * 1024;
  show(await run('large, 1 range at a time', 'large', { concurrency: 1, rangeConcurrency: 1 }), largeBytes, 1);
  show(await run('large, 8 ranges in parallel (default)', 'large', { concurrency: 1 }), largeBytes, 1);
  show(await run('large, 16 ranges in parallel', 'large', { concurrency: 1, rangeConcurrency: 16 }), largeBytes, 1);
  const smallBytes = smallCount * smallKiB * 1024;
  show(await run('small, 1 file at a time', 'small', { concurrency: 1 }), smallBytes, smallCount);
  show(await run('small, 4 files at a time (default)', 'small', {}, { fresh: false }), smallBytes, smallCount);
  show(await run('small, 16 files at a time', 'small', { concurrency: 16, rangeConcurrency: 16 }), smallBytes, smallCount);
  console.table(rows);
} finally {
  rmSync(work, { recursive: true, force: true });
}

#!/usr/bin/env node
// Startup time of `cvat-ops --help` (and a few other argv) next to a bare `node -e 0`, hyperfine-style:
// warm-up runs, then N timed spawns each, reporting mean ± sd, median, min and max in milliseconds.
// Target: `--help` ≤ 150 ms on 2 cores. Needs a build first (`npm run bench` in packages/ops-cli does both).
// Usage: node tools/bench/ops-help-startup.mjs [--runs 20] [--warmup 3]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = resolve(root, 'packages/ops-cli/bin/cvat-ops.js');
if (!existsSync(bin)) {
  console.error(`missing ${bin}; run 'npm run build' in packages/ops-cli first (or 'npm run bench' there)`);
  process.exit(2);
}
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('--runs', 20);
const warmup = arg('--warmup', 3);
const TARGET_MS = 150;

const cases = [
  { name: 'node -e 0', argv: ['-e', '0'] },
  { name: 'cvat-ops --help', argv: [bin, '--help'] },
  { name: 'cvat-ops db --help', argv: [bin, 'db', '--help'] },
  { name: 'cvat-ops --version', argv: [bin, '--version'] },
];

function time(argv) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const stats = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return { mean, sd, median, min: sorted[0], max: sorted.at(-1) };
};

console.log(`cvat-ops startup (node ${process.version}, ${cpus().length} cores, ${runs} runs after ${warmup} warm-up)`);
console.log(
  ['command'.padEnd(22), 'mean ± sd'.padStart(16), 'median'.padStart(8), 'min'.padStart(8), 'max'.padStart(8), 'vs node'.padStart(9)].join(
    ' ',
  ),
);
let baseline;
let helpMedian;
for (const c of cases) {
  for (let i = 0; i < warmup; i++) time(c.argv);
  const s = stats(Array.from({ length: runs }, () => time(c.argv)));
  baseline ??= s.median;
  if (c.name === 'cvat-ops --help') helpMedian = s.median;
  const f = (n) => n.toFixed(1).padStart(8);
  console.log(
    [
      c.name.padEnd(22),
      `${s.mean.toFixed(1)} ± ${s.sd.toFixed(1)}`.padStart(16),
      f(s.median),
      f(s.min),
      f(s.max),
      `+${(s.median - baseline).toFixed(1)}`.padStart(9),
    ].join(' '),
  );
}
console.log(
  `\ncvat-ops --help median ${helpMedian.toFixed(1)} ms; target ≤ ${TARGET_MS} ms: ${helpMedian <= TARGET_MS ? 'met' : 'NOT met'}`,
);

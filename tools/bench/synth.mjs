#!/usr/bin/env node
// Synth benchmark: cold `node packages/infra/dist/cli.js synth` runs (a fresh process each, all three
// stacks of the example environment) with wall time and peak RSS, then the Nx cache-hit time of
// `nx run infra:synth`. Prints figures; the target (cold synth <= 5 s on 2 cores) is reported, not
// asserted.
//
//   node tools/bench/synth.mjs [--runs N] [--env <name>] [--no-nx]
//
// Needs a build (npx nx run infra:build). Peak RSS comes from process.resourceUsage().maxRSS of the
// synth process itself, recorded by a preload module at exit.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const main = join(root, 'packages', 'infra', 'dist', 'cli.js');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const runs = Number(option('--runs', '5'));
const env = option('--env', 'example');
const TARGET_SECONDS = 5;

if (!existsSync(main)) {
  console.error(`${main} is missing; build first: npx nx run infra:build`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'bench-synth-'));
const preload = join(work, 'rss.cjs');
writeFileSync(
  preload,
  "process.on('exit', () => require('node:fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));\n",
);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
try {
  for (let i = 0; i < runs; i++) {
    const out = join(work, `out-${i}`);
    const rssFile = join(work, `rss-${i}`);
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ['--require', preload, main, 'synth', '--env', env, '--out', out], {
      cwd: root,
      env: { ...process.env, BENCH_RSS_FILE: rssFile },
      encoding: 'utf8',
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (child.status !== 0) {
      console.error(child.stderr || child.stdout);
      throw new Error(`synth run ${i + 1} exited ${child.status}`);
    }
    const rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
    const resources = (child.stdout.match(/^\S+: (\d+) resources/gm) ?? []).map((l) => Number(l.split(': ')[1].split(' ')[0]));
    results.push({ seconds, rssMiB, resources: resources.reduce((a, b) => a + b, 0) });
    console.log(
      `cold synth run ${i + 1}/${runs}: ${seconds.toFixed(2)} s wall, ${rssMiB.toFixed(0)} MiB peak RSS, ${results.at(-1).resources} resources`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const wall = results.map((r) => r.seconds);
const rss = results.map((r) => r.rssMiB);
console.log('');
console.log(`machine: ${cpus().length} cores, node ${process.version}`);
console.log(
  `cold synth (env ${env}, all stacks, ${runs} runs): median ${median(wall).toFixed(2)} s, min ${Math.min(...wall).toFixed(2)} s, max ` +
    `${Math.max(...wall).toFixed(2)} s`,
);
console.log(`peak RSS: median ${median(rss).toFixed(0)} MiB, max ${Math.max(...rss).toFixed(0)} MiB`);
console.log(`target <= ${TARGET_SECONDS} s: ${median(wall) <= TARGET_SECONDS ? 'met' : 'NOT met'}`);

if (!args.includes('--no-nx')) {
  const nx = (label) => {
    const start = process.hrtime.bigint();
    const r = spawnSync('npx', ['nx', 'run', 'infra:synth', '--output-style=static'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) {
      console.error(r.stdout, r.stderr);
      throw new Error(`nx run infra:synth (${label}) exited ${r.status}`);
    }
    const hits = /Nx read the output from the cache instead of running the command for (\d+) out of (\d+) tasks/.exec(r.stdout);
    return { seconds, cached: hits ? `${hits[1]}/${hits[2]} tasks from cache` : 'no cache hits' };
  };
  const warm = nx('fill cache');
  const hit = nx('cache hit');
  console.log('');
  console.log(`nx run infra:synth, first run: ${warm.seconds.toFixed(2)} s (${warm.cached})`);
  console.log(`nx run infra:synth, cache hit: ${hit.seconds.toFixed(2)} s (${hit.cached})`);
}

#!/usr/bin/env node
// `node tools/check-style.mjs <project-dir>...`: the style half of every project's `lint` target.
//
// 1. Biome (biome.json at the root) in CI mode: formatting differences and lint findings both fail, and
//    nothing is written. `npx biome check --write <dir>` fixes what it can.
// 2. A hard line-length bound the formatter cannot give: Biome wraps code at 140 columns but never breaks
//    a string literal or a comment, so any line of a tracked source file longer than MAX_LINE_CHARS fails
//    here. A line whose overflow is a single URL is exempt (a link cannot be wrapped).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Longest line allowed in a tracked source file, in characters. */
export const MAX_LINE_CHARS = 160;
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const URL = /\bhttps?:\/\/\S+/g;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Lines of `text` longer than `max`, except those that fit once their URLs are taken out. */
export function overlongLines(text, max = MAX_LINE_CHARS) {
  const found = [];
  text.split('\n').forEach((line, index) => {
    if (line.length <= max) return;
    if (line.replace(URL, '').length <= max) return;
    found.push({ line: index + 1, chars: line.length });
  });
  return found;
}

/** Tracked source files under `dir` (relative to the repository root). */
function trackedSources(dir) {
  const out = spawnSync('git', ['ls-files', '-z', '--', relative(root, dir) || '.'], { cwd: root, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`git ls-files failed: ${out.stderr.trim()}`);
  return out.stdout.split('\0').filter((f) => SOURCE.test(f) && !f.includes('/node_modules/'));
}

function main(dirs) {
  if (dirs.length === 0) {
    process.stderr.write('usage: node tools/check-style.mjs <project-dir>...\n');
    return 2;
  }
  const targets = dirs.map((d) => resolve(process.cwd(), d));
  const biome = spawnSync(process.execPath, [resolve(root, 'node_modules/@biomejs/biome/bin/biome'), 'ci', '--colors=off', ...targets], {
    cwd: root,
    stdio: 'inherit',
  });
  let failed = biome.status !== 0;
  for (const dir of targets) {
    for (const file of trackedSources(dir)) {
      for (const { line, chars } of overlongLines(readFileSync(resolve(root, file), 'utf8'))) {
        process.stderr.write(`${file}:${line}: ${chars} characters; the bound is ${MAX_LINE_CHARS} (split the string or comment)\n`);
        failed = true;
      }
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}

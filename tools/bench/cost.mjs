#!/usr/bin/env node
// Cost benchmark: this project's environment (default: example) against the reference project's configuration, for
// every usage profile and every region with a price table, in one run of `cvat-infra cost --compare --json` (so every
// figure comes from the same dated tables). Prints each pair side by side with the ratio; the target (idle
// ratio <= 0.50, small-team as close to it as the evidence allows) is reported, not asserted.
//
//   node tools/bench/cost.mjs [--env <name>] [--json]
//
// Needs a build (npx nx run infra:build). Offline.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const main = join(root, 'packages', 'infra', 'dist', 'cli.js');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const env = option('--env', 'example');
const TARGET_IDLE_RATIO = 0.5;

if (!existsSync(main)) {
  console.error(`${main} is missing; build first: npx nx run infra:build`);
  process.exit(2);
}

const start = process.hrtime.bigint();
const child = spawnSync(process.execPath, [main, 'cost', '--compare', '--json', '--env', env], { cwd: root, encoding: 'utf8' });
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
if (child.status !== 0) {
  console.error(child.stderr || child.stdout);
  console.error(`cvat-infra cost --compare exited ${child.status}`);
  process.exit(1);
}
const report = JSON.parse(child.stdout);

if (args.includes('--json')) {
  console.log(JSON.stringify({ ...report, targetIdleRatio: TARGET_IDLE_RATIO, seconds }, null, 2));
  process.exit(0);
}

const usd = (n) => `$${n.toFixed(2)}`;
const row = (cells) =>
  `${cells[0].padEnd(12)}${cells[1].padEnd(12)}${cells[2].padStart(12)}${cells[3].padStart(12)}${cells[4].padStart(8)}` +
  `${cells[5].padStart(12)}${cells[6].padStart(13)}  ${cells[7]}`;
console.log(`cost benchmark: environment '${report.environment}' against the reference project (USD a month, pay-as-you-go)`);
console.log(row(['profile', 'region', report.environment, 'reference', 'ratio', 'optimistic', 'pessimistic', 'prices / target']));
for (const c of report.comparisons) {
  const target =
    c.profile === 'idle'
      ? c.ratio !== null && c.ratio <= TARGET_IDLE_RATIO
        ? 'meets <= 0.50'
        : 'above 0.50'
      : 'as close to 0.50 as the evidence allows';
  console.log(
    row([
      c.profile,
      c.region,
      usd(c.environmentUSD),
      usd(c.referenceUSD),
      c.ratio === null ? 'n/a' : c.ratio.toFixed(3),
      c.optimistic.ratio === null ? 'n/a' : c.optimistic.ratio.toFixed(3),
      c.pessimistic.ratio === null ? 'n/a' : c.pessimistic.ratio.toFixed(3),
      `${c.pricesAsOf}; ${target}`,
    ]),
  );
  const unpriced = [...c.unpriced.environment, ...c.unpriced.reference];
  if (unpriced.length) console.log(`    not priced (left out of the totals): ${unpriced.join(', ')}`);
}
const optimistic = [...new Set(report.comparisons.flatMap((c) => c.optimistic.components))];
if (optimistic.length) console.log(`optimistic: the ratio if ${optimistic.join(', ')} met the idle criteria between polls (unverified)`);
const pessimistic = [...new Set(report.comparisons.flatMap((c) => c.pessimistic.components))];
if (pessimistic.length) {
  console.log(
    `pessimistic: the ratio if ${pessimistic.join(', ')} stayed above the idle criteria with no timer left in its configuration ` +
      '(unverified; cvat-ops idle measures it on a deployed environment)',
  );
}
for (const c of report.comparisons.filter((x) => x.profile === 'idle')) {
  console.log(`where the money goes (idle, ${c.region}): category, ${report.environment}, reference`);
  const cats = [...new Set([...Object.keys(c.categories.environment), ...Object.keys(c.categories.reference)])];
  for (const cat of cats) {
    const e = c.categories.environment[cat] ?? 0;
    const r = c.categories.reference[cat] ?? 0;
    if (e !== 0 || r !== 0) console.log(`  ${cat.padEnd(16)}${usd(e).padStart(12)}${usd(r).padStart(12)}`);
  }
}
console.log(
  `one run of cvat-infra cost --compare: ${seconds.toFixed(2)} s; details: node packages/infra/dist/cli.js cost --profile <name> --region <region>`,
);

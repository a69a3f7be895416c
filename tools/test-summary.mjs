#!/usr/bin/env node
// Adds up the vitest JSON reports in .reports/ into the one line CI reads: `N passed, N failed, N skipped`.
// Exits 1 on any failed test, on a missing report of an expected project, or when the task run itself failed.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const reportsDir = join(root, '.reports');
const expected = ['catalogue', 'infra', 'ops-cli', 'runtime', 'smoke-tests', 'testing', 'tools'];
const args = process.argv.slice(2);
const tasksExit = Number((args.find((a) => a.startsWith('--tasks-exit=')) ?? '--tasks-exit=0').split('=')[1]);

let passed = 0,
  failed = 0,
  skipped = 0;
const problems = [];
for (const project of expected) {
  const file = join(reportsDir, `vitest-${project}.json`);
  if (!existsSync(file)) {
    problems.push(`no test report for '${project}' (${file}): its test target did not run or crashed`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  if (report.numFailedTestSuites) problems.push(`${project}: ${report.numFailedTestSuites} test file(s) failed to run`);
  for (const suite of report.testResults ?? []) {
    for (const t of suite.assertionResults ?? []) {
      if (t.status === 'failed') problems.push(`FAIL ${project}: ${t.fullName}`);
    }
    if (suite.status === 'failed' && !(suite.assertionResults ?? []).length) {
      problems.push(`FAIL ${project}: ${suite.name}: ${String(suite.message ?? '').split('\n')[0]}`);
      failed += 1;
    }
  }
}
const extra = readdirSync(existsSync(reportsDir) ? reportsDir : root).filter(
  (f) => /^vitest-.*\.json$/.test(f) && !expected.includes(f.slice(7, -5)),
);
if (extra.length) problems.push(`unexpected reports ignored: ${extra.join(', ')}`);
if (tasksExit !== 0)
  problems.push(`the Nx task run exited with ${tasksExit} (a build, typecheck, lint, synth, policy or validate task failed)`);
for (const p of problems) console.log(p);
const failedTotal = failed + (tasksExit !== 0 && failed === 0 ? 1 : 0);
console.log(`${passed} passed, ${failedTotal} failed, ${skipped} skipped`);
process.exit(failedTotal > 0 ? 1 : 0);

#!/usr/bin/env node
// The README's test command: every project's build, typecheck, lint and tests (plus infra synth and
// policy) through Nx, then the summary line. Always prints the summary, even when a task fails.
import { spawnSync } from 'node:child_process';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(resolve(root, '.reports'), { recursive: true, force: true });
const targets = ['build', 'typecheck', 'lint', 'test', 'synth', 'policy', 'validate'];
const nx = spawnSync('npx', ['nx', 'run-many', '-t', ...targets, '--output-style=static', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CHECKPOINT_DISABLE: '1', ...process.env },
});
const summary = spawnSync('node', [resolve(root, 'tools/test-summary.mjs'), `--tasks-exit=${nx.status ?? 1}`], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(summary.status ?? 1);

#!/usr/bin/env node
/**
 * Shim kept for tools/bench/synth.mjs, which times cold `node dist/main.js` runs: `node dist/main.js …` is
 * `cvat-infra synth …` (src/cli.ts). Everything else calls `cvat-infra` (bin/cvat-infra.js → dist/cli.js).
 */
import { runProcess } from './cli';

if (require.main === module) runProcess(['synth', ...process.argv.slice(2)]);

#!/usr/bin/env node
// Committed launcher: npm links a workspace bin only when its file exists at install time, and dist/
// appears only after the build. This file exists from `npm ci` on, so `npx cvat-smoke` works once built.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(entry)) {
  process.stderr.write("cvat-smoke is not built yet: run 'npx nx run smoke-tests:build' (or 'npm test') first\n");
  process.exit(7); // UNAVAILABLE: a required tool (the build) is missing, docs/exit-codes.md
}
require(entry).runProcess();

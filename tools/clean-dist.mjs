#!/usr/bin/env node
// `node ../../tools/clean-dist.mjs`, the first step of every package's `build`: removes the package's dist/ so a
// source file that was moved or deleted leaves no stale compiled copy behind. (tsc only writes files; a stale
// dist/rules/catalogue.js once shadowed the new dist/rules/catalogue/index.js and every built CLI failed.)
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

rmSync(resolve(process.cwd(), 'dist'), { recursive: true, force: true });

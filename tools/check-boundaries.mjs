#!/usr/bin/env node
// Module-boundary lint for one package (the house-style rule 1, without the @nx/* plugins that only
// exist at 23.x): which of our packages it may import, where cdktf may appear, deep provider imports,
// and that every external import is declared in its package.json.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Which workspace packages each package may import. */
export const ALLOWED_INTERNAL = {
  catalogue: [],
  // the process edge: catalogue only, never another package of ours
  runtime: ['catalogue'],
  // test doubles: catalogue only (fixtures), never the code under test
  testing: ['catalogue'],
  infra: ['catalogue', 'runtime'],
  'ops-cli': ['catalogue', 'runtime'],
  'smoke-tests': ['catalogue', 'runtime'],
  tools: ['catalogue', 'runtime'],
};
/**
 * Our packages that hold test doubles: any package may import them from its test files (and tools, which is test
 * tooling, from anywhere); shipped code never.
 */
export const TEST_ONLY_INTERNAL = ['testing'];
/** External imports only one package may use. */
export const RESTRICTED_EXTERNAL = [
  { pattern: /^(cdktf|constructs|@cdktf\/)/, only: ['infra'], why: 'CDKTF is archived upstream; it stays inside packages/infra' },
  {
    pattern: /^@azure\//,
    only: ['infra', 'ops-cli', 'smoke-tests', 'tools', 'runtime', 'testing'],
    why: 'the catalogue is pure data and functions, no cloud SDKs or network clients',
  },
  {
    pattern: /^(pg|undici)$/,
    only: ['infra', 'ops-cli', 'smoke-tests', 'tools'],
    why: 'the catalogue is pure data and the runtime is the process edge: no database driver or HTTP client (a command package brings its own)',
  },
];

/** True for a file that only runs under the test runner: `test/**`, `*.test.*`, `vitest.config.*` (all of tools). */
export function isTestFile(pkg, pkgDir, file) {
  if (pkg === 'tools') return true;
  const rel = relative(pkgDir, file).split('\\').join('/');
  return rel.startsWith('test/') || /\.test\.[cm]?[jt]s$/.test(rel) || /^vitest\.config\./.test(rel);
}

// Static imports count only at the start of a line, so code quoted inside strings (test fixtures) is not read as an import.
const IMPORT_RE = new RegExp(
  /^\s*}\s*from\s*['"]([^'"]+)['"]|^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/.source +
    /|^\s*import\s*['"]([^'"]+)['"]|(?:^|[^.\w'"])(?:require|import)\s*\(\s*['"]([^'"]+)['"]\s*\)/.source,
  'g',
);

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry === 'cdktf.out') continue;
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (/\.(ts|mts|cts|mjs|js)$/.test(entry) && !entry.endsWith('.d.ts')) yield p;
  }
}

function packageName(spec) {
  if (spec.startsWith('@')) return spec.split('/').slice(0, 2).join('/');
  return spec.split('/')[0];
}

/**
 * Returns the boundary violations of one package as `file:line: message` strings.
 * @param {string} pkg folder name under packages/ (or 'tools')
 * @param {string} [workspaceRoot]
 */
export function checkPackage(pkg, workspaceRoot = root) {
  const pkgDir = pkg === 'tools' ? join(workspaceRoot, 'tools') : join(workspaceRoot, 'packages', pkg);
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const rootManifest = JSON.parse(readFileSync(join(workspaceRoot, 'package.json'), 'utf8'));
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...Object.keys(rootManifest.devDependencies ?? {}),
  ]);
  const builtins = new Set(builtinModules);
  const allowedInternal = ALLOWED_INTERNAL[pkg];
  if (!allowedInternal) throw new Error(`unknown package '${pkg}'; expected one of ${Object.keys(ALLOWED_INTERNAL).join(', ')}`);
  const violations = [];
  const configs = existsSync(pkgDir)
    ? readdirSync(pkgDir)
        .filter((f) => /^vitest\.config\.[cm]?[jt]s$/.test(f))
        .map((f) => join(pkgDir, f))
    : [];
  const files = [...walk(join(pkgDir, 'src')), ...walk(join(pkgDir, 'test')), ...walk(join(pkgDir, 'bench')), ...configs];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const m of line.matchAll(IMPORT_RE)) {
        const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
        const where = `${relative(workspaceRoot, file)}:${i + 1}`;
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          if (!target.startsWith(`${pkgDir}/`) && target !== pkgDir) {
            violations.push(`${where}: relative import '${spec}' leaves the package; import the other package by name`);
          }
          continue;
        }
        if (spec.startsWith('node:') || builtins.has(spec.split('/')[0])) continue;
        if (spec.startsWith('@cvat-cloud/')) {
          const target = spec.slice('@cvat-cloud/'.length).split('/')[0];
          if (target === pkg) continue;
          if (TEST_ONLY_INTERNAL.includes(target)) {
            if (!isTestFile(pkg, pkgDir, file)) {
              violations.push(
                `${where}: '${spec}' holds test doubles: import it from test files only (test/**, *.test.ts, vitest.config.*), never from shipped code`,
              );
            }
          } else if (!allowedInternal.includes(target)) {
            violations.push(
              `${where}: '${pkg}' may not import '${spec}' (allowed: ${allowedInternal.join(', ') || 'none of our packages'})`,
            );
          }
          continue;
        }
        if (spec === '@cdktf/provider-azurerm' || spec === '@cdktf/provider-random') {
          violations.push(`${where}: import '${spec}/lib/<resource>' instead of the package root (the root loads ~1,530 modules)`);
        }
        for (const rule of RESTRICTED_EXTERNAL) {
          if (rule.pattern.test(spec) && !rule.only.includes(pkg)) {
            violations.push(`${where}: '${spec}' is not allowed in '${pkg}': ${rule.why}`);
          }
        }
        const name = packageName(spec);
        if (!declared.has(name) && !['vitest', 'vitest/config'].includes(spec)) {
          violations.push(`${where}: '${name}' is imported but not declared in ${relative(workspaceRoot, join(pkgDir, 'package.json'))}`);
        }
      }
    });
  }
  return violations;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const pkg = process.argv[2];
  if (!pkg) {
    console.error('usage: check-boundaries.mjs <package>');
    process.exit(2);
  }
  const violations = checkPackage(pkg);
  for (const v of violations) console.error(v);
  if (violations.length) {
    console.error(`${violations.length} boundary violation(s) in ${pkg}`);
    process.exit(1);
  }
  console.log(`${pkg}: module boundaries ok`);
}

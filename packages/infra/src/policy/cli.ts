#!/usr/bin/env node
/**
 * `node dist/policy/cli.js [--out <dir>] [--env <name|path>] [--json]`: runs the policy rules over
 * a synthesized `cdktf.out` and exits 1 when any rule finds a violation.
 */
import { resolve } from 'node:path';
import { loadEnvironmentConfig, resolveCatalogue, resourceNames, formatIssues } from '@cvat-cloud/catalogue';
import { DEFAULT_OUTDIR, REPO_ROOT } from '../app';
import { formatPolicyReport, loadSynthesizedApp, resources, runPolicy } from './index';
import type { ExpectedGlobalNames } from './rules';

/** Exit codes of the policy command. */
export const POLICY_EXIT = { OK: 0, VIOLATIONS: 1, USAGE: 2, INPUT: 3 } as const;

const USAGE = `Usage: node dist/policy/cli.js [--out <dir>] [--env <name|path>] [--json]

Runs the named policy rules over the synthesized stacks and prints one line per rule.

Options:
  --out <dir>        synthesized output (default: packages/infra/cdktf.out)
  --env <name|path>  environment whose derived global names are expected (default: example)
  --json             print the findings as JSON
  -h, --help         show this help

Exit codes: 0 all rules pass, 1 violations, 2 usage, 3 missing or unreadable input.`;

/** The global names an environment derives, for the `global-names-from-config` rule. */
export function expectedGlobalNames(env: string, cwd: string = REPO_ROOT): ExpectedGlobalNames | { error: string } {
  const loaded = loadEnvironmentConfig(env, { cwd });
  if (!loaded.value) return { error: `environment '${env}' is invalid:\n${formatIssues(loaded.errors)}` };
  const resolved = resolveCatalogue(loaded.value);
  if (!resolved.value) return { error: `the catalogue for '${env}' is invalid:\n${formatIssues(resolved.errors)}` };
  const names = resourceNames(loaded.value);
  return { storageAccounts: [names.storageAccount, names.nfsStorageAccount], keyVault: names.keyVault, postgresServer: names.postgresServer, dnsLabel: names.dnsLabel };
}

/** The process edge. */
export function main(
  argv: readonly string[] = process.argv.slice(2),
  io: { stdout: (text: string) => void; stderr: (text: string) => void } = { stdout: (t) => process.stdout.write(`${t}\n`), stderr: (t) => process.stderr.write(`${t}\n`) },
): number {
  let outdir = DEFAULT_OUTDIR;
  let env = 'example';
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      io.stdout(USAGE);
      return POLICY_EXIT.OK;
    } else if ((arg === '--out' || arg === '--env') && argv[i + 1] && !argv[i + 1].startsWith('--')) {
      if (arg === '--out') outdir = resolve(argv[++i]);
      else env = argv[++i];
    } else if (arg === '--json') json = true;
    else {
      io.stderr(`unknown or incomplete argument '${arg}'\n\n${USAGE}`);
      return POLICY_EXIT.USAGE;
    }
  }
  let app;
  try {
    app = loadSynthesizedApp(outdir);
  } catch (e) {
    io.stderr((e as Error).message);
    return POLICY_EXIT.INPUT;
  }
  const expected = expectedGlobalNames(env);
  if ('error' in expected) {
    io.stderr(expected.error);
    return POLICY_EXIT.INPUT;
  }
  const report = runPolicy(app, { expectedNames: expected });
  if (json) {
    io.stdout(JSON.stringify({ rules: report.rules.map((r) => ({ id: r.id, description: r.description, prevents: r.prevents })), findings: report.findings }, null, 2));
  } else {
    io.stdout(`Policy over ${outdir} (${app.stacks.length} stacks, ${resources(app).length} resources)`);
    io.stdout(formatPolicyReport(report));
  }
  return report.findings.length ? POLICY_EXIT.VIOLATIONS : POLICY_EXIT.OK;
}

if (require.main === module) {
  process.exitCode = main();
}

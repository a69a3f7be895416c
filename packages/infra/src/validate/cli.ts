#!/usr/bin/env node
/**
 * `node dist/validate/cli.js [--out <dir>] [--env <name|path>]... [--json] [--no-terraform]`: checks
 * every resource the synthesized stacks write against the pinned providers' constraints (schema,
 * value validators, presence rules, CustomizeDiff and create-time checks), then, where terraform and
 * the provider plugins are available, runs `terraform init -backend=false` + `terraform validate`.
 * Exits 1 when any constraint is broken.
 */
import { readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_OUTDIR, REPO_ROOT } from '../app';
import { runSynth } from '../main';
import { loadSynthesizedApp } from '../policy/model';
import { formatValidateReport, runValidate, type ValidateReport } from './engine';
import { runTerraformValidate, type TerraformOutcome } from './terraform';

/** Exit codes of the validate command. */
export const VALIDATE_EXIT = { OK: 0, VIOLATIONS: 1, USAGE: 2, INPUT: 3 } as const;

const USAGE = `Usage: node dist/validate/cli.js [--out <dir>] [--env <name|path>]... [--json] [--no-terraform]

Checks every attribute the synthesized stacks set against the constraints of the pinned providers
(azurerm 4.55.0, random 3.7.2, time 0.13.1) and prints each violation with the resource, the
attribute path, the value, what is allowed and the provider source file and function.

Without --out and --env it checks packages/infra/cdktf.out (what \`nx run infra:synth\` wrote) and
every environments/maximal*.yaml, each synthesized into a scratch directory.

Options:
  --out <dir>        check this synthesized output
  --env <name|path>  synthesize this environment into a scratch directory and check it (repeatable)
  --json             print the findings as JSON
  --no-terraform     skip terraform init/validate even when terraform is available
  -h, --help         show this help

Exit codes: 0 all constraints hold, 1 violations, 2 usage, 3 missing or invalid input.`;

/** One output that was checked. */
export interface ValidateTarget {
  /** `cdktf.out` path or `environment <name>`. */
  readonly label: string;
  /** The report. */
  readonly report: ValidateReport;
  /** The terraform outcome (absent with --no-terraform). */
  readonly terraform?: TerraformOutcome;
}

/** Parsed command line. */
export interface ValidateOptions {
  readonly outdirs: readonly string[];
  readonly envs: readonly string[];
  readonly json: boolean;
  readonly terraform: boolean;
}

/** The environments checked by default: every environments/maximal*.yaml. */
export function defaultEnvironments(root: string = REPO_ROOT): string[] {
  return readdirSync(join(root, 'environments'))
    .filter((f) => /^maximal.*\.ya?ml$/.test(f))
    .map((f) => f.replace(/\.ya?ml$/, ''))
    .sort();
}

/** Parses argv (without node and script). */
export function parseValidateArgs(argv: readonly string[]): ValidateOptions | { help: true } | { error: string } {
  const outdirs: string[] = [];
  const envs: string[] = [];
  let json = false;
  let terraform = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { help: true };
    if (arg === '--out' || arg === '--env') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) return { error: `'${arg}' needs a value` };
      (arg === '--out' ? outdirs : envs).push(arg === '--out' ? resolve(value) : value);
      i++;
    } else if (arg.startsWith('--out=')) outdirs.push(resolve(arg.slice(6)));
    else if (arg.startsWith('--env=')) envs.push(arg.slice(6));
    else if (arg === '--json') json = true;
    else if (arg === '--no-terraform') terraform = false;
    else return { error: `unknown argument '${arg}'` };
  }
  if (!outdirs.length && !envs.length) return { outdirs: [DEFAULT_OUTDIR], envs: defaultEnvironments(), json, terraform };
  return { outdirs, envs, json, terraform };
}

/**
 * Checks one synthesized output directory. `tfEnv` carries a plugin cache shared by every stack and
 * output of the run (unless the user set TF_PLUGIN_CACHE_DIR), so the providers download once.
 */
function checkOutdir(label: string, outdir: string, tfEnv: NodeJS.ProcessEnv | undefined): ValidateTarget {
  const app = loadSynthesizedApp(outdir);
  const report = runValidate(app, { outdir });
  return { label, report, terraform: tfEnv ? runTerraformValidate(outdir, app.stacks.map((s) => s.name), { env: tfEnv }) : undefined };
}

/** Runs the command; returns the exit code. */
export function runValidateCommand(options: ValidateOptions, io: { stdout: (t: string) => void; stderr: (t: string) => void }): number {
  const targets: ValidateTarget[] = [];
  const pluginCache = options.terraform && !process.env.TF_PLUGIN_CACHE_DIR ? mkdtempSync(join(tmpdir(), 'cvat-validate-plugins-')) : undefined;
  const tfEnv = options.terraform
    ? { ...process.env, ...(pluginCache ? { TF_PLUGIN_CACHE_DIR: pluginCache, TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: 'true' } : {}) }
    : undefined;
  try {
    return runTargets(options, io, targets, tfEnv);
  } finally {
    if (pluginCache) rmSync(pluginCache, { recursive: true, force: true });
  }
}

function runTargets(options: ValidateOptions, io: { stdout: (t: string) => void; stderr: (t: string) => void }, targets: ValidateTarget[], tfEnv: NodeJS.ProcessEnv | undefined): number {
  try {
    for (const outdir of options.outdirs) targets.push(checkOutdir(outdir, outdir, tfEnv));
  } catch (e) {
    io.stderr((e as Error).message);
    return VALIDATE_EXIT.INPUT;
  }
  for (const env of options.envs) {
    const scratch = mkdtempSync(join(tmpdir(), 'cvat-validate-'));
    const outdir = join(scratch, 'cdktf.out');
    try {
      const synth = runSynth({ env, outdir, json: true, cwd: REPO_ROOT }, { stdout: () => undefined, stderr: io.stderr });
      if (synth.code !== 0) {
        io.stderr(`environment '${env}' did not synthesize (exit ${synth.code})`);
        return VALIDATE_EXIT.INPUT;
      }
      targets.push(checkOutdir(`environment ${env}`, outdir, tfEnv));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const errorCount = (t: ValidateTarget) =>
    t.report.findings.filter((f) => f.severity === 'error').length + (t.terraform?.status === 'ran' ? t.terraform.findings.filter((f) => f.severity === 'error').length : 0);
  if (options.json) {
    io.stdout(JSON.stringify(targets.map((t) => ({ target: t.label, checked: t.report.checked, rules: t.report.rules.length, findings: t.report.findings, terraform: t.terraform })), null, 2));
  } else {
    for (const t of targets) {
      io.stdout(`Validate ${t.label}`);
      io.stdout(formatValidateReport(t.report));
      if (!t.terraform) io.stdout('terraform validate: not run (--no-terraform)');
      else if (t.terraform.status === 'skipped') io.stdout(`terraform validate: skipped: ${t.terraform.reason}`);
      else {
        for (const f of t.terraform.findings) io.stdout(`${f.severity === 'error' ? 'FAIL' : 'WARN'} ${f.address} ${f.path} ${f.allowed}`);
        io.stdout(`terraform validate (${t.terraform.terraform}): ${t.terraform.stacks.length} stack(s), ${t.terraform.findings.length} diagnostic(s)`);
      }
      io.stdout('');
    }
  }
  return targets.some((t) => errorCount(t) > 0) ? VALIDATE_EXIT.VIOLATIONS : VALIDATE_EXIT.OK;
}

/** The process edge. */
export function main(
  argv: readonly string[] = process.argv.slice(2),
  io: { stdout: (t: string) => void; stderr: (t: string) => void } = { stdout: (t) => process.stdout.write(`${t}\n`), stderr: (t) => process.stderr.write(`${t}\n`) },
): number {
  const parsed = parseValidateArgs(argv);
  if ('help' in parsed) {
    io.stdout(USAGE);
    return VALIDATE_EXIT.OK;
  }
  if ('error' in parsed) {
    io.stderr(`${parsed.error}\n\n${USAGE}`);
    return VALIDATE_EXIT.USAGE;
  }
  return runValidateCommand(parsed, io);
}

if (require.main === module) {
  process.exitCode = main();
}

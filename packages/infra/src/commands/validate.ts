/**
 * `cvat-infra validate`: checks every resource the synthesized stacks write against the pinned providers'
 * constraints (schema, value validators, presence rules, CustomizeDiff and create-time checks), then, where terraform
 * and the provider plugins are available, runs `terraform init -backend=false` + `terraform validate`. Exit 1
 * (FAILED) when any constraint is broken.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CliError, EXIT } from '@cvat-cloud/runtime';
import { DEFAULT_OUTDIR, REPO_ROOT } from '../app';
import { loadSynthesizedApp, type SynthesizedApp } from '../policy/model';
import { formatValidateReport, runValidate, type ValidateReport } from '../validate/engine';
import { runTerraformValidate, type TerraformOutcome } from '../validate/terraform';
import type { CommandResult, InfraIo } from './context';
import { runSynth, workspacePath } from './synth';

/** Options of `cvat-infra validate`. */
export interface ValidateCommandOptions {
  /** Synth outputs to check. */
  readonly outdirs: readonly string[];
  /** Environments to synthesize into a scratch folder and check. */
  readonly envs: readonly string[];
  readonly json: boolean;
  /** Run terraform init/validate when available. @default true */
  readonly terraform: boolean;
}

/** One output that was checked. */
export interface ValidateTarget {
  /** `cdktf.out` path or `environment <name>`. */
  readonly label: string;
  readonly report: ValidateReport;
  /** The terraform outcome (absent with --no-terraform). */
  readonly terraform?: TerraformOutcome;
}

/** The environments checked by default: every environments/maximal*.yaml. */
export function defaultEnvironments(root: string = REPO_ROOT): string[] {
  return readdirSync(join(root, 'environments'))
    .filter((f) => /^maximal.*\.ya?ml$/.test(f))
    .map((f) => f.replace(/\.ya?ml$/, ''))
    .sort();
}

function checkOutdir(label: string, outdir: string, tfEnv: NodeJS.ProcessEnv | undefined): ValidateTarget {
  let app: SynthesizedApp;
  try {
    app = loadSynthesizedApp(outdir);
  } catch (error) {
    throw new CliError(EXIT.CONFIG, `cannot read the synth output: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  const report = runValidate(app, { outdir });
  return {
    label,
    report,
    terraform: tfEnv
      ? runTerraformValidate(
          outdir,
          app.stacks.map((s) => s.name),
          { env: tfEnv },
        )
      : undefined,
  };
}

/**
 * `cvat-infra validate`. One terraform plugin cache serves every stack and output of the run (unless the user set
 * TF_PLUGIN_CACHE_DIR), so the providers download once.
 */
export async function validateCommand(options: ValidateCommandOptions, io: InfraIo): Promise<CommandResult> {
  const defaults = !options.outdirs.length && !options.envs.length;
  const outdirs = defaults ? [DEFAULT_OUTDIR] : options.outdirs.map((o) => resolve(io.cwd, o));
  const envs = defaults ? defaultEnvironments() : options.envs;
  const pluginCache = options.terraform && !io.env.TF_PLUGIN_CACHE_DIR ? mkdtempSync(join(tmpdir(), 'cvat-validate-plugins-')) : undefined;
  const tfEnv = options.terraform
    ? { ...io.env, ...(pluginCache ? { TF_PLUGIN_CACHE_DIR: pluginCache, TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: 'true' } : {}) }
    : undefined;
  const targets: ValidateTarget[] = [];
  try {
    // labelled relative to the workspace, so output replayed from the Nx cache is right in any checkout
    for (const outdir of outdirs) targets.push(checkOutdir(workspacePath(outdir), outdir, tfEnv));
    for (const env of envs) {
      const scratch = mkdtempSync(join(tmpdir(), 'cvat-validate-'));
      const outdir = join(scratch, 'cdktf.out');
      try {
        await runSynth({ env, outdir, cwd: io.cwd, warn: (l) => io.err(`${l}\n`) });
        targets.push(checkOutdir(`environment ${env}`, outdir, tfEnv));
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    }
  } finally {
    if (pluginCache) rmSync(pluginCache, { recursive: true, force: true });
  }
  const errorCount = (t: ValidateTarget) =>
    t.report.findings.filter((f) => f.severity === 'error').length +
    (t.terraform?.status === 'ran' ? t.terraform.findings.filter((f) => f.severity === 'error').length : 0);
  const data = targets.map((t) => ({
    target: t.label,
    checked: t.report.checked,
    rules: t.report.rules.length,
    findings: t.report.findings,
    terraform: t.terraform,
  }));
  const lines: string[] = [];
  for (const t of targets) {
    lines.push(`Validate ${t.label}`, formatValidateReport(t.report));
    if (!t.terraform) lines.push('terraform validate: not run (--no-terraform)');
    else if (t.terraform.status === 'skipped') lines.push(`terraform validate: skipped: ${t.terraform.reason}`);
    else {
      for (const f of t.terraform.findings) lines.push(`${f.severity === 'error' ? 'FAIL' : 'WARN'} ${f.address} ${f.path} ${f.allowed}`);
      lines.push(
        `terraform validate (${t.terraform.terraform}): ${t.terraform.stacks.length} ` +
          `stack(s), ${t.terraform.findings.length} diagnostic(s)`,
      );
    }
    lines.push('');
  }
  return { data, text: lines.join('\n'), exitCode: targets.some((t) => errorCount(t) > 0) ? EXIT.FAILED : EXIT.OK };
}

/**
 * The real check, where it can run: `terraform init -backend=false` + `terraform validate -json` per
 * synthesized stack, in a scratch copy (init writes `.terraform/` and a lock file). Needs the
 * terraform binary and the pinned provider plugins (from the registry, a plugin cache or a mirror);
 * without them it skips and says why, based on what actually happened (binary missing, or init's own
 * error naming the registry), never on an assumption.
 */
import { terraformBinary } from '@cvat-cloud/runtime/edge';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { ValidateFinding } from './model';

/** Result of {@link runTerraformValidate}. */
export type TerraformOutcome =
  | { readonly status: 'skipped'; readonly reason: string }
  | {
      readonly status: 'ran';
      readonly terraform: string;
      readonly stacks: readonly string[];
      readonly findings: readonly ValidateFinding[];
    };

/** Options of {@link runTerraformValidate}. */
export interface TerraformOptions {
  /** Terraform binary. @default $TF_BINARY (or the deprecated $TERRAFORM_BIN), else `terraform` on PATH */
  readonly terraformBin?: string;
  /** Seconds each terraform command may take. @default 300 */
  readonly timeoutSeconds?: number;
  /** Environment of the terraform processes. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Lines of init output that mean the providers could not be obtained (no network, no mirror). */
const PROVIDER_UNAVAILABLE = [
  /could not connect to registry\.terraform\.io[^\n]*/i,
  /Failed to query available provider packages[^\n]*/,
  /Failed to install provider[^\n]*/,
  /could not retrieve the list of available versions[^\n]*/i,
  /no available releases match[^\n]*/i,
];

/**
 * Resolves the terraform binary the way every tool names it (runtime's terraformBinary: the explicit value, $TF_BINARY,
 * the deprecated $TERRAFORM_BIN, else `terraform`): a path must exist, a bare name is looked up on PATH.
 */
export function findTerraform(explicit?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { binary } = terraformBinary({ ...(explicit ? { flag: explicit } : {}), env });
  if (binary.includes('/')) return existsSync(binary) ? binary : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, binary))) return join(dir, binary);
  }
  return undefined;
}

interface TerraformDiagnostic {
  severity?: string;
  summary?: string;
  detail?: string;
  range?: { filename?: string; start?: { line?: number } };
  snippet?: { context?: string | null; code?: string };
}

/**
 * Runs init + validate on each stack directory of `outdir` (`stacks/<name>`). Stops at the first
 * init that cannot obtain the providers and returns `skipped` with init's own words.
 */
export function runTerraformValidate(outdir: string, stacks: readonly string[], options: TerraformOptions = {}): TerraformOutcome {
  const env = options.env ?? process.env;
  const bin = findTerraform(options.terraformBin, env);
  if (!bin)
    return {
      status: 'skipped',
      reason: `no terraform binary (${terraformBinary({ ...(options.terraformBin ? { flag: options.terraformBin } : {}), env }).binary} not found)`,
    };
  const timeout = (options.timeoutSeconds ?? 300) * 1000;
  const run = (args: string[], cwd: string) =>
    spawnSync(bin, args, { cwd, encoding: 'utf8', timeout, env: { ...env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' } });
  const version = run(['version'], outdir).stdout?.split('\n')[0]?.trim() || bin;
  const findings: ValidateFinding[] = [];
  for (const stack of stacks) {
    const scratch = mkdtempSync(join(tmpdir(), `validate-${stack}-`));
    try {
      cpSync(join(outdir, 'stacks', stack), scratch, { recursive: true });
      const init = run(['init', '-backend=false', '-input=false', '-no-color'], scratch);
      if (init.error) return { status: 'skipped', reason: `terraform init did not finish: ${init.error.message}` };
      const initText = `${init.stdout ?? ''}\n${init.stderr ?? ''}`;
      if (init.status !== 0) {
        const paragraphs = initText.split(/\n\s*\n/);
        const paragraph = PROVIDER_UNAVAILABLE.map((re) => paragraphs.find((p) => re.test(p))).find(Boolean);
        if (paragraph) {
          const words = paragraph.replace(/\s+/g, ' ').trim();
          return {
            status: 'skipped',
            reason:
              `terraform init -backend=false could not obtain the providers for stack '${stack}': ` +
              `${words.length > 400 ? `${words.slice(0, 400)}...` : words}`,
          };
        }
        findings.push({
          rule: 'terraform/init',
          severity: 'error',
          stack,
          address: stack,
          path: '',
          value: undefined,
          allowed: initText.trim().split('\n').slice(-12).join('\n'),
          source: version,
        });
        continue;
      }
      const validate = run(['validate', '-json', '-no-color'], scratch);
      let parsed: { diagnostics?: TerraformDiagnostic[] };
      try {
        parsed = JSON.parse(validate.stdout ?? '');
      } catch {
        findings.push({
          rule: 'terraform/validate',
          severity: 'error',
          stack,
          address: stack,
          path: '',
          value: undefined,
          allowed: `unreadable output: ${(validate.stderr ?? '').trim()}`,
          source: version,
        });
        continue;
      }
      for (const d of parsed.diagnostics ?? []) {
        findings.push({
          rule: 'terraform/validate',
          severity: d.severity === 'warning' ? 'warning' : 'error',
          stack,
          address: `${stack}:${d.snippet?.context ?? d.range?.filename ?? 'cdk.tf.json'}`,
          path: d.range?.start?.line !== undefined ? `${d.range.filename ?? 'cdk.tf.json'}:${d.range.start.line}` : '',
          value: d.snippet?.code?.trim(),
          allowed: [d.summary, d.detail].filter(Boolean).join(': '),
          source: version,
        });
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return { status: 'ran', terraform: version, stacks, findings };
}

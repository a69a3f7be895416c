import type { TokenCredential } from '@azure/identity';
import { describeArmError } from './arm';
import {
  type CheckContext,
  type CheckOutcome,
  type CheckStatus,
  type ExistingResource,
  listResourceGroupResources,
  PREFLIGHT_CHECKS,
  type PreflightCheck,
} from './checks';
import type { PreflightClients } from './clients';
import type { PreflightInputs } from './inputs';

/** One check's result in the report. */
export interface CheckResult extends CheckOutcome {
  readonly id: string;
  readonly title: string;
  readonly durationMs: number;
}

/** The whole preflight run (`--json` prints it). */
export interface PreflightReport {
  /** True when no check failed (skips do not fail the run). */
  readonly ok: boolean;
  readonly environment: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly counts: Readonly<Record<CheckStatus, number>>;
  readonly checks: readonly CheckResult[];
}

/** Inputs of {@link runPreflight}. */
export interface PreflightRunOptions {
  readonly inputs: PreflightInputs;
  readonly subscriptionId: string;
  readonly credential: TokenCredential;
  readonly clients: PreflightClients;
  readonly deployerIp?: { readonly address: string; readonly source: string };
  readonly deployerIpError?: string;
  /** Progress lines, one per finished check. */
  readonly log: (line: string) => void;
  /** Upper bound of each check, retries included. @default 60 */
  readonly checkTimeoutSeconds?: number;
  /** Checks run at once after `credentials`. @default 4 */
  readonly concurrency?: number;
  /** @default PREFLIGHT_CHECKS */
  readonly checks?: readonly PreflightCheck[];
}

/** `PASS credentials — …` plus, for fail and skip, an indented `fix:` line. */
export function formatResult(r: CheckResult): string {
  const head = `preflight: ${r.status.toUpperCase().padEnd(4)} ${r.id} — ${r.detail} (${(r.durationMs / 1000).toFixed(1)} s)`;
  return r.fix && r.status !== 'pass' ? `${head}\n           fix: ${r.fix}` : head;
}

async function runOne(check: PreflightCheck, ctx: CheckContext, timeoutSeconds: number): Promise<CheckResult> {
  const started = Date.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({
        status: 'fail',
        detail: `no answer within ${timeoutSeconds} s`,
        fix: 'rerun; if it persists, check network access to management.azure.com (or raise --check-timeout)',
      });
    }, timeoutSeconds * 1000);
  });
  let outcome: CheckOutcome;
  try {
    outcome = await Promise.race([
      check.run(ctx, controller.signal).catch(
        (error: unknown): CheckOutcome => ({
          status: 'fail',
          detail: `error: ${describeArmError(error)}`,
          fix: "rerun; if it persists, check the message above and the principal's roles",
        }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
  return { id: check.id, title: check.title, ...outcome, durationMs: Date.now() - started };
}

/**
 * Runs the checks: `credentials` first (the ARM checks are skipped when it fails), then the others
 * `concurrency` at a time, each bounded by `checkTimeoutSeconds`. Never throws for a failed check: the
 * report says which failed and how to fix each.
 */
export async function runPreflight(options: PreflightRunOptions): Promise<PreflightReport> {
  const checks = options.checks ?? PREFLIGHT_CHECKS;
  const timeoutSeconds = options.checkTimeoutSeconds ?? 60;
  let inventory: Promise<ExistingResource[]> | undefined;
  const ctx: CheckContext = {
    inputs: options.inputs,
    subscriptionId: options.subscriptionId,
    credential: options.credential,
    clients: options.clients,
    deployerIp: options.deployerIp,
    deployerIpError: options.deployerIpError,
    existingResources: (signal) =>
      (inventory ??= listResourceGroupResources(options.clients, options.subscriptionId, options.inputs.resourceGroup, signal)),
  };
  const results = new Map<string, CheckResult>();
  const record = (r: CheckResult) => {
    results.set(r.id, r);
    options.log(formatResult(r));
  };
  options.log(
    `preflight: ${checks.length} checks for environment '${options.inputs.environment}' (resource group ` +
      `${options.inputs.resourceGroup}, ${options.inputs.location}, subscription ${options.subscriptionId})`,
  );

  const first = checks.filter((c) => c.id === 'credentials');
  for (const c of first) record(await runOne(c, ctx, timeoutSeconds));
  const credentialsOk = first.every((c) => results.get(c.id)?.status === 'pass');

  const rest = checks.filter((c) => c.id !== 'credentials');
  const queue = [...rest];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      if (!credentialsOk && c.needsArm !== false) {
        record({
          id: c.id,
          title: c.title,
          status: 'skip',
          detail: 'not run: the credentials check failed',
          fix: 'fix the credentials check first',
          durationMs: 0,
        });
        continue;
      }
      record(await runOne(c, ctx, timeoutSeconds));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, rest.length)) }, worker));

  const ordered = checks.map((c) => results.get(c.id)!);
  const counts = { pass: 0, fail: 0, skip: 0 };
  for (const r of ordered) counts[r.status] += 1;
  return {
    ok: counts.fail === 0,
    environment: options.inputs.environment,
    subscriptionId: options.subscriptionId,
    resourceGroup: options.inputs.resourceGroup,
    location: options.inputs.location,
    counts,
    checks: ordered,
  };
}

/** The closing lines: counts, and each failed check's fix again so it is the last thing on screen. */
export function formatSummary(report: PreflightReport): string[] {
  const lines = [`preflight: ${report.counts.pass} passed, ${report.counts.fail} failed, ${report.counts.skip} skipped`];
  for (const r of report.checks.filter((c) => c.status === 'fail')) lines.push(`preflight: FAIL ${r.id}: ${r.fix ?? r.detail}`);
  return lines;
}

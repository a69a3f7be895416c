import { POLICY_RULES, type ExpectedGlobalNames, type PolicyFinding, type PolicyRule } from './rules';
import type { SynthesizedApp } from './model';

export * from './model';
export * from './rules';

/** Result of {@link runPolicy}. */
export interface PolicyReport {
  /** Rules that ran, in order. */
  readonly rules: readonly PolicyRule[];
  /** Violations, grouped by rule in rule order. */
  readonly findings: readonly PolicyFinding[];
}

/**
 * Runs the policy rules over a synthesized app (from `loadSynthesizedApp(cdktf.out)` or built from
 * `Testing.synth` output in tests). Never throws on findings; the caller decides the exit code.
 *
 * @param options.rules a subset of rules to run (default: all)
 * @param options.expectedNames global names the configuration derives
 */
export function runPolicy(
  app: SynthesizedApp,
  options: { rules?: readonly PolicyRule[]; expectedNames?: ExpectedGlobalNames } = {},
): PolicyReport {
  const rules = options.rules ?? POLICY_RULES;
  const findings = rules.flatMap((rule) => rule.check({ app, expectedNames: options.expectedNames }));
  return { rules, findings };
}

/** Renders a report as text: one line per rule (ok / n findings), then each finding. */
export function formatPolicyReport(report: PolicyReport): string {
  const lines: string[] = [];
  for (const rule of report.rules) {
    const found = report.findings.filter((f) => f.rule === rule.id);
    lines.push(`${found.length ? 'FAIL' : 'ok  '} ${rule.id}${found.length ? ` (${found.length})` : ''}`);
    for (const f of found) lines.push(`       ${f.address}: ${f.message}`);
  }
  const failed = new Set(report.findings.map((f) => f.rule)).size;
  lines.push(`${report.rules.length - failed} of ${report.rules.length} policy rules passed, ${report.findings.length} finding(s)`);
  return lines.join('\n');
}

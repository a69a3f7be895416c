/** The report for people: one row per component and check, with the reason in plain words. */
import type { CleanupReport, CreatedResource } from '../cleanup';
import type { SuiteResult } from '../suite';

/** `83400` → `1 min 23 s`; below a minute → `12.3 s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

const LABEL: Record<string, string> = { pass: 'PASS', fail: 'FAIL', skip: 'skip', blocked: 'BLOCKED', aborted: 'ABORTED' };

function describe(resource: CreatedResource): string {
  return `${resource.kind} ${resource.id} (${resource.name})`;
}

/** Cleanup in one or a few lines. */
export function renderCleanup(cleanup: CleanupReport): string[] {
  const lines: string[] = [];
  if (cleanup.kept.length > 0) {
    lines.push(`Cleanup: --keep, left ${cleanup.kept.length} object(s) in place:`);
    for (const r of cleanup.kept) lines.push(`  ${describe(r)}`);
    return lines;
  }
  if (cleanup.nothingCreated) {
    lines.push('Cleanup: nothing was created, so there is nothing to delete.');
    return lines;
  }
  const found = cleanup.found.length > 0 ? ` (${cleanup.found.length} found by the run-id search)` : '';
  if (cleanup.failed.length === 0 && cleanup.searchError === undefined) {
    lines.push(`Cleanup: deleted ${cleanup.deleted.length} object(s)${found}; nothing left behind.`);
    return lines;
  }
  lines.push(`Cleanup INCOMPLETE: deleted ${cleanup.deleted.length}${found}, could not delete ${cleanup.failed.length}:`);
  for (const f of cleanup.failed) lines.push(`  ${describe(f.resource)}: ${f.error}`);
  if (cleanup.searchError !== undefined)
    lines.push(`  the run-id search failed, so leftovers could not be verified: ${cleanup.searchError}`);
  return lines;
}

/** Renders the whole result as a fixed-width table plus summary lines. */
export function renderTable(result: SuiteResult): string {
  const rows: string[][] = [];
  const order: string[] = [];
  for (const check of result.checks) for (const c of check.components) if (!order.includes(c)) order.push(c);
  for (const component of order) {
    for (const check of result.checks.filter((c) => c.components.includes(component))) {
      rows.push([
        component,
        check.id,
        LABEL[check.status],
        check.startedAtMs < 0 ? '-' : formatDuration(check.durationMs),
        check.reason ?? check.details[0] ?? '',
      ]);
    }
  }
  const header = ['COMPONENT', 'CHECK', 'RESULT', 'TIME', 'REASON'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i < 4 ? r[i].length : 0))));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i < 4 ? cell.padEnd(widths[i]) : cell))
      .join('  ')
      .trimEnd();
  const { counts } = result;
  const out = [
    `CVAT smoke run ${result.runId} against ${result.baseUrl}: ${formatDuration(result.durationMs)} (checks add up to ` +
      `${formatDuration(result.serialDurationMs)} run one after another)`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `${counts.pass} passed, ${counts.fail} failed, ${counts.blocked} blocked, ${counts.skip} ` +
      `skipped${counts.aborted ? `, ${counts.aborted} interrupted` : ''}; ${result.requests.sent} requests, ${result.requests.retried} retried.`,
    ...renderCleanup(result.cleanup),
  ];
  if (result.interrupted) out.push('The run was interrupted (Ctrl-C).');
  return `${out.join('\n')}\n`;
}

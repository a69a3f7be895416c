/**
 * JUnit XML for CI dashboards: one `<testsuite>` per component, one `<testcase>` per check; failures carry the
 * reason, blocked and skipped checks are `<skipped>` with the reason, interrupted ones are `<error>`. A
 * `cleanup` suite fails when something was left behind.
 */
import type { CheckResult } from '../runner/types';
import type { SuiteResult } from '../suite';

/** Escapes text for XML attributes and content, dropping characters XML 1.0 cannot carry. */
export function escapeXml(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the class lists the control characters XML 1.0 allows (tab, LF, CR)
      .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function testcase(component: string, check: CheckResult): string {
  const open =
    `    <testcase classname="cvat-smoke.${escapeXml(component)}" name="${escapeXml(`${check.id}: ${check.title}`)}" ` +
    `time="${seconds(check.durationMs)}"`;
  const reason = escapeXml(check.reason ?? '');
  const details = check.details.length > 0 ? escapeXml(check.details.join('\n')) : reason;
  switch (check.status) {
    case 'pass':
      return check.details.length > 0
        ? `${open}>\n      <system-out>${escapeXml(check.details.join('\n'))}</system-out>\n    </testcase>`
        : `${open}/>`;
    case 'fail':
      return `${open}>\n      <failure message="${reason}" type="fail">${details}</failure>\n    </testcase>`;
    case 'skip':
    case 'blocked':
      return `${open}>\n      <skipped message="${escapeXml(`${check.status}: ${check.reason ?? ''}`)}"/>\n    </testcase>`;
    case 'aborted':
      return `${open}>\n      <error message="${reason}" type="aborted"/>\n    </testcase>`;
  }
}

/** Renders a result as a JUnit XML document. */
export function renderJunit(result: SuiteResult): string {
  const components: string[] = [];
  for (const check of result.checks) for (const c of check.components) if (!components.includes(c)) components.push(c);
  const suites = components.map((component) => {
    const checks = result.checks.filter((c) => c.components.includes(component));
    const failures = checks.filter((c) => c.status === 'fail').length;
    const errors = checks.filter((c) => c.status === 'aborted').length;
    const skipped = checks.filter((c) => c.status === 'skip' || c.status === 'blocked').length;
    const time = checks.reduce((sum, c) => sum + c.durationMs, 0);
    return [
      `  <testsuite name="${escapeXml(component)}" tests="${checks.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" ` +
        `time="${seconds(time)}">`,
      ...checks.map((c) => testcase(component, c)),
      '  </testsuite>',
    ].join('\n');
  });
  const cleanupFailed = result.cleanup.failed.length > 0 || result.cleanup.searchError !== undefined;
  const cleanupMessage = cleanupFailed
    ? [
        ...result.cleanup.failed.map((f) => `${f.resource.kind} ${f.resource.id} (${f.resource.name}): ${f.error}`),
        ...(result.cleanup.searchError ? [`run-id search failed: ${result.cleanup.searchError}`] : []),
      ].join('\n')
    : '';
  const cleanupCase = '    <testcase classname="cvat-smoke.cleanup" name="nothing the run created is left behind" time="0.000"';
  suites.push(
    [
      `  <testsuite name="cleanup" tests="1" failures="${cleanupFailed ? 1 : 0}" errors="0" skipped="${result.cleanup.kept.length > 0 ? 1 : 0}" time="0.000">`,
      cleanupFailed
        ? `${cleanupCase}>\n      <failure message="${escapeXml(`${result.cleanup.failed.length} object(s) left behind`)}" type="fail">` +
          `${escapeXml(cleanupMessage)}</failure>\n    </testcase>`
        : result.cleanup.kept.length > 0
          ? `${cleanupCase}>\n      <skipped message="--keep: ${result.cleanup.kept.length} object(s) left in place"/>\n    </testcase>`
          : `${cleanupCase}/>`,
      '  </testsuite>',
    ].join('\n'),
  );
  const { counts } = result;
  const tests = result.checks.length + 1;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cvat-smoke ${escapeXml(result.runId)}" tests="${tests}" failures="${counts.fail + (cleanupFailed ? 1 : 0)}" ` +
      `errors="${counts.aborted}" skipped="${counts.skip + counts.blocked}" time="${seconds(result.durationMs)}" ` +
      `timestamp="${escapeXml(result.startedAt)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

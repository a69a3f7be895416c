import { describe, expect, it } from 'vitest';
import { renderJson } from '../src/report/json';
import { escapeXml, renderJunit } from '../src/report/junit';
import { formatDuration, renderTable } from '../src/report/table';
import { countStatuses, type SuiteResult } from '../src/suite';
import type { CheckResult } from '../src/runner/types';

const checks: CheckResult[] = [
  {
    id: 'server.about',
    title: 'the API answers',
    components: ['cvat-server'],
    status: 'pass',
    durationMs: 120,
    startedAtMs: 0,
    details: ['CVAT 2.73.0'],
  },
  {
    id: 'export.dataset',
    title: 'exports <work> & "more"',
    components: ['cvat-worker-export'],
    status: 'fail',
    durationMs: 61_500,
    startedAtMs: 900,
    reason: "cvat-worker-export: the 'COCO 1.0' export (request r1): not done after 120 s",
    details: ['\'body.status\' is "queued"'],
  },
  {
    id: 'import.backup',
    title: 'restores',
    components: ['cvat-worker-import'],
    status: 'blocked',
    durationMs: 0,
    startedAtMs: -1,
    reason: "not run: needs 'export.backup' (cvat-worker-export), which failed",
    details: [],
  },
  {
    id: 'analytics.events',
    title: 'events',
    components: ['vector', 'clickhouse', 'cvat-worker-export'],
    status: 'skip',
    durationMs: 0,
    startedAtMs: -1,
    reason: 'analytics is disabled',
    details: [],
  },
];

const result: SuiteResult = {
  runId: '20260101-120000-ab12',
  baseUrl: 'https://cvat.example.org/',
  startedAt: '2026-01-01T12:00:00.000Z',
  durationMs: 65_000,
  serialDurationMs: 61_620,
  interrupted: false,
  checks,
  counts: countStatuses(checks),
  cleanup: { deleted: [{ kind: 'task', id: 3, name: 'smoke-20260101-120000-ab12-main' }], kept: [], failed: [], found: [] },
  requests: { sent: 40, retried: 1 },
  ok: false,
};

describe('renderTable', () => {
  it('has one row per component and check with the reason, then the counts and cleanup', () => {
    const text = renderTable(result);
    expect(text).toContain('CVAT smoke run 20260101-120000-ab12 against https://cvat.example.org/: 1 min 05 s');
    expect(text).toMatch(/^cvat-worker-export +export\.dataset +FAIL +1 min 02 s +cvat-worker-export: the 'COCO 1\.0' export/m);
    expect(text).toMatch(/^cvat-worker-import +import\.backup +BLOCKED +- +not run: needs 'export\.backup'/m);
    expect(text).toMatch(/^cvat-server +server\.about +PASS +0\.1 s +CVAT 2\.73\.0$/m);
    // A check proving three components appears under each.
    expect(text.match(/analytics\.events/g)).toHaveLength(3);
    expect(text).toContain('1 passed, 1 failed, 1 blocked, 1 skipped; 40 requests, 1 retried.');
    expect(text).toContain('Cleanup: deleted 1 object(s); nothing left behind.');
  });

  it('formats durations in seconds below a minute and minutes above', () => {
    expect([450, 12_340, 60_000, 125_000].map(formatDuration)).toEqual(['0.5 s', '12.3 s', '1 min 00 s', '2 min 05 s']);
  });
});

describe('renderJunit', () => {
  const xml = renderJunit(result);

  it('has one testsuite per component plus cleanup, with counts', () => {
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="cvat-smoke 20260101-120000-ab12" tests="5" failures="1" errors="0" skipped="2" ' +
          'time="65.000"',
      ),
    ).toBe(true);
    expect(xml).toContain('<testsuite name="cvat-worker-export" tests="2" failures="1" errors="0" skipped="1" time="61.500">');
    expect(xml).toContain('<testsuite name="cleanup" tests="1" failures="0"');
    expect(xml.match(/<testsuite /g)).toHaveLength(6);
  });

  it('escapes names and messages and marks blocked checks as skipped with the reason', () => {
    expect(xml).toContain('name="export.dataset: exports &lt;work&gt; &amp; &quot;more&quot;"');
    expect(xml).toContain(
      `<failure message="cvat-worker-export: the &apos;COCO 1.0&apos; export (request r1): not done after 120 s" ` +
        `type="fail">&apos;body.status&apos; is &quot;queued&quot;</failure>`,
    );
    expect(xml).toContain(`<skipped message="blocked: not run: needs &apos;export.backup&apos; (cvat-worker-export), which failed"/>`);
  });

  it('fails the cleanup suite, listing what was left', () => {
    const left = renderJunit({
      ...result,
      cleanup: {
        deleted: [],
        kept: [],
        found: [],
        failed: [{ resource: { kind: 'user', id: 9, name: 'smoke-x-user-a' }, error: 'DELETE answered 500' }],
      },
    });
    expect(left).toContain('<failure message="1 object(s) left behind" type="fail">user 9 (smoke-x-user-a): DELETE answered 500</failure>');
  });

  it('drops characters XML cannot carry', () => {
    expect(escapeXml('a\u0000b\u001bc\td')).toBe('abc\td');
  });
});

describe('renderJson', () => {
  it('is the whole result plus the report version and the exit code', () => {
    const parsed = JSON.parse(renderJson(result)) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      reportVersion: 1,
      exitCode: 1,
      runId: result.runId,
      counts: { pass: 1, fail: 1, blocked: 1, skip: 1, aborted: 0 },
    });
    expect((parsed.checks as unknown[]).length).toBe(4);
  });
});

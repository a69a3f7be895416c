import { describe, expect, it } from 'vitest';
import { formatValue, printResult, renderJson, renderView } from '../src/output';
import { PassThrough } from 'node:stream';
import { createProgress, formatBytes } from '../src/output/progress';
import { didYouMean, editDistance } from '../src/output/suggest';
import { testRuntime } from './support/test-runtime';

describe('output', () => {
  it('renders tables with headers, right alignment, a footer and an empty text', () => {
    const text = renderView([
      {
        kind: 'table',
        title: 'Apps',
        columns: [{ key: 'name' }, { key: 'replicas', align: 'right' }, { key: 'ok', header: 'OK?' }],
        rows: [
          { name: 'cvat-server', replicas: 2, ok: true },
          { name: 'opa', replicas: 10, ok: false },
        ],
        footer: ['(2 rows)'],
      },
      { kind: 'table', columns: [{ key: 'x' }], rows: [], empty: 'no rules' },
    ]);
    expect(text).toBe(
      [
        'Apps',
        'NAME         REPLICAS  OK?',
        'cvat-server         2  yes',
        'opa                10  no',
        '(2 rows)',
        '',
        'no rules',
        '',
      ].join('\n'),
    );
  });

  it('renders aligned fields and free lines, separated by blank lines', () => {
    expect(
      renderView([
        {
          kind: 'fields',
          title: 'Account',
          fields: [
            ['default action', 'Deny'],
            ['bypass', undefined],
          ],
        },
        { kind: 'lines', lines: ['done.'] },
      ]),
    ).toBe('Account\ndefault action: Deny\nbypass:         -\n\ndone.\n');
    expect(renderView([])).toBe('');
  });

  it('formats cell values: null, dates, booleans, bytes, arrays and objects', () => {
    expect(
      [null, undefined, new Date('2026-01-01T00:00:00Z'), true, new Uint8Array([1, 255]), ['a', 1], { a: 1 }].map(formatValue),
    ).toEqual(['-', '-', '2026-01-01T00:00:00.000Z', 'yes', '\\x01ff', 'a, 1', '{"a":1}']);
  });

  it('renders JSON with bigints as strings and bytes as base64', () => {
    expect(JSON.parse(renderJson({ n: 10n, b: Buffer.from('hi') }))).toEqual({ n: '10', b: 'aGk=' });
  });

  it('prints the view for people, the data with --json, and nothing for streamed results', () => {
    const rt = testRuntime();
    printResult({ data: { a: 1 }, view: [{ kind: 'lines', lines: ['human'] }] }, { json: false, stdout: rt.stdout });
    printResult({ data: { a: 1 }, view: [] }, { json: true, stdout: rt.stdout });
    printResult({ data: { a: 2 }, view: [{ kind: 'lines', lines: ['x'] }], streamed: true }, { json: true, stdout: rt.stdout });
    expect(rt.out()).toBe('human\n{\n  "a": 1\n}\n');
  });

  it('formats byte counts in binary units', () => {
    expect([0, 1023, 1024, 1536, 9 * 1024 * 1024 + 17, 5 * 1024 ** 4].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.0 KiB',
      '1.5 KiB',
      '9.0 MiB',
      '5.0 TiB',
    ]);
  });

  it('suggests the closest name only when it is close', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(didYouMean('vectr', ['opa', 'vector', 'cvat-ui'])).toBe(" Did you mean 'vector'?");
    expect(didYouMean('postgres', ['opa', 'vector'])).toBe('');
  });
});

describe('progress', () => {
  it('draws a cli-progress bar with bytes and files when stderr is a terminal', async () => {
    const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    let text = '';
    stderr.on('data', (c: Buffer) => (text += c.toString()));
    const p = await createProgress({ stderr }, { json: false, totalBytes: 2048, totalItems: 2, label: 'uploading' });
    p.advance(1024);
    p.itemDone('a', 'uploaded');
    p.advance(1024);
    p.itemDone('b', 'uploaded');
    p.stop();
    expect(text).toContain('uploading');
    expect(text).toMatch(/100% \| 2\.0 KiB\/2\.0 KiB \| 2\/2 files/);
  });

  it('prints one line per item when stderr is not a terminal, and nothing with --json', async () => {
    const rt = testRuntime();
    const lines = await createProgress(rt, { json: false, totalBytes: 1, totalItems: 1, label: 'x' });
    lines.itemDone('seed/a.txt', 'skipped', 'identical (size + MD5)');
    const quiet = await createProgress(rt, { json: true, totalBytes: 1, totalItems: 1, label: 'x' });
    quiet.itemDone('seed/b.txt', 'uploaded');
    expect(rt.err()).toBe('skipped   seed/a.txt (identical (size + MD5))\n');
  });
});

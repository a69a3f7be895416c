import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { MAX_LINE_CHARS, overlongLines } from '../check-style.mjs';

const root = resolve(__dirname, '../..');

describe('check-style line bound', () => {
  it('reports lines over the bound with their number and length, and nothing at the bound', () => {
    const text = ['short', 'x'.repeat(MAX_LINE_CHARS), 'y'.repeat(MAX_LINE_CHARS + 1)].join('\n');
    expect(overlongLines(text)).toEqual([{ line: 3, chars: MAX_LINE_CHARS + 1 }]);
  });

  it('exempts a line whose overflow is one URL, not one that is long without it', () => {
    const url = `https://example.com/${'a'.repeat(120)}`;
    expect(overlongLines(`// see ${url} for the table`)).toEqual([]);
    expect(overlongLines(`// ${'words '.repeat(30)}${url}`)).toHaveLength(1);
  });

  it('fails a project with a misformatted file (Biome ci), naming it', () => {
    const dir = mkdtempSync(join(root, 'tools', '.style-probe-'));
    try {
      writeFileSync(join(dir, 'bad.ts'), 'export const  x = {a:1}\n');
      const run = spawnSync(process.execPath, [join(root, 'tools/check-style.mjs'), dir], { cwd: root, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(`${run.stdout}${run.stderr}`).toContain('bad.ts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@cvat-cloud/testing';
import { formatCommand, shellQuote } from '../src';

/** What /bin/sh makes of a printed command line: the words it passes to a program (printf one per line). */
function shWords(line: string, cwd: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { cwd, encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const HOSTILE = [
  'x;touch pwned',
  '$(touch pwned)',
  '`touch pwned`',
  "it's",
  "'; touch pwned; '",
  'a b  c',
  '*',
  '~',
  '#comment',
  '',
  '--env=a|b',
  'a&&touch pwned',
  '>pwned',
  '"$HOME"',
  '\\',
  '!',
];

describe('shellQuote', () => {
  it('leaves plain words alone', () => {
    for (const word of ['cvat-ops', 'dev', '--env', 'environments/dev.yaml', 'a=b', 'user@host:5432', '1,2', '+x', '%20']) {
      expect(shellQuote(word)).toBe(word);
    }
  });

  it("single-quotes anything else, writing a quote as '\\''", () => {
    expect(shellQuote('x;touch pwned')).toBe("'x;touch pwned'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('~')).toBe("'~'");
  });

  it("uses $'…' for control characters so the line stays one line", () => {
    expect(shellQuote('a\nb')).toBe("$'a\\nb'");
    expect(shellQuote("\u001b[2J'")).toBe("$'\\x1b[2J\\''");
  });

  it('survives /bin/sh: every hostile value arrives as exactly one word and runs nothing', () => {
    const dir = tempDir();
    try {
      for (const value of HOSTILE) {
        expect(shWords(shellQuote(value), dir.dir)).toEqual([value]);
      }
      expect(existsSync(`${dir.dir}/pwned`)).toBe(false);
    } finally {
      dir.cleanup();
    }
  });
});

describe('formatCommand', () => {
  it('quotes each argument and joins them with spaces', () => {
    expect(formatCommand(['cvat-ops', 'apps', 'delete', '--env', 'x;rm -rf ~', '--yes'])).toBe(
      "cvat-ops apps delete --env 'x;rm -rf ~' --yes",
    );
  });

  it('quotes a first word with = (it would be read as an assignment)', () => {
    expect(formatCommand(['A=b', 'c'])).toBe("'A=b' c");
  });

  it('round-trips through /bin/sh', () => {
    const dir = tempDir();
    try {
      expect(shWords(formatCommand(HOSTILE), dir.dir)).toEqual(HOSTILE);
      expect(existsSync(`${dir.dir}/pwned`)).toBe(false);
    } finally {
      dir.cleanup();
    }
  });
});

describe.skipIf(!existsSync('/bin/bash'))('shellQuote with control characters (bash)', () => {
  it("round-trips newlines, tabs, ESC and quotes through $'…'", () => {
    const values = ['a\nb', "tab\there's", '\u001b[31mred', 'back\\slash\r'];
    const out = execFileSync('/bin/bash', ['-c', `printf '%s\\0' ${formatCommand(values)}`], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(values);
  });
});

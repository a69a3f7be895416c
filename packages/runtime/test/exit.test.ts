import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_CODE_TABLE, exitCodesHelp, isExitCode } from '../src';

describe('the exit-code table', () => {
  it('gives every code one name and one meaning, in the documented order', () => {
    expect(EXIT).toEqual({
      OK: 0,
      FAILED: 1,
      USAGE: 2,
      REFUSED: 3,
      CONFIG: 4,
      AUTH: 5,
      NOT_FOUND: 6,
      UNAVAILABLE: 7,
      INCOMPLETE: 8,
      INTERNAL: 70,
      INTERRUPTED: 130,
    });
    expect(EXIT_CODE_TABLE.map((r) => [r.name, r.code])).toEqual(Object.entries(EXIT));
    expect(new Set(EXIT_CODE_TABLE.map((r) => r.code)).size).toBe(EXIT_CODE_TABLE.length);
    expect(new Set(EXIT_CODE_TABLE.map((r) => r.meaning)).size).toBe(EXIT_CODE_TABLE.length);
  });

  it('prints the whole table for --help, or only the codes a tool returns plus 0, 2, 70 and 130', () => {
    const all = exitCodesHelp();
    expect(all.split('\n')).toHaveLength(1 + EXIT_CODE_TABLE.length);
    expect(all).toMatch(/^Exit codes \(the same in every cvat-cloud tool, see docs\/exit-codes\.md\):\n {2}0 {3}done/);
    expect(all).toContain('\n  130 interrupted (Ctrl-C)');
    const some = exitCodesHelp([EXIT.FAILED, EXIT.CONFIG])
      .split('\n')
      .slice(1)
      .map((l) => Number(l.trim().split(' ')[0]));
    expect(some).toEqual([0, 1, 2, 4, 70, 130]);
  });

  it('recognises documented codes only', () => {
    expect(isExitCode(7)).toBe(true);
    expect(isExitCode(9)).toBe(false);
    expect(isExitCode('1')).toBe(false);
  });
});

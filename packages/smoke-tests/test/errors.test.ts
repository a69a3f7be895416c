import { describe, expect, it } from 'vitest';
import { CliError, EXIT } from '@cvat-cloud/runtime';
import { SmokeError, exitFor } from '../src/errors';

describe('SmokeError on the one exit table', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  it.each([
    ['usage', undefined, EXIT.USAGE],
    ['config', undefined, EXIT.CONFIG],
    ['aborted', undefined, EXIT.INTERRUPTED],
    ['timeout', undefined, EXIT.UNAVAILABLE],
    ['http', refused, EXIT.UNAVAILABLE],
    ['http', undefined, EXIT.FAILED],
    ['assertion', undefined, EXIT.FAILED],
  ] as const)('%s (cause %s) exits %i', (kind, cause, exit) => {
    expect(exitFor(kind, cause)).toBe(exit);
    const error = new SmokeError(kind, 'what went wrong', { cause });
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ name: 'SmokeError', code: kind, exit, message: 'what went wrong' });
  });
});

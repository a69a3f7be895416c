import { describe, expect, it } from 'vitest';
import { expectShape, match, objectLike } from '../src/expect';

describe('objectLike', () => {
  it('matches when every expected key matches and ignores extra keys', () => {
    expect(objectLike({ status: 'finished', id: 'x', extra: [1, 2] }, { status: 'finished' })).toEqual([]);
  });

  it('reports each mismatch as a dot-path with the value seen and the value expected', () => {
    expect(
      objectLike(
        { status: 'failed', operation: { target: 'job' } },
        { status: 'finished', operation: { target: 'task', type: match.string() } },
      ),
    ).toEqual([
      `'body.status' is "failed", expected "finished"`,
      `'body.operation.target' is "job", expected "task"`,
      `'body.operation.type' is missing, expected a string`,
    ]);
  });

  it('compares arrays element by element and by length', () => {
    expect(objectLike([1, 2], [1, 2])).toEqual([]);
    expect(objectLike([1, 2, 3], [1, 2])).toEqual([`'body' has 3 elements, expected 2`]);
    expect(objectLike([{ a: 1 }], [{ a: 2 }])).toEqual([`'body[0].a' is 1, expected 2`]);
  });

  it('applies matchers', () => {
    expect(objectLike({ n: 3 }, { n: match.integer(1) })).toEqual([]);
    expect(objectLike({ n: 0 }, { n: match.integer(1) })).toEqual([`'body.n' is 0, expected an integer ≥ 1`]);
    expect(objectLike({ s: 'queued' }, { s: match.oneOf('finished', 'failed') })).toEqual([
      `'body.s' is "queued", expected one of "finished", "failed"`,
    ]);
    expect(objectLike({ c: [{ name: 'dog' }, { name: 'car' }] }, { c: match.arrayContaining({ name: 'car' }) })).toEqual([]);
    expect(objectLike({ c: [{ name: 'dog' }] }, { c: match.arrayContaining({ name: 'car' }) })).toEqual([
      `'body.c' is [{"name":"dog"}], expected an array containing {"name":"car"}`,
    ]);
    expect(objectLike({ a: [1] }, { a: match.arrayOf(undefined, 2) })).toEqual([`'body.a' is [1], expected an array of ≥ 2`]);
  });

  it('says an object was expected when it gets something else', () => {
    expect(objectLike('html', { key: match.string() })).toEqual([`'body' is "html", expected an object`]);
  });
});

describe('expectShape', () => {
  it('throws an assertion error naming the request and listing every mismatch', () => {
    let error: unknown;
    try {
      expectShape('GET /api/server/about', { version: 2 }, { name: match.string(), version: match.string() });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'assertion',
      message: `GET /api/server/about answered an unexpected shape: 'body.name' is missing, expected a string; 'body.version' is 2, expected a string`,
      details: [`'body.name' is missing, expected a string`, `'body.version' is 2, expected a string`],
    });
  });
});

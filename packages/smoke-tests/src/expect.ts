/**
 * Partial response-shape assertions (house style rule 18, after aws-cdk integ-tests'
 * `ExpectedResult.objectLike`): objects match when every expected key matches (extra keys are fine, so a
 * newer CVAT that adds fields still passes); arrays match element by element with the same length; a
 * {@link Matcher} tests a value by a predicate. Mismatches are reported as dot-paths with the value seen.
 */
import { SmokeError } from './errors';

/** A named predicate usable anywhere inside an expected shape. */
export interface Matcher {
  readonly kind: 'matcher';
  /** What the matcher accepts, for messages (e.g. `an integer ≥ 1`). */
  readonly describe: string;
  test(value: unknown): boolean;
}

/** An expected shape: a literal, a matcher, or objects/arrays of them. */
export type Shape = Matcher | string | number | boolean | null | readonly Shape[] | { readonly [key: string]: Shape };

function matcher(describe: string, test: (value: unknown) => boolean): Matcher {
  return { kind: 'matcher', describe, test };
}

/** Ready-made matchers. */
export const match = {
  /** Any value, including undefined. */
  anything: (): Matcher => matcher('anything', () => true),
  /** Present and not null. */
  present: (): Matcher => matcher('a value', (v) => v !== undefined && v !== null),
  /** A string; with `pattern`, one that matches it. */
  string: (pattern?: RegExp): Matcher =>
    matcher(
      pattern ? `a string matching ${pattern}` : 'a string',
      (v) => typeof v === 'string' && (pattern === undefined || pattern.test(v)),
    ),
  /** An integer ≥ `min`. */
  integer: (min = Number.MIN_SAFE_INTEGER): Matcher =>
    matcher(min === Number.MIN_SAFE_INTEGER ? 'an integer' : `an integer ≥ ${min}`, (v) => Number.isInteger(v) && (v as number) >= min),
  /** One of the given literals. */
  oneOf: (...values: readonly (string | number | boolean | null)[]): Matcher =>
    matcher(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, (v) => values.includes(v as string)),
  /** An array with at least `min` elements, each matching `item` when given. */
  arrayOf: (item?: Shape, min = 0): Matcher =>
    matcher(
      `an array of ≥ ${min}${item === undefined ? '' : ' matching items'}`,
      (v) => Array.isArray(v) && v.length >= min && (item === undefined || v.every((x) => objectLike(x, item).length === 0)),
    ),
  /** An array containing at least one element that matches `item`. */
  arrayContaining: (item: Shape): Matcher =>
    matcher(`an array containing ${describeShape(item)}`, (v) => Array.isArray(v) && v.some((x) => objectLike(x, item).length === 0)),
};

function isMatcher(value: unknown): value is Matcher {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'matcher' &&
    typeof (value as Matcher).test === 'function'
  );
}

function describeShape(shape: Shape): string {
  return isMatcher(shape) ? shape.describe : JSON.stringify(shape, (_k, v: unknown) => (isMatcher(v) ? `<${v.describe}>` : v));
}

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** Mismatches of `actual` against `expected`, as `path: seen …, expected …` lines; empty when it matches. */
export function objectLike(actual: unknown, expected: Shape, path = 'body'): string[] {
  if (isMatcher(expected)) {
    return expected.test(actual) ? [] : [`'${path}' is ${show(actual)}, expected ${expected.describe}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`'${path}' is ${show(actual)}, expected an array of ${expected.length}`];
    if (actual.length !== expected.length) return [`'${path}' has ${actual.length} elements, expected ${expected.length}`];
    return expected.flatMap((item: Shape, i) => objectLike(actual[i], item, `${path}[${i}]`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`'${path}' is ${show(actual)}, expected an object`];
    return Object.entries(expected as Record<string, Shape>).flatMap(([key, value]) =>
      objectLike((actual as Record<string, unknown>)[key], value, `${path}.${key}`),
    );
  }
  return Object.is(actual, expected) ? [] : [`'${path}' is ${show(actual)}, expected ${JSON.stringify(expected)}`];
}

/** Throws a {@link SmokeError} `assertion` (`<what> answered an unexpected shape`) listing every mismatch. */
export function expectShape(what: string, actual: unknown, expected: Shape): void {
  const mismatches = objectLike(actual, expected);
  if (mismatches.length === 0) return;
  const first = mismatches.slice(0, 3).join('; ');
  const more = mismatches.length > 3 ? ` (+${mismatches.length - 3} more)` : '';
  throw new SmokeError('assertion', `${what} answered an unexpected shape: ${first}${more}`, { details: mismatches });
}

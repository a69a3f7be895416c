import type { ValueCheck } from './model';

/** What a check allows, for reports (`an integer between 1 and 30`). */
export function describeCheck(check: ValueCheck): string {
  switch (check.kind) {
    case 'intBetween':
      return `an integer between ${check.min} and ${check.max}`;
    case 'intAtLeast':
      return `an integer of at least ${check.min}`;
    case 'floatAtLeast':
      return `a number of at least ${check.min}`;
    case 'floatBetween':
      return `a number between ${check.min} and ${check.max}`;
    case 'intInSlice':
      return `one of ${check.values.join(', ')}`;
    case 'stringInSlice': {
      const shown =
        check.values.length > 16
          ? [...check.values.slice(0, 12).map((v) => JSON.stringify(v)), `... (${check.values.length} values)`]
          : check.values.map((v) => JSON.stringify(v));
      return `one of ${shown.join(', ')}${check.ignoreCase ? ' (any case)' : ''}`;
    }
    case 'stringNotEmpty':
      return 'a non-empty string';
    case 'stringLenBetween':
      return `a string of ${check.min} to ${check.max} characters`;
    case 'regex':
      return `${check.allowed} (${check.pattern.source})`;
    case 'validator':
      return check.allowed;
    case 'eachItem':
      return `a list whose every item is ${describeCheck(check.check)}`;
  }
}

const asNumber = (value: unknown): number | undefined => {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
};

/**
 * Runs a check on a literal value. Returns undefined when the value passes (or is an expression,
 * unknown at plan time), else why it is refused.
 */
export function runCheck(check: ValueCheck, value: unknown): string | undefined {
  if (typeof value === 'string' && value.includes('${')) return undefined;
  switch (check.kind) {
    case 'intBetween':
    case 'intAtLeast': {
      const n = asNumber(value);
      if (n === undefined || !Number.isInteger(n)) return 'is not an integer';
      const max = check.kind === 'intBetween' ? check.max : Infinity;
      return n < check.min || n > max ? 'is out of range' : undefined;
    }
    case 'floatAtLeast':
    case 'floatBetween': {
      const n = asNumber(value);
      if (n === undefined) return 'is not a number';
      const max = check.kind === 'floatBetween' ? check.max : Infinity;
      return n < check.min || n > max ? 'is out of range' : undefined;
    }
    case 'intInSlice': {
      const n = asNumber(value);
      return n !== undefined && check.values.includes(n) ? undefined : 'is not one of the allowed values';
    }
    case 'stringInSlice': {
      if (typeof value !== 'string') return 'is not a string';
      const ok = check.ignoreCase ? check.values.some((v) => v.toLowerCase() === value.toLowerCase()) : check.values.includes(value);
      return ok ? undefined : 'is not one of the allowed values';
    }
    case 'stringNotEmpty':
      return typeof value === 'string' && value !== '' ? undefined : 'is empty';
    case 'stringLenBetween':
      if (typeof value !== 'string') return 'is not a string';
      return value.length < check.min || value.length > check.max ? `has ${value.length} characters` : undefined;
    case 'regex':
      if (typeof value !== 'string') return 'is not a string';
      return check.pattern.test(value) ? undefined : 'does not match';
    case 'validator':
      if (typeof value !== 'string') return 'is not a string';
      return check.test(value);
    case 'eachItem': {
      if (!Array.isArray(value)) return undefined;
      for (const [i, item] of value.entries()) {
        const why = runCheck(check.check, item);
        if (why) return `item ${i} (${JSON.stringify(item)}) ${why}`;
      }
      return undefined;
    }
  }
}

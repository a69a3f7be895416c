import type {
  AttributeRule,
  DeprecationRule,
  ItemsRule,
  PresenceRule,
  ProviderSource,
  ResourceRule,
  ValueCheck,
  Violation,
} from '../model';
import { isUnknown } from '../model';

/** A source in the azurerm provider. */
export const azurerm = (file: string, func: string): ProviderSource => ({ provider: 'azurerm', file, func });

/** `type` + `path` → an attribute rule with id `<type>:<path>`. */
export function attr(type: string, path: string, check: ValueCheck, source: ProviderSource): AttributeRule {
  return { kind: 'attribute', id: `${type}:${path}`, type, path, check, source };
}

/** A presence rule with id `<type>:<block>:<kind>(<attributes>)`. */
export function presence(
  kind: PresenceRule['kind'],
  type: string,
  block: string,
  attributes: readonly string[],
  source: ProviderSource,
): PresenceRule {
  return { kind, id: `${type}:${block ? `${block}:` : ''}${kind}(${attributes.join(',')})`, type, block, attributes, source };
}

/** MinItems/MaxItems on a list. */
export function items(type: string, path: string, bounds: { min?: number; max?: number }, source: ProviderSource): ItemsRule {
  return { kind: 'items', id: `${type}:${path}:items`, type, path, ...bounds, source };
}

/** A deprecated argument. */
export function deprecated(type: string, path: string, message: string, source: ProviderSource): DeprecationRule {
  return { kind: 'deprecated', id: `${type}:${path}:deprecated`, type, path, message, source };
}

/** A resource-level plan-time check with id `<type>:<name>`. */
export function resourceRule(
  type: string,
  name: string,
  description: string,
  source: ProviderSource,
  check: ResourceRule['check'],
): ResourceRule {
  return { kind: 'resource', id: `${type}:${name}`, type, description, source, check };
}

/** Shorthands for value checks. */
export const between = (min: number, max: number): ValueCheck => ({ kind: 'intBetween', min, max });
export const atLeast = (min: number): ValueCheck => ({ kind: 'intAtLeast', min });
export const oneOf = (values: readonly string[], ignoreCase = false): ValueCheck => ({ kind: 'stringInSlice', values, ignoreCase });
export const notEmpty: ValueCheck = { kind: 'stringNotEmpty' };
export const validator = (allowed: string, test: (value: string) => string | undefined): ValueCheck => ({
  kind: 'validator',
  allowed,
  test,
});

/** A literal (non-expression) string, else undefined. */
export const literalString = (value: unknown): string | undefined => (typeof value === 'string' && !isUnknown(value) ? value : undefined);

/** Whether an argument is set (an expression counts as set; null and empty lists do not). */
export const isSet = (value: unknown): boolean => value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);

/** Nested blocks as a list (cdktf writes `MaxItems: 1` blocks as objects). */
export function asBlocks(value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null || isUnknown(value)) return [];
  return (Array.isArray(value) ? value : [value]).filter(
    (v): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v),
  );
}

/** Collects violations. */
export function violations(): { list: Violation[]; add: (path: string, value: unknown, allowed: string) => void } {
  const list: Violation[] = [];
  return { list, add: (path, value, allowed) => list.push({ path, value, allowed }) };
}

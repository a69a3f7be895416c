import type { BlockSchema, TypeSchema } from './schema/types';
import { isUnknown } from './model';

/** Terraform meta-arguments and cdktf annotations, accepted on every resource and data source. */
export const META_ARGUMENTS: ReadonlySet<string> = new Set([
  '//',
  'count',
  'for_each',
  'depends_on',
  'provider',
  'lifecycle',
  'provisioner',
  'connection',
]);

/** One structural problem. */
export interface StructureIssue {
  /** `schema/<what>`. */
  readonly rule: string;
  readonly path: string;
  readonly value: unknown;
  readonly allowed: string;
}

const join = (base: string, key: string) => (base ? `${base}.${key}` : key);

function typeIssue(type: string, value: unknown): string | undefined {
  if (isUnknown(value) || value === null) return undefined;
  switch (type) {
    case 'number':
      if (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))) return undefined;
      return 'a number';
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? undefined : 'a boolean';
    case 'string':
      return ['string', 'number', 'boolean'].includes(typeof value) ? undefined : 'a string';
    case 'stringList':
    case 'numberList':
    case 'booleanList':
      return Array.isArray(value) ? undefined : 'a list';
    case 'stringMap':
    case 'numberMap':
    case 'booleanMap':
      return typeof value === 'object' && !Array.isArray(value) ? undefined : 'a map';
    default:
      return undefined;
  }
}

/**
 * Checks one block against its schema: arguments the schema does not have (`schema/unsupported-argument`),
 * computed-only attributes set (`schema/computed-only`), required arguments and blocks missing,
 * a `MaxItems: 1` block given more than once, values of the wrong type, and the same for every
 * nested block.
 */
export function checkBlock(schema: BlockSchema, body: Record<string, unknown>, path: string, topLevel: boolean): StructureIssue[] {
  const out: StructureIssue[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (topLevel && META_ARGUMENTS.has(key)) continue;
    const p = join(path, key);
    const attribute = schema.attributes[key];
    const block = schema.blocks[key];
    if (attribute) {
      const wrong = typeIssue(attribute.type, value);
      if (wrong) out.push({ rule: 'schema/type', path: p, value, allowed: wrong });
      continue;
    }
    if (block) {
      if (isUnknown(value)) continue;
      const items = Array.isArray(value) ? value : [value];
      if (block.nesting === 'single' && items.length > 1) {
        out.push({ rule: 'schema/max-items', path: p, value: `${items.length} blocks`, allowed: 'at most 1 block (MaxItems: 1)' });
      }
      items.forEach((item, i) => {
        const ip = Array.isArray(value) ? `${p}[${i}]` : p;
        if (isUnknown(item)) return;
        if (!item || typeof item !== 'object' || Array.isArray(item)) {
          out.push({ rule: 'schema/type', path: ip, value: item, allowed: 'a block (object)' });
          return;
        }
        out.push(...checkBlock(block.block, item as Record<string, unknown>, ip, false));
      });
      continue;
    }
    const computed = schema.computedOnly.includes(key);
    out.push({
      rule: computed ? 'schema/computed-only' : 'schema/unsupported-argument',
      path: p,
      value,
      allowed: computed
        ? 'not set: the provider computes this attribute'
        : `one of the block's arguments (${[...Object.keys(schema.attributes), ...Object.keys(schema.blocks)].join(', ')})`,
    });
  }
  for (const [key, attribute] of Object.entries(schema.attributes)) {
    if (attribute.required && (body[key] === undefined || body[key] === null)) {
      out.push({ rule: 'schema/required-attribute', path: join(path, key), value: undefined, allowed: 'set (Required)' });
    }
  }
  for (const [key, block] of Object.entries(schema.blocks)) {
    const value = body[key];
    const empty = value === undefined || value === null || (Array.isArray(value) && value.length === 0);
    if (block.required && empty)
      out.push({ rule: 'schema/required-block', path: join(path, key), value: undefined, allowed: 'at least one block (Required)' });
  }
  return out;
}

/** Checks a resource or data source body against its type's schema. */
export function checkStructure(schema: TypeSchema, body: Record<string, unknown>): StructureIssue[] {
  return checkBlock(schema.block, body, '', true);
}

#!/usr/bin/env node
/**
 * `node dist/validate/schema/generate.js [--check]`: regenerates `src/validate/schema/generated.ts`,
 * the structural schema (arguments, required, nesting, computed-only) of every covered type, from
 * the prebuilt cdktf bindings in node_modules. cdktf generated those bindings from the provider's
 * own schema at the pinned version, so this is the provider's schema, read mechanically:
 *
 * - `synthesizeHclAttributes()` of the resource class and `<struct>ToHclTerraform()` of each nested
 *   block list every configurable argument and block with its Terraform name, storage class and
 *   nesting (a block written through `listMapperHcl` is a list or set; one written directly is a
 *   `MaxItems: 1` block);
 * - the `.d.ts` config interfaces mark optional arguments and blocks with `?`;
 * - getters without a setter on the resource class and the `<struct>OutputReference` classes are
 *   the computed-only attributes.
 *
 * With `--check` it writes nothing and exits 1 when the committed file is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { COVERED_TYPES, schemaKey, type CoveredType } from './covered';
import type { AttributeSchema, BlockSchema, NestedBlockSchema, TypeSchema } from './types';

/** Where the generated module lives (from `src/` and from `dist/`). */
export const GENERATED_PATH = resolve(__dirname, '..', '..', '..', 'src', 'validate', 'schema', 'generated.ts');

interface Entry {
  readonly tfName: string;
  readonly camel: string;
  readonly isBlock: boolean;
  readonly type: string;
  readonly storageClassType: string;
  readonly nestedFn?: string;
  readonly viaListMapper: boolean;
}

const ENTRY = /(\w+): \{\s*value: (.*?),\s*isBlock: (true|false),\s*type: "(\w+)",\s*storageClassType: "(\w+)",\s*\}/g;

/** The text from `start` to the end of the top-level construct that starts there (`\n}\n`). */
function topLevelBody(text: string, start: number): string {
  const end = text.indexOf('\n}\n', start);
  return text.slice(start, end < 0 ? text.length : end);
}

function parseEntries(attrs: string): Entry[] {
  const out: Entry[] = [];
  for (const m of attrs.matchAll(ENTRY)) {
    const value = m[2];
    const camel = /(?:struct\.|this\._)(\w+)/.exec(value)?.[1];
    if (!camel) throw new Error(`cannot read the property of '${m[1]}' from '${value}'`);
    const nestedFn = /(?<!cdktf\.)\b([a-z]\w*)ToHclTerraform/.exec(value)?.[1];
    out.push({
      tfName: m[1],
      camel,
      isBlock: m[3] === 'true',
      type: m[4],
      storageClassType: m[5],
      nestedFn,
      viaListMapper: value.startsWith('cdktf.listMapperHcl'),
    });
  }
  return out;
}

/** `export interface X { readonly a?: ...; }` → optional flags by property. */
function parseInterfaces(dts: string): Map<string, Map<string, boolean>> {
  const out = new Map<string, Map<string, boolean>>();
  for (const m of dts.matchAll(/^export interface (\w+)(?: extends [\w.]+)? \{/gm)) {
    const body = topLevelBody(dts, m.index);
    const props = new Map<string, boolean>();
    for (const p of body.matchAll(/^ {4}readonly (\w+)(\?)?:/gm)) props.set(p[1], p[2] === '?');
    out.set(m[1], props);
  }
  return out;
}

/** Terraform names of the getters without a setter in a class body. */
function computedGetters(classBody: string): string[] {
  const setters = new Set([...classBody.matchAll(/^ {4}set (\w+)\(/gm)].map((m) => m[1]));
  const fields = new Map([...classBody.matchAll(/this\._(\w+) = new \w+\(this, "(\w+)"/g)].map((m) => [m[1], m[2]]));
  const out: string[] = [];
  for (const m of classBody.matchAll(/^ {4}get (\w+)\(\) \{\n\s*return (.*?);\n/gm)) {
    if (setters.has(m[1]) || m[1].endsWith('Input')) continue;
    const tfName =
      /^this\.get\w*Attribute\('(\w+)'\)$/.exec(m[2])?.[1] ?? (m[2].startsWith('this._') ? fields.get(m[2].slice(6)) : undefined);
    if (tfName) out.push(tfName);
  }
  return out;
}

function classBody(js: string, name: string): string | undefined {
  const m = new RegExp(`^class ${name} extends [\\w.]+ \\{`, 'm').exec(js);
  return m ? topLevelBody(js, m.index) : undefined;
}

/** Reads the schema of one covered type from its binding module. */
export function readTypeSchema(covered: CoveredType, nodeModules: string): TypeSchema {
  const dir = join(nodeModules, covered.pkg, 'lib', covered.module);
  const js = readFileSync(join(dir, 'index.js'), 'utf8');
  const dts = readFileSync(join(dir, 'index.d.ts'), 'utf8');
  const pkg = JSON.parse(readFileSync(join(nodeModules, covered.pkg, 'package.json'), 'utf8')) as {
    cdktf?: { provider?: { name?: string; version?: string } };
  };
  const base = { resource: 'TerraformResource', data: 'TerraformDataSource', provider: 'TerraformProvider' }[covered.kind];
  const cls = new RegExp(`^class (\\w+) extends cdktf\\.${base} \\{`, 'm').exec(js);
  if (!cls) throw new Error(`${covered.pkg}/lib/${covered.module}: no class extending cdktf.${base}`);
  const declared = new RegExp(`^${cls[1]}\\.tfResourceType = "(\\w+)";`, 'm').exec(js)?.[1];
  if (declared !== covered.type) throw new Error(`${covered.pkg}/lib/${covered.module} declares '${declared}', expected '${covered.type}'`);
  const interfaces = parseInterfaces(dts);
  const functions = new Map<string, string>();
  for (const m of js.matchAll(/^function (\w+)ToHclTerraform\(struct\) \{/gm)) functions.set(m[1], topLevelBody(js, m.index));

  const build = (entries: Entry[], iface: string, body: string | undefined, where: string): BlockSchema => {
    const optional = interfaces.get(iface);
    if (!optional) throw new Error(`${where}: no interface ${iface} in index.d.ts`);
    const attributes: Record<string, AttributeSchema> = {};
    const blocks: Record<string, NestedBlockSchema> = {};
    for (const e of entries) {
      const isOptional = optional.get(e.camel);
      if (isOptional === undefined) throw new Error(`${where}: ${iface} has no property ${e.camel} (${e.tfName})`);
      if (!e.isBlock) {
        attributes[e.tfName] = { required: !isOptional, type: e.storageClassType };
        continue;
      }
      if (!e.nestedFn) throw new Error(`${where}: block ${e.tfName} has no nested function`);
      const nestedBody = functions.get(e.nestedFn);
      if (!nestedBody) throw new Error(`${where}: no function ${e.nestedFn}ToHclTerraform`);
      const struct = e.nestedFn[0].toUpperCase() + e.nestedFn.slice(1);
      const nestedAttrs = /const attrs = \{([\s\S]*?)\n {4}\};/.exec(nestedBody)?.[1] ?? '';
      blocks[e.tfName] = {
        required: !isOptional,
        nesting: e.viaListMapper ? (e.type === 'set' ? 'set' : 'list') : 'single',
        block: build(parseEntries(nestedAttrs), struct, classBody(js, `${struct}OutputReference`), `${where}.${e.tfName}`),
      };
    }
    const configurable = new Set([...Object.keys(attributes), ...Object.keys(blocks)]);
    const computedOnly = body ? [...new Set(computedGetters(body))].filter((n) => !configurable.has(n)).sort() : [];
    return { attributes, blocks, computedOnly };
  };

  const resourceBody = topLevelBody(js, cls.index);
  const synth = /synthesizeHclAttributes\(\) \{\s*const attrs = \{([\s\S]*?)\n {8}\};/.exec(resourceBody)?.[1];
  if (synth === undefined) throw new Error(`${covered.pkg}/lib/${covered.module}: no synthesizeHclAttributes()`);
  const block = build(parseEntries(synth), `${cls[1]}Config`, resourceBody, covered.type);
  const provider = `${(pkg.cdktf?.provider?.name ?? covered.pkg).replace('registry.terraform.io/', '')} ${pkg.cdktf?.provider?.version ?? '?'}`;
  return { kind: covered.kind, type: covered.type, provider, module: `${covered.pkg}/lib/${covered.module}`, block };
}

/** The node_modules directory the bindings resolve from. */
export function bindingsNodeModules(): string {
  return resolve(dirname(require.resolve('@cdktf/provider-azurerm/package.json')), '..', '..');
}

/** Every covered type's schema, keyed by {@link schemaKey}. */
export function generateSchemas(nodeModules: string = bindingsNodeModules()): Record<string, TypeSchema> {
  const out: Record<string, TypeSchema> = {};
  for (const covered of COVERED_TYPES) out[schemaKey(covered.kind, covered.type)] = readTypeSchema(covered, nodeModules);
  return out;
}

/** The text of `generated.ts`. */
export function renderGeneratedModule(schemas: Record<string, TypeSchema>): string {
  const lines = [
    '// Generated by `node dist/validate/schema/generate.js` from the prebuilt cdktf bindings',
    '// (@cdktf/provider-azurerm, -random, -time); do not edit. test/validate/schema.test.ts fails when it is stale.',
    "import type { TypeSchema } from './types';",
    '',
    '/** Structural schema of every covered type, keyed by type (`data.<type>` for data sources). */',
    'export const GENERATED_SCHEMAS: Readonly<Record<string, TypeSchema>> = {',
  ];
  // Pretty-printed (one argument per line) so a change of the bindings shows as a readable diff.
  const body = JSON.stringify(schemas, null, 2)
    .replace(/\{\n\s+"required": (true|false),\n\s+"type": "(\w+)"\n\s+\}/g, '{ "required": $1, "type": "$2" }')
    .split('\n')
    .slice(1);
  lines.pop();
  lines.push(`export const GENERATED_SCHEMAS: Readonly<Record<string, TypeSchema>> = {`, ...body.slice(0, -1), '};', '');
  return lines.join('\n');
}

/** The process edge. */
export function main(argv: readonly string[] = process.argv.slice(2)): number {
  const text = renderGeneratedModule(generateSchemas());
  if (argv.includes('--check')) {
    const current = readFileSync(GENERATED_PATH, 'utf8');
    if (current !== text) {
      process.stderr.write(`${GENERATED_PATH} is out of date; run node dist/validate/schema/generate.js\n`);
      return 1;
    }
    process.stdout.write(`${GENERATED_PATH} is up to date\n`);
    return 0;
  }
  writeFileSync(GENERATED_PATH, text);
  process.stdout.write(`wrote ${GENERATED_PATH} (${COVERED_TYPES.length} types)\n`);
  return 0;
}

if (require.main === module) {
  process.exitCode = main();
}

import { join } from 'node:path';
import type { SynthesizedApp } from '../policy/model';
import { describeCheck, runCheck } from './checks';
import { formatSource, isUnknown, select, selectBlocks, type ConstraintRule, type ResourceContext, type ValidateFinding } from './model';
import { CONSTRAINT_RULES } from './rules';
import { GENERATED_SCHEMAS } from './schema/generated';
import { EPHEMERAL_SCHEMAS } from './schema/ephemeral';

/** Every schema validate checks against: generated from the bindings, plus the hand-written ephemeral ones. */
export const ALL_SCHEMAS: Readonly<Record<string, import('./schema/types').TypeSchema>> = { ...GENERATED_SCHEMAS, ...EPHEMERAL_SCHEMAS };
import { schemaKey, TERRAFORM_BUILTIN_TYPES } from './schema/covered';
import type { TypeSchema } from './schema/types';
import { checkStructure } from './structure';

/** Result of {@link runValidate}. */
export interface ValidateReport {
  /** Constraint rules that ran. */
  readonly rules: readonly ConstraintRule[];
  /** Resources and data sources checked. */
  readonly checked: number;
  /** Errors and warnings, in stack, resource and rule order. */
  readonly findings: readonly ValidateFinding[];
}

/** Options of {@link runValidate}. */
export interface ValidateOptions {
  /** Constraint rules (default: all). */
  readonly rules?: readonly ConstraintRule[];
  /** The `cdktf.out` directory the app was read from, so file arguments can be checked. @default - file checks skip */
  readonly outdir?: string;
  /** Structural schemas by type (default: the generated ones). */
  readonly schemas?: Readonly<Record<string, TypeSchema>>;
}

const present = (block: Record<string, unknown>, key: string) => {
  const v = block[key];
  return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
};

function applyRule(
  rule: ConstraintRule,
  body: Record<string, unknown>,
  context: ResourceContext,
): Omit<ValidateFinding, 'stack' | 'address'>[] {
  const source = formatSource(rule.source);
  const out: Omit<ValidateFinding, 'stack' | 'address'>[] = [];
  const error = (path: string, value: unknown, allowed: string) =>
    out.push({ rule: rule.id, severity: 'error', path, value, allowed, source });
  switch (rule.kind) {
    case 'attribute':
      for (const l of select(body, rule.path)) {
        const why = runCheck(rule.check, l.value);
        if (why) error(l.path, l.value, `${describeCheck(rule.check)}; the value ${why}`);
      }
      break;
    case 'items':
      for (const l of select(body, rule.path)) {
        if (isUnknown(l.value)) continue;
        const n = Array.isArray(l.value) ? l.value.length : 1;
        if (n === 0 && rule.block) continue; // zero nested blocks are null to the SDK: MinItems does not apply
        if ((rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max)) {
          error(l.path, `${n} item(s)`, `between ${rule.min ?? 0} and ${rule.max ?? 'any number of'} items (MinItems/MaxItems)`);
        }
      }
      break;
    case 'deprecated':
      for (const l of select(body, rule.path))
        out.push({ rule: rule.id, severity: 'warning', path: l.path, value: l.value, allowed: rule.message, source });
      break;
    case 'resource':
      for (const v of rule.check(body, context)) error(v.path, v.value, v.allowed);
      break;
    default: {
      for (const { path, block } of selectBlocks(body, rule.block)) {
        const [first, ...rest] = rule.attributes;
        const at = (k: string) => (path ? `${path}.${k}` : k);
        const set = rule.attributes.filter((k) => present(block, k));
        if (rule.kind === 'conflictsWith') {
          if (!present(block, first) || isUnknown(block[first])) continue;
          for (const k of rest)
            if (present(block, k) && !isUnknown(block[k])) error(at(k), block[k], `not set together with ${first} (ConflictsWith)`);
        } else if (rule.kind === 'requiredWith') {
          if (!present(block, first)) continue;
          for (const k of rest) if (!present(block, k)) error(at(k), undefined, `set when ${first} is set (RequiredWith)`);
        } else if (rule.kind === 'exactlyOneOf') {
          if (set.length !== 1)
            error(
              at(set.length ? set.join('+') : rule.attributes.join('|')),
              set.length ? set.map((k) => block[k]) : undefined,
              `exactly one of ${rule.attributes.join(', ')} (ExactlyOneOf)`,
            );
        } else if (set.length === 0) {
          error(at(rule.attributes.join('|')), undefined, `at least one of ${rule.attributes.join(', ')} (AtLeastOneOf)`);
        }
      }
    }
  }
  return out;
}

/**
 * Checks every resource and data source of a synthesized app against the pinned providers: first
 * the structure (arguments, required, nesting, computed-only) from the generated schema, then
 * every constraint rule of its type. Never throws on findings.
 */
export function runValidate(app: SynthesizedApp, options: ValidateOptions = {}): ValidateReport {
  const rules = options.rules ?? CONSTRAINT_RULES;
  const schemas = options.schemas ?? ALL_SCHEMAS;
  const findings: ValidateFinding[] = [];
  let checked = 0;
  for (const stack of app.stacks) {
    for (const kind of ['resource', 'data', 'ephemeral'] as const) {
      const byType = (stack.json[kind] ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
      for (const [type, byName] of Object.entries(byType)) {
        const key = schemaKey(kind, type);
        for (const [name, body] of Object.entries(byName)) {
          const address = `${stack.name}:${kind === 'resource' ? '' : `${kind}.`}${type}.${name}`;
          if (TERRAFORM_BUILTIN_TYPES.includes(key)) continue;
          checked++;
          const schema = schemas[key];
          if (!schema) {
            findings.push({
              rule: 'schema/no-schema',
              severity: 'error',
              stack: stack.name,
              address,
              path: '',
              value: type,
              allowed: 'a type listed in src/validate/schema/covered.ts (or, ephemeral, in schema/ephemeral.ts)',
              source: 'src/validate/schema/covered.ts',
            });
            continue;
          }
          const schemaSource = `provider schema of ${schema.provider} (${schema.module})`;
          for (const issue of checkStructure(schema, body))
            findings.push({ ...issue, severity: 'error', stack: stack.name, address, source: schemaSource });
          if (kind === 'data') continue;
          const context: ResourceContext = {
            stack: stack.json,
            stackDir: options.outdir ? join(options.outdir, 'stacks', stack.name) : undefined,
          };
          for (const rule of rules)
            if (rule.type === key) for (const f of applyRule(rule, body, context)) findings.push({ ...f, stack: stack.name, address });
        }
      }
    }
    // Provider configuration blocks (`provider.<name>[i]`): the same checks, rules typed `provider.<name>`.
    for (const [name, configs] of Object.entries(stack.json.provider ?? {})) {
      const key = schemaKey('provider', name);
      (Array.isArray(configs) ? configs : [configs]).forEach((config, i) => {
        const body = (config ?? {}) as Record<string, unknown>;
        const address = `${stack.name}:${key}[${i}]`;
        checked++;
        const schema = schemas[key];
        if (!schema) {
          findings.push({
            rule: 'schema/no-schema',
            severity: 'error',
            stack: stack.name,
            address,
            path: '',
            value: name,
            allowed: 'a provider listed in src/validate/schema/covered.ts',
            source: 'src/validate/schema/covered.ts',
          });
          return;
        }
        const schemaSource = `provider schema of ${schema.provider} (${schema.module})`;
        for (const issue of checkStructure(schema, body))
          findings.push({ ...issue, severity: 'error', stack: stack.name, address, source: schemaSource });
        const context: ResourceContext = {
          stack: stack.json,
          stackDir: options.outdir ? join(options.outdir, 'stacks', stack.name) : undefined,
        };
        for (const rule of rules)
          if (rule.type === key) for (const f of applyRule(rule, body, context)) findings.push({ ...f, stack: stack.name, address });
      });
    }
  }
  return { rules, checked, findings };
}

const show = (value: unknown) => (value === undefined ? '(not set)' : JSON.stringify(value));

/** Renders a report: each finding on its own lines, then the totals. */
export function formatValidateReport(report: ValidateReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${f.severity === 'error' ? 'FAIL' : 'WARN'} ${f.address} ${f.path || '(resource)'} = ${show(f.value)}`);
    lines.push(`       allowed: ${f.allowed}`);
    lines.push(`       rule ${f.rule}; ${f.source}`);
  }
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  lines.push(
    `${report.checked} resources checked against ${report.rules.length} constraint rules and the provider schemas: ${errors} error(s), ${warnings} warning(s)`,
  );
  return lines.join('\n');
}

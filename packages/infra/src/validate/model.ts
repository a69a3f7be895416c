import type { TerraformJson } from '../policy/model';

/**
 * Provider constraints as data. Every rule names the Terraform type it applies to, the attribute
 * path inside a resource body (`template.container.startup_probe.failure_count_threshold`; list
 * and single blocks are walked alike), what is allowed, and the provider source file and function
 * it was read from at the pinned tag.
 */

/** Providers whose constraints are modelled, with the tag their source was read at. */
export const PROVIDER_SOURCES = {
  azurerm: { repo: 'hashicorp/terraform-provider-azurerm', tag: 'v4.55.0' },
  random: { repo: 'hashicorp/terraform-provider-random', tag: 'v3.7.2' },
  time: { repo: 'hashicorp/terraform-provider-time', tag: 'v0.13.1' },
} as const;

/** Where a rule comes from in the provider source. */
export interface ProviderSource {
  /** Provider. */
  readonly provider: keyof typeof PROVIDER_SOURCES;
  /** File in the provider repository. */
  readonly file: string;
  /** Function (schema function, validator, CustomizeDiff or Create). */
  readonly func: string;
}

/** `hashicorp/terraform-provider-azurerm@v4.55.0 internal/.../x.go ContainerAppStartupProbeSchema` */
export function formatSource(source: ProviderSource): string {
  const p = PROVIDER_SOURCES[source.provider];
  return `${p.repo}@${p.tag} ${source.file} ${source.func}`;
}

/** A value check, as the provider's `ValidateFunc`. */
export type ValueCheck =
  | { readonly kind: 'intBetween'; readonly min: number; readonly max: number }
  | { readonly kind: 'intAtLeast'; readonly min: number }
  | { readonly kind: 'floatAtLeast'; readonly min: number }
  | { readonly kind: 'floatBetween'; readonly min: number; readonly max: number }
  | { readonly kind: 'intInSlice'; readonly values: readonly number[] }
  | { readonly kind: 'stringInSlice'; readonly values: readonly string[]; readonly ignoreCase?: boolean }
  | { readonly kind: 'stringNotEmpty' }
  | { readonly kind: 'stringLenBetween'; readonly min: number; readonly max: number }
  | { readonly kind: 'regex'; readonly pattern: RegExp; readonly allowed: string }
  /** A validator ported from the provider: returns why the value is refused, or undefined. */
  | { readonly kind: 'validator'; readonly test: (value: string) => string | undefined; readonly allowed: string }
  /** Every item of a list of primitives passes `check`. */
  | { readonly kind: 'eachItem'; readonly check: ValueCheck };

/** An attribute's value must pass a check. */
export interface AttributeRule {
  readonly kind: 'attribute';
  readonly id: string;
  readonly type: string;
  readonly path: string;
  readonly check: ValueCheck;
  readonly source: ProviderSource;
}

/**
 * Presence rules between attributes of one block (the SDK's schema-level `ConflictsWith`,
 * `ExactlyOneOf`, `RequiredWith`, `AtLeastOneOf`). `block` is the path of the block ('' for the
 * resource); `attributes` are relative to it.
 * - conflictsWith: when attributes[0] is set, none of the others may be;
 * - exactlyOneOf: exactly one of the attributes is set;
 * - atLeastOneOf: at least one is set;
 * - requiredWith: when attributes[0] is set, all the others must be.
 */
export interface PresenceRule {
  readonly kind: 'conflictsWith' | 'exactlyOneOf' | 'atLeastOneOf' | 'requiredWith';
  readonly id: string;
  readonly type: string;
  readonly block: string;
  readonly attributes: readonly string[];
  readonly source: ProviderSource;
}

/**
 * A list attribute (or, with `block`, a list of nested blocks) must have between `min` and `max`
 * items (`MinItems`/`MaxItems`). An empty list attribute is a known empty list and counts; zero
 * nested blocks are null to the SDK, so MinItems does not apply to them.
 */
export interface ItemsRule {
  readonly kind: 'items';
  readonly id: string;
  readonly type: string;
  readonly path: string;
  /** The path names nested blocks rather than a list attribute. @default false */
  readonly block?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly source: ProviderSource;
}

/** Setting the attribute is deprecated (a warning at plan time, not an error). */
export interface DeprecationRule {
  readonly kind: 'deprecated';
  readonly id: string;
  readonly type: string;
  readonly path: string;
  readonly message: string;
  readonly source: ProviderSource;
}

/** One violation a resource-level check found. */
export interface Violation {
  /** Attribute path (with indexes). */
  readonly path: string;
  /** The offending value. */
  readonly value: unknown;
  /** What the provider allows. */
  readonly allowed: string;
}

/** What a resource-level check may look at besides the resource. */
export interface ResourceContext {
  /** The stack's Terraform JSON (provider blocks, other resources). */
  readonly stack: TerraformJson;
  /** The stack's directory in `cdktf.out` (`stacks/<name>`), when known: relative file paths resolve against it. */
  readonly stackDir?: string;
}

/**
 * A resource-level plan-time check: a `CustomizeDiff`, or create-time validation in the resource's
 * Create function that fails before any API call.
 */
export interface ResourceRule {
  readonly kind: 'resource';
  readonly id: string;
  readonly type: string;
  /** What it checks. */
  readonly description: string;
  readonly source: ProviderSource;
  /** Returns the violations in one resource body. Values that are expressions are unknown: skip them. */
  check(body: Readonly<Record<string, unknown>>, context: ResourceContext): Violation[];
}

/** Any constraint rule. */
export type ConstraintRule = AttributeRule | PresenceRule | ItemsRule | DeprecationRule | ResourceRule;

/** One finding of `infra:validate`. */
export interface ValidateFinding {
  /** Rule id (`schema/...` for the structural checks). */
  readonly rule: string;
  /** `error` fails the run; `warning` (deprecations) is reported only. */
  readonly severity: 'error' | 'warning';
  /** Stack name. */
  readonly stack: string;
  /** Resource address, `<stack>:<type>.<name>` (`data.<type>.<name>` for data sources). */
  readonly address: string;
  /** Attribute path inside the resource, with list indexes. */
  readonly path: string;
  /** The offending value (undefined when something is missing). */
  readonly value: unknown;
  /** What the provider allows. */
  readonly allowed: string;
  /** Provider source file and function, or the schema the structural check used. */
  readonly source: string;
}

/** Whether a value is a Terraform expression (unknown at plan time). */
export function isUnknown(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** A value found at a path. */
export interface Located {
  /** Concrete path with indexes, e.g. `template.container[2].name`. */
  readonly path: string;
  /** The value. */
  readonly value: unknown;
}

/**
 * Every value at `path` in a resource body: single blocks (objects) and list blocks (arrays) are
 * walked alike; a block written as an expression is unknown and yields nothing.
 */
export function select(body: unknown, path: string): Located[] {
  const parts = path === '' ? [] : path.split('.');
  let current: Located[] = [{ path: '', value: body }];
  for (let i = 0; i < parts.length; i++) {
    const key = parts[i];
    const next: Located[] = [];
    for (const c of current) {
      const containers = Array.isArray(c.value) ? c.value.map((v, j) => ({ path: `${c.path}[${j}]`, value: v })) : [c];
      for (const container of containers) {
        if (!container.value || typeof container.value !== 'object' || Array.isArray(container.value)) continue;
        const v = (container.value as Record<string, unknown>)[key];
        if (v === undefined || v === null) continue;
        next.push({ path: container.path ? `${container.path}.${key}` : key, value: v });
      }
    }
    current = next;
  }
  return current;
}

/** The blocks at `path` (each list element separately), with their concrete paths. */
export function selectBlocks(body: unknown, path: string): { path: string; block: Record<string, unknown> }[] {
  if (path === '') return [{ path: '', block: body as Record<string, unknown> }];
  const out: { path: string; block: Record<string, unknown> }[] = [];
  for (const l of select(body, path)) {
    const items = Array.isArray(l.value) ? l.value.map((v, j) => ({ path: `${l.path}[${j}]`, value: v })) : [l];
    for (const it of items)
      if (it.value && typeof it.value === 'object' && !Array.isArray(it.value))
        out.push({ path: it.path, block: it.value as Record<string, unknown> });
  }
  return out;
}

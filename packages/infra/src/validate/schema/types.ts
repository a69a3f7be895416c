/**
 * The shape of a provider schema as far as `infra:validate` needs it: which arguments and nested
 * blocks a resource accepts, which are required, how blocks nest, and which attributes are
 * computed-only. Generated from the cdktf bindings (see `generate.ts`), which cdktf generated from
 * the provider's own schema (`terraform providers schema -json`) of the pinned version.
 */

/** How a nested block is written. */
export type BlockNesting =
  /** At most one (`MaxItems: 1` in the provider): cdktf writes an object. */
  | 'single'
  /** A list of blocks. */
  | 'list'
  /** A set of blocks. */
  | 'set';

/** One argument. */
export interface AttributeSchema {
  /** Whether the argument must be set. */
  readonly required: boolean;
  /** cdktf's storage class: `string`, `number`, `boolean`, `stringList`, `stringMap`, ... */
  readonly type: string;
}

/** A nested block. */
export interface NestedBlockSchema {
  /** Whether at least one block is required (`Required: true`, i.e. `MinItems >= 1`). */
  readonly required: boolean;
  /** How it nests. */
  readonly nesting: BlockNesting;
  /** The block's own schema. */
  readonly block: BlockSchema;
}

/** A resource, data source or nested block. */
export interface BlockSchema {
  /** Arguments by Terraform name. */
  readonly attributes: Readonly<Record<string, AttributeSchema>>;
  /** Nested blocks by Terraform name. */
  readonly blocks: Readonly<Record<string, NestedBlockSchema>>;
  /** Attributes the provider computes and a configuration may not set. */
  readonly computedOnly: readonly string[];
}

/** The schema of one resource or data source type. */
export interface TypeSchema {
  /** `resource`, `data`, `provider` or `ephemeral` (hand-written, see ./ephemeral). */
  readonly kind: 'resource' | 'data' | 'provider' | 'ephemeral';
  /** Terraform type, e.g. `azurerm_container_app`. */
  readonly type: string;
  /** Provider and version the bindings were generated from, e.g. `hashicorp/azurerm 4.55.0`. */
  readonly provider: string;
  /** Binding module it was read from, e.g. `@cdktf/provider-azurerm/lib/container-app`. */
  readonly module: string;
  /** The top-level block. */
  readonly block: BlockSchema;
}

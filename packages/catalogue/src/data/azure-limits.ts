/**
 * Limits Azure (or the pinned azurerm provider) enforces at plan or apply time that an environment
 * file can break statically. The environment rules check them at synth, so a bad value is refused with
 * the field, the value and what is allowed instead of failing half-way through an apply.
 */

/**
 * Tag limits of the resources every environment creates.
 *
 * Details: Azure allows at most 50 tags per resource, tag names up to 512 characters (128 on storage
 * accounts) and values up to 256 characters, and refuses the characters `< > % & \ ? /` in tag names.
 * The pinned provider checks byte lengths (Go `len`) and is stricter on two resources we create:
 * `azurerm_storage_account` (names ≤ 128) and `azurerm_key_vault_secret` (at most 15 tags). Every
 * resource carries the standard tags (`STANDARD_TAG_NAMES`) plus the environment's `tags`, so the
 * binding limits are 15 tags in all, 128-byte names and 256-byte values.
 *
 * @see https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/tag-resources#limitations
 * @see hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/keyvault/key_vault_secret_resource.go (`commonschema.TagsWithMaximumElements(15)`)
 * @see hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/storage/validate/storage_account_tags.go (50 tags, keys ≤ 128, values ≤ 256)
 * @see hashicorp/go-azure-helpers@v0.75.1 resourcemanager/tags/validate.go (50 tags, keys ≤ 512, values ≤ 256)
 */
export const AZURE_TAG_LIMITS = {
  /** Tags per resource Azure accepts. */
  maxTagsAzure: 50,
  /** Tags per Key Vault secret the pinned provider accepts: the binding count, since secrets carry every tag. */
  maxTagsKeyVaultSecret: 15,
  /** Tag name length in UTF-8 bytes on a storage account (512 elsewhere). */
  maxNameBytes: 128,
  /** Tag value length in UTF-8 bytes. */
  maxValueBytes: 256,
  /** Characters Azure refuses in tag names. */
  forbiddenNameCharacters: ['<', '>', '%', '&', '\\', '?', '/'],
} as const;

/**
 * The shape of an Azure VM size name: tier `Standard_` (or `Basic_`), a family of 1-3 capitals with an
 * optional lowercase subfamily, the vCPU count (optionally `-<constrained vCPUs>`), lowercase additive
 * features, an optional accelerator (`_A100`, `_T4`), an optional memory/core variant (`_32`) and a
 * version (`_v5`). Examples: `Standard_B2ats_v2`, `Standard_D4as_v5`, `Standard_E16-8ds_v5`,
 * `Standard_NC24ads_A100_v4`. There is no size table for every region in this repository, so the edge
 * rule checks this shape (a typo such as `Standard_B2ats-v2` or `B2s` is refused) and leaves
 * availability in the region to preflight and apply.
 *
 * @see https://learn.microsoft.com/azure/virtual-machines/vm-naming-conventions
 */
export const AZURE_VM_SIZE_RE = /^(Standard|Basic)_[A-Z]{1,3}[a-z]?[0-9]+(-[0-9]+)?[a-z]*(_[A-Z][A-Za-z0-9]*)?(_[0-9]+)?(_v[0-9]+)?$/;

// The validator's pattern in one piece per tier (only to keep lines short); joined below into the single pattern.
const POSTGRES_SKU_BURSTABLE = /B_Standard_B((1|2|4|8|12|16|20)ms|2s)/.source;
const POSTGRES_SKU_GENERAL_PURPOSE =
  /GP_Standard_D(((2|4|8|16|32|48|64)s_v3)|((2|4|8|16|32|48|64)ds_v4)|((2|4|8|16|32|48|64|96)ds_v5)|((2|4|8|16|32|48|64|96)ads_v5))/.source;
const POSTGRES_SKU_MEMORY_OPTIMIZED =
  /MO_Standard_E((((2|4|8|16|20|32|48|64)s)_v3)|((2|4|6|8|16|20|32|48|64)ds_v4)|((2|4|8|16|20|32|48|64|96)ds_v5)|((2|4|8|16|32|48|64|96)ads_v5))/
    .source;

/**
 * The `sku_name` values of `azurerm_postgresql_flexible_server` that the pinned provider accepts
 * (`<tier>_<size>`: `B_` Burstable, `GP_` General Purpose, `MO_` Memory Optimized), copied from its
 * validator.
 *
 * @see hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/postgres/validate/flexible_server_sku_name.go
 */
export const AZURERM_POSTGRES_SKU_RE = new RegExp(
  `^((${POSTGRES_SKU_BURSTABLE})|(${POSTGRES_SKU_GENERAL_PURPOSE})|(${POSTGRES_SKU_MEMORY_OPTIMIZED}))$`,
);

/**
 * SSH public keys the pinned provider accepts in `admin_ssh_key.public_key` of
 * `azurerm_linux_virtual_machine`: `ssh-rsa` of at least 2048 bits and `ssh-ed25519`; any other type
 * (ECDSA, security keys) is refused at plan ("Only RSA and ED25519 SSH keys are supported by Azure").
 *
 * @see hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/compute/validate/ssh_key.go
 */
export const AZURERM_SSH_KEY = {
  types: ['ssh-rsa', 'ssh-ed25519'],
  rsaMinBits: 2048,
} as const;

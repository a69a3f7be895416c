import type { StackJson } from './manifest';

/** What happens to a Key Vault of the synthesized stacks on destroy, and on a redeploy with the same name. */
export interface KeyVaultDestroyBehaviour {
  /** Key Vault name (as synthesized). */
  readonly name: string;
  readonly purgeProtection: boolean;
  readonly softDeleteRetentionDays: number;
  /** `features.key_vault.purge_soft_delete_on_destroy` of the azurerm provider (azurerm default true). */
  readonly purgeOnDestroy: boolean;
  /** `features.key_vault.recover_soft_deleted_key_vaults` (azurerm default true). */
  readonly recoverOnCreate: boolean;
  /** True when the provider block sets `purge_soft_delete_on_destroy` explicitly (rather than the default). */
  readonly purgeSettingExplicit: boolean;
}

const first = (v: unknown): Record<string, unknown> | undefined => {
  const x = Array.isArray(v) ? v[0] : v;
  return x && typeof x === 'object' ? (x as Record<string, unknown>) : undefined;
};

/**
 * Reads the Key Vault destroy behaviour from a synthesized stack: the vault's `purge_protection_enabled`
 * and `soft_delete_retention_days`, and the azurerm provider's `features.key_vault` block.
 *
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/guides/features-block#key_vault
 */
export function keyVaultDestroyBehaviour(json: StackJson): KeyVaultDestroyBehaviour[] {
  const vaults = json.resource?.azurerm_key_vault ?? {};
  const provider = first(json.provider?.azurerm);
  const kvFeatures = first(first(provider?.features)?.key_vault);
  const purgeSetting = kvFeatures?.purge_soft_delete_on_destroy;
  const recoverSetting = kvFeatures?.recover_soft_deleted_key_vaults;
  return Object.entries(vaults).map(([id, v]) => ({
    name: typeof v.name === 'string' ? v.name : id,
    purgeProtection: v.purge_protection_enabled === true,
    softDeleteRetentionDays: typeof v.soft_delete_retention_days === 'number' ? v.soft_delete_retention_days : 90,
    purgeOnDestroy: purgeSetting === undefined ? true : purgeSetting === true,
    recoverOnCreate: recoverSetting === undefined ? true : recoverSetting === true,
    purgeSettingExplicit: purgeSetting !== undefined,
  }));
}

/** One or two lines per vault for the destroy summary: what destroy does to it and what a redeploy will meet. */
export function formatKeyVaultDestroyNotes(behaviours: readonly KeyVaultDestroyBehaviour[]): string[] {
  return behaviours.map((b) => {
    const setting = `purge_soft_delete_on_destroy=${b.purgeOnDestroy}${b.purgeSettingExplicit ? '' : ' (azurerm default)'}`;
    if (b.purgeProtection) {
      return (
        `Key Vault ${b.name}: purge protection is on, so it stays soft-deleted for ${b.softDeleteRetentionDays} days and cannot be purged; ` +
        (b.recoverOnCreate
          ? 'a redeploy with the same name recovers it (recover_soft_deleted_key_vaults=true).'
          : `a redeploy with the same name fails until then: change 'naming.seed' to get a new name.`)
      );
    }
    if (b.purgeOnDestroy) return `Key Vault ${b.name}: purged after deletion (${setting}); the name is free again at once.`;
    return (
      `Key Vault ${b.name}: kept soft-deleted for ${b.softDeleteRetentionDays} days (${setting}); ` +
      (b.recoverOnCreate ? 'a redeploy with the same name recovers it.' : `purge it before redeploying: az keyvault purge --name ${b.name}`)
    );
  });
}

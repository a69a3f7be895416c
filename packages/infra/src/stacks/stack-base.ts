import type { Construct, IConstruct } from 'constructs';
import { AzurermBackend, LocalBackend, TerraformStack, type IAspect } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { relative, join } from 'node:path';

/** Where Terraform keeps the state of the stacks. */
export type StateBackend =
  | {
      /** Local files under `packages/infra/state/<env>/<stack>.tfstate`. */
      readonly type: 'local';
      /** Absolute directory of this environment's state files (`packages/infra/state/<env>`). */
      readonly stateDir: string;
      /** Absolute `cdktf.out` directory the stacks are synthesized into (the path is relative to `stacks/<stack>`). */
      readonly outdir: string;
    }
  | {
      /** An Azure Storage blob container. */
      readonly type: 'azurerm';
      /** Resource group of the state storage account. */
      readonly resourceGroup: string;
      /** State storage account. */
      readonly storageAccount: string;
      /** Blob container. */
      readonly container: string;
      /** Blob name prefix; each stack stores `<key>.<stack>.tfstate` (`cvat-dev` → `cvat-dev.apps.tfstate`). */
      readonly key: string;
    };

/**
 * How the azurerm provider treats soft-deleted Key Vaults and their secrets (its `features.key_vault`
 * block), so that destroy followed by a redeploy with the same names works.
 *
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/guides/features-block#key_vault
 */
export interface KeyVaultFeatures {
  /**
   * Purge the soft-deleted vault (`purge_soft_delete_on_destroy`) and its soft-deleted secrets
   * (`purge_soft_deleted_secrets_on_destroy`) on destroy, so the names are free again at once. Azure
   * refuses a purge while purge protection is on, so this must be false then.
   * @default - true when purge protection is off (see {@link keyVaultFeaturesFor})
   */
  readonly purgeOnDestroy: boolean;
  /**
   * Recover a soft-deleted vault (`recover_soft_deleted_key_vaults`) or secret
   * (`recover_soft_deleted_secrets`) with the same name on create instead of failing.
   * @default true
   */
  readonly recoverSoftDeleted: boolean;
}

/**
 * The Key Vault features of an environment, derived from `keyVault.purgeProtection` (the environment
 * configuration has no separate purge setting): without purge protection destroy purges the vault and
 * its secrets, so the name is free at once; with it nothing can be purged and the vault stays
 * soft-deleted for `keyVault.softDeleteRetentionDays`. Either way a create recovers a soft-deleted
 * vault or secret of the same name, so a redeploy within the retention period reuses it.
 */
export function keyVaultFeaturesFor(purgeProtection: boolean): KeyVaultFeatures {
  return { purgeOnDestroy: !purgeProtection, recoverSoftDeleted: true };
}

/** Properties every cvat-cloud stack takes. */
export interface CvatStackProps {
  /** Azure region. */
  readonly location: string;
  /**
   * Subscription id. Not needed to synthesize; at deploy time `ARM_SUBSCRIPTION_ID` supplies it.
   * @default - from ARM_SUBSCRIPTION_ID
   */
  readonly subscriptionId?: string;
  /** State backend. */
  readonly backend: StateBackend;
  /**
   * The provider's Key Vault soft-delete behaviour (written explicitly into `features.key_vault`).
   * @default keyVaultFeaturesFor(false) (purge on destroy, recover on create)
   */
  readonly keyVaultFeatures?: KeyVaultFeatures;
}

/** The blob name of one stack's state: `<key>.<stack>.tfstate` (a trailing `.tfstate` on the key is not repeated). */
export function stackStateKey(key: string, stack: string): string {
  const stem = key.endsWith('.tfstate') ? key.slice(0, -'.tfstate'.length) : key;
  return `${stem}.${stack}.tfstate`;
}

/**
 * Base class of the foundation, apps and edge stacks: the azurerm provider (no provider
 * registration: the deploying principal need not be allowed to register providers) and the state
 * backend, so that cross-stack references read each other's state through `terraform_remote_state`
 * from the same backend.
 *
 * @see https://developer.hashicorp.com/terraform/cdktf/concepts/stacks
 */
export abstract class CvatStack extends TerraformStack {
  /** The azurerm provider of this stack. */
  public readonly azurerm: AzurermProvider;

  constructor(scope: Construct, id: string, props: CvatStackProps) {
    super(scope, id);
    const kv = props.keyVaultFeatures ?? keyVaultFeaturesFor(false);
    this.azurerm = new AzurermProvider(this, 'azurerm', {
      features: [
        {
          keyVault: [
            {
              purgeSoftDeleteOnDestroy: kv.purgeOnDestroy,
              purgeSoftDeletedSecretsOnDestroy: kv.purgeOnDestroy,
              recoverSoftDeletedKeyVaults: kv.recoverSoftDeleted,
              recoverSoftDeletedSecrets: kv.recoverSoftDeleted,
            },
          ],
          // Keeps azurerm_storage_account off the storage data plane: with the default (true) its create waits
          // for and its every refresh reads the queue and static-website service properties, which the
          // deny-by-default firewall answers 403 from any address outside adminCidrs, failing plan and apply.
          // Nothing here sets queue_properties or static_website, the only arguments that need it
          // (hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/storage/storage_account_resource.go,
          // resourceStorageAccountCreate/Read and its CustomizeDiff; internal/provider/features.go `storage`).
          // Share files and Key Vault secrets still use data planes: infra:preflight checks the deployer's address.
          storage: [{ dataPlaneAvailable: false }],
        },
      ],
      resourceProviderRegistrations: 'none',
      subscriptionId: props.subscriptionId,
    });
    const backend = props.backend;
    if (backend.type === 'local') {
      // The local backend resolves its path from cdktf.out/stacks/<stack>; keep the state outside
      // cdktf.out (which synth replaces) in packages/infra/state/<env>. Cross-stack references read the
      // producer's state through terraform_remote_state with this same backend config, and every stack
      // works from cdktf.out/stacks/<stack>, so the relative path is the same from every consumer.
      new LocalBackend(this, { path: relative(join(backend.outdir, 'stacks', id), join(backend.stateDir, `${id}.tfstate`)) });
    } else {
      new AzurermBackend(this, {
        resourceGroupName: backend.resourceGroup,
        storageAccountName: backend.storageAccount,
        containerName: backend.container,
        key: stackStateKey(backend.key, id),
        useAzureadAuth: true,
      });
    }
  }
}

/**
 * Adds the standard tags to every taggable resource of a scope (a workspace-wide policy, so it is
 * an aspect rather than a prop of every construct). Tags set on a resource win.
 *
 * @see https://developer.hashicorp.com/terraform/cdktf/concepts/aspects
 */
export class TagsAspect implements IAspect {
  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  /** Merges the standard tags into the node's tags, when it has any. */
  public visit(node: IConstruct): void {
    const resource = node as unknown as { tags?: unknown; tagsInput?: Record<string, string> };
    if (!('tagsInput' in resource)) return;
    resource.tags = { ...this.tags, ...(resource.tagsInput ?? {}) };
  }
}

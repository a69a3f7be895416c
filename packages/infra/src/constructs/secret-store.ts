import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Password } from '@cdktf/provider-random/lib/password';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import { parseCidr } from '@cvat-cloud/catalogue';
import { ValidationError } from './validation-error';

/** A secret whose value Terraform generates with `random_password` and stores in the vault. */
export interface GeneratedSecretSpec {
  /** Key Vault secret name: 1-127 letters, digits and `-`. */
  readonly name: string;
  /**
   * Length in characters (16-128).
   * @default 32
   */
  readonly length?: number;
  /**
   * Allow special characters (from `!#%*+-=_~` only: no quotes, `$`, `\\`, `@`, `/` or `:`, which
   * break shells, URLs and connection strings).
   * @default false
   */
  readonly special?: boolean;
}

/** A principal that is granted a role on the vault. */
export interface VaultPrincipal {
  /** Construct id of the role assignment (a stable contract: renaming it recreates the assignment). */
  readonly id: string;
  /** Object (principal) id. */
  readonly principalId: string;
  /**
   * Principal type; `ServicePrincipal` for managed identities skips the Entra lookup that fails
   * with `PrincipalNotFound` right after the identity is created.
   * @default - let Azure look it up
   */
  readonly principalType?: 'ServicePrincipal' | 'User' | 'Group';
}

/** Properties of {@link SecretStore}. */
export interface SecretStoreProps {
  /** Vault name: 3-24 letters, digits and `-`, globally unique. */
  readonly name: string;
  /** Resource group. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;
  /** Entra tenant id. */
  readonly tenantId: string;
  /**
   * Purge protection. On, a destroyed vault's name stays reserved for the retention period.
   * @default true
   */
  readonly purgeProtection?: boolean;
  /**
   * Soft-delete retention in days (7-90).
   * @default 90
   */
  readonly softDeleteRetentionDays?: number;
  /**
   * SKU.
   * @default 'standard'
   */
  readonly skuName?: 'standard' | 'premium';
  /** Subnet ids allowed through the firewall (the apps subnet, with the `Microsoft.KeyVault` service endpoint). */
  readonly allowedSubnetIds: readonly string[];
  /**
   * Public CIDRs allowed through the firewall (operators). Taken from configuration, never looked up
   * at plan time.
   * @default - none
   */
  readonly allowedCidrs?: readonly string[];
  /** Principals that read secrets (`Key Vault Secrets User`): the apps' user-assigned identity. */
  readonly readers: readonly VaultPrincipal[];
  /** Principals that write secrets (`Key Vault Secrets Officer`): the deploying principal. */
  readonly writers: readonly VaultPrincipal[];
  /**
   * Seconds to wait after the role assignments before the secrets are written. Role assignments
   * take minutes to reach Key Vault's data plane; writing at once fails with 403 `ForbiddenByRbac`.
   * @default 120
   */
  readonly rbacPropagationSeconds?: number;
  /**
   * Secrets generated here.
   * @default - none
   */
  readonly generatedSecrets?: readonly GeneratedSecretSpec[];
}

/** A generated secret: the random value and the vault entry that holds it. */
export interface StoredSecret {
  /** The `random_password` (its `result` is sensitive). */
  readonly value: Password;
  /** The `azurerm_key_vault_secret`. */
  readonly secret: KeyVaultSecret;
}

/**
 * A Key Vault with RBAC authorization, a deny-by-default firewall, role assignments for readers and
 * writers, and the generated secrets.
 *
 * Role assignments are made here, in the foundation stack, so that by the time any container app
 * references a secret the identity's `Key Vault Secrets User` assignment has long propagated (the
 * reference project needed a two-phase `bootstrap_mode` apply for that). A `time_sleep` after the
 * assignments guards the deployer's own secret writes in the same apply.
 *
 * Generated values use letters and digits unless a secret asks for specials (then only from a set
 * that is safe in shells and URLs): they end up in Redis URLs and connection strings where `@`, `/`
 * or `:` would break parsing; 32 alphanumerics carry ~190 bits.
 *
 * @see https://learn.microsoft.com/azure/key-vault/general/rbac-guide
 * @see https://learn.microsoft.com/azure/key-vault/general/network-security
 */
export class SecretStore extends Construct {
  /** The `azurerm_key_vault`. */
  public readonly resource: KeyVault;
  /** The wait between role assignments and secret writes. */
  public readonly rbacPropagation: Sleep;
  /** Generated secrets by name. */
  public readonly secrets: Readonly<Record<string, StoredSecret>>;

  constructor(scope: Construct, id: string, props: SecretStoreProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.name) && !/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(props.name)) {
      throw new ValidationError(
        'NameInvalid',
        `'name' (${props.name}) must be 3-24 letters, digits and '-', start with a letter, end with a letter or digit and contain no '--'`,
        this,
      );
    }
    const retention = props.softDeleteRetentionDays ?? 90;
    if (!Number.isInteger(retention) || retention < 7 || retention > 90) {
      throw new ValidationError(
        'RetentionOutOfRange',
        `'softDeleteRetentionDays' (${retention}) must be an integer between 7 and 90`,
        this,
      );
    }
    for (const [i, cidr] of (props.allowedCidrs ?? []).entries()) {
      if (!parseCidr(cidr.trim(), { allowHostBits: true, allowBareAddress: true })) {
        throw new ValidationError('CidrInvalid', `'allowedCidrs[${i}]' (${cidr}) must be an IPv4 address or CIDR`, this);
      }
    }
    const wait = props.rbacPropagationSeconds ?? 120;
    if (!Number.isInteger(wait) || wait < 0 || wait > 1800) {
      throw new ValidationError('WaitOutOfRange', `'rbacPropagationSeconds' (${wait}) must be an integer between 0 and 1800`, this);
    }

    this.resource = new KeyVault(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tenantId: props.tenantId,
      skuName: props.skuName ?? 'standard',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: props.purgeProtection ?? true,
      softDeleteRetentionDays: retention,
      publicNetworkAccessEnabled: true,
      networkAcls: {
        defaultAction: 'Deny',
        bypass: 'AzureServices',
        ipRules: [...(props.allowedCidrs ?? [])],
        virtualNetworkSubnetIds: [...props.allowedSubnetIds],
      },
    });

    const assignments: RoleAssignment[] = [];
    const grant = (role: string, principal: VaultPrincipal) =>
      assignments.push(
        new RoleAssignment(this, principal.id, {
          scope: this.resource.id,
          roleDefinitionName: role,
          principalId: principal.principalId,
          principalType: principal.principalType,
          skipServicePrincipalAadCheck: principal.principalType === 'ServicePrincipal' ? true : undefined,
        }),
      );
    for (const p of props.readers) grant('Key Vault Secrets User', p);
    for (const p of props.writers) grant('Key Vault Secrets Officer', p);
    this.rbacPropagation = new Sleep(this, 'RbacPropagation', {
      createDuration: `${wait}s`,
      triggers: { vault: this.resource.id },
      dependsOn: assignments,
    });

    const secrets: Record<string, StoredSecret> = {};
    const namespace = new Construct(this, 'Secrets');
    for (const [i, spec] of (props.generatedSecrets ?? []).entries()) {
      if (!/^[a-zA-Z0-9-]{1,127}$/.test(spec.name)) {
        throw new ValidationError(
          'SecretNameInvalid',
          `'generatedSecrets[${i}].name' (${spec.name}) must be 1-127 letters, digits and '-'`,
          this,
        );
      }
      if (secrets[spec.name]) {
        throw new ValidationError('SecretDuplicate', `'generatedSecrets[${i}].name' (${spec.name}) is declared twice`, this);
      }
      const length = spec.length ?? 32;
      if (!Number.isInteger(length) || length < 16 || length > 128) {
        throw new ValidationError(
          'SecretLengthOutOfRange',
          `'generatedSecrets[${i}].length' (${length}) must be an integer between 16 and 128`,
          this,
        );
      }
      const holder = new Construct(namespace, spec.name);
      const value = new Password(holder, 'Value', {
        length,
        special: spec.special ?? false,
        overrideSpecial: spec.special ? '!#%*+-=_~' : undefined,
        minUpper: 2,
        minLower: 2,
        minNumeric: 2,
      });
      const secret = new KeyVaultSecret(holder, 'Resource', {
        name: spec.name,
        keyVaultId: this.resource.id,
        value: value.result,
        contentType: 'generated by terraform random_password',
        dependsOn: [this.rbacPropagation],
      });
      secrets[spec.name] = { value, secret };
    }
    this.secrets = secrets;
  }

  /**
   * The versionless id of a secret in this vault (generated here or put there by an operator), so
   * Container Apps pick up new versions without a redeploy.
   */
  public versionlessSecretId(name: string): string {
    const stored = this.secrets[name];
    return stored ? stored.secret.versionlessId : `${this.resource.vaultUri}secrets/${name}`;
  }
}

import { Construct } from 'constructs';
import { TerraformStack, Token } from 'cdktf';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import { parseCidr } from '@cvat-cloud/catalogue';
import { ValidationError } from './validation-error';

/**
 * What write-only arguments fed by an ephemeral `random_password` need: Terraform 1.11 for write-only arguments
 * (https://developer.hashicorp.com/terraform/language/resources/ephemeral/write-only; ephemeral resources are 1.10), and
 * hashicorp/random 3.7.0 for the ephemeral `random_password` (CHANGELOG 3.7.0, internal/provider/ephemeral_password.go).
 * The random provider is already pinned to exactly 3.7.2 by @cdktf/provider-random 12.0.1, so only Terraform's own
 * version is added to the stack.
 */
export const WRITE_ONLY_REQUIREMENTS = { terraform: '>= 1.11.0', randomAtLeast: '3.7.0' } as const;

/** A secret whose value Terraform generates with an ephemeral `random_password` and writes into the vault. */
export interface GeneratedSecretSpec {
  /** Key Vault secret name: 1-127 letters, digits and `-`. */
  readonly name: string;
  /**
   * Length in characters (16-128).
   * @default 32
   */
  readonly length?: number;
  /**
   * Write-only version: change it to generate and write a new value (rotation).
   * @default 1
   */
  readonly valueVersion?: number;
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
  /**
   * Principals that read every secret (`Key Vault Secrets User` on the whole vault). Prefer
   * {@link SecretStore.grantSecretReader}, which grants one secret.
   * @default - none
   */
  readonly readers?: readonly VaultPrincipal[];
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

/** A generated secret: the ephemeral random value and the vault entry that holds it. */
export interface StoredSecret {
  /**
   * `${ephemeral.random_password.<name>.result}`: usable only in write-only arguments (`*_wo`) of the same stack, and
   * only in the apply that generates it. Never stored in plan or state.
   */
  readonly ephemeralResult: string;
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
 * No generated value is in Terraform's plan or state: each is an ephemeral `random_password` (generated anew in every
 * plan and apply, never persisted) written through the vault secret's write-only `value_wo`, which the provider sends
 * only when `value_wo_version` changes (hashicorp/terraform-provider-azurerm@v4.55.0
 * internal/services/keyvault/key_vault_secret_resource.go: `value_wo` ExactlyOneOf `value`, RequiredWith
 * `value_wo_version`; Update writes on `d.HasChanges("value", "value_wo_version")`). So the value is set once, at the
 * first apply, and a consumer in the same stack that needs it (the PostgreSQL administrator password, also write-only)
 * gets the same value in that apply. Rotating a secret = bumping its version (`valueVersion`), which rewrites the vault
 * and every write-only consumer together.
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
    for (const p of props.readers ?? []) grant('Key Vault Secrets User', p);
    for (const p of props.writers) grant('Key Vault Secrets Officer', p);
    this.rbacPropagation = new Sleep(this, 'RbacPropagation', {
      createDuration: `${wait}s`,
      triggers: { vault: this.resource.id },
      dependsOn: assignments,
    });

    const secrets: Record<string, StoredSecret> = {};
    const namespace = new Construct(this, 'Secrets');
    const stack = TerraformStack.of(this);
    if ((props.generatedSecrets ?? []).length > 0) {
      stack.addOverride('terraform.required_version', WRITE_ONLY_REQUIREMENTS.terraform);
    }
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
      const valueVersion = spec.valueVersion ?? 1;
      if (!Number.isInteger(valueVersion) || valueVersion < 1) {
        throw new ValidationError(
          'SecretVersionInvalid',
          `'generatedSecrets[${i}].valueVersion' (${valueVersion}) must be an integer of at least 1`,
          this,
        );
      }
      const holder = new Construct(namespace, spec.name);
      // cdktf 0.21 has no ephemeral-resource construct, so the block is written into the stack's JSON directly
      // (Terraform JSON syntax `ephemeral.<type>.<name>`); ephemeralPasswordName keeps the name a valid identifier.
      const ephemeralName = ephemeralPasswordName(`${id}_${spec.name}`);
      stack.addOverride(`ephemeral.random_password.${ephemeralName}`, {
        length,
        special: spec.special ?? false,
        ...(spec.special ? { override_special: '!#%*+-=_~' } : {}),
        min_upper: 2,
        min_lower: 2,
        min_numeric: 2,
      });
      const ephemeralResult = `\${ephemeral.random_password.${ephemeralName}.result}`;
      const secret = new KeyVaultSecret(holder, 'Resource', {
        name: spec.name,
        keyVaultId: this.resource.id,
        valueWo: ephemeralResult,
        valueWoVersion: valueVersion,
        contentType: 'generated by terraform (ephemeral random_password, write-only: not in state)',
        dependsOn: [this.rbacPropagation],
      });
      secrets[spec.name] = { ephemeralResult, secret };
    }
    this.secrets = secrets;
  }

  /**
   * Grants one principal `Key Vault Secrets User` on one secret only (the narrowest scope Key Vault RBAC has: a role
   * assignment on `.../vaults/<vault>/secrets/<name>`, https://learn.microsoft.com/azure/key-vault/general/rbac-guide
   * "Secret scope role assignment"). A generated secret's scope is its `resource_versionless_id`
   * (hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/keyvault/key_vault_secret_resource.go, Read:
   * `parse.NewSecretVersionlessID(...)`), so the assignment waits for the secret; an operator-provided secret's scope is
   * written from the vault id and its name.
   *
   * @param id construct id of the assignment (a stable contract)
   */
  public grantSecretReader(id: string, principal: VaultPrincipal, secretName: string): RoleAssignment {
    const stored = this.secrets[secretName];
    const scope = stored ? stored.secret.resourceVersionlessId : `${this.resource.id}/secrets/${secretName}`;
    return new RoleAssignment(this.readersScope(), id, {
      scope,
      roleDefinitionName: 'Key Vault Secrets User',
      principalId: principal.principalId,
      principalType: principal.principalType,
      skipServicePrincipalAadCheck: principal.principalType === 'ServicePrincipal' ? true : undefined,
    });
  }

  /** Grants one principal `Key Vault Secrets User` on the whole vault (every secret, present and future). */
  public grantVaultReader(principal: VaultPrincipal): RoleAssignment {
    return new RoleAssignment(this, principal.id, {
      scope: this.resource.id,
      roleDefinitionName: 'Key Vault Secrets User',
      principalId: principal.principalId,
      principalType: principal.principalType,
      skipServicePrincipalAadCheck: principal.principalType === 'ServicePrincipal' ? true : undefined,
    });
  }

  private readersScopeConstruct: Construct | undefined;
  private readersScope(): Construct {
    this.readersScopeConstruct ??= new Construct(this, 'SecretReaders');
    return this.readersScopeConstruct;
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

/** A Terraform block name from any text: letters, digits, `_` and `-`, starting with a letter or `_`. */
export function ephemeralPasswordName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

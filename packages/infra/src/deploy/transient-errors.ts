/**
 * A known, transient Azure failure that is worth retrying, recognised in terraform's stderr.
 *
 * Only errors with a documented eventual-consistency or throttling cause are listed; anything else stops
 * the deploy at once. Each entry names its source so the list can be reviewed.
 */
export interface TransientError {
  /** Stable name, logged with each retry (e.g. `KeyVaultReferenceRbacPropagation`). */
  readonly name: string;
  /** Patterns matched against stderr (any one matches). */
  readonly patterns: readonly RegExp[];
  /** What is going on, in one sentence, for logs and docs/deploy.md. */
  readonly description: string;
  /** Where the message comes from. */
  readonly source: string;
  /** What to check when the error outlasts every retry (then it is probably not transient). */
  readonly persistentHint: string;
}

/**
 * The transient errors the deploy retries, checked in this order.
 *
 * @see ../../../../docs/deploy.md "What each retry covers"
 * @see https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected
 */
export const TRANSIENT_ERRORS: readonly TransientError[] = [
  {
    name: 'KeyVaultReferenceRbacPropagation',
    patterns: [/Unable to get value using Managed identity/i, /unable to fetch secret .{0,200}using Managed identity/i],
    description:
      "Container Apps resolved a Key Vault secret reference through the app identity before its 'Key Vault Secrets User' role assignment had propagated.",
    source:
      'microsoft/azure-container-apps#722, #1174, #1454; the reference project tpneik/cvat-cloud v1.0.0 (its bootstrap_mode two-phase apply)',
    persistentHint:
      'check that the Key Vault firewall admits the apps subnet (the error hides network denials too) and that the identity ' +
      "holds 'Key Vault Secrets User' on the vault",
  },
  {
    name: 'KeyVaultForbiddenByRbac',
    patterns: [/ForbiddenByRbac/, /does not have secrets (?:get|set|list|delete) permission on key vault/i],
    description: "Key Vault refused a secret operation right after the deploying principal's role on the vault was created.",
    source: 'Azure/terraform-azurerm-avm-res-keyvault-vault#78',
    persistentHint:
      "check that the deploying principal holds 'Key Vault Secrets Officer' (or Administrator) on the vault and that its " +
      'firewall admits your address (adminCidrs)',
  },
  {
    name: 'PrincipalNotFound',
    patterns: [/PrincipalNotFound/, /Principal \S+ does not exist in the directory/i],
    description: 'A role assignment referenced a managed identity that Entra ID has not replicated yet.',
    source:
      'azurerm_role_assignment skip_service_principal_aad_check (https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/role_assignment); Azure/AgentBaker#8251',
    persistentHint: 'check that the principal id in the role assignment is an object id that exists in this tenant',
  },
  {
    name: 'TooManyRequests',
    patterns: [
      /StatusCode\s*=\s*429\b/,
      /\bStatus(?: Code)?\s*[=:]\s*429\b/i,
      /unexpected status 429\b/i,
      /\b429 Too Many Requests\b/i,
      /\bTooManyRequests\b/,
    ],
    description: 'Azure Resource Manager throttled the request (HTTP 429).',
    source: 'ARM throttling: https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling',
    persistentHint: 'another process may be using up the subscription request quota; wait a few minutes and rerun',
  },
  {
    name: 'ManagedEnvironmentOperationInProgress',
    patterns: [
      /ManagedEnvironmentOperationInProgress/,
      /Cannot modify Container Apps environment \S+ because another operation is in progress/i,
      /ContainerAppLockConflict/,
      /because another modification is in progress\. Please retry/i,
      /MaintenanceConfigurationLockConflict/,
    ],
    description: 'HTTP 409 Conflict: the Container Apps environment (or an app in it) was busy with another operation.',
    source: 'microsoft/azure-container-apps#701, #1112, #175, #1657',
    persistentHint: 'check the environment in the portal: an earlier operation may be stuck; rerun once it has finished',
  },
  {
    name: 'AnotherOperationInProgress',
    patterns: [/AnotherOperationInProgress/, /Another operation on this or dependent resource is in progress/i],
    description: 'HTTP 409 Conflict: a VNet/subnet operation overlapped another one on the same network.',
    source: 'hashicorp/terraform-provider-azurerm#4285, #3780',
    persistentHint: 'another deployment may be changing the same virtual network; rerun once it has finished',
  },
];

/**
 * Returns the first known transient error found in `stderr`, or `undefined` when the failure is not one
 * we retry.
 *
 * Whitespace is normalised first: without a terminal, terraform wraps diagnostics at about 78 columns,
 * which splits messages such as `429 Too Many\nRequests` across lines.
 */
export function matchTransientError(stderr: string, catalogue: readonly TransientError[] = TRANSIENT_ERRORS): TransientError | undefined {
  const text = stderr.replace(/\s+/g, ' ');
  return catalogue.find((t) => t.patterns.some((p) => p.test(text)));
}

/**
 * Bounded exponential backoff for transient errors.
 *
 * Delay before retry `n` (1-based) is `min(maxDelayMs, baseDelayMs × 2^(n-1))`.
 */
export interface RetryPolicy {
  /**
   * Total attempts including the first one.
   * @default 5
   */
  readonly maxAttempts: number;
  /**
   * Delay before the first retry.
   * @default 15000
   */
  readonly baseDelayMs: number;
  /**
   * Upper bound of any single delay.
   * @default 120000
   */
  readonly maxDelayMs: number;
}

/** Defaults: 5 attempts waiting 15 s, 30 s, 60 s, 120 s — just under 4 minutes, about the RBAC propagation time seen in practice. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 15_000, maxDelayMs: 120_000 };

/** Delay before retry number `retry` (1-based). */
export function backoffDelayMs(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
}

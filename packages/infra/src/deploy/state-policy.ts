/**
 * Where a deploy may keep its Terraform state. The state of these stacks holds what no file on a laptop should: the
 * storage account key (azurerm_storage_account `primary_access_key`, and the environment storages' `access_key`), the
 * outputs the apps and edge stacks read, and the full resource graph. Local state has no lock (two deploys at once
 * corrupt it), no encryption at rest beyond the disk's, and no versioning. So a deploy of any environment other than the
 * committed example must use the azurerm backend (blob lease locking, versioning and soft delete, Entra ID auth, a
 * firewall to adminCidrs: see ./state-bootstrap), unless the operator says so explicitly with `--allow-local-state`.
 *
 * @see https://developer.hashicorp.com/terraform/language/backend/azurerm (state locking with blob leases)
 * @see https://developer.hashicorp.com/terraform/language/state/sensitive-data
 */

/** The environment that may deploy with local state without the flag: the committed, offline example. */
export const LOCAL_STATE_ENVIRONMENTS: readonly string[] = ['example'];

/** What {@link checkStatePolicy} needs. */
export interface StatePolicyInput {
  /** The environment's `name`. */
  readonly environment: string;
  /** Its `stateBackend.type`. */
  readonly backendType: 'local' | 'azurerm';
  /** `deploy --allow-local-state`. @default false */
  readonly allowLocalState?: boolean;
}

/** The decision: allowed (maybe with a warning to print), or refused with the message to print (exit 4, bad input). */
export type StatePolicyDecision =
  | { readonly allowed: true; readonly warning?: string }
  | { readonly allowed: false; readonly message: string };

/** Decides whether a deploy may run with this state backend. Pure: reads nothing, changes nothing. */
export function checkStatePolicy(input: StatePolicyInput): StatePolicyDecision {
  if (input.backendType === 'azurerm') return { allowed: true };
  if (LOCAL_STATE_ENVIRONMENTS.includes(input.environment)) return { allowed: true };
  const risk = 'local state has no lock, no versioning and keeps the storage account key and the stacks’ outputs in a file on this machine';
  if (input.allowLocalState) {
    return {
      allowed: true,
      warning: `environment '${input.environment}' deploys with stateBackend.type 'local' (--allow-local-state): ${risk}`,
    };
  }
  return {
    allowed: false,
    message:
      `'stateBackend.type' (local) is refused for environment '${input.environment}': ${risk}. Use stateBackend.type 'azurerm' ` +
      '(create its storage with `cvat-infra state-bootstrap --env <name>`, which locks, versions and firewalls it), or pass ' +
      '--allow-local-state to accept the risk for this deploy.',
  };
}

import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, matchTransientError, TRANSIENT_ERRORS } from '../../src/deploy/transient-errors';

// Messages as Azure/terraform print them (sources in transient-errors.ts), including terraform's
// ~78-column wrapping without a terminal.
const SAMPLES: Array<[string, string]> = [
  [
    'KeyVaultReferenceRbacPropagation',
    `Error: creating Container App (Subscription: "x" Resource Group Name: "cvat-dev-rg" Container App Name: "cvat-server"): ` +
      `performing CreateOrUpdate: unexpected status 400 (400 Bad Request) with error: InvalidParameterValueInContainerTemplate: ` +
      `The following field(s) are either invalid or missing. Field 'configuration.secrets' is invalid with details: 'Invalid ` +
      `value: "django-secret-key": Unable to get value using Managed identity ` +
      `/subscriptions/x/resourcegroups/cvat-dev-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/cvat-dev-apps for ` +
      `secret django-secret-key. Error: unable to fetch secret 'django-secret-key' using Managed identity '/subscriptions/x/...'';.`,
  ],
  [
    'KeyVaultForbiddenByRbac',
    'Error: checking for presence of existing Secret "django-secret-key" (Key Vault "https://cvat-dev-kv.vault.azure.net/"): ' +
      'keyvault.BaseClient#GetSecret: Failure responding to request: StatusCode=403 -- Original Error: autorest/azure: Service ' +
      'returned an error. Status=403 Code="Forbidden" Message="Caller is not authorized to perform action on resource." ' +
      'InnerError={"code":"ForbiddenByRbac"}',
  ],
  [
    'KeyVaultForbiddenByRbac',
    "Error: The user, group or application 'appid=...;oid=...' does not have secrets get permission on key vault 'cvat-dev-kv;location=eastus'.",
  ],
  [
    'PrincipalNotFound',
    'Error: authorization.RoleAssignmentsClient#Create: Failure responding to request: StatusCode=400 -- Original Error: ' +
      'autorest/azure: Service returned an error. Status=400 Code="PrincipalNotFound" Message="Principal 0f1e does not exist in ' +
      'the directory 72f9. Check that you have the correct principal ID."',
  ],
  [
    'TooManyRequests',
    'Error: listing Storage Account keys: unexpected status 429 (429 Too Many\nRequests) with error: TooManyRequests: The request is being throttled.',
  ],
  [
    'TooManyRequests',
    'Error: retrieving Resource Group: resources.GroupsClient#Get: Failure responding to request: StatusCode=429 -- Original Error: ...',
  ],
  [
    'ManagedEnvironmentOperationInProgress',
    'Error: creating Container App: unexpected status 409 (409 Conflict) with error: ManagedEnvironmentOperationInProgress: ' +
      'Cannot modify Container Apps environment cvat-dev-cae because another operation is in progress.',
  ],
  [
    'ManagedEnvironmentOperationInProgress',
    'Error: updating Container App: unexpected status 409 (409 Conflict) with error: ContainerAppLockConflict: Cannot modify ' +
      "container App 'cvat-ui' because another modification is in progress. Please retry the operation.",
  ],
  [
    'AnotherOperationInProgress',
    'Error: updating Network Security Group Association for Subnet: network.SubnetsClient#CreateOrUpdate: Failure sending ' +
      'request: StatusCode=0 -- Original Error: autorest/azure: Service returned an error. Status=<nil> ' +
      'Code="AnotherOperationInProgress" Message="Another operation on this or dependent resource is in progress."',
  ],
];

describe('matchTransientError', () => {
  it.each(SAMPLES)('recognises %s in a real-world message', (name, stderr) => {
    expect(matchTransientError(stderr)?.name).toBe(name);
  });

  it('has a sample for every transient error it knows, so none is untested', () => {
    expect(new Set(SAMPLES.map(([n]) => n))).toEqual(new Set(TRANSIENT_ERRORS.map((t) => t.name)));
  });

  it.each([
    'Error: creating Container App: unexpected status 400 (400 Bad Request) with error: ContainerAppInvalidResourceTotal: The ' +
      'total requested CPU and memory resources for this application (CPU: 0.5, memory: 3Gi) is invalid.',
    'Error: A resource with the ID "/subscriptions/x/resourceGroups/cvat-dev-rg" already exists - to be managed via Terraform ' +
      'this resource needs to be imported into the State.',
    'Error: local-exec provisioner error: exit status 1. Output: migration refused',
    'Error: Invalid reference: resource id 4290 in subscription 1429 not found',
    'Error: StatusCode=409 -- Code="StorageAccountAlreadyTaken" Message="The storage account named cvatdevsa is already taken."',
  ])('does not retry a permanent error %#', (stderr) => {
    expect(matchTransientError(stderr)).toBeUndefined();
  });
});

describe('backoffDelayMs', () => {
  it('doubles from the base delay and caps at the maximum', () => {
    const policy = { maxAttempts: 6, baseDelayMs: 15_000, maxDelayMs: 120_000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(policy, n))).toEqual([15_000, 30_000, 60_000, 120_000, 120_000]);
  });

  it('waits out the usual RBAC propagation sleep (60-180 s) and stays under four minutes in total with the default policy', () => {
    const total = Array.from({ length: DEFAULT_RETRY_POLICY.maxAttempts - 1 }, (_, i) =>
      backoffDelayMs(DEFAULT_RETRY_POLICY, i + 1),
    ).reduce((a, b) => a + b, 0);
    // bounds from the documented propagation delay (a time_sleep of 60-180 s is typical), not from the policy's own numbers
    expect(total).toBeGreaterThanOrEqual(180_000);
    expect(total).toBeLessThan(240_000);
  });
});

import type { TokenCredential } from '@azure/identity';
import { EXIT, ExitError, describeError } from '../errors';

/**
 * The real Azure credential: `DefaultAzureCredential` (environment variables incl. workload identity/OIDC,
 * managed identity, `az login`, azd, PowerShell). Loaded on first use so commands that never touch Azure do not
 * pay for @azure/identity. Tests never call this: they put a fake `TokenCredential` in the runtime.
 */
export async function defaultCredential(): Promise<TokenCredential> {
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new DefaultAzureCredential();
}

/**
 * Maps an authentication failure (CredentialUnavailableError, AuthenticationError, ARM 401/403) to exit code 4
 * with the next step; returns undefined for other errors.
 */
export function authError(error: unknown, what: string): ExitError | undefined {
  const name = error instanceof Error ? error.name : '';
  const status = (error as { statusCode?: number }).statusCode;
  if (name === 'CredentialUnavailableError' || name === 'AuthenticationError' || name === 'AggregateAuthenticationError') {
    return new ExitError(
      EXIT.AUTH_CONFIG,
      `No usable Azure credential for ${what}: ${describeError(error)}. Run 'az login' (or set AZURE_CLIENT_ID/AZURE_TENANT_ID with a secret or federated token), then retry.`,
      { cause: error },
    );
  }
  if (status === 401 || status === 403) {
    return new ExitError(
      EXIT.AUTH_CONFIG,
      `Azure refused ${what} (HTTP ${status}): ${describeError(error)}. Check the role assignments of the signed-in identity ('az account show') on that resource.`,
      { cause: error },
    );
  }
  return undefined;
}

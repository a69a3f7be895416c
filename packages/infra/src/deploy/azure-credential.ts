import { existsSync, readFileSync } from 'node:fs';
import {
  AzureCliCredential,
  AzurePipelinesCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import type { DetectedCredential } from './credentials';
import { DeployError } from './errors';

/**
 * Builds the `@azure/identity` credential that matches what terraform's azurerm provider will use, so the
 * init-job client acts as the same principal. Only constructs objects: no token is requested here.
 *
 * A client certificate must be PEM for `@azure/identity` (azurerm also accepts PFX); a PFX is reported as
 * a precondition error before anything is deployed.
 *
 * @see https://learn.microsoft.com/javascript/api/overview/azure/identity-readme
 */
export function createTokenCredential(detected: DetectedCredential, env: NodeJS.ProcessEnv): TokenCredential {
  const tenantId = env.ARM_TENANT_ID ?? '';
  const clientId = env.ARM_CLIENT_ID ?? '';
  switch (detected.source) {
    case 'service-principal-secret':
      return new ClientSecretCredential(tenantId, clientId, env.ARM_CLIENT_SECRET ?? '');
    case 'service-principal-certificate': {
      const path = env.ARM_CLIENT_CERTIFICATE_PATH ?? '';
      const head = existsSync(path) ? readFileSync(path).subarray(0, 64).toString('latin1') : '';
      if (!head.includes('-----BEGIN')) {
        throw new DeployError(
          'CREDENTIALS_MISSING',
          `ARM_CLIENT_CERTIFICATE_PATH (${path}) is not a PEM file; the init-job client needs PEM (convert: openssl pkcs12 -in cert.pfx -out cert.pem -nodes). Nothing was changed.`,
        );
      }
      return new ClientCertificateCredential(tenantId, clientId, { certificatePath: path, certificatePassword: env.ARM_CLIENT_CERTIFICATE_PASSWORD });
    }
    case 'oidc': {
      if (env.ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID && env.SYSTEM_ACCESSTOKEN && !env.ARM_OIDC_TOKEN && !env.ARM_OIDC_TOKEN_FILE_PATH) {
        // @azure/identity reads SYSTEM_OIDCREQUESTURI from process.env itself and throws its own error type when it is
        // missing; check it here, from the same env the rest of the deploy reads, so the caller gets a DeployError.
        if (!env.SYSTEM_OIDCREQUESTURI || !process.env.SYSTEM_OIDCREQUESTURI) {
          throw new DeployError(
            'CREDENTIALS_MISSING',
            'ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID is set but SYSTEM_OIDCREQUESTURI is not: run the deploy in an Azure Pipelines task that uses the service connection (the agent sets it), or give ARM_OIDC_TOKEN / ARM_OIDC_TOKEN_FILE_PATH. Nothing was changed.',
          );
        }
        return new AzurePipelinesCredential(tenantId, clientId, env.ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID, env.SYSTEM_ACCESSTOKEN);
      }
      return new ClientAssertionCredential(tenantId, clientId, () => oidcAssertion(env));
    }
    case 'managed-identity':
      return new ManagedIdentityCredential(clientId ? { clientId } : undefined);
    case 'azure-cli':
      return new AzureCliCredential();
  }
}

/** Fetches the federated token the same way azurerm does: inline token, token file, or the CI endpoint. */
async function oidcAssertion(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.ARM_OIDC_TOKEN) return env.ARM_OIDC_TOKEN;
  if (env.ARM_OIDC_TOKEN_FILE_PATH) return readFileSync(env.ARM_OIDC_TOKEN_FILE_PATH, 'utf8').trim();
  const url = env.ARM_OIDC_REQUEST_URL || env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const token = env.ARM_OIDC_REQUEST_TOKEN || env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !token) throw new DeployError('CREDENTIALS_MISSING', 'ARM_USE_OIDC=true but no OIDC token source is available');
  const u = new URL(url);
  u.searchParams.set('audience', 'api://AzureADTokenExchange');
  const response = await fetch(u, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  if (!response.ok) throw new DeployError('CREDENTIALS_MISSING', `OIDC token request failed with HTTP ${response.status}`);
  const body = (await response.json()) as { value?: string };
  if (!body.value) throw new DeployError('CREDENTIALS_MISSING', "OIDC token response has no 'value'");
  return body.value;
}

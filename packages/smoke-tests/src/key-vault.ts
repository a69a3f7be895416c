/**
 * Reads the superuser password from the environment's Key Vault, for `--env <name>` runs without
 * `CVAT_PASSWORD`/`--password`. `@azure/keyvault-secrets` and `@azure/identity` are loaded here only, with
 * dynamic `import()`, and only when a secret is actually read: a run given a password never loads them.
 *
 * The SDK authenticates by challenge: its first request carries no token, Key Vault answers 401 with
 * `WWW-Authenticate: Bearer authorization="…", resource="https://vault.azure.net"`, and the SDK asks the
 * credential (`DefaultAzureCredential`: `az login`, environment variables, managed or workload identity) for a
 * token for that resource before retrying.
 *
 * Test seam: `CVAT_SMOKE_KEYVAULT_ENDPOINT` (a template with `{vault}`) replaces `https://{vault}.vault.azure.net`
 * and is accepted only for a loopback host (127.0.0.1, localhost, [::1]). Plain http is then allowed, and the
 * challenge-resource check (vault.azure.net cannot match 127.0.0.1) is turned off — there and only there.
 */
import type { TokenCredential } from '@azure/identity';
import { SmokeError, describeError } from './errors';

/** Public-cloud vault URL template. */
export const DEFAULT_KEYVAULT_ENDPOINT = 'https://{vault}.vault.azure.net';

/** Environment variable of the loopback-only endpoint override (tests). */
export const KEYVAULT_ENDPOINT_ENV = 'CVAT_SMOKE_KEYVAULT_ENDPOINT';

const LOOPBACK = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/i;

/** Which secret to read, and for which environment (for the messages). */
export interface SecretLocation {
  /** Key Vault name (`resourceNames(config).keyVault`). */
  readonly vault: string;
  /** Secret name in the vault (the catalogue secret's `keyVaultName`). */
  readonly secret: string;
  /** Environment name, for copy-pasteable next steps. */
  readonly environment: string;
}

/** Reads one secret's value; throws a {@link SmokeError} `config` naming vault, secret and the next step. */
export type SecretReader = (location: SecretLocation, signal?: AbortSignal) => Promise<string>;

/** Options of {@link keyVaultSecretReader}. */
export interface KeyVaultReaderOptions {
  /** Process environment (for {@link KEYVAULT_ENDPOINT_ENV}). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The credential; @default `new DefaultAzureCredential()` (loaded on first use). */
  readonly credential?: TokenCredential;
}

interface KeyVaultErrorLike {
  name?: string;
  statusCode?: number;
  code?: string;
  /** The deserialized body; the SDK renames Key Vault's `innererror` to `innerError`. */
  details?: { error?: { code?: string; innerError?: { code?: string }; innererror?: { code?: string } } };
}

function innerCode(error: KeyVaultErrorLike): string | undefined {
  const body = error.details?.error;
  return body?.innerError?.code ?? body?.innererror?.code ?? body?.code ?? error.code;
}

/** The vault URL for `vault`, honouring the loopback-only override. */
export function keyVaultUrl(vault: string, env: Readonly<Record<string, string | undefined>>): { url: string; loopback: boolean } {
  const override = env[KEYVAULT_ENDPOINT_ENV];
  if (override) {
    if (!LOOPBACK.test(override) || !override.includes('{vault}')) {
      throw new SmokeError('config', `'${KEYVAULT_ENDPOINT_ENV}' (${override}) must be a 127.0.0.1/localhost URL template containing {vault}: it exists for tests only; unset it to use ${DEFAULT_KEYVAULT_ENDPOINT}`);
    }
    return { url: override.replace('{vault}', vault).replace(/\/+$/, ''), loopback: true };
  }
  return { url: DEFAULT_KEYVAULT_ENDPOINT.replace('{vault}', vault), loopback: false };
}

/** A {@link SecretReader} over the real `SecretClient`. */
export function keyVaultSecretReader(options: KeyVaultReaderOptions): SecretReader {
  return async ({ vault, secret, environment }, signal) => {
    const { url, loopback } = keyVaultUrl(vault, options.env);
    const what = `Key Vault '${vault}' (${url}) secret '${secret}'`;
    const orSetPassword = 'or set CVAT_PASSWORD to give the password yourself';
    let value: string | undefined;
    try {
      const { SecretClient } = await import('@azure/keyvault-secrets');
      const credential = options.credential ?? new (await import('@azure/identity')).DefaultAzureCredential();
      const client = new SecretClient(url, credential, {
        ...(loopback ? { allowInsecureConnection: true, disableChallengeResourceVerification: true } : {}),
        retryOptions: { maxRetries: 1 },
        userAgentOptions: { userAgentPrefix: 'cvat-smoke' },
      });
      value = (await client.getSecret(secret, { abortSignal: signal })).value;
    } catch (error) {
      if (signal?.aborted) throw new SmokeError('aborted', `interrupted while reading ${what}`, { cause: error });
      const e = error as KeyVaultErrorLike;
      const code = innerCode(e);
      if (e.statusCode === 404) {
        throw new SmokeError('config', `${what} does not exist: the deploy writes the superuser password there; run 'npx nx run infra:deploy -- --env ${environment}', ${orSetPassword}`, { cause: error, status: 404 });
      }
      if (e.statusCode === 403 && code === 'ForbiddenByFirewall') {
        throw new SmokeError('config', `${what}: the vault's firewall refused your address (ForbiddenByFirewall); add your network to 'adminCidrs' in environments/${environment}.yaml and redeploy, ${orSetPassword}`, { cause: error, status: 403 });
      }
      if (e.statusCode === 403) {
        throw new SmokeError('config', `${what}: your identity may not read secrets (${code ?? 'Forbidden'}); grant it the 'Key Vault Secrets User' role on the vault ('az role assignment create --role "Key Vault Secrets User" --assignee <you> --scope <vault id>'), ${orSetPassword}`, { cause: error, status: 403 });
      }
      if (e.name === 'CredentialUnavailableError' || e.name === 'AuthenticationError' || e.name === 'AggregateAuthenticationError') {
        throw new SmokeError('config', `no usable Azure credential to read ${what}: run 'az login', ${orSetPassword}. (${describeError(error)})`, { cause: error });
      }
      throw new SmokeError('config', `could not read ${what}: ${describeError(error)}; check the vault name and your network, ${orSetPassword}`, { cause: error, status: e.statusCode });
    }
    if (!value) throw new SmokeError('config', `${what} is empty: rerun the deploy for '${environment}', ${orSetPassword}`);
    return value;
  };
}

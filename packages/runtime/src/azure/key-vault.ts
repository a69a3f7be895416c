/**
 * Reads one Key Vault secret with `@azure/keyvault-secrets` (loaded only when a secret is read), with one set of
 * errors for every tool: each names the vault, the secret and the next step.
 *
 * The SDK authenticates by challenge: its first request carries no token, Key Vault answers 401 with
 * `WWW-Authenticate: Bearer authorization="…", resource="https://vault.azure.net"`, and the SDK asks the credential
 * for a token for that resource (and tenant) before retrying
 * (https://learn.microsoft.com/azure/key-vault/general/authentication-requests-and-responses).
 *
 * Test seam: `CVAT_KEYVAULT_ENDPOINT` (a template with `{vault}`; the older `CVAT_OPS_KEYVAULT_ENDPOINT` and
 * `CVAT_SMOKE_KEYVAULT_ENDPOINT` are read too) replaces `https://{vault}.vault.azure.net`. It must be https, or plain
 * http on 127.0.0.1/localhost; only there is the challenge-resource check turned off (vault.azure.net cannot match
 * 127.0.0.1).
 */
import type { TokenCredential } from '@azure/identity';
import { CliError, describeError, isUnreachable } from '../errors';
import { EXIT } from '../exit';
import { isLoopbackHttp } from './arm';
import { printable, redactUrl, rememberSecret } from '../redact';
import { createAzureCredential } from './credentials';

type Env = Readonly<Record<string, string | undefined>>;

/** Public-cloud vault URL template. */
export const DEFAULT_KEYVAULT_ENDPOINT = 'https://{vault}.vault.azure.net';

/** Variables of the endpoint template, the first set wins. */
export const KEYVAULT_ENDPOINT_VARIABLES: readonly string[] = [
  'CVAT_KEYVAULT_ENDPOINT',
  'CVAT_OPS_KEYVAULT_ENDPOINT',
  'CVAT_SMOKE_KEYVAULT_ENDPOINT',
];

/** Which secret to read, and why (for the messages). */
export interface SecretLocation {
  /** Key Vault name (`resourceNames(config).keyVault`). */
  readonly vault: string;
  /** Secret name in the vault (the catalogue secret's `keyVaultName`). */
  readonly secret: string;
  /** What the secret is, e.g. `the PostgreSQL administrator password`. */
  readonly purpose?: string;
  /** Environment name, for copy-pasteable next steps. */
  readonly environment?: string;
}

/** Reads one secret's value; throws {@link CliError} naming vault, secret and the next step. */
export type SecretReader = (location: SecretLocation, signal?: AbortSignal) => Promise<string>;

/** Options of {@link keyVaultSecretReader}. */
export interface KeyVaultReaderOptions {
  /** Process environment (endpoint variables; the default credential). */
  readonly env: Env;
  /** The credential. @default createAzureCredential(env), created on the first read */
  readonly credential?: () => Promise<TokenCredential>;
  /** How to do without Key Vault, ending every message, e.g. `set PGPASSWORD to connect without Key Vault`. */
  readonly alternative?: string;
  /** User-Agent prefix, e.g. `cvat-ops`. */
  readonly userAgent?: string;
  /** Attempts after the first (the SDK's retry policy). @default 1 */
  readonly maxRetries?: number;
}

interface KeyVaultErrorLike {
  name?: string;
  statusCode?: number;
  code?: string;
  /** The deserialized body; the SDK renames Key Vault's `innererror` to `innerError`. */
  details?: { error?: { code?: string; innerError?: { code?: string }; innererror?: { code?: string } } };
}

/** The innermost Key Vault error code (`ForbiddenByRbac`, `ForbiddenByFirewall`, `SecretNotFound`, …), if any. */
function innerCode(error: KeyVaultErrorLike): string | undefined {
  const body = error.details?.error;
  return body?.innerError?.code ?? body?.innererror?.code ?? body?.code ?? error.code;
}

/** The vault URL for `vault` and whether it is a loopback test double; CONFIG for a template that is not allowed. */
export function keyVaultUrl(vault: string, env: Env): { url: string; loopback: boolean } {
  const variable = KEYVAULT_ENDPOINT_VARIABLES.find((name) => env[name]);
  const template = variable ? env[variable]! : DEFAULT_KEYVAULT_ENDPOINT;
  const url = template.replace('{vault}', vault).replace(/\/+$/, '');
  const loopback = isLoopbackHttp(url);
  if (variable && (!template.includes('{vault}') || (!url.startsWith('https://') && !loopback))) {
    throw new CliError(
      EXIT.CONFIG,
      `${variable} (${redactUrl(printable(template))}) must be an https URL template containing {vault} ` +
        `(plain http only for 127.0.0.1/localhost test servers); unset it to use ${DEFAULT_KEYVAULT_ENDPOINT}.`,
    );
  }
  return { url, loopback };
}

/** A {@link SecretReader} over the real `SecretClient`. */
export function keyVaultSecretReader(options: KeyVaultReaderOptions): SecretReader {
  let credential: Promise<TokenCredential> | undefined;
  const getCredential = (): Promise<TokenCredential> =>
    (credential ??= options.credential ? options.credential() : createAzureCredential(options.env));
  return async (location, signal) => {
    const { vault, secret } = location;
    const { url, loopback } = keyVaultUrl(vault, options.env);
    const what = `Key Vault '${vault}' (${redactUrl(url)}) secret '${secret}'${location.purpose ? ` (${location.purpose})` : ''}`;
    const orElse = options.alternative ? `, or ${options.alternative}` : '';
    const env = location.environment ?? '<name>';
    let value: string | undefined;
    try {
      const { SecretClient } = await import('@azure/keyvault-secrets');
      const client = new SecretClient(url, await getCredential(), {
        ...(loopback ? { allowInsecureConnection: true, disableChallengeResourceVerification: true } : {}),
        retryOptions: { maxRetries: options.maxRetries ?? 1 },
        ...(options.userAgent ? { userAgentOptions: { userAgentPrefix: options.userAgent } } : {}),
      });
      value = (await client.getSecret(secret, signal ? { abortSignal: signal } : {})).value;
    } catch (error) {
      if (error instanceof CliError) throw error;
      if (signal?.aborted) throw new CliError(EXIT.INTERRUPTED, `interrupted while reading ${what}`, { cause: error });
      const e = error as KeyVaultErrorLike;
      const code = innerCode(e);
      if (e.statusCode === 404) {
        throw new CliError(
          EXIT.NOT_FOUND,
          `${what} does not exist. The deploy writes it: run 'npx nx run infra:deploy -- --env ${env}'${orElse}.`,
          {
            cause: error,
            hint: `npx nx run infra:deploy -- --env ${env}`,
          },
        );
      }
      if (e.statusCode === 403 && code === 'ForbiddenByFirewall') {
        throw new CliError(
          EXIT.AUTH,
          `${what}: the vault's firewall refused this machine's address (HTTP 403 ForbiddenByFirewall). ` +
            `Add your network to 'adminCidrs' in environments/${env}.yaml and redeploy, run from inside the virtual network${orElse}.`,
          { cause: error },
        );
      }
      if (e.statusCode === 403 || e.statusCode === 401) {
        const grant =
          'az role assignment create --role "Key Vault Secrets User" --assignee <your object id> --scope <the vault\'s resource id>';
        throw new CliError(
          EXIT.AUTH,
          `${what}: the signed-in identity may not read secrets (HTTP ${e.statusCode} ${code ?? 'Forbidden'}). Grant it 'Key Vault Secrets User': ` +
            `${grant} (role assignments take a few minutes to apply)${orElse}.`,
          { cause: error },
        );
      }
      if (e.name === 'CredentialUnavailableError' || e.name === 'AuthenticationError' || e.name === 'AggregateAuthenticationError') {
        throw new CliError(EXIT.AUTH, `No usable Azure credential to read ${what}: ${describeError(error)}. Run 'az login'${orElse}.`, {
          cause: error,
          hint: 'az login',
        });
      }
      if ((e.statusCode !== undefined && e.statusCode >= 500) || (e.statusCode === undefined && isUnreachable(error))) {
        throw new CliError(
          EXIT.UNAVAILABLE,
          `Could not reach ${what}: ${describeError(error)}. Check the vault name and your network${orElse}.`,
          { cause: error },
        );
      }
      throw new CliError(
        EXIT.FAILED,
        `Could not read ${what}: ${describeError(error)}. Check 'az login' and the 'Key Vault Secrets User' role${orElse}.`,
        {
          cause: error,
        },
      );
    }
    if (!value) throw new CliError(EXIT.CONFIG, `${what} is empty: rerun the deploy for '${env}'${orElse}.`);
    rememberSecret(value); // never printed from here on (runMain and the tools' output redact it)
    return value;
  };
}

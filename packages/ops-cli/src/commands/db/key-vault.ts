/**
 * Reads a Key Vault secret with the runtime's credential (@azure/keyvault-secrets, loaded only here).
 *
 * The SDK authenticates by challenge: its first request carries no token, Key Vault answers 401 with
 * `WWW-Authenticate: Bearer authorization="…", resource="https://vault.azure.net"`, and the SDK asks the credential
 * for a token for that resource (and tenant) before retrying. Off Azure, `CVAT_OPS_KEYVAULT_ENDPOINT` (template with
 * `{vault}`) points elsewhere; plain http is accepted only for 127.0.0.1/localhost test servers, for which the
 * challenge's resource (vault.azure.net) cannot match the host, so that check is turned off there and only there.
 */
import type { Runtime } from '../../context/runtime';
import { authError } from '../../context/credential';
import { EXIT, ExitError, describeError } from '../../errors';
import { msg } from './messages';
import type { SecretReader } from './environment-defaults';

/** Public-cloud vault URL template. */
export const DEFAULT_KEYVAULT_ENDPOINT = 'https://{vault}.vault.azure.net';

const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/i;

interface KeyVaultErrorLike {
  statusCode?: number;
  code?: string;
  message: string;
  /** The deserialized body; the SDK renames Key Vault's `innererror` to `innerError`. */
  details?: { error?: { code?: string; innerError?: { code?: string }; innererror?: { code?: string } } };
}

/** The innermost Key Vault error code (`ForbiddenByRbac`, `ForbiddenByFirewall`, `SecretNotFound`, …), if any. */
function innerCode(error: KeyVaultErrorLike): string | undefined {
  const body = error.details?.error;
  return body?.innerError?.code ?? body?.innererror?.code ?? body?.code ?? error.code;
}

/**
 * A {@link SecretReader} over the real SDK client. `envRef` (the `--env` value) makes the next-step hints
 * copy-pasteable.
 */
export function keyVaultSecretReader(runtime: Runtime, envRef?: string): SecretReader {
  return async (vaultName, secretName) => {
    const url = (runtime.env.CVAT_OPS_KEYVAULT_ENDPOINT || DEFAULT_KEYVAULT_ENDPOINT).replace('{vault}', vaultName).replace(/\/+$/, '');
    const loopback = LOOPBACK_HTTP.test(url);
    if (!url.startsWith('https://') && !loopback) {
      throw new ExitError(EXIT.AUTH_CONFIG, msg.keyVaultInsecure(url));
    }
    const { SecretClient } = await import('@azure/keyvault-secrets');
    const client = new SecretClient(url, await runtime.credential(), {
      ...(loopback ? { allowInsecureConnection: true, disableChallengeResourceVerification: true } : {}),
      userAgentOptions: { userAgentPrefix: 'cvat-ops' },
    });
    const where = { vault: vaultName, secret: secretName, url, envRef };
    let value: string | undefined;
    try {
      value = (await client.getSecret(secretName)).value;
    } catch (error) {
      const e = error as KeyVaultErrorLike;
      const code = innerCode(e);
      if (e.statusCode === 404) throw new ExitError(EXIT.NOT_FOUND, msg.keyVaultSecretNotFound(where), { cause: error });
      if (e.statusCode === 403 && code === 'ForbiddenByFirewall') throw new ExitError(EXIT.AUTH_CONFIG, msg.keyVaultFirewall(where), { cause: error });
      if (e.statusCode === 403) throw new ExitError(EXIT.AUTH_CONFIG, msg.keyVaultForbidden(where, code ?? 'Forbidden'), { cause: error });
      const auth = authError(error, `reading secret '${secretName}' from Key Vault '${vaultName}'`);
      if (auth) throw auth;
      throw new ExitError(EXIT.FAILED, msg.keyVaultFailed(vaultName, secretName, describeError(error)), { cause: error });
    }
    if (!value) throw new ExitError(EXIT.AUTH_CONFIG, msg.keyVaultFailed(vaultName, secretName, 'the secret has no value'));
    return value;
  };
}

/** Reads a Key Vault secret with the runtime's credential (@azure/keyvault-secrets, loaded only here). */
import type { Runtime } from '../../context/runtime';
import { authError } from '../../context/credential';
import { EXIT, ExitError, describeError } from '../../errors';
import { msg } from './messages';
import type { SecretReader } from './environment-defaults';

export function keyVaultSecretReader(runtime: Runtime): SecretReader {
  return async (vaultName, secretName) => {
    const { SecretClient } = await import('@azure/keyvault-secrets');
    const url = (runtime.env.CVAT_OPS_KEYVAULT_ENDPOINT ?? 'https://{vault}.vault.azure.net').replace('{vault}', vaultName);
    const client = new SecretClient(url, await runtime.credential());
    try {
      const secret = await client.getSecret(secretName);
      if (!secret.value) throw new ExitError(EXIT.AUTH_CONFIG, msg.keyVaultFailed(vaultName, secretName, 'the secret has no value'));
      return secret.value;
    } catch (error) {
      if (error instanceof ExitError) throw error;
      const auth = authError(error, `reading secret '${secretName}' from Key Vault '${vaultName}'`);
      if (auth) throw auth;
      const status = (error as { statusCode?: number }).statusCode;
      throw new ExitError(status === 404 ? EXIT.NOT_FOUND : EXIT.FAILED, msg.keyVaultFailed(vaultName, secretName, describeError(error)), { cause: error });
    }
  };
}

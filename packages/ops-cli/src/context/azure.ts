import type { TokenCredential } from '@azure/identity';
import { EXIT, ExitError } from '../errors';
import type { Runtime } from './runtime';

/** Default Azure Resource Manager endpoint (public cloud). */
export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';

/** What every ARM client constructor needs: `new XClient(setup.credential, subscriptionId, setup.options)`. */
export interface ArmClientSetup {
  /**
   * The runtime's credential; `undefined` (cast) when the endpoint is plain http on loopback, because the SDK's
   * bearer policy refuses http and, with no credential, adds no auth policy (toolchain.md §6).
   */
  credential: TokenCredential;
  options: {
    endpoint: string;
    allowInsecureConnection?: boolean;
    /** Throttling (429 + Retry-After) and transient failures are retried by the SDK pipeline with backoff. */
    retryOptions: { maxRetries: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  };
}

/**
 * Builds ARM client arguments from the runtime: public endpoint + DefaultAzureCredential normally,
 * `CVAT_OPS_ARM_ENDPOINT` (e.g. a loopback fake) when set. Only `http://127.0.0.1`/`localhost` endpoints skip auth.
 */
export async function armClientSetup(runtime: Pick<Runtime, 'armEndpoint' | 'credential' | 'env'>): Promise<ArmClientSetup> {
  const endpoint = (runtime.armEndpoint ?? DEFAULT_ARM_ENDPOINT).replace(/\/+$/, '');
  const insecure = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i.test(endpoint);
  if (endpoint.startsWith('http://') && !insecure) {
    throw new ExitError(
      EXIT.AUTH_CONFIG,
      `ARM endpoint '${endpoint}' must use https (plain http is only accepted for 127.0.0.1/localhost test servers). Fix CVAT_OPS_ARM_ENDPOINT.`,
    );
  }
  const maxRetries = Number(runtime.env.CVAT_OPS_ARM_MAX_RETRIES ?? 3);
  return {
    credential: insecure ? (undefined as unknown as TokenCredential) : await runtime.credential(),
    options: {
      endpoint,
      ...(insecure ? { allowInsecureConnection: true } : {}),
      retryOptions: { maxRetries: Number.isFinite(maxRetries) ? maxRetries : 3 },
    },
  };
}

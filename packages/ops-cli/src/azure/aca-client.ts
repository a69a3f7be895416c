/**
 * The Container Apps ARM client (`@azure/arm-appcontainers` 3.0.0, api-version 2025-07-01) built from the
 * runtime: endpoint and credential from `src/context/azure.ts`, retries by the SDK pipeline.
 *
 * Retries: throttling (429/503 with Retry-After) and transient failures (connection resets, 5xx) are retried by
 * the pipeline's default retry policy, which honours Retry-After and otherwise backs off exponentially. We never
 * retry on top of it: a second retry loop would multiply the attempts ARM asked us to slow down.
 */
// A static import is fine: this module is only reached from lazily imported command modules.
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import type { TokenCredential } from '@azure/identity';
import { armClientSetup } from '../context/azure';
import type { Runtime } from '../context/runtime';

/** Retry settings for ARM calls (merged over what `armClientSetup` gives; `CVAT_OPS_ARM_MAX_RETRIES` wins for maxRetries). */
export const ARM_RETRY_DEFAULTS = {
  /** Attempts after the first. @default 4 */
  maxRetries: 4,
  /** First back-off step when ARM sends no Retry-After. @default 1000 */
  retryDelayInMs: 1000,
  /** Cap of the exponential back-off. @default 30000 */
  maxRetryDelayInMs: 30_000,
} as const;

/** Name of the SDK's bearer-token policy (core-rest-pipeline `bearerTokenAuthenticationPolicyName`). */
const BEARER_POLICY = 'bearerTokenAuthenticationPolicy';

/** A credential that is never asked for a token: used only with loopback http endpoints where auth is removed. */
const NO_CREDENTIAL: TokenCredential = {
  getToken: () => Promise.reject(new Error('no credential: loopback ARM endpoint without authentication')),
};

/** Builds a Container Apps client for one subscription. Injectable in commands for tests. */
export type AcaClientFactory = (subscriptionId: string) => Promise<ContainerAppsAPIClient>;

/**
 * Creates the client for `subscriptionId` from the runtime.
 *
 * arm-appcontainers 3.0.0 throws on an `undefined` credential (unlike the 4.x generation), so for loopback http
 * endpoints (where `armClientSetup` gives no credential) a placeholder credential is passed and the bearer policy,
 * which refuses plain http, is removed. Any other endpoint keeps the real bearer flow.
 */
export async function createAcaClient(runtime: Pick<Runtime, 'armEndpoint' | 'credential' | 'env'>, subscriptionId: string): Promise<ContainerAppsAPIClient> {
  const setup = await armClientSetup(runtime);
  const withoutAuth = setup.credential === undefined;
  const fromEnv = runtime.env.CVAT_OPS_ARM_MAX_RETRIES !== undefined;
  const client = new ContainerAppsAPIClient(withoutAuth ? NO_CREDENTIAL : setup.credential, subscriptionId, {
    ...setup.options,
    retryOptions: {
      ...ARM_RETRY_DEFAULTS,
      ...(fromEnv ? { maxRetries: setup.options.retryOptions.maxRetries } : {}),
    },
    userAgentOptions: { userAgentPrefix: 'cvat-ops' },
  });
  if (withoutAuth) client.pipeline.removePolicy({ name: BEARER_POLICY });
  return client;
}

/** The default factory: {@link createAcaClient} with the runtime. */
export function acaClientFactory(runtime: Pick<Runtime, 'armEndpoint' | 'credential' | 'env'>): AcaClientFactory {
  return (subscriptionId) => createAcaClient(runtime, subscriptionId);
}

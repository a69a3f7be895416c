/**
 * The Container Apps ARM client (`@azure/arm-appcontainers` 3.0.0, api-version 2025-07-01) built from the runtime:
 * endpoint, credential and retry options from `@cvat-cloud/runtime` armClientSetup (through src/context/azure.ts).
 *
 * Retries: throttling (429/503 with Retry-After) and transient failures are retried by the SDK pipeline's default
 * retry policy (honours Retry-After, else exponential back-off). We never retry on top of it.
 *
 * arm-appcontainers 3.0.0 throws on an `undefined` credential, so a loopback endpoint gets the runtime's placeholder
 * credential and the bearer policy (which refuses plain http) is removed (`applyArmSetup`).
 */
// A static import is fine: this module is only reached from lazily imported command modules.
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { applyArmSetup } from '@cvat-cloud/runtime';
import { armClientSetup } from '../context/azure';
import type { Runtime } from '../context/runtime';

/** Builds a Container Apps client for one subscription. Injectable in commands for tests. */
export type AcaClientFactory = (subscriptionId: string) => Promise<ContainerAppsAPIClient>;

/** Creates the client for `subscriptionId` from the runtime. */
export async function createAcaClient(
  runtime: Pick<Runtime, 'armEndpoint' | 'credential' | 'env'>,
  subscriptionId: string,
): Promise<ContainerAppsAPIClient> {
  const setup = await armClientSetup(runtime);
  return applyArmSetup(new ContainerAppsAPIClient(setup.credential, subscriptionId, setup.options), setup);
}

/** The default factory: {@link createAcaClient} with the runtime. */
export function acaClientFactory(runtime: Pick<Runtime, 'armEndpoint' | 'credential' | 'env'>): AcaClientFactory {
  return (subscriptionId) => createAcaClient(runtime, subscriptionId);
}

import { armClientSetup as runtimeArmClientSetup, type ArmClientSetup } from '@cvat-cloud/runtime';
import type { Runtime } from './runtime';

/**
 * ARM client arguments for cvat-ops (`@cvat-cloud/runtime` armClientSetup): the runtime's endpoint
 * (`CVAT_OPS_ARM_ENDPOINT`; a loopback double in tests) and credential, `CVAT_OPS_ARM_MAX_RETRIES` attempts after
 * the first (default 4). Build the client with `applyArmSetup(new XClient(setup.credential, sub, setup.options), setup)`.
 */
export function armClientSetup(runtime: Pick<Runtime, 'armEndpoint' | 'credential' | 'env'>): Promise<ArmClientSetup> {
  const retries = runtime.env.CVAT_OPS_ARM_MAX_RETRIES;
  return runtimeArmClientSetup({
    ...(runtime.armEndpoint ? { endpoint: runtime.armEndpoint } : {}),
    endpointSource: 'CVAT_OPS_ARM_ENDPOINT',
    credential: runtime.credential,
    ...(retries !== undefined && /^\d+$/.test(retries) ? { maxRetries: Number(retries) } : {}),
    userAgent: 'cvat-ops',
  });
}

import { CliError, EXIT, armClientSetup as runtimeArmClientSetup, printable, type ArmClientSetup } from '@cvat-cloud/runtime';
import type { Runtime } from './runtime';

/**
 * ARM client arguments for cvat-ops (`@cvat-cloud/runtime` armClientSetup): the runtime's endpoint
 * (`CVAT_OPS_ARM_ENDPOINT`; a loopback double in tests) and credential, `CVAT_OPS_ARM_MAX_RETRIES` attempts after
 * the first (default 4; anything but an integer 0-10 is CONFIG). Build the client with
 * `applyArmSetup(new XClient(setup.credential, sub, setup.options), setup)`.
 */
export function armClientSetup(runtime: Pick<Runtime, 'armEndpoint' | 'credential' | 'env'>): Promise<ArmClientSetup> {
  const retries = runtime.env.CVAT_OPS_ARM_MAX_RETRIES;
  if (retries !== undefined && retries !== '' && !(/^\d{1,2}$/.test(retries.trim()) && Number(retries) <= 10)) {
    return Promise.reject(
      new CliError(EXIT.CONFIG, `CVAT_OPS_ARM_MAX_RETRIES (${printable(retries)}) must be an integer between 0 and 10.`),
    );
  }
  return runtimeArmClientSetup({
    ...(runtime.armEndpoint ? { endpoint: runtime.armEndpoint } : {}),
    endpointSource: 'CVAT_OPS_ARM_ENDPOINT',
    credential: runtime.credential,
    ...(retries !== undefined && retries !== '' ? { maxRetries: Number(retries) } : {}),
    userAgent: 'cvat-ops',
  });
}

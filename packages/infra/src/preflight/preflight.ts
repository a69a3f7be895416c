import type { TokenCredential } from '@azure/identity';
import type { Catalogue, EnvironmentConfig } from '@cvat-cloud/catalogue';
import type { StackJson } from '../deploy/manifest';
import { armTarget, DEFAULT_ARM_ENDPOINT } from './arm';
import { createPreflightClients } from './clients';
import { derivePreflightInputs } from './inputs';
import { DEFAULT_IP_ECHO_URL, detectEgressIp } from './ip';
import { type PreflightReport, runPreflight } from './run';

/** Where preflight's requests go; tests point these at loopback doubles. */
export interface PreflightEndpoints {
  /** @default DEFAULT_ARM_ENDPOINT */
  readonly armEndpoint?: string;
  /** Echo service of `--detect-ip`. @default DEFAULT_IP_ECHO_URL */
  readonly ipEchoUrl?: string;
  /** Retries of throttled/transient ARM calls. @default 3 */
  readonly maxRetries?: number;
}

/** Everything one preflight run needs, as the deploy and the preflight CLI both have it. */
export interface PreflightRequest extends PreflightEndpoints {
  readonly config: EnvironmentConfig;
  readonly catalogue: Catalogue;
  /** The synthesized stacks' `cdk.tf.json`. */
  readonly stacks: readonly StackJson[];
  readonly subscriptionId: string;
  /** The credential terraform's provider will use (same principal). */
  readonly credential: TokenCredential;
  /** `--deployer-ip`. */
  readonly deployerIp?: string;
  /** `--detect-ip`: ask the echo service. @default false */
  readonly detectIp?: boolean;
  /** @default 60 */
  readonly checkTimeoutSeconds?: number;
  readonly log: (line: string) => void;
}

/** Derives the inputs from the synthesized stacks, resolves the deployer's address, and runs every check. */
export async function preflight(request: PreflightRequest): Promise<PreflightReport> {
  const inputs = derivePreflightInputs(request.stacks, request.config, request.catalogue);
  let deployerIp: { address: string; source: string } | undefined;
  let deployerIpError: string | undefined;
  if (request.deployerIp) deployerIp = { address: request.deployerIp, source: '--deployer-ip' };
  else if (request.detectIp) {
    const url = request.ipEchoUrl ?? DEFAULT_IP_ECHO_URL;
    try {
      deployerIp = { address: await detectEgressIp(url, 10_000), source: `--detect-ip via ${new URL(url).host}` };
    } catch (error) {
      deployerIpError = (error as Error).message;
    }
  }
  const target = armTarget(request.credential, request.armEndpoint ?? DEFAULT_ARM_ENDPOINT, request.maxRetries ?? 3);
  return runPreflight({
    inputs,
    subscriptionId: request.subscriptionId,
    credential: request.credential,
    clients: createPreflightClients(target, request.subscriptionId),
    deployerIp,
    deployerIpError,
    log: request.log,
    checkTimeoutSeconds: request.checkTimeoutSeconds,
  });
}

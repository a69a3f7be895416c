/**
 * `cvat-infra preflight`: checks the target subscription before a deploy changes anything — credentials and
 * subscription, resource provider registrations (from the synthesized stacks), global name availability, the edge VM
 * size and PostgreSQL SKU/version in the region, the Container Apps quota, and the deployer's address in adminCidrs.
 * Exit 1 (FAILED) when a check failed; skips are allowed.
 */
import { resolve } from 'node:path';
import { EXIT } from '@cvat-cloud/runtime';
import { DEFAULT_OUTDIR } from '../app';
import { DeployError } from '../deploy/errors';
import { readStackJson } from '../deploy/manifest';
import { preflight } from '../preflight/preflight';
import { formatSummary } from '../preflight/run';
import { type CommandResult, type InfraIo, loadInfraEnvironment, printWarnings } from './context';
import { ensureSynthesized, resolveAzureAuth } from './deploy';

/** Options of `cvat-infra preflight`. */
export interface PreflightCommandOptions {
  readonly env: string;
  /** `--subscription`: must agree with `subscriptionId` / ARM_SUBSCRIPTION_ID when those are set. */
  readonly subscription?: string;
  readonly deployerIp?: string;
  /** @default false */
  readonly detectIp: boolean;
  /** Synth output. @default packages/infra/cdktf.out */
  readonly outDir?: string;
  /** @default 60 */
  readonly checkTimeoutSeconds: number;
  readonly json: boolean;
}

/** `cvat-infra preflight`. */
export async function preflightCommand(options: PreflightCommandOptions, io: InfraIo): Promise<CommandResult> {
  const log = (line: string) => io.err(`${line}\n`);
  const loaded = await loadInfraEnvironment(options.env, io, `cvat-infra preflight --env ${options.env}`);
  printWarnings(loaded, io);
  const { config, catalogue } = loaded;
  if (options.subscription !== undefined) {
    // The deploy takes the subscription from the config, else ARM_SUBSCRIPTION_ID, else AZURE_SUBSCRIPTION_ID (the
    // runtime's order, ARM_* first), so --subscription may only repeat the one it would use.
    const variable = io.env.ARM_SUBSCRIPTION_ID?.trim() ? 'ARM_SUBSCRIPTION_ID' : 'AZURE_SUBSCRIPTION_ID';
    const others = [
      [variable, io.env[variable]],
      [`'subscriptionId' in ${loaded.source}`, config.subscriptionId],
    ] as const;
    for (const [where, value] of others) {
      if (value?.trim() && value.trim().toLowerCase() !== options.subscription.trim().toLowerCase()) {
        throw new DeployError(
          'SUBSCRIPTION_MISMATCH',
          `'--subscription' (${options.subscription}) differs from ${where} (${value.trim()}), ` +
            `which the deploy would use; drop one of them. Nothing was changed.`,
        );
      }
    }
  }
  // Same order and messages as the deploy: credentials, then subscription; nothing else happens without them.
  const auth = resolveAzureAuth(io.env, loaded, log, options.subscription);
  log(`azure: ${auth.detail}; subscription ${auth.subscriptionId} (${auth.source})`);
  const credential = io.preflightEndpoints?.credential ?? (await auth.credential());
  const outDir = options.outDir ? resolve(io.cwd, options.outDir) : DEFAULT_OUTDIR;
  const manifest = await ensureSynthesized(outDir, loaded, options.env, io, log);
  const report = await (io.preflight ?? preflight)({
    config,
    catalogue,
    stacks: manifest.stacks.map((s) => readStackJson(s)),
    subscriptionId: auth.subscriptionId,
    credential,
    ...(options.deployerIp !== undefined ? { deployerIp: options.deployerIp } : {}),
    detectIp: options.detectIp,
    checkTimeoutSeconds: options.checkTimeoutSeconds,
    log,
    ...(io.preflightEndpoints?.armEndpoint !== undefined ? { armEndpoint: io.preflightEndpoints.armEndpoint } : {}),
    ...(io.preflightEndpoints?.ipEchoUrl !== undefined ? { ipEchoUrl: io.preflightEndpoints.ipEchoUrl } : {}),
    ...(io.preflightEndpoints?.maxRetries !== undefined ? { maxRetries: io.preflightEndpoints.maxRetries } : {}),
  });
  for (const line of formatSummary(report)) log(line);
  return { data: report, text: '', exitCode: report.ok ? EXIT.OK : EXIT.FAILED };
}

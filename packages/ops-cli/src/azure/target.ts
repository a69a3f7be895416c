/**
 * What the Container Apps commands act on: subscription + resource group (from `--env`, or `--subscription` /
 * `--resource-group`), the resolved catalogue, and the environment config when there is one, plus the ARM client.
 */
import type { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { defaultCatalogue, type Catalogue, type EnvironmentConfig } from '@cvat-cloud/catalogue';
import { formatCommand } from '@cvat-cloud/runtime';
import { loadEnvironment, resolveAzureScope } from '../context/environment';
import type { GlobalOptions } from '../context/global-options';
import type { Runtime } from '../context/runtime';
import { acaClientFactory, type AcaClientFactory } from './aca-client';

/** Injectable dependencies of the Container Apps commands (tests pass fakes; the CLI passes nothing). */
export interface AcaDeps {
  /** Builds the ARM client. @default createAcaClient with the runtime */
  acaClient?: AcaClientFactory;
}

/** Resolved target of a Container Apps command. */
export interface AcaTarget {
  subscriptionId: string;
  resourceGroup: string;
  /** `--env` as given, when there was one. */
  envRef?: string;
  config?: EnvironmentConfig;
  catalogue: Catalogue;
  /** The target flags as the user typed them (`--env dev`, plus overrides), for "run this next" hints. */
  flags: string;
  /** Human notes to show (e.g. "no --env: compared with the default catalogue"). */
  notes: string[];
  client: ContainerAppsAPIClient;
}

/**
 * Resolves the target. Without `--env` (only `--subscription` + `--resource-group`), the default catalogue is used
 * and a note says so: names still resolve, but environment overrides and platform values are unknown.
 *
 * `checkArguments` runs on the catalogue before anything about Azure is needed (subscription, credential), so
 * bad component names are reported as usage errors even where no Azure access is set up. `beforeNetwork` runs once
 * every local check passed (arguments, environment, subscription, resource group) and before the client is built:
 * a destructive command refuses there (runtime assertCanConfirm) when it could never be confirmed.
 */
export async function resolveAcaTarget(
  options: GlobalOptions,
  runtime: Runtime,
  what: string,
  deps: AcaDeps = {},
  checkArguments: (catalogue: Catalogue) => void = () => {},
  beforeNetwork: () => void = () => {},
): Promise<AcaTarget> {
  const environment = options.env ? loadEnvironment(options, runtime, what) : undefined;
  const catalogue = environment?.catalogue ?? defaultCatalogue();
  checkArguments(catalogue);
  const scope = resolveAzureScope(options, runtime, what);
  beforeNetwork();
  const notes: string[] = [];
  if (environment) {
    for (const w of environment.warnings) notes.push(`warning: ${w.path ? `'${w.path}': ` : ''}${w.message}`);
  } else {
    notes.push('No --env given: compared with the default catalogue (environment overrides and the edge host are unknown).');
  }
  const client = await (deps.acaClient ?? acaClientFactory(runtime))(scope.subscriptionId);
  return {
    subscriptionId: scope.subscriptionId,
    resourceGroup: scope.resourceGroup,
    ...(environment ? { envRef: environment.ref, config: environment.config } : {}),
    catalogue,
    flags: targetFlags(options),
    notes,
    client,
  };
}

/** `['--env', 'dev']` / `['--subscription', …, '--resource-group', …]` as the user gave them, for suggested commands. */
export function targetArgs(options: Pick<GlobalOptions, 'env' | 'subscription' | 'resourceGroup'>): string[] {
  const args: string[] = [];
  if (options.env) args.push('--env', options.env);
  if (options.subscription) args.push('--subscription', options.subscription);
  if (options.resourceGroup) args.push('--resource-group', options.resourceGroup);
  return args;
}

/**
 * {@link targetArgs} as shell words (runtime formatCommand: each value quoted so a pasted suggestion runs nothing
 * but cvat-ops), for "run this next" hints: `--env dev`, `--env 'my env.yaml'`.
 */
export function targetFlags(options: Pick<GlobalOptions, 'env' | 'subscription' | 'resourceGroup'>): string {
  return formatCommand(targetArgs(options));
}

/** The target as every read command reports it in `--json` (and `--output`). */
export interface TargetData {
  subscriptionId: string;
  resourceGroup: string;
  /** `--env` as given, when there was one. */
  environment?: string;
}

/** {@link TargetData} of a target. */
export function targetData(target: Pick<AcaTarget, 'subscriptionId' | 'resourceGroup' | 'envRef'>): TargetData {
  return {
    subscriptionId: target.subscriptionId,
    resourceGroup: target.resourceGroup,
    ...(target.envRef ? { environment: target.envRef } : {}),
  };
}

/** `<resource group> (environment <env>)`, for table titles. */
export function targetLabel(target: Pick<AcaTarget, 'resourceGroup' | 'envRef'>): string {
  return `${target.resourceGroup}${target.envRef ? ` (environment ${target.envRef})` : ''}`;
}

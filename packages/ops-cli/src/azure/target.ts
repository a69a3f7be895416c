/**
 * What the Container Apps commands act on: subscription + resource group (from `--env`, or `--subscription` /
 * `--resource-group`), the resolved catalogue, and the environment config when there is one, plus the ARM client.
 */
import type { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { defaultCatalogue, type Catalogue, type EnvironmentConfig } from '@cvat-cloud/catalogue';
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
 * bad component names are reported as usage errors even where no Azure access is set up.
 */
export async function resolveAcaTarget(
  options: GlobalOptions,
  runtime: Runtime,
  what: string,
  deps: AcaDeps = {},
  checkArguments: (catalogue: Catalogue) => void = () => {},
): Promise<AcaTarget> {
  const environment = options.env ? loadEnvironment(options, runtime, what) : undefined;
  const catalogue = environment?.catalogue ?? defaultCatalogue();
  checkArguments(catalogue);
  const scope = resolveAzureScope(options, runtime, what);
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

/** `--env dev` / `--subscription … --resource-group …` as the user typed them, for "run this next" hints. */
export function targetFlags(options: Pick<GlobalOptions, 'env' | 'subscription' | 'resourceGroup'>): string {
  const flags: string[] = [];
  if (options.env) flags.push(`--env ${options.env}`);
  if (options.subscription) flags.push(`--subscription ${options.subscription}`);
  if (options.resourceGroup) flags.push(`--resource-group ${options.resourceGroup}`);
  return flags.join(' ');
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
  return { subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup, ...(target.envRef ? { environment: target.envRef } : {}) };
}

/** `<resource group> (environment <env>)`, for table titles. */
export function targetLabel(target: Pick<AcaTarget, 'resourceGroup' | 'envRef'>): string {
  return `${target.resourceGroup}${target.envRef ? ` (environment ${target.envRef})` : ''}`;
}

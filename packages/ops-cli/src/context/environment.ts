/**
 * `--env` for cvat-ops: the environment (through `@cvat-cloud/runtime` loadEnvironment, the one loader every tool
 * uses) and the Azure scope (subscription and resource group). Loaded lazily by the commands that need it.
 */
import {
  CliError,
  EXIT,
  formatCommand,
  isSubscriptionId,
  SUBSCRIPTION_ID_FORM,
  loadEnvironment as loadRuntimeEnvironment,
  printable,
  resolveSubscriptionId,
  type LoadedEnvironment,
} from '@cvat-cloud/runtime';
import type { GlobalOptions } from './global-options';
import type { Runtime } from './runtime';

/** An environment with everything derived from it. */
export type ResolvedEnvironment = LoadedEnvironment;

/**
 * Loads `environments/<name>.yaml` (or a path) relative to `runtime.cwd` and resolves its catalogue.
 * Throws USAGE when no environment was given (naming `what`), CONFIG (4) when it is missing or invalid.
 */
export function loadEnvironment(global: Pick<GlobalOptions, 'env'>, runtime: Pick<Runtime, 'cwd'>, what: string): ResolvedEnvironment {
  const ref = global.env;
  if (!ref) {
    throw new CliError(EXIT.USAGE, `${what} needs an environment: pass --env <name> (environments/<name>.yaml) or set CVAT_ENV.`);
  }
  return loadRuntimeEnvironment(ref, { cwd: runtime.cwd, checkCommand: formatCommand(['cvat-ops', 'status', '--env', ref, '--dry-run']) });
}

/**
 * Azure's rule for resource group names: 1-90 letters, digits, `_ - . ( )`, not ending in `.`
 * (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftresources).
 */
const RESOURCE_GROUP = /^[\p{L}\p{N}_\-.()]{1,90}$/u;

/** USAGE naming the value unless `name` is a valid resource group name (checked before any network call). */
export function checkResourceGroupName(name: string): string {
  if (!RESOURCE_GROUP.test(name) || name.endsWith('.')) {
    throw new CliError(
      EXIT.USAGE,
      `'--resource-group' (${printable(name)}) must be 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'.`,
    );
  }
  return name;
}

/**
 * Checks the global `--subscription` and `--resource-group` values when given, for every command, before anything
 * else runs: USAGE naming the value and the expected form (runtime isSubscriptionId / SUBSCRIPTION_ID_FORM).
 */
export function checkGlobalOptions(global: Pick<GlobalOptions, 'subscription' | 'resourceGroup'>): void {
  if (global.subscription !== undefined && !isSubscriptionId(global.subscription)) {
    throw new CliError(EXIT.USAGE, `'--subscription' (${printable(global.subscription) || "''"}) must be ${SUBSCRIPTION_ID_FORM}.`);
  }
  if (global.resourceGroup !== undefined) checkResourceGroupName(global.resourceGroup);
}

/** Subscription and resource group every ARM call needs. */
export interface AzureScope {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** Present when `--env` was given. */
  readonly environment?: ResolvedEnvironment;
}

/**
 * Resolves the subscription (`--subscription`, else the environment's `subscriptionId`, else `ARM_SUBSCRIPTION_ID` /
 * `AZURE_SUBSCRIPTION_ID`; the file and a variable must agree) and the resource group (`--resource-group`, else the
 * derived name). Without `--env`, `--subscription` (or a subscription variable) and `--resource-group` are needed:
 * USAGE naming the missing option.
 */
export function resolveAzureScope(global: GlobalOptions, runtime: Pick<Runtime, 'cwd' | 'env'>, what: string): AzureScope {
  const environment = global.env ? loadEnvironment(global, runtime, what) : undefined;
  const fromVariable = Boolean(runtime.env.ARM_SUBSCRIPTION_ID || runtime.env.AZURE_SUBSCRIPTION_ID);
  if (!environment && !global.subscription && !fromVariable) {
    throw new CliError(
      EXIT.USAGE,
      `${what} needs a subscription and resource group: pass --env <name>, or --subscription <id> and --resource-group <name>.`,
    );
  }
  checkGlobalOptions(global);
  const { subscriptionId } = resolveSubscriptionId({
    ...(global.subscription ? { flag: global.subscription } : {}),
    ...(environment?.config.subscriptionId ? { config: environment.config.subscriptionId } : {}),
    configSource: environment ? `environment '${environment.ref}'` : 'the environment file',
    env: runtime.env,
  });
  const resourceGroup =
    global.resourceGroup !== undefined ? checkResourceGroupName(global.resourceGroup) : environment?.names.resourceGroup;
  if (!resourceGroup) {
    throw new CliError(EXIT.USAGE, `${what} needs a resource group: pass --env <name> or --resource-group <name>.`);
  }
  return environment ? { subscriptionId, resourceGroup, environment } : { subscriptionId, resourceGroup };
}

/**
 * `--env` for cvat-ops: the environment (through `@cvat-cloud/runtime` loadEnvironment, the one loader every tool
 * uses) and the Azure scope (subscription and resource group). Loaded lazily by the commands that need it.
 */
import { CliError, EXIT, loadEnvironment as loadRuntimeEnvironment, resolveSubscriptionId, type LoadedEnvironment } from '@cvat-cloud/runtime';
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
  return loadRuntimeEnvironment(ref, { cwd: runtime.cwd, checkCommand: `cvat-ops status --env ${ref} --dry-run` });
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
    throw new CliError(EXIT.USAGE, `${what} needs a subscription and resource group: pass --env <name>, or --subscription <id> and --resource-group <name>.`);
  }
  const { subscriptionId } = resolveSubscriptionId({
    ...(global.subscription ? { flag: global.subscription } : {}),
    ...(environment?.config.subscriptionId ? { config: environment.config.subscriptionId } : {}),
    configSource: environment ? `environment '${environment.ref}'` : 'the environment file',
    env: runtime.env,
  });
  const resourceGroup = global.resourceGroup ?? environment?.names.resourceGroup;
  if (!resourceGroup) {
    throw new CliError(EXIT.USAGE, `${what} needs a resource group: pass --env <name> or --resource-group <name>.`);
  }
  return environment ? { subscriptionId, resourceGroup, environment } : { subscriptionId, resourceGroup };
}

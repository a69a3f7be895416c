/**
 * Resolves `--env` into the environment configuration, the derived Azure names and the resolved catalogue, all
 * through `@cvat-cloud/catalogue` (never infra). Loaded lazily by the commands that need it.
 */
import {
  formatIssues as formatCatalogueIssues,
  loadEnvironmentConfig,
  resolveCatalogue,
  resourceNames,
  type Catalogue,
  type EnvironmentConfig,
  type Issue,
  type ResourceNames,
} from '@cvat-cloud/catalogue';
import { EXIT, ExitError } from '../errors';
import type { GlobalOptions } from './global-options';
import type { Runtime } from './runtime';

/** An environment with everything derived from it. */
export interface ResolvedEnvironment {
  /** What `--env` said (a name or a path). */
  readonly ref: string;
  readonly config: EnvironmentConfig;
  readonly names: ResourceNames;
  readonly catalogue: Catalogue;
  /** Warnings from loading the config and resolving the catalogue. */
  readonly warnings: readonly Issue[];
}

function formatIssues(issues: readonly Issue[]): string {
  return formatCatalogueIssues(issues)
    .split('\n')
    .map((line) => `  - ${line}`)
    .join('\n');
}

/**
 * Loads `environments/<name>.yaml` (or a path) relative to `runtime.cwd` and resolves its catalogue.
 * Throws `ExitError` USAGE when no environment was given (naming `what` needs it), NOT_FOUND when the file does not
 * exist, AUTH_CONFIG when it is invalid (listing every issue with its dot-path).
 */
export function loadEnvironment(global: Pick<GlobalOptions, 'env'>, runtime: Pick<Runtime, 'cwd'>, what: string): ResolvedEnvironment {
  const ref = global.env;
  if (!ref) {
    throw new ExitError(EXIT.USAGE, `${what} needs an environment: pass --env <name> (environments/<name>.yaml) or set CVAT_OPS_ENV.`);
  }
  let loaded: ReturnType<typeof loadEnvironmentConfig>;
  try {
    loaded = loadEnvironmentConfig(ref, { cwd: runtime.cwd });
  } catch (error) {
    // The contract says it never throws; a missing file may still surface as an fs error.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ExitError(EXIT.NOT_FOUND, `Environment '${ref}' not found (looked for environments/${ref}.yaml from ${runtime.cwd}). Copy environments/example.yaml to environments/${ref}.yaml and edit it.`, { cause: error });
    }
    throw error;
  }
  if (loaded.errors) {
    // rule 'load': the file (path 'file') must exist, or no environments/ directory was found for a name
    const notFound = loaded.errors.some((i) => i.rule === 'load' && (/must exist$/.test(i.message) || /no environments\/ directory/.test(i.message)));
    throw new ExitError(
      notFound ? EXIT.NOT_FOUND : EXIT.AUTH_CONFIG,
      `Environment '${ref}' ${notFound ? 'was not found' : 'is invalid'}:\n${formatIssues(loaded.errors)}\n` +
        (notFound
          ? `Copy environments/example.yaml to environments/${ref}.yaml and edit it.`
          : `Fix the file and check it with: cvat-ops status --env ${ref} --dry-run`),
    );
  }
  const config = loaded.value;
  const resolved = resolveCatalogue(config);
  if (resolved.errors) {
    throw new ExitError(
      EXIT.AUTH_CONFIG,
      `The catalogue resolved for environment '${ref}' is invalid:\n${formatIssues(resolved.errors)}\nFix the overrides under 'components' in the environment file.`,
    );
  }
  return { ref, config, names: resourceNames(config), catalogue: resolved.value, warnings: [...loaded.warnings, ...resolved.warnings] };
}

/** Subscription and resource group every ARM call needs. */
export interface AzureScope {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** Present when `--env` was given. */
  readonly environment?: ResolvedEnvironment;
}

/**
 * Resolves the subscription (`--subscription`, else the environment's `subscriptionId`) and resource group
 * (`--resource-group`, else the derived name). Throws USAGE naming the missing option.
 */
export function resolveAzureScope(global: GlobalOptions, runtime: Pick<Runtime, 'cwd'>, what: string): AzureScope {
  const environment = global.env ? loadEnvironment(global, runtime, what) : undefined;
  const subscriptionId = global.subscription ?? environment?.config.subscriptionId;
  if (!subscriptionId) {
    throw new ExitError(
      EXIT.USAGE,
      environment
        ? `${what} needs a subscription: environment '${environment.ref}' has no 'subscriptionId'; pass --subscription <id> or set AZURE_SUBSCRIPTION_ID.`
        : `${what} needs a subscription and resource group: pass --env <name>, or --subscription <id> and --resource-group <name>.`,
    );
  }
  const resourceGroup = global.resourceGroup ?? environment?.names.resourceGroup;
  if (!resourceGroup) {
    throw new ExitError(EXIT.USAGE, `${what} needs a resource group: pass --env <name> or --resource-group <name>.`);
  }
  return environment ? { subscriptionId, resourceGroup, environment } : { subscriptionId, resourceGroup };
}

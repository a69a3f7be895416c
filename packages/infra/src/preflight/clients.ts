import { adaptSdkPipeline, ArmClient, type ArmTarget, sdkClientOptions } from './arm';

/** Result of a `checkNameAvailability` call (Storage, Key Vault and PostgreSQL share this shape). */
export interface NameAvailability {
  readonly nameAvailable?: boolean;
  readonly reason?: string;
  readonly message?: string;
}

/** One entry of a Container Apps usages list. */
export interface AcaUsage {
  readonly name: { readonly value?: string; readonly localizedValue?: string };
  readonly currentValue: number;
  readonly limit: number;
}

/** PostgreSQL flexible server capabilities of a location (the fields preflight reads). */
export interface PostgresCapability {
  readonly name?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly supportedServerEditions?: readonly {
    readonly name?: string;
    readonly status?: string;
    readonly reason?: string;
    readonly supportedServerSkus?: readonly { readonly name?: string; readonly status?: string; readonly reason?: string }[];
  }[];
  readonly supportedServerVersions?: readonly { readonly name?: string; readonly status?: string; readonly reason?: string }[];
  readonly supportedFeatures?: readonly { readonly name?: string; readonly status?: string }[];
}

/**
 * The ARM operations preflight uses. The official SDKs serve the calls they have in a Node-20-compatible
 * version (`@azure/arm-storage` 20, `@azure/arm-postgresql-flexible` 9, `@azure/arm-appcontainers` 3);
 * {@link ArmClient} serves the rest. Each SDK is loaded on first use.
 */
export interface PreflightClients {
  readonly arm: ArmClient;
  /** `@azure/arm-storage` 20 (api-version 2025-08-01): `POST …/providers/Microsoft.Storage/checkNameAvailability`. */
  storageNameAvailability(name: string, abortSignal: AbortSignal): Promise<NameAvailability>;
  /**
   * `@azure/arm-postgresql-flexible` 9 (api-version 2025-08-01):
   * `POST …/providers/Microsoft.DBforPostgreSQL/locations/{location}/checkNameAvailability`.
   */
  postgresNameAvailability(location: string, name: string, abortSignal: AbortSignal): Promise<NameAvailability>;
  /** `@azure/arm-postgresql-flexible` 9: `GET …/providers/Microsoft.DBforPostgreSQL/locations/{location}/capabilities` (paged). */
  postgresCapabilities(location: string, abortSignal: AbortSignal): Promise<PostgresCapability[]>;
  /** `@azure/arm-appcontainers` 3 (api-version 2025-07-01): `GET …/providers/Microsoft.App/locations/{location}/usages` (paged). */
  containerAppsRegionUsages(location: string, abortSignal: AbortSignal): Promise<AcaUsage[]>;
  /** `@azure/arm-appcontainers` 3: `GET …/managedEnvironments/{name}/usages` (paged). */
  containerAppsEnvironmentUsages(resourceGroup: string, environment: string, abortSignal: AbortSignal): Promise<AcaUsage[]>;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Builds the clients for one subscription; nothing is loaded or sent until a method is called. */
export function createPreflightClients(target: ArmTarget, subscriptionId: string): PreflightClients {
  const options = sdkClientOptions(target);
  let storage: import('@azure/arm-storage').StorageManagementClient | undefined;
  let postgres: import('@azure/arm-postgresql-flexible').PostgreSQLManagementFlexibleServerClient | undefined;
  let aca: import('@azure/arm-appcontainers').ContainerAppsAPIClient | undefined;
  const storageClient = () => {
    if (!storage) {
      const { StorageManagementClient } = require('@azure/arm-storage') as typeof import('@azure/arm-storage');
      // Without a credential the modular client adds no bearer policy (it refuses http), as the loopback double needs.
      storage = new StorageManagementClient(target.insecureLoopback ? (undefined as never) : target.credential, subscriptionId, options);
    }
    return storage;
  };
  const postgresClient = () => {
    if (!postgres) {
      const { PostgreSQLManagementFlexibleServerClient } =
        require('@azure/arm-postgresql-flexible') as typeof import('@azure/arm-postgresql-flexible');
      postgres = new PostgreSQLManagementFlexibleServerClient(target.credential, subscriptionId, options);
      adaptSdkPipeline(postgres, target);
    }
    return postgres;
  };
  const acaClient = () => {
    if (!aca) {
      const { ContainerAppsAPIClient } = require('@azure/arm-appcontainers') as typeof import('@azure/arm-appcontainers');
      aca = new ContainerAppsAPIClient(target.credential, subscriptionId, options);
      adaptSdkPipeline(aca, target);
    }
    return aca;
  };
  return {
    arm: new ArmClient(target),
    storageNameAvailability: (name, abortSignal) =>
      storageClient().storageAccounts.checkNameAvailability({ name, type: 'Microsoft.Storage/storageAccounts' }, { abortSignal }),
    postgresNameAvailability: (location, name, abortSignal) =>
      postgresClient().nameAvailability.checkWithLocation(
        location,
        { name, type: 'Microsoft.DBforPostgreSQL/flexibleServers' },
        { abortSignal },
      ),
    postgresCapabilities: (location, abortSignal) => collect(postgresClient().capabilitiesByLocation.list(location, { abortSignal })),
    containerAppsRegionUsages: (location, abortSignal) => collect(acaClient().usages.list(location, { abortSignal })),
    containerAppsEnvironmentUsages: (resourceGroup, environment, abortSignal) =>
      collect(acaClient().managedEnvironmentUsages.list(resourceGroup, environment, { abortSignal })),
  };
}

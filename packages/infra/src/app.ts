import { App, Aspects } from 'cdktf';
import { resolve } from 'node:path';
import { resourceNames, edgeUrls, type Catalogue, type EnvironmentConfig, type ResourceNames } from '@cvat-cloud/catalogue';
import { FoundationStack, type FoundationNames } from './stacks/foundation-stack';
import { AppsStack } from './stacks/apps-stack';
import { EdgeStack } from './stacks/edge-stack';
import { keyVaultFeaturesFor, TagsAspect, type StateBackend } from './stacks/stack-base';
import { defaultStateRoot, localStateDir } from './state-paths';

/** Root of the infra package (`packages/infra`), from both `src/` and `dist/`. */
export const INFRA_ROOT = resolve(__dirname, '..');
/** Root of the repository. */
export const REPO_ROOT = resolve(INFRA_ROOT, '..', '..');
/** Default synth output directory: `packages/infra/cdktf.out`. */
export const DEFAULT_OUTDIR = resolve(INFRA_ROOT, 'cdktf.out');
/** Directory the catalogue's config-file sources are relative to (`packages/catalogue`). */
export const CATALOGUE_ROOT = resolve(REPO_ROOT, 'packages', 'catalogue');

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /** The validated environment configuration. */
  readonly config: EnvironmentConfig;
  /** The catalogue resolved for that environment (`resolveCatalogue(config)`). */
  readonly catalogue: Catalogue;
  /** Directory the stacks are synthesized into (absolute). */
  readonly outdir: string;
  /**
   * Root directory of local state files; the environment's files go in `<stateRoot>/<env>/`
   * (`<stateRoot>/<env>/<stack>.tfstate`), so environments never share a state file.
   * @default - `packages/infra/<stateBackend.path>` (packages/infra/state)
   */
  readonly stateRoot?: string;
  /**
   * Directory the catalogue's `configFiles[].source` paths are relative to.
   * @default CATALOGUE_ROOT
   */
  readonly configFileRoot?: string;
}

/** The app and its stacks. */
export interface CvatApp {
  /** The cdktf app (call `synth()`). */
  readonly app: App;
  /** Foundation stack. */
  readonly foundation: FoundationStack;
  /** Apps stack. */
  readonly apps: AppsStack;
  /** Edge stack, unless edge.mode is none. */
  readonly edge: EdgeStack | undefined;
  /** Resource names derived from the configuration. */
  readonly names: ResourceNames;
}

/**
 * Maps the catalogue's resource names onto the foundation's. Every name comes from
 * `resourceNames(config)` (the single source of truth ops-cli and the smoke tests also read); none is
 * derived here.
 */
export function foundationNames(names: ResourceNames): FoundationNames {
  return {
    resourceGroup: names.resourceGroup,
    virtualNetwork: names.virtualNetwork,
    appsSubnet: names.subnets.apps,
    databaseSubnet: names.subnets.privateEndpoints,
    edgeSubnet: names.subnets.edge,
    networkSecurityGroups: { apps: names.networkSecurityGroups.apps, database: names.networkSecurityGroups.privateEndpoints, edge: names.networkSecurityGroups.edge },
    logAnalytics: names.logAnalyticsWorkspace,
    identity: names.userAssignedIdentity,
    keyVault: names.keyVault,
    storageAccount: names.storageAccount,
    nfsStorageAccount: names.nfsStorageAccount,
    postgresServer: names.postgresServer,
    containerAppsEnvironment: names.containerAppsEnvironment,
    environmentInfrastructureResourceGroup: names.environmentInfrastructureResourceGroup,
  };
}

/**
 * Builds the cdktf app of one environment: `foundation`, `apps` (depends on foundation) and, unless
 * `edge.mode` is `none`, `edge` (depends on apps), all with the configured state backend and the
 * standard tags. Constructs validate eagerly, so a bad value throws a `ValidationError` here,
 * before anything is written.
 */
export function buildApp(options: BuildAppOptions): CvatApp {
  const { config, catalogue } = options;
  const names = resourceNames(config);
  const app = new App({ outdir: options.outdir, stackTraces: false });
  const backend: StateBackend =
    config.stateBackend.type === 'local'
      ? { type: 'local', stateDir: localStateDir(options.stateRoot ?? defaultStateRoot(config, INFRA_ROOT), config.name), outdir: options.outdir }
      : {
          type: 'azurerm',
          resourceGroup: config.stateBackend.resourceGroup,
          storageAccount: config.stateBackend.storageAccount,
          container: config.stateBackend.container,
          key: config.stateBackend.key,
        };
  const common = { location: config.location, subscriptionId: config.subscriptionId, backend, keyVaultFeatures: keyVaultFeaturesFor(config.keyVault.purgeProtection) };
  const edgeEnabled = config.edge.mode === 'vm';

  const foundation = new FoundationStack(app, 'foundation', {
    ...common,
    names: foundationNames(names),
    catalogue,
    configFileRoot: options.configFileRoot ?? CATALOGUE_ROOT,
    network: {
      addressSpace: [config.network.addressSpace],
      appsSubnet: config.network.subnets.apps,
      databaseSubnet: config.network.subnets.privateEndpoints,
      edgeSubnet: edgeEnabled ? config.network.subnets.edge : undefined,
    },
    adminCidrs: config.adminCidrs,
    keyVault: { purgeProtection: config.keyVault.purgeProtection, softDeleteRetentionDays: config.keyVault.softDeleteRetentionDays, skuName: config.keyVault.sku },
    postgres: {
      version: config.postgres.version,
      skuName: config.postgres.skuName,
      storageMb: config.postgres.storageGiB * 1024,
      backupRetentionDays: config.postgres.backupRetentionDays,
      geoRedundantBackup: config.postgres.geoRedundantBackup,
      highAvailability: config.postgres.highAvailability,
      administratorLogin: config.postgres.administratorLogin,
      databaseName: config.postgres.databaseName,
    },
    storage: { replicationType: config.storageAccount.replication, shareSoftDeleteDays: config.storageAccount.shareSoftDeleteDays },
    logRetentionDays: config.logAnalytics.retentionDays,
  });
  const apps = new AppsStack(app, 'apps', { ...common, foundation, catalogue });
  apps.addDependency(foundation);

  let edge: EdgeStack | undefined;
  if (edgeEnabled) {
    edge = new EdgeStack(app, 'edge', {
      ...common,
      foundation,
      catalogue,
      names: { vm: names.edgeVm, publicIp: names.publicIp },
      edge: {
        hostname: edgeUrls(config).host,
        acmeEmail: config.edge.acmeEmail ?? '',
        sshPublicKey: config.edge.sshPublicKey,
        adminUsername: config.edge.adminUsername,
        vmSize: config.edge.vmSize,
        dnsLabel: names.dnsLabel,
        adminCidrs: config.adminCidrs,
      },
    });
    edge.addDependency(apps);
  }

  // Aspects are invoked per stack (cdktf does not inherit them from the App), so add it to each.
  const tags = new TagsAspect({ application: 'cvat', environment: config.name, 'managed-by': 'cvat-cloud', 'cvat-version': config.cvatVersion, ...config.tags });
  for (const stack of [foundation, apps, edge]) if (stack) Aspects.of(stack).add(tags);
  return { app, foundation, apps, edge, names };
}

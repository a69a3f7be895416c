import { App, Aspects, TerraformStack, type AppConfig, type TerraformResource } from 'cdktf';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  COMPONENT_NAMES,
  resourceNames,
  edgeUrls,
  SYNTH_INDEX_FILE,
  standardTags,
  type Catalogue,
  type EnvironmentConfig,
  type ResourceNames,
  type SynthIndex,
  type SynthIndexEntry,
} from '@cvat-cloud/catalogue';
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

/**
 * Where each component's resource is in the synthesized stacks (its stack, Terraform address and
 * Azure name), read from the constructs themselves: the logical id is the one cdktf gives the
 * resource, so no other package needs to know how cdktf makes ids.
 */
export function synthIndex(
  environment: string,
  stacks: { readonly apps: AppsStack; readonly edge: EdgeStack | undefined },
  names: ResourceNames,
): SynthIndex {
  const entry = (resource: TerraformResource, azureName: string): SynthIndexEntry => {
    const stack = TerraformStack.of(resource);
    return {
      stack: stack.node.id,
      resourceType: resource.terraformResourceType,
      address: `${resource.terraformResourceType}.${stack.getLogicalId(resource)}`,
      azureName,
    };
  };
  const components: Record<string, SynthIndexEntry> = {};
  for (const spec of stacks.apps.specs) {
    const construct = spec.kind === 'job' ? stacks.apps.jobs[spec.name] : stacks.apps.apps[spec.name];
    if (construct) components[spec.name] = entry(construct.resource, spec.name);
  }
  if (stacks.edge) components[COMPONENT_NAMES.edge] = entry(stacks.edge.vm.resource, names.edgeVm);
  return { version: 1, environment, components };
}

/** Writes the synth index ({@link SYNTH_INDEX_FILE}) into a synth output directory. */
export function writeSynthIndex(outdir: string, index: SynthIndex): void {
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(outdir, SYNTH_INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
}

/** A cdktf app whose `synth()` also writes the synth index next to `manifest.json`. */
export class CvatCdktfApp extends App {
  private index: (() => SynthIndex) | undefined;

  constructor(config: AppConfig) {
    super(config);
  }

  /** Sets what the index is made from once the stacks exist. */
  public setSynthIndex(index: () => SynthIndex): void {
    this.index = index;
  }

  /** Synthesizes the stacks, then writes the index. */
  public override synth(): void {
    super.synth();
    if (this.index) writeSynthIndex(this.outdir, this.index());
  }
}

/** The app and its stacks. */
export interface CvatApp {
  /** The cdktf app (call `synth()`; it also writes the synth index). */
  readonly app: CvatCdktfApp;
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
    networkSecurityGroups: {
      apps: names.networkSecurityGroups.apps,
      database: names.networkSecurityGroups.privateEndpoints,
      edge: names.networkSecurityGroups.edge,
    },
    logAnalytics: names.logAnalyticsWorkspace,
    identity: names.userAssignedIdentity,
    keyVault: names.keyVault,
    storageAccount: names.storageAccount,
    nfsStorageAccount: names.nfsStorageAccount,
    postgresServer: names.postgresServer,
    postgresServerDerived: names.postgresServerDerived,
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
  const app = new CvatCdktfApp({ outdir: options.outdir, stackTraces: false });
  const backend: StateBackend =
    config.stateBackend.type === 'local'
      ? {
          type: 'local',
          stateDir: localStateDir(options.stateRoot ?? defaultStateRoot(config, INFRA_ROOT), config.name),
          outdir: options.outdir,
        }
      : {
          type: 'azurerm',
          resourceGroup: config.stateBackend.resourceGroup,
          storageAccount: config.stateBackend.storageAccount,
          container: config.stateBackend.container,
          key: config.stateBackend.key,
        };
  const common = {
    location: config.location,
    subscriptionId: config.subscriptionId,
    backend,
    keyVaultFeatures: keyVaultFeaturesFor(config.keyVault.purgeProtection),
  };
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
    keyVault: {
      purgeProtection: config.keyVault.purgeProtection,
      softDeleteRetentionDays: config.keyVault.softDeleteRetentionDays,
      skuName: config.keyVault.sku,
    },
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
  const tags = new TagsAspect({ ...standardTags(config), ...config.tags });
  for (const stack of [foundation, apps, edge]) if (stack) Aspects.of(stack).add(tags);
  app.setSynthIndex(() => synthIndex(config.name, { apps, edge }, names));
  return { app, foundation, apps, edge, names };
}

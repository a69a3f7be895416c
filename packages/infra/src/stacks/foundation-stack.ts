import type { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import type { Catalogue } from '@cvat-cloud/catalogue';
import { resolve } from 'node:path';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { Network } from '../constructs/network';
import { SecretStore } from '../constructs/secret-store';
import { flexibleServerId, PostgresServer, type PostgresServerProps } from '../constructs/postgres-server';
import { FileStorage, ShareProtocol, type ShareFileSpec } from '../constructs/file-storage';
import { ContainerAppsEnvironment, EnvironmentStorage, StorageAccessMode } from '../constructs/container-apps-environment';
import { WorkloadProfile } from '../constructs/app-spec';
import { ValidationError } from '../constructs/validation-error';
import { CvatStack, type CvatStackProps } from './stack-base';
import { containerComponents, postgresPasswordSecret, usedStorages } from './_catalogue';
import { CVAT_DATABASE_PASSWORD_SECRET } from '@cvat-cloud/catalogue';
import { ACA_LIMITS } from '@cvat-cloud/catalogue';

/** Azure names of the foundation resources (derived deterministically from the environment configuration). */
export interface FoundationNames {
  /** Resource group. */
  readonly resourceGroup: string;
  /** Virtual network. */
  readonly virtualNetwork: string;
  /** Apps subnet. */
  readonly appsSubnet: string;
  /** Database subnet. */
  readonly databaseSubnet: string;
  /** Edge subnet. */
  readonly edgeSubnet: string;
  /** NSG names per subnet. */
  readonly networkSecurityGroups: { readonly apps: string; readonly database: string; readonly edge: string };
  /** Log Analytics workspace. */
  readonly logAnalytics: string;
  /**
   * Prefix of the apps' user-assigned identities: each component that reads a secret gets `<identity>-<component>`;
   * the legacy shared identity is named `<identity>`.
   */
  readonly identity: string;
  /** Key Vault (global). */
  readonly keyVault: string;
  /** SMB storage account (global). */
  readonly storageAccount: string;
  /** Premium NFS storage account (global), created only when a deployed component mounts an NFS storage. */
  readonly nfsStorageAccount: string;
  /** PostgreSQL Flexible Server (global). */
  readonly postgresServer: string;
  /**
   * The derived server name (`resourceNames(config).postgresServerDerived`). When given and different from
   * {@link FoundationNames.postgresServer} (the environment's `postgres.serverName`, e.g. a server
   * `cvat-ops backup restore` created), that existing server is ADOPTED (Terraform import, prevent_destroy; see
   * `PostgresServerProps.existingServerId`) instead of created, and the private DNS zone's VNet link keeps the derived
   * name.
   * @default - the server is the derived one, created by this stack
   */
  readonly postgresServerDerived?: string;
  /** Container Apps environment. */
  readonly containerAppsEnvironment: string;
  /**
   * Resource group Azure creates for the environment's infrastructure.
   * @default - Azure's choice
   */
  readonly environmentInfrastructureResourceGroup?: string;
}

/** Properties of {@link FoundationStack}. */
export interface FoundationStackProps extends CvatStackProps {
  /** Resource names. */
  readonly names: FoundationNames;
  /** The resolved catalogue (storages, secrets, config files of the deployed components). */
  readonly catalogue: Catalogue;
  /** Directory the catalogue's `configFiles[].source` paths are relative to. */
  readonly configFileRoot: string;
  /** VNet address space and subnet CIDRs. */
  readonly network: {
    readonly addressSpace: readonly string[];
    readonly appsSubnet: string;
    readonly databaseSubnet: string;
    /** @default - no edge subnet */
    readonly edgeSubnet?: string;
  };
  /** Operator CIDRs allowed through the Key Vault and storage firewalls. */
  readonly adminCidrs: readonly string[];
  /**
   * Key Vault settings.
   * @default - purge protection on, 90 days soft delete, standard SKU
   */
  readonly keyVault?: {
    readonly purgeProtection?: boolean;
    readonly softDeleteRetentionDays?: number;
    readonly skuName?: 'standard' | 'premium';
    readonly rbacPropagationSeconds?: number;
  };
  /**
   * PostgreSQL settings.
   * @default - PostgresServer defaults
   */
  readonly postgres?: Pick<
    PostgresServerProps,
    | 'version'
    | 'skuName'
    | 'storageMb'
    | 'backupRetentionDays'
    | 'geoRedundantBackup'
    | 'highAvailability'
    | 'administratorLogin'
    | 'databaseName'
  >;
  /**
   * Storage account settings.
   * @default - LRS, 7 days share soft delete
   */
  readonly storage?: { readonly replicationType?: 'LRS' | 'ZRS' | 'GRS' | 'GZRS'; readonly shareSoftDeleteDays?: number };
  /**
   * Log Analytics retention in days (30-730).
   * @default 30
   */
  readonly logRetentionDays?: number;
}

/**
 * Everything the apps need before the first app exists: resource group, network, logs, the apps'
 * identity with its Key Vault role, Key Vault and generated secrets, PostgreSQL, file storage with
 * every share and config file, and the Container Apps environment with its storages.
 *
 * Applied first and separately, which replaces the reference project's `bootstrap_mode` two-phase
 * apply: the identity's `Key Vault Secrets User` role is granted here, so it has propagated before
 * the apps stack creates any app that references a secret.
 *
 * @see https://learn.microsoft.com/azure/container-apps/managed-identity#common-use-cases
 */
export class FoundationStack extends CvatStack {
  /** Resource group. */
  public readonly resourceGroup: ResourceGroup;
  /** Network. */
  public readonly network: Network;
  /** Log Analytics workspace. */
  public readonly logs: LogAnalyticsWorkspace;
  /**
   * One user-assigned identity per deployed container component that reads a secret, by component name. Components
   * without secrets (cvat-ui, opa, ...) have none. Each is granted `Key Vault Secrets User` on exactly the secrets its
   * component lists, here, so the assignments have propagated before the apps stack creates any app.
   */
  public readonly appIdentities: Readonly<Record<string, UserAssignedIdentity>>;
  /** Key Vault with the generated secrets. */
  public readonly keyVault: SecretStore;
  /** PostgreSQL server. */
  public readonly postgres: PostgresServer;
  /** SMB file storage. */
  public readonly storage: FileStorage;
  /** NFS file storage, when needed. */
  public readonly nfsStorage: FileStorage | undefined;
  /** Container Apps environment. */
  public readonly environment: ContainerAppsEnvironment;
  /** Diagnostic settings sending the audit logs of Key Vault, PostgreSQL and the file services to the workspace. */
  public readonly diagnostics: readonly MonitorDiagnosticSetting[];
  /** Catalogue secret name → Key Vault secret name. */
  public readonly keyVaultSecretNames: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: FoundationStackProps) {
    super(scope, id, props);
    new RandomProvider(this, 'random');
    new TimeProvider(this, 'time');
    const { names, catalogue, location } = props;

    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', { name: names.resourceGroup, location });
    const rg = this.resourceGroup.name;

    this.network = new Network(this, 'Network', {
      name: names.virtualNetwork,
      resourceGroupName: rg,
      location,
      addressSpace: props.network.addressSpace,
      appsSubnet: { name: names.appsSubnet, addressPrefix: props.network.appsSubnet, nsgName: names.networkSecurityGroups.apps },
      databaseSubnet: {
        name: names.databaseSubnet,
        addressPrefix: props.network.databaseSubnet,
        nsgName: names.networkSecurityGroups.database,
      },
      edgeSubnet: props.network.edgeSubnet
        ? { name: names.edgeSubnet, addressPrefix: props.network.edgeSubnet, nsgName: names.networkSecurityGroups.edge }
        : undefined,
    });

    const retention = props.logRetentionDays ?? 30;
    if (!Number.isInteger(retention) || retention < 30 || retention > 730) {
      throw new ValidationError('RetentionOutOfRange', `'logRetentionDays' (${retention}) must be an integer between 30 and 730`, this);
    }
    this.logs = new LogAnalyticsWorkspace(this, 'Logs', {
      name: names.logAnalytics,
      resourceGroupName: rg,
      location,
      sku: 'PerGB2018',
      retentionInDays: retention,
    });

    this.rg = rg;
    this.identityName = names.identity;
    const deployer = new DataAzurermClientConfig(this, 'Deployer', {});

    const kvNames: Record<string, string> = {};
    for (const s of catalogue.secrets) kvNames[s.name] = s.keyVaultName;
    this.keyVaultSecretNames = kvNames;
    this.keyVault = new SecretStore(this, 'KeyVault', {
      name: names.keyVault,
      resourceGroupName: rg,
      location,
      tenantId: deployer.tenantId,
      purgeProtection: props.keyVault?.purgeProtection,
      softDeleteRetentionDays: props.keyVault?.softDeleteRetentionDays,
      skuName: props.keyVault?.skuName,
      rbacPropagationSeconds: props.keyVault?.rbacPropagationSeconds,
      allowedSubnetIds: [this.network.apps.subnet.id],
      allowedCidrs: props.adminCidrs,
      writers: [{ id: 'DeployerSecretsOfficer', principalId: deployer.objectId }],
      generatedSecrets: catalogue.secrets
        .filter((s) => s.source === 'generated')
        .map((s) => ({ name: s.keyVaultName, length: s.length, special: s.special })),
    });

    const identities: Record<string, UserAssignedIdentity> = {};
    for (const c of containerComponents(catalogue)) {
      if (c.secrets.length === 0) continue;
      const identity = new UserAssignedIdentity(this, `Identity-${c.name}`, {
        name: `${names.identity}-${c.name}`,
        resourceGroupName: rg,
        location,
      });
      identities[c.name] = identity;
      for (const secret of c.secrets) {
        const kvName = kvNames[secret] ?? secret;
        this.keyVault.grantSecretReader(
          `${c.name}-${kvName}`,
          { id: `${c.name}-${kvName}`, principalId: identity.principalId, principalType: 'ServicePrincipal' },
          kvName,
        );
      }
    }
    this.appIdentities = identities;

    const pgSecret = postgresAdminPasswordSecret(catalogue);
    const pgPassword = pgSecret ? this.keyVault.secrets[kvNames[pgSecret]] : undefined;
    if (!pgPassword) {
      throw new ValidationError(
        'PostgresPasswordMissing',
        `'catalogue.secrets' must contain a generated secret read as CVAT_POSTGRES_ADMIN_PASSWORD (found ` +
          `${pgSecret ?? 'no such env var'}); the server's administrator password is taken from it`,
        this,
      );
    }
    // An existing server (postgres.serverName) is adopted at the same construct ids; its import id needs the
    // subscription: the environment's, else the deployer's (known at plan time, as an import id must be).
    const adopting = names.postgresServerDerived !== undefined && names.postgresServerDerived !== names.postgresServer;
    this.postgres = new PostgresServer(this, 'Postgres', {
      name: names.postgresServer,
      dnsLinkName: `${names.postgresServerDerived ?? names.postgresServer}-dns-link`,
      existingServerId: adopting
        ? flexibleServerId(props.subscriptionId ?? deployer.subscriptionId, names.resourceGroup, names.postgresServer)
        : undefined,
      resourceGroupName: rg,
      location,
      delegatedSubnetId: this.network.database.subnet.id,
      virtualNetworkId: this.network.resource.id,
      administratorPassword: pgPassword.ephemeralResult,
      ...props.postgres,
    });

    // Storage: SMB account always (the CVAT shares), a Premium NFS account only when needed.
    const storages = usedStorages(catalogue);
    const files = (kind: 'smb' | 'nfs'): ShareFileSpec[] =>
      containerComponents(catalogue).flatMap((c) =>
        c.configFiles
          .filter((f) => storages.find((s) => s.name === f.storage)?.kind === kind)
          .map((f) => ({ share: f.storage, path: f.path, sourcePath: resolve(props.configFileRoot, f.source) })),
      );
    const uniqueFiles = (list: ShareFileSpec[]) =>
      list.filter((f, i) => list.findIndex((g) => g.share === f.share && g.path === f.path) === i);
    const shares = (kind: 'smb' | 'nfs') =>
      storages.filter((s) => s.kind === kind).map((s) => ({ name: s.name, quotaGiB: Math.ceil(s.quotaGiB) }));
    const storageProps = {
      resourceGroupName: rg,
      location,
      allowedSubnetIds: [this.network.apps.subnet.id],
      allowedCidrs: props.adminCidrs,
      replicationType: props.storage?.replicationType,
      shareSoftDeleteDays: props.storage?.shareSoftDeleteDays,
    };
    this.storage = new FileStorage(this, 'Storage', {
      ...storageProps,
      name: names.storageAccount,
      shares: shares('smb'),
      files: uniqueFiles(files('smb')),
    });
    this.nfsStorage = shares('nfs').length
      ? new FileStorage(this, 'NfsStorage', {
          ...storageProps,
          name: names.nfsStorageAccount,
          protocol: ShareProtocol.NFS,
          shares: shares('nfs'),
          files: uniqueFiles(files('nfs')),
        })
      : undefined;

    const dedicated = [
      ...new Set(
        containerComponents(catalogue)
          .map((c) => c.workloadProfile)
          .filter((p) => p !== 'Consumption'),
      ),
    ];
    this.environment = new ContainerAppsEnvironment(this, 'Environment', {
      name: names.containerAppsEnvironment,
      resourceGroupName: rg,
      location,
      infrastructureSubnetId: this.network.apps.subnet.id,
      infrastructureResourceGroupName: names.environmentInfrastructureResourceGroup,
      logAnalyticsWorkspaceId: this.logs.id,
      internal: true,
      dedicatedProfiles: dedicated.map((type) => ({
        profile: WorkloadProfile.dedicated(type, ACA_LIMITS.dedicatedProfiles[type as keyof typeof ACA_LIMITS.dedicatedProfiles]),
      })),
      privateDnsVirtualNetworkId: this.network.resource.id,
      storages: storages
        .filter((s) => s.kind !== 'ephemeral')
        .map((s) => {
          const accessMode = s.accessMode === 'ReadOnly' ? StorageAccessMode.READ_ONLY : StorageAccessMode.READ_WRITE;
          if (s.kind === 'nfs') {
            const account = this.nfsStorage as FileStorage;
            return EnvironmentStorage.nfs(s.name, {
              accountName: account.resource.name,
              shareName: account.shares[s.name].name,
              accessMode,
            });
          }
          return EnvironmentStorage.smb(s.name, {
            accountName: this.storage.resource.name,
            accessKey: this.storage.resource.primaryAccessKey,
            shareName: this.storage.shares[s.name].name,
            accessMode,
          });
        }),
    });

    // Audit logs into the workspace: Key Vault (every secret read and write: category group `audit` = AuditEvent),
    // PostgreSQL (PostgreSQLLogs, which carry the connection and disconnection lines log_connections turns on) and the
    // file services of the storage accounts (StorageRead/Write/Delete: category group `audit`). Category names per
    // https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/logs-index.
    const audit = (id: string, targetResourceId: string, log: { category?: string; categoryGroup?: string }) =>
      new MonitorDiagnosticSetting(this, id, {
        name: 'audit-to-log-analytics',
        targetResourceId,
        logAnalyticsWorkspaceId: this.logs.id,
        enabledLog: [log],
      });
    this.diagnostics = [
      audit('KeyVaultDiagnostics', this.keyVault.resource.id, { categoryGroup: 'audit' }),
      audit('PostgresDiagnostics', this.postgres.resource.id, { category: 'PostgreSQLLogs' }),
      audit('StorageFileDiagnostics', `${this.storage.resource.id}/fileServices/default`, { categoryGroup: 'audit' }),
      ...(this.nfsStorage
        ? [audit('NfsStorageFileDiagnostics', `${this.nfsStorage.resource.id}/fileServices/default`, { categoryGroup: 'audit' })]
        : []),
    ];

    new TerraformOutput(this, 'postgres_fqdn', {
      value: this.postgres.fqdn,
      description: 'PostgreSQL server host name (resolved through the private DNS zone).',
    });
    new TerraformOutput(this, 'key_vault_uri', { value: this.keyVault.resource.vaultUri, description: 'Key Vault URI.' });
    new TerraformOutput(this, 'environment_default_domain', {
      value: this.environment.resource.defaultDomain,
      description: 'Default domain of the Container Apps environment.',
    });
    new TerraformOutput(this, 'environment_static_ip', {
      value: this.environment.resource.staticIpAddress,
      description: 'Internal load-balancer IP of the environment.',
    });
  }

  private readonly rg: string;
  private readonly identityName: string;
  private sharedIdentity: UserAssignedIdentity | undefined;

  /**
   * The identity a container component uses for its Key Vault references: its own, or undefined when it reads no
   * secret (then it needs no identity at all).
   */
  public identityFor(component: string): UserAssignedIdentity | undefined {
    return this.appIdentities[component];
  }

  /**
   * @deprecated The one identity every app shared, with `Key Vault Secrets User` on the whole vault. Created only when
   * something still reads it (construct ids `AppsIdentity` and `KeyVault/AppsIdentitySecretsUser`, as before, so an
   * existing deployment keeps it until no app references it); use {@link FoundationStack.identityFor}.
   */
  public get identity(): UserAssignedIdentity {
    if (!this.sharedIdentity) {
      this.sharedIdentity = new UserAssignedIdentity(this, 'AppsIdentity', {
        name: this.identityName,
        resourceGroupName: this.rg,
        location: this.resourceGroup.location,
      });
      this.keyVault.grantVaultReader({
        id: 'AppsIdentitySecretsUser',
        principalId: this.sharedIdentity.principalId,
        principalType: 'ServicePrincipal',
      });
    }
    return this.sharedIdentity;
  }
}

/**
 * The catalogue secret that is the server's administrator password: the one the init job reads as
 * `CVAT_POSTGRES_ADMIN_PASSWORD`; until the catalogue carries that variable, the one read as `CVAT_POSTGRES_PASSWORD`
 * unless that is the application role's password.
 */
export function postgresAdminPasswordSecret(catalogue: Catalogue): string | undefined {
  for (const c of catalogue.components) {
    for (const e of c.env) if (e.name === 'CVAT_POSTGRES_ADMIN_PASSWORD' && 'secretRef' in e) return e.secretRef;
  }
  const legacy = postgresPasswordSecret(catalogue);
  return legacy === CVAT_DATABASE_PASSWORD_SECRET ? undefined : legacy;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resourceNames } from '@cvat-cloud/catalogue';
import { buildApp, foundationNames, INFRA_ROOT } from '../../src/app';
import { catalogueFor, configWith, synthesize, type Synthesized } from '../support/synth';

type Resources = Record<string, Record<string, any>>;
const values = (json: Record<string, any>, type: string): Record<string, any>[] =>
  Object.values((json.resource?.[type] ?? {}) as Resources);
const only = (json: Record<string, any>, type: string) => {
  const all = values(json, type);
  expect(all, type).toHaveLength(1);
  return all[0];
};

describe('FoundationStack (example environment)', () => {
  let s: Synthesized;
  let f: Record<string, any>;
  beforeAll(() => {
    s = synthesize();
    f = s.stack('foundation');
  });
  afterAll(() => s.dispose());

  it('names every resource from resourceNames(config)', () => {
    const names = resourceNames(s.config);
    expect(only(f, 'azurerm_resource_group').name).toBe(names.resourceGroup);
    expect(only(f, 'azurerm_virtual_network').name).toBe(names.virtualNetwork);
    expect(
      values(f, 'azurerm_subnet')
        .map((x) => x.name)
        .sort(),
    ).toEqual([names.subnets.apps, names.subnets.edge, names.subnets.privateEndpoints].sort());
    expect(only(f, 'azurerm_key_vault').name).toBe(names.keyVault);
    expect(only(f, 'azurerm_storage_account').name).toBe(names.storageAccount);
    expect(only(f, 'azurerm_postgresql_flexible_server').name).toBe(names.postgresServer);
    expect(only(f, 'azurerm_container_app_environment').name).toBe(names.containerAppsEnvironment);
    const identities = values(f, 'azurerm_user_assigned_identity').map((x) => x.name);
    expect(identities.every((n) => n === names.userAssignedIdentity || n.startsWith(`${names.userAssignedIdentity}-`))).toBe(true);
    expect(only(f, 'azurerm_log_analytics_workspace').name).toBe(names.logAnalyticsWorkspace);
  });

  it('uses the configured subnets and delegates the apps subnet to Microsoft.App/environments', () => {
    const apps = values(f, 'azurerm_subnet').find((x) => x.name === resourceNames(s.config).subnets.apps);
    expect(apps?.address_prefixes).toEqual([s.config.network.subnets.apps]);
    expect(apps?.delegation[0].service_delegation.name).toBe('Microsoft.App/environments');
    expect(only(f, 'azurerm_virtual_network').address_space).toEqual([s.config.network.addressSpace]);
    expect(values(f, 'azurerm_subnet_network_security_group_association')).toHaveLength(3);
  });

  it('generates every generated catalogue secret with an ephemeral random_password and writes it to Key Vault write-only (not in state)', () => {
    const generated = s.catalogue.secrets.filter((x) => x.source === 'generated');
    expect(
      values(f, 'azurerm_key_vault_secret')
        .map((x) => x.name)
        .sort(),
    ).toEqual(generated.map((x) => x.keyVaultName).sort());
    expect(values(f, 'random_password')).toHaveLength(0);
    // Write-only arguments need Terraform 1.11; the ephemeral random_password needs hashicorp/random >= 3.7.0 (pinned 3.7.2).
    expect((f.terraform as Record<string, any>).required_version).toBe('>= 1.11.0');
    expect((f.terraform as Record<string, any>).required_providers.random.version).toBe('3.7.2');
    expect(Object.keys((f.ephemeral as Record<string, any>).random_password)).toHaveLength(generated.length);
    for (const secret of values(f, 'azurerm_key_vault_secret')) {
      expect(secret.value).toBeUndefined();
      expect(secret.value_wo).toMatch(/^\$\{ephemeral\.random_password\..+\.result\}$/);
    }
  });

  it('hardens Key Vault: RBAC, purge protection from config, deny by default with the apps subnet and admin CIDRs, no IP lookup', () => {
    const kv = only(f, 'azurerm_key_vault');
    expect(kv).toMatchObject({
      rbac_authorization_enabled: true,
      purge_protection_enabled: s.config.keyVault.purgeProtection,
      soft_delete_retention_days: s.config.keyVault.softDeleteRetentionDays,
    });
    expect(kv.network_acls).toMatchObject({ default_action: 'Deny', ip_rules: s.config.adminCidrs });
    expect(kv.network_acls.virtual_network_subnet_ids).toEqual([expect.stringMatching(/azurerm_subnet\.Network_Apps/)]);
    expect(Object.keys(f.data ?? {})).toEqual(['azurerm_client_config']);
  });

  it('grants each secret-reading component its own identity, Secrets User on exactly its secrets, in this stack (reference failure #5)', () => {
    const roles = values(f, 'azurerm_role_assignment');
    const readers = roles.filter((r) => r.role_definition_name === 'Key Vault Secrets User' && /Identity-/.test(r.principal_id));
    const components = s.catalogue.components.filter((c) => c.enabled && c.role !== 'edge');
    const expected = components.flatMap((c) => c.secrets.map((secret) => `${c.name} -> ${secret}`)).sort();
    expect(
      readers
        .map((r) => {
          const who = /Identity-([a-z0-9-]+)\.principal_id/.exec(r.principal_id)![1];
          const what = /KeyVault_Secrets_([a-z0-9-]+)_[A-F0-9]+\.resource_versionless_id/.exec(r.scope)?.[1] ?? r.scope;
          return `${who} -> ${what}`;
        })
        .sort(),
    ).toEqual(expected);
    for (const c of components.filter((x) => x.secrets.length === 0)) {
      expect(values(f, 'azurerm_user_assigned_identity').map((x) => x.name)).not.toContain(
        `${resourceNames(s.config).userAssignedIdentity}-${c.name}`,
      );
    }
    expect(readers.length).toBeGreaterThan(5);
    expect(roles.find((r) => r.role_definition_name === 'Key Vault Secrets Officer')?.principal_id).toMatch(
      /data\.azurerm_client_config\..+\.object_id/,
    );
    expect(only(f, 'time_sleep').create_duration).toBe('120s');
  });

  it('makes PostgreSQL private, TLS-only, backed up per config, with database cvat and the admin password from the generated secret', () => {
    const pg = only(f, 'azurerm_postgresql_flexible_server');
    expect(pg).toMatchObject({
      version: s.config.postgres.version,
      sku_name: s.config.postgres.skuName,
      storage_mb: s.config.postgres.storageGiB * 1024,
      backup_retention_days: s.config.postgres.backupRetentionDays,
      geo_redundant_backup_enabled: s.config.postgres.geoRedundantBackup,
      public_network_access_enabled: false,
      administrator_login: s.config.postgres.administratorLogin,
    });
    expect(pg.administrator_password).toBeUndefined();
    expect(pg.administrator_password_wo).toBe('${ephemeral.random_password.KeyVault_postgres-admin-password.result}');
    expect(pg.administrator_password_wo_version).toBe(1);
    expect(pg.delegated_subnet_id).toMatch(/azurerm_subnet\.Network_Database/);
    expect(only(f, 'azurerm_postgresql_flexible_server_database').name).toBe(s.config.postgres.databaseName);
    expect(
      values(f, 'azurerm_postgresql_flexible_server_configuration')
        .map((c) => `${c.name}=${c.value}`)
        .sort(),
    ).toEqual(['log_connections=on', 'log_disconnections=on', 'require_secure_transport=on']);
    // Audit logs of Key Vault, PostgreSQL and the file service go to the workspace.
    expect(
      values(f, 'azurerm_monitor_diagnostic_setting')
        .map((d) => `${/azurerm_([a-z_]+)\./.exec(d.target_resource_id)![1]} ${JSON.stringify(d.enabled_log)}`)
        .sort(),
    ).toEqual([
      'key_vault [{"category_group":"audit"}]',
      'postgresql_flexible_server [{"category":"PostgreSQLLogs"}]',
      'storage_account [{"category_group":"audit"}]',
    ]);
    expect(values(f, 'azurerm_private_dns_zone').map((z) => z.name)).toContain('privatelink.postgres.database.azure.com');
  });

  it('hardens the storage account and creates one SMB share and one environment storage per used SMB storage', () => {
    const account = only(f, 'azurerm_storage_account');
    expect(account).toMatchObject({ https_traffic_only_enabled: true, min_tls_version: 'TLS1_2', allow_nested_items_to_be_public: false });
    expect(account.network_rules).toMatchObject({ default_action: 'Deny', ip_rules: s.config.adminCidrs });
    const smb = s.catalogue.storages.filter((x) => x.kind === 'smb');
    expect(
      values(f, 'azurerm_storage_share')
        .map((x) => [x.name, x.quota, x.enabled_protocol])
        .sort(),
    ).toEqual(smb.map((x) => [x.name, Math.ceil(x.quotaGiB), 'SMB']).sort());
    const envStorages = values(f, 'azurerm_container_app_environment_storage');
    expect(envStorages.map((x) => [x.name, x.access_mode]).sort()).toEqual(smb.map((x) => [x.name, x.accessMode]).sort());
    for (const e of envStorages) {
      expect(e.share_name).toMatch(/azurerm_storage_share\..+\.name/);
      expect(e.access_key).toMatch(/azurerm_storage_account\..+\.primary_access_key/);
    }
    expect(values(f, 'azurerm_storage_account')).toHaveLength(1);
  });

  it("uploads each deployed component's config files into its share", () => {
    const files = s.catalogue.components.filter((c) => c.enabled).flatMap((c) => c.configFiles);
    expect(
      values(f, 'azurerm_storage_share_file')
        .map((x) => (x.path ? `${x.path}/${x.name}` : x.name))
        .sort(),
    ).toEqual(files.map((x) => x.path).sort());
  });

  it('creates the environment with the Consumption profile, internal load balancer, the apps subnet and Log Analytics', () => {
    expect(only(f, 'azurerm_container_app_environment')).toMatchObject({
      internal_load_balancer_enabled: true,
      workload_profile: [{ name: 'Consumption', workload_profile_type: 'Consumption' }],
      logs_destination: 'log-analytics',
      log_analytics_workspace_id: '${azurerm_log_analytics_workspace.Logs.id}',
    });
  });

  it('adds a Premium NFS account and NFS environment storage, when a used storage is switched to nfs', () => {
    const config = configWith({ storages: { 'cvat-cache': { kind: 'nfs', quotaGiB: 100 } } });
    const nfs = synthesize(config, catalogueFor(config));
    try {
      const json = nfs.stack('foundation');
      const accounts = values(json, 'azurerm_storage_account');
      expect(accounts.map((a) => a.account_kind).sort()).toEqual(['FileStorage', 'StorageV2']);
      expect(values(json, 'azurerm_storage_share').find((x) => x.name === 'cvat-cache')).toMatchObject({
        enabled_protocol: 'NFS',
        quota: 100,
      });
      expect(values(json, 'azurerm_container_app_environment_storage').find((x) => x.name === 'cvat-cache')?.nfs_server_url).toMatch(
        /\.file\.core\.windows\.net$/,
      );
      expect(accounts.find((a) => a.account_kind === 'FileStorage')?.name).toBe(resourceNames(config).nfsStorageAccount);
      const kvrocks = Object.values(nfs.stack('apps').resource.azurerm_container_app as Resources).find(
        (a) => a.name === 'cvat-redis-ondisk',
      );
      expect(kvrocks?.template.volume).toEqual([expect.objectContaining({ name: 'cvat-cache', storage_type: 'NfsAzureFile' })]);
    } finally {
      nfs.dispose();
    }
  });

  it("takes the NFS account and the environment's infrastructure resource group from the catalogue's resourceNames, deriving nothing itself", () => {
    const names = {
      ...resourceNames(s.config),
      nfsStorageAccount: 'catalogueprovidednf',
      environmentInfrastructureResourceGroup: 'catalogue-provided-infra-rg',
    };
    expect(foundationNames(names)).toMatchObject({
      nfsStorageAccount: 'catalogueprovidednf',
      environmentInfrastructureResourceGroup: 'catalogue-provided-infra-rg',
    });
    const [env] = values(f, 'azurerm_container_app_environment');
    expect(env.infrastructure_resource_group_name).toBe(resourceNames(s.config).environmentInfrastructureResourceGroup);
  });

  it('leaves out the edge subnet, when edge.mode is none', () => {
    const config = configWith({ edge: { mode: 'none', hostname: 'cvat.internal.example.com' } });
    const none = synthesize(config, catalogueFor(config));
    try {
      expect(values(none.stack('foundation'), 'azurerm_subnet')).toHaveLength(2);
      expect(none.model.stacks.map((x) => x.name).sort()).toEqual(['apps', 'foundation']);
    } finally {
      none.dispose();
    }
  });

  it("keeps each stack's state in the environment's own directory state/<env>/ through a relative local backend path", () => {
    for (const stack of ['foundation', 'apps', 'edge']) {
      const path = s.stack(stack).terraform.backend.local.path;
      expect(path, stack).toBe(`../../../state/example/${stack}.tfstate`);
      expect(resolve(s.outdir, 'stacks', stack, path), stack).toBe(resolve(s.outdir, '..', 'state', 'example', `${stack}.tfstate`));
    }
  });

  it("gives two environments different local state files, so one never plans over the other's state", () => {
    const dev = synthesize(configWith({ name: 'dev', edge: { acmeEmail: 'ops@cvat-cloud.dev' }, keyVault: { purgeProtection: true } }));
    try {
      expect(dev.stack('foundation').terraform.backend.local.path).toBe('../../../state/dev/foundation.tfstate');
      expect(dev.stack('apps').data.terraform_remote_state['cross-stack-reference-input-foundation'].config.path).toBe(
        '../../../state/dev/foundation.tfstate',
      );
    } finally {
      dev.dispose();
    }
  });

  it('defaults the state root to packages/infra/<stateBackend.path>, outside cdktf.out', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'synth-default-state-'));
    try {
      buildApp({ config: s.config, catalogue: s.catalogue, outdir }).app.synth();
      const json = JSON.parse(readFileSync(join(outdir, 'stacks', 'foundation', 'cdk.tf.json'), 'utf8'));
      expect(resolve(outdir, 'stacks', 'foundation', json.terraform.backend.local.path)).toBe(
        join(INFRA_ROOT, 'state', 'example', 'foundation.tfstate'),
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resourceNames } from '@cvat-cloud/catalogue';
import {
  POLICY_RULES,
  runPolicy,
  formatPolicyReport,
  type ExpectedGlobalNames,
  type PolicyRule,
  type SynthesizedApp,
} from '../../src/policy';
import { catalogueFor, cloneModel, configWith, synthesize, type Synthesized } from '../support/synth';

type Json = Record<string, any>;
type Model = ReturnType<typeof cloneModel>;

let s: Synthesized;
beforeAll(() => {
  s = synthesize();
});
afterAll(() => s.dispose());

const rule = (id: string): PolicyRule => {
  const found = POLICY_RULES.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
/** Runs one rule on a mutated copy of the synthesized example. */
function check(id: string, mutate: (m: Model) => void, expectedNames?: ExpectedGlobalNames) {
  const model = cloneModel(s.model);
  mutate(model);
  return runPolicy(model as unknown as SynthesizedApp, { rules: [rule(id)], expectedNames }).findings;
}
const stack = (m: Model, name: string) => m.stacks.find((x) => x.name === name)?.json as Json;
const all = (m: Model, type: string): Json[] =>
  m.stacks.flatMap((x) => Object.values((x.json.resource?.[type] ?? {}) as Record<string, Json>));
const app = (m: Model, name: string) => all(m, 'azurerm_container_app').find((a) => a.name === name) as Json;
const container = (m: Model, name: string) => app(m, name).template.container[0];

describe('policy rules', () => {
  it('pass on the synthesized example environment with the names the configuration derives', () => {
    const names = resourceNames(s.config);
    const report = runPolicy(s.model, {
      expectedNames: {
        storageAccounts: [names.storageAccount, names.nfsStorageAccount],
        keyVault: names.keyVault,
        postgresServer: names.postgresServer,
        dnsLabel: names.dnsLabel,
      },
    });
    expect(report.findings).toEqual([]);
    expect(formatPolicyReport(report)).toContain(`${POLICY_RULES.length} of ${POLICY_RULES.length} policy rules passed, 0 finding(s)`);
  });

  it('pass on variants of the example: Grafana on, an NFS cache, an SSH key, and a private-only install', () => {
    const variants = [
      configWith({
        grafana: true,
        storages: { 'cvat-cache': { kind: 'nfs', quotaGiB: 100 } },
        edge: { sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops' },
      }),
      configWith({ analytics: false, edge: { mode: 'none', hostname: 'cvat.internal.example.com' } }),
    ];
    for (const config of variants) {
      const variant = synthesize(config, catalogueFor(config));
      try {
        expect(runPolicy(variant.model).findings).toEqual([]);
      } finally {
        variant.dispose();
      }
    }
  });

  it('have unique kebab-case ids and a description each', () => {
    expect(new Set(POLICY_RULES.map((r) => r.id)).size).toBe(POLICY_RULES.length);
    for (const r of POLICY_RULES) {
      expect(r.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(r.description.length).toBeGreaterThan(20);
    }
  });

  it('no-plaintext-secrets: fails when a password env var is a literal', () => {
    const findings = check('no-plaintext-secrets', (m) => {
      container(m, 'cvat-server').env.push({ name: 'CVAT_POSTGRES_PASSWORD_OLD', value: 'hunter2' });
    });
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'no-plaintext-secrets',
        message: expect.stringContaining('env CVAT_POSTGRES_PASSWORD_OLD of container cvat-server is a literal value'),
      }),
    ]);
  });

  it('no-plaintext-secrets: fails when a resource argument holds a literal password (the reference postgre.tf)', () => {
    const findings = check('no-plaintext-secrets', (m) => {
      all(m, 'azurerm_postgresql_flexible_server')[0].administrator_password = 'P@ssw0rd-in-git';
    });
    expect(findings.map((f) => f.message)).toEqual([
      "'administrator_password' is a literal; generate it (random_password) or reference Key Vault",
    ]);
  });

  it('no-plaintext-secrets: fails when a Key Vault secret value or an app secret is a literal', () => {
    const findings = check('no-plaintext-secrets', (m) => {
      all(m, 'azurerm_key_vault_secret')[0].value = 'literal';
      app(m, 'opa').secret = [{ name: 'x', value: 'literal' }];
    });
    expect(findings).toHaveLength(2);
  });

  it('no-plaintext-secrets: fails when the provider carries a literal client secret', () => {
    const findings = check('no-plaintext-secrets', (m) => {
      stack(m, 'foundation').provider.azurerm[0].client_secret = 'abc';
    });
    expect(findings[0].message).toContain('client_secret');
  });

  it('storage-hardening: fails when TLS, public access, HTTPS or the firewall is weakened, or a rule set is split out', () => {
    const findings = check('storage-hardening', (m) => {
      const account = all(m, 'azurerm_storage_account')[0];
      account.min_tls_version = 'TLS1_0';
      account.allow_nested_items_to_be_public = true;
      account.https_traffic_only_enabled = false;
      account.network_rules.default_action = 'Allow';
      stack(m, 'foundation').resource.azurerm_storage_account_network_rules = { extra: { default_action: 'Deny' } };
      stack(m, 'foundation').resource.azurerm_storage_container = { scripts: { container_access_type: 'blob' } };
    });
    expect(findings).toHaveLength(6);
  });

  it('postgres-private: fails when public access is on, TLS is not required or a firewall rule exists', () => {
    const findings = check('postgres-private', (m) => {
      all(m, 'azurerm_postgresql_flexible_server')[0].public_network_access_enabled = true;
      all(m, 'azurerm_postgresql_flexible_server_configuration').find((c) => c.name === 'require_secure_transport')!.value = 'off';
      stack(m, 'foundation').resource.azurerm_postgresql_flexible_server_firewall_rule = { any: { start_ip_address: '0.0.0.0' } };
    });
    expect(findings.map((f) => f.message)).toEqual([
      'public_network_access_enabled must be false',
      'require_secure_transport must be configured to on',
      'firewall rules open the server to public addresses; reach it from the VNet only',
    ]);
  });

  it('postgres-private: fails when the server is not VNet-injected', () => {
    const findings = check('postgres-private', (m) => {
      delete all(m, 'azurerm_postgresql_flexible_server')[0].delegated_subnet_id;
      delete all(m, 'azurerm_postgresql_flexible_server')[0].private_dns_zone_id;
    });
    expect(findings).toHaveLength(2);
  });

  it('key-vault-private: fails when the firewall allows by default or the apps subnet is missing (reference failure #3)', () => {
    expect(check('key-vault-private', (m) => (all(m, 'azurerm_key_vault')[0].network_acls.default_action = 'Allow'))[0].message).toBe(
      'network_acls.default_action must be Deny',
    );
    expect(
      check('key-vault-private', (m) => (all(m, 'azurerm_key_vault')[0].network_acls.virtual_network_subnet_ids = []))[0].message,
    ).toBe('network_acls.virtual_network_subnet_ids must include the apps subnet');
    expect(check('key-vault-private', (m) => (all(m, 'azurerm_key_vault')[0].rbac_authorization_enabled = false))[0].message).toBe(
      'RBAC authorization must be enabled',
    );
  });

  it('no-ssh-from-anywhere: fails when an inbound rule allows 22 from 0.0.0.0/0, * or Internet', () => {
    const findings = check('no-ssh-from-anywhere', (m) => {
      const rules = stack(m, 'edge').resource.azurerm_network_security_rule;
      rules.ssh1 = {
        name: 'ssh1',
        direction: 'Inbound',
        access: 'Allow',
        destination_port_range: '22',
        source_address_prefix: '0.0.0.0/0',
      };
      rules.ssh2 = {
        name: 'ssh2',
        direction: 'Inbound',
        access: 'Allow',
        destination_port_range: '20-30',
        source_address_prefixes: ['203.0.113.0/24', '*'],
      };
      rules.deny = { name: 'deny', direction: 'Inbound', access: 'Deny', destination_port_range: '22', source_address_prefix: '*' };
      all(m, 'azurerm_network_security_group')[0].security_rule = [
        { name: 'inline', direction: 'Inbound', access: 'Allow', destination_port_range: '*', source_address_prefix: 'Internet' },
      ];
    });
    expect(findings.map((f) => f.message.split(' allows')[0]).sort()).toEqual(['rule inline', 'rule ssh1', 'rule ssh2']);
  });

  it('no-vm-password-auth: fails when the VM allows passwords or has an admin password', () => {
    const findings = check('no-vm-password-auth', (m) => {
      const vm = all(m, 'azurerm_linux_virtual_machine')[0];
      vm.disable_password_authentication = false;
      vm.admin_password = '${random_password.vm.result}';
    });
    expect(findings.map((f) => f.message)).toEqual(['disable_password_authentication must be true', 'admin_password must not be set']);
  });

  it('container-app-probes: fails when an app with ingress has no liveness or readiness probe', () => {
    const findings = check('container-app-probes', (m) => {
      delete container(m, 'opa').liveness_probe;
      delete container(m, 'cvat-ui').readiness_probe;
    });
    expect(findings.map((f) => f.message).sort()).toEqual([
      'container cvat-ui has no readiness_probe',
      'container opa has no liveness_probe',
    ]);
  });

  it('container-app-probes: exempts apps without ingress (workers are probed on their /livez port, not required by this rule)', () => {
    expect(check('container-app-probes', () => undefined)).toEqual([]);
    expect(container(cloneModel(s.model), 'cvat-worker-utils').liveness_probe[0]).toMatchObject({
      transport: 'HTTP',
      port: 8081,
      path: '/livez',
    });
  });

  it('mounts-resolve-to-shares: fails when a mount names no volume, a volume names no environment storage, or a storage points at no share', () => {
    const findings = check('mounts-resolve-to-shares', (m) => {
      container(m, 'cvat-worker-utils').volume_mounts.push({ name: 'ghost', path: '/ghost' });
      app(m, 'cvat-server').template.volume[0].storage_name = 'no-such-storage';
      all(m, 'azurerm_container_app_environment_storage').find((x) => x.name === 'cvat-logs')!.share_name = 'deleted-share';
    });
    const messages = findings.map((f) => f.message);
    expect(messages).toContain('mount /ghost names volume ghost, which the app does not declare');
    expect(messages).toContain('volume cvat-data names storage no-such-storage, which is not an environment storage of this app');
    expect(messages.some((x) => x.includes('points at share deleted-share, which is not declared'))).toBe(true);
  });

  it('no-database-on-smb: fails when kvrocks mounts a read-write SMB share (reference §7: RocksDB on SMB)', () => {
    const findings = check('no-database-on-smb', (m) => {
      const kvrocks = app(m, 'cvat-redis-ondisk');
      kvrocks.template.volume = [{ ...app(m, 'cvat-server').template.volume[0] }];
    });
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'no-database-on-smb',
        message: expect.stringContaining('apache/kvrocks:2.15.0 mounts SMB volume cvat-data read-write'),
      }),
    ]);
  });

  it('no-database-on-smb: allows a read-only SMB config mount for a database image', () => {
    const findings = check('no-database-on-smb', (m) => {
      app(m, 'clickhouse').template.volume = [{ ...app(m, 'vector').template.volume.find((v: Json) => v.name === 'cvat-config') }];
    });
    expect(findings).toEqual([]);
  });

  it('pinned-image-tags: fails on latest, dev and a missing tag (reference §7: cvat/server:dev)', () => {
    const findings = check('pinned-image-tags', (m) => {
      container(m, 'cvat-server').image = 'cvat/server:dev';
      container(m, 'cvat-ui').image = 'cvat/ui:latest';
      container(m, 'opa').image = 'openpolicyagent/opa';
    });
    expect(findings.map((f) => f.message).sort()).toEqual([
      "image 'cvat/server:dev' uses the moving tag 'dev'; pin a release",
      "image 'cvat/ui:latest' uses the moving tag 'latest'; pin a release",
      "image 'openpolicyagent/opa' has no tag; pin one",
    ]);
  });

  it('pinned-image-tags: accepts a digest and a registry with a port', () => {
    expect(check('pinned-image-tags', (m) => (container(m, 'opa').image = `registry:5000/opa@sha256:${'a'.repeat(64)}`))).toEqual([]);
    expect(check('pinned-image-tags', (m) => (container(m, 'opa').image = 'registry:5000/opa'))).toHaveLength(1);
  });

  it('azure-name-limits: fails when a container app name has an underscore or the storage account is too long', () => {
    const findings = check('azure-name-limits', (m) => {
      app(m, 'opa').name = 'cvat_opa';
      all(m, 'azurerm_storage_account')[0].name = 'averyveryverylongstorageaccountname';
    });
    expect(findings.map((f) => f.message.split(' must')[0])).toEqual(["name 'cvat_opa'", "name 'averyveryverylongstorageaccountname'"]);
  });

  it('global-names-from-config: fails when a global name is hard-coded elsewhere, computed, or duplicated', () => {
    const names = resourceNames(s.config);
    const expectedNames = {
      storageAccounts: [names.storageAccount],
      keyVault: names.keyVault,
      postgresServer: names.postgresServer,
      dnsLabel: names.dnsLabel,
    };
    const findings = check(
      'global-names-from-config',
      (m) => {
        all(m, 'azurerm_postgresql_flexible_server')[0].name = 'cvat-db-1';
        all(m, 'azurerm_key_vault')[0].name = '${random_pet.kv.id}';
        all(m, 'azurerm_public_ip')[0].domain_name_label = 'traefik';
      },
      expectedNames,
    );
    expect(findings.map((f) => f.message)).toEqual([
      'name is computed (${random_pet.kv.id}); global names must be derived from the configuration, deterministically',
      `name 'cvat-db-1' is not the name the configuration derives (${names.postgresServer})`,
      `domain_name_label 'traefik' is not the name the configuration derives (${names.dnsLabel})`,
    ]);
  });

  it('no-runtime-ip-lookup: fails on a data "http" source (reference failure #7: api.ipify.org)', () => {
    const findings = check('no-runtime-ip-lookup', (m) => {
      stack(m, 'foundation').data.http = { ip: { url: 'https://api.ipify.org/' } };
    });
    expect(findings).toEqual([expect.objectContaining({ address: 'foundation:data.http.ip' })]);
  });

  it('no-hardcoded-private-ip: fails on a static NIC address and an IP in an env var (reference failure #9: 10.28.16.8)', () => {
    const findings = check('no-hardcoded-private-ip', (m) => {
      const ip = all(m, 'azurerm_network_interface')[0].ip_configuration[0];
      ip.private_ip_address_allocation = 'Static';
      ip.private_ip_address = '10.28.10.9';
      container(m, 'cvat-server').env.find((e: Json) => e.name === 'CVAT_POSTGRES_HOST').value = '10.28.16.8';
    });
    expect(findings.map((f) => f.message)).toEqual([
      'ip_configuration primary has a static private address; use Dynamic',
      'env CVAT_POSTGRES_HOST is the IP 10.28.16.8; use the host name',
    ]);
  });

  it('environment-without-drift-workarounds: fails on the reference ignore_changes and an undeclared Consumption profile (reference failure #1)', () => {
    const findings = check('environment-without-drift-workarounds', (m) => {
      const env = all(m, 'azurerm_container_app_environment')[0];
      env.workload_profile = [];
      env.lifecycle = { ignore_changes: ['infrastructure_resource_group_name', 'workload_profile'] };
      all(m, 'azurerm_container_app_environment_storage')[0].lifecycle = { ignore_changes: ['container_app_environment_id'] };
      delete app(m, 'opa').workload_profile_name;
    });
    expect(findings).toHaveLength(4);
  });

  it('role-principal-is-reference: fails on a literal principal id such as "null" (reference failure #16)', () => {
    const findings = check('role-principal-is-reference', (m) => {
      all(m, 'azurerm_role_assignment')[0].principal_id = 'null';
    });
    expect(findings[0].message).toBe("principal_id is the literal 'null'; reference an identity or data.azurerm_client_config");
  });

  it('edge-no-remote-scripts: fails when cloud-init downloads a script or a run command configures the VM (reference failure #11)', () => {
    const findings = check('edge-no-remote-scripts', (m) => {
      const edge = stack(m, 'edge');
      const key = Object.keys(edge.locals)[0];
      edge.locals[key] += 'runcmd:\n  - curl -fsSL https://raw.githubusercontent.com/x/y/main/manager.py | python3\n';
      edge.resource.azurerm_virtual_machine_run_command = { setup: { source: { script_uri: 'https://blob/install.sh' } } };
    });
    expect(findings.map((f) => f.message.split(' (')[0].split(' is not')[0])).toEqual([
      'custom_data downloads or pipes a script',
      'azurerm_virtual_machine_run_command',
    ]);
  });

  it('edge-no-remote-scripts: reads base64 custom_data too', () => {
    const findings = check('edge-no-remote-scripts', (m) => {
      all(m, 'azurerm_linux_virtual_machine')[0].custom_data = Buffer.from('#!/bin/sh\nwget http://x/setup.sh\n').toString('base64');
    });
    expect(findings).toHaveLength(1);
  });

  it('stacks-ordered: fails when apps does not depend on foundation or edge not on apps (reference failures #5 and #6)', () => {
    const findings = check('stacks-ordered', (m) => {
      m.stacks.find((x) => x.name === 'apps')!.dependencies = [];
      m.stacks.find((x) => x.name === 'edge')!.dependencies = ['foundation'];
    });
    expect(findings.map((f) => f.message)).toEqual(['stack apps must depend on foundation', 'stack edge must depend on apps']);
  });

  it("share-file-parents-exist: fails when a share file's directory, or a directory's parent, is missing or not depended on", () => {
    let dirKey = '';
    let shareUrl = '';
    const findings = check('share-file-parents-exist', (m) => {
      const f = stack(m, 'foundation');
      const dirs = f.resource.azurerm_storage_share_directory as Record<string, Json>;
      const [key, dir] = Object.entries(dirs).find(([, d]) => d.name === 'vector')!;
      dirKey = key;
      shareUrl = dir.storage_share_url;
      Object.values(f.resource.azurerm_storage_share_file as Record<string, Json>).find((x) => x.path === 'vector')!.depends_on = [];
      dirs.nested = { name: 'vector/deeper/leaf', storage_share_url: shareUrl };
      f.resource.azurerm_storage_share_file.orphan = { name: 'x.conf', path: 'nowhere', storage_share_url: shareUrl };
    });
    expect(findings.map((f) => f.message.split(';')[0].split(' must')[0])).toEqual([
      `directory 'vector' (azurerm_storage_share_directory.${dirKey})`,
      `directory 'nowhere' is not declared on ${shareUrl}`,
      `parent directory 'vector/deeper' is not declared on ${shareUrl}`,
    ]);
  });

  it('storage-account-off-data-plane: fails when the storage feature is left at its default or the account sets a data-plane argument', () => {
    const findings = check('storage-account-off-data-plane', (m) => {
      const f = stack(m, 'foundation');
      delete f.provider.azurerm[0].features[0].storage;
      Object.values(f.resource.azurerm_storage_account as Record<string, Json>)[0].static_website = [{ index_document: 'index.html' }];
    });
    expect(findings.map((f) => f.message)).toEqual([
      'features.storage.data_plane_available is true (default); must be false',
      'static_website needs the storage data plane; leave it unset',
    ]);
  });

  it('deployer-reaches-data-planes: fails when adminCidrs leaves no public address on the account and the vault that Terraform writes into', () => {
    const findings = check('deployer-reaches-data-planes', (m) => {
      const f = stack(m, 'foundation');
      for (const a of Object.values(f.resource.azurerm_storage_account as Record<string, Json>)) a.network_rules.ip_rules = [];
      for (const v of Object.values(f.resource.azurerm_key_vault as Record<string, Json>)) v.network_acls.ip_rules = [];
    });
    expect(findings.map((f) => f.message.split(' but ')[0])).toEqual([
      'Terraform writes share files here',
      'Terraform writes secrets here',
    ]);
  });

  it('generated-secrets-not-in-state: fails on a managed random_password, a stored value, a non-ephemeral write-only value and an old Terraform', () => {
    const findings = check('generated-secrets-not-in-state', (m) => {
      const f = stack(m, 'foundation');
      f.resource.random_password = { legacy: { length: 32 } };
      const secrets = Object.values(f.resource.azurerm_key_vault_secret) as Json[];
      secrets[0].value = secrets[0].value_wo;
      delete secrets[0].value_wo;
      secrets[1].value_wo = '${random_password.legacy.result}';
      const pg = Object.values(f.resource.azurerm_postgresql_flexible_server)[0] as Json;
      pg.administrator_password = pg.administrator_password_wo;
      delete pg.administrator_password_wo;
      f.terraform.required_version = '>= 1.5.0';
    });
    expect(findings.map((x) => x.message.split(/[;(]/)[0].trim())).toEqual([
      'random_password keeps its result in state',
      'value is stored in state',
      'value_wo',
      'administrator_password is stored in state',
      'terraform.required_version is >= 1.5.0',
    ]);
    expect(findings[2].message).toContain('must be an ephemeral value');
  });

  it('vnet-segmented: fails when the database admits the edge, a port other than 5432, or the apps subnet loses its deny rule', () => {
    const findings = check('vnet-segmented', (m) => {
      const f = stack(m, 'foundation');
      const rules = f.resource.azurerm_network_security_rule as Record<string, Json>;
      const byName = (n: string) => Object.values(rules).find((r) => r.name === n)!;
      byName('AllowAppsToPostgres').destination_port_range = '*';
      byName('AllowDatabaseSubnet').source_address_prefix = '10.28.3.0/24';
      for (const [k, r] of Object.entries(rules)) if (r.name === 'DenyOtherVnetToApps') delete rules[k];
    });
    expect(findings.map((x) => x.message.split(';')[0])).toEqual([
      'rule AllowAppsToPostgres admits 10.28.0.0/23 on *',
      'rule AllowDatabaseSubnet admits 10.28.3.0/24 into the database subnet',
      'no inbound Deny from VirtualNetwork on the apps subnet',
    ]);
  });

  it('vnet-segmented: fails when a subnet has no NSG at all', () => {
    const findings = check('vnet-segmented', (m) => {
      const f = stack(m, 'foundation');
      const assoc = f.resource.azurerm_subnet_network_security_group_association as Record<string, Json>;
      for (const k of Object.keys(assoc)) if (/Database/.test(k)) delete assoc[k];
    });
    expect(findings.map((x) => x.message)).toEqual(['the database subnet has no network security group']);
  });

  it('audit-logs: fails when Key Vault, PostgreSQL or a storage account sends no audit log, or connection logging is off', () => {
    const findings = check('audit-logs', (m) => {
      const f = stack(m, 'foundation');
      const settings = f.resource.azurerm_monitor_diagnostic_setting as Record<string, Json>;
      for (const k of Object.keys(settings)) if (/KeyVault/.test(k) || /StorageFile/.test(k)) delete settings[k];
      const pg = Object.values(settings).find((v) => /postgresql_flexible_server/.test(v.target_resource_id))!;
      pg.enabled_log = [];
      all(m, 'azurerm_postgresql_flexible_server_configuration').find((c) => c.name === 'log_connections')!.value = 'off';
    });
    expect(findings.map((x) => `${x.address.split(':')[1].split('.')[0]}: ${x.message.split(';')[0]}`)).toEqual([
      'azurerm_key_vault: no diagnostic setting sends its audit log to Log Analytics',
      'azurerm_postgresql_flexible_server: no diagnostic setting sends its audit log to Log Analytics',
      'azurerm_postgresql_flexible_server: log_connections is not on',
      'azurerm_storage_account: no diagnostic setting sends its audit log to Log Analytics',
    ]);
  });

  it('storage-data-protection: fails without blob or container soft delete or a SAS expiration policy', () => {
    const findings = check('storage-data-protection', (m) => {
      const sa = all(m, 'azurerm_storage_account').find((a) => a.account_kind === 'StorageV2')!;
      delete sa.blob_properties.delete_retention_policy;
      delete sa.sas_policy;
    });
    expect(findings.map((x) => x.message.split(';')[0])).toEqual([
      'blob_properties.delete_retention_policy is not set',
      'sas_policy is not set',
    ]);
  });

  it('edge-hardened: fails on an image at latest, no Trusted Launch or boot diagnostics, and cloud-init without HSTS or upgrades', () => {
    const findings = check('edge-hardened', (m) => {
      const vm = all(m, 'azurerm_linux_virtual_machine')[0];
      vm.source_image_reference.version = 'latest';
      vm.secure_boot_enabled = false;
      delete vm.boot_diagnostics;
      vm.custom_data = Buffer.from('#cloud-config\npackages: [docker.io]\n').toString('base64');
    });
    expect(findings.map((x) => x.message.split(';')[0].split(' (')[0])).toEqual([
      "source_image_reference.version is 'latest'",
      'secure_boot_enabled and vtpm_enabled must be true',
      'boot_diagnostics must be set',
      'cloud-init sends no HSTS header',
      'cloud-init does not enable unattended upgrades with reboots',
    ]);
  });

  it('every rule has a failing case in this file', () => {
    const source = readFileSync(__filename, 'utf8');
    for (const r of POLICY_RULES) expect(source, r.id).toMatch(new RegExp(`check\\(\\s*'${r.id}'`));
  });
});

describe('secret-readers-scoped', () => {
  it('passes on the example: every Secrets User grant is per secret and only apps that read secrets carry an identity', () => {
    expect(check('secret-readers-scoped', () => undefined)).toEqual([]);
  });

  it('fails on a vault-scoped grant, an identity on an app that reads no secret, and a secret read with another identity', () => {
    const findings = check('secret-readers-scoped', (m) => {
      const f = stack(m, 'foundation');
      const first = Object.values(f.resource.azurerm_role_assignment as Record<string, Json>).find(
        (r) => r.role_definition_name === 'Key Vault Secrets User',
      )!;
      first.scope = '${azurerm_key_vault.KeyVault_Resource_1234.id}';
      app(m, 'cvat-ui').identity = [{ type: 'UserAssigned', identity_ids: ['${x.id}'] }];
      app(m, 'cvat-server').secret[0].identity = '${azurerm_user_assigned_identity.other.id}';
    });
    const app0Secret = app(s.model as unknown as Model, 'cvat-server').secret[0].name;
    expect(findings.map((f) => f.message.split(', which')[0].split(' but')[0])).toEqual([
      'Key Vault Secrets User on ${azurerm_key_vault.KeyVault_Resource_1234.id}: grant it on each secret the identity reads (resource_versionless_id)',
      `secret ${app0Secret} is read with \${azurerm_user_assigned_identity.other.id}`,
      'has an identity',
    ]);
  });
});

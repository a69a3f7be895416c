import { describe, expect, it } from 'vitest';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { SecretStore, type SecretStoreProps } from '../../src/constructs/secret-store';
import { onlyResource, resourcesOf, synthScope } from '../support/synth';

const base: SecretStoreProps = {
  name: 'cvat-dev-kv-1234abcd',
  resourceGroupName: 'rg',
  location: 'westeurope',
  tenantId: 'tenant',
  allowedSubnetIds: ['apps-subnet-id'],
  readers: [{ id: 'AppsReader', principalId: 'uai-principal', principalType: 'ServicePrincipal' }],
  writers: [{ id: 'DeployerWriter', principalId: 'deployer-object' }],
};
const store = (props: Partial<SecretStoreProps> = {}) => synthScope((scope) => new SecretStore(scope, 'KeyVault', { ...base, ...props }));

describe('SecretStore', () => {
  it(
    'creates an RBAC vault with purge protection, 90-day soft delete and a deny-by-default firewall allowing the apps subnet, when ' +
      'only required props are given',
    () => {
      const json = store();
      expect(json).toHaveResourceWithProperties(KeyVault, {
        name: 'cvat-dev-kv-1234abcd',
        sku_name: 'standard',
        rbac_authorization_enabled: true,
        purge_protection_enabled: true,
        soft_delete_retention_days: 90,
        network_acls: { default_action: 'Deny', bypass: 'AzureServices', ip_rules: [], virtual_network_subnet_ids: ['apps-subnet-id'] },
      });
      expect(resourcesOf(json, 'azurerm_key_vault_secret')).toEqual({});
      expect(json).toMatchSnapshot();
    },
  );

  it('grants Secrets User to readers and Secrets Officer to writers, skipping the Entra lookup for managed identities (reference failure #5)', () => {
    const json = store();
    expect(json).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Key Vault Secrets User',
      principal_id: 'uai-principal',
      principal_type: 'ServicePrincipal',
      skip_service_principal_aad_check: true,
    });
    expect(json).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Key Vault Secrets Officer',
      principal_id: 'deployer-object',
    });
  });

  it('generates each secret with an ephemeral random_password written through value_wo (not in state), after the RBAC wait, when all options are set', () => {
    const json = store({
      purgeProtection: false,
      softDeleteRetentionDays: 7,
      skuName: 'premium',
      allowedCidrs: ['203.0.113.0/24'],
      rbacPropagationSeconds: 300,
      generatedSecrets: [
        { name: 'postgres-admin-password', length: 40 },
        { name: 'django-secret-key', length: 50, special: true },
      ],
    });
    const vault = onlyResource(json, 'azurerm_key_vault');
    expect(vault).toMatchObject({ purge_protection_enabled: false, soft_delete_retention_days: 7, sku_name: 'premium' });
    expect(vault.network_acls.ip_rules).toEqual(['203.0.113.0/24']);
    const sleep = onlyResource(json, 'time_sleep');
    expect(sleep.create_duration).toBe('300s');
    expect(sleep.depends_on).toHaveLength(2);
    expect(resourcesOf(json, 'random_password')).toEqual({});
    const doc = JSON.parse(json) as { ephemeral?: Record<string, Record<string, Record<string, unknown>>>; terraform: Record<string, any> };
    const ephemeral = doc.ephemeral?.random_password ?? {};
    const passwords = Object.values(ephemeral).sort((a, b) => Number(a.length) - Number(b.length)) as Record<string, any>[];
    expect(passwords.map((p) => [p.length, p.special])).toEqual([
      [40, false],
      [50, true],
    ]);
    expect(passwords[1].override_special).toBe('!#%*+-=_~');
    const secrets = Object.values(resourcesOf(json, 'azurerm_key_vault_secret'));
    expect(secrets.map((s) => s.name).sort()).toEqual(['django-secret-key', 'postgres-admin-password']);
    expect(Object.keys(ephemeral).sort()).toEqual(['KeyVault_django-secret-key', 'KeyVault_postgres-admin-password']);
    expect(doc.terraform.required_version).toBe('>= 1.11.0');
    for (const s of secrets) {
      expect(s.value).toBeUndefined();
      expect(s.value_wo).toMatch(/^\$\{ephemeral\.random_password\.KeyVault_[a-z-]+\.result\}$/);
      expect(s.value_wo_version).toBe(1);
      expect(s.depends_on).toEqual([expect.stringMatching(/^time_sleep\./)]);
    }
  });

  it('throws error, when the vault name is longer than 24 characters', () => {
    expect(() => store({ name: 'a'.repeat(25) })).toThrow(`'name' (${'a'.repeat(25)}) must be 3-24 letters, digits and '-'`);
  });
  it('throws error, when soft-delete retention is 6 days', () => {
    expect(() => store({ softDeleteRetentionDays: 6 })).toThrow("'softDeleteRetentionDays' (6) must be an integer between 7 and 90");
  });
  it('throws error, when an allowed CIDR is malformed', () => {
    expect(() => store({ allowedCidrs: ['my-laptop'] })).toThrow("'allowedCidrs[0]' (my-laptop) must be an IPv4 address or CIDR");
  });
  it('throws error, when the RBAC wait is negative', () => {
    expect(() => store({ rbacPropagationSeconds: -1 })).toThrow("'rbacPropagationSeconds' (-1) must be an integer between 0 and 1800");
  });
  it('throws error, when a secret name has an underscore', () => {
    expect(() => store({ generatedSecrets: [{ name: 'pg_password' }] })).toThrow(
      "'generatedSecrets[0].name' (pg_password) must be 1-127 letters, digits and '-'",
    );
  });
  it('throws error, when a secret value version is 0', () => {
    expect(() => store({ generatedSecrets: [{ name: 'pg', valueVersion: 0 }] })).toThrow(
      "'generatedSecrets[0].valueVersion' (0) must be an integer of at least 1",
    );
  });
  it('throws error, when a secret is declared twice', () => {
    expect(() => store({ generatedSecrets: [{ name: 'a' }, { name: 'a' }] })).toThrow("'generatedSecrets[1].name' (a) is declared twice");
  });
  it('throws error, when a secret is shorter than 16 characters', () => {
    expect(() => store({ generatedSecrets: [{ name: 'a', length: 15 }] })).toThrow(
      "'generatedSecrets[0].length' (15) must be an integer between 16 and 128",
    );
  });
});

// One test per failure recorded in the reference project (tpneik/cvat-cloud v1.0.0) that infra can
// prevent, named after it, asserting on the synthesized example environment. Policy rules that
// guard the same failure in any environment are named in each test and run here too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_RULES, runPolicy } from '../src/policy';
import { synthesize, type Synthesized } from './support/synth';

type Json = Record<string, any>;
let s: Synthesized;
beforeAll(() => {
  s = synthesize();
});
afterAll(() => s.dispose());

const res = (stack: string, type: string): Json[] => Object.values((s.stack(stack).resource?.[type] ?? {}) as Record<string, Json>);
const app = (name: string) => res('apps', 'azurerm_container_app').find((a) => a.name === name) as Json;
const passes = (ruleId: string) => {
  const rule = POLICY_RULES.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  expect(rule.prevents, ruleId).toBeTruthy();
  expect(runPolicy(s.model, { rules: [rule] }).findings, ruleId).toEqual([]);
};

describe('reference project failures (tpneik/cvat-cloud v1.0.0)', () => {
  it('#1 known-after-apply drift of the environment: the Consumption profile and infrastructure resource group are declared, nothing is ignored', () => {
    const env = res('foundation', 'azurerm_container_app_environment')[0];
    expect(env.workload_profile).toEqual([{ name: 'Consumption', workload_profile_type: 'Consumption' }]);
    expect(env.infrastructure_resource_group_name).toBe(`${env.name}-infra-rg`);
    for (const r of [env, ...res('foundation', 'azurerm_container_app_environment_storage'), ...res('apps', 'azurerm_container_app')])
      expect(r.lifecycle).toBeUndefined();
    for (const r of res('apps', 'azurerm_container_app')) expect(r.workload_profile_name).toBe('Consumption');
    passes('environment-without-drift-workarounds');
  });

  it('#2 vector could not resolve clickhouse: vector is created after clickhouse, which has startup and readiness probes', () => {
    const clickhouse = res('apps', 'azurerm_container_app').find((a) => a.name === 'clickhouse') as Json;
    const id = Object.entries(s.stack('apps').resource.azurerm_container_app as Record<string, Json>).find(
      ([, r]) => r.name === 'clickhouse',
    )?.[0];
    expect(app('vector').depends_on).toEqual([`azurerm_container_app.${id}`]);
    expect(clickhouse.template.container[0].startup_probe).toBeDefined();
    expect(clickhouse.template.container[0].readiness_probe).toBeDefined();
    expect(app('vector').template.container[0].env.find((e: Json) => e.name === 'CLICKHOUSE_HOST').value).toBe('clickhouse');
  });

  it(
    '#3 apps could not fetch Key Vault secrets through the identity: the apps subnet has the Key Vault service endpoint and is ' +
      'allowed by the vault firewall',
    () => {
      const subnet = res('foundation', 'azurerm_subnet').find(
        (x) => x.delegation?.[0]?.service_delegation?.name === 'Microsoft.App/environments',
      ) as Json;
      expect(subnet.service_endpoints).toContain('Microsoft.KeyVault');
      const kv = res('foundation', 'azurerm_key_vault')[0];
      expect(kv.network_acls.virtual_network_subnet_ids).toEqual([expect.stringContaining('azurerm_subnet.Network_Apps')]);
      passes('key-vault-private');
    },
  );

  it('#4 "Limited to VNet" had no Terraform equivalent: server and UI use external_enabled on the internal environment', () => {
    expect(res('foundation', 'azurerm_container_app_environment')[0].internal_load_balancer_enabled).toBe(true);
    expect(app('cvat-server').ingress.external_enabled).toBe(true);
    expect(app('cvat-ui').ingress.external_enabled).toBe(true);
    expect(app('opa').ingress.external_enabled).toBe(false);
  });

  it(
    '#5 RBAC propagation on first apply: a user-assigned identity granted in the foundation stack, applied before the apps stack, ' +
      'plus a wait before secret writes',
    () => {
      expect([...new Set(res('foundation', 'azurerm_role_assignment').map((r) => r.role_definition_name))].sort()).toEqual([
        'Key Vault Secrets Officer',
        'Key Vault Secrets User',
      ]);
      expect(res('foundation', 'time_sleep')[0].create_duration).toBe('120s');
      for (const a of res('apps', 'azurerm_container_app')) if (a.secret?.length) expect(a.identity.type).toBe('UserAssigned');
      passes('stacks-ordered');
    },
  );

  it(
    '#6 destroy ordering: apps live in a stack that depends on foundation (destroyed first), mount storages by reference, and ' +
      'storages reference the environment',
    () => {
      expect(s.model.stacks.find((x) => x.name === 'apps')?.dependencies).toEqual(['foundation']);
      for (const e of res('foundation', 'azurerm_container_app_environment_storage'))
        expect(e.container_app_environment_id).toMatch(/^\$\{azurerm_container_app_environment\./);
      for (const v of app('cvat-server').template.volume) expect(v.storage_name).toMatch(/terraform_remote_state/);
      passes('mounts-resolve-to-shares');
    },
  );

  it('#7 storage firewall: one inline rule set, the Storage service endpoint on the apps subnet, admin CIDRs from configuration and no IP lookup', () => {
    expect(s.stack('foundation').resource.azurerm_storage_account_network_rules).toBeUndefined();
    const account = res('foundation', 'azurerm_storage_account')[0];
    expect(account.network_rules.ip_rules).toEqual(s.config.adminCidrs);
    const subnet = res('foundation', 'azurerm_subnet').find((x) => x.service_endpoints?.includes('Microsoft.Storage'));
    expect(account.network_rules.virtual_network_subnet_ids).toEqual([expect.stringContaining(`azurerm_subnet.Network_Apps`)]);
    expect(subnet).toBeDefined();
    for (const stack of s.model.stacks)
      expect(Object.keys(stack.json.data ?? {}).filter((d) => d !== 'terraform_remote_state' && d !== 'azurerm_client_config')).toEqual([]);
    passes('storage-hardening');
    passes('no-runtime-ip-lookup');
  });

  it('#9 PostgreSQL reached by a hard-coded private-endpoint IP: VNet-injected server, private DNS zone linked to the VNet, apps use its FQDN', () => {
    const pg = res('foundation', 'azurerm_postgresql_flexible_server')[0];
    expect(pg.delegated_subnet_id).toBeDefined();
    expect(res('foundation', 'azurerm_private_dns_zone_virtual_network_link').length).toBeGreaterThanOrEqual(1);
    const host = app('cvat-server').template.container[0].env.find((e: Json) => e.name === 'CVAT_POSTGRES_HOST').value as string;
    const output = /outputs\.(cross-stack-output-[^}]+)\}/.exec(host)?.[1] as string;
    expect((s.stack('foundation').output as Json)[output].value).toMatch(/azurerm_postgresql_flexible_server\..+\.fqdn/);
    passes('postgres-private');
    passes('no-hardcoded-private-ip');
  });

  it('#10 Traefik rejected a readable acme.json: cloud-init creates it 0600 in a 0700 directory', () => {
    const local = Object.values(s.stack('edge').locals as Record<string, string>)[0];
    expect(local).toContain("[install, -d, -o, root, -g, root, -m, '0700', /etc/traefik/acme]");
    expect(local).toContain('install -o root -g root -m 0600 /dev/null /etc/traefik/acme/acme.json');
  });

  it('#11 manager.py downloaded from GitHub main at boot: cloud-init comes from this repository and fetches no script', () => {
    expect(res('edge', 'azurerm_linux_virtual_machine')[0].custom_data).toMatch(/^\$\{base64encode\(local\./);
    expect(s.stack('edge').resource.azurerm_virtual_machine_run_command).toBeUndefined();
    passes('edge-no-remote-scripts');
  });

  it('#12 kvrocks 1 s healthcheck: kvrocks gets a startup probe with room to boot and multi-second probe timeouts', () => {
    const c = app('cvat-redis-ondisk').template.container[0];
    expect(c.startup_probe[0].failure_count_threshold * c.startup_probe[0].interval_seconds).toBeGreaterThanOrEqual(60);
    for (const slot of ['startup_probe', 'liveness_probe', 'readiness_probe']) expect(c[slot][0].timeout).toBeGreaterThanOrEqual(3);
    expect(app('cvat-redis-ondisk').template.volume).toEqual([{ name: 'cvat-cache', storage_type: 'EmptyDir' }]);
  });

  it('#13 vector file permissions on a 0777 SMB share: vector reads its config read-only through mount options and writes its data to EmptyDir', () => {
    const volumes = app('vector').template.volume as Json[];
    const config = volumes.find((v) => v.name === 'cvat-config') as Json;
    expect(config.mount_options).toBe('dir_mode=0555,file_mode=0444');
    expect(res('foundation', 'azurerm_container_app_environment_storage').find((e) => e.name === 'cvat-config')?.access_mode).toBe(
      'ReadOnly',
    );
    expect(volumes.find((v) => v.name === 'cvat-vector-data')).toEqual({ name: 'cvat-vector-data', storage_type: 'EmptyDir' });
    passes('no-database-on-smb');
  });

  it('#14 startup-probe header rendered value = name: the server probes send Host: cvat-server', () => {
    for (const slot of ['startup_probe', 'liveness_probe', 'readiness_probe']) {
      expect(app('cvat-server').template.container[0][slot][0].header).toEqual([{ name: 'Host', value: 'cvat-server' }]);
    }
    passes('container-app-probes');
  });

  it('#15 the example variables file was invalid: environments/example.yaml synthesizes all three stacks and passes every policy rule', () => {
    expect(s.model.stacks.map((x) => x.name).sort()).toEqual(['apps', 'edge', 'foundation']);
    expect(runPolicy(s.model).findings).toEqual([]);
  });

  it('#16 azure_portal_object_id defaulted to "null": every role assignment grants a principal Terraform references', () => {
    for (const r of res('foundation', 'azurerm_role_assignment')) expect(r.principal_id).toMatch(/^\$\{/);
    passes('role-principal-is-reference');
  });

  it('#17 secrets in code and history: no secret value or subscription id in the synthesized output, every secret is generated or referenced', () => {
    const text = JSON.stringify(s.model);
    expect(text).not.toMatch(/subscription_id/);
    expect(text).not.toMatch(/"administrator_password(_wo)?":\s*"[^$]/);
    const secrets = res('foundation', 'azurerm_key_vault_secret');
    expect(secrets.length).toBeGreaterThan(0); // the loop below must not pass on an empty list
    for (const secret of secrets) expect(secret.value_wo).toMatch(/^\$\{ephemeral\.random_password\./);
    passes('no-plaintext-secrets');
    passes('generated-secrets-not-in-state');
  });
});

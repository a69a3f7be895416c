// postgres.serverName: the foundation adopts an existing server (the one `cvat-ops backup restore` created) at the
// construct ids the derived server had, instead of creating one; asserted on the synthesized JSON.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, Testing } from 'cdktf';
import { resourceNames, type EnvironmentConfig } from '@cvat-cloud/catalogue';
import { CATALOGUE_ROOT, foundationNames } from '../../src/app';
import { FoundationStack } from '../../src/stacks/foundation-stack';
import { keyVaultFeaturesFor } from '../../src/stacks/stack-base';
import { catalogueFor, configWith, exampleConfig, synthesize } from '../support/synth';

const RESTORED = 'cvat-example-pg-r202612031445';
const SUBSCRIPTION = '00000000-0000-0000-0000-0000000000aa';

/** The foundation stack of an environment, with the derived server name passed as the app passes it. */
function foundation(config: EnvironmentConfig, subscriptionId?: string): Record<string, any> {
  const names = resourceNames(config);
  const app = new App({ outdir: '/tmp', stackTraces: false });
  const stack = new FoundationStack(app, 'foundation', {
    location: config.location,
    subscriptionId,
    backend: { type: 'local', stateDir: '/tmp/state', outdir: '/tmp' },
    keyVaultFeatures: keyVaultFeaturesFor(config.keyVault.purgeProtection),
    names: { ...foundationNames(names), postgresServerDerived: names.postgresServerDerived },
    catalogue: catalogueFor(config),
    configFileRoot: CATALOGUE_ROOT,
    network: {
      addressSpace: [config.network.addressSpace],
      appsSubnet: config.network.subnets.apps,
      databaseSubnet: config.network.subnets.privateEndpoints,
    },
    adminCidrs: config.adminCidrs,
  });
  return JSON.parse(Testing.synth(stack));
}
const keyOf = (json: Record<string, any>, type: string): string => {
  const keys = Object.keys(json.resource[type] ?? {});
  expect(keys, type).toHaveLength(1);
  return keys[0]!;
};

describe('FoundationStack with postgres.serverName', () => {
  const derived = foundation(exampleConfig());
  const adopted = foundation(configWith({ postgres: { serverName: RESTORED } }), SUBSCRIPTION);
  const server = (json: Record<string, any>) =>
    json.resource.azurerm_postgresql_flexible_server[keyOf(json, 'azurerm_postgresql_flexible_server')];

  it('creates the derived server with no import block and no prevent_destroy, when serverName is not set', () => {
    expect(derived.import).toBeUndefined();
    expect(server(derived).name).toBe(resourceNames(exampleConfig()).postgresServer);
    expect(server(derived).lifecycle.prevent_destroy).toBeUndefined();
  });

  it('keeps the server and database at the addresses cvat-ops backup restore prints for `terraform state rm`', () => {
    // construct ids are a stable contract; ops-cli (which never imports infra) writes these two out in its next steps
    for (const json of [derived, adopted]) {
      expect(keyOf(json, 'azurerm_postgresql_flexible_server')).toBe('Postgres_9DC8BB04');
      expect(keyOf(json, 'azurerm_postgresql_flexible_server_database')).toBe('Postgres_Database_F02489C9');
    }
  });

  it('imports the named server and its database by their ids at the same addresses, with prevent_destroy', () => {
    const rg = resourceNames(exampleConfig()).resourceGroup;
    const id = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${RESTORED}`;
    const serverKey = keyOf(adopted, 'azurerm_postgresql_flexible_server');
    const databaseKey = keyOf(adopted, 'azurerm_postgresql_flexible_server_database');
    expect(serverKey).toBe(keyOf(derived, 'azurerm_postgresql_flexible_server'));
    expect(databaseKey).toBe(keyOf(derived, 'azurerm_postgresql_flexible_server_database'));
    expect(adopted.import).toEqual([
      { id, to: `azurerm_postgresql_flexible_server.${serverKey}` },
      { id: `${id}/databases/cvat`, to: `azurerm_postgresql_flexible_server_database.${databaseKey}` },
    ]);
    expect(server(adopted)).toMatchObject({ name: RESTORED, lifecycle: { prevent_destroy: true } });
    expect(adopted.resource.azurerm_postgresql_flexible_server_database[databaseKey].lifecycle).toEqual({ prevent_destroy: true });
  });

  it("takes the subscription from the deployer's client configuration when the environment names none", () => {
    const json = foundation(configWith({ postgres: { serverName: RESTORED } }));
    expect(json.import[0].id).toMatch(
      /^\/subscriptions\/\$\{data\.azurerm_client_config\.[A-Za-z0-9_]+\.subscription_id\}\/resourceGroups\//,
    );
    expect(json.import[0].id.endsWith(`/flexibleServers/${RESTORED}`)).toBe(true);
  });

  it('keeps the VNet link name (the derived one) and points the diagnostics, database and configurations at the adopted server', () => {
    const link = (json: Record<string, any>) =>
      Object.values(json.resource.azurerm_private_dns_zone_virtual_network_link as Record<string, any>).map((l) => l.name);
    expect(link(adopted)).toEqual(link(derived));
    const ref = `\${azurerm_postgresql_flexible_server.${keyOf(adopted, 'azurerm_postgresql_flexible_server')}.id}`;
    for (const type of ['azurerm_postgresql_flexible_server_database', 'azurerm_postgresql_flexible_server_configuration']) {
      for (const r of Object.values(adopted.resource[type] as Record<string, any>)) expect(r.server_id).toBe(ref);
    }
    const diagnostics = Object.values(adopted.resource.azurerm_monitor_diagnostic_setting as Record<string, any>);
    expect(diagnostics.filter((d) => d.target_resource_id === ref)).toHaveLength(1);
    expect(adopted.output.postgres_fqdn.value).toBe(
      `\${azurerm_postgresql_flexible_server.${keyOf(adopted, 'azurerm_postgresql_flexible_server')}.fqdn}`,
    );
  });

  it('changes nothing else in the stack: only the server name, the import blocks and the lifecycle differ', () => {
    const strip = (json: Record<string, any>) => {
      const copy = structuredClone(json);
      delete copy.import;
      const s = server(copy);
      s.name = 'X';
      delete s.lifecycle.prevent_destroy;
      delete copy.resource.azurerm_postgresql_flexible_server_database[keyOf(copy, 'azurerm_postgresql_flexible_server_database')]
        .lifecycle;
      delete copy.provider; // the provider block carries the subscription id given here
      return copy;
    };
    expect(strip(adopted)).toEqual(strip(derived));
  });
});

// Through buildApp (what synth and deploy run): needs app.ts's foundationNames() to pass postgresServerDerived.
const appPassesDerived = (foundationNames(resourceNames(exampleConfig())) as { postgresServerDerived?: string }).postgresServerDerived;
describe.skipIf(appPassesDerived === undefined)(
  'buildApp with postgres.serverName (skipped until src/app.ts foundationNames() passes postgresServerDerived)',
  () => {
    it('adopts the restored server in the synthesized foundation stack', () => {
      const config = configWith({ postgres: { serverName: RESTORED } });
      const s = synthesize(config, catalogueFor(config));
      try {
        const f = s.stack('foundation');
        expect(f.import.map((i: { to: string }) => i.to)).toEqual([
          'azurerm_postgresql_flexible_server.Postgres_9DC8BB04',
          'azurerm_postgresql_flexible_server_database.Postgres_Database_F02489C9',
        ]);
        // the apps read CVAT_POSTGRES_HOST from this server's fqdn (a cross-stack reference), so they follow the import
        expect(f.resource.azurerm_postgresql_flexible_server.Postgres_9DC8BB04.name).toBe(RESTORED);
      } finally {
        s.dispose();
      }
    });
  },
);

// The Terraform behaviour the design rests on, shown with the real binary and its built-in terraform_data (no provider
// download): an import block whose address is already in state is skipped whatever id it names, so a ForceNew change
// would destroy what is in state; prevent_destroy turns that plan into an error; after `terraform state rm` the import
// happens. (hashicorp/terraform internal/terraform/node_resource_plan.go, expandResourceImports.)
const TERRAFORM = process.env.TF_BINARY ?? 'terraform';
const terraformMissing = spawnSync(TERRAFORM, ['version'], { encoding: 'utf8' }).status !== 0;

describe.skipIf(terraformMissing)('terraform: import blocks and prevent_destroy (skipped without a terraform binary)', () => {
  it('skips an import whose address is in state, refuses the replace with prevent_destroy, imports after state rm', () => {
    const dir = mkdtempSync(join(tmpdir(), 'adopt-'));
    const tf = (...args: string[]) => {
      const r = spawnSync(TERRAFORM, [...args, '-no-color'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
      });
      return { status: r.status, out: `${r.stdout}${r.stderr}` };
    };
    const config = (adopt: boolean) =>
      writeFileSync(
        join(dir, 'main.tf'),
        [
          'variable "name" { type = string }',
          adopt ? 'import {\n  to = terraform_data.server\n  id = "restored-server-id"\n}' : '',
          'resource "terraform_data" "server" {',
          '  triggers_replace = var.name',
          adopt ? '  lifecycle { prevent_destroy = true }' : '',
          '}',
        ].join('\n'),
      );
    try {
      config(false);
      expect(tf('init', '-input=false').status).toBe(0);
      expect(tf('apply', '-auto-approve', '-input=false', '-var', 'name=old').status).toBe(0);
      config(true);
      const refused = tf('plan', '-input=false', '-var', 'name=restored');
      expect(refused.status).not.toBe(0);
      expect(refused.out).not.toContain('Preparing import');
      expect(refused.out).toContain('Instance cannot be destroyed');
      expect(tf('state', 'rm', 'terraform_data.server').status).toBe(0);
      const imported = tf('plan', '-input=false', '-var', 'name=restored');
      expect(imported.out).toContain('Preparing import... [id=restored-server-id]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("evaluates an import id that reads a data source at plan time (the deployer's subscription when the file names none)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'adopt-id-'));
    const env = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
    const tf = (cwd: string, ...args: string[]) => {
      const r = spawnSync(TERRAFORM, [...args, '-no-color'], { cwd, encoding: 'utf8', env });
      return { status: r.status, out: `${r.stdout}${r.stderr}` };
    };
    try {
      // a state with one output stands in for azurerm_client_config (both are data sources read during plan)
      const src = join(dir, 'src');
      mkdirSync(src);
      writeFileSync(join(src, 'main.tf'), 'output "subscription_id" { value = "sub-123" }\n');
      expect(tf(src, 'init', '-input=false').status).toBe(0);
      expect(tf(src, 'apply', '-auto-approve', '-input=false').status).toBe(0);
      writeFileSync(
        join(dir, 'main.tf'),
        [
          'data "terraform_remote_state" "client" {',
          '  backend = "local"',
          '  config  = { path = "src/terraform.tfstate" }',
          '}',
          'import {',
          '  to = terraform_data.server',
          '  id = "/subscriptions/${data.terraform_remote_state.client.outputs.subscription_id}/resourceGroups/rg"',
          '}',
          'resource "terraform_data" "server" {}',
        ].join('\n'),
      );
      expect(tf(dir, 'init', '-input=false').status).toBe(0);
      expect(tf(dir, 'plan', '-input=false').out).toContain('Preparing import... [id=/subscriptions/sub-123/resourceGroups/rg]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

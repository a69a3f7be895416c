import {
  ACA_LIMITS,
  type AppSpec,
  appSpecs,
  bundlePollingTargets,
  type Catalogue,
  clickhouseTimers,
  enabledComponents,
  type EnvironmentConfig,
} from '@cvat-cloud/catalogue';
import type { CostedWorkload, CostModel } from './estimate';
import { type InventoryResource, inventoryFromTerraform } from './inventory';
import type { TerraformJson } from '../policy/model';

/** Moved to the catalogue (derivations/activity.ts); re-exported for the estimate's callers. */
export { bundlePollingTargets, clickhouseTimers };

/** RQ queue names in the scale rules of a spec (KEDA redis rules on `rq:queue:<name>`). */
function ruleQueues(rules: ReadonlyArray<{ readonly metadata: Readonly<Record<string, string>> }>): string[] {
  return rules.map((r) => /^rq:queue:(.+)$/.exec(r.metadata.listName ?? '')?.[1]).filter((q): q is string => Boolean(q));
}

function scaleTargetOf(rules: ReadonlyArray<{ readonly metadata: Readonly<Record<string, string>> }>): { scaleTarget?: number } {
  for (const r of rules) {
    const n = Number(r.metadata.listLength ?? r.metadata.concurrentRequests);
    if (Number.isFinite(n) && n > 0) return { scaleTarget: n };
  }
  return {};
}

function ruleKinds(rules: ReadonlyArray<{ readonly kind: string; readonly customRuleType?: string | undefined }>): string[] {
  return rules.map((r) => (r.kind === 'custom' ? (r.customRuleType === 'redis' ? 'queue' : 'other') : r.kind));
}

/**
 * One catalogue app spec as the estimate prices it. Reads the job fields the catalogue has or is adding (event
 * triggers, queues) through their documented names, so a spec without them still prices as a manual job.
 */
export function workloadFromSpec(spec: AppSpec, componentQueues: readonly string[]): CostedWorkload {
  const container = spec.containers[0];
  const base = {
    name: spec.name,
    role: spec.role,
    cpuCores: container.cpuCores,
    memoryGiB: container.memoryGiB,
    workloadProfile: spec.workloadProfileName,
    secrets: spec.secrets.length,
  };
  if (spec.kind === 'job') {
    const trigger = spec.trigger as {
      readonly type: string;
      readonly parallelism?: number;
      readonly scale?: {
        readonly maxExecutions?: number;
        readonly rules?: ReadonlyArray<{ kind: string; customRuleType?: string; metadata: Record<string, string> }>;
      };
    };
    const rules = trigger.scale?.rules ?? [];
    const queues = (spec as { readonly queues?: readonly string[] }).queues ?? [];
    return {
      ...base,
      kind: 'job',
      trigger: trigger.type,
      minReplicas: 0,
      maxReplicas: trigger.scale?.maxExecutions ?? 1,
      scaledBy: ruleKinds(rules),
      queues: queues.length ? [...queues] : ruleQueues(rules).length ? ruleQueues(rules) : [...componentQueues],
      parallelism: trigger.parallelism ?? 1,
      replicaTimeoutSeconds: spec.replicaTimeoutSeconds,
    };
  }
  const fromRules = ruleQueues(spec.scale.rules);
  return {
    ...base,
    kind: 'app',
    minReplicas: spec.scale.minReplicas,
    maxReplicas: spec.scale.maxReplicas,
    scaledBy: ruleKinds(spec.scale.rules),
    queues: componentQueues.length ? [...componentQueues] : fromRules,
    ingress: spec.ingress !== undefined,
    ...scaleTargetOf(spec.scale.rules),
    ...(clickhouseTimers(spec) ? { timers: clickhouseTimers(spec) } : {}),
  };
}

/**
 * Reduces an environment to what the estimate prices: the workloads from the catalogue's app specs (the same
 * derivation infra renders and drift compares against) and every other resource from the synthesized Terraform.
 *
 * @param catalogue the result of `resolveCatalogue(config)`
 * @param config the environment configuration
 * @param stacks the synthesized stacks (`cdk.tf.json` of foundation, apps, edge)
 */
export function costModelFromCatalogue(
  catalogue: Catalogue,
  config: EnvironmentConfig,
  stacks: ReadonlyArray<{ readonly name: string; readonly json: TerraformJson }>,
): CostModel {
  const components = new Map(enabledComponents(catalogue).map((c) => [c.name, c]));
  const specs = appSpecs(catalogue, config);
  // The same inputs as the catalogue's `appActivities` (what `cvat-ops idle` prints): OPA's arguments in the app specs.
  const polled = bundlePollingTargets(specs.map((s) => ({ name: s.name, args: s.containers[0]?.args })));
  const workloads = specs.map((spec) => {
    const w = workloadFromSpec(spec, components.get(spec.name)?.queues ?? []);
    const by = polled.get(spec.name);
    return by && w.kind === 'app' ? { ...w, polledBy: by } : w;
  });
  const databaseShares = catalogue.storages
    .filter((s) => s.kind !== 'ephemeral')
    .filter((s) => [...components.values()].some((c) => c.role === 'store' && c.mounts.some((m) => m.storage === s.name)))
    .map((s) => s.name);
  return {
    label: `${config.name} (catalogue ${catalogue.cvatVersion}, ${config.location})`,
    workloads,
    inventory: inventoryFromTerraform(stacks),
    databaseShares,
    dedicatedProfiles: ACA_LIMITS.dedicatedProfiles,
  };
}

/**
 * The reference project's configuration (tpneik/cvat-cloud v1.0.0, a public Terraform deployment of CVAT on Azure
 * Container Apps), for comparison. Workloads: 15 container apps, all `min = max = 1`, no scale rules, 6.25 vCPU /
 * 12.5 GiB always on, each with the same 3 Key Vault secret references; the eight workers serve the queues named in
 * their `run worker <queues>` arguments. Inventory: the priced resources of its Terraform (Azure/terraform at v1.0.0):
 * a premium Key Vault, PostgreSQL Flexible B1ms with 32 GiB reached through one private endpoint, one private DNS
 * zone with a VNet link and two A records, a Standard LRS storage account with six 50 GiB SMB shares (ClickHouse's
 * data on `cvat-events-db`, kvrocks' on `cvat-cache-db`), a `Standard_B2ats_v2` Traefik VM with a Standard HDD OS disk
 * (`Standard_LRS`, image default size) and a static Standard public IP, two NSGs with rules, a user-assigned identity
 * and role assignments; no Log Analytics workspace.
 *
 * @see https://github.com/tpneik/cvat-cloud/tree/v1.0.0/Azure/terraform
 */
export function referenceCostModel(): CostModel {
  const app = (name: string, cpuCores: number, role: string, queues: string[] = []): CostedWorkload => ({
    name,
    role,
    kind: 'app',
    cpuCores,
    memoryGiB: cpuCores * 2,
    minReplicas: 1,
    maxReplicas: 1,
    workloadProfile: 'Consumption',
    scaledBy: [],
    queues,
    secrets: 3,
  });
  const workers: Array<[string, string[]]> = [
    ['annotation', ['annotation']],
    ['chunks', ['chunks']],
    ['consensus', ['consensus']],
    ['export', ['export']],
    ['import', ['import']],
    ['quality-reports', ['quality_reports']],
    ['utils', ['notifications', 'cleaning']],
    ['webhooks', ['webhooks']],
  ];
  // Its OPA polls the server as upstream's compose does, every 5-15 s (cvat-ai/cvat@v2.73.0 docker-compose.yml cvat_opa).
  const workloads = [
    { ...app('cvat-server', 0.5, 'service'), polledBy: { by: 'opa', minDelaySeconds: 5, maxDelaySeconds: 15 } },
    app('cvat-ui', 0.25, 'service'),
    ...workers.map(([n, q]) => app(`cvat-worker-${n}`, 0.5, 'worker', q)),
    app('cvat-redis-inmem', 0.25, 'store'),
    app('cvat-redis-ondisk', 0.25, 'store'),
    app('cvat-clickhouse', 0.5, 'store'),
    app('cvat-vector', 0.25, 'service'),
    app('opa', 0.25, 'service'),
  ];
  const r = (type: string, name: string, body: Record<string, unknown> = {}): InventoryResource => ({
    type,
    address: `reference:${type}.${name}`,
    body: { name, ...body },
  });
  const shares = ['cvat-vector-component', 'cvat-cache-db', 'cvat-data', 'cvat-keys', 'cvat-logs', 'cvat-events-db'];
  const inventory: InventoryResource[] = [
    r('azurerm_resource_group', 'main_rg'),
    r('azurerm_network_security_group', 'main_nsg'),
    r('azurerm_network_security_group', 'traefik_nsg'),
    ...['AllowSSHInbound', 'AllowHTTPSInbound', 'AllowHTTPInbound'].map((n) => r('azurerm_network_security_rule', n)),
    r('azurerm_virtual_network', 'application_vnet'),
    ...['application_subnet', 'private_endpoint_subnet', 'traefik_subnet'].map((n) => r('azurerm_subnet', n)),
    r('azurerm_subnet_network_security_group_association', 'private_endpoint_nsg_association'),
    r('azurerm_subnet_network_security_group_association', 'nsg_association_test_vm_association'),
    r('azurerm_user_assigned_identity', 'generic-identity'),
    r('random_password', 'django_secret_key'),
    r('azurerm_key_vault', 'kv', { sku_name: 'premium' }),
    ...['deployment_user_kv_admin', 'generic_identity_kv', 'administrator_from_azure_portal'].map((n) => r('azurerm_role_assignment', n)),
    ...['docker-hub-secret', 'generic-password', 'django-secret-key'].map((n) => r('azurerm_key_vault_secret', n)),
    r('azurerm_postgresql_flexible_server', 'cvat-db-1', { sku_name: 'B_Standard_B1ms', storage_mb: 32768 }),
    r('azurerm_private_endpoint', 'cvat-db-pe', { private_service_connection: { subresource_names: ['postgresqlServer'] } }),
    r('azurerm_postgresql_flexible_server_database', 'cvat'),
    r('azurerm_storage_account', 'main', { account_tier: 'Standard', account_replication_type: 'LRS' }),
    r('azurerm_storage_account_network_rules', 'sa_network_rule'),
    ...shares.map((n) => r('azurerm_storage_share', n, { quota: 50, enabled_protocol: 'SMB' })),
    r('azurerm_storage_share_file', 'vector'),
    r('azurerm_storage_share_file', 'redis'),
    r('azurerm_storage_container', 'traefik-scripts'),
    ...['install-script', 'output', 'error'].map((n) => r('azurerm_storage_blob', n)),
    r('azurerm_virtual_machine_run_command', 'setup-traefik'),
    r('azurerm_private_dns_zone', 'mmc-cvat.app'),
    r('azurerm_private_dns_zone_virtual_network_link', 'main'),
    r('azurerm_private_dns_a_record', 'cvat-ui'),
    r('azurerm_private_dns_a_record', 'cvat-server'),
    r('azurerm_container_app_environment', 'app_env'),
    ...shares.map((n) => r('azurerm_container_app_environment_storage', n)),
    ...workloads.map((w) => r('azurerm_container_app', w.name)),
    r('azurerm_public_ip', 'traefik-public-ip', { sku: 'Standard', allocation_method: 'Static' }),
    r('azurerm_network_interface', 'traefik-nic'),
    r('azurerm_linux_virtual_machine', 'traefik', { size: 'Standard_B2ats_v2', os_disk: { storage_account_type: 'Standard_LRS' } }),
  ];
  return {
    label: 'reference project (tpneik/cvat-cloud v1.0.0)',
    workloads,
    inventory,
    databaseShares: ['cvat-events-db', 'cvat-cache-db'],
  };
}

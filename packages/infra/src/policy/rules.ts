import { isAnywhere } from '@cvat-cloud/catalogue';
import { imageTag } from '../constructs/_container';
import {
  block,
  blocks,
  containers,
  dataSources,
  followReference,
  isExpression,
  literal,
  resources,
  type ResourceRef,
  type SynthesizedApp,
} from './model';

/** One violation of a policy rule. */
export interface PolicyFinding {
  /** Rule id. */
  readonly rule: string;
  /** `<stack>:<type>.<name>` (or the stack name for stack-level findings). */
  readonly address: string;
  /** What is wrong and what is expected. */
  readonly message: string;
}

/** Globally unique names the configuration derives, to compare with what was synthesized. */
export interface ExpectedGlobalNames {
  /** Storage account names (SMB and, when used, NFS). */
  readonly storageAccounts?: readonly string[];
  /** Key Vault name. */
  readonly keyVault?: string;
  /** PostgreSQL server name. */
  readonly postgresServer?: string;
  /** Public IP DNS label. */
  readonly dnsLabel?: string;
}

/** What a rule sees. */
export interface PolicyContext {
  /** The synthesized app. */
  readonly app: SynthesizedApp;
  /**
   * Names the configuration derives.
   * @default - only checked for being literal and unique
   */
  readonly expectedNames?: ExpectedGlobalNames;
}

/** A named policy rule over synthesized Terraform JSON. */
export interface PolicyRule {
  /** Stable kebab-case id. */
  readonly id: string;
  /** What the rule enforces. */
  readonly description: string;
  /** Which recorded failure of the reference project (tpneik/cvat-cloud v1.0.0) it prevents, if any. */
  readonly prevents?: string;
  /** Returns the violations. */
  check(context: PolicyContext): PolicyFinding[];
}

const CONTAINER_TYPES = ['azurerm_container_app', 'azurerm_container_app_job'];
const appsAndJobs = (app: SynthesizedApp) => CONTAINER_TYPES.flatMap((t) => resources(app, t));

/** Env var names that hold secrets. */
export const SECRET_ENV_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY|ACCESS_KEY|_KEY$|^KEY$)/i;
/** Resource argument names that hold secrets. */
const SECRET_ARG_NAME =
  /(^|_)(password|secret|access_key|account_key|primary_key|token|connection_string|client_secret|sas_token|value)(_wo)?$/;
/** Arguments whose names match but that are references or switches, not secret values. */
const NOT_SECRET_ARGS = new Set([
  'secret_name',
  'key_vault_secret_id',
  'password_secret_name',
  'disable_password_authentication',
  'secret',
  'ttl',
]);
/** Resource types whose `value` argument is a secret. */
const VALUE_IS_SECRET = new Set(['azurerm_key_vault_secret', 'azurerm_container_app', 'azurerm_container_app_job']);

function walk(value: unknown, path: string, visit: (key: string, value: unknown, path: string) => void): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      walk(v, `${path}[${i}]`, visit);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit(k, v, path ? `${path}.${k}` : k);
      walk(v, path ? `${path}.${k}` : k, visit);
    }
  }
}

const noPlaintextSecrets: PolicyRule = {
  id: 'no-plaintext-secrets',
  description:
    'No secret is a literal: env vars named like PASSWORD/SECRET/TOKEN/*_KEY use a secret reference (or are empty), and no ' +
    'password/secret/key/token argument of any resource, provider or backend holds a literal string.',
  prevents: '#17 secrets leaked (hard-coded PG/VM password, plaintext CVAT_POSTGRES_PASSWORD and CLICKHOUSE_PASSWORD)',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const r of appsAndJobs(app)) {
      for (const c of containers(r)) {
        for (const e of blocks(c.env)) {
          const value = literal(e.value);
          if (typeof e.name === 'string' && SECRET_ENV_NAME.test(e.name) && value) {
            findings.push({
              rule: this.id,
              address: r.address,
              message: `env ${String(e.name)} of container ${String(c.name)} is a literal value; use secret_name (a Key Vault reference)`,
            });
          }
        }
      }
      for (const s of blocks(r.body.secret)) {
        if (literal(s.value))
          findings.push({
            rule: this.id,
            address: r.address,
            message: `app secret ${String(s.name)} has a literal value; reference Key Vault (key_vault_secret_id + identity)`,
          });
      }
    }
    for (const r of resources(app)) {
      if (CONTAINER_TYPES.includes(r.type)) continue;
      walk(r.body, '', (key, value, path) => {
        if (NOT_SECRET_ARGS.has(key) || !SECRET_ARG_NAME.test(key)) return;
        if ((key === 'value' || key === 'value_wo') && !VALUE_IS_SECRET.has(r.type)) return;
        const text = literal(value);
        if (text)
          findings.push({
            rule: this.id,
            address: r.address,
            message: `'${path}' is a literal; generate it (random_password) or reference Key Vault`,
          });
      });
    }
    for (const stack of app.stacks) {
      walk({ provider: stack.json.provider, terraform: stack.json.terraform }, '', (key, value, path) => {
        if (NOT_SECRET_ARGS.has(key) || !SECRET_ARG_NAME.test(key) || key === 'value') return;
        if (literal(value))
          findings.push({
            rule: this.id,
            address: stack.name,
            message: `'${path}' is a literal credential; use environment variables (ARM_*) or managed identity`,
          });
      });
    }
    return findings;
  },
};

const storageHardening: PolicyRule = {
  id: 'storage-hardening',
  description:
    'Storage accounts: TLS 1.2, no public blob access, HTTPS only (except Premium NFS FileStorage accounts, where NFS needs it ' +
    'off), firewall deny by default with the rules inline (no separate azurerm_storage_account_network_rules), no public ' +
    'containers.',
  prevents: '#7 storage firewall (one rule set per account, deployer IP from api.ipify.org), anonymous script blob',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const r of resources(app, 'azurerm_storage_account')) {
      const b = r.body;
      const nfsAccount = b.account_kind === 'FileStorage' && b.account_tier === 'Premium';
      if (b.min_tls_version !== 'TLS1_2')
        findings.push({ rule: this.id, address: r.address, message: `min_tls_version is ${String(b.min_tls_version)}; must be TLS1_2` });
      if (b.allow_nested_items_to_be_public !== false)
        findings.push({ rule: this.id, address: r.address, message: 'allow_nested_items_to_be_public must be false' });
      if (b.https_traffic_only_enabled !== true && !nfsAccount)
        findings.push({
          rule: this.id,
          address: r.address,
          message: 'https_traffic_only_enabled must be true (only Premium FileStorage NFS accounts may turn it off)',
        });
      const rules = block(b.network_rules);
      if (rules?.default_action !== 'Deny')
        findings.push({ rule: this.id, address: r.address, message: 'network_rules.default_action must be Deny' });
    }
    for (const r of resources(app, 'azurerm_storage_account_network_rules')) {
      findings.push({
        rule: this.id,
        address: r.address,
        message: 'declare the firewall inline on the account; a separate network-rules resource fights it (only one rule set per account)',
      });
    }
    for (const r of resources(app, 'azurerm_storage_container')) {
      if ((r.body.container_access_type ?? 'private') !== 'private')
        findings.push({
          rule: this.id,
          address: r.address,
          message: `container_access_type is ${String(r.body.container_access_type)}; must be private`,
        });
    }
    return findings;
  },
};

const postgresPrivate: PolicyRule = {
  id: 'postgres-private',
  description:
    'PostgreSQL Flexible Servers: no public access, VNet-injected with a private DNS zone, require_secure_transport on, no firewall rules.',
  prevents: '#9 PostgreSQL VNet injection abandoned (reached by a hard-coded private-endpoint IP)',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    const configs = resources(app, 'azurerm_postgresql_flexible_server_configuration');
    for (const r of resources(app, 'azurerm_postgresql_flexible_server')) {
      if (r.body.public_network_access_enabled !== false)
        findings.push({ rule: this.id, address: r.address, message: 'public_network_access_enabled must be false' });
      if (!r.body.delegated_subnet_id)
        findings.push({ rule: this.id, address: r.address, message: 'delegated_subnet_id must be set (VNet injection)' });
      if (!r.body.private_dns_zone_id)
        findings.push({ rule: this.id, address: r.address, message: 'private_dns_zone_id must be set so apps resolve the server by name' });
      const tls = configs.find(
        (c) =>
          c.body.name === 'require_secure_transport' && followReference(app, c.stack, c.body.server_id)?.resource.address === r.address,
      );
      if (!tls || String(tls.body.value).toLowerCase() !== 'on')
        findings.push({ rule: this.id, address: r.address, message: 'require_secure_transport must be configured to on' });
    }
    for (const r of resources(app, 'azurerm_postgresql_flexible_server_firewall_rule')) {
      findings.push({
        rule: this.id,
        address: r.address,
        message: 'firewall rules open the server to public addresses; reach it from the VNet only',
      });
    }
    return findings;
  },
};

const keyVaultPrivate: PolicyRule = {
  id: 'key-vault-private',
  description: 'Key Vaults: RBAC authorization, firewall deny by default, and the apps subnet allowed (so the identity can fetch secrets).',
  prevents: '#3 apps cannot fetch Key Vault secrets through the identity (firewall blocks the ACA subnet)',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const r of resources(app, 'azurerm_key_vault')) {
      const acls = block(r.body.network_acls);
      if (r.body.rbac_authorization_enabled !== true && r.body.enable_rbac_authorization !== true)
        findings.push({ rule: this.id, address: r.address, message: 'RBAC authorization must be enabled' });
      if (acls?.default_action !== 'Deny')
        findings.push({ rule: this.id, address: r.address, message: 'network_acls.default_action must be Deny' });
      else if (!Array.isArray(acls.virtual_network_subnet_ids) || acls.virtual_network_subnet_ids.length === 0) {
        findings.push({
          rule: this.id,
          address: r.address,
          message: 'network_acls.virtual_network_subnet_ids must include the apps subnet',
        });
      }
    }
    return findings;
  },
};

function portCovers(range: unknown, port: number): boolean {
  if (typeof range !== 'string') return false;
  if (range === '*') return true;
  const [from, to] = range.split('-').map(Number);
  return to === undefined ? from === port : from <= port && port <= to;
}

const noSshFromAnywhere: PolicyRule = {
  id: 'no-ssh-from-anywhere',
  description: 'No inbound NSG rule allows port 22 from *, 0.0.0.0/0, Internet or Any.',
  prevents: 'SSH exposed to the internet (the reference limited it to a plan-time IP lookup)',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    const rules: { address: string; rule: Record<string, unknown> }[] = [
      ...resources(app, 'azurerm_network_security_rule').map((r) => ({ address: r.address, rule: r.body })),
      ...resources(app, 'azurerm_network_security_group').flatMap((r) =>
        blocks(r.body.security_rule).map((rule) => ({ address: r.address, rule })),
      ),
    ];
    for (const { address, rule } of rules) {
      if (String(rule.direction).toLowerCase() !== 'inbound' || String(rule.access).toLowerCase() !== 'allow') continue;
      const ports = [rule.destination_port_range, ...(Array.isArray(rule.destination_port_ranges) ? rule.destination_port_ranges : [])];
      if (!ports.some((p) => portCovers(p, 22))) continue;
      const sources = [
        rule.source_address_prefix,
        ...(Array.isArray(rule.source_address_prefixes) ? rule.source_address_prefixes : []),
      ].filter((s): s is string => typeof s === 'string');
      if (sources.some(isAnywhere))
        findings.push({
          rule: this.id,
          address,
          message: `rule ${String(rule.name)} allows SSH from ${sources.join(', ')}; allow the admin CIDRs only`,
        });
    }
    return findings;
  },
};

const noVmPasswordAuth: PolicyRule = {
  id: 'no-vm-password-auth',
  description: 'Linux VMs disable password authentication, carry no admin password and have an SSH key; no Windows VMs.',
  prevents: 'the reference VM accepted password SSH with the PostgreSQL password',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const r of resources(app, 'azurerm_linux_virtual_machine')) {
      if (r.body.disable_password_authentication !== true)
        findings.push({ rule: this.id, address: r.address, message: 'disable_password_authentication must be true' });
      if (r.body.admin_password !== undefined)
        findings.push({ rule: this.id, address: r.address, message: 'admin_password must not be set' });
      if (blocks(r.body.admin_ssh_key).length === 0)
        findings.push({ rule: this.id, address: r.address, message: 'admin_ssh_key must be set' });
    }
    for (const r of [...resources(app, 'azurerm_windows_virtual_machine'), ...resources(app, 'azurerm_virtual_machine')]) {
      findings.push({
        rule: this.id,
        address: r.address,
        message: `${r.type} is not allowed; use azurerm_linux_virtual_machine with SSH keys`,
      });
    }
    return findings;
  },
};

const containerAppProbes: PolicyRule = {
  id: 'container-app-probes',
  description:
    'Every container app that listens (has ingress) has liveness and readiness probes on every container. Apps without ingress ' +
    'are exempt from this rule (the RQ workers carry their own /livez liveness probe, checked by the catalogue rule ' +
    'workerLivenessWired).',
  prevents: 'no health probes on any app (reference project)',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const r of resources(app, 'azurerm_container_app')) {
      if (!block(r.body.ingress)) continue;
      for (const c of containers(r)) {
        for (const slot of ['liveness_probe', 'readiness_probe']) {
          if (blocks(c[slot]).length === 0)
            findings.push({ rule: this.id, address: r.address, message: `container ${String(c.name)} has no ${slot}` });
        }
      }
    }
    return findings;
  },
};

const mountsResolve: PolicyRule = {
  id: 'mounts-resolve-to-shares',
  description:
    'Every volume mount names a volume of the app; every Azure Files volume names an environment storage that exists, and that ' +
    'storage points at a declared file share.',
  prevents: '#6 destroy ordering / ignore_changes on environment storages (dangling storage references)',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    const storages = resources(app, 'azurerm_container_app_environment_storage');
    for (const r of appsAndJobs(app)) {
      const template = block(r.body.template);
      const volumes = blocks(template?.volume);
      for (const c of containers(r)) {
        for (const m of blocks(c.volume_mounts)) {
          if (!volumes.some((v) => v.name === m.name))
            findings.push({
              rule: this.id,
              address: r.address,
              message: `mount ${String(m.path)} names volume ${String(m.name)}, which the app does not declare`,
            });
        }
      }
      for (const v of volumes) {
        if (v.storage_type !== 'AzureFile' && v.storage_type !== 'NfsAzureFile') continue;
        const target = followReference(app, r.stack, v.storage_name);
        const storage =
          target?.resource.type === 'azurerm_container_app_environment_storage'
            ? target.resource
            : storages.find((s) => literal(v.storage_name) !== undefined && s.body.name === v.storage_name);
        if (!storage) {
          findings.push({
            rule: this.id,
            address: r.address,
            message: `volume ${String(v.name)} names storage ${String(v.storage_name)}, which is not an environment storage of this app`,
          });
          continue;
        }
        const shareName = String(storage.body.share_name ?? '');
        const share = followReference(app, storage.stack, shareName);
        const nfsShare = /\/(\$\{[^}]+\}|[a-z0-9-]+)$/.exec(shareName);
        const resolved =
          share?.resource.type === 'azurerm_storage_share' ||
          resources(app, 'azurerm_storage_share').some(
            (s) =>
              s.body.name === shareName ||
              (nfsShare &&
                (s.body.name === nfsShare[1] || followReference(app, storage.stack, nfsShare[1])?.resource.address === s.address)),
          );
        if (!resolved)
          findings.push({
            rule: this.id,
            address: storage.address,
            message: `environment storage ${String(storage.body.name)} points at share ${shareName}, which is not declared`,
          });
      }
    }
    return findings;
  },
};

/** Images of stateful stores that must not keep their data on SMB. */
const DATABASE_IMAGE_NAMES = [
  'postgres',
  'postgresql',
  'mysql',
  'mariadb',
  'mongo',
  'redis',
  'kvrocks',
  'clickhouse-server',
  'clickhouse',
  'elasticsearch',
  'opensearch',
  'rabbitmq',
  'etcd',
  'cassandra',
  'influxdb',
  'minio',
];
export const DATABASE_IMAGE = new RegExp(`(^|\\/)(${DATABASE_IMAGE_NAMES.join('|')})(:|@|$)`);

const noDatabaseOnSmb: PolicyRule = {
  id: 'no-database-on-smb',
  description:
    'No database image (PostgreSQL, Redis, kvrocks, ClickHouse, ...) mounts a writable SMB Azure Files share: SMB lacks hard ' +
    'links, POSIX locks and rename-over-open semantics.',
  prevents: 'kvrocks/ClickHouse data on SMB (reference §7; ClickHouse#74572, RocksDB LOCK errors)',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const r of appsAndJobs(app)) {
      const images = containers(r).map((c) => String(c.image ?? ''));
      if (!images.some((i) => DATABASE_IMAGE.test(i))) continue;
      for (const v of blocks(block(r.body.template)?.volume)) {
        if (v.storage_type !== 'AzureFile') continue;
        const target = followReference(app, r.stack, v.storage_name)?.resource;
        const mode = target?.body.access_mode ?? 'ReadWrite';
        if (mode !== 'ReadOnly')
          findings.push({
            rule: this.id,
            address: r.address,
            message: `${images.join(', ')} mounts SMB volume ${String(v.name)} read-write; use EmptyDir, NFS or a managed service`,
          });
      }
    }
    return findings;
  },
};

/** Tags that move and therefore are not pins. */
export const MUTABLE_TAGS = ['latest', 'dev', 'develop', 'main', 'master', 'nightly', 'edge', 'stable', 'release'];

const pinnedImageTags: PolicyRule = {
  id: 'pinned-image-tags',
  description: `Every container image has an explicit tag or digest, and the tag is not one that moves (${MUTABLE_TAGS.join(', ')}).`,
  prevents: 'mutable cvat/server:dev and cvat/ui:dev images (reference §7)',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const r of appsAndJobs(app)) {
      for (const c of containers(r)) {
        const image = String(c.image ?? '');
        if (isExpression(image)) continue;
        const tag = imageTag(image);
        if (!tag) findings.push({ rule: this.id, address: r.address, message: `image '${image}' has no tag; pin one` });
        else if (MUTABLE_TAGS.includes(tag.toLowerCase()))
          findings.push({ rule: this.id, address: r.address, message: `image '${image}' uses the moving tag '${tag}'; pin a release` });
      }
    }
    return findings;
  },
};

interface NameLimit {
  readonly type: string;
  readonly attribute: string;
  readonly pattern: RegExp;
  readonly min: number;
  readonly max: number;
  readonly rule: string;
}

/** Azure name rules checked on literal names (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules). */
export const NAME_LIMITS: readonly NameLimit[] = [
  {
    type: 'azurerm_container_app',
    attribute: 'name',
    min: 2,
    max: 32,
    pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
    rule: 'lowercase letters, digits and -, starting with a letter',
  },
  {
    type: 'azurerm_container_app_job',
    attribute: 'name',
    min: 2,
    max: 32,
    pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
    rule: 'lowercase letters, digits and -, starting with a letter',
  },
  {
    type: 'azurerm_container_app_environment_storage',
    attribute: 'name',
    min: 1,
    max: 32,
    pattern: /^[a-z](?!.*--)[a-z0-9-]*$/,
    rule: 'lowercase letters, digits and -, starting with a letter',
  },
  {
    type: 'azurerm_container_app_environment',
    attribute: 'name',
    min: 2,
    max: 60,
    pattern: /^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$/,
    rule: 'letters, digits and -',
  },
  { type: 'azurerm_storage_account', attribute: 'name', min: 3, max: 24, pattern: /^[a-z0-9]+$/, rule: 'lowercase letters and digits' },
  {
    type: 'azurerm_storage_share',
    attribute: 'name',
    min: 3,
    max: 63,
    pattern: /^[a-z0-9](?!.*--)[a-z0-9-]*$/,
    rule: 'lowercase letters, digits and -',
  },
  {
    type: 'azurerm_key_vault',
    attribute: 'name',
    min: 3,
    max: 24,
    pattern: /^[A-Za-z](?!.*--)[A-Za-z0-9-]*[A-Za-z0-9]$/,
    rule: 'letters, digits and -, starting with a letter',
  },
  { type: 'azurerm_key_vault_secret', attribute: 'name', min: 1, max: 127, pattern: /^[A-Za-z0-9-]+$/, rule: 'letters, digits and -' },
  {
    type: 'azurerm_postgresql_flexible_server',
    attribute: 'name',
    min: 3,
    max: 63,
    pattern: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    rule: 'lowercase letters, digits and -',
  },
  {
    type: 'azurerm_resource_group',
    attribute: 'name',
    min: 1,
    max: 90,
    pattern: /^[-\w.()]*[-\w()]$/,
    rule: 'letters, digits, _ - . ( ), not ending with .',
  },
  {
    type: 'azurerm_virtual_network',
    attribute: 'name',
    min: 2,
    max: 64,
    pattern: /^[A-Za-z0-9][\w.-]*\w$/,
    rule: 'letters, digits, _ . -',
  },
  { type: 'azurerm_subnet', attribute: 'name', min: 1, max: 80, pattern: /^[A-Za-z0-9]([\w.-]*\w)?$/, rule: 'letters, digits, _ . -' },
  {
    type: 'azurerm_user_assigned_identity',
    attribute: 'name',
    min: 3,
    max: 128,
    pattern: /^[A-Za-z0-9][\w-]*$/,
    rule: 'letters, digits, _ and -',
  },
  {
    type: 'azurerm_log_analytics_workspace',
    attribute: 'name',
    min: 4,
    max: 63,
    pattern: /^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$/,
    rule: 'letters, digits and -',
  },
  {
    type: 'azurerm_public_ip',
    attribute: 'domain_name_label',
    min: 3,
    max: 63,
    pattern: /^[a-z][a-z0-9-]*[a-z0-9]$/,
    rule: 'lowercase letters, digits and -, starting with a letter',
  },
  {
    type: 'azurerm_linux_virtual_machine',
    attribute: 'name',
    min: 1,
    max: 64,
    pattern: /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/,
    rule: 'letters, digits and -',
  },
];

const azureNameLimits: PolicyRule = {
  id: 'azure-name-limits',
  description:
    'Every literal resource name fits its Azure length and character rules (container apps ≤32, storage accounts 3-24 [a-z0-9], ' +
    'Key Vault 3-24, PostgreSQL 3-63, ...).',
  prevents: 'apply-time name rejections that plan does not catch',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const limit of NAME_LIMITS) {
      for (const r of resources(app, limit.type)) {
        const name = literal(r.body[limit.attribute]);
        if (name === undefined) continue;
        if (name.length < limit.min || name.length > limit.max || !limit.pattern.test(name)) {
          findings.push({
            rule: this.id,
            address: r.address,
            message: `${limit.attribute} '${name}' must be ${limit.min}-${limit.max} characters of ${limit.rule}`,
          });
        }
      }
    }
    return findings;
  },
};

const globalNamesFromConfig: PolicyRule = {
  id: 'global-names-from-config',
  description:
    'Globally unique names (storage accounts, Key Vault, PostgreSQL server, public IP DNS label) are literals derived from the ' +
    'configuration (equal to resourceNames(config) when given), never random or hard-coded elsewhere, and unique within the ' +
    'deployment.',
  prevents: 'hard-coded cvat-db-1 and the generic `traefik` DNS label (reference §7)',
  check({ app, expectedNames }) {
    const findings: PolicyFinding[] = [];
    const globals: [string, string, readonly string[] | undefined][] = [
      ['azurerm_storage_account', 'name', expectedNames?.storageAccounts],
      ['azurerm_key_vault', 'name', expectedNames?.keyVault !== undefined ? [expectedNames.keyVault] : undefined],
      [
        'azurerm_postgresql_flexible_server',
        'name',
        expectedNames?.postgresServer !== undefined ? [expectedNames.postgresServer] : undefined,
      ],
      ['azurerm_public_ip', 'domain_name_label', expectedNames?.dnsLabel !== undefined ? [expectedNames.dnsLabel] : undefined],
    ];
    for (const [type, attribute, expected] of globals) {
      const seen = new Set<string>();
      for (const r of resources(app, type)) {
        const value = r.body[attribute];
        if (value === undefined && type === 'azurerm_public_ip') continue;
        const name = literal(value);
        if (name === undefined) {
          findings.push({
            rule: this.id,
            address: r.address,
            message: `${attribute} is computed (${String(value)}); global names must be derived from the configuration, deterministically`,
          });
          continue;
        }
        if (seen.has(name)) findings.push({ rule: this.id, address: r.address, message: `${attribute} '${name}' is used twice` });
        seen.add(name);
        if (expected && !expected.includes(name))
          findings.push({
            rule: this.id,
            address: r.address,
            message: `${attribute} '${name}' is not the name the configuration derives (${expected.join(' or ')})`,
          });
      }
    }
    return findings;
  },
};

const noRuntimeIpLookup: PolicyRule = {
  id: 'no-runtime-ip-lookup',
  description: 'No data source fetches anything from the internet at plan time (http, external, dns): allow-lists come from configuration.',
  prevents: '#7 the deployer IP read from api.ipify.org at plan time (non-reproducible plans, lock-outs)',
  check({ app }) {
    return dataSources(app)
      .filter((d) => ['http', 'external', 'dns_a_record_set'].includes(d.type))
      .map((d) => ({
        rule: this.id,
        address: d.address,
        message: `data source ${d.type} makes the plan depend on the machine that runs it; put the value in the environment configuration`,
      }));
  },
};

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

const noHardcodedPrivateIp: PolicyRule = {
  id: 'no-hardcoded-private-ip',
  description:
    'No static private IP: NICs allocate dynamically and no env value or probe host is an IPv4 literal (services are found by name).',
  prevents: '#9 PostgreSQL at 10.28.16.8 and the Traefik NIC at 10.28.10.9, typed into env vars and configs',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const r of resources(app, 'azurerm_network_interface')) {
      for (const ip of blocks(r.body.ip_configuration)) {
        if (ip.private_ip_address_allocation !== 'Dynamic' || ip.private_ip_address !== undefined) {
          findings.push({
            rule: this.id,
            address: r.address,
            message: `ip_configuration ${String(ip.name)} has a static private address; use Dynamic`,
          });
        }
      }
    }
    for (const r of appsAndJobs(app)) {
      for (const c of containers(r)) {
        for (const e of blocks(c.env)) {
          if (typeof e.value === 'string' && IPV4.test(e.value.trim()))
            findings.push({ rule: this.id, address: r.address, message: `env ${String(e.name)} is the IP ${e.value}; use the host name` });
        }
      }
    }
    return findings;
  },
};

const noIgnoreChangesOnEnvironment: PolicyRule = {
  id: 'environment-without-drift-workarounds',
  description:
    'The environment declares the Consumption workload profile, apps and jobs name their workload profile, and neither the ' +
    'environment, its storages nor the apps hide drift with lifecycle.ignore_changes.',
  prevents: '#1 known-after-apply drift and forced replacement of the environment and its storages',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const r of resources(app, 'azurerm_container_app_environment')) {
      const profiles = blocks(r.body.workload_profile);
      if (!profiles.some((p) => p.name === 'Consumption' && p.workload_profile_type === 'Consumption')) {
        findings.push({
          rule: this.id,
          address: r.address,
          message: 'workload_profile must declare { name = "Consumption", workload_profile_type = "Consumption" }',
        });
      }
    }
    for (const type of ['azurerm_container_app_environment', 'azurerm_container_app_environment_storage', ...CONTAINER_TYPES]) {
      for (const r of resources(app, type)) {
        const ignored = block(r.body.lifecycle)?.ignore_changes;
        if (ignored !== undefined && !(Array.isArray(ignored) && ignored.length === 0)) {
          findings.push({
            rule: this.id,
            address: r.address,
            message: `lifecycle.ignore_changes (${JSON.stringify(ignored)}) hides real replacements; declare the value instead`,
          });
        }
        if (CONTAINER_TYPES.includes(type) && !r.body.workload_profile_name) {
          findings.push({
            rule: this.id,
            address: r.address,
            message: 'workload_profile_name must be set (Azure fills it in, which otherwise shows as drift)',
          });
        }
      }
    }
    return findings;
  },
};

const rolePrincipalIsReference: PolicyRule = {
  id: 'role-principal-is-reference',
  description:
    'Every role assignment grants a principal that Terraform knows (a reference to an identity or the deploying client), never a literal id.',
  prevents: '#16 azure_portal_object_id defaulting to the string "null"',
  check({ app }) {
    return resources(app, 'azurerm_role_assignment')
      .filter((r) => !isExpression(r.body.principal_id))
      .map((r) => ({
        rule: this.id,
        address: r.address,
        message: `principal_id is the literal '${String(r.body.principal_id)}'; reference an identity or data.azurerm_client_config`,
      }));
  },
};

/** Patterns of boot-time downloads and remote execution in VM setup. */
export const REMOTE_SCRIPT = /(curl\s|wget\s|raw\.githubusercontent\.com|get\.docker\.com|\|\s*(ba)?sh\b|Invoke-WebRequest)/;

const edgeNoRemoteScripts: PolicyRule = {
  id: 'edge-no-remote-scripts',
  description:
    'VMs are configured by cloud-init from this repository: custom_data downloads no script, and no run command, script extension or blob serves setup code.',
  prevents: '#11 manager.py downloaded from GitHub main at boot (and served from an anonymous blob)',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const r of resources(app, 'azurerm_linux_virtual_machine')) {
      const raw = String(r.body.custom_data ?? '');
      // custom_data is base64 text, or base64encode(local.<x>) whose document sits in the stack's locals.
      const locals = (app.stacks.find((s) => s.name === r.stack)?.json.locals ?? {}) as Record<string, unknown>;
      const local = /local\.([A-Za-z0-9_-]+)/.exec(raw);
      const data = local ? String(locals[local[1]] ?? '') : raw;
      const decoded = /^[A-Za-z0-9+/=]+$/.test(data) ? Buffer.from(data, 'base64').toString('utf8') : data;
      if (REMOTE_SCRIPT.test(decoded))
        findings.push({
          rule: this.id,
          address: r.address,
          message: `custom_data downloads or pipes a script (${REMOTE_SCRIPT.exec(decoded)?.[0]}); ship the setup in packages/infra/cloud-init`,
        });
    }
    for (const type of ['azurerm_virtual_machine_run_command', 'azurerm_virtual_machine_extension', 'azurerm_storage_blob']) {
      for (const r of resources(app, type))
        findings.push({
          rule: this.id,
          address: r.address,
          message: `${type} is not how the edge is configured; use cloud-init from this repository`,
        });
    }
    return findings;
  },
};

const stacksOrdered: PolicyRule = {
  id: 'stacks-ordered',
  description:
    'manifest.json orders the stacks foundation → apps → edge, so the identity and its Key Vault role exist (and have ' +
    'propagated) before any app, and apps are destroyed before the environment.',
  prevents: '#5 RBAC propagation on first apply (two-phase bootstrap_mode) and #6 destroy ordering',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    const deps = new Map(app.stacks.map((s) => [s.name, s.dependencies]));
    const expect = (stack: string, dependency: string) => {
      if (!deps.has(stack)) return;
      if (!deps.get(stack)?.includes(dependency))
        findings.push({ rule: this.id, address: stack, message: `stack ${stack} must depend on ${dependency}` });
    };
    if (!deps.has('foundation') || !deps.has('apps'))
      findings.push({ rule: this.id, address: 'manifest', message: 'stacks foundation and apps must both be synthesized' });
    expect('apps', 'foundation');
    expect('edge', 'apps');
    if ((deps.get('foundation') ?? []).length > 0)
      findings.push({ rule: this.id, address: 'foundation', message: 'foundation must not depend on another stack' });
    return findings;
  },
};

const PROVIDER_SRC = 'hashicorp/terraform-provider-azurerm@v4.55.0';

const shareFileParentsExist: PolicyRule = {
  id: 'share-file-parents-exist',
  description:
    'Every share file in a directory has that directory, and each of its ancestors, declared as an ' +
    'azurerm_storage_share_directory on the same share, created before it (depends_on).',
  prevents:
    `apply-time 404 ParentNotFound: azurerm writes a share file with one PUT into an existing directory (${PROVIDER_SRC} ` +
    `storage_share_file_resource.go)`,
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const stack of app.stacks) {
      const dirs = resources(app, 'azurerm_storage_share_directory').filter((d) => d.stack === stack.name);
      const dirRef = (share: unknown, path: string) => dirs.find((d) => d.body.name === path && d.body.storage_share_url === share);
      const needs = (r: ResourceRef, share: unknown, path: string, what: string) => {
        const parent = dirRef(share, path);
        if (!parent) {
          findings.push({
            rule: this.id,
            address: r.address,
            message: `${what} '${path}' is not declared on ${String(share)}; add an azurerm_storage_share_directory for it`,
          });
          return;
        }
        const deps = Array.isArray(r.body.depends_on) ? (r.body.depends_on as unknown[]) : [];
        if (!deps.includes(`${parent.type}.${parent.name}`)) {
          findings.push({
            rule: this.id,
            address: r.address,
            message: `${what} '${path}' (${parent.type}.${parent.name}) must be in depends_on, or the file may be written first`,
          });
        }
      };
      for (const f of resources(app, 'azurerm_storage_share_file').filter((r) => r.stack === stack.name)) {
        const path = typeof f.body.path === 'string' ? f.body.path : '';
        if (path !== '') needs(f, f.body.storage_share_url, path, 'directory');
      }
      for (const d of dirs) {
        const name = String(d.body.name ?? '');
        const cut = name.lastIndexOf('/');
        if (cut > 0) needs(d, d.body.storage_share_url, name.slice(0, cut), 'parent directory');
      }
    }
    return findings;
  },
};

const storageAccountOffDataPlane: PolicyRule = {
  id: 'storage-account-off-data-plane',
  description:
    'Stacks with a storage account set the provider feature storage.data_plane_available = false and no account sets ' +
    'queue_properties or static_website, so creating and refreshing the account stays on ARM (the firewall denies the data plane ' +
    'from outside adminCidrs).',
  prevents:
    `403 on create and on every plan refresh of a deny-by-default storage account from the deploying machine (${PROVIDER_SRC} ` +
    `storage_account_resource.go)`,
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const stack of app.stacks) {
      const accounts = resources(app, 'azurerm_storage_account').filter((r) => r.stack === stack.name);
      if (accounts.length === 0) continue;
      const providers = blocks((stack.json.provider as Record<string, unknown> | undefined)?.azurerm);
      for (const [i, p] of providers.entries()) {
        const storage = block(block(p.features)?.storage);
        if (storage?.data_plane_available !== false) {
          findings.push({
            rule: this.id,
            address: `${stack.name}:provider.azurerm[${i}]`,
            message: `features.storage.data_plane_available is ${String(storage?.data_plane_available ?? 'true (default)')}; must be false`,
          });
        }
      }
      for (const r of accounts) {
        for (const arg of ['queue_properties', 'static_website']) {
          if (r.body[arg] !== undefined)
            findings.push({ rule: this.id, address: r.address, message: `${arg} needs the storage data plane; leave it unset` });
        }
      }
    }
    return findings;
  },
};

const deployerReachesDataPlanes: PolicyRule = {
  id: 'deployer-reaches-data-planes',
  description:
    'A deny-by-default storage account that Terraform writes share files into, and a deny-by-default Key Vault that Terraform ' +
    'writes secrets into, allow at least one public address (adminCidrs): those writes are data-plane calls from the deploying ' +
    'machine.',
  prevents: '403 on the first apply from outside the firewall: share files and Key Vault secrets are written through the data plane',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    const targets = (type: string, attribute: string): Set<string> => {
      const out = new Set<string>();
      for (const r of resources(app, type)) {
        const ref = followReference(app, r.stack, r.body[attribute]);
        if (ref) out.add(ref.resource.address);
      }
      return out;
    };
    // A share file or directory names its share; the share names its account.
    const sharesWritten = new Set([
      ...targets('azurerm_storage_share_file', 'storage_share_url'),
      ...targets('azurerm_storage_share_directory', 'storage_share_url'),
    ]);
    const accountsWritten = new Set<string>();
    for (const r of resources(app, 'azurerm_storage_share')) {
      if (!sharesWritten.has(r.address)) continue;
      const ref = followReference(app, r.stack, r.body.storage_account_id);
      if (ref) accountsWritten.add(ref.resource.address);
    }
    for (const r of resources(app, 'azurerm_storage_account')) {
      const rules = block(r.body.network_rules);
      if (!accountsWritten.has(r.address) || rules?.default_action !== 'Deny') continue;
      if (!Array.isArray(rules.ip_rules) || rules.ip_rules.length === 0) {
        findings.push({
          rule: this.id,
          address: r.address,
          message:
            "Terraform writes share files here but network_rules.ip_rules is empty; put the deploying machine's public address in adminCidrs",
        });
      }
    }
    const vaultsWritten = targets('azurerm_key_vault_secret', 'key_vault_id');
    for (const r of resources(app, 'azurerm_key_vault')) {
      const acls = block(r.body.network_acls);
      if (!vaultsWritten.has(r.address) || acls?.default_action !== 'Deny') continue;
      if (!Array.isArray(acls.ip_rules) || acls.ip_rules.length === 0) {
        findings.push({
          rule: this.id,
          address: r.address,
          message:
            "Terraform writes secrets here but network_acls.ip_rules is empty; put the deploying machine's public address in adminCidrs",
        });
      }
    }
    return findings;
  },
};

/** The Terraform version write-only arguments need (https://developer.hashicorp.com/terraform/language/resources/ephemeral/write-only). */
const WRITE_ONLY_TERRAFORM = /^>=\s*1\.(1[1-9]|[2-9]\d)(\.\d+)?$/;

const generatedSecretsNotInState: PolicyRule = {
  id: 'generated-secrets-not-in-state',
  description:
    'No generated secret reaches plan or state: no managed random_password/random_string, Key Vault secrets and the PostgreSQL ' +
    'administrator password are written through write-only arguments (value_wo, administrator_password_wo) from an ephemeral ' +
    'value, and every stack that does so requires Terraform >= 1.11.',
  prevents: 'issue 14: Terraform state held every generated password and Key Vault secret value',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const type of ['random_password', 'random_string']) {
      for (const r of resources(app, type))
        findings.push({
          rule: this.id,
          address: r.address,
          message: `${type} keeps its result in state; use an ephemeral random_password fed into a write-only argument`,
        });
    }
    const usesWriteOnly = new Set<string>();
    const needEphemeral = (r: ResourceRef, arg: string) => {
      const value = r.body[arg];
      if (typeof value === 'string' && /^\$\{ephemeral\.[a-z_]+\.[A-Za-z0-9_-]+\.result\}$/.test(value)) {
        usesWriteOnly.add(r.stack);
        return;
      }
      findings.push({
        rule: this.id,
        address: r.address,
        message: `${arg} (${String(value ?? 'unset')}) must be an ephemeral value (\${ephemeral.random_password.<x>.result})`,
      });
    };
    for (const r of resources(app, 'azurerm_key_vault_secret')) {
      if (r.body.value !== undefined)
        findings.push({ rule: this.id, address: r.address, message: 'value is stored in state; write the secret through value_wo' });
      else needEphemeral(r, 'value_wo');
    }
    for (const r of resources(app, 'azurerm_postgresql_flexible_server')) {
      if (r.body.administrator_password !== undefined)
        findings.push({
          rule: this.id,
          address: r.address,
          message: 'administrator_password is stored in state; use administrator_password_wo',
        });
      else if (r.body.administrator_password_wo !== undefined || r.body.administrator_login !== undefined)
        needEphemeral(r, 'administrator_password_wo');
    }
    for (const stack of app.stacks) {
      if (!usesWriteOnly.has(stack.name)) continue;
      const required = (stack.json.terraform as { required_version?: unknown } | undefined)?.required_version;
      if (typeof required !== 'string' || !WRITE_ONLY_TERRAFORM.test(required.trim()))
        findings.push({
          rule: this.id,
          address: stack.name,
          message: `terraform.required_version is ${String(required ?? 'unset')}; write-only arguments need '>= 1.11.0'`,
        });
    }
    return findings;
  },
};

/**
 * Identities scoped to need (issue 14 item 3): the apps stack takes each app's identity from `FoundationStack.identityFor`
 * (apps without secrets get none), and each identity is granted only the secrets its app reads.
 */
export const secretReadersScoped: PolicyRule = {
  id: 'secret-readers-scoped',
  description:
    'Key Vault Secrets User is granted per secret (scope .../secrets/<name>), never on a whole vault, and a container app or job ' +
    'carries a user-assigned identity only when it references a Key Vault secret, with that same identity.',
  prevents: 'issue 14: one identity with Secrets User on the whole vault was attached to every app, cvat-ui and opa included',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const r of resources(app, 'azurerm_role_assignment')) {
      if (r.body.role_definition_name !== 'Key Vault Secrets User') continue;
      const scope = String(r.body.scope ?? '');
      const target = followReference(app, r.stack, scope);
      const secretScope = target
        ? target.resource.type === 'azurerm_key_vault_secret' && target.attribute === 'resource_versionless_id'
        : /\/secrets\/[A-Za-z0-9-]+$/.test(scope);
      if (!secretScope)
        findings.push({
          rule: this.id,
          address: r.address,
          message: `Key Vault Secrets User on ${scope}: grant it on each secret the identity reads (resource_versionless_id)`,
        });
    }
    for (const r of appsAndJobs(app)) {
      const secrets = blocks(r.body.secret).filter((x) => x.key_vault_secret_id !== undefined);
      const ids = blocks(r.body.identity).flatMap((i) => (Array.isArray(i.identity_ids) ? (i.identity_ids as unknown[]) : []));
      if (secrets.length === 0 && ids.length > 0)
        findings.push({ rule: this.id, address: r.address, message: 'has an identity but reads no Key Vault secret; remove the identity' });
      for (const x of secrets) {
        if (!ids.includes(x.identity))
          findings.push({
            rule: this.id,
            address: r.address,
            message: `secret ${String(x.name)} is read with ${String(x.identity)}, which is not the app's own identity`,
          });
      }
    }
    return findings;
  },
};

const vnetSegmented: PolicyRule = {
  id: 'vnet-segmented',
  description:
    'NSGs segment the VNet: the PostgreSQL subnet admits 5432 from the apps subnet (and itself and the load balancer) and denies ' +
    'the rest of the VNet; with an edge subnet, the apps subnet admits only the edge subnet, itself and the load balancer.',
  prevents: 'issue 14: cvat-server :8080 and cvat-ui :8000 reachable from the whole VNet; apps and database NSGs without rules',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    const subnets = resources(app, 'azurerm_subnet');
    const delegatedTo = (r: ResourceRef) => blocks(r.body.delegation).map((d) => String(block(d.service_delegation)?.name ?? ''));
    const prefix = (r: ResourceRef | undefined) => (Array.isArray(r?.body.address_prefixes) ? String(r.body.address_prefixes[0]) : '');
    const apps = subnets.find((r) => delegatedTo(r).includes('Microsoft.App/environments'));
    const database = subnets.find((r) => delegatedTo(r).includes('Microsoft.DBforPostgreSQL/flexibleServers'));
    const edge = subnets.find((r) => r !== apps && r !== database && delegatedTo(r).length === 0);
    const nsgOf = (subnet: ResourceRef): ResourceRef | undefined => {
      for (const a of resources(app, 'azurerm_subnet_network_security_group_association')) {
        if (followReference(app, a.stack, a.body.subnet_id)?.resource.address !== subnet.address) continue;
        return followReference(app, a.stack, a.body.network_security_group_id)?.resource;
      }
      return undefined;
    };
    const inbound = (nsg: ResourceRef) =>
      [
        ...blocks(nsg.body.security_rule),
        ...resources(app, 'azurerm_network_security_rule')
          .filter((r) => followReference(app, r.stack, r.body.network_security_group_name)?.resource.address === nsg.address)
          .map((r) => r.body),
      ].filter((r) => String(r.direction).toLowerCase() === 'inbound');
    const check = (subnet: ResourceRef | undefined, what: string, allowed: Record<string, string | undefined>) => {
      if (!subnet) return;
      const nsg = nsgOf(subnet);
      if (!nsg) {
        findings.push({ rule: this.id, address: subnet.address, message: `the ${what} subnet has no network security group` });
        return;
      }
      const rules = inbound(nsg);
      const deny = rules
        .filter((r) => String(r.access) === 'Deny' && ['VirtualNetwork', '*'].includes(String(r.source_address_prefix)))
        .map((r) => Number(r.priority))
        .sort((a, b) => a - b)[0];
      if (deny === undefined) {
        findings.push({ rule: this.id, address: nsg.address, message: `no inbound Deny from VirtualNetwork on the ${what} subnet` });
        return;
      }
      for (const r of rules) {
        if (String(r.access) !== 'Allow' || Number(r.priority) > deny) continue;
        const source = String(r.source_address_prefix ?? (r.source_address_prefixes as unknown[] | undefined)?.join(',') ?? '');
        if (!(source in allowed)) {
          findings.push({
            rule: this.id,
            address: nsg.address,
            message: `rule ${String(r.name)} admits ${source} into the ${what} subnet; only ${Object.keys(allowed).join(', ')} may`,
          });
          continue;
        }
        const port = allowed[source];
        if (port !== undefined && String(r.destination_port_range) !== port)
          findings.push({
            rule: this.id,
            address: nsg.address,
            message: `rule ${String(r.name)} admits ${source} on ${String(r.destination_port_range)}; only port ${port}`,
          });
      }
    };
    check(database, 'database', { [prefix(apps)]: '5432', [prefix(database)]: undefined, AzureLoadBalancer: undefined });
    if (edge) check(apps, 'apps', { [prefix(edge)]: undefined, [prefix(apps)]: undefined, AzureLoadBalancer: undefined });
    return findings;
  },
};

const auditLogs: PolicyRule = {
  id: 'audit-logs',
  description:
    'Every Key Vault, PostgreSQL server and storage account (its file service) has a diagnostic setting that sends logs to a ' +
    'Log Analytics workspace, and PostgreSQL logs connections and disconnections.',
  prevents: 'issue 14: no diagnostic settings for Key Vault, PostgreSQL or storage; PostgreSQL connection logging off',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    const settings = resources(app, 'azurerm_monitor_diagnostic_setting').filter(
      (d) => d.body.log_analytics_workspace_id !== undefined && blocks(d.body.enabled_log).length > 0,
    );
    const covered = new Set<string>();
    for (const d of settings) {
      const target = String(d.body.target_resource_id ?? '');
      const ref = followReference(app, d.stack, target.replace(/\/(fileServices|blobServices)\/default$/, ''));
      if (ref) covered.add(ref.resource.address);
    }
    for (const type of ['azurerm_key_vault', 'azurerm_postgresql_flexible_server', 'azurerm_storage_account']) {
      for (const r of resources(app, type)) {
        if (!covered.has(r.address))
          findings.push({
            rule: this.id,
            address: r.address,
            message: 'no diagnostic setting sends its audit log to Log Analytics; add an azurerm_monitor_diagnostic_setting',
          });
        if (type !== 'azurerm_postgresql_flexible_server') continue;
        for (const parameter of ['log_connections', 'log_disconnections']) {
          const config = resources(app, 'azurerm_postgresql_flexible_server_configuration').find(
            (c) => c.body.name === parameter && followReference(app, c.stack, c.body.server_id)?.resource.address === r.address,
          );
          if (String(config?.body.value ?? '').toLowerCase() !== 'on')
            findings.push({ rule: this.id, address: r.address, message: `${parameter} is not on; configure it to on` });
        }
      }
    }
    return findings;
  },
};

const storageDataProtection: PolicyRule = {
  id: 'storage-data-protection',
  description:
    'StorageV2 accounts keep deleted blobs and containers (blob_properties delete retention) and limit account SAS lifetimes ' +
    '(sas_policy); every account keeps deleted file shares (share_properties retention).',
  prevents: 'issue 14: no storage SAS expiration policy, no blob soft delete',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const r of resources(app, 'azurerm_storage_account')) {
      const add = (message: string) => findings.push({ rule: this.id, address: r.address, message });
      if (!block(block(r.body.share_properties)?.retention_policy))
        add('share_properties.retention_policy is not set; keep deleted shares');
      if (r.body.account_kind === 'FileStorage') continue;
      const blob = block(r.body.blob_properties);
      if (!block(blob?.delete_retention_policy)) add('blob_properties.delete_retention_policy is not set; keep deleted blobs');
      if (!block(blob?.container_delete_retention_policy))
        add('blob_properties.container_delete_retention_policy is not set; keep deleted containers');
      if (!block(r.body.sas_policy)) add('sas_policy is not set; bound the lifetime of account SAS tokens');
    }
    return findings;
  },
};

const edgeHardened: PolicyRule = {
  id: 'edge-hardened',
  description:
    'Linux VMs boot a pinned image version with Trusted Launch (Secure Boot, vTPM) and boot diagnostics, and their cloud-init ' +
    'sends HSTS on every response and turns on unattended upgrades with reboots.',
  prevents: 'issue 14: edge image latest, no unattended upgrades, no boot diagnostics, no Trusted Launch, no HSTS',
  check({ app }) {
    const findings: PolicyFinding[] = [];
    for (const r of resources(app, 'azurerm_linux_virtual_machine')) {
      const add = (message: string) => findings.push({ rule: this.id, address: r.address, message });
      const version = String(block(r.body.source_image_reference)?.version ?? '');
      if (version === '' || version.toLowerCase() === 'latest')
        add(`source_image_reference.version is '${version || 'unset'}'; pin a version`);
      if (r.body.secure_boot_enabled !== true || r.body.vtpm_enabled !== true) add('secure_boot_enabled and vtpm_enabled must be true');
      if (r.body.boot_diagnostics === undefined) add('boot_diagnostics must be set (managed storage)');
      const raw = String(r.body.custom_data ?? '');
      const locals = (app.stacks.find((s) => s.name === r.stack)?.json.locals ?? {}) as Record<string, unknown>;
      const local = /local\.([A-Za-z0-9_-]+)/.exec(raw);
      const data = local ? String(locals[local[1]] ?? '') : raw;
      const text = /^[A-Za-z0-9+/=]+$/.test(data) ? Buffer.from(data, 'base64').toString('utf8') : data;
      if (!/stsSeconds: [1-9]\d{4,}/.test(text)) add('cloud-init sends no HSTS header (Traefik headers middleware stsSeconds)');
      if (!/Unattended-Upgrade::Automatic-Reboot "true"/.test(text)) add('cloud-init does not enable unattended upgrades with reboots');
    }
    return findings;
  },
};

/** Every policy rule, in report order. */
export const POLICY_RULES: readonly PolicyRule[] = [
  noPlaintextSecrets,
  storageHardening,
  postgresPrivate,
  keyVaultPrivate,
  noSshFromAnywhere,
  noVmPasswordAuth,
  containerAppProbes,
  mountsResolve,
  noDatabaseOnSmb,
  pinnedImageTags,
  azureNameLimits,
  globalNamesFromConfig,
  noRuntimeIpLookup,
  noHardcodedPrivateIp,
  noIgnoreChangesOnEnvironment,
  rolePrincipalIsReference,
  edgeNoRemoteScripts,
  stacksOrdered,
  shareFileParentsExist,
  storageAccountOffDataPlane,
  deployerReachesDataPlanes,
  generatedSecretsNotInState,
  vnetSegmented,
  auditLogs,
  storageDataProtection,
  edgeHardened,
  secretReadersScoped,
];

/** The resource a finding is about, for callers that want more than the address. */
export type { ResourceRef };

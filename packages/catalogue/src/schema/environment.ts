import * as v from 'valibot';
import { CVAT_VERSION } from '../data/cvat-version';
import { parseCidr } from '../rules/cidr';
import { WorkloadProfileSchema } from './catalogue';
import { maybe, nonEmpty, opt, req } from './fields';

const cidr = v.pipe(
  v.string(),
  v.check((s) => parseCidr(s) !== undefined, 'must be an IPv4 CIDR with no host bits set, e.g. 10.28.0.0/16'),
);

/**
 * Per-component overrides of an environment. Every field is optional; what is set replaces the
 * catalogue default, and the result goes through the same named rules as the catalogue.
 */
export const ComponentOverrideSchema = v.strictObject({
  enabled: maybe(v.boolean(), 'Enable or disable an optional component (non-optional ones cannot be disabled).'),
  image: maybe(
    v.strictObject({
      repository: maybe(nonEmpty, 'Image repository (e.g. a mirror in your registry).'),
      tag: maybe(nonEmpty, 'Pinned image tag. CVAT images follow `cvatVersion` instead.'),
    }),
    'Image override.',
  ),
  resources: maybe(
    v.strictObject({
      cpuCores: maybe(v.number(), 'vCPU per replica (Consumption: 0.25-4 in 0.25 steps).'),
      memoryGiB: maybe(v.number(), 'GiB per replica (Consumption: 2 × cpuCores).'),
    }),
    'CPU and memory override.',
  ),
  replicas: maybe(
    v.strictObject({
      min: maybe(v.number(), 'Minimum replicas (0-300).'),
      max: maybe(v.number(), 'Maximum replicas (1-300).'),
    }),
    'Replica bounds override.',
  ),
  workloadProfile: maybe(WorkloadProfileSchema, 'Workload profile (`Consumption` or a dedicated type such as `D4`).'),
  env: maybe(
    v.record(v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')), v.string()),
    'Plain environment values to set or replace (secrets and edge-derived values cannot be replaced by plain values).',
  ),
});
/** See {@link ComponentOverrideSchema}. */
export type ComponentOverride = v.InferOutput<typeof ComponentOverrideSchema>;

/** Per-storage overrides, e.g. moving the kvrocks cache or ClickHouse data to NFS. */
export const StorageOverrideSchema = v.strictObject({
  kind: maybe(v.picklist(['smb', 'nfs', 'ephemeral']), 'Storage kind (stores may not use smb).'),
  quotaGiB: maybe(v.pipe(v.number(), v.gtValue(0, 'must be greater than 0')), 'Share quota (or ephemeral size) in GiB.'),
});
/** See {@link StorageOverrideSchema}. */
export type StorageOverride = v.InferOutput<typeof StorageOverrideSchema>;

const LocalBackendSchema = v.strictObject({
  type: req(v.literal('local'), 'Terraform state in local files (default; fine for one operator).'),
  path: opt(
    nonEmpty,
    'Root directory of the local state files, relative to packages/infra; each environment keeps its stacks in <path>/<env>/.',
    'state',
  ),
  allowPathOutsideRepository: opt(
    v.boolean(),
    'Allow `path` to leave the repository (an absolute path or one climbing out with `..`); without it such a path is refused.',
    false,
  ),
});
const AzurermBackendSchema = v.strictObject({
  type: req(v.literal('azurerm'), 'Terraform state in an Azure Storage blob container.'),
  resourceGroup: req(nonEmpty, 'Resource group of the state storage account.'),
  storageAccount: req(
    v.pipe(v.string(), v.regex(/^[a-z0-9]{3,24}$/, 'must be 3-24 lowercase letters and digits')),
    'State storage account.',
  ),
  container: req(
    v.pipe(v.string(), v.regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'must be 3-63 lowercase letters, digits and "-"')),
    'Blob container.',
  ),
  key: req(nonEmpty, 'Blob name prefix of the state files, e.g. `cvat-dev`.'),
});

/**
 * One environment: everything that differs between deployments of the same catalogue. Read from
 * `environments/<name>.yaml` at the repository root; `environments/example.yaml` is the
 * committed default.
 *
 * @see docs/configuration.md for every field
 */
export const EnvironmentConfigSchema = v.strictObject({
  $schema: maybe(v.string(), 'JSON Schema reference for editors (ignored).'),
  name: req(
    v.pipe(
      v.string(),
      v.regex(
        /^[a-z](?!.*--)[a-z0-9-]{0,14}[a-z0-9]$/,
        'must be 2-16 lowercase letters, digits and "-", start with a letter, end alphanumeric, no "--"',
      ),
    ),
    'Environment name, e.g. `dev`; part of every resource name. Must match the file name when loaded by name.',
  ),
  namePrefix: opt(
    v.pipe(v.string(), v.regex(/^[a-z][a-z0-9]{1,9}$/, 'must be 2-10 lowercase letters and digits, starting with a letter')),
    'Prefix of every resource name (`<namePrefix>-<name>-…`).',
    'cvat',
  ),
  location: opt(
    v.pipe(v.string(), v.regex(/^[a-z][a-z0-9]+$/, 'must be an Azure region name such as westeurope')),
    'Azure region.',
    'westeurope',
  ),
  subscriptionId: maybe(
    v.pipe(v.string(), v.uuid('must be a subscription id (GUID)')),
    'Azure subscription; otherwise ARM_SUBSCRIPTION_ID at deploy time. Never needed for synth and never part of a name.',
  ),
  naming: opt(
    v.strictObject({
      seed: opt(
        v.string(),
        'Extra input of the name hash; change it to get new globally-unique names (e.g. while a purge-protected Key Vault name is still reserved).',
        '',
      ),
    }),
    'How globally-unique names are derived (see `resourceNames`).',
    {},
  ),
  tags: opt(v.record(v.string(), v.string()), 'Tags added to every resource.', {}),
  network: opt(
    v.strictObject({
      addressSpace: opt(cidr, 'VNet address space.', '10.28.0.0/16'),
      subnets: opt(
        v.strictObject({
          apps: opt(cidr, 'Container Apps environment subnet (delegated to Microsoft.App/environments; /27 or larger).', '10.28.0.0/23'),
          privateEndpoints: opt(cidr, 'Private endpoints (PostgreSQL).', '10.28.2.0/24'),
          edge: opt(cidr, 'Edge VM subnet.', '10.28.3.0/24'),
        }),
        'Subnets; all inside `addressSpace`, none overlapping.',
        {},
      ),
    }),
    'Virtual network layout.',
    {},
  ),
  adminCidrs: opt(
    v.array(
      v.pipe(
        v.string(),
        v.check((s) => parseCidr(s, { allowHostBits: false }) !== undefined, 'must be an IPv4 CIDR such as 203.0.113.7/32'),
      ),
    ),
    'Operator networks allowed to reach storage, Key Vault and the edge SSH port (never looked up at plan time).',
    [],
  ),
  cvatVersion: opt(
    v.pipe(v.string(), v.regex(/^v\d+\.\d+\.\d+$/, 'must be a CVAT release tag like v2.73.0')),
    'CVAT release for every CVAT image.',
    CVAT_VERSION,
  ),
  analytics: opt(v.boolean(), 'Deploy the analytics stack (ClickHouse + vector) and set CVAT_ANALYTICS=1.', true),
  grafana: opt(v.boolean(), 'Deploy Grafana at /analytics (requires analytics; needs internet egress for its plugin).', false),
  smokescreenOpts: opt(
    v.string(),
    'SMOKESCREEN_OPTS of the server and workers, e.g. `--allow-range=10.28.0.0/16` to let webhooks reach private addresses.',
    '',
  ),
  queueRunners: opt(
    v.record(v.string(), v.string()),
    'Which runner serves each CVAT queue, keyed by queue name: an event-driven job (`cvat-job-<queue>`, for import, export, ' +
      'annotation, quality_reports, consensus) or an always-on worker app (`cvat-worker-<x>`; several queues may share one, ' +
      'chunks always in an RQ worker process of its own). Queues not named keep the default (DEFAULT_QUEUE_RUNNERS: the five ' +
      'bursty queues on event jobs; chunks, webhooks, notifications and cleaning on cvat-worker-utils; `chunks: ' +
      'cvat-worker-chunks` gives chunks its own app again).',
    {},
  ),
  components: opt(v.record(v.string(), ComponentOverrideSchema), 'Per-component overrides keyed by component name.', {}),
  storages: opt(v.record(v.string(), StorageOverrideSchema), 'Per-storage overrides keyed by storage name.', {}),
  edge: opt(
    v.strictObject({
      mode: opt(v.picklist(['vm', 'none']), '`vm`: Traefik VM with a public IP; `none`: private-only install (no public entry).', 'vm'),
      hostname: maybe(
        v.pipe(
          v.string(),
          v.regex(
            /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
            'must be a lowercase DNS name such as cvat.example.com',
          ),
        ),
        'Public hostname. Default for `vm`: `<dnsLabel>.<location>.cloudapp.azure.com`; required for `none`.',
      ),
      dnsLabel: maybe(
        v.pipe(
          v.string(),
          v.regex(/^[a-z][a-z0-9-]{1,61}[a-z0-9]$/, 'must be 3-63 lowercase letters, digits and "-", starting with a letter'),
        ),
        'DNS label of the public IP. Default: `<namePrefix>-<name>-<hash>`.',
      ),
      acmeEmail: maybe(v.pipe(v.string(), v.email('must be an email address')), "Let's Encrypt account email (required for `vm`)."),
      sshPublicKey: maybe(
        v.pipe(
          v.string(),
          v.regex(
            /^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$/,
            'must be an OpenSSH public key (ssh-ed25519 …)',
          ),
        ),
        'SSH public key of the edge admin; without one SSH is closed.',
      ),
      adminUsername: opt(
        v.pipe(v.string(), v.regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a Linux user name')),
        'Edge VM admin user.',
        'cvatops',
      ),
      vmSize: opt(nonEmpty, 'Edge VM size.', 'Standard_B2ats_v2'),
    }),
    'Public entry (Traefik VM in front of the internal environment).',
    {},
  ),
  keyVault: opt(
    v.strictObject({
      sku: opt(v.picklist(['standard', 'premium']), 'Key Vault SKU.', 'standard'),
      purgeProtection: opt(
        v.boolean(),
        'Purge protection (on by default: deleted secrets stay recoverable; a destroyed vault name stays reserved for ' +
          'softDeleteRetentionDays). Only the example may turn it off (rule keyVaultPurgeProtected).',
        true,
      ),
      softDeleteRetentionDays: opt(
        v.pipe(
          v.number(),
          v.integer('must be a whole number'),
          v.minValue(7, 'must be between 7 and 90'),
          v.maxValue(90, 'must be between 7 and 90'),
        ),
        'Soft-delete retention in days (7-90).',
        90,
      ),
    }),
    'Key Vault settings.',
    {},
  ),
  postgres: opt(
    v.strictObject({
      version: opt(v.picklist(['13', '14', '15', '16', '17']), 'PostgreSQL major version.', '15'),
      skuName: opt(
        v.pipe(v.string(), v.regex(/^(B|GP|MO)_Standard_[A-Za-z0-9_]+$/, 'must be a Flexible Server SKU such as B_Standard_B1ms')),
        'Flexible Server SKU.',
        'B_Standard_B1ms',
      ),
      storageGiB: opt(v.picklist([32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]), 'Storage size in GiB.', 32),
      backupRetentionDays: opt(
        v.pipe(
          v.number(),
          v.integer('must be a whole number'),
          v.minValue(7, 'must be between 7 and 35'),
          v.maxValue(35, 'must be between 7 and 35'),
        ),
        'Point-in-time restore window in days (7-35).',
        7,
      ),
      geoRedundantBackup: opt(v.boolean(), 'Geo-redundant backups (cannot be changed after creation).', false),
      highAvailability: opt(v.boolean(), 'Zone-redundant standby (not available on Burstable SKUs).', false),
      administratorLogin: opt(
        v.pipe(
          v.string(),
          v.regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a lowercase PostgreSQL role name'),
          v.check(
            (s) =>
              !['admin', 'administrator', 'root', 'guest', 'public', 'azure_superuser', 'azure_pg_admin', 'postgres'].includes(s) &&
              !s.startsWith('pg_'),
            'must not be a reserved name (admin, root, postgres, azure_*, pg_*)',
          ),
        ),
        'Administrator login; only the init job holds it (CVAT_POSTGRES_ADMIN_USER), CVAT itself logs in as cvat_app.',
        'cvatadmin',
      ),
      databaseName: opt(
        v.pipe(v.string(), v.regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase PostgreSQL identifier')),
        'Database (CVAT_POSTGRES_DBNAME).',
        'cvat',
      ),
      // Azure's rule for Microsoft.DBforPostgreSQL/flexibleServers: 3-63 characters, lowercase letters, digits and
      // hyphens, not starting or ending with a hyphen
      // (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftdbforpostgresql).
      // azurerm's validator (hashicorp/terraform-provider-azurerm@v4.55.0
      // internal/services/postgres/validate/flexible_server_name.go: ^[a-z0-9]([a-z0-9-]+[a-z0-9])?$, at most 63) also
      // lets a single character through, which Azure refuses; this rule is the stricter of the two.
      serverName: maybe(
        v.pipe(
          v.string(),
          v.regex(
            /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
            'must be a Flexible Server name: 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit',
          ),
        ),
        'Existing server to use instead of the derived name (set after `cvat-ops backup restore`).',
      ),
    }),
    'Azure Database for PostgreSQL Flexible Server (replaces compose cvat_db).',
    {},
  ),
  storageAccount: opt(
    v.strictObject({
      replication: opt(v.picklist(['LRS', 'ZRS', 'GRS', 'GZRS']), 'Replication of the storage account holding the shares.', 'LRS'),
      shareSoftDeleteDays: opt(
        v.pipe(
          v.number(),
          v.integer('must be a whole number'),
          v.minValue(1, 'must be between 1 and 365'),
          v.maxValue(365, 'must be between 1 and 365'),
        ),
        'Days a deleted share can be restored.',
        7,
      ),
    }),
    'Storage account settings.',
    {},
  ),
  logAnalytics: opt(
    v.strictObject({
      retentionDays: opt(
        v.pipe(
          v.number(),
          v.integer('must be a whole number'),
          v.minValue(30, 'must be between 30 and 730'),
          v.maxValue(730, 'must be between 30 and 730'),
        ),
        'Log retention in days.',
        30,
      ),
    }),
    'Log Analytics workspace settings.',
    {},
  ),
  stateBackend: opt(
    v.variant('type', [LocalBackendSchema, AzurermBackendSchema], 'must have type "local" or "azurerm"'),
    'Where Terraform keeps state: `local` (default) or `azurerm`.',
    { type: 'local' as const },
  ),
});
/** See {@link EnvironmentConfigSchema}. */
export type EnvironmentConfig = v.InferOutput<typeof EnvironmentConfigSchema>;
/** Input shape of an environment file (everything optional except `name`). */
export type EnvironmentConfigInput = v.InferInput<typeof EnvironmentConfigSchema>;

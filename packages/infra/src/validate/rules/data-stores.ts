/**
 * Key Vault, Storage and PostgreSQL Flexible Server resources, read from
 * hashicorp/terraform-provider-azurerm@v4.55.0 (internal/services/keyvault, storage, postgres and the
 * go-azure-sdk constants vendored there).
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ConstraintRule } from '../model';
import {
  asBlocks,
  atLeast,
  attr,
  azurerm,
  between,
  deprecated,
  isSet,
  literalString,
  notEmpty,
  oneOf,
  presence,
  resourceRule,
  validator,
  violations,
} from './_helpers';
import {
  cidr,
  flexibleServerAdminLogin,
  flexibleServerDatabaseName,
  flexibleServerName,
  flexibleServerSkuName,
  ipv4Address,
  NAME_SOURCES,
  nestedItemName,
  storageAccountIpRule,
  storageAccountName,
  storageShareDirectoryName,
  storageShareName,
  vaultName,
} from './names';
import { FLEXIBLE_SERVER_DATABASE_COLLATIONS } from './postgres-collations';

const KV = 'internal/services/keyvault/key_vault_resource.go';
const KVS = 'internal/services/keyvault/key_vault_secret_resource.go';
const SA = 'internal/services/storage/storage_account_resource.go';
const SHARE = 'internal/services/storage/storage_share_resource.go';
const DIR = 'internal/services/storage/storage_share_directory_resource.go';
const FILE = 'internal/services/storage/storage_share_file_resource.go';
const PG = 'internal/services/postgres/postgresql_flexible_server_resource.go';
const PGCFG = 'internal/services/postgres/postgresql_flexible_server_configuration_resource.go';
const PGV = 'internal/services/postgres/validate';

const ipOrCidr = validator('an IPv4 address or CIDR', (v) =>
  ipv4Address(v) === undefined || cidr(v) === undefined ? undefined : 'is neither an IPv4 address nor a CIDR',
);

/** Key Vault. */
export const KEY_VAULT_RULES: readonly ConstraintRule[] = [
  attr(
    'azurerm_key_vault',
    'name',
    validator('3-24 alphanumerics and "-"', vaultName),
    azurerm('internal/services/keyvault/validate/vault_name.go', 'VaultName'),
  ),
  attr('azurerm_key_vault', 'sku_name', oneOf(['standard', 'premium']), azurerm(KV, 'resourceKeyVault')),
  attr(
    'azurerm_key_vault',
    'tenant_id',
    {
      kind: 'regex',
      pattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
      allowed: 'a UUID (validation.IsUUID)',
    },
    azurerm(KV, 'resourceKeyVault'),
  ),
  attr('azurerm_key_vault', 'soft_delete_retention_days', between(7, 90), azurerm(KV, 'resourceKeyVault')),
  attr('azurerm_key_vault', 'network_acls.default_action', oneOf(['Allow', 'Deny']), azurerm(KV, 'resourceKeyVault')),
  attr('azurerm_key_vault', 'network_acls.bypass', oneOf(['None', 'AzureServices']), azurerm(KV, 'resourceKeyVault')),
  attr('azurerm_key_vault', 'network_acls.ip_rules', { kind: 'eachItem', check: ipOrCidr }, azurerm(KV, 'resourceKeyVault')),
  presence(
    'conflictsWith',
    'azurerm_key_vault',
    '',
    ['rbac_authorization_enabled', 'enable_rbac_authorization'],
    azurerm(KV, 'resourceKeyVault'),
  ),
  deprecated(
    'azurerm_key_vault',
    'enable_rbac_authorization',
    'renamed to rbac_authorization_enabled; removed in v5.0',
    azurerm(KV, 'resourceKeyVault'),
  ),
  resourceRule(
    'azurerm_key_vault',
    'no-contact-on-create',
    'The 4.x `contact` block is refused when a vault is created (use azurerm_key_vault_certificate_contacts).',
    azurerm(KV, 'resourceKeyVaultCreate'),
    (body) =>
      isSet(body.contact)
        ? [
            {
              path: 'contact',
              value: body.contact,
              allowed: 'not set on a new key vault (`contact` field is not supported for new key vaults)',
            },
          ]
        : [],
  ),
  attr(
    'azurerm_key_vault_secret',
    'name',
    validator('alphanumerics and "-"', nestedItemName),
    azurerm('internal/services/keyvault/validate/nested_item_name.go', 'NestedItemName'),
  ),
  attr('azurerm_key_vault_secret', 'value_wo_version', atLeast(1), azurerm(KVS, 'resourceKeyVaultSecret')),
  presence('exactlyOneOf', 'azurerm_key_vault_secret', '', ['value', 'value_wo'], azurerm(KVS, 'resourceKeyVaultSecret')),
  presence('requiredWith', 'azurerm_key_vault_secret', '', ['value_wo', 'value_wo_version'], azurerm(KVS, 'resourceKeyVaultSecret')),
];

/** Storage account, shares, directories and files. */
export const STORAGE_RULES: readonly ConstraintRule[] = [
  attr(
    'azurerm_storage_account',
    'name',
    validator('3-24 lower case letters and digits', storageAccountName),
    azurerm(NAME_SOURCES.storageAccount, 'StorageAccountName'),
  ),
  attr(
    'azurerm_storage_account',
    'account_kind',
    oneOf(['BlobStorage', 'BlockBlobStorage', 'FileStorage', 'Storage', 'StorageV2']),
    azurerm(SA, 'resourceStorageAccount'),
  ),
  attr('azurerm_storage_account', 'account_tier', oneOf(['Premium', 'Standard']), azurerm(SA, 'resourceStorageAccount')),
  attr(
    'azurerm_storage_account',
    'account_replication_type',
    oneOf(['LRS', 'ZRS', 'GRS', 'RAGRS', 'GZRS', 'RAGZRS']),
    azurerm(SA, 'resourceStorageAccount'),
  ),
  // 4.x (features.FivePointOh() false) widens min_tls_version to PossibleValuesForMinimumTlsVersion().
  attr(
    'azurerm_storage_account',
    'min_tls_version',
    oneOf(['TLS1_1', 'TLS1_3', 'TLS1_2', 'TLS1_0']),
    azurerm(SA, 'resourceStorageAccount'),
  ),
  attr('azurerm_storage_account', 'network_rules.default_action', oneOf(['Allow', 'Deny']), azurerm(SA, 'resourceStorageAccount')),
  attr(
    'azurerm_storage_account',
    'network_rules.bypass',
    { kind: 'eachItem', check: oneOf(['AzureServices', 'Logging', 'Metrics', 'None']) },
    azurerm(SA, 'resourceStorageAccount'),
  ),
  attr(
    'azurerm_storage_account',
    'network_rules.ip_rules',
    { kind: 'eachItem', check: validator('a public IPv4 address or CIDR with a /0-30 prefix', storageAccountIpRule) },
    azurerm('internal/services/storage/validate/storage_account_ip_rule.go', 'StorageAccountIpRule'),
  ),
  attr('azurerm_storage_account', 'share_properties.retention_policy.days', between(1, 365), azurerm(SA, 'resourceStorageAccount')),
  deprecated(
    'azurerm_storage_account',
    'queue_properties',
    'superseded by azurerm_storage_account_queue_properties; removed in v5.0',
    azurerm(SA, 'resourceStorageAccount'),
  ),
  deprecated(
    'azurerm_storage_account',
    'static_website',
    'superseded by azurerm_storage_account_static_website; removed in v5.0',
    azurerm(SA, 'resourceStorageAccount'),
  ),
  resourceRule(
    'azurerm_storage_account',
    'access-tier-kind',
    '`access_tier` is only available for BlobStorage, FileStorage and StorageV2 accounts.',
    azurerm(SA, 'resourceStorageAccount (CustomizeDiff)'),
    (body) => {
      const kind = literalString(body.account_kind) ?? (isSet(body.account_kind) ? undefined : 'StorageV2');
      return isSet(body.access_tier) && kind !== undefined && !['BlobStorage', 'FileStorage', 'StorageV2'].includes(kind)
        ? [
            {
              path: 'access_tier',
              value: body.access_tier,
              allowed: `not set for account_kind ${JSON.stringify(kind)} (only BlobStorage / FileStorage / StorageV2)`,
            },
          ]
        : [];
    },
  ),
  resourceRule(
    'azurerm_storage_account',
    'no-data-plane-blocks',
    'queue_properties and static_website cannot be configured when the provider feature storage.data_plane_available is false.',
    azurerm(SA, 'resourceStorageAccount (CustomizeDiff)'),
    (body, { stack }) => {
      const providers = (stack.provider?.azurerm ?? []) as Record<string, unknown>[];
      const off = providers.some((p) =>
        asBlocks(p.features).some((f) => asBlocks(f.storage).some((s) => s.data_plane_available === false)),
      );
      if (!off) return [];
      return ['queue_properties', 'static_website']
        .filter((k) => isSet(body[k]))
        .map((k) => ({ path: k, value: body[k], allowed: "not set while the provider feature 'data_plane_available' is false" }));
    },
  ),
  resourceRule(
    'azurerm_storage_account',
    'blob-storage-no-zrs',
    "`account_replication_type` of `ZRS` isn't supported for Blob Storage accounts.",
    azurerm(SA, 'resourceStorageAccountCreate'),
    (body) =>
      body.account_kind === 'BlobStorage' && body.account_replication_type === 'ZRS'
        ? [{ path: 'account_replication_type', value: 'ZRS', allowed: 'not ZRS for account_kind BlobStorage' }]
        : [],
  ),
  attr(
    'azurerm_storage_share',
    'name',
    validator('3-63 lower case alphanumerics and "-", no leading or double "-"', storageShareName),
    azurerm('internal/services/storage/validate/storage_share.go', 'StorageShareName'),
  ),
  attr('azurerm_storage_share', 'quota', between(1, 102400), azurerm(SHARE, 'resourceStorageShare')),
  attr('azurerm_storage_share', 'enabled_protocol', oneOf(['SMB', 'NFS']), azurerm(SHARE, 'resourceStorageShare')),
  attr(
    'azurerm_storage_share',
    'access_tier',
    oneOf(['Premium', 'Hot', 'Cool', 'TransactionOptimized']),
    azurerm(SHARE, 'resourceStorageShare'),
  ),
  presence(
    'exactlyOneOf',
    'azurerm_storage_share',
    '',
    ['storage_account_name', 'storage_account_id'],
    azurerm(SHARE, 'resourceStorageShare'),
  ),
  deprecated(
    'azurerm_storage_share',
    'storage_account_name',
    'replaced by storage_account_id in v5.0',
    azurerm(SHARE, 'resourceStorageShare'),
  ),
  attr(
    'azurerm_storage_share_directory',
    'name',
    validator('no " : | < > * ?, not only dots', storageShareDirectoryName),
    azurerm('internal/services/storage/validate/storage.go', 'StorageShareDirectoryName'),
  ),
  presence(
    'exactlyOneOf',
    'azurerm_storage_share_directory',
    '',
    ['storage_share_id', 'storage_share_url'],
    azurerm(DIR, 'resourceStorageShareDirectory'),
  ),
  deprecated(
    'azurerm_storage_share_directory',
    'storage_share_id',
    'deprecated in favour of storage_share_url; removed in v5.0',
    azurerm(DIR, 'resourceStorageShareDirectory'),
  ),
  attr(
    'azurerm_storage_share_file',
    'path',
    validator('no " : | < > * ?, not only dots', storageShareDirectoryName),
    azurerm('internal/services/storage/validate/storage.go', 'StorageShareDirectoryName'),
  ),
  attr('azurerm_storage_share_file', 'content_md5', notEmpty, azurerm(FILE, 'resourceStorageShareFile')),
  attr('azurerm_storage_share_file', 'source', notEmpty, azurerm(FILE, 'resourceStorageShareFile')),
  attr('azurerm_storage_share_file', 'content_encoding', notEmpty, azurerm(FILE, 'resourceStorageShareFile')),
  presence(
    'exactlyOneOf',
    'azurerm_storage_share_file',
    '',
    ['storage_share_id', 'storage_share_url'],
    azurerm(FILE, 'resourceStorageShareFile'),
  ),
  deprecated(
    'azurerm_storage_share_file',
    'storage_share_id',
    'deprecated in favour of storage_share_url; removed in v5.0',
    azurerm(FILE, 'resourceStorageShareFile'),
  ),
  resourceRule(
    'azurerm_storage_share_file',
    'content-md5-hex',
    'content_md5 is hex-decoded before the upload ("failed to hex decode then base64 encode `content_md5` value").',
    azurerm(FILE, 'resourceStorageShareFileCreate'),
    (body) => {
      const md5 = literalString(body.content_md5);
      return md5 !== undefined && !/^([0-9a-fA-F]{2})*$/.test(md5)
        ? [{ path: 'content_md5', value: md5, allowed: 'a hex string (an even number of 0-9a-f digits)' }]
        : [];
    },
  ),
  resourceRule(
    'azurerm_storage_share_file',
    'source-readable-not-empty',
    'source is opened and stat-ed before the upload: it must exist and not be empty.',
    azurerm(FILE, 'resourceStorageShareFileCreate'),
    (body, { stackDir }) => {
      const source = literalString(body.source);
      if (source === undefined || !stackDir) return [];
      const file = isAbsolute(source) ? source : join(stackDir, source);
      if (!existsSync(file)) return [{ path: 'source', value: source, allowed: `a file that exists (relative to ${stackDir})` }];
      return statSync(file).size === 0 ? [{ path: 'source', value: source, allowed: 'a file that is not empty' }] : [];
    },
  ),
];

/** PostgreSQL Flexible Server, its configuration and database. */
export const POSTGRES_RULES: readonly ConstraintRule[] = [
  attr(
    'azurerm_postgresql_flexible_server',
    'name',
    validator('1-63 of lower case letters, digits and "-", alphanumeric at both ends', flexibleServerName),
    azurerm(`${PGV}/flexible_server_name.go`, 'FlexibleServerName'),
  ),
  attr(
    'azurerm_postgresql_flexible_server',
    'administrator_login',
    validator('not blank, not a reserved login, not starting with pg_', flexibleServerAdminLogin),
    azurerm(`${PGV}/admin_usernames.go`, 'AdminUsernames'),
  ),
  attr('azurerm_postgresql_flexible_server', 'administrator_password', notEmpty, azurerm(PG, 'resourcePostgresqlFlexibleServer')),
  attr(
    'azurerm_postgresql_flexible_server',
    'sku_name',
    validator('a known Flexible Server SKU', flexibleServerSkuName),
    azurerm(`${PGV}/flexible_server_sku_name.go`, 'FlexibleServerSkuName'),
  ),
  attr(
    'azurerm_postgresql_flexible_server',
    'storage_mb',
    { kind: 'intInSlice', values: [32768, 65536, 131072, 262144, 524288, 1048576, 2097152, 4193280, 4194304, 8388608, 16777216, 33553408] },
    azurerm(PG, 'resourcePostgresqlFlexibleServer'),
  ),
  attr(
    'azurerm_postgresql_flexible_server',
    'version',
    oneOf(['11', '12', '13', '14', '15', '16', '17', '18']),
    azurerm(PG, 'resourcePostgresqlFlexibleServer'),
  ),
  attr('azurerm_postgresql_flexible_server', 'backup_retention_days', between(7, 35), azurerm(PG, 'resourcePostgresqlFlexibleServer')),
  attr(
    'azurerm_postgresql_flexible_server',
    'high_availability.mode',
    oneOf(['ZoneRedundant', 'SameZone']),
    azurerm(PG, 'resourcePostgresqlFlexibleServer'),
  ),
  attr(
    'azurerm_postgresql_flexible_server',
    'create_mode',
    oneOf(['Default', 'PointInTimeRestore', 'Replica', 'ReviveDropped', 'GeoRestore', 'Update']),
    azurerm(PG, 'resourcePostgresqlFlexibleServer'),
  ),
  attr(
    'azurerm_postgresql_flexible_server',
    'maintenance_window.day_of_week',
    between(0, 6),
    azurerm(PG, 'resourcePostgresqlFlexibleServer'),
  ),
  attr(
    'azurerm_postgresql_flexible_server',
    'maintenance_window.start_hour',
    between(0, 23),
    azurerm(PG, 'resourcePostgresqlFlexibleServer'),
  ),
  attr(
    'azurerm_postgresql_flexible_server',
    'maintenance_window.start_minute',
    between(0, 59),
    azurerm(PG, 'resourcePostgresqlFlexibleServer'),
  ),
  presence(
    'conflictsWith',
    'azurerm_postgresql_flexible_server',
    '',
    ['administrator_password', 'administrator_password_wo'],
    azurerm(PG, 'resourcePostgresqlFlexibleServer'),
  ),
  presence(
    'requiredWith',
    'azurerm_postgresql_flexible_server',
    '',
    ['administrator_password_wo', 'administrator_password_wo_version'],
    azurerm(PG, 'resourcePostgresqlFlexibleServer'),
  ),
  presence(
    'requiredWith',
    'azurerm_postgresql_flexible_server',
    'authentication',
    ['tenant_id', 'active_directory_auth_enabled'],
    azurerm(PG, 'resourcePostgresqlFlexibleServer'),
  ),
  resourceRule(
    'azurerm_postgresql_flexible_server',
    'create-default-mode',
    'With create_mode Default: password auth needs administrator_login and a password, and sku_name and version are required.',
    azurerm(PG, 'resourcePostgresqlFlexibleServerCreate'),
    (body) => {
      const v = violations();
      const mode = body.create_mode;
      if (isSet(mode) && mode !== 'Default') return [];
      const auth = asBlocks(body.authentication)[0];
      const pwdAuth =
        auth?.password_auth_enabled === undefined ? true : auth.password_auth_enabled !== false && auth.password_auth_enabled !== 'false';
      if (pwdAuth) {
        if (!isSet(body.administrator_login))
          v.add('administrator_login', undefined, 'set when authentication.password_auth_enabled is true');
        if (!isSet(body.administrator_password) && !isSet(body.administrator_password_wo))
          v.add('administrator_password', undefined, 'administrator_password or administrator_password_wo set when password auth is on');
      } else {
        for (const k of ['administrator_login', 'administrator_password', 'administrator_password_wo'])
          if (isSet(body[k])) v.add(k, body[k], 'not set on creation when password_auth_enabled is false');
      }
      if (!isSet(body.sku_name)) v.add('sku_name', undefined, 'set when create_mode is Default');
      if (!isSet(body.version)) v.add('version', undefined, 'set when create_mode is Default');
      if (isSet(body.replication_role)) v.add('replication_role', body.replication_role, 'not set while creating');
      return v.list;
    },
  ),
  attr(
    'azurerm_postgresql_flexible_server_configuration',
    'name',
    notEmpty,
    azurerm(PGCFG, 'resourcePostgresqlFlexibleServerConfiguration'),
  ),
  attr(
    'azurerm_postgresql_flexible_server_configuration',
    'value',
    notEmpty,
    azurerm(PGCFG, 'resourcePostgresqlFlexibleServerConfiguration'),
  ),
  attr(
    'azurerm_postgresql_flexible_server_database',
    'name',
    validator('1-63 of letters, digits, "-" and "_", not starting with a digit', flexibleServerDatabaseName),
    azurerm(`${PGV}/flexible_server_database_name.go`, 'FlexibleServerDatabaseName'),
  ),
  attr(
    'azurerm_postgresql_flexible_server_database',
    'charset',
    oneOf([
      'BIG5',
      'EUC_CN',
      'EUC_JP',
      'EUC_JIS_2004',
      'EUC_KR',
      'EUC_TW',
      'GB18030',
      'GBK',
      'ISO_8859_5',
      'ISO_8859_6',
      'ISO_8859_7',
      'ISO_8859_8',
      'JOHAB',
      'KOI8R',
      'KOI8U',
      'LATIN1',
      'LATIN2',
      'LATIN3',
      'LATIN4',
      'LATIN5',
      'LATIN6',
      'LATIN7',
      'LATIN8',
      'LATIN9',
      'LATIN10',
      'MULE_INTERNAL',
      'SJIS',
      'SHIFT_JIS_2004',
      'SQL_ASCII',
      'UHC',
      'UTF8',
      'WIN866',
      'WIN874',
      'WIN1250',
      'WIN1251',
      'WIN1252',
      'WIN1253',
      'WIN1254',
      'WIN1255',
      'WIN1256',
      'WIN1257',
      'WIN1258',
    ]),
    azurerm(`${PGV}/database_charset.go`, 'DatabaseCharset'),
  ),
  attr(
    'azurerm_postgresql_flexible_server_database',
    'collation',
    oneOf(FLEXIBLE_SERVER_DATABASE_COLLATIONS),
    azurerm(`${PGV}/postgresql_flexible_server_database_collation.go`, 'PostgresqlFlexibleServerDatabaseCollation'),
  ),
];

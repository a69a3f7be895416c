/**
 * Name validators ported from the provider at the pinned tag, one function per Go validator, same
 * regular expressions (RE2 and JavaScript agree on every construct used here). Each returns why a
 * value is refused, or undefined.
 */

const CA = 'internal/services/containerapps/validate/validate.go';

/** `ContainerAppName` (internal/services/containerapps/validate/validate.go). */
export function containerAppName(v: string): string | undefined {
  const ok = /^([a-z]$)|(^([a-z0-9])([a-z0-9-.]{0,30})([^A-Z\W]))$/.test(v) && !v.includes('--');
  return ok ? undefined : 'must be lower case alphanumerics or "-", start with a letter, end alphanumeric, no "--", at most 32 characters';
}

/** `ContainerAppContainerName`. */
export function containerAppContainerName(v: string): string | undefined {
  return /^([a-z0-9]$)|(^([a-z0-9])([a-z0-9-.]{0,44})([^A-Z\W])$)/.test(v)
    ? undefined
    : 'must be lower case alphanumerics, "-" or ".", at most 46 characters';
}

/** `ContainerAppJobName`. */
export function containerAppJobName(v: string): string | undefined {
  const shape = v.length === 1 ? /^[a-z0-9]$/.test(v) : /^([a-z0-9])[a-z0-9-]*[a-z0-9]$/.test(v) && !v.endsWith('-');
  if (!shape) return 'must be lower case alphanumerics or "-", start and end alphanumeric';
  if (v.length > 32) return 'must not exceed 32 characters';
  if (v.includes('--')) return 'must not contain --';
  return undefined;
}

/** `ManagedEnvironmentName`. */
export function managedEnvironmentName(v: string): string | undefined {
  return /^([a-zA-Z])[a-zA-Z0-9-]{0,58}[a-z]?$/.test(v) && !v.endsWith('-')
    ? undefined
    : 'must be alphanumerics or "-", start with a letter, not end with "-", at most 60 characters';
}

/** `ManagedEnvironmentStorageName`. */
export function managedEnvironmentStorageName(v: string): string | undefined {
  return /^([a-z])[a-z0-9-]{0,30}[a-z]?$/.test(v) && !v.endsWith('-') && !v.includes('--')
    ? undefined
    : 'must be lower case alphanumerics or "-", start with a letter, end alphanumeric, no "--", at most 32 characters';
}

/** `SecretName`. */
export function secretName(v: string): string | undefined {
  return /^[a-z0-9][a-z0-9-]{0,251}[a-z0-9]?$/.test(v) && !v.endsWith('-')
    ? undefined
    : 'must be lower case alphanumerics or "-", start and end alphanumeric, at most 253 characters';
}

/** `LowerCaseAlphaNumericWithHyphensAndPeriods`. */
export function lowerCaseAlphaNumericWithHyphensAndPeriods(v: string): string | undefined {
  const ok = v.length === 1 ? /^[a-z0-9]$/.test(v) : /^([a-z0-9])[a-z0-9-.]*[a-z0-9]$/.test(v) && !v.endsWith('-');
  return ok ? undefined : 'must be lower case alphanumerics, "-" or ".", start and end alphanumeric';
}

/** `resourcegroups.ValidateName` (go-azure-helpers resourcemanager/resourcegroups/validate.go). */
export function resourceGroupName(v: string): string | undefined {
  if (v.length > 90) return 'may not exceed 90 characters';
  if (v.endsWith('.')) return 'may not end with a period';
  if (v.length === 0) return 'cannot be blank';
  return /^[-\w._()]+$/.test(v) ? undefined : 'may only contain alphanumerics, "-", "_", "(", ")" and "."';
}

/** `StorageAccountName` (internal/services/storage/validate/storage_account_name.go). */
export function storageAccountName(v: string): string | undefined {
  return /^[a-z0-9]{3,24}$/.test(v) ? undefined : 'must be 3-24 lower case letters and digits';
}

/** Source files of the validators above, for citations. */
export const NAME_SOURCES = {
  containerApps: CA,
  resourceGroups: 'vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/resourcegroups/validate.go',
  storageAccount: 'internal/services/storage/validate/storage_account_name.go',
} as const;

/** `validate.VaultName` (internal/services/keyvault/validate/vault_name.go). */
export function vaultName(v: string): string | undefined {
  return /^[a-zA-Z0-9-]{3,24}$/.test(v) ? undefined : 'may only contain alphanumerics and "-", 3-24 characters';
}

/** `validate.NestedItemName` (internal/services/keyvault/validate/nested_item_name.go). */
export function nestedItemName(v: string): string | undefined {
  return /^[0-9a-zA-Z-]+$/.test(v) ? undefined : 'may only contain alphanumerics and "-"';
}

/** `validate.CIDR` (helpers/validate/network.go): an IPv4 address with an optional /0-32 prefix, by shape. */
export function cidr(v: string): string | undefined {
  return /^([0-9]{1,3}\.){3}[0-9]{1,3}(\/([0-9]|[1-2][0-9]|3[0-2]))?$/.test(v)
    ? undefined
    : 'must be an IPv4 address with an optional /0-32 prefix';
}

/** `validate.IPv4Address` (helpers/validate/network.go): Go's `net.ParseIP(v).To4() != nil` for dotted quads. */
export function ipv4Address(v: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v);
  const ok = !!m && m.slice(1).every((o) => Number(o) <= 255 && !(o.length > 1 && o.startsWith('0')));
  return ok ? undefined : 'must be an IPv4 address';
}

/** `validate.StorageAccountIpRule` (internal/services/storage/validate/storage_account_ip_rule.go). */
export function storageAccountIpRule(v: string): string | undefined {
  if (!/^([0-9]{1,3}\.){3}[0-9]{1,3}(\/([0-9]|[1-2][0-9]|30))?$/.test(v))
    return 'must be a public IPv4 address or CIDR with a /0-30 prefix';
  const [first, second] = v.split('.');
  const s = Number(second);
  if (first === '10' || (first === '172' && s >= 16 && s <= 31) || (first === '192' && s === 168))
    return 'must be a public IP address (not 10/8, 172.16/12 or 192.168/16)';
  return undefined;
}

/** `validate.StorageShareName` (internal/services/storage/validate/storage_share.go). */
export function storageShareName(v: string): string | undefined {
  if (!/^[0-9a-z-]+$/.test(v)) return 'only lower case alphanumerics and "-"';
  if (v.length < 3 || v.length > 63) return 'must be 3-63 characters';
  if (v.startsWith('-')) return 'cannot begin with "-"';
  if (/-{2,}/.test(v)) return 'no consecutive "-"';
  return undefined;
}

/** `validate.StorageShareDirectoryName` (internal/services/storage/validate/storage.go). */
export function storageShareDirectoryName(v: string): string | undefined {
  if (/^\.+$/.test(v)) return 'must not only contain dots';
  // Go's `[^"/\:|<>*?]`: `\:` is an escaped colon, so a backslash is allowed.
  return /^[^"/:|<>*?]+(\/[^":|<>*?]+)*$/.test(v) ? undefined : 'must not contain " : | < > * ? (and no empty path segment)';
}

/** `validate.FlexibleServerName` (internal/services/postgres/validate/flexible_server_name.go). */
export function flexibleServerName(v: string): string | undefined {
  if (v.length < 1) return 'must not be empty';
  if (v.length > 63) return 'must be at most 63 characters';
  return /^[a-z0-9]([a-z0-9-]+[a-z0-9])?$/.test(v) ? undefined : 'only digits, lower case letters and "-"';
}

// The validator's pattern in one piece per tier (only to keep lines short); joined below into the single pattern.
const SKU_BURSTABLE = /B_Standard_B((1|2|4|8|12|16|20)ms|2s)/.source;
const SKU_GENERAL_PURPOSE =
  /GP_Standard_D(((2|4|8|16|32|48|64)s_v3)|((2|4|8|16|32|48|64)ds_v4)|((2|4|8|16|32|48|64|96)ds_v5)|((2|4|8|16|32|48|64|96)ads_v5))/.source;
const SKU_MEMORY_OPTIMIZED =
  /MO_Standard_E((((2|4|8|16|20|32|48|64)s)_v3)|((2|4|6|8|16|20|32|48|64)ds_v4)|((2|4|8|16|20|32|48|64|96)ds_v5)|((2|4|8|16|32|48|64|96)ads_v5))/
    .source;
const FLEXIBLE_SERVER_SKU = new RegExp(`^((${SKU_BURSTABLE})|(${SKU_GENERAL_PURPOSE})|(${SKU_MEMORY_OPTIMIZED}))$`);

/** `validate.FlexibleServerSkuName` (internal/services/postgres/validate/flexible_server_sku_name.go). */
export function flexibleServerSkuName(v: string): string | undefined {
  return FLEXIBLE_SERVER_SKU.test(v)
    ? undefined
    : 'a Flexible Server SKU the provider knows (B_Standard_B1ms, GP_Standard_D2ds_v5, MO_Standard_E4ds_v5, ...)';
}

/** `validation.All(StringIsNotWhiteSpace, validate.AdminUsernames)` (internal/services/postgres/validate/admin_usernames.go). */
export function flexibleServerAdminLogin(v: string): string | undefined {
  if (v.trim() === '') return 'must not be empty or white space';
  const lower = v.toLowerCase();
  if (['azure_superuser', 'azure_pg_admin', 'admin', 'administrator', 'root', 'guest', 'public'].includes(lower))
    return 'is a reserved login';
  return lower.startsWith('pg_') ? 'must not start with pg_' : undefined;
}

/** `validate.FlexibleServerDatabaseName` (internal/services/postgres/validate/flexible_server_database_name.go). */
export function flexibleServerDatabaseName(v: string): string | undefined {
  if (v.length < 1 || v.length > 63) return 'must be 1-63 characters';
  if (!/^[a-zA-Z-_]/.test(v)) return 'must begin with a letter, "-" or "_"';
  return /^[a-zA-Z0-9-_]+$/.test(v) ? undefined : 'only letters, digits, "-" and "_"';
}

/** `validate.VirtualMachineName` (internal/services/compute/validate/virtual_machine_name.go). */
export function virtualMachineName(v: string): string | undefined {
  if (v.trim() === '') return 'must not be empty';
  if (v.length > 80) return 'can be at most 80 characters';
  if (!/^[a-zA-Z0-9._-]+$/.test(v)) return 'may only contain alphanumerics, ".", "-" and "_"';
  if (!/^[a-zA-Z0-9]/.test(v)) return 'must begin with an alphanumeric character';
  if (!/\w$/.test(v)) return 'must end with an alphanumeric character or "_"';
  return /^\d+$/.test(v) ? 'cannot contain only numbers' : undefined;
}

/** `validate.LinuxComputerNameFull` → `LinuxComputerName(v, 64, false)` (internal/services/compute/validate/linux_computer_name.go). */
export function linuxComputerNameFull(v: string): string | undefined {
  if (v.trim() === '') return 'must not be empty';
  if (v.length > 64) return 'can be at most 64 characters';
  if (v.startsWith('_')) return 'cannot begin with "_"';
  if (v.endsWith('.')) return 'cannot end with "."';
  if (v.endsWith('-')) return 'cannot end with "-"';
  return [...`\\/"[]:|<>+=;,?*@&~!#$%^()_{}'`].some((c) => v.includes(c)) ? 'cannot contain \\/"[]:|<>+=;,?*@&~!#$%^()_{}\'' : undefined;
}

/** Admin user names azurerm v4.55.0 refuses for a Linux VM (the edge VM construct checks the same list). */
export const DISALLOWED_LINUX_ADMINS: readonly string[] = [
  'administrator',
  'admin',
  'user',
  'user1',
  'test',
  'user2',
  'test1',
  'user3',
  'admin1',
  '1',
  '123',
  'a',
  'actuser',
  'adm',
  'admin2',
  'aspnet',
  'backup',
  'console',
  'david',
  'guest',
  'john',
  'owner',
  'root',
  'server',
  'sql',
  'support',
  'support_388945a0',
  'sys',
  'test2',
  'test3',
  'user4',
  'user5',
];

/** `validate.LinuxAdminUsername` (internal/services/compute/validate/linux_admin_username.go). */
export function linuxAdminUsername(v: string): string | undefined {
  if (v.trim() === '') return 'must not be empty';
  if (v.length > 64) return 'must be 1-64 characters';
  return DISALLOWED_LINUX_ADMINS.includes(v) ? 'is a disallowed name' : undefined;
}

/**
 * `validate.SSHKey` (internal/services/compute/validate/ssh_key.go): the second field must decode to
 * an SSH wire-format public key (golang.org/x/crypto/ssh ParsePublicKey: no trailing bytes) that is
 * ssh-rsa of at least 2048 bits or ssh-ed25519 (32-byte key).
 */
export function sshKey(v: string): string | undefined {
  if (v.trim() === '') return 'must not be empty or white space';
  const fields = v.trim().split(/\s+/);
  if (fields.length < 2) return 'is not a complete SSH2 public key';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(fields[1]) || fields[1].length % 4 !== 0) return 'key data is not base64';
  const data = Buffer.from(fields[1], 'base64');
  let at = 0;
  const next = (): Buffer | undefined => {
    if (at + 4 > data.length) return undefined;
    const n = data.readUInt32BE(at);
    if (at + 4 + n > data.length) return undefined;
    const out = data.subarray(at + 4, at + 4 + n);
    at += 4 + n;
    return out;
  };
  const algo = next()?.toString('latin1');
  if (algo === 'ssh-ed25519') {
    const key = next();
    if (key?.length !== 32 || at !== data.length) return 'is not a valid ssh-ed25519 public key';
    return undefined;
  }
  if (algo === 'ssh-rsa') {
    const e = next();
    const n = next();
    if (!e || !n || at !== data.length) return 'is not a valid ssh-rsa public key';
    let bytes = n.length;
    for (let i = 0; i < n.length && n[i] === 0; i++) bytes--;
    return bytes * 8 < 2048 ? `is an RSA key of ${bytes * 8} bits (at least 2048 are required)` : undefined;
  }
  return `is a ${algo ?? 'unreadable'} key; only RSA and ED25519 keys are supported`;
}

/** `validate.PublicIpDomainNameLabel` (internal/services/network/validate/public_ip.go). */
export function publicIpDomainNameLabel(v: string): string | undefined {
  return /^[a-z][a-z0-9-]{1,61}[a-z0-9]$/.test(v)
    ? undefined
    : '3-63 lower case alphanumerics and "-", starting with a letter, ending alphanumeric';
}

/** `validate.LowerCasedString` (internal/services/privatedns/validate/lower_cased_string.go). */
export function lowerCasedString(v: string): string | undefined {
  if (v.trim() === '') return 'must not be empty';
  if (v.toLowerCase() !== v) return 'must be lower case';
  return v.includes(' ') ? 'cannot contain white space' : undefined;
}

/** `validate.LogAnalyticsWorkspaceName` (internal/services/loganalytics/validate/log_analytics_workspace_name.go). */
export function logAnalyticsWorkspaceName(v: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$/.test(v)) return 'only alphanumerics and "-", not at either end';
  return v.length > 63 || v.length < 4 ? 'must be 4-63 characters' : undefined;
}

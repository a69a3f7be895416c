/** User-facing text of the storage commands (house style rule 15). */
import { redactUrl } from '@cvat-cloud/runtime';
export const msg = {
  changedWhileUploading: (path: string, read: number, length: number, offset: number): string =>
    `${path} changed while uploading (read ${read} of ${length} bytes at ${offset})`,
  changedDuringUpload: (path: string): string => `${path} changed while uploading (size or modification time); run the upload again`,
  resumedBytes: (bytes: string): string => `Resumed interrupted uploads: ${bytes} already in the share were not sent again.`,
  stateNotSaved: (path: string, error: string): string =>
    `The upload record ${path} could not be written (${error}): an interrupted upload will restart its files from byte 0.`,
  badAccountName: (from: string, name: string): string =>
    `${from} (${name}) must be a storage account name: 3-24 lowercase letters and digits.`,
  needsAccount: (what: string): string => `${what} needs a storage account: pass --env <name> or --account <name>.`,
  noFullKey: (account: string): string =>
    `Storage account '${account}' returned no key with full permissions; set AZURE_STORAGE_KEY instead.`,
  badKey: (account: string, source: string, detail: string): string =>
    `The key for storage account '${account}' (${source}) is not a valid base64 account key: ${detail}.`,
  accountNotFound: (account: string, resourceGroup: string, subscription: string, code: string | undefined): string =>
    `Storage account '${account}' not found in resource group '${resourceGroup}' (subscription ${subscription})${code ? ` [${code}]` : ''}. ` +
    'Check --env / --account / --resource-group, or deploy the foundation stack first.',
  throttled: (what: string): string =>
    `Azure kept throttling ${what} (HTTP 429) after the SDK's retries; wait a minute and run the command again.`,
  armFailed: (what: string, detail: string, status: number | undefined): string =>
    `Azure Resource Manager failed while ${what}: ${detail}${status ? ` (HTTP ${status})` : ''}.`,
  configPushNeedsEnv:
    'storage config push needs --env <name>: the environment decides which components are enabled and which storage account to use.',
  unknownComponent: (name: string, suggestion: string, all: readonly string[]): string =>
    `Unknown component '${name}'.${suggestion} Components: ${all.join(', ')}.`,
  disabledComponent: (name: string, env: string): string =>
    `Component '${name}' is disabled in environment '${env}'; enable it under 'components.${name}.enabled' first.`,
  noConfigFiles: (names: readonly string[], withFiles: readonly string[]): string =>
    `Component(s) ${names.join(', ')} declare no configFiles; components with config files: ${withFiles.join(', ') || 'none'}.`,
  missingSources: (missing: readonly string[]): string =>
    `Config file sources not found; nothing was uploaded:\n  - ${missing.join('\n  - ')}`,
  badSharePath: (text: string): string =>
    `'<share-path>' (${text}) must start with a share name: 3-63 lowercase letters, digits and single hyphens (e.g. cvat-data or cvat-data/imports).`,
  dotDotInSharePath: (text: string): string => `'<share-path>' (${text}) must not contain '..'.`,
  unknownShare: (share: string, env: string, suggestion: string, shares: readonly string[]): string =>
    `Unknown share '${share}' for environment '${env}'.${suggestion} Its shares are: ${shares.join(', ')}.`,
  ephemeralShare: (share: string, shares: readonly string[]): string =>
    `'${share}' is an ephemeral (EmptyDir) volume that lives inside each replica, not an Azure file share; nothing can be uploaded to it. Shares: ` +
    `${shares.join(', ')}.`,
  shareRefused: (account: string, share: string, why: string, keySource: string, rulesArgs: string): string =>
    `Storage account '${account}' refused access to share '${share}': ${why}. Check the key (${keySource}) and the network rules: cvat-ops storage ` +
    `rules --my-ip ${rulesArgs}`,
  fileServiceUnreachable: (account: string, endpoint: string, why: string): string =>
    `Cannot reach the file service of storage account '${account}' ` +
    `at ${redactUrl(endpoint)}: ${why}. If the account only allows its VNet, run from inside it or check: cvat-ops storage rules --my-ip`,
  shareNotFound: (share: string, account: string): string =>
    `Share '${share}' not found in storage account '${account}'. Shares are created by the infra deploy (foundation stack); check the name or deploy first.`,
  localPathNotFound: (path: string, detail: string): string =>
    `Local path '${path}' not found (${detail}); pass an existing file or folder.`,
  notFileOrFolder: (path: string): string => `Local path '${path}' is neither a file nor a folder.`,
  firewallBlocked: 'blocked by the storage account firewall (403 AuthorizationFailure); see cvat-ops storage rules --my-ip',
  retryFailed: 'Run the same command again to retry the failed files; completed files are skipped (size + MD5).',
  rulesDenied: (failed: number, required: number): string =>
    [
      `${failed} of ${required} required checks denied.`,
      "Network rules are set by the infra deploy (foundation stack): add the address to 'adminCidrs' in the environment file and redeploy.",
    ].join(' '),
} as const;

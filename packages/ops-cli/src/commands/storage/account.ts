/**
 * Which storage account, with which key, at which endpoint. The account comes from `--account` or the environment's
 * derived name; the key from `AZURE_STORAGE_KEY` or ARM `listKeys` (needs the 'Storage Account Key Operator' or
 * Contributor role); the endpoint from `CVAT_OPS_FILE_ENDPOINT` (tests) or `https://<account>.file.core.windows.net`.
 */
import type { ShareServiceClient } from '@azure/storage-file-share' with { 'resolution-mode': 'import' };
import type { GlobalOptions } from '../../context/global-options';
import type { Runtime } from '../../context/runtime';
import type { AzureScope, ResolvedEnvironment } from '../../context/environment';
import { CliError, EXIT, applyArmSetup, describeError, isLoopbackHttp, printable, redactUrl, rememberSecret } from '@cvat-cloud/runtime';
import { armError } from './arm-errors';
import { msg } from './messages';

/** Everything needed to reach the File service. */
export interface StorageTarget {
  account: string;
  /** Where the key came from. */
  keySource: 'AZURE_STORAGE_KEY' | 'arm-listKeys';
  endpoint: string;
  service: ShareServiceClient;
  environment?: ResolvedEnvironment;
}

/**
 * File service endpoint for an account. A template (`CVAT_OPS_FILE_ENDPOINT`) must be https, or plain http on
 * 127.0.0.1/localhost (a test double): anything else is CONFIG, shown with its credentials redacted, because the
 * requests carry the account key's signatures.
 */
export function fileEndpoint(account: string, template: string | undefined): string {
  const url = (template ?? 'https://{account}.file.core.windows.net').replace('{account}', account).replace(/\/+$/, '');
  if (template !== undefined && !url.startsWith('https://') && !isLoopbackHttp(url)) {
    throw new CliError(
      EXIT.CONFIG,
      `CVAT_OPS_FILE_ENDPOINT (${redactUrl(printable(template))}) must be an https URL template with {account} ` +
        `(plain http only for 127.0.0.1/localhost test servers).`,
    );
  }
  return url;
}

/** `CVAT_OPS_STORAGE_MAX_TRIES`: attempts per request, 1-10 (default 4); anything else is CONFIG. */
function storageMaxTries(value: string | undefined): number {
  if (value === undefined || value === '') return 4;
  if (!/^\d{1,2}$/.test(value.trim()) || Number(value) < 1 || Number(value) > 10) {
    throw new CliError(EXIT.CONFIG, `CVAT_OPS_STORAGE_MAX_TRIES (${printable(value)}) must be an integer between 1 and 10.`);
  }
  return Number(value);
}

/** Storage account names: 3-24 lowercase letters and digits. */
export function checkAccountName(name: string, from: string): string {
  if (!/^[a-z0-9]{3,24}$/.test(name)) {
    throw new CliError(EXIT.USAGE, msg.badAccountName(from, name));
  }
  return name;
}

/** Resolves the account name (and the environment when `--env` is given) without touching the network. */
export async function resolveAccountName(
  options: GlobalOptions & { account?: string },
  runtime: Runtime,
  what: string,
): Promise<{ account: string; environment?: ResolvedEnvironment }> {
  const environment = options.env ? (await import('../../context/environment.js')).loadEnvironment(options, runtime, what) : undefined;
  if (options.account) return { account: checkAccountName(options.account, "'--account'"), ...(environment ? { environment } : {}) };
  if (environment) return { account: environment.names.storageAccount, environment };
  throw new CliError(EXIT.USAGE, msg.needsAccount(what));
}

/** Resolves subscription + resource group for ARM calls on the account. */
export async function resolveScope(options: GlobalOptions, runtime: Runtime, what: string): Promise<AzureScope> {
  return (await import('../../context/environment.js')).resolveAzureScope(options, runtime, what);
}

/** Lists the account key through ARM (`POST …/listKeys`). */
export async function listAccountKey(scope: AzureScope, account: string, runtime: Runtime): Promise<string> {
  const [{ StorageManagementClient }, { armClientSetup }] = await Promise.all([
    import('@azure/arm-storage'),
    import('../../context/azure.js'),
  ]);
  const setup = await armClientSetup(runtime);
  const client = applyArmSetup(new StorageManagementClient(setup.credential, scope.subscriptionId, setup.options), setup);
  try {
    const result = await client.storageAccounts.listKeys(scope.resourceGroup, account);
    const key = result.keys?.find((k) => k.value && /full/i.test(k.permissions ?? 'full'))?.value;
    if (!key) throw new CliError(EXIT.AUTH, msg.noFullKey(account));
    rememberSecret(key); // never printed from here on
    return key;
  } catch (error) {
    throw armError(error, { what: `listing the keys of storage account '${account}'`, account, scope });
  }
}

/** Builds the File service client for an account resolved by {@link resolveAccountName}. */
export async function connectStorage(
  options: GlobalOptions,
  runtime: Runtime,
  what: string,
  resolved: { account: string; environment?: ResolvedEnvironment },
): Promise<StorageTarget> {
  const { account, environment } = resolved;
  // local settings first: a bad endpoint or retry count is reported before any request (and before a key is listed)
  const endpoint = fileEndpoint(account, runtime.fileEndpoint);
  const maxTries = storageMaxTries(runtime.env.CVAT_OPS_STORAGE_MAX_TRIES);
  let key = runtime.env.AZURE_STORAGE_KEY;
  let keySource: StorageTarget['keySource'] = 'AZURE_STORAGE_KEY';
  if (!key) {
    const scope = await resolveScope(
      options,
      runtime,
      `${what} (to list the key of storage account '${account}'; or set AZURE_STORAGE_KEY)`,
    );
    key = await listAccountKey(scope, account, runtime);
    keySource = 'arm-listKeys';
  }
  const { ShareServiceClient, StorageSharedKeyCredential } = await import('@azure/storage-file-share');
  let credential: InstanceType<typeof StorageSharedKeyCredential>;
  try {
    credential = new StorageSharedKeyCredential(account, key);
  } catch (error) {
    throw new CliError(EXIT.AUTH, msg.badKey(account, keySource, describeError(error)), { cause: error });
  }
  const service = new ShareServiceClient(endpoint, credential, {
    // 500/503 and network errors are retried by the SDK (exponential); 429 + Retry-After by the transfer engine.
    retryOptions: { maxTries, retryDelayInMs: 200, maxRetryDelayInMs: 10_000 },
  });
  return { account, keySource, endpoint, service, ...(environment ? { environment } : {}) };
}

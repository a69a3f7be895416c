/**
 * Which storage account, with which key, at which endpoint. The account comes from `--account` or the environment's
 * derived name; the key from `AZURE_STORAGE_KEY` or ARM `listKeys` (needs the 'Storage Account Key Operator' or
 * Contributor role); the endpoint from `CVAT_OPS_FILE_ENDPOINT` (tests) or `https://<account>.file.core.windows.net`.
 */
import type { ShareServiceClient } from '@azure/storage-file-share' with { 'resolution-mode': 'import' };
import type { GlobalOptions } from '../../context/global-options';
import type { Runtime } from '../../context/runtime';
import type { AzureScope, ResolvedEnvironment } from '../../context/environment';
import { CliError, EXIT, applyArmSetup, describeError } from '@cvat-cloud/runtime';
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

/** File service endpoint for an account. */
export function fileEndpoint(account: string, template: string | undefined): string {
  return (template ?? 'https://{account}.file.core.windows.net').replace('{account}', account).replace(/\/+$/, '');
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
  const [{ StorageManagementClient }, { armClientSetup }] = await Promise.all([import('@azure/arm-storage'), import('../../context/azure.js')]);
  const setup = await armClientSetup(runtime);
  const client = applyArmSetup(new StorageManagementClient(setup.credential, scope.subscriptionId, setup.options), setup);
  try {
    const result = await client.storageAccounts.listKeys(scope.resourceGroup, account);
    const key = result.keys?.find((k) => k.value && /full/i.test(k.permissions ?? 'full'))?.value;
    if (!key) throw new CliError(EXIT.AUTH, msg.noFullKey(account));
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
  let key = runtime.env.AZURE_STORAGE_KEY;
  let keySource: StorageTarget['keySource'] = 'AZURE_STORAGE_KEY';
  if (!key) {
    const scope = await resolveScope(options, runtime, `${what} (to list the key of storage account '${account}'; or set AZURE_STORAGE_KEY)`);
    key = await listAccountKey(scope, account, runtime);
    keySource = 'arm-listKeys';
  }
  const { ShareServiceClient, StorageSharedKeyCredential } = await import('@azure/storage-file-share');
  let credential;
  try {
    credential = new StorageSharedKeyCredential(account, key);
  } catch (error) {
    throw new CliError(EXIT.AUTH, msg.badKey(account, keySource, describeError(error)), { cause: error });
  }
  const endpoint = fileEndpoint(account, runtime.fileEndpoint);
  const maxTries = Number(runtime.env.CVAT_OPS_STORAGE_MAX_TRIES ?? 4);
  const service = new ShareServiceClient(endpoint, credential, {
    // 500/503 and network errors are retried by the SDK (exponential); 429 + Retry-After by the transfer engine.
    retryOptions: { maxTries: Number.isFinite(maxTries) && maxTries >= 1 ? maxTries : 4, retryDelayInMs: 200, maxRetryDelayInMs: 10_000 },
  });
  return { account, keySource, endpoint, service, ...(environment ? { environment } : {}) };
}

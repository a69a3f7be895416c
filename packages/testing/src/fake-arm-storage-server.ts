/**
 * Test double: the slice of Azure Resource Manager that `storage rules` and the key lookup of `storage upload` use,
 * on loopback http (clients get `endpoint` + `allowInsecureConnection` and no bearer policy: @cvat-cloud/runtime
 * armClientSetup + applyArmSetup).
 * Answers with the documented wire shapes (`properties.networkAcls`, `listKeys` → `keys[]`, ARM error envelopes),
 * paths matched case-insensitively as ARM does, and injectable 429 (Retry-After) / 403 faults.
 *
 * @see https://learn.microsoft.com/rest/api/storagerp/storage-accounts/get-properties
 * @see https://learn.microsoft.com/rest/api/storagerp/storage-accounts/list-keys
 */
import { startLoopbackServer, type LoopbackResponse, type LoopbackServer } from './loopback-server';

/** A storage account as the double stores it (wire format of `properties`). */
export interface FakeStorageAccount {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  key: string;
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  networkAcls?: {
    bypass?: string;
    defaultAction: 'Allow' | 'Deny';
    ipRules?: { value: string; action?: 'Allow' }[];
    virtualNetworkRules?: { id: string; action?: 'Allow'; state?: string }[];
  };
}

export interface FakeArmStorageServer extends LoopbackServer {
  addAccount(account: FakeStorageAccount): void;
  /** The next `count` requests get 429 with `Retry-After: retryAfterSeconds`. */
  throttle(count: number, retryAfterSeconds: number): void;
  /** The next `count` requests get 403 AuthorizationFailed. */
  forbid(count: number): void;
  /** Request log with the api-version and whether an Authorization header was sent. */
  log: { method: string; path: string; apiVersion: string | null; authorization: boolean }[];
}

const armError = (status: number, code: string, message: string, headers: Record<string, string> = {}): LoopbackResponse => ({
  status,
  headers: { 'x-ms-failure-cause': 'gateway', ...headers },
  body: { error: { code, message } },
});

export async function startFakeArmStorageServer(): Promise<FakeArmStorageServer> {
  const accounts = new Map<string, FakeStorageAccount>();
  const keyOf = (sub: string, rg: string, name: string): string => `${sub}/${rg}/${name}`.toLowerCase();
  const faults = { throttle: 0, retryAfter: 0, forbid: 0 };
  const log: FakeArmStorageServer['log'] = [];

  const server = await startLoopbackServer((req) => {
    log.push({
      method: req.method,
      path: req.path,
      apiVersion: req.query.get('api-version'),
      authorization: Boolean(req.headers.authorization),
    });
    if (faults.throttle > 0) {
      faults.throttle--;
      return armError(429, 'TooManyRequests', 'The request is being throttled.', { 'retry-after': String(faults.retryAfter) });
    }
    if (faults.forbid > 0) {
      faults.forbid--;
      return armError(
        403,
        'AuthorizationFailed',
        "The client does not have authorization to perform action 'Microsoft.Storage/storageAccounts/read'.",
      );
    }
    if (!req.query.get('api-version'))
      return armError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    const m =
      /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)(\/listKeys)?$/i.exec(
        req.path,
      );
    if (!m) return armError(404, 'NotFound', `fake ARM: no route for ${req.method} ${req.path}`);
    const [, sub, rg, name, listKeys] = m as unknown as [string, string, string, string, string | undefined];
    const account = accounts.get(keyOf(sub, rg, name));
    if (!account) {
      return armError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.Storage/storageAccounts/${name}' under resource group '${rg}' was not found.`,
      );
    }
    if (listKeys) {
      if (req.method !== 'POST') return armError(405, 'MethodNotAllowed', 'listKeys is POST');
      return {
        status: 200,
        body: { keys: [{ keyName: 'key1', value: account.key, permissions: 'FULL', creationTime: '2026-01-01T00:00:00Z' }] },
      };
    }
    if (req.method !== 'GET') return armError(405, 'MethodNotAllowed', 'only GET');
    return {
      status: 200,
      body: {
        id: `/subscriptions/${account.subscriptionId}/resourceGroups/${account.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${account.name}`,
        name: account.name,
        type: 'Microsoft.Storage/storageAccounts',
        location: 'westeurope',
        kind: 'StorageV2',
        sku: { name: 'Standard_LRS', tier: 'Standard' },
        properties: {
          provisioningState: 'Succeeded',
          ...(account.publicNetworkAccess ? { publicNetworkAccess: account.publicNetworkAccess } : {}),
          primaryEndpoints: { file: `https://${account.name}.file.core.windows.net/` },
          ...(account.networkAcls
            ? {
                networkAcls: {
                  bypass: account.networkAcls.bypass ?? 'AzureServices',
                  defaultAction: account.networkAcls.defaultAction,
                  ipRules: (account.networkAcls.ipRules ?? []).map((r) => ({ value: r.value, action: r.action ?? 'Allow' })),
                  virtualNetworkRules: (account.networkAcls.virtualNetworkRules ?? []).map((r) => ({
                    id: r.id,
                    action: r.action ?? 'Allow',
                    state: r.state ?? 'Succeeded',
                  })),
                },
              }
            : {}),
        },
      },
    };
  });
  return Object.assign(server, {
    log,
    addAccount(account: FakeStorageAccount) {
      accounts.set(keyOf(account.subscriptionId, account.resourceGroup, account.name), account);
    },
    throttle(count: number, retryAfterSeconds: number) {
      faults.throttle = count;
      faults.retryAfter = retryAfterSeconds;
    },
    forbid(count: number) {
      faults.forbid = count;
    },
  });
}

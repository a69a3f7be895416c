// The preflight routes of ARM on the shared loopback server of @cvat-cloud/testing (its FakeArmServer covers
// Microsoft.App apps and jobs; these subscription-level reads are preflight's alone), with its FakeCredential.
import { FakeCredential, type LoopbackRequest, type LoopbackResponse, type LoopbackServer, startLoopbackServer } from '@cvat-cloud/testing';

export { FakeCredential };

/** A credential that fails every token request with `message`, as @azure/identity does. */
export function failingCredential(message: string): FakeCredential {
  return new FakeCredential(undefined, new Error(message));
}

/** One request the double received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body?: unknown;
}

/** A scripted failure: the next `times` requests matching `match` get this answer. */
export interface Fault {
  /** Matched against `METHOD /path` (no query). */
  readonly match: RegExp;
  readonly status: number;
  readonly code: string;
  readonly message?: string;
  /** `Retry-After` header in seconds (429). */
  readonly retryAfterSeconds?: number;
  /** @default 1 */
  times?: number;
}

/** One Container Apps usage entry (`GET …/usages`). */
export interface Usage {
  readonly name: string;
  readonly currentValue: number;
  readonly limit: number;
}

/** What the subscription looks like to the double. Defaults describe a healthy subscription. */
export interface ArmWorld {
  /** `undefined` → 404 SubscriptionNotFound. */
  subscription?: { state: string; displayName: string };
  /** Registration state per namespace; listed `providersPageSize` per page with a `nextLink`. */
  providers: Record<string, string>;
  providersPageSize: number;
  /** Resources of the target group; `undefined` → 404 ResourceGroupNotFound. */
  resourceGroupResources?: { name: string; type: string }[];
  takenStorageNames: string[];
  takenKeyVaultNames: string[];
  deletedVaults: { name: string; location: string; purgeProtectionEnabled?: boolean; scheduledPurgeDate?: string }[];
  takenPostgresNames: string[];
  takenDnsLabels: string[];
  /** Compute SKUs of the location, one per page. */
  skus: { name: string; resourceType?: string; locations?: string[]; restrictions?: unknown[] }[];
  postgresCapabilities: unknown[];
  regionUsages: Usage[];
  environmentUsages: Usage[];
  /** Plain-text answer of `GET /ip` (the echo service double). */
  echoIp: string;
}

/** The api-version the product must send for each route (a wrong one is answered 400, as ARM does). */
const API_VERSIONS: { route: RegExp; apiVersion: string }[] = [
  { route: /^GET \/subscriptions\/[^/]+$/, apiVersion: '2022-12-01' },
  { route: /^GET \/subscriptions\/[^/]+\/providers$/, apiVersion: '2021-04-01' },
  { route: /^GET \/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/resources$/, apiVersion: '2021-04-01' },
  { route: /Microsoft\.Storage\/checkNameAvailability$/, apiVersion: '2025-08-01' },
  { route: /Microsoft\.KeyVault\//, apiVersion: '2023-07-01' },
  { route: /Microsoft\.DBforPostgreSQL\//, apiVersion: '2025-08-01' },
  { route: /CheckDnsNameAvailability$/, apiVersion: '2024-05-01' },
  { route: /Microsoft\.Compute\/skus$/, apiVersion: '2021-07-01' },
  { route: /Microsoft\.App\//, apiVersion: '2025-07-01' },
];

/** Namespaces of a subscription where everything the stacks need is registered. */
export const REGISTERED_PROVIDERS: Record<string, string> = {
  'Microsoft.App': 'Registered',
  'Microsoft.Compute': 'Registered',
  'Microsoft.DBforPostgreSQL': 'Registered',
  'Microsoft.KeyVault': 'Registered',
  'Microsoft.ManagedIdentity': 'Registered',
  'Microsoft.Network': 'Registered',
  'Microsoft.OperationalInsights': 'Registered',
  'Microsoft.Insights': 'Registered',
  'Microsoft.Storage': 'Registered',
  'Microsoft.Resources': 'Registered',
  'Microsoft.Sql': 'NotRegistered',
};

/**
 * PostgreSQL capabilities of a location, in the shape of
 * Azure/azure-rest-api-specs …/Microsoft.DBforPostgreSQL/stable/2025-08-01/examples/CapabilitiesByLocationList.json
 * (trimmed to the fields preflight reads).
 */
export function postgresCapabilities(options: { skus?: string[]; versions?: string[]; offerRestricted?: boolean } = {}): unknown[] {
  return [
    {
      name: 'FlexibleServerCapabilities',
      supportedServerEditions: [
        {
          name: 'Burstable',
          defaultSkuName: 'Standard_B1ms',
          supportedServerSkus: (options.skus ?? ['Standard_B1ms', 'Standard_B2s']).map((name) => ({
            name,
            vCores: 1,
            supportedFeatures: [],
          })),
        },
        { name: 'GeneralPurpose', defaultSkuName: 'Standard_D2s_v3', supportedServerSkus: [{ name: 'Standard_D2s_v3', vCores: 2 }] },
      ],
      supportedServerVersions: (options.versions ?? ['13', '14', '15', '16']).map((name) => ({ name, supportedVersionsToUpgrade: [] })),
      supportedFeatures: [{ name: 'OfferRestricted', status: options.offerRestricted ? 'Enabled' : 'Disabled' }],
    },
  ];
}

/** A world in which every check passes for the example environment (westeurope, Standard_B2ats_v2, B_Standard_B1ms 15). */
export function healthyWorld(): ArmWorld {
  return {
    subscription: { state: 'Enabled', displayName: 'cvat test' },
    providers: { ...REGISTERED_PROVIDERS },
    providersPageSize: 3,
    resourceGroupResources: undefined,
    takenStorageNames: [],
    takenKeyVaultNames: [],
    deletedVaults: [],
    takenPostgresNames: [],
    takenDnsLabels: [],
    skus: [
      { name: 'Standard_B1s', resourceType: 'virtualMachines', locations: ['westeurope'] },
      {
        name: 'Standard_B2ats_v2',
        resourceType: 'virtualMachines',
        locations: ['westeurope'],
        restrictions: [
          {
            type: 'Zone',
            values: ['westeurope'],
            restrictionInfo: { locations: ['westeurope'], zones: ['1'] },
            reasonCode: 'NotAvailableForSubscription',
          },
        ],
      },
      { name: 'Standard_LRS', resourceType: 'disks', locations: ['westeurope'] },
    ],
    postgresCapabilities: postgresCapabilities(),
    regionUsages: [{ name: 'ManagedEnvironmentCount', currentValue: 1, limit: 15 }],
    environmentUsages: [{ name: 'ManagedEnvironmentConsumptionCores', currentValue: 4, limit: 100 }],
    echoIp: '198.51.100.7',
  };
}

/**
 * A test double of Azure Resource Manager for the preflight calls, on 127.0.0.1 over plain HTTP. It answers
 * the documented response shapes of each operation (cited in src/preflight/checks.ts), pages lists with
 * `nextLink`, checks the api-version of every route, records every request, and injects scripted faults
 * (403, 404, 409, 429 with `Retry-After`).
 */
export class FakePreflightArmServer {
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  endpoint = '';
  private server: LoopbackServer | undefined;

  constructor(readonly world: ArmWorld = healthyWorld()) {}

  async start(): Promise<this> {
    this.server = await startLoopbackServer((req) => this.answer(req));
    this.endpoint = this.server.url;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** Requests whose `METHOD /path` matches. */
  calls(match: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => match.test(`${r.method} ${r.path}`));
  }

  private json(status: number, body: unknown, headers: Record<string, string> = {}): LoopbackResponse {
    return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
  }

  private error(status: number, code: string, message: string, headers: Record<string, string> = {}): LoopbackResponse {
    return this.json(status, { error: { code, message } }, headers);
  }

  /** A page of `items` (`$skiptoken` = offset) with a nextLink when more remain. */
  private page(url: URL, items: unknown[], size: number): LoopbackResponse {
    const offset = Number(url.searchParams.get('$skiptoken') ?? 0);
    const slice = items.slice(offset, offset + size);
    let nextLink: string | null = null;
    if (offset + size < items.length) {
      const next = new URL(url.toString());
      next.searchParams.set('$skiptoken', String(offset + size));
      nextLink = next.toString();
    }
    return this.json(200, { value: slice, nextLink });
  }

  private answer(req: LoopbackRequest): LoopbackResponse {
    const text = req.body.toString('utf8');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const path = req.path;
    const url = new URL(`${path}?${req.query.toString()}`, this.endpoint);
    const query = Object.fromEntries(req.query.entries());
    this.requests.push({ method: req.method, path, query, ...(body === undefined ? {} : { body }) });
    const key = `${req.method} ${path}`;
    const w = this.world;

    if (req.method === 'GET' && path === '/ip') return { status: 200, headers: { 'content-type': 'text/plain' }, body: w.echoIp };
    const fault = this.faults.find((f) => f.match.test(key) && (f.times ?? 1) > 0);
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      return this.error(
        fault.status,
        fault.code,
        fault.message ?? `scripted ${fault.status}`,
        fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {},
      );
    }
    const expected = API_VERSIONS.find((a) => a.route.test(key));
    if (expected && query['api-version'] !== expected.apiVersion) {
      return this.error(
        400,
        'InvalidApiVersionParameter',
        `The api-version '${query['api-version']}' is invalid for ${path}; the double expects ${expected.apiVersion}.`,
      );
    }
    if (req.method === 'POST' && !/application\/json/.test(String(req.headers['content-type']))) {
      return this.error(415, 'UnsupportedMediaType', 'POST bodies must be JSON');
    }
    const getMatch = (route: RegExp) => (req.method === 'GET' ? route.exec(path) : null);
    const subscription = getMatch(/^\/subscriptions\/([^/]+)$/);
    if (subscription) {
      if (!w.subscription) return this.error(404, 'SubscriptionNotFound', `The subscription '${subscription[1]}' could not be found.`);
      return this.json(200, {
        id: `/subscriptions/${subscription[1]}`,
        subscriptionId: subscription[1],
        tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        ...w.subscription,
      });
    }
    const providers = getMatch(/^\/subscriptions\/([^/]+)\/providers$/);
    if (providers) {
      const items = Object.entries(w.providers).map(([namespace, registrationState]) => ({
        id: `/subscriptions/${providers[1]}/providers/${namespace}`,
        namespace,
        registrationState,
        resourceTypes: [],
      }));
      return this.page(url, items, w.providersPageSize);
    }
    const groupResources = getMatch(/^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/resources$/);
    if (groupResources) {
      if (!w.resourceGroupResources)
        return this.error(404, 'ResourceGroupNotFound', `Resource group '${groupResources[2]}' could not be found.`);
      const items = w.resourceGroupResources.map((r) => ({
        id: `/subscriptions/${groupResources[1]}/resourceGroups/${groupResources[2]}/providers/${r.type}/${r.name}`,
        name: r.name,
        type: r.type,
        location: 'westeurope',
      }));
      return this.page(url, items, 2);
    }
    if (req.method === 'POST' && /\/providers\/Microsoft\.Storage\/checkNameAvailability$/.test(path)) {
      const name = (body as { name: string; type: string }).name;
      if ((body as { type?: string }).type !== 'Microsoft.Storage/storageAccounts')
        return this.error(400, 'InvalidType', 'type must be Microsoft.Storage/storageAccounts');
      return this.json(
        200,
        w.takenStorageNames.includes(name)
          ? { nameAvailable: false, reason: 'AlreadyExists', message: `The storage account named ${name} is already taken.` }
          : { nameAvailable: true },
      );
    }
    if (req.method === 'POST' && /\/providers\/Microsoft\.KeyVault\/checkNameAvailability$/.test(path)) {
      const name = (body as { name: string }).name;
      if ((body as { type?: string }).type !== 'Microsoft.KeyVault/vaults')
        return this.error(400, 'InvalidType', 'type must be Microsoft.KeyVault/vaults');
      return this.json(
        200,
        w.takenKeyVaultNames.includes(name)
          ? { nameAvailable: false, reason: 'AlreadyExists', message: `The vault name '${name}' is already in use.` }
          : { nameAvailable: true },
      );
    }
    const deletedVault = getMatch(/^\/subscriptions\/([^/]+)\/providers\/Microsoft\.KeyVault\/deletedVaults$/);
    if (deletedVault) {
      const items = w.deletedVaults.map((d) => ({
        id: `/subscriptions/${deletedVault[1]}/providers/Microsoft.KeyVault/locations/${d.location}/deletedVaults/${d.name}`,
        name: d.name,
        type: 'Microsoft.KeyVault/deletedVaults',
        properties: {
          vaultId: `/subscriptions/${deletedVault[1]}/resourceGroups/old-rg/providers/Microsoft.KeyVault/vaults/${d.name}`,
          location: d.location,
          deletionDate: '2026-11-01T00:00:00Z',
          scheduledPurgeDate: d.scheduledPurgeDate ?? '2026-11-08T00:00:00Z',
          purgeProtectionEnabled: d.purgeProtectionEnabled ?? false,
        },
      }));
      return this.page(url, items, 1);
    }
    if (req.method === 'POST' && /\/providers\/Microsoft\.DBforPostgreSQL\/locations\/[^/]+\/checkNameAvailability$/.test(path)) {
      const { name, type } = body as { name: string; type: string };
      if (type !== 'Microsoft.DBforPostgreSQL/flexibleServers')
        return this.error(400, 'InvalidType', 'type must be Microsoft.DBforPostgreSQL/flexibleServers');
      return this.json(
        200,
        w.takenPostgresNames.includes(name)
          ? { nameAvailable: false, reason: 'AlreadyExists', message: `Specified server name '${name}' is already used.`, name, type }
          : { nameAvailable: true, message: '', name, type },
      );
    }
    if (req.method === 'GET' && /\/providers\/Microsoft\.DBforPostgreSQL\/locations\/[^/]+\/capabilities$/.test(path)) {
      return this.page(url, w.postgresCapabilities, 1);
    }
    if (req.method === 'GET' && /\/providers\/Microsoft\.Network\/locations\/[^/]+\/CheckDnsNameAvailability$/.test(path)) {
      const label = query.domainNameLabel ?? '';
      if (!label) return this.error(400, 'MissingParameter', 'domainNameLabel is required');
      return this.json(200, { available: !w.takenDnsLabels.includes(label) });
    }
    if (req.method === 'GET' && /\/providers\/Microsoft\.Compute\/skus$/.test(path)) {
      const loc = /location eq '([^']+)'/.exec(query.$filter ?? '')?.[1];
      const items = w.skus
        .filter((s) => !loc || (s.locations ?? [loc]).includes(loc))
        .map((s) => ({ resourceType: 'virtualMachines', tier: 'Standard', capabilities: [], ...s }));
      return this.page(url, items, 1);
    }
    if (req.method === 'GET' && /\/providers\/Microsoft\.App\/locations\/[^/]+\/usages$/.test(path)) {
      return this.page(
        url,
        w.regionUsages.map((u) => usageBody(u)),
        1,
      );
    }
    if (req.method === 'GET' && /\/providers\/Microsoft\.App\/managedEnvironments\/[^/]+\/usages$/.test(path)) {
      return this.page(
        url,
        w.environmentUsages.map((u) => usageBody(u)),
        1,
      );
    }
    return this.error(400, 'UnexpectedRequest', `${req.method} ${path}`);
  }
}

function usageBody(u: Usage): unknown {
  return { unit: 'Count', currentValue: u.currentValue, limit: u.limit, name: { value: u.name, localizedValue: u.name } };
}

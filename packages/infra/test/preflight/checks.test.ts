import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resourceNames } from '@cvat-cloud/catalogue';
import { armTarget } from '../../src/preflight/arm';
import { createPreflightClients } from '../../src/preflight/clients';
import { derivePreflightInputs, type PreflightInputs } from '../../src/preflight/inputs';
import { type PreflightReport, runPreflight } from '../../src/preflight/run';
import { configWith, synthesize, type Synthesized } from '../support/synth';
import {
  type ArmWorld,
  FakeCredential,
  FakePreflightArmServer,
  failingCredential,
  healthyWorld,
  postgresCapabilities,
} from './support/fake-preflight-arm-server';

const SUB = '11111111-2222-3333-4444-555555555555';
let syn: Synthesized;
let inputs: PreflightInputs;
let names: ReturnType<typeof resourceNames>;
const servers: FakePreflightArmServer[] = [];

beforeAll(() => {
  syn = synthesize();
  inputs = derivePreflightInputs(
    syn.model.stacks.map((s) => s.json as never),
    syn.config,
    syn.catalogue,
  );
  names = resourceNames(syn.config);
});
afterAll(() => syn?.dispose());
afterEach(async () => {
  while (servers.length) await servers.pop()!.stop();
});

interface RunResult {
  report: PreflightReport;
  server: FakePreflightArmServer;
  lines: string[];
  status: (id: string) => string;
  check: (id: string) => PreflightReport['checks'][number];
}

async function run(
  change: (w: ArmWorld, server: FakePreflightArmServer) => void = () => undefined,
  options: { deployerIp?: string; credential?: FakeCredential; inputs?: PreflightInputs; timeoutSeconds?: number } = {},
): Promise<RunResult> {
  const server = new FakePreflightArmServer(healthyWorld());
  change(server.world, server);
  await server.start();
  servers.push(server);
  const credential = options.credential ?? new FakeCredential();
  const lines: string[] = [];
  const report = await runPreflight({
    inputs: options.inputs ?? inputs,
    subscriptionId: SUB,
    credential,
    clients: createPreflightClients(armTarget(credential, server.endpoint, 2), SUB),
    deployerIp: options.deployerIp ? { address: options.deployerIp, source: '--deployer-ip' } : undefined,
    log: (l) => lines.push(l),
    checkTimeoutSeconds: options.timeoutSeconds,
  });
  const check = (id: string) => report.checks.find((c) => c.id === id)!;
  return { report, server, lines, status: (id) => check(id).status, check };
}

describe('inputs derived from the synthesized example', () => {
  it('maps every azurerm type to a provider and names the namespaces the stacks use, not a hand list', () => {
    expect(inputs.unmappedTypes).toEqual([]);
    // Microsoft.Insights only when the stacks carry monitor resources (diagnostic settings).
    const monitors = syn.model.stacks.some((s) =>
      Object.keys((s.json as { resource?: object }).resource ?? {}).some((t) => t.startsWith('azurerm_monitor_')),
    );
    expect(inputs.resourceProviders).toEqual([
      'Microsoft.App',
      'Microsoft.Compute',
      'Microsoft.DBforPostgreSQL',
      ...(monitors ? ['Microsoft.Insights'] : []),
      'Microsoft.KeyVault',
      'Microsoft.ManagedIdentity',
      'Microsoft.Network',
      'Microsoft.OperationalInsights',
      'Microsoft.Storage',
    ]);
  });

  it('takes the global names, sizes and SKUs from the JSON terraform will apply', () => {
    expect(inputs.resourceGroup).toBe(names.resourceGroup);
    expect(inputs.storageAccounts.map((s) => s.name)).toEqual([names.storageAccount]);
    expect(inputs.keyVaults.map((s) => s.name)).toEqual([names.keyVault]);
    expect(inputs.postgresServers).toEqual([
      expect.objectContaining({ name: names.postgresServer, skuName: 'B_Standard_B1ms', version: '15', location: 'westeurope' }),
    ]);
    expect(inputs.dnsLabels).toEqual([expect.objectContaining({ name: names.publicIp, label: names.dnsLabel })]);
    expect(inputs.virtualMachines).toEqual([expect.objectContaining({ name: names.edgeVm, size: 'Standard_B2ats_v2' })]);
    expect(inputs.containerAppsEnvironments.map((e) => e.name)).toEqual([names.containerAppsEnvironment]);
    expect(inputs.recoverSoftDeletedKeyVaults).toBe(true);
    expect(inputs.containerAppsCpuCoresAtMax).toBeGreaterThan(0);
  });

  it('has no VM, public IP or DNS label to check with edge.mode none, and the run skips those checks', async () => {
    const none = synthesize(configWith({ edge: { mode: 'none', hostname: 'cvat.example.com' } }));
    try {
      const derived = derivePreflightInputs(
        none.model.stacks.map((s) => s.json as never),
        none.config,
        none.catalogue,
      );
      expect(derived.virtualMachines).toEqual([]);
      expect(derived.dnsLabels).toEqual([]);
      expect(derived.unmappedTypes).toEqual([]);
      const r = await run(() => undefined, { inputs: derived });
      expect(r.status('vm-size')).toBe('skip');
      expect(r.status('dns-label')).toBe('skip');
      expect(r.server.calls(/Microsoft\.Compute\/skus$|CheckDnsNameAvailability$/)).toEqual([]);
    } finally {
      none.dispose();
    }
  });

  it('reports a resource type with no known provider instead of skipping it', () => {
    const stacks = [
      {
        resource: {
          azurerm_cosmosdb_account: { x: { name: 'x' } },
          azurerm_storage_account: { s: { name: 'st', location: 'westeurope' } },
        },
      },
    ];
    const derived = derivePreflightInputs(stacks, syn.config, syn.catalogue);
    expect(derived.unmappedTypes).toEqual(['azurerm_cosmosdb_account']);
    expect(derived.resourceProviders).toEqual(['Microsoft.Storage']);
  });
});

describe('preflight against the loopback ARM double', () => {
  it('passes every ARM check on a healthy subscription, skips the address check without an address, and pages every list', async () => {
    const r = await run();
    expect(r.report.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'credentials:pass',
      'resource-providers:pass',
      'storage-account-name:pass',
      'key-vault-name:pass',
      'postgres-server-name:pass',
      'dns-label:pass',
      'vm-size:pass',
      'postgres-sku:pass',
      'container-apps-quota:pass',
      'deployer-ip:skip',
    ]);
    expect(r.report.ok).toBe(true);
    expect(r.check('deployer-ip').fix).toContain('--deployer-ip <address>');
    // 10 providers in pages of 3 → 4 requests; SKUs one per page → 3.
    expect(r.server.calls(/^GET \/subscriptions\/[^/]+\/providers$/)).toHaveLength(4);
    expect(r.server.calls(/Microsoft\.Compute\/skus$/)).toHaveLength(3);
    expect(r.server.calls(/Microsoft\.Compute\/skus$/)[0].query.$filter).toBe("location eq 'westeurope'");
    // The resource group is listed once (404: nothing deployed yet) and shared by the name checks.
    expect(r.server.calls(/\/resourceGroups\/cvat-example-rg\/resources$/).length).toBeLessThanOrEqual(1);
    expect(r.lines[0]).toContain("10 checks for environment 'example'");
    expect(r.lines.some((l) => /^preflight: PASS vm-size — Standard_B2ats_v2 available in westeurope/.test(l))).toBe(true);
  });

  it('credentials: fails with the fix when no token can be had, and skips every ARM check without calling ARM', async () => {
    const r = await run(() => undefined, {
      credential: failingCredential('AADSTS7000215: Invalid client secret provided.'),
      deployerIp: '203.0.113.9',
    });
    expect(r.status('credentials')).toBe('fail');
    expect(r.check('credentials').detail).toContain('AADSTS7000215');
    expect(r.check('credentials').fix).toContain('az login');
    expect(r.report.checks.filter((c) => c.status === 'skip').map((c) => c.id)).toHaveLength(8);
    expect(r.status('deployer-ip')).toBe('pass');
    expect(r.server.requests).toEqual([]);
    const offline = await run(() => undefined, {
      credential: failingCredential('network_error: See https://aka.ms/msal.js.errors#network_error for details'),
    });
    expect(offline.check('credentials').fix).toContain('cannot reach the Microsoft Entra token endpoint');
  });

  it('credentials: fails for a subscription that is not visible (404) or disabled', async () => {
    const missing = await run((w) => (w.subscription = undefined));
    expect(missing.status('credentials')).toBe('fail');
    expect(missing.check('credentials').detail).toContain('HTTP 404 SubscriptionNotFound');
    expect(missing.check('credentials').fix).toContain('subscriptionId / ARM_SUBSCRIPTION_ID');
    const disabled = await run((w) => (w.subscription = { state: 'Disabled', displayName: 'old' }));
    expect(disabled.status('credentials')).toBe('fail');
    expect(disabled.check('credentials').detail).toContain("subscription 'old' 11111111-2222-3333-4444-555555555555 is Disabled");
  });

  it('resource-providers: names each unregistered namespace and gives the register command', async () => {
    const r = await run((w) => {
      w.providers['Microsoft.App'] = 'NotRegistered';
      delete w.providers['Microsoft.ManagedIdentity'];
    });
    expect(r.status('resource-providers')).toBe('fail');
    expect(r.check('resource-providers').detail).toBe(
      'not registered: Microsoft.App (NotRegistered), Microsoft.ManagedIdentity (NotRegistered)',
    );
    expect(r.check('resource-providers').fix).toBe(
      'az provider register --wait --namespace Microsoft.App && az provider register --wait --namespace Microsoft.ManagedIdentity',
    );
  });

  it('resource-providers: a 403 names the missing permission; a 429 with Retry-After is retried and then passes', async () => {
    const denied = await run((_w, s) =>
      s.faults.push({
        match: /^GET \/subscriptions\/[^/]+\/providers$/,
        status: 403,
        code: 'AuthorizationFailed',
        message: 'The client does not have authorization',
      }),
    );
    expect(denied.status('resource-providers')).toBe('fail');
    expect(denied.check('resource-providers').detail).toContain('HTTP 403 AuthorizationFailed');
    expect(denied.check('resource-providers').fix).toContain('give the deploying principal Reader');

    const throttled = await run((_w, s) =>
      s.faults.push({ match: /^GET \/subscriptions\/[^/]+\/providers$/, status: 429, code: 'TooManyRequests', retryAfterSeconds: 1 }),
    );
    expect(throttled.status('resource-providers')).toBe('pass');
    // one refused + four pages
    expect(throttled.server.calls(/^GET \/subscriptions\/[^/]+\/providers$/)).toHaveLength(5);
  });

  it('a 401 on a listing names the token as the problem', async () => {
    const r = await run((_w, s) =>
      s.faults.push({ match: /deletedVaults$/, status: 401, code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' }),
    );
    expect(r.status('key-vault-name')).toBe('fail');
    expect(r.check('key-vault-name').detail).toBe(
      'listing soft-deleted Key Vaults failed: HTTP 401 InvalidAuthenticationToken: The access token is invalid.',
    );
    expect(r.check('key-vault-name').fix).toContain('ARM refused the token');
  });

  it('a 429 that outlasts the retries fails with the throttling fix', async () => {
    const r = await run((_w, s) =>
      s.faults.push({ match: /Microsoft\.Compute\/skus$/, status: 429, code: 'TooManyRequests', retryAfterSeconds: 0, times: 10 }),
    );
    expect(r.status('vm-size')).toBe('fail');
    expect(r.check('vm-size').detail).toContain('HTTP 429 TooManyRequests');
    expect(r.check('vm-size').fix).toContain('throttling');
    expect(r.server.calls(/Microsoft\.Compute\/skus$/)).toHaveLength(3);
  });

  it('storage-account-name: a name taken elsewhere fails; the same name owned by this resource group passes', async () => {
    const taken = await run((w) => w.takenStorageNames.push(names.storageAccount));
    expect(taken.status('storage-account-name')).toBe('fail');
    expect(taken.check('storage-account-name').detail).toContain(`'${names.storageAccount}' is taken (AlreadyExists`);
    expect(taken.check('storage-account-name').fix).toContain('`namePrefix`');

    const ours = await run((w) => {
      w.takenStorageNames.push(names.storageAccount);
      w.resourceGroupResources = [
        { name: 'other', type: 'Microsoft.Network/virtualNetworks' },
        { name: 'x', type: 'Microsoft.Storage/storageAccounts' },
        { name: names.storageAccount, type: 'Microsoft.Storage/storageAccounts' },
      ];
    });
    expect(ours.status('storage-account-name')).toBe('pass');
    expect(ours.check('storage-account-name').detail).toBe(`${names.storageAccount} already belongs to this deployment`);
    // three resources, two per page
    expect(ours.server.calls(/\/resourceGroups\/cvat-example-rg\/resources$/)).toHaveLength(2);
  });

  it('a 409 from the resource listing (group being deleted) fails the checks that need it, with the ARM code', async () => {
    const r = await run((w, s) => {
      w.takenStorageNames.push(names.storageAccount);
      s.faults.push({
        match: /\/resources$/,
        status: 409,
        code: 'ResourceGroupBeingDeleted',
        message: 'The resource group is being deleted.',
        times: 5,
      });
    });
    expect(r.status('storage-account-name')).toBe('fail');
    expect(r.check('storage-account-name').detail).toContain('HTTP 409 ResourceGroupBeingDeleted');
  });

  it(
    'key-vault-name: taken elsewhere fails; soft-deleted here is recovered; soft-deleted elsewhere or with recovery off fails with ' +
      'the purge command',
    async () => {
      const taken = await run((w) => w.takenKeyVaultNames.push(names.keyVault));
      expect(taken.status('key-vault-name')).toBe('fail');
      expect(taken.check('key-vault-name').detail).toContain('taken outside this subscription');

      const owned = await run((w) => {
        w.takenKeyVaultNames.push(names.keyVault);
        w.resourceGroupResources = [{ name: names.keyVault, type: 'Microsoft.KeyVault/vaults' }];
      });
      expect(owned.status('key-vault-name')).toBe('pass');

      const recoverable = await run((w) => {
        w.takenKeyVaultNames.push(names.keyVault);
        w.deletedVaults.push({ name: 'unrelated-kv', location: 'westeurope' }, { name: names.keyVault, location: 'westeurope' });
      });
      expect(recoverable.status('key-vault-name')).toBe('pass');
      expect(recoverable.check('key-vault-name').detail).toContain('terraform recovers it');
      expect(recoverable.server.calls(/deletedVaults$/)).toHaveLength(2);

      const elsewhere = await run((w) => w.deletedVaults.push({ name: names.keyVault, location: 'northeurope' }));
      expect(elsewhere.status('key-vault-name')).toBe('fail');
      expect(elsewhere.check('key-vault-name').fix).toBe(`az keyvault purge --name ${names.keyVault} --location northeurope`);

      const noRecover = await run(
        (w) =>
          w.deletedVaults.push({
            name: names.keyVault,
            location: 'westeurope',
            purgeProtectionEnabled: true,
            scheduledPurgeDate: '2026-12-24T00:00:00Z',
          }),
        {
          inputs: { ...inputs, recoverSoftDeletedKeyVaults: false },
        },
      );
      expect(noRecover.status('key-vault-name')).toBe('fail');
      expect(noRecover.check('key-vault-name').detail).toContain('recover_soft_deleted_key_vaults is off');
      expect(noRecover.check('key-vault-name').fix).toContain('purge protection keeps it until 2026-12-24T00:00:00Z');
    },
  );

  it('postgres-server-name: taken elsewhere fails, ours passes', async () => {
    const taken = await run((w) => w.takenPostgresNames.push(names.postgresServer));
    expect(taken.status('postgres-server-name')).toBe('fail');
    expect(taken.check('postgres-server-name').detail).toContain('is already used');
    const ours = await run((w) => {
      w.takenPostgresNames.push(names.postgresServer);
      w.resourceGroupResources = [{ name: names.postgresServer, type: 'Microsoft.DBforPostgreSQL/flexibleServers' }];
    });
    expect(ours.status('postgres-server-name')).toBe('pass');
    expect(ours.server.calls(/DBforPostgreSQL\/locations\/westeurope\/checkNameAvailability$/)[0].body).toEqual({
      name: names.postgresServer,
      type: 'Microsoft.DBforPostgreSQL/flexibleServers',
    });
  });

  it('dns-label: a label taken in the region fails, one held by our public IP passes', async () => {
    const taken = await run((w) => w.takenDnsLabels.push(names.dnsLabel));
    expect(taken.status('dns-label')).toBe('fail');
    expect(taken.check('dns-label').fix).toContain('edge.dnsLabel');
    const ours = await run((w) => {
      w.takenDnsLabels.push(names.dnsLabel);
      w.resourceGroupResources = [{ name: names.publicIp, type: 'Microsoft.Network/publicIPAddresses' }];
    });
    expect(ours.status('dns-label')).toBe('pass');
    expect(ours.server.calls(/CheckDnsNameAvailability$/)[0].query.domainNameLabel).toBe(names.dnsLabel);
  });

  it('vm-size: fails when the size is missing from the region or restricted for the subscription', async () => {
    const missing = await run((w) => (w.skus = w.skus.filter((s) => s.name !== 'Standard_B2ats_v2')));
    expect(missing.status('vm-size')).toBe('fail');
    expect(missing.check('vm-size').detail).toBe('VM size Standard_B2ats_v2 (cvat-example-edge) is not offered in westeurope');
    expect(missing.check('vm-size').fix).toContain('az vm list-skus --location westeurope');
    const restricted = await run((w) => {
      w.skus = [
        {
          name: 'Standard_B2ats_v2',
          locations: ['westeurope'],
          restrictions: [
            {
              type: 'Location',
              values: ['westeurope'],
              restrictionInfo: { locations: ['westeurope'] },
              reasonCode: 'NotAvailableForSubscription',
            },
          ],
        },
      ];
    });
    expect(restricted.status('vm-size')).toBe('fail');
    expect(restricted.check('vm-size').detail).toContain('NotAvailableForSubscription');
  });

  it('postgres-sku: fails for a missing SKU, a missing version and an offer restriction', async () => {
    const sku = await run((w) => (w.postgresCapabilities = postgresCapabilities({ skus: ['Standard_B2s'] })));
    expect(sku.status('postgres-sku')).toBe('fail');
    expect(sku.check('postgres-sku').detail).toBe('PostgreSQL SKU Standard_B1ms (Burstable) is not offered in westeurope');
    const version = await run((w) => (w.postgresCapabilities = postgresCapabilities({ versions: ['16', '17'] })));
    expect(version.status('postgres-sku')).toBe('fail');
    expect(version.check('postgres-sku').detail).toContain('version 15 is not offered in westeurope (offered: 16, 17)');
    const restricted = await run((w) => (w.postgresCapabilities = postgresCapabilities({ offerRestricted: true })));
    expect(restricted.status('postgres-sku')).toBe('fail');
    expect(restricted.check('postgres-sku').detail).toContain('OfferRestricted');
  });

  it('container-apps-quota: a full region fails for a new environment; an existing one is held to its core limit', async () => {
    const full = await run((w) => (w.regionUsages = [{ name: 'ManagedEnvironmentCount', currentValue: 15, limit: 15 }]));
    expect(full.status('container-apps-quota')).toBe('fail');
    expect(full.check('container-apps-quota').detail).toContain('already has 15 of 15 Container Apps environments');
    expect(full.server.calls(/managedEnvironments\/[^/]+\/usages$/)).toHaveLength(0);

    const need = inputs.containerAppsCpuCoresAtMax;
    // One core short of what the environment needs at max replicas (the need follows the catalogue's sizes).
    expect(need).toBeGreaterThan(1);
    const regionCores = await run((w) =>
      w.regionUsages.push({ name: 'ManagedEnvironmentConsumptionCores', currentValue: 100 - (need - 1), limit: 100 }),
    );
    expect(regionCores.status('container-apps-quota')).toBe('fail');
    expect(regionCores.check('container-apps-quota').detail).toBe(
      `westeurope: ManagedEnvironmentConsumptionCores has ${need - 1} of 100 free, ${need} vCPU needed at max replicas`,
    );

    const small = await run((w) => {
      w.resourceGroupResources = [{ name: names.containerAppsEnvironment, type: 'Microsoft.App/managedEnvironments' }];
      w.environmentUsages = [{ name: 'ManagedEnvironmentConsumptionCores', currentValue: 2, limit: need - 1 }];
    });
    expect(small.status('container-apps-quota')).toBe('fail');
    expect(small.check('container-apps-quota').detail).toBe(
      `environment ${names.containerAppsEnvironment}: ManagedEnvironmentConsumptionCores limit ${need - 1} < ${need} vCPU needed at max replicas`,
    );
    expect(small.server.calls(/Microsoft\.App\/locations\/[^/]+\/usages$/)).toHaveLength(0);

    const enough = await run((w) => {
      w.resourceGroupResources = [{ name: names.containerAppsEnvironment, type: 'Microsoft.App/managedEnvironments' }];
    });
    expect(enough.status('container-apps-quota')).toBe('pass');
  });

  it('deployer-ip: inside adminCidrs passes; outside or private fails with the fix in one line', async () => {
    const inside = await run(() => undefined, { deployerIp: '203.0.113.77' });
    expect(inside.status('deployer-ip')).toBe('pass');
    expect(inside.check('deployer-ip').detail).toBe('203.0.113.77 (--deployer-ip) is inside 203.0.113.0/24');
    const outside = await run(() => undefined, { deployerIp: '198.51.100.7' });
    expect(outside.status('deployer-ip')).toBe('fail');
    expect(outside.check('deployer-ip').fix).toBe(
      'add 198.51.100.7/32 (or its network) to `adminCidrs` in environments/example.yaml, synthesize and rerun',
    );
    expect(outside.report.ok).toBe(false);
    expect(outside.lines.find((l) => l.startsWith('preflight: FAIL deployer-ip'))).toContain('\n           fix: add 198.51.100.7/32');
    const v6 = await run(() => undefined, { deployerIp: '2001:db8::7' });
    expect(v6.status('deployer-ip')).toBe('fail');
    expect(v6.check('deployer-ip').detail).toContain('is not IPv4');
    const priv = await run(() => undefined, { deployerIp: '192.168.1.20' });
    expect(priv.status('deployer-ip')).toBe('fail');
    expect(priv.check('deployer-ip').detail).toContain('private address');
  });

  it('bounds each check by its timeout', async () => {
    const r = await run(
      (_w, s) =>
        s.faults.push({ match: /Microsoft\.Compute\/skus$/, status: 429, code: 'TooManyRequests', retryAfterSeconds: 30, times: 5 }),
      { timeoutSeconds: 1 },
    );
    expect(r.status('vm-size')).toBe('fail');
    expect(r.check('vm-size').detail).toBe('no answer within 1 s');
    expect(r.status('postgres-sku')).toBe('pass');
  });
});

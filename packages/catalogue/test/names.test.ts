import { describe, expect, it } from 'vitest';
import {
  edgeUrls,
  nameHash,
  parseEnvironmentConfig,
  platformValue,
  resourceNames,
  type EnvironmentConfig,
  type EnvironmentConfigInput,
} from '../src/index';

function config(extra: Partial<EnvironmentConfigInput> = {}): EnvironmentConfig {
  const r = parseEnvironmentConfig({ name: 'dev', adminCidrs: ['203.0.113.0/24'], edge: { acmeEmail: 'ops@cvat-cloud.dev' }, ...extra });
  if (!r.value) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

describe('resourceNames', () => {
  it('derives the documented names for the dev environment', () => {
    // Pinned on purpose: a change here renames globally-unique resources of existing environments.
    const n = resourceNames(config());
    expect(n.hash).toBe('6b698151');
    expect(n).toMatchObject({
      prefix: 'cvat-dev',
      resourceGroup: 'cvat-dev-rg',
      virtualNetwork: 'cvat-dev-vnet',
      keyVault: 'cvat-dev-kv-6b698151',
      storageAccount: 'cvatdevst6b698151',
      nfsStorageAccount: 'cvatdevnf6b698151',
      postgresServer: 'cvat-dev-pg-6b698151',
      postgresFqdn: 'cvat-dev-pg-6b698151.postgres.database.azure.com',
      containerAppsEnvironment: 'cvat-dev-cae',
      dnsLabel: 'cvat-dev-6b698151',
    });
    expect(n.appName('opa')).toBe('opa');
    expect(n.apps['cvat-server']).toBe('cvat-server');
  });

  it('is deterministic and independent of the subscription', () => {
    const a = resourceNames(config());
    const b = resourceNames(config({ subscriptionId: '11111111-2222-3333-4444-555555555555' }));
    expect({ ...b, appName: undefined }).toEqual({ ...a, appName: undefined });
  });

  it('differs between environments, regions and seeds', () => {
    const hashes = [
      config(),
      config({ name: 'prod' }),
      config({ location: 'eastus' }),
      config({ naming: { seed: '2' } }),
      config({ namePrefix: 'acme' }),
    ].map(nameHash);
    expect(new Set(hashes).size).toBe(5);
  });

  it('keeps global names within Azure limits for the longest prefix and name', () => {
    const n = resourceNames(config({ namePrefix: 'abcdefghij', name: 'environment-abcd' }));
    expect(n.storageAccount).toMatch(/^[a-z0-9]{3,24}$/);
    expect(n.nfsStorageAccount).toMatch(/^[a-z0-9]{3,24}$/);
    expect(n.nfsStorageAccount).not.toBe(n.storageAccount);
    expect(n.keyVault).toMatch(/^[a-z][a-z0-9-]{1,22}[a-z0-9]$/);
    expect(n.keyVault).not.toContain('--');
    expect(n.postgresServer.length).toBeLessThanOrEqual(63);
    expect(n.postgresServer).toMatch(/^[a-z0-9]([a-z0-9-]+[a-z0-9])?$/);
    expect(n.dnsLabel).toMatch(/^[a-z][a-z0-9-]{1,61}[a-z0-9]$/);
    expect(n.containerAppsEnvironment.length).toBeLessThanOrEqual(60);
  });

  it('uses a configured DNS label', () => {
    expect(resourceNames(config({ edge: { acmeEmail: 'ops@cvat-cloud.dev', dnsLabel: 'my-cvat' } })).dnsLabel).toBe('my-cvat');
  });
});

describe('edgeUrls and platformValue', () => {
  it('builds the public URLs from the hostname', () => {
    expect(edgeUrls(config({ edge: { acmeEmail: 'ops@cvat-cloud.dev', hostname: 'cvat.example.com' } }))).toEqual({
      host: 'cvat.example.com',
      baseUrl: 'https://cvat.example.com',
      allowedHosts: 'cvat.example.com,cvat-server',
      analyticsUrl: 'https://cvat.example.com/analytics',
    });
  });

  it('falls back to the public IP name of the edge VM', () => {
    expect(edgeUrls(config()).host).toBe('cvat-dev-6b698151.westeurope.cloudapp.azure.com');
  });

  it('uses postgres.serverName (a restored server) for the server and the host every app reads', () => {
    const restored = 'cvat-dev-pg-6b698151-r202612031445';
    const cfg = config({ postgres: { serverName: restored } });
    const n = resourceNames(cfg);
    expect(n.postgresServer).toBe(restored);
    expect(n.postgresServerDerived).toBe('cvat-dev-pg-6b698151');
    expect(n.postgresFqdn).toBe(`${restored}.postgres.database.azure.com`);
    expect(platformValue(cfg, 'postgres.host')).toBe(`${restored}.postgres.database.azure.com`);
    // nothing else moves: the other global names keep their hash
    expect(n.keyVault).toBe(resourceNames(config()).keyVault);
    expect(resourceNames(config()).postgresServerDerived).toBe(resourceNames(config()).postgresServer);
  });

  it('gives the PostgreSQL values', () => {
    const cfg = config();
    expect(platformValue(cfg, 'postgres.host')).toBe('cvat-dev-pg-6b698151.postgres.database.azure.com');
    expect(platformValue(cfg, 'postgres.port')).toBe('5432');
    expect(platformValue(cfg, 'postgres.user')).toBe('cvatadmin');
    expect(platformValue(cfg, 'postgres.database')).toBe('cvat');
  });
});

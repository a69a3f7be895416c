import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_RULES, findRepoRoot, loadEnvironmentConfig, parseEnvironmentConfig } from '../src/index';

const REPO = resolve(__dirname, '..', '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'catalogue-env-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const base = { name: 'dev', adminCidrs: ['203.0.113.0/24'], edge: { acmeEmail: 'ops@cvat-cloud.dev' } };

describe('parseEnvironmentConfig', () => {
  it('fills every default from a minimal file', () => {
    const r = parseEnvironmentConfig(base);
    expect(r.errors).toBeUndefined();
    expect(r.value).toMatchObject({
      name: 'dev',
      namePrefix: 'cvat',
      location: 'westeurope',
      cvatVersion: 'v2.73.0',
      analytics: true,
      grafana: false,
      smokescreenOpts: '',
      adminCidrs: ['203.0.113.0/24'],
      network: { addressSpace: '10.28.0.0/16', subnets: { apps: '10.28.0.0/23', privateEndpoints: '10.28.2.0/24', edge: '10.28.3.0/24' } },
      edge: { mode: 'vm', vmSize: 'Standard_B2ats_v2', adminUsername: 'cvatops' },
      postgres: { version: '15', skuName: 'B_Standard_B1ms', administratorLogin: 'cvatadmin', databaseName: 'cvat' },
      stateBackend: { type: 'local', path: 'state', allowPathOutsideRepository: false },
    });
  });

  it.each([
    { name: 'a name with capitals', raw: { ...base, name: 'Dev' }, path: 'name', says: 'lowercase' },
    { name: 'a missing name', raw: { edge: base.edge }, path: 'name', says: 'is required' },
    { name: 'an unknown top-level field', raw: { ...base, analytic: true }, path: 'analytic', says: 'is not a known field' },
    {
      name: 'a malformed CIDR',
      raw: { ...base, network: { addressSpace: '10.28.0.0/33' } },
      path: 'network.addressSpace',
      says: 'IPv4 CIDR',
    },
    { name: 'a CIDR with host bits', raw: { ...base, adminCidrs: ['203.0.113.7/24'] }, path: 'adminCidrs[0]', says: 'IPv4 CIDR' },
    { name: 'a subscription id that is not a GUID', raw: { ...base, subscriptionId: 'my-sub' }, path: 'subscriptionId', says: 'GUID' },
    { name: 'a bad ACME email', raw: { ...base, edge: { acmeEmail: 'ops' } }, path: 'edge.acmeEmail', says: 'email' },
    {
      name: 'a soft-delete retention of 6 days',
      raw: { ...base, keyVault: { softDeleteRetentionDays: 6 } },
      path: 'keyVault.softDeleteRetentionDays',
      says: 'between 7 and 90',
    },
    {
      name: 'a soft-delete retention of 91 days',
      raw: { ...base, keyVault: { softDeleteRetentionDays: 91 } },
      path: 'keyVault.softDeleteRetentionDays',
      says: 'between 7 and 90',
    },
    {
      name: 'a reserved PostgreSQL login',
      raw: { ...base, postgres: { administratorLogin: 'admin' } },
      path: 'postgres.administratorLogin',
      says: 'reserved',
    },
    { name: 'an unknown state backend', raw: { ...base, stateBackend: { type: 's3' } }, path: 'stateBackend.type', says: '"local"' },
    {
      name: 'an azurerm backend without a container',
      raw: { ...base, stateBackend: { type: 'azurerm', resourceGroup: 'rg', storageAccount: 'tfstate1', key: 'k' } },
      path: 'stateBackend.container',
      says: 'required',
    },
    {
      name: 'a string replica override',
      raw: { ...base, components: { 'cvat-server': { replicas: { max: 'two' } } } },
      path: 'components.cvat-server.replicas.max',
      says: 'must be a number',
    },
    {
      name: 'an unknown override field',
      raw: { ...base, components: { 'cvat-server': { cpu: 2 } } },
      path: 'components.cvat-server.cpu',
      says: 'not a known field',
    },
    // environment rules
    {
      name: 'a subnet outside the address space',
      raw: { ...base, network: { subnets: { edge: '10.29.3.0/24' } } },
      path: 'network.subnets.edge',
      says: 'inside network.addressSpace',
      rule: 'subnetsFitAddressSpace',
    },
    {
      name: 'overlapping subnets',
      raw: { ...base, network: { subnets: { privateEndpoints: '10.28.1.0/24' } } },
      path: 'network.subnets.privateEndpoints',
      says: 'must not overlap network.subnets.apps',
      rule: 'subnetsFitAddressSpace',
    },
    {
      name: 'an apps subnet smaller than /27',
      raw: { ...base, network: { subnets: { apps: '10.28.0.0/28' } } },
      path: 'network.subnets.apps',
      says: '/27 or larger',
      rule: 'subnetsFitAddressSpace',
    },
    {
      name: 'an admin CIDR open to the internet',
      raw: { ...base, adminCidrs: ['0.0.0.0/0'] },
      path: 'adminCidrs[0]',
      says: '/8 or narrower',
      rule: 'adminCidrsNotOpen',
    },
    {
      name: 'an edge VM without an ACME email',
      raw: { name: 'dev' },
      path: 'edge.acmeEmail',
      says: "Let's Encrypt",
      rule: 'edgeSettingsComplete',
    },
    {
      name: 'no edge and no hostname',
      raw: { name: 'dev', edge: { mode: 'none' } },
      path: 'edge.hostname',
      says: 'CVAT_HOST',
      rule: 'edgeSettingsComplete',
    },
    {
      name: 'Grafana without analytics',
      raw: { ...base, analytics: false, grafana: true },
      path: 'grafana',
      says: 'analytics',
      rule: 'grafanaNeedsAnalytics',
    },
    {
      name: 'an override of an unknown component',
      raw: { ...base, components: { 'cvat-worker-imports': { replicas: { max: 2 } } } },
      path: 'components.cvat-worker-imports',
      says: 'catalogue component',
      rule: 'overridesNameKnownEntries',
    },
    {
      name: 'an override of an unknown storage',
      raw: { ...base, storages: { cache: { kind: 'nfs' } } },
      path: 'storages.cache',
      says: 'catalogue storage',
      rule: 'overridesNameKnownEntries',
    },
    {
      name: 'the edge switched through components',
      raw: { ...base, components: { edge: { enabled: false } } },
      path: 'components.edge.enabled',
      says: 'edge.mode',
      rule: 'overridesNameKnownEntries',
    },
    {
      name: 'a queue runner switched through components',
      raw: { ...base, components: { 'cvat-job-import': { enabled: false } } },
      path: 'components.cvat-job-import.enabled',
      says: 'queueRunners',
      rule: 'overridesNameKnownEntries',
    },
    {
      name: 'a queue runner for an unknown queue',
      raw: { ...base, queueRunners: { imports: 'cvat-job-import' } },
      path: 'queueRunners.imports',
      says: 'must name a CVAT queue (one of import, export,',
      rule: 'queueRunnersKnown',
    },
    {
      name: 'an event job for the webhooks queue',
      raw: { ...base, queueRunners: { webhooks: 'cvat-job-webhooks' } },
      path: 'queueRunners.webhooks',
      says: 'must be one of cvat-worker-import,',
      rule: 'queueRunnersKnown',
    },
  ])('reports $name', ({ raw, path, says, rule }) => {
    const r = parseEnvironmentConfig(raw, 'environments/dev.yaml');
    expect(r.value).toBeUndefined();
    const issue = r.errors?.find((e) => e.path === path);
    expect(issue, JSON.stringify(r.errors, null, 1)).toBeDefined();
    expect(issue!.message.startsWith(`'${path}' (`)).toBe(true);
    expect(issue!.message).toContain(says);
    expect(issue!.file).toBe('environments/dev.yaml');
    if (rule) expect(issue!.rule).toBe(rule);
  });

  it('has a test case for every environment rule', () => {
    expect(ENVIRONMENT_RULES.map((r) => r.name)).toEqual([
      'subnetsFitAddressSpace',
      'adminCidrsNotOpen',
      'edgeSettingsComplete',
      'grafanaNeedsAnalytics',
      'overridesNameKnownEntries',
      'queueRunnersKnown',
      'locationIsAzureRegion',
      'tagsWithinAzureLimits',
      'adminCidrsWithEdge',
      'edgeVmSizeName',
      'edgeSshKeyAccepted',
      'postgresSkuAccepted',
      'statePathInsideRepository',
      'acmeEmailAccepted',
      'adminCidrsNarrow',
      'keyVaultPurgeProtected',
    ]);
  });

  it('accepts an azurerm state backend and a private-only edge with a hostname', () => {
    const r = parseEnvironmentConfig({
      name: 'prod',
      edge: { mode: 'none', hostname: 'cvat.internal.example.com' },
      stateBackend: { type: 'azurerm', resourceGroup: 'tfstate-rg', storageAccount: 'tfstate123', container: 'tfstate', key: 'cvat-prod' },
    });
    expect(r.errors).toBeUndefined();
    expect(r.value?.stateBackend).toEqual({
      type: 'azurerm',
      resourceGroup: 'tfstate-rg',
      storageAccount: 'tfstate123',
      container: 'tfstate',
      key: 'cvat-prod',
    });
  });
});

describe('loadEnvironmentConfig', () => {
  const root = join(tmp, 'repo');
  const deep = join(root, 'packages', 'infra', 'src');
  mkdirSync(join(root, 'environments'), { recursive: true });
  mkdirSync(deep, { recursive: true });
  writeFileSync(
    join(root, 'environments', 'dev.yaml'),
    'name: dev\nadminCidrs: [203.0.113.0/24]\nedge:\n  acmeEmail: ops@cvat-cloud.dev\n',
  );
  writeFileSync(
    join(root, 'environments', 'wrong.yaml'),
    'name: dev\nadminCidrs: [203.0.113.0/24]\nedge:\n  acmeEmail: ops@cvat-cloud.dev\n',
  );
  writeFileSync(join(root, 'environments', 'broken.yaml'), 'name: broken\nedge:\n  acmeEmail: [ops@cvat-cloud.dev\n');
  writeFileSync(join(root, 'environments', 'dup.yaml'), 'name: dup\nname: dup\n');
  writeFileSync(
    join(root, 'environments', 'invalid.yaml'),
    'name: invalid\nadminCidrs: [203.0.113.0/24]\nedge:\n  acmeEmail: ops@cvat-cloud.dev\nreplicas: 3\n',
  );
  writeFileSync(join(tmp, 'custom.yml'), 'name: custom\nadminCidrs: [203.0.113.0/24]\nedge:\n  acmeEmail: ops@cvat-cloud.dev\n');

  it('finds environments/<name>.yaml by walking up from cwd', () => {
    expect(findRepoRoot(deep)).toBe(root);
    const r = loadEnvironmentConfig('dev', { cwd: deep });
    expect(r.errors).toBeUndefined();
    expect(r.value?.name).toBe('dev');
  });

  it('reads an explicit path relative to cwd', () => {
    const r = loadEnvironmentConfig('./custom.yml', { cwd: tmp });
    expect(r.errors).toBeUndefined();
    expect(r.value?.name).toBe('custom');
  });

  it('reports a missing environment file', () => {
    const r = loadEnvironmentConfig('staging', { cwd: deep });
    expect(r.errors?.[0]?.message).toBe(`'file' (${JSON.stringify(join(root, 'environments', 'staging.yaml'))}) must exist`);
  });

  it('reports when no environments directory exists above cwd', () => {
    const r = loadEnvironmentConfig('dev', { cwd: '/' });
    expect(r.errors?.[0]?.message).toContain('no environments/ directory');
  });

  it('reports a name that does not match the file', () => {
    const r = loadEnvironmentConfig('wrong', { cwd: root });
    expect(r.errors?.[0]?.message).toBe(`'name' ("dev") must equal the file name "wrong"`);
  });

  it('reports YAML syntax errors with their line', () => {
    const r = loadEnvironmentConfig('broken', { cwd: root });
    expect(r.errors?.[0]?.rule).toBe('yaml');
    expect(r.errors?.[0]?.message).toMatch(/^'line \d+' \(\w+\) must be valid YAML/);
    expect(r.errors?.[0]?.file).toBe(join(root, 'environments', 'broken.yaml'));
  });

  it('reports duplicate keys as YAML errors', () => {
    expect(loadEnvironmentConfig('dup', { cwd: root }).errors?.[0]?.rule).toBe('yaml');
  });

  it('reports schema errors with the file', () => {
    const r = loadEnvironmentConfig('invalid', { cwd: root });
    expect(r.errors?.[0]).toMatchObject({ path: 'replicas', file: join(root, 'environments', 'invalid.yaml') });
  });

  it('rejects a name that is neither a name nor a path', () => {
    expect(loadEnvironmentConfig('Dev Env', { cwd: root }).errors?.[0]?.path).toBe('name');
  });

  it('loads the committed example from anywhere in the repository', () => {
    const r = loadEnvironmentConfig('example', { cwd: join(REPO, 'packages', 'catalogue', 'test') });
    expect(r.errors).toBeUndefined();
    expect(r.value?.name).toBe('example');
  });
});

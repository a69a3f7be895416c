import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli';
import { checkIp, checkSubnet, storageRules, subnetId, type NetworkRules } from '../src/commands/storage/rules';
import { CliError } from '@cvat-cloud/runtime';
import { globals, testRuntime } from './support/test-runtime';
import { type FakeArmStorageServer, startFakeArmStorageServer, tempRepo, type TempRepo, TEST_SUBSCRIPTION } from '@cvat-cloud/testing';

describe('network rule evaluation', () => {
  const apps = subnetId('sub', 'rg', 'vnet', 'snet-apps');
  const rules: NetworkRules = {
    publicNetworkAccess: 'Enabled',
    defaultAction: 'Deny',
    bypass: 'AzureServices',
    ipRules: [
      { value: '203.0.113.0/24', action: 'Allow', valid: true },
      { value: '198.51.100.7', action: 'Allow', valid: true },
    ],
    virtualNetworkRules: [{ id: apps.toUpperCase(), action: 'Allow', state: 'Succeeded' }],
  };

  it('allows an address inside an IP rule and names the rule', () => {
    expect(checkIp(rules, '203.0.113.250')).toEqual({ allowed: true, reason: 'IP rule 203.0.113.0/24' });
    expect(checkIp(rules, '198.51.100.7')).toEqual({ allowed: true, reason: 'IP rule 198.51.100.7' });
  });

  it('denies an address outside every rule, and a private address with the reason', () => {
    expect(checkIp(rules, '198.51.100.8')).toMatchObject({ allowed: false, reason: expect.stringContaining('no IP rule contains it') });
    expect(checkIp(rules, '10.28.0.4')).toMatchObject({ allowed: false, reason: expect.stringContaining('private (RFC 1918)') });
  });

  it('allows everyone with default action Allow and nobody with public network access Disabled', () => {
    expect(checkIp({ ...rules, defaultAction: 'Allow' }, '8.8.8.8').allowed).toBe(true);
    expect(checkIp({ ...rules, publicNetworkAccess: 'Disabled', defaultAction: 'Allow' }, '203.0.113.1')).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('disabled'),
    });
  });

  it('matches subnet ids case-insensitively and reports rules not yet Succeeded', () => {
    expect(checkSubnet(rules, apps)).toEqual({ allowed: true, reason: 'virtual network rule' });
    expect(
      checkSubnet({ ...rules, virtualNetworkRules: [{ id: apps, action: 'Allow', state: 'NetworkSourceDeleted' }] }, apps),
    ).toMatchObject({
      allowed: false,
      reason: 'virtual network rule is in state NetworkSourceDeleted',
    });
    expect(checkSubnet(rules, subnetId('sub', 'rg', 'vnet', 'snet-edge'))).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('Microsoft.Storage service endpoint'),
    });
  });
});

describe('storage rules against a fake ARM endpoint', () => {
  let arm: FakeArmStorageServer;
  let repo: TempRepo;

  beforeEach(async () => {
    arm = await startFakeArmStorageServer();
    repo = tempRepo('dev');
    const n = repo.names;
    arm.addAccount({
      subscriptionId: TEST_SUBSCRIPTION,
      resourceGroup: n.resourceGroup,
      name: n.storageAccount,
      key: Buffer.from('k').toString('base64'),
      networkAcls: {
        defaultAction: 'Deny',
        ipRules: [{ value: '203.0.113.0/24' }, { value: '198.51.100.7' }],
        // ARM returns ids in its own casing
        virtualNetworkRules: [{ id: subnetId(TEST_SUBSCRIPTION, n.resourceGroup.toUpperCase(), n.virtualNetwork, n.subnets.apps) }],
      },
    });
  });
  afterEach(async () => {
    await arm.close();
    repo.cleanup();
  });

  const run = (o: { ip?: string; myIp?: boolean; env?: string } = {}, egress = '198.51.100.7') =>
    storageRules(
      { ...globals({ env: o.env ?? 'dev' }), myIp: o.myIp ?? false, ...(o.ip ? { ip: o.ip } : {}) },
      testRuntime({ cwd: repo.dir, armEndpoint: arm.url, egressIp: async () => egress }),
    );

  it('shows the rule set and checks the IP, this machine (a fake egress lookup) and every subnet of the environment', async () => {
    const r = await run({ ip: '203.0.113.99', myIp: true });
    expect(r.exitCode).toBe(0);
    expect(r.data).toMatchObject({
      account: repo.names.storageAccount,
      resourceGroup: repo.names.resourceGroup,
      defaultAction: 'Deny',
      bypass: 'AzureServices',
      ipRules: [
        { value: '203.0.113.0/24', action: 'Allow', valid: true },
        { value: '198.51.100.7', action: 'Allow', valid: true },
      ],
    });
    expect(r.data.checks.map((c) => [c.subject, c.value, c.allowed])).toEqual([
      ['ip (--ip)', '203.0.113.99', true],
      ['this machine (--my-ip)', '198.51.100.7', true],
      ['subnet apps', repo.names.subnets.apps, true],
      ['subnet privateEndpoints', repo.names.subnets.privateEndpoints, false],
      ['subnet edge', repo.names.subnets.edge, false],
    ]);
    // plain http to loopback: no credential, so no Authorization header, and an api-version on every call
    expect(arm.log.every((l) => !l.authorization && l.apiVersion)).toBe(true);
  });

  it('--output writes the rule set and checks as JSON while stdout shows the tables', async () => {
    const runtime = testRuntime({ cwd: repo.dir, armEndpoint: arm.url });
    expect(await runCli(['storage', 'rules', '--env', 'dev', '--ip', '203.0.113.99', '--output', 'rules.json'], runtime)).toBe(0);
    const data = JSON.parse(readFileSync(join(repo.dir, 'rules.json'), 'utf8')) as {
      account: string;
      defaultAction: string;
      checks: { value: string; allowed: boolean }[];
    };
    expect(data).toMatchObject({ account: repo.names.storageAccount, defaultAction: 'Deny' });
    expect(data.checks[0]).toMatchObject({ value: '203.0.113.99', allowed: true });
    expect(runtime.out()).toContain('203.0.113.99');
    expect(() => JSON.parse(runtime.out())).toThrow();
  });

  it('exits 1 when an asked-for address is not allowed, naming the fix', async () => {
    const r = await run({ ip: '8.8.8.8' });
    expect(r.exitCode).toBe(1);
    expect(r.data.checks[0]).toMatchObject({ allowed: false, reason: 'no IP rule contains it (default action Deny)' });
    expect(r.view.at(-1)).toMatchObject({ kind: 'lines', lines: [expect.stringContaining("add the address to 'adminCidrs'")] });
  });

  it('retries a throttled request after Retry-After (SDK pipeline) and then answers', async () => {
    arm.throttle(1, 1);
    const started = Date.now();
    const r = await run();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(r.data.defaultAction).toBe('Deny');
    expect(arm.log.filter((l) => l.method === 'GET')).toHaveLength(2);
  });

  it('maps 404 to exit 6 naming the account and resource group', async () => {
    repo.write(
      'environments/other.yaml',
      `name: other\nsubscriptionId: ${TEST_SUBSCRIPTION}\nedge:\n  mode: none\n  hostname: cvat.example.com\n`,
    );
    const e = (await run({ env: 'other' }).catch((x: unknown) => x)) as CliError;
    expect(e).toBeInstanceOf(CliError);
    expect(e.exit).toBe(6);
    expect(e.message).toMatch(
      /^Storage account 'cvatother\w+' not found in resource group 'cvat-other-rg' \(subscription 00000000-1111-2222-3333-444444444444\) \[ResourceNotFound\]/,
    );
  });

  it('maps 403 to exit 5 pointing at role assignments', async () => {
    arm.forbid(1);
    const e = (await run().catch((x: unknown) => x)) as CliError;
    expect(e.exit).toBe(5);
    expect(e.message).toMatch(/Azure refused reading storage account '.*' \(HTTP 403\).*role assignments/);
  });

  it('needs a subscription: usage error naming the options when neither --env nor --subscription is given', async () => {
    const e = (await storageRules(
      { ...globals(), account: 'cvatdevst12345678', myIp: false },
      testRuntime({ cwd: repo.dir, armEndpoint: arm.url }),
    ).catch((x: unknown) => x)) as CliError;
    expect(e.exit).toBe(2);
    expect(e.message).toContain('pass --env <name>, or --subscription <id> and --resource-group <name>');
  });
});

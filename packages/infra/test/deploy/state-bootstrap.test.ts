import { describe, expect, it } from 'vitest';
import { type AzResult, type AzRunner, runStateBootstrap } from '../../src/deploy/state-bootstrap';

const SUB = '11111111-2222-3333-4444-555555555555';
const backend = { resourceGroup: 'cvat-tfstate-rg', storageAccount: 'cvattfstate01', container: 'tfstate', key: 'cvat-dev.tfstate' };

/**
 * A test double of the Azure CLI backed by an in-memory set of existing resources: read commands
 * answer from it, create commands add to it. Records every call.
 */
function fakeAz(existing: Set<string> = new Set()): { az: AzRunner; calls: string[][]; existing: Set<string> } {
  const calls: string[][] = [];
  const res = (exitCode: number, stdout = '', stderr = ''): AzResult => ({ exitCode, stdout, stderr });
  const az: AzRunner = async (args) => {
    calls.push([...args]);
    const cmd = args.slice(0, 3).join(' ');
    if (cmd.startsWith('group exists')) return res(0, existing.has('rg') ? 'true\n' : 'false\n');
    if (cmd.startsWith('group create')) {
      existing.add('rg');
      return res(0);
    }
    if (cmd === 'storage account show') return existing.has('sa') ? res(0) : res(3, '', '(ResourceNotFound) The Resource was not found.');
    if (cmd === 'storage account create') {
      existing.add('sa');
      return res(0);
    }
    if (cmd === 'storage account blob-service-properties') {
      if (!existing.has('sa')) return res(3, '', 'ResourceNotFound');
      existing.add('versioning');
      return res(0);
    }
    if (cmd.startsWith('lock create')) {
      existing.add('lock');
      return res(0);
    }
    if (cmd === 'storage container-rm exists') return res(0, JSON.stringify({ exists: existing.has('container') }));
    if (cmd === 'storage container-rm create') {
      existing.add('container');
      return res(0);
    }
    if (args.slice(0, 4).join(' ') === 'storage account network-rule list')
      return res(
        0,
        [...existing]
          .filter((e) => e.startsWith('ip:'))
          .map((e) => e.slice(3))
          .join('\n'),
      );
    if (args.slice(0, 4).join(' ') === 'storage account network-rule add') {
      existing.add(`ip:${args[args.indexOf('--ip-address') + 1]}`);
      return res(0);
    }
    if (cmd === 'storage account update') {
      existing.add(`default:${args[args.indexOf('--default-action') + 1]}`);
      return res(0);
    }
    if (cmd.startsWith('account show')) return res(0, 'ops@cvat-cloud.dev\n');
    if (cmd === 'role assignment list') return res(0, existing.has('role') ? '1\n' : '0\n');
    if (cmd === 'role assignment create') {
      existing.add('role');
      return res(0);
    }
    return res(2, '', `fake az: unexpected command ${args.join(' ')}`);
  };
  return { az, calls, existing };
}

const run = (az: AzRunner, dryRun = false) =>
  runStateBootstrap({ backend, location: 'westeurope', subscriptionId: SUB, az, log: () => undefined, dryRun });

describe('runStateBootstrap', () => {
  it('creates the group, a hardened account, versioning, a delete lock, the container and the data role', async () => {
    const fake = fakeAz();
    const actions = await run(fake.az);
    expect(actions.map((a) => `${a.status}: ${a.resource}`)).toEqual([
      'created: resource group cvat-tfstate-rg',
      'created: storage account cvattfstate01',
      'configured: blob versioning and 30-day soft delete on cvattfstate01',
      'configured: delete lock on cvattfstate01',
      'created: blob container cvattfstate01/tfstate',
      "created: 'Storage Blob Data Contributor' for ops@cvat-cloud.dev on cvattfstate01",
    ]);
    const create = fake.calls.find((c) => c.slice(0, 3).join(' ') === 'storage account create')!;
    for (const flag of [
      ['--https-only', 'true'],
      ['--min-tls-version', 'TLS1_2'],
      ['--allow-blob-public-access', 'false'],
      ['--allow-shared-key-access', 'false'],
    ]) {
      expect(create.join(' ')).toContain(flag.join(' '));
    }
    expect(fake.calls.every((c) => c.join(' ').includes(`--subscription ${SUB}`))).toBe(true);
  });

  it('firewalls the state account to adminCidrs: public rules first (a /32 as a bare address), then deny by default; idempotent', async () => {
    const fake = fakeAz();
    const opts = { backend, location: 'westeurope', subscriptionId: SUB, az: fake.az, log: () => undefined };
    const actions = await runStateBootstrap({ ...opts, allowedCidrs: ['203.0.113.0/24', '198.51.100.7/32'] });
    expect(actions.map((a) => `${a.status}: ${a.resource}`).filter((a) => a.includes('firewall'))).toEqual([
      'configured: firewall rule 203.0.113.0/24 on cvattfstate01',
      'configured: firewall rule 198.51.100.7 on cvattfstate01',
      'configured: firewall deny-by-default on cvattfstate01',
    ]);
    expect([...fake.existing].filter((e) => /^(ip|default):/.test(e)).sort()).toEqual([
      'default:Deny',
      'ip:198.51.100.7',
      'ip:203.0.113.0/24',
    ]);
    const again = await runStateBootstrap({ ...opts, allowedCidrs: ['203.0.113.0/24', '198.51.100.7/32'] });
    expect(again.filter((a) => a.resource.startsWith('firewall rule')).map((a) => a.status)).toEqual(['exists', 'exists']);
  });

  it('refuses a private, a /31 or a malformed admin CIDR before calling Azure', async () => {
    for (const [cidr, message] of [
      ['10.0.0.0/8', "'adminCidrs[0]' (10.0.0.0/8) is a private range"],
      ['203.0.113.6/31', "'adminCidrs[0]' (203.0.113.6/31) is a /31"],
      ['my-laptop', "'adminCidrs[0]' (my-laptop) must be an IPv4 address or CIDR"],
    ]) {
      const fake = fakeAz();
      await expect(
        runStateBootstrap({
          backend,
          location: 'westeurope',
          subscriptionId: SUB,
          az: fake.az,
          log: () => undefined,
          allowedCidrs: [cidr],
        }),
      ).rejects.toThrow(message);
      expect(fake.calls).toEqual([]);
    }
  });

  it('is idempotent: a second run finds everything and creates nothing', async () => {
    const fake = fakeAz();
    await run(fake.az);
    const before = fake.calls.length;
    const again = await run(fake.az);
    expect(again.filter((a) => a.status === 'created')).toEqual([]);
    const second = fake.calls.slice(before).map((c) => c.slice(0, 3).join(' '));
    expect(second.filter((c) => /create$/.test(c) && !c.startsWith('lock'))).toEqual([]);
  });

  it('only reads with --dry-run and lists the commands it would run', async () => {
    const fake = fakeAz();
    const actions = await run(fake.az, true);
    expect(fake.existing.size).toBe(0);
    expect(actions.every((a) => a.status.startsWith('would-'))).toBe(true);
    expect(actions[0].command).toBe(`az group create --name cvat-tfstate-rg --location westeurope --subscription ${SUB} --output none`);
  });

  it('rejects invalid names before calling Azure', async () => {
    const fake = fakeAz();
    await expect(
      runStateBootstrap({
        backend: { ...backend, storageAccount: 'Cvat_State' },
        location: 'westeurope',
        subscriptionId: SUB,
        az: fake.az,
        log: () => undefined,
      }),
    ).rejects.toThrow("'stateBackend.storageAccount' (Cvat_State) must be 3-24 lowercase letters and digits");
    expect(fake.calls).toEqual([]);
  });

  it('names the failing az command and its error', async () => {
    const failing: AzRunner = async (args) =>
      args[0] === 'group' && args[1] === 'exists'
        ? { exitCode: 0, stdout: 'false', stderr: '' }
        : { exitCode: 1, stdout: '', stderr: 'ERROR: (AuthorizationFailed) no access' };
    await expect(run(failing)).rejects.toThrow(
      /state-bootstrap: resource group cvat-tfstate-rg failed \(az group create .*\):\nERROR: \(AuthorizationFailed\) no access/,
    );
  });
});

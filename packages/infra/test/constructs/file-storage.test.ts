import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageShare } from '@cdktf/provider-azurerm/lib/storage-share';
import { Testing, TerraformStack } from 'cdktf';
import { createHash } from 'node:crypto';
import { FileStorage, ShareProtocol, type FileStorageProps } from '../../src/constructs/file-storage';
import { onlyResource, resourcesOf, synthScope } from '../support/synth';

const base: FileStorageProps = {
  name: 'cvatdevst1234abcd',
  resourceGroupName: 'rg',
  location: 'westeurope',
  allowedSubnetIds: ['apps-subnet-id'],
};
const storage = (props: Partial<FileStorageProps> = {}) => synthScope((scope) => new FileStorage(scope, 'Storage', { ...base, ...props }));

describe('FileStorage', () => {
  it('creates a hardened Standard account with an inline deny-by-default firewall, when only required props are given', () => {
    const json = storage();
    expect(json).toHaveResourceWithProperties(StorageAccount, {
      name: 'cvatdevst1234abcd',
      account_tier: 'Standard',
      account_kind: 'StorageV2',
      account_replication_type: 'LRS',
      https_traffic_only_enabled: true,
      min_tls_version: 'TLS1_2',
      allow_nested_items_to_be_public: false,
      cross_tenant_replication_enabled: false,
      network_rules: { default_action: 'Deny', bypass: ['AzureServices'], ip_rules: [], virtual_network_subnet_ids: ['apps-subnet-id'] },
      share_properties: { retention_policy: { days: 7 } },
    });
    expect(resourcesOf(json, 'azurerm_storage_account_network_rules')).toEqual({});
    expect(json).toMatchSnapshot();
  });

  it('writes /32 admin CIDRs as bare addresses and drops private ranges, because the storage firewall refuses both as ranges (reference failure #7)', () => {
    const json = storage({ allowedCidrs: ['203.0.113.7/32', '198.51.100.0/31', '198.51.100.64/26', '10.1.0.0/16'] });
    expect(onlyResource(json, 'azurerm_storage_account').network_rules.ip_rules).toEqual([
      '203.0.113.7',
      '198.51.100.0',
      '198.51.100.1',
      '198.51.100.64/26',
    ]);
  });

  it('creates shares and uploads repository files with their MD5, when shares, files, replication and soft delete are set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'files-'));
    try {
      const source = join(dir, 'vector.toml');
      const content = 'data_dir = "/vector-data-dir"\n';
      writeFileSync(source, content);
      const app = Testing.app();
      const stack = new TerraformStack(app, 'stack');
      new FileStorage(stack, 'Storage', {
        ...base,
        replicationType: 'ZRS',
        shareSoftDeleteDays: 30,
        shares: [
          { name: 'cvat-data', quotaGiB: 100 },
          { name: 'cvat-config', quotaGiB: 1 },
        ],
        files: [{ share: 'cvat-config', path: 'vector/vector.toml', sourcePath: source }],
      });
      const json = Testing.synth(stack);
      expect(json).toHaveResourceWithProperties(StorageShare, { name: 'cvat-data', quota: 100, enabled_protocol: 'SMB' });
      const file = onlyResource(json, 'azurerm_storage_share_file');
      expect(file).toMatchObject({ name: 'vector.toml', path: 'vector', content_md5: createHash('md5').update(content).digest('hex') });
      expect(file.storage_share_url).toMatch(/azurerm_storage_share\..*cvat-config.*\.url/);
      expect(file.source).toMatch(/^assets\/.+\/vector\.toml$/);
      expect(onlyResource(json, 'azurerm_storage_account')).toMatchObject({
        account_replication_type: 'ZRS',
        share_properties: { retention_policy: { days: 30 } },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates every parent directory of an uploaded file, parent first, because azurerm creates none and Azure Files answers 404 ParentNotFound', () => {
    const dir = mkdtempSync(join(tmpdir(), 'files-'));
    try {
      const source = join(dir, 'a.conf');
      writeFileSync(source, 'x = 1\n');
      const json = storage({
        shares: [{ name: 'cvat-config', quotaGiB: 1 }],
        files: [
          { share: 'cvat-config', path: 'vector/vector.toml', sourcePath: source },
          { share: 'cvat-config', path: 'vector/extra.toml', sourcePath: source },
          { share: 'cvat-config', path: 'a/b/c.conf', sourcePath: source },
          { share: 'cvat-config', path: 'top.conf', sourcePath: source },
        ],
      });
      const dirs = resourcesOf(json, 'azurerm_storage_share_directory') as Record<
        string,
        { name: string; storage_share_url: string; depends_on?: string[] }
      >;
      const byName = Object.fromEntries(Object.entries(dirs).map(([key, d]) => [d.name, { key, ...d }]));
      expect(Object.keys(byName).sort()).toEqual(['a', 'a/b', 'vector']);
      expect(byName.a.depends_on).toBeUndefined();
      expect(byName['a/b'].depends_on).toEqual([`azurerm_storage_share_directory.${byName.a.key}`]);
      for (const d of Object.values(byName)) expect(d.storage_share_url).toMatch(/azurerm_storage_share\..*cvat-config.*\.url/);
      const files = Object.values(resourcesOf(json, 'azurerm_storage_share_file')) as {
        name: string;
        path?: string;
        depends_on?: string[];
      }[];
      const fileIn = (name: string) => files.find((f) => f.name === name)!;
      expect(fileIn('vector.toml').depends_on).toEqual([`azurerm_storage_share_directory.${byName.vector.key}`]);
      expect(fileIn('extra.toml').depends_on).toEqual([`azurerm_storage_share_directory.${byName.vector.key}`]);
      expect(fileIn('c.conf')).toMatchObject({ path: 'a/b', depends_on: [`azurerm_storage_share_directory.${byName['a/b'].key}`] });
      expect(fileIn('top.conf').path).toBeUndefined();
      expect(fileIn('top.conf').depends_on).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps deleted blobs and containers 7 days and blocks account SAS valid over a day by default; NFS accounts get no blob_properties', () => {
    const smb = onlyResource(storage(), 'azurerm_storage_account');
    expect(smb.blob_properties).toEqual({ delete_retention_policy: { days: 7 }, container_delete_retention_policy: { days: 7 } });
    expect(smb.sas_policy).toEqual({ expiration_period: '1.00:00:00', expiration_action: 'Block' });
    const custom = onlyResource(
      storage({ blobSoftDeleteDays: 30, sasExpiration: { period: '7.00:00:00', action: 'Log' } }),
      'azurerm_storage_account',
    );
    expect(custom.blob_properties.delete_retention_policy.days).toBe(30);
    expect(custom.sas_policy).toEqual({ expiration_period: '7.00:00:00', expiration_action: 'Log' });
    const nfs = onlyResource(storage({ protocol: ShareProtocol.NFS }), 'azurerm_storage_account');
    expect(nfs.blob_properties).toBeUndefined();
  });

  it('throws error, when blob soft delete is 0 days or the SAS period is not D.HH:MM:SS', () => {
    expect(() => storage({ blobSoftDeleteDays: 0 })).toThrow("'blobSoftDeleteDays' (0) must be an integer between 1 and 365");
    expect(() => storage({ sasExpiration: { period: '24h', action: 'Block' } })).toThrow(
      "'sasExpiration.period' (24h) must be a positive duration written D.HH:MM:SS",
    );
    expect(() => storage({ sasExpiration: { period: '0.00:00:00', action: 'Block' } })).toThrow("'sasExpiration.period' (0.00:00:00)");
  });

  it('throws error, when an uploaded file is empty (azurerm refuses an empty source at apply)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'files-'));
    try {
      const source = join(dir, 'empty');
      writeFileSync(source, '');
      expect(() =>
        storage({ shares: [{ name: 'abc', quotaGiB: 1 }], files: [{ share: 'abc', path: 'x/empty', sourcePath: source }] }),
      ).toThrow(`'files[0].sourcePath' (${source}) is empty; azurerm refuses to upload an empty file`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['a:b/c', 'dir/x?y', 'd/.../f', 'a|b'])('throws error, when a share path (%s) has a character Azure Files refuses', (path) => {
    expect(() => storage({ shares: [{ name: 'abc', quotaGiB: 1 }], files: [{ share: 'abc', path, sourcePath: __filename }] })).toThrow(
      `'files[0].path' (${path}) must not contain any of`,
    );
  });

  it('makes a Premium FileStorage account with HTTPS-only off and NFS shares, when the protocol is NFS', () => {
    const json = storage({ protocol: ShareProtocol.NFS, shares: [{ name: 'cvat-cache', quotaGiB: 100 }] });
    expect(onlyResource(json, 'azurerm_storage_account')).toMatchObject({
      account_tier: 'Premium',
      account_kind: 'FileStorage',
      https_traffic_only_enabled: false,
      min_tls_version: 'TLS1_2',
    });
    expect(json).toHaveResourceWithProperties(StorageShare, { name: 'cvat-cache', enabled_protocol: 'NFS' });
  });

  it('throws error, when the account name has a dash', () => {
    expect(() => storage({ name: 'cvat-dev' })).toThrow("'name' (cvat-dev) must be 3-24 lowercase letters and digits");
  });
  it('throws error, when an allowed CIDR is malformed', () => {
    expect(() => storage({ allowedCidrs: ['1.2.3'] })).toThrow("'allowedCidrs[0]' (1.2.3) must be an IPv4 address or CIDR");
  });
  it('throws error, when a share name has capitals', () => {
    expect(() => storage({ shares: [{ name: 'Data', quotaGiB: 1 }] })).toThrow("'shares[0].name' (Data) must be 3-63 lowercase letters");
  });
  it('throws error, when a share is declared twice', () => {
    expect(() =>
      storage({
        shares: [
          { name: 'abc', quotaGiB: 1 },
          { name: 'abc', quotaGiB: 1 },
        ],
      }),
    ).toThrow("'shares[1].name' (abc) is declared twice");
  });
  it('throws error, when an NFS share is below the 100 GiB Premium minimum', () => {
    expect(() => storage({ protocol: ShareProtocol.NFS, shares: [{ name: 'abc', quotaGiB: 99 }] })).toThrow(
      "'shares[0].quotaGiB' (99) must be an integer between 100 and 102400",
    );
  });
  it('throws error, when an SMB share quota is 0', () => {
    expect(() => storage({ shares: [{ name: 'abc', quotaGiB: 0 }] })).toThrow(
      "'shares[0].quotaGiB' (0) must be an integer between 1 and 102400",
    );
  });
  it('throws error, when share soft delete is 0 days', () => {
    expect(() => storage({ shareSoftDeleteDays: 0 })).toThrow("'shareSoftDeleteDays' (0) must be an integer between 1 and 365");
  });
  it('throws error, when a file targets an undeclared share', () => {
    expect(() => storage({ files: [{ share: 'nope', path: 'a', sourcePath: '/etc/hostname' }] })).toThrow(
      "'files[0].share' (nope) must name one of the shares (none declared)",
    );
  });
  it('throws error, when a file source does not exist', () => {
    expect(() =>
      storage({ shares: [{ name: 'abc', quotaGiB: 1 }], files: [{ share: 'abc', path: 'a', sourcePath: '/does/not/exist' }] }),
    ).toThrow("'files[0].sourcePath' (/does/not/exist) does not exist or cannot be read");
  });
  it('throws error, when a file path leaves the share', () => {
    expect(() =>
      storage({ shares: [{ name: 'abc', quotaGiB: 1 }], files: [{ share: 'abc', path: '../x', sourcePath: __filename }] }),
    ).toThrow("'files[0].path' (../x) must be a relative path inside the share");
  });
  it('throws error, when a file targets an NFS share', () => {
    expect(() =>
      storage({
        protocol: ShareProtocol.NFS,
        shares: [{ name: 'abc', quotaGiB: 100 }],
        files: [{ share: 'abc', path: 'a', sourcePath: __filename }],
      }),
    ).toThrow("'files[0]' (abc/a) cannot be uploaded: azurerm writes files over SMB/REST only");
  });
});

import { Construct } from 'constructs';
import { Annotations, TerraformAsset, AssetType, Token } from 'cdktf';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, posix } from 'node:path';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageShare } from '@cdktf/provider-azurerm/lib/storage-share';
import { StorageShareDirectory } from '@cdktf/provider-azurerm/lib/storage-share-directory';
import { StorageShareFile } from '@cdktf/provider-azurerm/lib/storage-share-file';
import { isPrivateBlock, parseCidr } from '@cvat-cloud/catalogue';
import { ValidationError } from './validation-error';

/** File-share protocol. */
export enum ShareProtocol {
  /** SMB 3 (Standard or Premium accounts, HTTPS-only compatible). */
  SMB = 'SMB',
  /** NFS 4.1 (Premium FileStorage accounts only, no encryption in transit, VNet access only). */
  NFS = 'NFS',
}

/** One file share. */
export interface FileShareSpec {
  /** Share name: 3-63 lowercase letters, digits and `-`, no leading `-`, no `--`. */
  readonly name: string;
  /** Quota in GiB (SMB 1-102400; NFS on Premium at least 100). */
  readonly quotaGiB: number;
}

/** A file from this repository copied into a share on apply. */
export interface ShareFileSpec {
  /** Share name (one of `shares`). */
  readonly share: string;
  /** Path inside the share, e.g. `vector.toml` or `conf/kvrocks.conf`. */
  readonly path: string;
  /** Absolute path of the source file on the synthesizing machine. */
  readonly sourcePath: string;
}

/** Properties of {@link FileStorage}. */
export interface FileStorageProps {
  /** Account name: 3-24 lowercase letters and digits, globally unique. */
  readonly name: string;
  /** Resource group. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;
  /**
   * Share protocol of the whole account. NFS makes it a Premium `FileStorage` account with secure
   * transfer off (NFS has no TLS), reachable only from the allowed subnets.
   * @default ShareProtocol.SMB
   */
  readonly protocol?: ShareProtocol;
  /**
   * Replication.
   * @default 'LRS'
   */
  readonly replicationType?: 'LRS' | 'ZRS' | 'GRS' | 'GZRS';
  /**
   * Days a deleted SMB share can be restored (1-365).
   * @default 7
   */
  readonly shareSoftDeleteDays?: number;
  /**
   * Blob and container soft delete in days (1-365) on StorageV2 accounts (Premium FileStorage has no blob service:
   * hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/storage/storage_account_resource.go refuses
   * `blob_properties` there). Written through ARM (blobServices), so it works with `data_plane_available = false`.
   * @default 7
   */
  readonly blobSoftDeleteDays?: number;
  /**
   * Longest lifetime of an account SAS, as `D.HH:MM:SS` (`sas_policy.expiration_period`), and what Azure does with a
   * longer one (`Block` refuses it, `Log` only records it; storage_account_resource.go `sas_policy`, values from the
   * vendored storageaccounts 2023-05-01 `PossibleValuesForExpirationAction`). Container Apps mount the shares with the
   * account key, not a SAS, so this does not touch the mounts.
   * @default { period: '1.00:00:00', action: 'Block' }
   */
  readonly sasExpiration?: { readonly period: string; readonly action: 'Block' | 'Log' };
  /** Subnets allowed through the firewall (with the `Microsoft.Storage` service endpoint). */
  readonly allowedSubnetIds: readonly string[];
  /**
   * Public CIDRs allowed through the firewall (operators uploading files). /31 and /32 are written as
   * single addresses because the storage firewall refuses them as ranges; private ranges are dropped
   * with a warning because the storage firewall refuses them.
   * @default - none
   */
  readonly allowedCidrs?: readonly string[];
  /**
   * Shares.
   * @default - none
   */
  readonly shares?: readonly FileShareSpec[];
  /**
   * Files uploaded into the shares (SMB only: azurerm cannot write into NFS shares).
   * @default - none
   */
  readonly files?: readonly ShareFileSpec[];
}

/**
 * A hardened storage account with file shares and configuration files copied into them.
 *
 * HTTPS only (except NFS), TLS 1.2, no public blob access, no cross-tenant replication, and one
 * deny-by-default firewall declared inline on the account (a separate
 * `azurerm_storage_account_network_rules` would fight it: only one rule set may exist per account)
 * that allows the apps subnet and the configured operator CIDRs. Nothing is looked up at plan time.
 *
 * Shared-key access stays on because Container Apps environment storages mount SMB shares with the
 * account key.
 *
 * @see https://learn.microsoft.com/azure/storage/common/storage-network-security
 * @see https://learn.microsoft.com/azure/storage/files/files-nfs-protocol
 */
export class FileStorage extends Construct {
  /** The `azurerm_storage_account`. */
  public readonly resource: StorageAccount;
  /** Shares by name. */
  public readonly shares: Readonly<Record<string, StorageShare>>;
  /** Share protocol. */
  public readonly protocol: ShareProtocol;

  constructor(scope: Construct, id: string, props: FileStorageProps) {
    super(scope, id);
    this.protocol = props.protocol ?? ShareProtocol.SMB;
    const nfs = this.protocol === ShareProtocol.NFS;
    if (!Token.isUnresolved(props.name) && !/^[a-z0-9]{3,24}$/.test(props.name)) {
      throw new ValidationError('NameInvalid', `'name' (${props.name}) must be 3-24 lowercase letters and digits`, this);
    }
    const softDelete = props.shareSoftDeleteDays ?? 7;
    if (!Number.isInteger(softDelete) || softDelete < 1 || softDelete > 365) {
      throw new ValidationError('RetentionOutOfRange', `'shareSoftDeleteDays' (${softDelete}) must be an integer between 1 and 365`, this);
    }
    const blobSoftDelete = props.blobSoftDeleteDays ?? 7;
    if (!Number.isInteger(blobSoftDelete) || blobSoftDelete < 1 || blobSoftDelete > 365) {
      throw new ValidationError(
        'RetentionOutOfRange',
        `'blobSoftDeleteDays' (${blobSoftDelete}) must be an integer between 1 and 365`,
        this,
      );
    }
    const sas = props.sasExpiration ?? { period: '1.00:00:00', action: 'Block' as const };
    if (!/^\d{1,5}\.([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/.test(sas.period) || /^0+\.00:00:00$/.test(sas.period)) {
      throw new ValidationError(
        'SasPeriodInvalid',
        `'sasExpiration.period' (${sas.period}) must be a positive duration written D.HH:MM:SS, such as 1.00:00:00`,
        this,
      );
    }
    const ipRules: string[] = [];
    for (const [i, cidr] of (props.allowedCidrs ?? []).entries()) {
      const block = parseCidr(cidr.trim(), { allowHostBits: true, allowBareAddress: true });
      if (!block) throw new ValidationError('CidrInvalid', `'allowedCidrs[${i}]' (${cidr}) must be an IPv4 address or CIDR`, this);
      if (isPrivateBlock(block)) {
        Annotations.of(this).addWarning(
          `'allowedCidrs[${i}]' (${cidr}) is a private range, which the storage firewall refuses; it is left out (reach storage from the VNet instead)`,
        );
        continue;
      }
      if (block.prefixLength >= 31) {
        for (let a = block.start; a <= block.end; a++) ipRules.push([a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.'));
      } else {
        ipRules.push(cidr);
      }
    }

    this.resource = new StorageAccount(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      accountTier: nfs ? 'Premium' : 'Standard',
      accountKind: nfs ? 'FileStorage' : 'StorageV2',
      accountReplicationType: props.replicationType ?? 'LRS',
      httpsTrafficOnlyEnabled: !nfs,
      minTlsVersion: 'TLS1_2',
      allowNestedItemsToBePublic: false,
      crossTenantReplicationEnabled: false,
      publicNetworkAccessEnabled: true,
      sharedAccessKeyEnabled: true,
      networkRules: {
        defaultAction: 'Deny',
        bypass: ['AzureServices'],
        ipRules,
        virtualNetworkSubnetIds: [...props.allowedSubnetIds],
      },
      shareProperties: { retentionPolicy: { days: softDelete } },
      blobProperties: nfs
        ? undefined
        : { deleteRetentionPolicy: { days: blobSoftDelete }, containerDeleteRetentionPolicy: { days: blobSoftDelete } },
      sasPolicy: { expirationPeriod: sas.period, expirationAction: sas.action },
    });

    const shares: Record<string, StorageShare> = {};
    const shareScope = new Construct(this, 'Shares');
    for (const [i, spec] of (props.shares ?? []).entries()) {
      if (spec.name.length < 3 || spec.name.length > 63 || !/^[a-z0-9](?!.*--)[a-z0-9-]*$/.test(spec.name)) {
        throw new ValidationError(
          'ShareNameInvalid',
          `'shares[${i}].name' (${spec.name}) must be 3-63 lowercase letters, digits and '-', not starting with '-' and without '--'`,
          this,
        );
      }
      if (shares[spec.name]) throw new ValidationError('ShareDuplicate', `'shares[${i}].name' (${spec.name}) is declared twice`, this);
      const minQuota = nfs ? 100 : 1;
      if (!Number.isInteger(spec.quotaGiB) || spec.quotaGiB < minQuota || spec.quotaGiB > 102400) {
        throw new ValidationError(
          'QuotaOutOfRange',
          `'shares[${i}].quotaGiB' (${spec.quotaGiB}) must be an integer between ${minQuota} and ` +
            `102400${nfs ? ' (Premium NFS shares are provisioned from 100 GiB)' : ''}`,
          this,
        );
      }
      shares[spec.name] = new StorageShare(shareScope, spec.name, {
        name: spec.name,
        storageAccountId: this.resource.id,
        quota: spec.quotaGiB,
        enabledProtocol: this.protocol,
      });
    }
    this.shares = shares;

    const fileScope = new Construct(this, 'Files');
    const directories = new Map<string, StorageShareDirectory>();
    const dirScope = new Construct(this, 'Directories');
    // azurerm writes a share file with one PUT into its parent directory and creates no parent:
    // Azure Files answers 404 ParentNotFound for a missing one (hashicorp/terraform-provider-azurerm@v4.55.0
    // internal/services/storage/storage_share_file_resource.go, resourceStorageShareFileCreate). So every
    // ancestor directory is an `azurerm_storage_share_directory` of its own, parent first, each one
    // depending on its parent (storage_share_directory_resource.go creates one level per resource).
    const directoryOf = (shareName: string, share: StorageShare, dir: string): StorageShareDirectory | undefined => {
      if (dir === '.' || dir === '') return undefined;
      const key = `${shareName}/${dir}`;
      const known = directories.get(key);
      if (known) return known;
      const parent = directoryOf(shareName, share, posix.dirname(dir));
      const created = new StorageShareDirectory(dirScope, key.replace(/[^A-Za-z0-9-]/g, '-'), {
        name: dir,
        storageShareUrl: share.url,
        dependsOn: parent ? [parent] : undefined,
      });
      directories.set(key, created);
      return created;
    };
    for (const [i, file] of (props.files ?? []).entries()) {
      const share = shares[file.share];
      if (!share) {
        throw new ValidationError(
          'UnknownShare',
          `'files[${i}].share' (${file.share}) must name one of the shares (${Object.keys(shares).join(', ') || 'none declared'})`,
          this,
        );
      }
      if (nfs)
        throw new ValidationError(
          'NfsUploadUnsupported',
          `'files[${i}]' (${file.share}/${file.path}) cannot be uploaded: azurerm writes files over SMB/REST only, not into NFS shares`,
          this,
        );
      let content: Buffer;
      try {
        content = readFileSync(file.sourcePath);
      } catch {
        throw new ValidationError('SourceMissing', `'files[${i}].sourcePath' (${file.sourcePath}) does not exist or cannot be read`, this);
      }
      const normalized = posix.normalize(file.path).replace(/^\/+/, '');
      if (normalized.startsWith('..') || normalized === '.' || normalized === '') {
        throw new ValidationError('SharePathInvalid', `'files[${i}].path' (${file.path}) must be a relative path inside the share`, this);
      }
      // StorageShareDirectoryName (internal/services/storage/validate/storage.go@v4.55.0) and Azure Files naming.
      if (/["\\:|<>*?]/.test(normalized) || normalized.split('/').some((part) => /^\.+$/.test(part))) {
        throw new ValidationError(
          'SharePathInvalid',
          `'files[${i}].path' (${file.path}) must not contain any of "\\:|<>*? nor a segment of only dots`,
          this,
        );
      }
      if (content.length === 0) {
        // The provider refuses an empty source at apply ("file ... is empty", storage_share_file_resource.go@v4.55.0).
        throw new ValidationError(
          'SourceEmpty',
          `'files[${i}].sourcePath' (${file.sourcePath}) is empty; azurerm refuses to upload an empty file`,
          this,
        );
      }
      const holder = new Construct(fileScope, `${file.share}/${normalized}`.replace(/[^A-Za-z0-9-]/g, '-'));
      const asset = new TerraformAsset(holder, 'Source', { path: file.sourcePath, type: AssetType.FILE });
      const dir = posix.dirname(normalized);
      const parent = directoryOf(file.share, share, dir);
      new StorageShareFile(holder, 'Resource', {
        name: basename(normalized),
        path: dir === '.' ? undefined : dir,
        dependsOn: parent ? [parent] : undefined,
        storageShareUrl: share.url,
        source: asset.path,
        // The content hash makes Terraform replace the file when the repository copy changes.
        contentMd5: createHash('md5').update(content).digest('hex'),
      });
    }
  }

  /** The NFS server host for environment storages (`<account>.file.core.windows.net`). */
  public get nfsServer(): string {
    return `${this.resource.name}.file.core.windows.net`;
  }
}

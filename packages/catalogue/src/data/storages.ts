import type * as v from 'valibot';
import { STORAGE_NAMES } from './components';
import type { StorageSchema } from '../schema/catalogue';

/**
 * SMB mount options of the CVAT shares: the backend image runs as `django` (uid/gid 1000), SMB
 * ignores chown/chmod, so ownership and modes are set at mount time; `mfsymlinks` emulates
 * symlinks and `nobrl` avoids byte-range-lock failures (SQLite event buffer).
 *
 * @see https://learn.microsoft.com/azure/container-apps/storage-mounts
 */
export const CVAT_SHARE_MOUNT_OPTIONS = 'uid=1000,gid=1000,dir_mode=0750,file_mode=0640,mfsymlinks,nobrl,cache=strict';

/**
 * Default storages: the three CVAT shares on SMB (as compose's cvat_data/cvat_keys/cvat_logs
 * volumes), a read-only config share for files shipped in this repository, and replica-scoped
 * ephemeral volumes for the stores (no database on SMB).
 *
 * @internal use `defaultCatalogue()`
 */
export const DEFAULT_STORAGES: readonly v.InferInput<typeof StorageSchema>[] = [
  {
    name: STORAGE_NAMES.data,
    kind: 'smb',
    quotaGiB: 100,
    mountOptions: CVAT_SHARE_MOUNT_OPTIONS,
    description: 'CVAT data (/home/django/data): uploads (TUS), task data, manifests, export cache. Shared by the server and every worker.',
  },
  {
    name: STORAGE_NAMES.keys,
    kind: 'smb',
    quotaGiB: 1,
    mountOptions: CVAT_SHARE_MOUNT_OPTIONS,
    description:
      'CVAT keys (/home/django/keys). DJANGO_SECRET_KEY comes from Key Vault, so CVAT never needs to create a key file here with ' +
      'a hard link (unsupported on SMB).',
  },
  {
    name: STORAGE_NAMES.logs,
    kind: 'smb',
    quotaGiB: 20,
    mountOptions: CVAT_SHARE_MOUNT_OPTIONS,
    description: 'CVAT logs (/home/django/logs) of the server and workers.',
  },
  {
    name: STORAGE_NAMES.config,
    kind: 'smb',
    quotaGiB: 1,
    accessMode: 'ReadOnly',
    mountOptions: 'dir_mode=0555,file_mode=0444',
    description:
      'Configuration files shipped in this repository (vector/vector.toml, grafana/...), uploaded by infra and mounted read-only with subPath.',
  },
  {
    name: STORAGE_NAMES.redisData,
    kind: 'ephemeral',
    quotaGiB: 0.5,
    description:
      'In-memory Redis /data (AOF and RDB). Replica-scoped: survives a container restart, lost when the replica is replaced; RQ ' +
      'jobs queued at that moment are lost.',
  },
  {
    name: STORAGE_NAMES.cache,
    kind: 'ephemeral',
    quotaGiB: 1.5,
    description:
      'Kvrocks data directory (RocksDB): the regenerable chunk and preview cache. Switch to `nfs` per environment for a larger, persistent cache.',
  },
  {
    name: STORAGE_NAMES.events,
    kind: 'ephemeral',
    quotaGiB: 1.5,
    description:
      'ClickHouse data (analytics events). Ephemeral by default (events are lost when the replica is replaced); switch to `nfs` per environment to keep them.',
  },
  {
    name: STORAGE_NAMES.vectorData,
    kind: 'ephemeral',
    quotaGiB: 0.5,
    description: 'Vector data directory (compose tmpfs /vector-data-dir).',
  },
];

import type { Catalogue } from '../../schema/catalogue';
import { defineRule, type Rule, type RuleIssue } from '../issues';
import { cpath, enabled, isCvatBackend } from './helpers';

/** Storage: stores off SMB, shared backend mounts, mount options. */
export const STORAGE_RULES: readonly Rule<Catalogue>[] = [
  /**
   * No stateful store writes to SMB: PostgreSQL, Redis AOF, kvrocks/RocksDB and ClickHouse fail on
   * Azure Files SMB (no hard links, no rename over open files, byte-range locks). Stores use
   * ephemeral storage or NFS; read-only config mounts are fine.
   *
   * @see https://learn.microsoft.com/troubleshoot/azure/azure-storage/files/files-troubleshoot-linux-smb
   */
  defineRule('noStatefulStoreOnSmb', 'No store writes to an SMB share.', (c, report) => {
    const out: RuleIssue[] = [];
    const storages = new Map(c.storages.map((s) => [s.name, s]));
    for (const x of enabled(c)) {
      if (x.role !== 'store') continue;
      x.mounts.forEach((m, i) => {
        const s = storages.get(m.storage);
        if (s?.kind === 'smb' && !m.readOnly && s.accessMode !== 'ReadOnly') {
          out.push(
            report.error(
              cpath(x, `mounts[${i}].storage`),
              m.storage,
              `must not be an SMB share for the store ${x.name} (no hard links, renames or locks on SMB); use an ephemeral or nfs storage`,
            ),
          );
        }
      });
    }
    return out;
  }),
  /**
   * The server and every worker mount the same shared (SMB or NFS) storages at /home/django/data,
   * /keys and /logs, read-write: compose mounts them everywhere, and uploads, exports and chunks
   * cross processes and replicas, so a replica-scoped ephemeral volume would split them.
   */
  defineRule('backendMountsShared', 'Server and workers share data, keys and logs on SMB or NFS, read-write.', (c, report) => {
    const out: RuleIssue[] = [];
    const storages = new Map(c.storages.map((s) => [s.name, s]));
    const backends = enabled(c).filter((x) => isCvatBackend(x) && x.role !== 'job');
    for (const path of ['/home/django/data', '/home/django/keys', '/home/django/logs']) {
      const byComponent = backends.map((x) => ({ x, m: x.mounts.find((m) => m.mountPath === path) }));
      const reference = byComponent.find((b) => b.m)?.m?.storage;
      for (const { x, m } of byComponent) {
        if (!m)
          out.push(
            report.error(
              cpath(x, 'mounts'),
              x.mounts.map((mm) => mm.mountPath),
              `must mount a shared storage at ${path}`,
            ),
          );
        else if (m.storage !== reference)
          out.push(
            report.error(cpath(x, 'mounts'), m.storage, `must mount the same storage at ${path} as the other backends (${reference})`),
          );
        else if (m.readOnly) out.push(report.error(cpath(x, 'mounts'), path, 'must be mounted read-write'));
      }
      const kind = reference === undefined ? undefined : storages.get(reference)?.kind;
      if (reference !== undefined && kind === 'ephemeral') {
        out.push(report.error(`storages.${reference}.kind`, kind, `must be smb or nfs: ${path} is shared by every backend replica`));
      }
    }
    return out;
  }),
  /** Mount options apply to SMB only (ACA ignores NFS mount options; EmptyDir has none). */
  defineRule('mountOptionsOnSmbOnly', 'Mount options only on SMB storages (warning).', (c, report) => {
    return c.storages
      .filter((s) => s.kind !== 'smb' && s.mountOptions)
      .map((s) => report.warning(`storages.${s.name}.mountOptions`, s.mountOptions, `is ignored for ${s.kind} storage`));
  }),
];

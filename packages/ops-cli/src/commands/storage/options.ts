import type { GlobalOptions, OutputFileOptions } from '../../context/global-options';

/** `cvat-ops storage upload <local-path> <share>[/<path>]` */
export interface StorageUploadOptions extends GlobalOptions {
  localPath: string;
  /** `<share>` or `<share>/<folder>`. */
  sharePath: string;
  /** Storage account name. @default - the environment's storage account */
  account?: string;
  /** Parallel file uploads. @default 4 */
  concurrency?: number;
  /** Put Range requests in flight across all files (ranges of a large file go in parallel). @default 8 */
  rangeConcurrency?: number;
}

/** `cvat-ops storage config push [component...]` */
export interface StorageConfigPushOptions extends GlobalOptions {
  /** Only these components. @default - every enabled component with configFiles */
  components: string[];
  account?: string;
  concurrency?: number;
}

/** `cvat-ops storage rules` */
export interface StorageRulesOptions extends GlobalOptions, OutputFileOptions {
  account?: string;
  /** Check this IPv4 address. */
  ip?: string;
  /** Also check this machine's egress IP (the one call that leaves the machine). @default false */
  myIp: boolean;
}

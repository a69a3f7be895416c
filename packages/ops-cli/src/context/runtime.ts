import type { TokenCredential } from '@azure/identity';

/**
 * Everything a command may take from the process: working directory, environment variables, standard streams,
 * whether a person is at the keyboard, and the factories that reach outside (Azure credential, ARM endpoint,
 * egress-IP lookup). `src/index.ts` builds the real one; tests pass their own (fake credential, loopback endpoints,
 * PassThrough streams).
 */
export interface Runtime {
  /** Working directory used to find `environments/<name>.yaml` and the repository root. */
  readonly cwd: string;
  /** Environment variables (`PG*`, `AZURE_*`, `CVAT_OPS_*`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** True when both stdin and stdout are terminals: prompts, progress bars and the shell's line editor are allowed. */
  readonly isTTY: boolean;
  /** Returns the Azure credential. The real one is `DefaultAzureCredential`, created on first use. */
  readonly credential: () => Promise<TokenCredential>;
  /**
   * Azure Resource Manager endpoint, e.g. `https://management.azure.com` (default) or a loopback fake in tests.
   * From `CVAT_OPS_ARM_ENDPOINT`.
   */
  readonly armEndpoint?: string;
  /**
   * File service endpoint template with `{account}` placeholder, e.g. `https://{account}.file.core.windows.net`
   * (default) or `http://127.0.0.1:PORT/{account}` for a loopback fake. From `CVAT_OPS_FILE_ENDPOINT`.
   */
  readonly fileEndpoint?: string;
  /** Looks up this machine's public egress IP (only used by `storage rules --my-ip`). */
  readonly egressIp: () => Promise<string>;
}

/** Subset of the runtime needed to talk to the user. */
export type Terminal = Pick<Runtime, 'stdin' | 'stdout' | 'stderr' | 'isTTY'>;

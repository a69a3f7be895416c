/** Types of provider-mirror.mjs (the loopback provider network mirror test double). */
export declare const MIRROR_SKIP_REASON: string | undefined;

export interface StandInProvider {
  readonly namespace: string;
  readonly type: string;
  readonly version: string;
}

export interface ProviderMirror {
  readonly url: string;
  readonly certFile: string;
  /** e.g. `linux_amd64`. */
  readonly platform: string;
  /** Archive GETs per `namespace/type`. */
  downloads(): Record<string, number>;
  totalDownloads(): number;
  /** Writes a Terraform CLI configuration installing every provider from this mirror; returns its path. */
  cliConfig(path: string): string;
  close(): Promise<void>;
}

export declare function startProviderMirror(
  dir: string,
  providers: readonly StandInProvider[],
  options?: { readonly platforms?: readonly string[] },
): Promise<ProviderMirror>;

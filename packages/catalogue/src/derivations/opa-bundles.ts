/**
 * OPA's policy bundles, read back from the command line of an OPA container (`opa run --server
 * --set=<key>=<value> ...`): which service each bundle is downloaded from and how often OPA polls it.
 * Pure: arguments in, plain data out.
 */

/** The image repository of Open Policy Agent (cvat-ai/cvat@v2.73.0 docker-compose.yml `cvat_opa`). */
export const OPA_IMAGE_REPOSITORY = 'openpolicyagent/opa';

/**
 * OPA's own polling delays when a bundle sets none: 60-120 s
 * (open-policy-agent/opa v1/download/config.go `defaultMinDelaySeconds`, `defaultMaxDelaySeconds`).
 */
export const OPA_DEFAULT_BUNDLE_POLLING = { minDelaySeconds: 60, maxDelaySeconds: 120 } as const;

/**
 * Upstream's polling delays: 5-15 s (cvat-ai/cvat@v2.73.0 docker-compose.yml `cvat_opa`
 * `--set=bundles.cvat.polling.min_delay_seconds=5`, `max_delay_seconds=15`). A bundle polled at most
 * this far apart picks up a new server's rules about as soon as upstream does.
 */
export const UPSTREAM_OPA_BUNDLE_POLLING = { minDelaySeconds: 5, maxDelaySeconds: 15 } as const;

/** One bundle an OPA container downloads. */
export interface OpaBundle {
  /** Bundle name (`bundles.<name>`). */
  readonly name: string;
  /** Host of its service URL (`services.<service>.url`): inside a Container Apps environment, the app name. */
  readonly host: string;
  /** Seconds OPA waits at least after a successful download. @default 60 (OPA) */
  readonly minDelaySeconds: number;
  /** Seconds OPA waits at most after a successful download; also the cap of its retry back-off. @default 120 (OPA) */
  readonly maxDelaySeconds: number;
}

/**
 * The bundles an OPA command line configures with `--set=bundles.<name>.service=<service>` whose service has a
 * `--set=services.<service>.url=<url>` with a host, in order of first mention. A delay that is not a positive
 * number counts as OPA's default ({@link OPA_DEFAULT_BUNDLE_POLLING}).
 */
export function opaBundles(args: readonly string[] | undefined): OpaBundle[] {
  const set = new Map<string, string>();
  for (const a of args ?? []) {
    const m = /^--set=([^=]+)=(.*)$/.exec(a);
    if (m) set.set(m[1] as string, m[2] as string);
  }
  const names = [...new Set([...set.keys()].map((k) => /^bundles\.([^.]+)\./.exec(k)?.[1]).filter((b): b is string => Boolean(b)))];
  const out: OpaBundle[] = [];
  for (const name of names) {
    const service = set.get(`bundles.${name}.service`);
    const url = service === undefined ? undefined : set.get(`services.${service}.url`);
    let host: string | undefined;
    try {
      host = url === undefined ? undefined : new URL(url).hostname;
    } catch {
      host = undefined;
    }
    if (!host) continue;
    const delay = (key: string, fallback: number): number => {
      const n = Number(set.get(`bundles.${name}.polling.${key}`));
      return Number.isFinite(n) && n > 0 ? n : fallback;
    };
    out.push({
      name,
      host,
      minDelaySeconds: delay('min_delay_seconds', OPA_DEFAULT_BUNDLE_POLLING.minDelaySeconds),
      maxDelaySeconds: delay('max_delay_seconds', OPA_DEFAULT_BUNDLE_POLLING.maxDelaySeconds),
    });
  }
  return out;
}

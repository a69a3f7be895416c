import { parse } from 'yaml';
import { defaultCatalogue } from '../data/default-catalogue';
import { componentRefValue } from '../derivations/resolve';
import type { Catalogue, Component, EnvVar } from '../schema/catalogue';
import { UPSTREAM_DEVIATIONS, UPSTREAM_REPLACEMENTS } from './deviations';

/**
 * The upstream compose file the catalogue is compared with, vendored under
 * packages/catalogue/upstream/ so the conformance test runs from a clean clone.
 *
 * @see https://github.com/cvat-ai/cvat/blob/v2.73.0/docker-compose.yml
 */
export const UPSTREAM_COMPOSE = {
  /** CVAT release. */
  version: 'v2.73.0',
  /** cvat-ai/cvat commit of the release. */
  commit: 'ac6e63b96bddbc462a0a8c0acce307c4c0c6e972',
  /** Path of the vendored copy, relative to packages/catalogue. */
  path: 'upstream/cvat-v2.73.0/docker-compose.yml',
  /** SHA-256 of the file. */
  sha256: 'e5d686087d21d35c1545e3e685f13e5f753822ef4b6925cb0baa5e02aad1e3ac',
} as const;

/**
 * Upstream's vector pipeline, vendored verbatim: `config/vector/vector.toml` is this file below a
 * comment header (test/config-files.test.ts checks both).
 *
 * @see https://github.com/cvat-ai/cvat/blob/v2.73.0/components/analytics/vector/vector.toml
 */
export const UPSTREAM_VECTOR_TOML = {
  /** Path of the file in cvat-ai/cvat. */
  upstreamPath: 'components/analytics/vector/vector.toml',
  /** Path of the vendored copy, relative to packages/catalogue. */
  path: 'upstream/cvat-v2.73.0/vector.toml',
  /** SHA-256 of the file at v2.73.0. */
  sha256: '76c0bac76d62f07c8462e42ab725fbcf4f2294744e249d629d255d04d9214f0b',
} as const;

/** What aspect of a compose service a difference is about. */
export type DeviationAspect =
  | 'image'
  | 'command'
  | 'entrypoint'
  | 'env'
  | 'env-dropped'
  | 'env-added'
  | 'volumes'
  | 'user'
  | 'init'
  | 'ports'
  | 'labels';

/**
 * One deliberate difference between a catalogue component and the upstream compose service it
 * replaces, with the reason. The conformance test requires every actual difference to be
 * explained by exactly such an entry, and every entry to match an actual difference (so the table
 * cannot go stale); docs/catalogue.md is generated from it.
 */
export interface UpstreamDeviation {
  /** Catalogue components the entry covers. */
  components: string[];
  /** Compose service; omitted = the service each component replaces. */
  service?: string;
  /** Which aspect differs. */
  aspect: DeviationAspect;
  /** Environment variable name (env aspects only). */
  key?: string;
  /** The upstream side, as rendered by `compareWithCompose` ('' when absent); omitted = any upstream value (long values such as labels). */
  upstream?: string;
  /** Our side, as rendered by `compareWithCompose` ('' when absent). */
  ours: string;
  /**
   * Where the upstream behaviour the entry relies on can be read: `cvat-ai/cvat@v2.73.0 <path>`
   * (semicolon-separated when several) or a documentation URL. The conformance test requires one
   * on every entry.
   */
  evidence: string;
  /** Why we differ. */
  reason: string;
}

/** A compose service that no component replaces, but something else does (a managed service). */
export interface UpstreamReplacement {
  /** Compose service name. */
  service: string;
  /** What replaces it. */
  replacedBy: string;
  /** Why. */
  reason: string;
}

/** One actual difference found by `compareWithCompose`. */
export interface UpstreamDifference {
  /** Catalogue component. */
  component: string;
  /** Compose service. */
  service: string;
  /** Aspect. */
  aspect: DeviationAspect;
  /** Env var name, for env aspects. */
  key?: string;
  /** Upstream side ('' when absent). */
  upstream: string;
  /** Our side ('' when absent). */
  ours: string;
}

/**
 * Resolves compose variable interpolation the way `docker compose` does with an empty shell
 * environment: `${X:-d}` and `${X-d}` → `d`, `${X}` and `$X` → '', `$$` → `$`.
 */
export function interpolateCompose(value: string): string {
  return value
    .replace(/\$\$/g, '\u0000')
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-([^}]*))?\}/g, (_m, _n, _d, def: string | undefined) => def ?? '')
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, '')
    .replaceAll('\u0000', '$');
}

type ComposeService = {
  image?: string;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, unknown> | string[];
  volumes?: (string | { target?: string; type?: string })[];
  [key: string]: unknown;
};

function words(x: string | string[] | undefined): string[] | undefined {
  if (x === undefined) return undefined;
  return Array.isArray(x) ? x.map(String) : x.trim().split(/\s+/);
}
function composeEnv(s: ComposeService): Map<string, string | null> {
  const out = new Map<string, string | null>();
  if (Array.isArray(s.environment)) {
    for (const item of s.environment) {
      const i = item.indexOf('=');
      out.set(i === -1 ? item : item.slice(0, i), i === -1 ? null : interpolateCompose(item.slice(i + 1)));
    }
  } else {
    for (const [k, v] of Object.entries(s.environment ?? {}))
      out.set(k, v === null || v === undefined ? null : interpolateCompose(String(v)));
  }
  return out;
}
function composeTargets(s: ComposeService): string[] {
  return (s.volumes ?? [])
    .map((v) => (typeof v === 'string' ? (v.split(':')[1] ?? v) : (v.target ?? '')))
    .map((p) => (p.length > 1 ? p.replace(/\/$/, '') : p))
    .sort();
}

/**
 * How an env var of ours is rendered for comparison: values as-is, component refs as addresses or image references,
 * others as `secret:<name>` / `platform:<ref>`.
 */
export function renderForComparison(c: Catalogue, e: EnvVar): string {
  if ('secretRef' in e) return `secret:${e.secretRef}`;
  if ('platformRef' in e) return `platform:${e.platformRef}`;
  if ('componentRef' in e) return componentRefValue(c, e.componentRef) ?? `component:${e.componentRef.component}`;
  return e.value;
}

const OTHER_ASPECTS = ['user', 'init', 'ports', 'labels'] as const;

/**
 * Every difference between the catalogue and the upstream compose file, service by service:
 * image, command (compose `command` ↔ our `args`), entrypoint (↔ `command`), every environment
 * variable (changed, dropped, added), volume targets (↔ mount paths), and the compose keys `user`,
 * `init`, `ports` and `labels` that have no ACA equivalent.
 *
 * @param composeText the compose YAML (merge keys are resolved)
 * @param catalogue the catalogue to compare
 * @default catalogue defaultCatalogue()
 */
export function compareWithCompose(
  composeText: string,
  catalogue: Catalogue = defaultCatalogue(),
): { differences: UpstreamDifference[]; unmapped: string[] } {
  const doc = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
  const differences: UpstreamDifference[] = [];
  const unmapped: string[] = [];
  for (const [service, s] of Object.entries(doc.services)) {
    const ours = catalogue.components.filter((x) => x.upstream.includes(service));
    if (ours.length === 0) {
      if (!UPSTREAM_REPLACEMENTS.some((r) => r.service === service)) unmapped.push(service);
      continue;
    }
    for (const x of ours) differences.push(...compareService(catalogue, x, service, s));
  }
  return { differences, unmapped };
}

function compareService(c: Catalogue, x: Component, service: string, s: ComposeService): UpstreamDifference[] {
  const out: UpstreamDifference[] = [];
  const add = (aspect: DeviationAspect, upstream: string, ours: string, key?: string) =>
    out.push({ component: x.name, service, aspect, ...(key === undefined ? {} : { key }), upstream, ours });
  const image = interpolateCompose(s.image ?? '');
  const ourImage = `${x.image.repository}:${x.image.tag}`;
  if (image !== ourImage) add('image', image, ourImage);
  const cmd = words(s.command)?.join(' ') ?? '';
  if (cmd !== (x.args ?? []).join(' ')) add('command', cmd, (x.args ?? []).join(' '));
  const entry = words(s.entrypoint)?.join(' ') ?? '';
  if (entry !== (x.command ?? []).join(' ')) add('entrypoint', entry, (x.command ?? []).join(' '));
  const upstreamEnv = composeEnv(s);
  const ourEnv = new Map(x.env.map((e) => [e.name, renderForComparison(c, e)]));
  for (const [k, v] of upstreamEnv) {
    const mine = ourEnv.get(k);
    if (mine === undefined) add('env-dropped', v ?? '', '', k);
    else if (mine !== (v ?? '')) add('env', v ?? '', mine, k);
  }
  for (const [k, v] of ourEnv) if (!upstreamEnv.has(k)) add('env-added', '', v, k);
  const targets = composeTargets(s).join(', ');
  const mounts = x.mounts
    .map((m) => m.mountPath)
    .sort()
    .join(', ');
  if (targets !== mounts) add('volumes', targets, mounts);
  for (const aspect of OTHER_ASPECTS) if (s[aspect] !== undefined) add(aspect, JSON.stringify(s[aspect]), '');
  return out;
}

function covers(d: UpstreamDeviation, diff: UpstreamDifference): boolean {
  return (
    d.components.includes(diff.component) &&
    (d.service === undefined || d.service === diff.service) &&
    d.aspect === diff.aspect &&
    d.key === diff.key &&
    (d.upstream === undefined || d.upstream === diff.upstream) &&
    d.ours === diff.ours
  );
}

/**
 * Matches actual differences against the deviation table: differences no entry explains, and
 * entries (per component) that match no difference.
 *
 * @default deviations UPSTREAM_DEVIATIONS
 */
export function explainDifferences(
  differences: readonly UpstreamDifference[],
  deviations: readonly UpstreamDeviation[] = UPSTREAM_DEVIATIONS,
): { unexplained: UpstreamDifference[]; stale: { deviation: UpstreamDeviation; component: string }[] } {
  const unexplained = differences.filter((diff) => !deviations.some((d) => covers(d, diff)));
  const stale = deviations.flatMap((d) =>
    d.components
      .filter((component) => !differences.some((diff) => diff.component === component && covers(d, diff)))
      .map((component) => ({ deviation: d, component })),
  );
  return { unexplained, stale };
}

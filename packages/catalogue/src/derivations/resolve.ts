import * as v from 'valibot';
import { COMPONENT_NAMES, CVAT_IMAGE_REPOSITORIES, DEFAULT_QUEUE_RUNNERS, runnerComponents } from '../data/components';
import { defaultCatalogue } from '../data/default-catalogue';
import { overridesNameKnownEntries, queueRunnersKnown } from '../rules/environment';
import type { Issue, Result } from '../rules/issues';
import { validateCatalogue } from '../rules/validate';
import {
  ComponentSchema,
  PlatformRefSchema,
  type Catalogue,
  type Component,
  type ComponentAddressPart,
  type ComponentEnvVar,
  type EnvVar,
  type PlatformRef,
} from '../schema/catalogue';
import type { EnvironmentConfig } from '../schema/environment';
import { platformValue } from './names';

/** Platform references `resolveCatalogue` turns into values: every one but `postgres.host`, which stays for infra to render. */
export const RESOLVED_PLATFORM_REFS: readonly PlatformRef[] = PlatformRefSchema.options.filter((r) => r !== 'postgres.host');

/**
 * The catalogue an environment deploys: the default catalogue with the environment applied, then
 * validated by the same schema and named rules as any catalogue.
 *
 * Steps, in order:
 * 0. `queueRunners` (over `DEFAULT_QUEUE_RUNNERS`) → the queues of every RQ runner, which is
 *    rebuilt for them and deployed only when it has one;
 * 1. `cvatVersion` → `catalogue.cvatVersion` and the tag of every cvat/server and cvat/ui image;
 * 2. toggles: `analytics` enables ClickHouse and vector and sets CVAT_ANALYTICS, `grafana` enables
 *    Grafana, `edge.mode: none` disables the edge;
 * 3. `smokescreenOpts` → SMOKESCREEN_OPTS wherever it is defined;
 * 4. `components.<name>` overrides (enabled, image, resources, replicas, workloadProfile, env) and
 *    `storages.<name>` overrides (kind, quotaGiB);
 * 5. env variables of disabled optional components are dropped (`onlyWith`, or a `componentRef`
 *    to it), with the secrets only they used;
 * 6. platform references become values marked `derivedFrom` (edge host and URLs, CVAT_NUM_PROXIES
 *    from the edge mode, PostgreSQL port, user and database) except `postgres.host`;
 * 7. secrets and storages no enabled component uses are removed;
 * 8. `validateCatalogue` runs; its paths (`components.<name>.replicas.max`) match the override
 *    paths of the environment file.
 *
 * Never throws.
 */
export function resolveCatalogue(config: EnvironmentConfig): Result<Catalogue> {
  const c = defaultCatalogue();
  const errors: Issue[] = [...overridesNameKnownEntries.check(config), ...queueRunnersKnown.check(config)];

  // Queue runners first: the environment's queueRunners over the defaults decide which runner serves
  // which queue; each runner is rebuilt for its queues (disabled without any), so the overrides below
  // apply to the runners as deployed.
  if (Object.keys(config.queueRunners).length) {
    const assignment = { ...DEFAULT_QUEUE_RUNNERS, ...config.queueRunners };
    const rebuilt = new Map(runnerComponents(assignment).map((x) => [x.name, v.parse(ComponentSchema, x)]));
    c.components = c.components.map((x) => rebuilt.get(x.name) ?? x);
  }

  c.cvatVersion = config.cvatVersion;
  for (const x of c.components) {
    if ((CVAT_IMAGE_REPOSITORIES as readonly string[]).includes(x.image.repository)) x.image.tag = config.cvatVersion;
  }

  const setEnabled = (name: string, on: boolean) => {
    const x = c.components.find((y) => y.name === name);
    if (x) x.enabled = on;
  };
  setEnabled(COMPONENT_NAMES.clickhouse, config.analytics);
  setEnabled(COMPONENT_NAMES.vector, config.analytics);
  setEnabled(COMPONENT_NAMES.grafana, config.grafana);
  setEnabled(COMPONENT_NAMES.edge, config.edge.mode === 'vm');
  for (const x of c.components) {
    x.env = x.env.map((e) => {
      if (e.name === 'SMOKESCREEN_OPTS' && 'value' in e) return { ...e, value: config.smokescreenOpts };
      if (e.name === 'CVAT_ANALYTICS' && 'value' in e) return { ...e, value: config.analytics ? '1' : '0' };
      return e;
    });
  }

  for (const [name, o] of Object.entries(config.components)) {
    const x = c.components.find((y) => y.name === name);
    if (!x) {
      continue; // reported by overridesNameKnownEntries below
    }
    if (o.enabled !== undefined) x.enabled = o.enabled;
    if (o.image?.repository !== undefined) x.image.repository = o.image.repository;
    if (o.image?.tag !== undefined) x.image.tag = o.image.tag;
    if (o.resources?.cpuCores !== undefined) x.resources.cpuCores = o.resources.cpuCores;
    if (o.resources?.memoryGiB !== undefined) x.resources.memoryGiB = o.resources.memoryGiB;
    if (o.replicas?.min !== undefined) x.replicas.min = o.replicas.min;
    if (o.replicas?.max !== undefined) x.replicas.max = o.replicas.max;
    if (o.workloadProfile !== undefined) x.workloadProfile = o.workloadProfile;
    for (const [envName, value] of Object.entries(o.env ?? {})) {
      const i = x.env.findIndex((e) => e.name === envName);
      if (i === -1) x.env.push({ name: envName, value });
      else x.env[i] = { name: envName, value };
    }
  }
  for (const [name, o] of Object.entries(config.storages)) {
    const s = c.storages.find((y) => y.name === name);
    if (!s) {
      continue; // reported by overridesNameKnownEntries below
    }
    if (o.kind !== undefined) {
      s.kind = o.kind;
      if (o.kind !== 'smb') delete s.mountOptions;
    }
    if (o.quotaGiB !== undefined) s.quotaGiB = o.quotaGiB;
  }

  const byName = new Map(c.components.map((x) => [x.name, x]));
  const disabledOptional = (name: string | undefined) => {
    const x = name === undefined ? undefined : byName.get(name);
    return x?.optional === true && !x.enabled;
  };
  for (const x of c.components) {
    const dropped = new Set<string>();
    x.env = x.env.filter((e) => {
      const gone = disabledOptional(e.onlyWith) || ('componentRef' in e && disabledOptional(e.componentRef.component));
      if (gone && 'secretRef' in e) dropped.add(e.secretRef);
      return !gone;
    });
    const stillUsed = new Set([
      ...x.env.flatMap((e) => ('secretRef' in e ? [e.secretRef] : [])),
      ...x.scaleRules.flatMap((r) => (r.auth ?? []).map((a) => a.secretRef)),
    ]);
    x.secrets = x.secrets.filter((s) => !dropped.has(s) || stillUsed.has(s));
    x.env = x.env.map((e) => substitutePlatformRef(e, config));
  }

  const used = new Set<string>();
  const mounted = new Set<string>();
  for (const x of c.components.filter((y) => y.enabled)) {
    for (const s of x.secrets) used.add(s);
    for (const e of x.env) if ('secretRef' in e) used.add(e.secretRef);
    for (const m of x.mounts) mounted.add(m.storage);
  }
  c.secrets = c.secrets.filter((s) => used.has(s.name));
  c.storages = c.storages.filter((s) => mounted.has(s.name));

  if (errors.length) return { value: undefined, warnings: [], errors };
  return validateCatalogue(c);
}

function substitutePlatformRef(e: EnvVar, config: EnvironmentConfig): EnvVar {
  if (!('platformRef' in e) || !RESOLVED_PLATFORM_REFS.includes(e.platformRef)) return e;
  return {
    name: e.name,
    value: platformValue(config, e.platformRef),
    derivedFrom: e.platformRef,
    ...(e.onlyWith !== undefined ? { onlyWith: e.onlyWith } : {}),
  };
}

/** A `componentRef` to a part of another component's in-environment address (`host`, `port` or `url`). */
export type ComponentAddressRef = { readonly component: string; readonly part: ComponentAddressPart };

/**
 * The in-environment address of a component: `host` = its app name, `port` = its TCP exposed port
 * (80 for HTTP ingress), `url` = `http://host:port` (`http://host` for HTTP ingress). `undefined`
 * when the component is unknown or has no ingress.
 */
export function componentAddress(c: Catalogue, ref: ComponentAddressRef): string | undefined {
  const x = c.components.find((y) => y.name === ref.component);
  if (!x?.ingress) return undefined;
  const tcp = x.ingress.transport === 'tcp';
  const port = tcp ? (x.ingress.exposedPort ?? x.ingress.targetPort) : 80;
  if (ref.part === 'host') return x.name;
  if (ref.part === 'port') return String(port);
  return tcp ? `http://${x.name}:${port}` : `http://${x.name}`;
}

/**
 * The value a `componentRef` stands for: an address part (`componentAddress`), or for `image` the
 * component's image as the catalogue deploys it, `repository:tag` (after `resolveCatalogue`, the tag
 * `cvatVersion` or an environment's image override gave it). `undefined` when the component is unknown,
 * or has no ingress for an address part.
 */
export function componentRefValue(c: Catalogue, ref: ComponentEnvVar['componentRef']): string | undefined {
  if (ref.part !== 'image') return componentAddress(c, { component: ref.component, part: ref.part });
  const x = c.components.find((y) => y.name === ref.component);
  return x ? `${x.image.repository}:${x.image.tag}` : undefined;
}

/** An environment variable with every reference but secrets resolved to a value. */
export type RenderedEnvVar = { name: string; value: string } | { name: string; secretRef: string };

/**
 * The environment of a component as the container sees it: component references become
 * addresses or image references, platform references become values (including `postgres.host`, from `platformValue`);
 * secrets stay references. For ops-cli, tests and documentation; infra renders `postgres.host`
 * from its server resource instead.
 */
export function renderEnv(c: Catalogue, component: Component, config: EnvironmentConfig): RenderedEnvVar[] {
  return component.env.map((e) => {
    if ('secretRef' in e) return { name: e.name, secretRef: e.secretRef };
    if ('componentRef' in e) return { name: e.name, value: componentRefValue(c, e.componentRef) ?? '' };
    if ('platformRef' in e) return { name: e.name, value: platformValue(config, e.platformRef) };
    return { name: e.name, value: e.value };
  });
}

/**
 * The pure drift diff: expected specs (catalogue + config) against live specs (ARM), field by field. No I/O.
 *
 * Each difference names a dot-path field (`image`, `resources.memoryGiB`, `env.DJANGO_LOG_LEVEL`,
 * `mounts./home/django/data`, `ingress.exposedPort`, `probes.readiness.path`, `scaleRules.rq-import.metadata.listLength`,
 * `revisionMode`, `scale.cooldownPeriodSeconds`, `job.replicaTimeoutSeconds`, …), the expected and the live value,
 * and whether the thing is `changed`, `missing` (expected but not live) or `unexpected` (live but not expected).
 * Secret values are never compared (ARM does not return them and they live in Key Vault): only which secret an env
 * var references and which Key Vault secret an app secret points at.
 *
 * Compared where the catalogue's appSpecs() (or, for the identity, its resourceNames()) says what to expect: identity,
 * workload profile, revision mode and the traffic split. Not compared, because the catalogue has no opinion on them:
 * IP security restrictions, custom domains, init containers and Dapr; a live app that sets any of them lists it under
 * `unmanaged` (shown, not counted as drift: nothing in the catalogue says it is wrong).
 */
import type { AppSpec, EnvSpec, ProbeSpec, ScaleRuleSpec } from './spec';

/** How a field differs. */
export type FieldDriftKind = 'changed' | 'missing' | 'unexpected';

/** One differing field. */
export interface FieldDrift {
  /** Dot path, e.g. `env.CVAT_REDIS_INMEM_HOST` or `probes.liveness.port`. */
  field: string;
  kind: FieldDriftKind;
  /** What the catalogue + config say (`undefined` for `unexpected`). */
  expected?: unknown;
  /** What Azure has (`undefined` for `missing`). */
  actual?: unknown;
}

/** State of one app in the report. */
export type AppDriftState = 'in-sync' | 'drifted' | 'missing-live' | 'not-in-catalogue';

/** Drift of one app or job. */
export interface AppDrift {
  name: string;
  resource: 'containerApp' | 'job';
  state: AppDriftState;
  fields: FieldDrift[];
  /** Why, for `not-in-catalogue` (e.g. the component is disabled in this environment). */
  note?: string;
  /** Live settings the catalogue has no opinion on (IP restrictions, custom domains, init containers, Dapr), when set. */
  unmanaged?: Record<string, unknown>;
}

/** The whole comparison. */
export interface DriftReport {
  apps: AppDrift[];
  summary: Record<AppDriftState, number>;
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) < 1e-9;
  return JSON.stringify(a) === JSON.stringify(b);
}

function push(out: FieldDrift[], field: string, expected: unknown, actual: unknown): void {
  if (expected === undefined && actual === undefined) return;
  if (expected === undefined) out.push({ field, kind: 'unexpected', actual });
  else if (actual === undefined) out.push({ field, kind: 'missing', expected });
  else if (!same(expected, actual)) out.push({ field, kind: 'changed', expected, actual });
}

function envValue(e: EnvSpec | undefined): unknown {
  if (!e) return undefined;
  if (e.kind === 'value') return e.value;
  if (e.kind === 'secret') return { secretRef: e.secretRef };
  return { platformRef: e.ref };
}

function diffEnv(out: FieldDrift[], expected: Record<string, EnvSpec>, actual: Record<string, EnvSpec>): void {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  for (const name of names) {
    const e = expected[name];
    const a = actual[name];
    // A platform value only Azure knows (e.g. the PostgreSQL FQDN): the variable must exist as a plain value.
    if (e?.kind === 'platform' && a) {
      if (a.kind !== 'value') push(out, `env.${name}`, envValue(e), envValue(a));
      continue;
    }
    push(out, `env.${name}`, envValue(e), envValue(a));
  }
}

function diffKeyed<T>(out: FieldDrift[], prefix: string, expected: Record<string, T>, actual: Record<string, T>): void {
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  for (const key of keys) push(out, `${prefix}.${key}`, expected[key], actual[key]);
}

function diffProbe(out: FieldDrift[], slot: string, expected: ProbeSpec | undefined, actual: ProbeSpec | undefined): void {
  if (!expected || !actual) {
    push(out, `probes.${slot}`, expected, actual);
    return;
  }
  const timing = ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold'] as const;
  const keys = ['type', 'port', 'path', 'headers', ...timing] as const;
  for (const key of keys) {
    push(out, `probes.${slot}.${key}`, expected[key], actual[key]);
  }
}

/** A rule missing on one side is one field; otherwise its type, each metadata key and each auth parameter. */
function diffScaleRules(out: FieldDrift[], expected: Record<string, ScaleRuleSpec>, actual: Record<string, ScaleRuleSpec>): void {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  for (const name of names) {
    const e = expected[name];
    const a = actual[name];
    if (!e || !a) {
      push(out, `scaleRules.${name}`, e, a);
      continue;
    }
    push(out, `scaleRules.${name}.type`, e.type, a.type);
    diffKeyed(out, `scaleRules.${name}.metadata`, e.metadata, a.metadata);
    diffKeyed(out, `scaleRules.${name}.auth`, e.auth, a.auth);
  }
}

/** Field differences between one expected and one live spec (empty when in sync). */
export function diffAppSpec(expected: AppSpec, actual: AppSpec): FieldDrift[] {
  const out: FieldDrift[] = [];
  push(out, 'image', expected.image, actual.image);
  push(out, 'command', expected.command, actual.command);
  push(out, 'args', expected.args, actual.args);
  push(out, 'resources.cpuCores', expected.resources.cpuCores, actual.resources.cpuCores);
  push(out, 'resources.memoryGiB', expected.resources.memoryGiB, actual.resources.memoryGiB);
  if (expected.replicas || actual.replicas) {
    push(out, 'replicas.min', expected.replicas?.min, actual.replicas?.min);
    push(out, 'replicas.max', expected.replicas?.max, actual.replicas?.max);
  }
  diffScaleRules(out, expected.scaleRules, actual.scaleRules);
  diffEnv(out, expected.env, actual.env);
  // Which secrets the app declares, and which Key Vault secret each points at.
  const secretNames = [...new Set([...Object.keys(expected.secrets), ...Object.keys(actual.secrets)])].sort();
  for (const name of secretNames) {
    const inE = name in expected.secrets;
    const inA = name in actual.secrets;
    if (inE && !inA) out.push({ field: `secrets.${name}`, kind: 'missing', expected: { keyVaultSecret: expected.secrets[name] ?? null } });
    else if (!inE && inA)
      out.push({ field: `secrets.${name}`, kind: 'unexpected', actual: { keyVaultSecret: actual.secrets[name] ?? null } });
    else if (expected.secrets[name] !== undefined && actual.secrets[name] !== expected.secrets[name]) {
      out.push({
        field: `secrets.${name}.keyVaultSecret`,
        kind: 'changed',
        expected: expected.secrets[name],
        actual: actual.secrets[name] ?? null,
      });
    }
  }
  diffKeyed(out, 'mounts', expected.mounts, actual.mounts);
  if (!expected.ingress || !actual.ingress) {
    push(out, 'ingress', expected.ingress, actual.ingress);
  } else {
    for (const key of ['transport', 'targetPort', 'exposedPort', 'external'] as const)
      push(out, `ingress.${key}`, expected.ingress[key], actual.ingress[key]);
  }
  for (const slot of ['liveness', 'readiness', 'startup'] as const) diffProbe(out, slot, expected.probes[slot], actual.probes[slot]);
  for (const extra of actual.extraContainers) out.push({ field: `containers.${extra}`, kind: 'unexpected', actual: extra });
  if (expected.revisionMode !== undefined && actual.revisionMode !== undefined) {
    push(out, 'revisionMode', expected.revisionMode, actual.revisionMode);
  }
  // ARM reports the profile of an app in a workload-profiles environment; a live spec without one is only drift when
  // the catalogue wants a dedicated profile (a Consumption-only environment reports none).
  if (actual.workloadProfileName !== undefined || (expected.workloadProfileName ?? 'Consumption') !== 'Consumption') {
    push(out, 'workloadProfileName', expected.workloadProfileName, actual.workloadProfileName);
  }
  if (expected.identity && actual.identity) {
    push(out, 'identity.type', expected.identity.type, actual.identity.type);
    push(out, 'identity.userAssigned', expected.identity.userAssigned, actual.identity.userAssigned);
  }
  // the traffic split is expected with an ingress; a missing ingress is already reported above
  if (expected.traffic && actual.ingress) push(out, 'ingress.traffic', expected.traffic, actual.traffic ?? []);
  if (expected.timing && actual.timing) {
    push(out, 'scale.cooldownPeriodSeconds', expected.timing.cooldownPeriodSeconds, actual.timing.cooldownPeriodSeconds);
    push(out, 'scale.pollingIntervalSeconds', expected.timing.pollingIntervalSeconds, actual.timing.pollingIntervalSeconds);
    // The provider does not send a grace period of 0, and what ARM then reports is ACA's own default: only a grace
    // period the catalogue sets is compared.
    if (expected.timing.terminationGracePeriodSeconds !== 0) {
      const grace = [expected.timing.terminationGracePeriodSeconds, actual.timing.terminationGracePeriodSeconds] as const;
      push(out, 'terminationGracePeriodSeconds', ...grace);
    }
  }
  if (expected.job && actual.job) {
    const keys = [
      'triggerType',
      'replicaTimeoutSeconds',
      'replicaRetryLimit',
      'parallelism',
      'replicaCompletionCount',
      'minExecutions',
      'maxExecutions',
      'pollingIntervalSeconds',
    ] as const;
    for (const key of keys) {
      if (actual.job[key] !== undefined) push(out, `job.${key}`, expected.job[key], actual.job[key]);
    }
  }
  return out;
}

/** Options of {@link diffApps}. */
export interface DiffAppsOptions {
  /** Names of catalogue components that exist but are disabled in this environment (explains `not-in-catalogue`). */
  disabled?: readonly string[];
}

/**
 * Compares every expected app with the live ones (matched by name and resource kind) and lists live apps the
 * catalogue does not expect. Order: expected apps in catalogue order, then the unexpected live ones by name.
 */
export function diffApps(expected: readonly AppSpec[], live: readonly AppSpec[], options: DiffAppsOptions = {}): DriftReport {
  const key = (s: AppSpec): string => `${s.resource}/${s.name}`;
  const liveByKey = new Map(live.map((s) => [key(s), s]));
  const apps: AppDrift[] = [];
  for (const e of expected) {
    const a = liveByKey.get(key(e));
    if (!a) {
      apps.push({ name: e.name, resource: e.resource, state: 'missing-live', fields: [] });
      continue;
    }
    liveByKey.delete(key(e));
    const fields = diffAppSpec(e, a);
    apps.push({
      name: e.name,
      resource: e.resource,
      state: fields.length ? 'drifted' : 'in-sync',
      fields,
      ...(a.unmanaged ? { unmanaged: a.unmanaged } : {}),
    });
  }
  const disabled = new Set(options.disabled ?? []);
  for (const a of [...liveByKey.values()].sort((x, y) => x.name.localeCompare(y.name))) {
    apps.push({
      name: a.name,
      resource: a.resource,
      state: 'not-in-catalogue',
      fields: [],
      note: disabled.has(a.name) ? 'component is disabled in this environment' : 'no catalogue component has this name',
    });
  }
  const summary: Record<AppDriftState, number> = { 'in-sync': 0, drifted: 0, 'missing-live': 0, 'not-in-catalogue': 0 };
  for (const a of apps) summary[a.state] += 1;
  return { apps, summary };
}

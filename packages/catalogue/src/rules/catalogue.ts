import { ACA_LIMITS, ephemeralStorageBudgetGiB } from '../data/aca-limits';
import { CVAT_IMAGE_REPOSITORIES } from '../data/components';
import { RQ_QUEUES, rqQueueKey } from '../data/rq-queues';
import { cvatNumProxies } from '../derivations/cvat-num-proxies';
import { WORKER_LIVENESS, workerLivenessScript } from '../derivations/worker-liveness';
import type { Catalogue, Component, EnvVar, PlatformRef, Probe } from '../schema/catalogue';
import { makeIssue, namedRule, type Issue } from './issues';

/** An issue from a named rule, with its severity. */
export interface RuleIssue extends Issue {
  /** `error` blocks the catalogue; `warning` is reported and lets it through. */
  severity: 'error' | 'warning';
}

/**
 * A named cross-field rule of the catalogue (house-style rule 5). Rules run after the schema, on
 * typed data, and return issues; they never throw or print.
 */
export interface CatalogueRule {
  /** The rule's name, also the `rule` of its issues. */
  name: string;
  /** What the rule guarantees and why. */
  description: string;
  /** Runs the rule. */
  check: (catalogue: Catalogue) => RuleIssue[];
}

// ---------------------------------------------------------------------------------------------
// helpers

const APP_NAME_RE = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const STORAGE_NAME_RE = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const SECRET_NAME_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const KEY_VAULT_SECRET_NAME_RE = /^[0-9A-Za-z-]+$/;
const UNPINNED_TAGS = ['latest', 'dev', 'develop', 'main', 'master', 'nightly', 'edge', 'stable'];
const SENSITIVE_ENV_RE = /(PASSWORD|PASSWD|SECRET|SECRET_KEY|TOKEN|ACCESS_KEY)$/;

function cpath(c: Component, rest?: string): string {
  return rest ? `components.${c.name}.${rest}` : `components.${c.name}`;
}
function err(rule: string, path: string, value: unknown, text: string): RuleIssue {
  return { ...makeIssue(rule, path, value, text), severity: 'error' };
}
function warn(rule: string, path: string, value: unknown, text: string): RuleIssue {
  return { ...makeIssue(rule, path, value, text), severity: 'warning' };
}
function enabled(c: Catalogue): Component[] {
  return c.components.filter((x) => x.enabled);
}
function findEnv(c: Component, name: string): { env: EnvVar; index: number } | undefined {
  const index = c.env.findIndex((e) => e.name === name);
  return index === -1 ? undefined : { env: c.env[index] as EnvVar, index };
}
/** Whether a component runs the CVAT backend image (server, workers, init job). */
export function isCvatBackend(c: Component): boolean {
  return c.image.repository === 'cvat/server';
}
/** Whether the component's supervisord starts smokescreen (server and the annotation, chunks, export, import and webhooks workers). */
export function runsSmokescreen(c: Component): boolean {
  if (!isCvatBackend(c)) return false;
  const args = [...(c.command ?? []), ...(c.args ?? [])];
  const run = args.indexOf('run');
  if (run === -1) return false;
  if (args[run + 1] === 'server') return true;
  if (args[run + 1] === 'worker') return c.queues.some((q) => RQ_QUEUES[q]?.smokescreen === true);
  return false;
}
/** Whether the component runs an RQ scheduler (webhooks `--with-scheduler`, or rqscheduler with `cleaning`). */
export function runsScheduler(c: Component): boolean {
  return [...(c.command ?? []), ...(c.args ?? [])].includes('--with-scheduler') || c.queues.includes('cleaning');
}
function isMultipleOf(value: number, step: number): boolean {
  const q = value / step;
  return Math.abs(q - Math.round(q)) < 1e-9;
}
function envKind(e: EnvVar): string {
  if ('secretRef' in e) return `secretRef ${JSON.stringify(e.secretRef)}`;
  if ('componentRef' in e) return `componentRef ${e.componentRef.component}.${e.componentRef.part}`;
  if ('platformRef' in e) return `platformRef ${e.platformRef}`;
  return JSON.stringify(e.value);
}

// ---------------------------------------------------------------------------------------------
// names

/** Component, storage and secret names are unique. */
export function uniqueNames(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const [kind, list] of [
    ['components', c.components],
    ['storages', c.storages],
    ['secrets', c.secrets],
  ] as const) {
    const counts = new Map<string, number>();
    for (const x of list) counts.set(x.name, (counts.get(x.name) ?? 0) + 1);
    for (const [name, n] of counts) {
      if (n > 1) out.push(err('uniqueNames', `${kind}.${name}`, name, `must be unique: it is declared ${n} times`));
    }
  }
  const kv = new Map<string, number>();
  for (const s of c.secrets) kv.set(s.keyVaultName, (kv.get(s.keyVaultName) ?? 0) + 1);
  for (const [name, n] of kv) {
    if (n > 1) out.push(err('uniqueNames', `secrets.${name}.keyVaultName`, name, `must be unique: ${n} secrets use this Key Vault name`));
  }
  return out;
}

/**
 * App (and job) names follow the ACA rule: 2-32 characters, lowercase letters, digits and "-",
 * starting with a letter, ending alphanumeric, no "--". The name is also the in-environment host.
 *
 * @see https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftapp
 */
export function appNameFormat(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const x of c.components) {
    const ok =
      x.name.length >= ACA_LIMITS.appNameMinLength &&
      x.name.length <= ACA_LIMITS.appNameMaxLength &&
      APP_NAME_RE.test(x.name) &&
      !x.name.includes('--');
    if (!ok) {
      out.push(
        err(
          'appNameFormat',
          `${cpath(x)}.name`,
          x.name,
          `must be ${ACA_LIMITS.appNameMinLength}-${ACA_LIMITS.appNameMaxLength} characters of lowercase letters, digits and "-", start with a letter, end with a letter or digit and contain no "--"`,
        ),
      );
    }
  }
  return out;
}

/** Environment-storage (and file share) names: 3-32 characters, lowercase alphanumerics and "-", starting with a letter, no "--". */
export function storageNameFormat(c: Catalogue): RuleIssue[] {
  return c.storages
    .filter(
      (s) =>
        !(
          s.name.length >= ACA_LIMITS.storageNameMinLength &&
          s.name.length <= ACA_LIMITS.storageNameMaxLength &&
          STORAGE_NAME_RE.test(s.name) &&
          !s.name.includes('--')
        ),
    )
    .map((s) =>
      err(
        'storageNameFormat',
        `storages.${s.name}.name`,
        s.name,
        `must be ${ACA_LIMITS.storageNameMinLength}-${ACA_LIMITS.storageNameMaxLength} characters of lowercase letters, digits and "-", start with a letter, end with a letter or digit and contain no "--"`,
      ),
    );
}

/** ACA secret names (lowercase alphanumerics and "-", ≤253, alphanumeric at both ends) and Key Vault secret names (alphanumerics and "-", ≤127). */
export function secretNameFormat(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const s of c.secrets) {
    if (!(s.name.length <= ACA_LIMITS.secretNameMaxLength && SECRET_NAME_RE.test(s.name))) {
      out.push(
        err(
          'secretNameFormat',
          `secrets.${s.name}.name`,
          s.name,
          `must be at most ${ACA_LIMITS.secretNameMaxLength} characters of lowercase letters, digits and "-", starting and ending with a letter or digit`,
        ),
      );
    }
    if (!(s.keyVaultName.length <= ACA_LIMITS.keyVaultSecretNameMaxLength && KEY_VAULT_SECRET_NAME_RE.test(s.keyVaultName))) {
      out.push(
        err(
          'secretNameFormat',
          `secrets.${s.name}.keyVaultName`,
          s.keyVaultName,
          `must be 1-${ACA_LIMITS.keyVaultSecretNameMaxLength} characters of letters, digits and "-"`,
        ),
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// resources and replicas

/**
 * On the Consumption profile, CPU and memory form an exact pair: 0.25-4 vCPU in 0.25 steps and
 * memory = 2 GiB per vCPU. azurerm does not check this; the API rejects it at apply time.
 *
 * @see https://learn.microsoft.com/azure/container-apps/containers#allocations
 */
export function consumptionResourcePair(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const { consumptionCpuCoresMin: min, consumptionCpuCoresMax: max, consumptionCpuCoresStep: step, consumptionMemoryGiBPerCpuCore: perCore } = ACA_LIMITS;
  for (const x of c.components) {
    if (x.role === 'edge' || x.workloadProfile !== 'Consumption') continue;
    const { cpuCores, memoryGiB } = x.resources;
    if (cpuCores < min || cpuCores > max || !isMultipleOf(cpuCores, step)) {
      out.push(
        err('consumptionResourcePair', cpath(x, 'resources.cpuCores'), cpuCores, `must be a multiple of ${step} between ${min} and ${max} on the Consumption profile`),
      );
    } else if (Math.abs(memoryGiB - cpuCores * perCore) > 1e-9) {
      out.push(
        err(
          'consumptionResourcePair',
          cpath(x, 'resources.memoryGiB'),
          memoryGiB,
          `must be ${cpuCores * perCore} (${perCore} × cpuCores ${cpuCores}) on the Consumption profile; valid pairs run from ${min}/${min * perCore} to ${max}/${max * perCore}`,
        ),
      );
    }
  }
  return out;
}

/** On a dedicated workload profile an app has no fixed pairs but must fit on one node of that profile. */
export function dedicatedProfileFit(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const x of c.components) {
    if (x.role === 'edge' || x.workloadProfile === 'Consumption') continue;
    const node = ACA_LIMITS.dedicatedProfiles[x.workloadProfile];
    if (x.resources.cpuCores > node.cpuCores) {
      out.push(err('dedicatedProfileFit', cpath(x, 'resources.cpuCores'), x.resources.cpuCores, `must fit on one ${x.workloadProfile} node (at most ${node.cpuCores} vCPU)`));
    }
    if (x.resources.memoryGiB > node.memoryGiB) {
      out.push(err('dedicatedProfileFit', cpath(x, 'resources.memoryGiB'), x.resources.memoryGiB, `must fit on one ${x.workloadProfile} node (at most ${node.memoryGiB} GiB)`));
    }
  }
  return out;
}

/** Replicas within azurerm's bounds (min 0-300, max 1-300) and min ≤ max. */
export function replicaBounds(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const L = ACA_LIMITS;
  for (const x of c.components) {
    const { min, max } = x.replicas;
    if (min < L.minReplicasMin || min > L.minReplicasMax) {
      out.push(err('replicaBounds', cpath(x, 'replicas.min'), min, `must be between ${L.minReplicasMin} and ${L.minReplicasMax}`));
    }
    if (max < L.maxReplicasMin || max > L.maxReplicasMax) {
      out.push(err('replicaBounds', cpath(x, 'replicas.max'), max, `must be between ${L.maxReplicasMin} and ${L.maxReplicasMax}`));
    }
    if (min > max) {
      out.push(err('replicaBounds', cpath(x, 'replicas.min'), min, `must be less than or equal to '${cpath(x, 'replicas.max')}' (${max})`));
    }
  }
  return out;
}

/** A store (Redis, kvrocks, ClickHouse) runs exactly one replica: a second one would be a separate, empty store behind the same address. */
export function storesAreSingletons(c: Catalogue): RuleIssue[] {
  return enabled(c)
    .filter((x) => x.role === 'store' && (x.replicas.max !== 1 || x.replicas.min !== 1))
    .map((x) => err('storesAreSingletons', cpath(x, 'replicas'), x.replicas, 'must be { min: 1, max: 1 } for a stateful store'));
}

/**
 * A worker that runs an RQ scheduler (webhooks `--with-scheduler`, utils with rqscheduler for
 * `cleaning`) runs exactly one replica and has no scale rule: two schedulers enqueue every
 * periodic job twice.
 */
export function schedulerWorkerSingleReplica(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const x of enabled(c)) {
    if (!runsScheduler(x)) continue;
    if (x.replicas.min !== 1 || x.replicas.max !== 1) {
      out.push(err('schedulerWorkerSingleReplica', cpath(x, 'replicas'), x.replicas, 'must be { min: 1, max: 1 }: this worker runs an RQ scheduler'));
    }
    if (x.scaleRules.length) {
      out.push(err('schedulerWorkerSingleReplica', cpath(x, 'scaleRules'), x.scaleRules.map((r) => r.name), 'must be empty: this worker runs an RQ scheduler and must not scale'));
    }
  }
  return out;
}

/**
 * A long-running app without ingress and with `min` 0 needs a scale rule, or it scales to zero
 * and never wakes up.
 *
 * @see https://learn.microsoft.com/azure/container-apps/scale-app
 */
export function idleWorkersNeedScaleRule(c: Catalogue): RuleIssue[] {
  return enabled(c)
    .filter((x) => x.role !== 'job' && x.role !== 'edge' && !x.ingress && x.replicas.min === 0 && x.scaleRules.length === 0)
    .map((x) => err('idleWorkersNeedScaleRule', cpath(x, 'replicas.min'), 0, 'must be at least 1 for an app without ingress and without a scale rule (it would scale to zero and never wake up)'));
}

/**
 * A worker that scales to zero on queue length would be stopped mid-job: RQ pops a job off the
 * list when it starts, KEDA then sees an empty list and scales in after the cooldown, and the
 * grace period (≤600 s) is shorter than the queue's job timeout. Such workers keep min ≥ 1.
 */
export function longQueuesKeepAReplica(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const x of enabled(c)) {
    if (x.replicas.min !== 0 || !x.scaleRules.some((r) => r.kind === 'redis-queue')) continue;
    const long = x.queues.filter((q) => {
      const t = RQ_QUEUES[q]?.timeoutSeconds;
      return t === undefined || t > ACA_LIMITS.terminationGracePeriodSecondsMax;
    });
    if (long.length) {
      out.push(
        err(
          'longQueuesKeepAReplica',
          cpath(x, 'replicas.min'),
          0,
          `must be at least 1: jobs of ${long.join(', ')} can run longer than the ${ACA_LIMITS.terminationGracePeriodSecondsMax} s grace period and would be killed on scale-in`,
        ),
      );
    }
  }
  return out;
}

/** Ephemeral volumes of an app fit in the replica's ephemeral storage budget (1/2/4/8 GiB by CPU). */
export function ephemeralStorageFits(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const storages = new Map(c.storages.map((s) => [s.name, s]));
  for (const x of enabled(c)) {
    if (x.role === 'edge') continue;
    const used = [...new Set(x.mounts.map((m) => m.storage))]
      .map((n) => storages.get(n))
      .filter((s) => s?.kind === 'ephemeral')
      .reduce((sum, s) => sum + (s?.quotaGiB ?? 0), 0);
    const budget = ephemeralStorageBudgetGiB(x.resources.cpuCores);
    if (used > budget) {
      out.push(
        err(
          'ephemeralStorageFits',
          cpath(x, 'mounts'),
          `${used} GiB ephemeral`,
          `must fit in the ${budget} GiB ephemeral storage of a ${x.resources.cpuCores} vCPU replica; raise cpuCores, lower the storage quotaGiB or use nfs`,
        ),
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// roles and references

/** Role shapes: services and stores have ingress, workers/jobs/edge do not; only jobs have `job`; the edge has no mounts, secrets or scale rules. */
export function roleShape(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const x of c.components) {
    if ((x.role === 'service' || x.role === 'store') && !x.ingress) {
      out.push(err('roleShape', cpath(x, 'ingress'), undefined, `must be set for role "${x.role}" (other apps reach it through its ingress)`));
    }
    if ((x.role === 'worker' || x.role === 'job' || x.role === 'edge') && x.ingress) {
      out.push(err('roleShape', cpath(x, 'ingress'), x.ingress, `must not be set for role "${x.role}"`));
    }
    if (x.role === 'job' && !x.job) out.push(err('roleShape', cpath(x, 'job'), undefined, 'must be set for role "job"'));
    if (x.role !== 'job' && x.job) out.push(err('roleShape', cpath(x, 'job'), x.job, `must not be set for role "${x.role}"`));
    if (x.role === 'job' && x.scaleRules.length) out.push(err('roleShape', cpath(x, 'scaleRules'), x.scaleRules.map((r) => r.name), 'must be empty for a job'));
    if (x.role === 'edge') {
      for (const field of ['mounts', 'secrets', 'scaleRules', 'queues', 'configFiles'] as const) {
        if (x[field].length) out.push(err('roleShape', cpath(x, field), x[field], 'must be empty for the edge (a VM, not a container app)'));
      }
    }
    if (x.queues.length && x.role !== 'worker') out.push(err('roleShape', cpath(x, 'queues'), x.queues, 'must be empty unless the role is "worker"'));
  }
  return out;
}

/** Components that are not optional are always enabled. */
export function requiredComponentsEnabled(c: Catalogue): RuleIssue[] {
  return c.components
    .filter((x) => !x.optional && !x.enabled)
    .map((x) => err('requiredComponentsEnabled', cpath(x, 'enabled'), false, 'must be true: the component is not optional'));
}

/** Every mount names a declared storage, and mount paths are unique per component. */
export function mountsReferenceStorages(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const names = new Set(c.storages.map((s) => s.name));
  for (const x of enabled(c)) {
    const paths = new Set<string>();
    x.mounts.forEach((m, i) => {
      if (!names.has(m.storage)) {
        out.push(err('mountsReferenceStorages', cpath(x, `mounts[${i}].storage`), m.storage, `must name a declared storage (one of ${[...names].join(', ')})`));
      }
      if (paths.has(m.mountPath)) out.push(err('mountsReferenceStorages', cpath(x, `mounts[${i}].mountPath`), m.mountPath, 'must be unique within the component'));
      paths.add(m.mountPath);
    });
  }
  return out;
}

/** Config files go into an SMB or NFS share that the component mounts, under the mounted subPath. */
export function configFilesReferenceMounts(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const storages = new Map(c.storages.map((s) => [s.name, s]));
  for (const x of enabled(c)) {
    x.configFiles.forEach((f, i) => {
      const s = storages.get(f.storage);
      if (!s) {
        out.push(err('configFilesReferenceMounts', cpath(x, `configFiles[${i}].storage`), f.storage, 'must name a declared storage'));
        return;
      }
      if (s.kind === 'ephemeral') {
        out.push(err('configFilesReferenceMounts', cpath(x, `configFiles[${i}].storage`), f.storage, 'must be an smb or nfs share (files cannot be uploaded into an ephemeral volume)'));
      }
      const covered = x.mounts.some((m) => m.storage === f.storage && (!m.subPath || f.path.startsWith(`${m.subPath}/`)));
      if (!covered) {
        out.push(err('configFilesReferenceMounts', cpath(x, `configFiles[${i}].path`), f.path, `must lie under a subPath of "${f.storage}" that the component mounts`));
      }
    });
  }
  return out;
}

/**
 * Every env reference resolves: a `secretRef` names a declared secret listed in the component's
 * `secrets`; a `componentRef` names an enabled component with ingress; `onlyWith` names a
 * component; env names are unique per component; listed secrets exist (unused ones warn).
 */
export function envReferencesResolve(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const secrets = new Set(c.secrets.map((s) => s.name));
  const components = new Map(c.components.map((x) => [x.name, x]));
  for (const x of enabled(c)) {
    const seen = new Set<string>();
    const used = new Set<string>();
    x.env.forEach((e, i) => {
      const p = cpath(x, `env[${i}]`);
      if (seen.has(e.name)) out.push(err('envReferencesResolve', `${p}.name`, e.name, 'must be unique within the component'));
      seen.add(e.name);
      if (e.onlyWith !== undefined && !components.has(e.onlyWith)) {
        out.push(err('envReferencesResolve', `${p}.onlyWith`, e.onlyWith, 'must name a declared component'));
      }
      if ('secretRef' in e) {
        used.add(e.secretRef);
        if (!secrets.has(e.secretRef)) out.push(err('envReferencesResolve', `${p}.secretRef`, e.secretRef, `must name a declared secret (one of ${[...secrets].join(', ')})`));
        else if (!x.secrets.includes(e.secretRef)) out.push(err('envReferencesResolve', `${p}.secretRef`, e.secretRef, `must be listed in '${cpath(x, 'secrets')}'`));
      }
      if ('componentRef' in e) {
        const target = components.get(e.componentRef.component);
        if (!target) out.push(err('envReferencesResolve', `${p}.componentRef.component`, e.componentRef.component, 'must name a declared component'));
        else if (!target.enabled) out.push(err('envReferencesResolve', `${p}.componentRef.component`, e.componentRef.component, 'must name an enabled component (or set onlyWith so the variable is dropped with it)'));
        else if (!target.ingress) out.push(err('envReferencesResolve', `${p}.componentRef.component`, e.componentRef.component, 'must name a component with ingress (only those have an address in the environment)'));
      }
    });
    x.scaleRules.forEach((r, i) =>
      (r.auth ?? []).forEach((a, j) => {
        used.add(a.secretRef);
        if (!secrets.has(a.secretRef)) out.push(err('envReferencesResolve', cpath(x, `scaleRules[${i}].auth[${j}].secretRef`), a.secretRef, 'must name a declared secret'));
        else if (!x.secrets.includes(a.secretRef)) out.push(err('envReferencesResolve', cpath(x, `scaleRules[${i}].auth[${j}].secretRef`), a.secretRef, `must be listed in '${cpath(x, 'secrets')}'`));
      }),
    );
    x.secrets.forEach((s, i) => {
      if (!secrets.has(s)) out.push(err('envReferencesResolve', cpath(x, `secrets[${i}]`), s, 'must name a declared secret'));
      else if (!used.has(s)) out.push(warn('envReferencesResolve', cpath(x, `secrets[${i}]`), s, 'is listed but never referenced by env or a scale rule'));
    });
  }
  return out;
}

/** Every `dependsOn` names a declared component other than itself. References to disabled optional components are ignored by the derived views. */
export function dependsOnDeclared(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const names = new Set(c.components.map((x) => x.name));
  for (const x of c.components) {
    x.dependsOn.forEach((d, i) => {
      if (!names.has(d)) out.push(err('dependsOnDeclared', cpath(x, `dependsOn[${i}]`), d, 'must name a declared component'));
      else if (d === x.name) out.push(err('dependsOnDeclared', cpath(x, `dependsOn[${i}]`), d, 'must not be the component itself'));
    });
  }
  return out;
}

/** The dependency graph of enabled components has no cycle (deploy and destroy order need one). */
export function noDependencyCycles(c: Catalogue): RuleIssue[] {
  const graph = new Map(enabled(c).map((x) => [x.name, x.dependsOn.filter((d) => d !== x.name)]));
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (n: string): void => {
    state.set(n, 1);
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return cycles.map((cycle) =>
    err('noDependencyCycles', `components.${cycle[0]}.dependsOn`, cycle.join(' -> '), 'must not form a cycle; remove one of these dependsOn entries'),
  );
}

// ---------------------------------------------------------------------------------------------
// ingress and probes

/** TCP ingress has an explicit exposed port (1-65535, not 80/443), unique in the environment; HTTP ingress has none. */
export function uniqueExposedTcpPorts(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const owners = new Map<number, string>();
  for (const x of enabled(c)) {
    const ing = x.ingress;
    if (!ing) continue;
    if (ing.transport === 'http') {
      if (ing.exposedPort !== undefined) out.push(err('uniqueExposedTcpPorts', cpath(x, 'ingress.exposedPort'), ing.exposedPort, 'must not be set for HTTP ingress (ACA serves HTTP on 80/443 only)'));
      continue;
    }
    if (ing.exposedPort === undefined) {
      out.push(err('uniqueExposedTcpPorts', cpath(x, 'ingress.exposedPort'), undefined, `must be set for TCP ingress so other apps reach ${x.name}:<port>`));
      continue;
    }
    if ((ACA_LIMITS.tcpExposedPortsReserved as readonly number[]).includes(ing.exposedPort)) {
      out.push(err('uniqueExposedTcpPorts', cpath(x, 'ingress.exposedPort'), ing.exposedPort, `must not be ${ACA_LIMITS.tcpExposedPortsReserved.join(' or ')} for TCP ingress`));
    }
    const owner = owners.get(ing.exposedPort);
    if (owner) out.push(err('uniqueExposedTcpPorts', cpath(x, 'ingress.exposedPort'), ing.exposedPort, `must be unique in the environment; ${owner} already exposes it`));
    else owners.set(ing.exposedPort, x.name);
  }
  return out;
}

/**
 * OPA is reachable as `opa:8181`: exactly one enabled OPA app, named `opa`, TCP ingress exposing
 * 8181 to target 8181, every CVAT backend sets CVAT_OPA_URL to it, its readiness probe is
 * `/health?bundles` (as upstream's chart) and its liveness probe does not wait for bundles.
 */
export function opaReachable(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const opas = enabled(c).filter((x) => x.image.repository === 'openpolicyagent/opa');
  if (opas.length !== 1) {
    out.push(err('opaReachable', 'components', opas.map((x) => x.name), 'must contain exactly one enabled openpolicyagent/opa component'));
    return out;
  }
  const opa = opas[0] as Component;
  if (opa.name !== 'opa') out.push(err('opaReachable', cpath(opa, 'name'), opa.name, 'must be "opa": CVAT (and its bundle polling) expect the host opa'));
  const ing = opa.ingress;
  if (!ing || ing.transport !== 'tcp' || ing.exposedPort !== 8181 || ing.targetPort !== 8181) {
    out.push(err('opaReachable', cpath(opa, 'ingress'), ing, 'must be TCP ingress with targetPort 8181 and exposedPort 8181 (reachable as opa:8181)'));
  }
  // cvat-ai/cvat@v2.73.0 helm-chart/values.yaml probes OPA on /health?bundles: ready only with CVAT's policy bundle.
  const ready = opa.probes.readiness;
  if (!ready || ready.type !== 'http' || ready.path !== '/health?bundles') {
    const text = 'must be an http probe of /health?bundles (ready only once the CVAT policy bundle is activated)';
    out.push(err('opaReachable', cpath(opa, 'probes.readiness'), ready?.path ?? ready?.type, text));
  }
  // OPA's readiness waits for the bundle the server serves, and ACA fails the provisioning of a
  // revision whose probes never pass ("Failed to provision revision ... Operation expired",
  // https://github.com/hashicorp/terraform-provider-azurerm/issues/22432): the server must not wait
  // for OPA, or the first deployment deadlocks.
  for (const x of enabled(c).filter((y) => isCvatBackend(y) && y.role === 'service')) {
    const i = x.dependsOn.indexOf(opa.name);
    if (i !== -1) {
      const text = `must not name ${opa.name}: OPA becomes ready only after pulling its bundle from ${x.name}, so ${x.name} has to be deployed first`;
      out.push(err('opaReachable', cpath(x, `dependsOn[${i}]`), opa.name, text));
    }
  }
  const live = opa.probes.liveness;
  if (live?.path?.includes('bundles')) {
    const text = 'must not require bundles: OPA would be restarted while the server it pulls them from is still starting';
    out.push(err('opaReachable', cpath(opa, 'probes.liveness.path'), live.path, text));
  }
  for (const x of enabled(c).filter(isCvatBackend)) {
    const found = findEnv(x, 'CVAT_OPA_URL');
    const e = found?.env;
    const ok = e && (('componentRef' in e && e.componentRef.component === opa.name && e.componentRef.part === 'url') || ('value' in e && e.value === `http://${opa.name}:8181`));
    if (!ok) {
      out.push(
        err('opaReachable', found ? cpath(x, `env[${found.index}]`) : cpath(x, 'env'), e ? envKind(e) : undefined, `must define CVAT_OPA_URL as a componentRef to ${opa.name} (part url) or "http://${opa.name}:8181"`),
      );
    }
  }
  return out;
}

/** Long-running apps with ingress have liveness and readiness probes on their target port; HTTP probes have a path, TCP probes none. */
export function probesForLongRunning(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const x of enabled(c)) {
    if (x.role === 'job' || x.role === 'edge') continue;
    if (x.ingress) {
      for (const kind of ['liveness', 'readiness'] as const) {
        if (!x.probes[kind]) out.push(err('probesForLongRunning', cpath(x, `probes.${kind}`), undefined, `must be set: ${x.name} listens on ${x.ingress.targetPort}`));
      }
    }
    for (const kind of ['liveness', 'readiness', 'startup'] as const) {
      const p = x.probes[kind];
      if (!p) continue;
      if (x.ingress && p.port !== x.ingress.targetPort) {
        out.push(err('probesForLongRunning', cpath(x, `probes.${kind}.port`), p.port, `must be the ingress targetPort (${x.ingress.targetPort})`));
      }
      if (p.type === 'http' && !p.path) out.push(err('probesForLongRunning', cpath(x, `probes.${kind}.path`), undefined, 'must be set for an http probe'));
      if (p.type === 'tcp' && (p.path || p.headers)) out.push(err('probesForLongRunning', cpath(x, `probes.${kind}`), p, 'must not have path or headers for a tcp probe'));
    }
  }
  return out;
}

/**
 * Every enabled RQ worker serves the liveness endpoint and is probed on it: its `command` is the
 * wrapper (`python3 -c <worker_liveness.py> --port <p> -- /opt/cvat/backend_entrypoint.sh`, see
 * `WORKER_LIVENESS`) and it has an HTTP liveness probe (and any startup or readiness probe) on
 * `/livez` at that port. ACA has no exec probes, so without it a hung rqworker (alive process, no
 * heartbeat) is never restarted.
 */
export function workerLivenessWired(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const x of enabled(c).filter((y) => y.role === 'worker' && isCvatBackend(y))) {
    const cmd = x.command ?? [];
    const wrapped =
      cmd[0] === 'python3' && cmd[1] === '-c' && cmd[2] === workerLivenessScript() && cmd.at(-2) === '--' && cmd.at(-1) === WORKER_LIVENESS.entrypoint;
    const portAt = cmd.indexOf('--port');
    const port = portAt === -1 ? WORKER_LIVENESS.port : Number(cmd[portAt + 1]);
    if (!wrapped) {
      const shown = cmd.map((a) => (a.length > 40 ? `${a.slice(0, 37)}...` : a)).join(' ') || '(image entrypoint)';
      const want = `python3 -c <worker_liveness.py> --port <port> -- ${WORKER_LIVENESS.entrypoint}`;
      out.push(err('workerLivenessWired', cpath(x, 'command'), shown, `must be workerLivenessCommand() (${want}) so the liveness endpoint runs next to the worker`));
    }
    for (const kind of ['liveness', 'startup', 'readiness'] as const) {
      const p = x.probes[kind];
      if (!p && kind !== 'liveness') continue;
      const at = cpath(x, `probes.${kind}`);
      const probe = `an http probe of ${WORKER_LIVENESS.path} on port ${port}`;
      const limit = WORKER_LIVENESS.checkTimeoutSeconds;
      if (!p) {
        out.push(err('workerLivenessWired', at, undefined, `must be set: ${probe} (ACA has no exec probes)`));
      } else if (p.type !== 'http' || p.path !== WORKER_LIVENESS.path || p.port !== port) {
        out.push(err('workerLivenessWired', at, `${p.type} ${p.port} ${p.path ?? ''}`.trim(), `must be ${probe} (the endpoint's --port)`));
      } else if (p.timeoutSeconds <= limit) {
        out.push(err('workerLivenessWired', `${at}.timeoutSeconds`, p.timeoutSeconds, `must be more than ${limit} (the endpoint's own limit for one workerprobe run)`));
      }
    }
  }
  return out;
}

/**
 * Probe fields within what the pinned azurerm provider accepts, so that `terraform validate` never
 * fails on a probe: `failureThreshold` 1-30 for liveness, readiness and startup alike,
 * `initialDelaySeconds` 0-60, `periodSeconds` 1-240, `timeoutSeconds` 1-240, header names not
 * empty (see `ACA_LIMITS`). Applies to every component, enabled or not.
 *
 * @see hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/containerapps/helpers/container_apps.go
 *   (`ContainerAppLivenessProbeSchema`, `ContainerAppReadinessProbeSchema`, `ContainerAppStartupProbeSchema`)
 */
export function probeRanges(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const L = ACA_LIMITS;
  const maxFailures = { liveness: L.probeLivenessFailureThresholdMax, readiness: L.probeReadinessFailureThresholdMax, startup: L.probeStartupFailureThresholdMax };
  const provider = 'the range azurerm v4.55.0 validates';
  for (const x of c.components) {
    for (const kind of ['liveness', 'readiness', 'startup'] as const) {
      const p: Probe | undefined = x.probes[kind];
      if (!p) continue;
      const at = (f: string) => cpath(x, `probes.${kind}.${f}`);
      if (p.failureThreshold < L.probeFailureThresholdMin || p.failureThreshold > maxFailures[kind]) {
        const range = `between ${L.probeFailureThresholdMin} and ${maxFailures[kind]} for a ${kind} probe (${provider})`;
        out.push(err('probeRanges', at('failureThreshold'), p.failureThreshold, `must be ${range}; lengthen periodSeconds for a longer window`));
      }
      const ranges: [string, number, number, number][] = [
        ['initialDelaySeconds', p.initialDelaySeconds, L.probeInitialDelaySecondsMin, L.probeInitialDelaySecondsMax],
        ['periodSeconds', p.periodSeconds, L.probePeriodSecondsMin, L.probePeriodSecondsMax],
        ['timeoutSeconds', p.timeoutSeconds, L.probeTimeoutSecondsMin, L.probeTimeoutSecondsMax],
      ];
      for (const [field, value, min, max] of ranges) {
        if (value < min || value > max) out.push(err('probeRanges', at(field), value, `must be between ${min} and ${max} (${provider})`));
      }
      (p.headers ?? []).forEach((h, i) => {
        // azurerm checks `StringIsNotEmpty`; a blank name is not an HTTP header either.
        if (h.name.trim() === '') {
          out.push(err('probeRanges', at(`headers[${i}].name`), h.name, 'must not be empty or blank (azurerm requires a header name)'));
        }
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// storage

/**
 * No stateful store writes to SMB: PostgreSQL, Redis AOF, kvrocks/RocksDB and ClickHouse fail on
 * Azure Files SMB (no hard links, no rename over open files, byte-range locks). Stores use
 * ephemeral storage or NFS; read-only config mounts are fine.
 *
 * @see https://learn.microsoft.com/troubleshoot/azure/azure-storage/files/files-troubleshoot-linux-smb
 */
export function noStatefulStoreOnSmb(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const storages = new Map(c.storages.map((s) => [s.name, s]));
  for (const x of enabled(c)) {
    if (x.role !== 'store') continue;
    x.mounts.forEach((m, i) => {
      const s = storages.get(m.storage);
      if (s?.kind === 'smb' && !m.readOnly && s.accessMode !== 'ReadOnly') {
        out.push(
          err('noStatefulStoreOnSmb', cpath(x, `mounts[${i}].storage`), m.storage, `must not be an SMB share for the store ${x.name} (no hard links, renames or locks on SMB); use an ephemeral or nfs storage`),
        );
      }
    });
  }
  return out;
}

/**
 * The server and every worker mount the same shared (SMB or NFS) storages at /home/django/data,
 * /keys and /logs, read-write: compose mounts them everywhere, and uploads, exports and chunks
 * cross processes and replicas, so a replica-scoped ephemeral volume would split them.
 */
export function backendMountsShared(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const storages = new Map(c.storages.map((s) => [s.name, s]));
  const backends = enabled(c).filter((x) => isCvatBackend(x) && x.role !== 'job');
  for (const path of ['/home/django/data', '/home/django/keys', '/home/django/logs']) {
    const byComponent = backends.map((x) => ({ x, m: x.mounts.find((m) => m.mountPath === path) }));
    const reference = byComponent.find((b) => b.m)?.m?.storage;
    for (const { x, m } of byComponent) {
      if (!m) out.push(err('backendMountsShared', cpath(x, 'mounts'), x.mounts.map((mm) => mm.mountPath), `must mount a shared storage at ${path}`));
      else if (m.storage !== reference) out.push(err('backendMountsShared', cpath(x, 'mounts'), m.storage, `must mount the same storage at ${path} as the other backends (${reference})`));
      else if (m.readOnly) out.push(err('backendMountsShared', cpath(x, 'mounts'), path, 'must be mounted read-write'));
    }
    const kind = reference === undefined ? undefined : storages.get(reference)?.kind;
    if (reference !== undefined && kind === 'ephemeral') {
      out.push(err('backendMountsShared', `storages.${reference}.kind`, kind, `must be smb or nfs: ${path} is shared by every backend replica`));
    }
  }
  return out;
}

/** Mount options apply to SMB only (ACA ignores NFS mount options; EmptyDir has none). */
export function mountOptionsOnSmbOnly(c: Catalogue): RuleIssue[] {
  return c.storages
    .filter((s) => s.kind !== 'smb' && s.mountOptions)
    .map((s) => warn('mountOptionsOnSmbOnly', `storages.${s.name}.mountOptions`, s.mountOptions, `is ignored for ${s.kind} storage`));
}

// ---------------------------------------------------------------------------------------------
// CVAT environment traps

/**
 * SMOKESCREEN_OPTS is defined (even empty) on every component whose supervisord starts
 * smokescreen: supervisord substitutes `%(ENV_SMOKESCREEN_OPTS)s` and fails when it is undefined.
 */
export function smokescreenOptsDefined(c: Catalogue): RuleIssue[] {
  return enabled(c)
    .filter((x) => runsSmokescreen(x) && !findEnv(x, 'SMOKESCREEN_OPTS'))
    .map((x) => err('smokescreenOptsDefined', cpath(x, 'env'), 'SMOKESCREEN_OPTS missing', 'must define SMOKESCREEN_OPTS (even empty): supervisord reads %(ENV_SMOKESCREEN_OPTS)s for smokescreen'));
}

/** The worker serving `cleaning` defines CVAT_REDIS_INMEM_PASSWORD: its rqscheduler supervisor config reads `%(ENV_CVAT_REDIS_INMEM_PASSWORD)s`. */
export function cleaningWorkerHasInmemPassword(c: Catalogue): RuleIssue[] {
  return enabled(c)
    .filter((x) => x.queues.includes('cleaning') && !findEnv(x, 'CVAT_REDIS_INMEM_PASSWORD'))
    .map((x) =>
      err('cleaningWorkerHasInmemPassword', cpath(x, 'env'), 'CVAT_REDIS_INMEM_PASSWORD missing', 'must define CVAT_REDIS_INMEM_PASSWORD: the rqscheduler supervisor config reads %(ENV_CVAT_REDIS_INMEM_PASSWORD)s'),
    );
}

/** Every CVAT backend sets both Redis hosts and ports explicitly: wait_for_deps.sh has no default port. */
export function redisPortsExplicit(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const x of enabled(c).filter(isCvatBackend)) {
    for (const name of ['CVAT_REDIS_INMEM_HOST', 'CVAT_REDIS_INMEM_PORT', 'CVAT_REDIS_ONDISK_HOST', 'CVAT_REDIS_ONDISK_PORT']) {
      if (!findEnv(x, name)) out.push(err('redisPortsExplicit', cpath(x, 'env'), `${name} missing`, `must define ${name}: wait_for_deps.sh waits on it and has no default`));
    }
  }
  return out;
}

/** Every CVAT backend sets CVAT_POSTGRES_HOST/PORT/USER/DBNAME and exactly one of CVAT_POSTGRES_PASSWORD (from a secret) or CVAT_POSTGRES_PASSWORD_FILE. */
export function postgresSettingsComplete(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const x of enabled(c).filter(isCvatBackend)) {
    for (const name of ['CVAT_POSTGRES_HOST', 'CVAT_POSTGRES_PORT', 'CVAT_POSTGRES_USER', 'CVAT_POSTGRES_DBNAME']) {
      if (!findEnv(x, name)) out.push(err('postgresSettingsComplete', cpath(x, 'env'), `${name} missing`, `must define ${name} (defaults point at compose's cvat_db)`));
    }
    const pw = findEnv(x, 'CVAT_POSTGRES_PASSWORD');
    const file = findEnv(x, 'CVAT_POSTGRES_PASSWORD_FILE');
    if (pw && file) out.push(err('postgresSettingsComplete', cpath(x, `env[${file.index}]`), 'CVAT_POSTGRES_PASSWORD_FILE', 'must not be set together with CVAT_POSTGRES_PASSWORD (CVAT raises ImproperlyConfigured)'));
    if (!pw && !file) out.push(err('postgresSettingsComplete', cpath(x, 'env'), 'CVAT_POSTGRES_PASSWORD missing', 'must define CVAT_POSTGRES_PASSWORD from a secret'));
  }
  return out;
}

/** Variables whose name says they hold a secret (…PASSWORD, …SECRET_KEY, …TOKEN) come from a secret, never a plain value. */
export function secretsNotPlaintext(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const x of c.components) {
    x.env.forEach((e, i) => {
      if (SENSITIVE_ENV_RE.test(e.name) && !('secretRef' in e)) {
        out.push(err('secretsNotPlaintext', cpath(x, `env[${i}]`), `${e.name}=${'value' in e ? '<redacted>' : envKind(e)}`, `must take ${e.name} from a secret (secretRef), never a plain value`));
      }
    });
  }
  return out;
}

const EDGE_DERIVED: Record<string, PlatformRef> = {
  ALLOWED_HOSTS: 'edge.allowedHosts',
  CVAT_HOST: 'edge.host',
  CVAT_BASE_URL: 'edge.baseUrl',
  GF_SERVER_ROOT_URL: 'edge.analyticsUrl',
};

/**
 * ALLOWED_HOSTS, CVAT_HOST, CVAT_BASE_URL (and Grafana's root URL) are derived from the edge
 * hostname — a `platformRef` before resolution, a value marked `derivedFrom` after — and the
 * server defines the first three (CSRF, absolute `result_url`s and host checks depend on them).
 */
export function edgeDerivedHosts(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const x of enabled(c)) {
    x.env.forEach((e, i) => {
      const want = EDGE_DERIVED[e.name];
      if (!want) return;
      const ok = ('platformRef' in e && e.platformRef === want) || ('value' in e && e.derivedFrom === want);
      if (!ok) out.push(err('edgeDerivedHosts', cpath(x, `env[${i}]`), `${e.name}=${envKind(e)}`, `must be derived from the edge hostname (platformRef "${want}")`));
    });
    if (x.role === 'service' && isCvatBackend(x)) {
      for (const name of ['ALLOWED_HOSTS', 'CVAT_HOST', 'CVAT_BASE_URL']) {
        if (!findEnv(x, name)) out.push(err('edgeDerivedHosts', cpath(x, 'env'), `${name} missing`, `must define ${name} derived from the edge hostname`));
      }
    }
  }
  return out;
}

/**
 * CVAT_NUM_PROXIES counts the HTTP proxies in front of the server container that append to
 * `X-Forwarded-For`: the edge VM when it is enabled, and the environment ingress when the server
 * has HTTP ingress (TCP ingress appends nothing); see `cvatNumProxies`. The nginx inside the
 * image is not counted here: the v2.73 entrypoint adds it for `run server`
 * (cvat-ai/cvat@v2.73.0 backend_entrypoint.sh, `account_for_internal_proxy`). Every CVAT backend
 * defines it, as a `platformRef: edge.numProxies` or as that number. Too high lets a client pick
 * its own throttling identity; too low throttles every user as a proxy's address.
 */
export function numProxiesMatchesEdge(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const on = enabled(c);
  const edge = on.some((x) => x.role === 'edge');
  const server = on.find((x) => x.role === 'service' && isCvatBackend(x));
  const want = String(cvatNumProxies(edge, server?.ingress?.transport));
  const http = server?.ingress?.transport === 'http';
  const counted = [edge ? 'the edge VM' : '', http ? 'the HTTP ingress' : ''].filter(Boolean);
  const front = counted.length ? `${counted.join(' and ')} in front of the server` : 'no proxy in front of the server';
  const why = `${front}; the entrypoint adds the image's own nginx`;
  for (const x of on.filter(isCvatBackend)) {
    const found = findEnv(x, 'CVAT_NUM_PROXIES');
    if (!found) {
      out.push(err('numProxiesMatchesEdge', cpath(x, 'env'), 'CVAT_NUM_PROXIES missing', `must define CVAT_NUM_PROXIES (platformRef "edge.numProxies")`));
      continue;
    }
    const e = found.env;
    const ok = ('platformRef' in e && e.platformRef === 'edge.numProxies') || ('value' in e && e.value === want);
    if (!ok) out.push(err('numProxiesMatchesEdge', cpath(x, `env[${found.index}]`), `CVAT_NUM_PROXIES=${envKind(e)}`, `must be "${want}" (${why})`));
  }
  return out;
}

/** CVAT_ANALYTICS is "1" exactly when ClickHouse is enabled, and the server and init job define it (init creates the ClickHouse schema only when it is 1). Vector without ClickHouse or the reverse is reported. */
export function analyticsConsistent(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const on = enabled(c);
  const clickhouse = on.some((x) => x.image.repository === 'clickhouse/clickhouse-server');
  const vector = on.some((x) => x.image.repository === 'timberio/vector');
  const want = clickhouse ? '1' : '0';
  for (const x of on) {
    const found = findEnv(x, 'CVAT_ANALYTICS');
    if (found) {
      const e = found.env;
      if (!('value' in e) || e.value !== want) {
        out.push(err('analyticsConsistent', cpath(x, `env[${found.index}]`), `CVAT_ANALYTICS=${envKind(e)}`, `must be "${want}" because ClickHouse is ${clickhouse ? 'enabled' : 'disabled'}`));
      }
    } else if (isCvatBackend(x) && (x.role === 'service' || x.role === 'job')) {
      out.push(err('analyticsConsistent', cpath(x, 'env'), 'CVAT_ANALYTICS missing', `must define CVAT_ANALYTICS ("${want}")`));
    }
  }
  if (clickhouse !== vector) {
    out.push(warn('analyticsConsistent', 'components', { clickhouse, vector }, 'should enable ClickHouse and vector together (vector feeds ClickHouse)'));
  }
  return out;
}

/** Image tags are pinned: never empty, `latest`, `dev` or another moving tag. */
export function pinnedImageTags(c: Catalogue): RuleIssue[] {
  return c.components
    .filter((x) => UNPINNED_TAGS.includes(x.image.tag.toLowerCase()))
    .map((x) => err('pinnedImageTags', cpath(x, 'image.tag'), x.image.tag, `must be a pinned release tag, not one of ${UNPINNED_TAGS.join(', ')}`));
}

/** Every cvat/server and cvat/ui image uses `cvatVersion`: the workers and the UI must run the code whose migrations the init job applied. */
export function cvatImagesShareVersion(c: Catalogue): RuleIssue[] {
  return c.components
    .filter((x) => (CVAT_IMAGE_REPOSITORIES as readonly string[]).includes(x.image.repository) && x.image.tag !== c.cvatVersion)
    .map((x) => err('cvatImagesShareVersion', cpath(x, 'image.tag'), x.image.tag, `must equal cvatVersion (${JSON.stringify(c.cvatVersion)}); change cvatVersion to upgrade every CVAT image at once`));
}

// ---------------------------------------------------------------------------------------------
// queues and scaling

/** Every CVAT queue is served by an enabled worker, and workers only name known queues. The chunks worker in particular is not optional. */
export function everyQueueServed(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const served = new Map<string, string[]>();
  for (const x of enabled(c)) {
    x.queues.forEach((q, i) => {
      if (!(q in RQ_QUEUES)) out.push(err('everyQueueServed', cpath(x, `queues[${i}]`), q, `must be one of the CVAT queues (${Object.keys(RQ_QUEUES).join(', ')})`));
      served.set(q, [...(served.get(q) ?? []), x.name]);
    });
  }
  for (const q of Object.keys(RQ_QUEUES)) {
    const by = served.get(q) ?? [];
    if (by.length === 0) out.push(err('everyQueueServed', 'components', q, 'must be served by an enabled worker (requests on this queue would never finish)'));
    if (by.length > 1) out.push(warn('everyQueueServed', 'components', q, `is served by several workers (${by.join(', ')})`));
  }
  return out;
}

/**
 * Redis-queue scale rules watch `rq:queue:<queue>` of a queue the worker serves, in database 0 of
 * the in-memory Redis, and authenticate with its password.
 */
export function redisQueueScaleRules(c: Catalogue): RuleIssue[] {
  const out: RuleIssue[] = [];
  const redis = c.components.find((x) => x.name === 'cvat-redis-inmem');
  const address = redis?.ingress?.exposedPort ? `${redis.name}:${redis.ingress.exposedPort}` : undefined;
  for (const x of enabled(c)) {
    x.scaleRules.forEach((r, i) => {
      if (r.kind !== 'redis-queue') return;
      const at = (f: string) => cpath(x, `scaleRules[${i}].${f}`);
      const allowed = x.queues.map(rqQueueKey);
      if (!allowed.includes(r.metadata.listName ?? '')) out.push(err('redisQueueScaleRules', at('metadata.listName'), r.metadata.listName, `must be one of ${allowed.join(', ') || '(no queues served)'}`));
      if (address && r.metadata.address !== address) out.push(err('redisQueueScaleRules', at('metadata.address'), r.metadata.address, `must be "${address}" (the in-memory Redis)`));
      if ((r.metadata.databaseIndex ?? '0') !== '0') out.push(err('redisQueueScaleRules', at('metadata.databaseIndex'), r.metadata.databaseIndex, 'must be "0" (RQ queues live in database 0)'));
      if (!/^[1-9][0-9]*$/.test(r.metadata.listLength ?? '')) out.push(err('redisQueueScaleRules', at('metadata.listLength'), r.metadata.listLength, 'must be a positive whole number of queued jobs per replica'));
      if (!(r.auth ?? []).some((a) => a.triggerParameter === 'password')) out.push(err('redisQueueScaleRules', at('auth'), r.auth, 'must pass the Redis password (triggerParameter "password")'));
    });
  }
  return out;
}

/**
 * Every named rule, in the order they run. `validateCatalogue` runs all of them after the schema.
 */
export const CATALOGUE_RULES: readonly CatalogueRule[] = [
  namedRule(uniqueNames, 'Component, storage, secret and Key Vault secret names are unique.'),
  namedRule(appNameFormat, 'App names follow the ACA rule (≤32, lowercase, starts with a letter, no "--").'),
  namedRule(storageNameFormat, 'Environment storage names follow the ACA rule (3-32, lowercase, starts with a letter, no "--").'),
  namedRule(secretNameFormat, 'ACA and Key Vault secret names are valid.'),
  namedRule(consumptionResourcePair, 'Consumption CPU/memory form a valid pair (0.25/0.5 … 4/8, memory = 2 × cpu).'),
  namedRule(dedicatedProfileFit, 'Apps on a dedicated profile fit on one node.'),
  namedRule(replicaBounds, 'min 0-300, max 1-300, min ≤ max.'),
  namedRule(storesAreSingletons, 'Stateful stores run exactly one replica.'),
  namedRule(schedulerWorkerSingleReplica, 'Workers running an RQ scheduler run exactly one replica and never scale.'),
  namedRule(idleWorkersNeedScaleRule, 'Apps without ingress scale to 0 only with a scale rule.'),
  namedRule(longQueuesKeepAReplica, 'Workers of queues with jobs longer than the grace period keep min ≥ 1.'),
  namedRule(ephemeralStorageFits, 'Ephemeral volumes fit in the replica budget.'),
  namedRule(roleShape, 'Each role has the right shape (ingress, job settings, edge without mounts).'),
  namedRule(requiredComponentsEnabled, 'Non-optional components are enabled.'),
  namedRule(mountsReferenceStorages, 'Every mount names a declared storage.'),
  namedRule(configFilesReferenceMounts, 'Config files go into a mounted share.'),
  namedRule(envReferencesResolve, 'Every env reference names a declared secret or an enabled component with ingress.'),
  namedRule(dependsOnDeclared, 'Every dependsOn names a declared component.'),
  namedRule(noDependencyCycles, 'The dependency graph has no cycle.'),
  namedRule(uniqueExposedTcpPorts, 'TCP exposed ports are explicit, allowed and unique.'),
  namedRule(opaReachable, 'OPA is the app `opa` on TCP 8181, ready on /health?bundles, and every backend points CVAT_OPA_URL at it.'),
  namedRule(probesForLongRunning, 'Apps with ingress have liveness and readiness probes on their port.'),
  namedRule(workerLivenessWired, 'Every RQ worker serves /livez next to its entrypoint and has a liveness probe on it.'),
  namedRule(probeRanges, 'Probe fields are within the pinned azurerm v4.55.0 ranges (failures 1-30 for every kind).'),
  namedRule(noStatefulStoreOnSmb, 'No store writes to an SMB share.'),
  namedRule(backendMountsShared, 'Server and workers share data, keys and logs on SMB or NFS, read-write.'),
  namedRule(mountOptionsOnSmbOnly, 'Mount options only on SMB storages (warning).'),
  namedRule(smokescreenOptsDefined, 'SMOKESCREEN_OPTS is defined wherever smokescreen runs.'),
  namedRule(cleaningWorkerHasInmemPassword, 'The cleaning worker defines CVAT_REDIS_INMEM_PASSWORD.'),
  namedRule(redisPortsExplicit, 'Backends set both Redis hosts and ports.'),
  namedRule(postgresSettingsComplete, 'Backends set CVAT_POSTGRES_* with the password from a secret.'),
  namedRule(secretsNotPlaintext, 'Sensitive variables come from secrets.'),
  namedRule(edgeDerivedHosts, 'ALLOWED_HOSTS, CVAT_HOST and CVAT_BASE_URL derive from the edge hostname.'),
  namedRule(
    numProxiesMatchesEdge,
    'CVAT_NUM_PROXIES counts the proxies in front of the server container (edge VM, HTTP ingress); the entrypoint adds the image nginx.',
  ),
  namedRule(analyticsConsistent, 'CVAT_ANALYTICS matches whether ClickHouse is enabled.'),
  namedRule(pinnedImageTags, 'Image tags are pinned.'),
  namedRule(cvatImagesShareVersion, 'CVAT images use cvatVersion.'),
  namedRule(everyQueueServed, 'Every CVAT queue has an enabled worker.'),
  namedRule(redisQueueScaleRules, 'Redis-queue scale rules watch a served queue with the Redis password.'),
];

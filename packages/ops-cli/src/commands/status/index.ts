/**
 * `cvat-ops status`: every catalogue component as Azure sees it (exists, provisioning and running state, active
 * revision, replicas running/desired, image against the catalogue), the init job's last execution, and the server's
 * health endpoint when the edge is reachable. Exit code 1 when anything is unhealthy.
 */
import type { ContainerApp, Job } from '@azure/arm-appcontainers';
import { edgeUrls, type Component } from '@cvat-cloud/catalogue';
import type { GlobalOptions, OutputFileOptions } from '../../context/global-options';
import type { Runtime } from '../../context/runtime';
import { armReason, authError, EXIT } from '@cvat-cloud/runtime';
import type { Block, CommandResult } from '../../output';
import { activeRevisions, jobExecutions, listLiveResources, listReplicas, mapLimit } from '../../azure/live-state';
import { resolveAcaTarget, targetData, targetLabel, type AcaDeps, type AcaTarget, type TargetData } from '../../azure/target';
import { acaComponents } from '../drift/expected';
import { normaliseImage } from '../drift/spec';
import { checkServerHealth, type FetchLike, type ServerHealth } from './health';
import { messages } from './messages';

/** Options of {@link status}. */
export interface StatusOptions extends GlobalOptions, OutputFileOptions {
  /** Skip the server health request. @default false */
  noHealth?: boolean;
  /** Seconds to wait for the health endpoint. @default 10 */
  healthTimeoutSeconds?: number;
}

/** Injectable dependencies (tests). */
export interface StatusDeps extends AcaDeps {
  /** @default globalThis.fetch */
  fetch?: FetchLike;
}

/** Replica counts of a container app over its active revisions. */
export interface ReplicaStatus {
  /** Replicas whose running state is `Running`. */
  running: number;
  /** Replicas the active revisions report (`revision.replicas`). */
  desired: number;
  /** Scale bounds of the app template. */
  min: number;
  max: number;
}

/** Status of one catalogue component. */
export interface ComponentStatus {
  name: string;
  role: Component['role'];
  /** `containerApp`, `job`, or `vm` for the edge (not inspected here: see the server health). */
  resource: 'containerApp' | 'job' | 'vm';
  /** `null` when not inspected (the edge VM). */
  exists: boolean | null;
  provisioningState?: string;
  runningStatus?: string;
  activeRevisions: string[];
  replicas?: ReplicaStatus;
  image?: { live?: string; expected: string; matches: boolean };
  lastExecution?: { name: string; status: string; startTime?: Date; endTime?: Date };
  healthy: boolean;
  problems: string[];
}

/** What `status --json` prints. */
export interface StatusData extends TargetData {
  healthy: boolean;
  components: ComponentStatus[];
  serverHealth: ServerHealth;
  /** Live container apps and jobs no enabled catalogue component describes. */
  notInCatalogue: string[];
  notes: string[];
}

const expectedImage = (c: Component): string => normaliseImage(`${c.image.repository}:${c.image.tag}`);

function mainImage(name: string, containers: { name?: string; image?: string }[] | undefined): string | undefined {
  const list = containers ?? [];
  const image = (list.find((c) => c.name === name) ?? list[0])?.image;
  return image === undefined ? undefined : normaliseImage(image);
}

async function appStatus(target: AcaTarget, component: Component, app: ContainerApp | undefined): Promise<ComponentStatus> {
  const base = { name: component.name, role: component.role, resource: 'containerApp' as const, activeRevisions: [] as string[] };
  if (!app) return { ...base, exists: false, healthy: false, problems: [messages.missing(component.name, target.flags)] };
  const problems: string[] = [];
  const name = component.name;
  if (app.provisioningState !== 'Succeeded') problems.push(messages.provisioning(name, app.provisioningState ?? 'unknown'));
  if (app.runningStatus !== undefined && app.runningStatus !== 'Running') problems.push(messages.running(name, app.runningStatus));
  const revisions = await activeRevisions(target.client, target.resourceGroup, name);
  if (revisions.length === 0) problems.push(messages.noActiveRevision(name));
  let running = 0;
  let desired = 0;
  for (const revision of revisions) {
    desired += revision.replicas ?? 0;
    const replicas = await listReplicas(target.client, target.resourceGroup, name, revision.name ?? '');
    running += replicas.filter((r) => r.runningState === 'Running').length;
    const badRunning = ['Failed', 'Degraded', 'ActivationFailed'].includes(revision.runningState ?? '');
    if (revision.healthState === 'Unhealthy' || badRunning || revision.provisioningState === 'Failed') {
      problems.push(messages.revisionUnhealthy(name, revision.name ?? '?', revision.healthState ?? 'unknown', revision.runningState ?? ''));
    }
  }
  const min = app.template?.scale?.minReplicas ?? 0;
  const max = app.template?.scale?.maxReplicas ?? 10;
  if (revisions.length > 0 && running < min) problems.push(messages.tooFewReplicas(name, running, min, target.flags));
  const live = mainImage(name, app.template?.containers);
  const expected = expectedImage(component);
  if (live !== expected) problems.push(messages.imageMismatch(name, live ?? '(none)', expected));
  return {
    ...base,
    exists: true,
    ...(app.provisioningState ? { provisioningState: app.provisioningState } : {}),
    ...(app.runningStatus ? { runningStatus: app.runningStatus } : {}),
    activeRevisions: revisions.map((r) => r.name ?? '?'),
    replicas: { running, desired, min, max },
    image: { ...(live ? { live } : {}), expected, matches: live === expected },
    healthy: problems.length === 0,
    problems,
  };
}

async function jobStatus(target: AcaTarget, component: Component, job: Job | undefined): Promise<ComponentStatus> {
  const base = { name: component.name, role: component.role, resource: 'job' as const, activeRevisions: [] as string[] };
  if (!job) return { ...base, exists: false, healthy: false, problems: [messages.missing(component.name, target.flags)] };
  const problems: string[] = [];
  if (job.provisioningState !== 'Succeeded') problems.push(messages.provisioning(component.name, job.provisioningState ?? 'unknown'));
  const [last] = await jobExecutions(target.client, target.resourceGroup, component.name);
  if (!last) problems.push(messages.jobNeverRan(component.name));
  else if (last.status !== 'Succeeded' && last.status !== 'Running' && last.status !== 'Processing') {
    problems.push(messages.jobFailed(component.name, last.name ?? '?', last.status ?? 'unknown'));
  }
  const live = mainImage(component.name, job.template?.containers);
  const expected = expectedImage(component);
  if (live !== expected) problems.push(messages.imageMismatch(component.name, live ?? '(none)', expected));
  return {
    ...base,
    exists: true,
    ...(job.provisioningState ? { provisioningState: job.provisioningState } : {}),
    ...(last
      ? {
          lastExecution: {
            name: last.name ?? '?',
            status: last.status ?? 'unknown',
            ...(last.startTime ? { startTime: new Date(last.startTime) } : {}),
            ...(last.endTime ? { endTime: new Date(last.endTime) } : {}),
          },
        }
      : {}),
    image: { ...(live ? { live } : {}), expected, matches: live === expected },
    healthy: problems.length === 0,
    problems,
  };
}

async function serverHealth(target: AcaTarget, options: StatusOptions, fetchFn: FetchLike): Promise<ServerHealth> {
  if (options.noHealth) return { checked: false, reason: messages.healthSkippedFlag };
  if (!target.config) return { checked: false, reason: messages.healthSkippedNoEnv };
  if (target.config.edge.mode === 'none') return { checked: false, reason: messages.healthSkippedNoEdge };
  return checkServerHealth(edgeUrls(target.config).baseUrl, fetchFn, (options.healthTimeoutSeconds ?? 10) * 1000);
}

function replicasCell(s: ComponentStatus): string {
  if (s.lastExecution) return `last run ${s.lastExecution.status}`;
  if (!s.replicas) return '-';
  return `${s.replicas.running}/${s.replicas.desired} (${s.replicas.min}-${s.replicas.max})`;
}

/** Runs `cvat-ops status`. */
export async function status(options: StatusOptions, runtime: Runtime, deps: StatusDeps = {}): Promise<CommandResult<StatusData>> {
  const target = await resolveAcaTarget(options, runtime, messages.what, deps);
  const components = target.catalogue.components.filter((c) => c.enabled);
  const aca = acaComponents(target.catalogue);
  const { apps, jobs } = await listLiveResources(target, messages.what);
  const appsByName = new Map(apps.map((a) => [a.name ?? '', a]));
  const jobsByName = new Map(jobs.map((j) => [j.name ?? '', j]));
  const fetchFn = deps.fetch ?? (globalThis.fetch as unknown as FetchLike);

  const [statuses, health] = await Promise.all([
    mapLimit(components, 4, async (component): Promise<ComponentStatus> => {
      if (component.role === 'edge') {
        return {
          name: component.name,
          role: component.role,
          resource: 'vm',
          exists: null,
          activeRevisions: [],
          healthy: true,
          problems: [],
        };
      }
      try {
        return component.role === 'job'
          ? await jobStatus(target, component, jobsByName.get(component.name))
          : await appStatus(target, component, appsByName.get(component.name));
      } catch (error) {
        // One unreadable component is a problem in the report, not the end of the command (auth errors still are).
        const auth = authError(error, `reading ${component.name}`);
        if (auth) throw auth;
        const resource = component.role === 'job' ? ('job' as const) : ('containerApp' as const);
        return {
          name: component.name,
          role: component.role,
          resource,
          exists: null,
          activeRevisions: [],
          healthy: false,
          problems: [messages.readFailed(component.name, armReason(error))],
        };
      }
    }),
    serverHealth(target, options, fetchFn),
  ]);

  const expectedNames = new Set(aca.map((c) => c.name));
  const notInCatalogue = [...apps.map((a) => a.name ?? ''), ...jobs.map((j) => j.name ?? '')]
    .filter((n) => n && !expectedNames.has(n))
    .sort();
  const problems = statuses.flatMap((s) => s.problems);
  if (health.checked && health.reachable && !health.healthy) problems.push(messages.healthFailing(health.httpStatus, health.failing));
  const healthy = problems.length === 0;

  const view: Block[] = [
    {
      kind: 'table',
      title: `Resource group ${targetLabel(target)}`,
      columns: [
        { key: 'name', header: 'COMPONENT' },
        { key: 'role', header: 'ROLE' },
        { key: 'state', header: 'STATE' },
        { key: 'revision', header: 'ACTIVE REVISION' },
        { key: 'replicas', header: 'REPLICAS run/want (min-max)' },
        { key: 'image', header: 'IMAGE' },
        { key: 'ok', header: 'OK' },
      ],
      rows: statuses.map((s) => ({
        name: s.name,
        role: s.role,
        state:
          s.resource === 'vm'
            ? 'edge VM (see health)'
            : s.exists === null
              ? 'unknown'
              : s.exists
                ? [s.provisioningState, s.runningStatus].filter(Boolean).join('/')
                : 'missing',
        revision: s.activeRevisions.join(', ') || '-',
        replicas: replicasCell(s),
        image: s.image ? (s.image.matches ? s.image.expected : `${s.image.live ?? '(none)'} ≠ ${s.image.expected}`) : '-',
        ok: s.resource === 'vm' ? '-' : s.healthy ? 'yes' : 'NO',
      })),
    },
    {
      kind: 'fields',
      title: 'Server health',
      fields: !health.checked
        ? [['skipped', health.reason]]
        : !health.reachable
          ? [
              ['url', health.url],
              ['reachable', false],
              ['error', health.error],
            ]
          : [['url', health.url], ['http status', health.httpStatus], ...Object.entries(health.checks)],
    },
  ];
  const lines: string[] = [];
  if (health.checked && !health.reachable) lines.push(messages.healthUnreachable(health.url, health.error));
  if (notInCatalogue.length) lines.push(messages.extraApps(notInCatalogue));
  lines.push(...target.notes);
  if (healthy) lines.push(messages.allHealthy(statuses.filter((s) => s.resource !== 'vm').length));
  else lines.push(messages.unhealthy(problems.length), ...problems.map((p) => `  - ${p}`));
  view.push({ kind: 'lines', lines });

  return {
    data: {
      ...targetData(target),
      healthy,
      components: statuses,
      serverHealth: health,
      notInCatalogue,
      notes: target.notes,
    },
    view,
    exitCode: healthy ? EXIT.OK : EXIT.FAILED,
  };
}

/**
 * `cvat-ops idle`: for every container app of the environment, how many minutes of a look-back window met every one
 * of Container Apps' idle-billing criteria, read from Azure Monitor platform metrics at a one-minute grain
 * (./criteria.ts states the criteria, thresholds and sources; ./metrics.ts the queries). It measures what the cost
 * estimate (`cvat-infra cost --profile idle`) assumes: which always-on replicas bill at the idle rate, and for how long.
 *
 * Names come from the catalogue's derivation (`appSpecs`, as status and drift use): a job is listed as not applicable
 * (jobs have no idle rate); an app not deployed is listed as such. The minimum replicas are the live app's
 * (`template.scale.minReplicas`), the one Azure bills against. Next to each always-on app it prints what the estimate
 * assumes of it for a month with nobody working (the catalogue's activity class, `appActivities`, the one the estimate
 * prices by) and a verdict (./assumption.ts). Exit 0 once measured, whatever the shares and verdicts (a verdict is
 * information, not a failed check); a failed read ends the command with the exit code of its cause (docs/exit-codes.md:
 * 5 authorization, 6 not found, 7 unavailable).
 */
import { appActivities, appSpecs, type Catalogue } from '@cvat-cloud/catalogue';
import { armFailure, CliError, EXIT } from '@cvat-cloud/runtime';
import type { GlobalOptions, OutputFileOptions } from '../../context/global-options';
import type { Runtime } from '../../context/runtime';
import type { Block, CommandResult } from '../../output';
import { listLiveResources, mapLimit } from '../../azure/live-state';
import { metricsClientFactory, type MetricsClientFactory } from '../../azure/monitor-client';
import { resolveAcaTarget, targetData, targetLabel, type AcaDeps, type AcaTarget, type TargetData } from '../../azure/target';
import { acaComponents } from '../drift/expected';
import {
  evaluateIdle,
  IDLE_THRESHOLDS,
  MONTH_HOURS,
  type BrokenMinutes,
  type IdleMinutes,
  type IdleWindow,
  type MonthProjection,
} from './criteria';
import { GRAIN, MAX_SERIES, querySplitMetrics, type Aggregation } from './metrics';
import { messages } from './messages';
import { type Assumed, assumedCell, assumedOf, VERDICT_TOLERANCE_HOURS, type Verdict, verdictOf } from './assumption';

/** Options of {@link idle}. */
export interface IdleOptions extends GlobalOptions, OutputFileOptions {
  /** Look-back window in hours (1-720). @default 24 */
  hours?: number;
  /** Only these apps (catalogue names). @default every container app and job of the environment */
  apps?: string[];
}

/** Injectable dependencies (tests). */
export interface IdleDeps extends AcaDeps {
  /** @default the runtime's MonitorClient metrics (src/azure/monitor-client.ts) */
  metricsClient?: MetricsClientFactory;
  /** @default () => new Date() */
  now?: () => Date;
}

/** Look-back window when `--hours` is not given. */
export const DEFAULT_HOURS = 24;

/** Minutes before now left out of the window: platform metrics arrive a few minutes late, and a late minute would count as missing. */
export const LATENCY_MINUTES = 5;

/** One app's measurement. */
export interface AppIdle {
  name: string;
  kind: 'containerApp' | 'job';
  /** False for jobs (no idle rate). */
  applicable: boolean;
  /** Why not applicable. */
  reason?: string;
  /** Whether the app exists in Azure (undefined for jobs). */
  exists?: boolean;
  /** The live app's minReplicas (the catalogue's when the live app has none). */
  minReplicas?: number;
  minutes?: IdleMinutes;
  broken?: BrokenMinutes;
  /** Idle minutes / observed minutes (3 decimals); null without data. */
  idleShare?: number | null;
  /** A 730-hour month of such minutes, per replica at the minimum; null without data. */
  month?: MonthProjection | null;
  firstData?: Date;
  lastData?: Date;
  peakReplicas?: number;
  /**
   * What the cost estimate assumes of the app for a month with nobody working (its catalogue activity class); absent
   * for jobs and for apps the catalogue scales to zero (no idle rate, priced by their work).
   */
  assumed?: Assumed;
  /** The measurement against {@link assumed} (see `verdictOf`); absent when there is no assumption. */
  verdict?: Verdict;
  notes: string[];
}

/** What `idle --json` prints. */
export interface IdleData extends TargetData {
  window: { start: Date; end: Date; hours: number; grain: string };
  thresholds: typeof IDLE_THRESHOLDS;
  /** How the criteria are applied. */
  evaluation: string;
  monthHours: number;
  /** Hours a measurement may exceed the assumption and still be `as estimated`. */
  toleranceHours: number;
  apps: AppIdle[];
  notes: string[];
}

const PER_REPLICA = { UsageNanoCores: 'NanoCores', RxBytes: 'Bytes', Requests: 'Count' } as const;
const PER_REPLICA_AGGREGATIONS: Aggregation[] = ['Average', 'Total'];
const REPLICAS = { Replicas: 'Count' } as const;

/** The window ending {@link LATENCY_MINUTES} before the current minute. */
export function idleWindow(now: Date, hours: number): IdleWindow {
  const end = Math.floor(now.getTime() / 60_000) * 60_000 - LATENCY_MINUTES * 60_000;
  return { start: new Date(end - hours * 3_600_000), end: new Date(end) };
}

function checkApps(catalogue: Catalogue, wanted: readonly string[]): void {
  const names = acaComponents(catalogue).map((c) => c.name);
  const unknown = wanted.find((n) => !names.includes(n));
  if (unknown !== undefined) throw new CliError(EXIT.USAGE, messages.unknownApp(unknown, names));
}

async function measureApp(
  target: AcaTarget,
  client: Awaited<ReturnType<MetricsClientFactory>>,
  name: string,
  resourceId: string,
  minReplicas: number,
  window: IdleWindow,
): Promise<Pick<AppIdle, 'minutes' | 'broken' | 'idleShare' | 'month' | 'firstData' | 'lastData' | 'peakReplicas' | 'notes'>> {
  let perReplica: Awaited<ReturnType<typeof querySplitMetrics>>;
  let replicas: Awaited<ReturnType<typeof querySplitMetrics>>;
  try {
    perReplica = await querySplitMetrics(client, {
      resourceId,
      metrics: PER_REPLICA,
      aggregations: PER_REPLICA_AGGREGATIONS,
      dimension: 'podName',
      ...window,
    });
    replicas = await querySplitMetrics(client, {
      resourceId,
      metrics: REPLICAS,
      aggregations: ['Maximum'],
      dimension: 'revisionName',
      ...window,
    });
  } catch (error) {
    throw armFailure(error, messages.readFailed(name), messages.retry(target.flags));
  }
  const of = (metric: string) => perReplica.series.filter((s) => s.metric === metric);
  const result = evaluateIdle(
    { cpu: of('UsageNanoCores'), rxBytes: of('RxBytes'), requests: of('Requests'), replicas: replicas.series },
    window,
    minReplicas,
  );
  const notes: string[] = [];
  const m = result.minutes;
  if (m.observed === 0 && m.scaledToZero === 0) notes.push(minReplicas === 0 ? messages.noReplicaRan(name) : messages.noData(name));
  else if (m.observed === 0) notes.push(messages.scaledToZeroAll(name));
  if (m.missing > 0 && (m.observed > 0 || m.scaledToZero > 0) && minReplicas > 0) {
    if (result.missingBeforeFirstData === m.missing && result.firstData)
      notes.push(messages.missingBefore(name, m.missing, result.firstData));
    else notes.push(messages.gaps(name, m.missing, m.window));
  }
  if (result.broken.noData > 0) notes.push(messages.partialReplicas(name, result.broken.noData));
  const cut = [...perReplica.cut, ...replicas.cut];
  if (cut.length > 0) notes.push(messages.cut(name, cut, MAX_SERIES));
  return {
    minutes: result.minutes,
    broken: result.broken,
    idleShare: result.idleShare,
    month: result.month,
    ...(result.firstData ? { firstData: result.firstData } : {}),
    ...(result.lastData ? { lastData: result.lastData } : {}),
    peakReplicas: result.peakReplicas,
    notes,
  };
}

const percent = (share: number | null | undefined): string =>
  share === null || share === undefined ? '-' : `${(share * 100).toFixed(1)} %`;

function row(a: AppIdle): Record<string, unknown> {
  const assumption = {
    class: a.assumed?.class ?? '-',
    assumed: a.assumed ? assumedCell(a.assumed) : '-',
    verdict: a.verdict ?? '-',
  };
  if (!a.applicable) return { name: a.name, min: '-', observed: 'n/a (job)', idle: '-', share: '-', active: '-', ...assumption };
  if (!a.exists) return { name: a.name, min: '-', observed: 'not deployed', idle: '-', share: '-', active: '-', ...assumption };
  const b = a.broken;
  return {
    ...assumption,
    name: a.name,
    min: a.minReplicas,
    observed: a.minutes?.observed,
    idle: a.minutes?.idle,
    share: percent(a.idleShare),
    cpu: b?.cpu,
    bytes: b?.rxBytes,
    requests: b?.requests,
    above: b?.aboveMinimum,
    noData: b?.noData,
    missing: a.minutes ? a.minutes.missing + a.minutes.scaledToZero : undefined,
    active: a.month ? `${a.month.activeHours} h` : '-',
  };
}

/** Runs `cvat-ops idle`. */
export async function idle(options: IdleOptions, runtime: Runtime, deps: IdleDeps = {}): Promise<CommandResult<IdleData>> {
  const wanted = options.apps ?? [];
  const hours = options.hours ?? DEFAULT_HOURS;
  const target = await resolveAcaTarget(options, runtime, messages.what, deps, (catalogue) => checkApps(catalogue, wanted));
  const allSpecs = appSpecs(target.catalogue, target.config);
  const specs = allSpecs.filter((s) => wanted.length === 0 || wanted.includes(s.name));
  const { apps } = await listLiveResources(target, messages.what);
  const live = new Map(apps.map((a) => [a.name ?? '', a]));
  const window = idleWindow((deps.now ?? (() => new Date()))(), hours);
  // from every spec, not only the wanted ones: who polls an app is read from another app (OPA)
  const assumptions = new Map(appActivities(allSpecs).map((a) => [a.name, assumedOf(a)]));
  const needsMetrics = specs.some((s) => s.kind === 'containerApp' && live.get(s.name)?.id);
  const client = needsMetrics ? await (deps.metricsClient ?? metricsClientFactory(runtime))(target.subscriptionId) : undefined;

  const results = await mapLimit(specs, 4, async (spec): Promise<AppIdle> => {
    if (spec.kind === 'job') return { name: spec.name, kind: 'job', applicable: false, reason: messages.jobNotApplicable, notes: [] };
    const app = live.get(spec.name);
    const assumed = assumptions.get(spec.name);
    const base = { name: spec.name, kind: 'containerApp' as const, applicable: true };
    const judged = (activeHours: number | null | undefined) => (assumed ? { assumed, verdict: verdictOf(activeHours, assumed) } : {});
    if (!app?.id || !client) return { ...base, exists: false, ...judged(null), notes: [messages.notDeployed(spec.name, target.flags)] };
    const liveMin = app.template?.scale?.minReplicas;
    const minReplicas = liveMin ?? spec.scale.minReplicas;
    const measured = await measureApp(target, client, spec.name, app.id, minReplicas, window);
    const notes = [...measured.notes];
    if (liveMin !== undefined && liveMin !== spec.scale.minReplicas)
      notes.unshift(messages.minDiffers(spec.name, liveMin, spec.scale.minReplicas));
    if (minReplicas === 0) notes.unshift(messages.noIdleRate(spec.name));
    const verdict = judged(measured.month?.activeHours);
    if (verdict.assumed && verdict.verdict === 'busier than estimated')
      notes.push(messages.busier(spec.name, measured.month?.activeHours ?? 0, verdict.assumed, VERDICT_TOLERANCE_HOURS));
    return { ...base, exists: true, minReplicas, ...measured, ...verdict, notes };
  });

  const view: Block[] = [
    {
      kind: 'table',
      title: `Idle minutes per app, ${hours} h, resource group ${targetLabel(target)}`,
      columns: [
        { key: 'name', header: 'APP' },
        { key: 'min', header: 'MIN', align: 'right' },
        { key: 'observed', header: 'OBSERVED', align: 'right' },
        { key: 'idle', header: 'IDLE', align: 'right' },
        { key: 'share', header: 'IDLE SHARE', align: 'right' },
        { key: 'cpu', header: 'CPU', align: 'right' },
        { key: 'bytes', header: 'BYTES', align: 'right' },
        { key: 'requests', header: 'REQUESTS', align: 'right' },
        { key: 'above', header: 'ABOVE MIN', align: 'right' },
        { key: 'noData', header: 'NO DATA', align: 'right' },
        { key: 'missing', header: 'NOT RUNNING', align: 'right' },
        { key: 'active', header: `ACTIVE h/${MONTH_HOURS}`, align: 'right' },
        { key: 'class', header: 'CLASS' },
        { key: 'assumed', header: `ASSUMED h/${MONTH_HOURS}`, align: 'right' },
        { key: 'verdict', header: 'VERDICT' },
      ],
      rows: results.map(row),
      footer: [
        'Minutes. CPU, BYTES, REQUESTS, ABOVE MIN, NO DATA: observed minutes that broke that criterion (a minute may break several);',
        `NOT RUNNING: minutes without data or scaled to zero; ACTIVE: hours a ${MONTH_HOURS}-hour month of such minutes bills active, per replica.`,
        `CLASS, ASSUMED: the cost estimate's activity class and the hours it assumes active in a ${MONTH_HOURS}-hour month with nobody ` +
          `working; VERDICT: 'as estimated' when ACTIVE is at most ASSUMED + ${VERDICT_TOLERANCE_HOURS.toFixed(1)} h.`,
      ],
    },
  ];
  const lines = [messages.window(window.start, window.end, hours), messages.evaluation];
  for (const r of results) lines.push(...r.notes.map((n) => `  - ${n}`));
  lines.push(...target.notes, messages.compare(target.flags));
  view.push({ kind: 'lines', lines });

  return {
    data: {
      ...targetData(target),
      window: { start: window.start, end: window.end, hours, grain: GRAIN },
      thresholds: IDLE_THRESHOLDS,
      evaluation: 'per replica (podName) and minute; Replicas per revision',
      monthHours: MONTH_HOURS,
      toleranceHours: Math.round(VERDICT_TOLERANCE_HOURS * 10) / 10,
      apps: results,
      notes: target.notes,
    },
    view,
    exitCode: EXIT.OK,
  };
}

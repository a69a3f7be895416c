/**
 * Container Apps' idle criteria, applied minute by minute to Azure Monitor platform metrics. Pure: no Azure, no clock.
 *
 * Billing (https://learn.microsoft.com/azure/container-apps/billing, "Consumption plan", idle usage): a replica bills at
 * the idle rate only while its revision has minReplicas >= 1 and runs at that minimum, all its containers run, it
 * processes no HTTP request, uses under 0.01 vCPU and receives under 1,000 bytes per second; otherwise, and for replicas
 * above the minimum, the active rate.
 *
 * The metrics, as Azure Monitor's generated reference lists them for Microsoft.App/containerapps
 * (https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-app-containerapps-metrics; the same
 * rows, with their REST dimension names, under the older type at
 * https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-web-containerapps-metrics) and the
 * Container Apps metrics page (https://learn.microsoft.com/azure/container-apps/metrics, MicrosoftDocs/azure-docs
 * articles/container-apps/metrics.md of 2024-11-01: "CPU Usage | Replica, Revision", "Replica count | Revision"), grain
 * PT1M, aggregations Average, Total (Sum), Maximum, Minimum:
 * - `UsageNanoCores` (unit NanoCores, dimensions revisionName, podName; 1,000,000,000 nano cores = 1 core): the CPU
 *   criterion, the minute's Average per replica compared with 0.01 vCPU = 10,000,000 nano cores;
 * - `RxBytes` (unit Bytes, dimensions revisionName, podName): the bytes criterion, the minute's Total per replica compared
 *   with 1,000 B/s x 60 s = 60,000 bytes;
 * - `Requests` (unit Count, dimensions revisionName, podName, statusCodeCategory, statusCode): the request criterion,
 *   the minute's Total per replica, any request breaks it (a minute without a value counts as no request: an app
 *   without ingress reports none);
 * - `Replicas` (unit Count, dimensions revisionName, deploymentName; "can only split by revision",
 *   https://learn.microsoft.com/azure/container-apps/metrics): the minimum criterion, the minute's Maximum per revision
 *   compared with the app's minReplicas.
 * `podName` is the replica (the Container Apps metrics page lists "Replica" for it), so the three per-replica criteria
 * are evaluated per replica, not on the app's sum.
 *
 * What one-minute data cannot show: a burst shorter than a minute (a second above 1,000 B/s inside a quiet minute), and
 * how often Azure itself samples the criteria (not published). A minute is idle here when every replica met every
 * criterion on the minute's figures.
 */

/** Thresholds of the idle criteria at a one-minute grain. */
export const IDLE_THRESHOLDS = {
  /** 0.01 vCPU in nano cores: a replica at or above it in a minute's Average is active. */
  cpuNanoCores: 10_000_000,
  /** 1,000 bytes per second x 60 s: a replica receiving this many bytes or more in a minute is active. */
  rxBytesPerMinute: 60_000,
  /** Requests a replica may process in a minute and stay idle. */
  requestsPerMinute: 0,
} as const;

/** Hours of the month the billing and the cost estimate use. */
export const MONTH_HOURS = 730;

const MINUTE_MS = 60_000;

/** The aggregations of one metric in one minute (absent when Azure Monitor had no value). */
export interface MinuteValues {
  readonly average?: number;
  readonly maximum?: number;
  readonly total?: number;
}

/** One split series: the minutes of one metric for one value of its split dimension (a replica, or a revision). */
export interface SplitSeries {
  readonly metric: string;
  /** The dimension value: the replica (`podName`) or the revision (`revisionName`). */
  readonly key: string;
  /** By the minute's start, in epoch milliseconds. */
  readonly points: ReadonlyMap<number, MinuteValues>;
}

/** The metrics of one app over the window. */
export interface AppMetrics {
  /** `UsageNanoCores` per replica. */
  readonly cpu: readonly SplitSeries[];
  /** `RxBytes` per replica. */
  readonly rxBytes: readonly SplitSeries[];
  /** `Requests` per replica. */
  readonly requests: readonly SplitSeries[];
  /** `Replicas` per revision. */
  readonly replicas: readonly SplitSeries[];
}

/** How the minutes of the window split. */
export interface IdleMinutes {
  /** Minutes in the window. */
  readonly window: number;
  /** Minutes with at least one replica running (the basis of the share). */
  readonly observed: number;
  /** Observed minutes in which every replica met every criterion at the revision's minimum. */
  readonly idle: number;
  /** Minutes in which Azure Monitor reported zero replicas (nothing billed). */
  readonly scaledToZero: number;
  /** Minutes without any metric data (before the app existed, stopped, or a gap). */
  readonly missing: number;
}

/** Observed minutes in which at least one replica broke each criterion (a minute may break several). */
export interface BrokenMinutes {
  /** A replica's UsageNanoCores Average >= 10,000,000. */
  readonly cpu: number;
  /** A replica's RxBytes Total >= 60,000. */
  readonly rxBytes: number;
  /** A replica's Requests Total > 0. */
  readonly requests: number;
  /** A revision above the app's minReplicas (every replica then bills active; with minReplicas 0 any running replica). */
  readonly aboveMinimum: number;
  /** A running replica without a CPU or RxBytes value, or fewer replicas with values than Replicas reported. */
  readonly noData: number;
}

/** What a month of minutes like these bills. */
export interface MonthProjection {
  readonly hours: number;
  /** Hours per replica at the minimum billed at the active rate. */
  readonly activeHours: number;
  /** Hours per replica at the minimum billed at the idle rate. */
  readonly idleHours: number;
}

/** The evaluation of one app. */
export interface IdleEvaluation {
  readonly minutes: IdleMinutes;
  readonly broken: BrokenMinutes;
  /** idle / observed, 3 decimals; null without an observed minute. */
  readonly idleShare: number | null;
  /**
   * Null without an observed or scaled-to-zero minute. Based on the minutes with data; with minReplicas 0 on the whole
   * window (a minute without data is one without a replica).
   */
  readonly month: MonthProjection | null;
  /** First and last minute with data. */
  readonly firstData?: Date;
  readonly lastData?: Date;
  /** Replicas (podName values) seen in the window. */
  readonly replicasSeen: readonly string[];
  /** Most replicas running in one minute. */
  readonly peakReplicas: number;
  /** Minutes without data before the first minute with data (the app did not exist yet, or was stopped). */
  readonly missingBeforeFirstData: number;
}

/** The window: `start` inclusive, `end` exclusive, both on a minute boundary. */
export interface IdleWindow {
  readonly start: Date;
  readonly end: Date;
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

function valueAt(series: readonly SplitSeries[], minute: number, pick: keyof MinuteValues): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of series) {
    const v = s.points.get(minute)?.[pick];
    if (v !== undefined && Number.isFinite(v)) out.set(s.key, v);
  }
  return out;
}

/** Applies the idle criteria to every minute of `window` for an app with `minReplicas`. */
export function evaluateIdle(metrics: AppMetrics, window: IdleWindow, minReplicas: number): IdleEvaluation {
  const start = Math.ceil(window.start.getTime() / MINUTE_MS) * MINUTE_MS;
  const end = window.end.getTime();
  let observed = 0;
  let idle = 0;
  let scaledToZero = 0;
  let missing = 0;
  let missingBeforeFirstData = 0;
  const broken = { cpu: 0, rxBytes: 0, requests: 0, aboveMinimum: 0, noData: 0 };
  let first: number | undefined;
  let last: number | undefined;
  let peak = 0;
  const seen = new Set<string>();
  let windowMinutes = 0;

  for (let t = start; t < end; t += MINUTE_MS) {
    windowMinutes += 1;
    const cpu = valueAt(metrics.cpu, t, 'average');
    const rx = valueAt(metrics.rxBytes, t, 'total');
    const requests = valueAt(metrics.requests, t, 'total');
    const revisions = [...valueAt(metrics.replicas, t, 'maximum').values()];
    const present = new Set([...cpu.keys(), ...rx.keys()]);
    const reported = revisions.length > 0;
    const running = reported ? revisions.reduce((a, b) => a + b, 0) : present.size;
    if (running === 0 && present.size === 0) {
      if (reported) {
        scaledToZero += 1;
        first ??= t;
        last = t;
      } else {
        missing += 1;
        if (first === undefined) missingBeforeFirstData += 1;
      }
      continue;
    }
    first ??= t;
    last = t;
    observed += 1;
    peak = Math.max(peak, running, present.size);
    for (const pod of present) seen.add(pod);

    const above = reported ? revisions.some((r) => r > minReplicas) : present.size > minReplicas;
    let cpuBroken = false;
    let rxBroken = false;
    let requestsBroken = false;
    let noData = running > present.size;
    for (const pod of present) {
      const c = cpu.get(pod);
      const r = rx.get(pod);
      if (c === undefined || r === undefined) noData = true;
      if (c !== undefined && c >= IDLE_THRESHOLDS.cpuNanoCores) cpuBroken = true;
      if (r !== undefined && r >= IDLE_THRESHOLDS.rxBytesPerMinute) rxBroken = true;
      if ((requests.get(pod) ?? 0) > IDLE_THRESHOLDS.requestsPerMinute) requestsBroken = true;
    }
    if (cpuBroken) broken.cpu += 1;
    if (rxBroken) broken.rxBytes += 1;
    if (requestsBroken) broken.requests += 1;
    if (above) broken.aboveMinimum += 1;
    if (noData) broken.noData += 1;
    if (!cpuBroken && !rxBroken && !requestsBroken && !above && !noData) idle += 1;
  }

  // An app with minReplicas 0 that reports nothing most likely has no replica: its silent minutes count as scaled to
  // zero for the month (otherwise the minutes it ran would be stretched over the whole month).
  const basis = minReplicas === 0 ? windowMinutes : observed + scaledToZero;
  return {
    minutes: { window: windowMinutes, observed, idle, scaledToZero, missing },
    broken,
    idleShare: observed > 0 ? round(idle / observed, 3) : null,
    month:
      observed + scaledToZero > 0
        ? {
            hours: MONTH_HOURS,
            activeHours: round(((observed - idle) / basis) * MONTH_HOURS, 1),
            idleHours: round((idle / basis) * MONTH_HOURS, 1),
          }
        : null,
    ...(first !== undefined ? { firstData: new Date(first) } : {}),
    ...(last !== undefined ? { lastData: new Date(last) } : {}),
    replicasSeen: [...seen].sort(),
    peakReplicas: peak,
    missingBeforeFirstData: first === undefined ? 0 : missingBeforeFirstData,
  };
}

/**
 * Usage profiles of the cost estimate: who is active when, and the work that causes. Container Apps bills replica
 * time at an active or an idle rate, so an estimate is only as good as these figures; every one is printed with the
 * estimate (`cvat-infra cost`) and documented in docs/cost.md.
 */

/** Names of the usage profiles (`--profile`). */
export const PROFILE_NAMES = ['small-team', 'idle'] as const;
/** See {@link PROFILE_NAMES}. */
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** Jobs a month on one RQ queue and how long each runs. */
export interface QueueLoad {
  /** Jobs enqueued a month. */
  readonly jobsPerMonth: number;
  /** Average run time of one job, in seconds. */
  readonly averageJobSeconds: number;
}

/** Stored data of the shares, by what a share holds (matched on the share name, see `shareContent`). */
export interface StoredGiB {
  /** Task media, chunks cache on disk, exports (`cvat-data`). */
  readonly data: number;
  /** Django and worker logs (`cvat-logs`). */
  readonly logs: number;
  /** ClickHouse's event database when it lives on a share (the reference project's `cvat-events-db`). */
  readonly events: number;
  /** kvrocks' chunk cache when it lives on a share (the reference project's `cvat-cache-db`). */
  readonly cache: number;
  /** Anything else: keys, configuration files. */
  readonly other: number;
}

/** A usage profile. */
export interface UsageProfile {
  readonly name: ProfileName;
  /** Who is active when, in one paragraph. */
  readonly description: string;
  /** Hours a month during which users work in CVAT (requests reach the server, UI, OPA decisions, chunk reads). */
  readonly userHoursPerMonth: number;
  /**
   * Hours a month of peak use (every user active at once), during which HTTP-scaled apps scale out to the replicas
   * {@link peakConcurrentRequests} needs, up to their `maxReplicas`.
   */
  readonly peakHoursPerMonth: number;
  /** Requests in flight at the peak (HTTP scale rules add a replica per `concurrentRequests`, default 10). */
  readonly peakConcurrentRequests: number;
  /**
   * Hours a month during which a queue has a backlog (bulk imports, a batch of exports), so a queue-scaled worker
   * scales out to the replicas {@link peakQueueBacklog} needs, up to its `maxReplicas`. Bounded by its queues' work.
   */
  readonly backlogHoursPerMonth: number;
  /** Jobs waiting on a queue at such a backlog (KEDA's redis rule adds a replica per `listLength`, default 5). */
  readonly peakQueueBacklog: number;
  /** Work on each RQ queue (CVAT v2.73.0 queue names); queues not listed get no jobs. */
  readonly queues: Readonly<Record<string, QueueLoad>>;
  /** Runs a month of each manually triggered job (the migration job runs once per deploy). */
  readonly deploysPerMonth: number;
  /** Requests a month reaching the environment from outside (through the edge); billed after the free grant. */
  readonly externalRequestsPerMonth: number;
  /** GB a month ingested into Log Analytics (container console and system logs, diagnostic settings). */
  readonly logAnalyticsGBPerMonth: number;
  /** GB a month sent to the internet (chunks and exports downloaded by users, through the edge VM). */
  readonly egressGBPerMonth: number;
  /** GB a month through each private endpoint (in plus out). */
  readonly privateEndpointGBPerMonth: number;
  /** Data on the SMB shares, by content. */
  readonly storedGiB: StoredGiB;
  /**
   * Operations a month on an SMB share, in thousands, by what the share holds: writes (write, create, list) and reads
   * (read, other). A share holding a database's files (ClickHouse `events`, kvrocks `cache`) is written all month:
   * ClickHouse flushes its system logs every 7.5 s (each flush a new part of several files) and merges parts in the
   * background, users or not; about 1 write a second is assumed (a lower bound).
   */
  readonly shareThousandOps: Readonly<Record<keyof StoredGiB, { readonly writes: number; readonly reads: number }>>;
}

/**
 * `small-team`: one project lead and five annotators in one time zone, working weekdays 09:00–17:00 (8 h × 22 days =
 * 176 h a month); nobody works nights or weekends.
 */
const SMALL_TEAM: UsageProfile = {
  name: 'small-team',
  description:
    'one project lead and five annotators in one time zone, weekdays 09:00-17:00 (8 h x 22 days = 176 h a month); the lead creates ' +
    'about 10 tasks a week and exports annotations about 5 times a week; nobody works nights or weekends',
  userHoursPerMonth: 176,
  peakHoursPerMonth: 10,
  // six people, each with a couple of requests in flight (chunk and annotation loads) at the busiest moment
  peakConcurrentRequests: 12,
  backlogHoursPerMonth: 4,
  // the lead creating a week's tasks at once
  peakQueueBacklog: 10,
  queues: {
    // task creation from uploaded media (decode, chunk) and annotation imports
    import: { jobsPerMonth: 50, averageJobSeconds: 240 },
    export: { jobsPerMonth: 20, averageJobSeconds: 180 },
    // auto-annotation needs Nuclio, which this project does not deploy
    annotation: { jobsPerMonth: 0, averageJobSeconds: 0 },
    quality_reports: { jobsPerMonth: 100, averageJobSeconds: 60 },
    consensus: { jobsPerMonth: 10, averageJobSeconds: 120 },
    // five annotators reading about 100 chunks a day each that are not yet cached
    chunks: { jobsPerMonth: 11_000, averageJobSeconds: 2 },
    webhooks: { jobsPerMonth: 1_000, averageJobSeconds: 1 },
    notifications: { jobsPerMonth: 0, averageJobSeconds: 0 },
    // rqscheduler's periodic clean-up jobs
    cleaning: { jobsPerMonth: 60, averageJobSeconds: 30 },
  },
  deploysPerMonth: 2,
  externalRequestsPerMonth: 650_000,
  logAnalyticsGBPerMonth: 6,
  egressGBPerMonth: 30,
  privateEndpointGBPerMonth: 20,
  storedGiB: { data: 50, logs: 2, events: 2, cache: 10, other: 0.01 },
  shareThousandOps: {
    data: { writes: 500, reads: 2_000 },
    logs: { writes: 200, reads: 5 },
    events: { writes: 2_600, reads: 1_300 },
    cache: { writes: 300, reads: 600 },
    other: { writes: 1, reads: 50 },
  },
};

/**
 * `idle`: the environment stays deployed for a month with its data (between annotation campaigns) and nobody logs
 * in; only CVAT's scheduled clean-up jobs run.
 */
const IDLE: UsageProfile = {
  name: 'idle',
  description:
    'deployed with its data for a whole month between annotation campaigns; nobody logs in, no webhook fires; only the periodic ' +
    'clean-up jobs that rqscheduler enqueues run',
  userHoursPerMonth: 0,
  peakHoursPerMonth: 0,
  peakConcurrentRequests: 0,
  backlogHoursPerMonth: 0,
  peakQueueBacklog: 0,
  queues: {
    import: { jobsPerMonth: 0, averageJobSeconds: 0 },
    export: { jobsPerMonth: 0, averageJobSeconds: 0 },
    annotation: { jobsPerMonth: 0, averageJobSeconds: 0 },
    quality_reports: { jobsPerMonth: 0, averageJobSeconds: 0 },
    consensus: { jobsPerMonth: 0, averageJobSeconds: 0 },
    chunks: { jobsPerMonth: 0, averageJobSeconds: 0 },
    webhooks: { jobsPerMonth: 0, averageJobSeconds: 0 },
    notifications: { jobsPerMonth: 0, averageJobSeconds: 0 },
    cleaning: { jobsPerMonth: 60, averageJobSeconds: 30 },
  },
  deploysPerMonth: 0,
  externalRequestsPerMonth: 0,
  logAnalyticsGBPerMonth: 1.5,
  egressGBPerMonth: 0,
  privateEndpointGBPerMonth: 1,
  storedGiB: { data: 50, logs: 2, events: 2, cache: 10, other: 0.01 },
  shareThousandOps: {
    data: { writes: 5, reads: 20 },
    logs: { writes: 5, reads: 1 },
    events: { writes: 2_600, reads: 1_300 },
    cache: { writes: 50, reads: 50 },
    other: { writes: 0, reads: 50 },
  },
};

/** The profiles by name. */
export const USAGE_PROFILES: Readonly<Record<ProfileName, UsageProfile>> = { 'small-team': SMALL_TEAM, idle: IDLE };

/** Hours a month of work on a set of queues under a profile (jobs × run time), uncapped. */
export function queueWorkHours(profile: UsageProfile, queues: readonly string[]): number {
  return queues.reduce((s, q) => {
    const load = profile.queues[q];
    return s + (load ? (load.jobsPerMonth * load.averageJobSeconds) / 3600 : 0);
  }, 0);
}

/** Jobs a month on a set of queues under a profile. */
export function queueJobs(profile: UsageProfile, queues: readonly string[]): number {
  return queues.reduce((s, q) => s + (profile.queues[q]?.jobsPerMonth ?? 0), 0);
}

/**
 * When a replica counts as active (billed at the active rate) rather than idle:
 * - `user`: active while users work (`userHoursPerMonth`), idle otherwise;
 * - `jobs`: an RQ worker, active while it runs a job on one of its queues, idle otherwise;
 * - `polled`: active while users work and, the rest of the month, for the share `activeFraction` of the time a caller
 *   inside the environment keeps it busy (OPA's bundle polls of cvat-server), idle otherwise;
 * - `always`: never meets the idle criteria (CPU ≥ 0.01 vCPU, ≥ 1,000 B/s received, or an HTTP request in every
 *   sampled minute), active all month.
 *
 * @see https://learn.microsoft.com/azure/container-apps/billing (idle criteria)
 */
export type Activity = 'user' | 'jobs' | 'polled' | 'always';

/** A component's activity class and why. */
export interface ActivityClass {
  readonly activity: Activity;
  readonly reason: string;
  /**
   * The class if an unverified assumption behind `activity` turns out in our favour (e.g. Azure does not count a
   * request every few seconds against idleness); the estimate's sensitivity line prices it.
   */
  readonly optimistic?: Activity;
  /**
   * The class if an unverified assumption behind `activity` turns out against us (e.g. a component with no timer left in
   * its configuration still stays above 0.01 vCPU); the estimate's sensitivity line prices it.
   */
  readonly pessimistic?: Activity;
  /** `polled` only: the share (0-1) of the hours without users billed active. */
  readonly activeFraction?: number;
}

/**
 * A caller inside the environment that polls a component all month, users or not: OPA's bundle downloader, which
 * after each poll waits a random delay between the two bounds (open-policy-agent/opa `v1/download/download.go`,
 * `loop`). Read from the catalogue's OPA arguments (`bundlePollingTargets` in model.ts).
 */
export interface PolledBy {
  /** The polling component, e.g. `opa`. */
  readonly by: string;
  /** `bundles.<name>.polling.min_delay_seconds` (OPA's default 60). */
  readonly minDelaySeconds: number;
  /** `bundles.<name>.polling.max_delay_seconds` (OPA's default 120). */
  readonly maxDelaySeconds: number;
}

/**
 * Seconds of active billing the estimate charges for one poll. Azure does not publish how often it evaluates the idle
 * criteria; Container Apps metrics (Requests, CPU usage) have a one-minute grain (PT1M,
 * https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-web-containerapps-metrics), so a
 * request is assumed to make the minute it falls in active. Polls closer together than this keep a replica active.
 */
export const POLL_ACTIVE_WINDOW_SECONDS = 60;

const ALWAYS_ACTIVE: ReadonlyArray<[RegExp, string]> = [
  [
    /clickhouse/,
    "ClickHouse's background merges and its system-log flushes (every 7.5 s by default) keep it above 0.01 vCPU all month, " +
      'users or not',
  ],
];

/**
 * The activity of a component whose own configuration says what it does on a timer whatever the load (ClickHouse:
 * `clickhouseTimedWork` in the catalogue). With a timer left it works all month; with none it works only when its
 * clients do, which Azure has not confirmed: the pessimistic reading keeps it active all month.
 *
 * @param timers one line per timer the configuration leaves running (empty: none)
 */
export function timedWorkActivity(name: string, timers: readonly string[]): ActivityClass {
  if (timers.length)
    return {
      activity: 'always',
      reason: `its configuration leaves work on a timer (${timers.join('; ')}), which keeps it above 0.01 vCPU all month, users or not`,
    };
  return {
    activity: 'user',
    reason:
      `${name}'s configuration removes every timed system log, recomputes metrics once a minute and runs no asynchronous insert ` +
      'queue, so with no events arriving ' +
      'it only waits; it merges and answers while users work. Unverified on Azure (`cvat-ops idle` measures it); the ' +
      'pessimistic reading prices it active all month',
    pessimistic: 'always',
  };
}

const BY_NAME: ReadonlyArray<[RegExp, ActivityClass]> = [
  [
    /^opa$/,
    {
      activity: 'user',
      reason:
        'OPA answers the server while users work; between, it only polls cvat-server for its bundle: a 304 Not Modified of a few ' +
        'hundred bytes when the ETag matches (cvat-ai/cvat@v2.73.0 cvat/apps/iam/views.py RulesView), the ~8 KB bundle when the ' +
        "poll reaches the other uvicorn process (each builds its own gzip, so their ETags differ); that download's second is not " +
        'priced (docs/cost.md, Polled components)',
    },
  ],
];

/** The activity of a component that something polls all month (see {@link PolledBy}, {@link POLL_ACTIVE_WINDOW_SECONDS}). */
export function polledActivity(polled: PolledBy): ActivityClass {
  const { by, minDelaySeconds: min, maxDelaySeconds: max } = polled;
  const meanSeconds = (min + max) / 2;
  const fraction = Math.min(1, POLL_ACTIVE_WINDOW_SECONDS / meanSeconds);
  const what = `${by} polls it every ${min}-${max} s (its bundle polling settings in the catalogue)`;
  if (fraction >= 1)
    return {
      activity: 'always',
      reason:
        `${what}, so it handles an HTTP request in every minute all month; the idle criteria require none, and how often Azure ` +
        'samples them is not published, so it is priced active all month (an upper bound)',
      optimistic: 'user',
    };
  const pct = Math.round(fraction * 1000) / 10;
  return {
    activity: 'polled',
    activeFraction: fraction,
    reason:
      `${what}: one request every ${meanSeconds} s on average; each is assumed to make the ${POLL_ACTIVE_WINDOW_SECONDS} s around it ` +
      `active (Azure's metric grain; its idle sampling is not published), so ${pct} % of the hours without users bill active`,
    optimistic: 'user',
  };
}

/**
 * The activity class of a component: from what its own configuration leaves on a timer when that is known (see
 * {@link timedWorkActivity}), else polled all month by a caller inside the environment (from the configuration, see
 * {@link PolledBy}), else by name (ClickHouse with the stock configuration, OPA), then by role: workers are idle unless
 * running a job, everything else follows the users.
 *
 * @param name component name (ours or the reference project's)
 * @param role catalogue role
 * @param polled the caller that polls it all month, if any
 * @param timers the timers its configuration leaves running, when the estimate can read them (ClickHouse)
 */
export function activityOf(name: string, role: string, polled?: PolledBy, timers?: readonly string[]): ActivityClass {
  if (timers) return timedWorkActivity(name, timers);
  for (const [pattern, reason] of ALWAYS_ACTIVE) if (pattern.test(name)) return { activity: 'always', reason };
  if (polled) return polledActivity(polled);
  for (const [pattern, activity] of BY_NAME) if (pattern.test(name)) return activity;
  if (role === 'worker')
    return {
      activity: 'jobs',
      reason:
        'an RQ worker waits in a blocking Redis call between jobs (under 0.01 vCPU and 1,000 B/s), so it is idle unless running a job',
    };
  if (role === 'store')
    return {
      activity: 'user',
      reason: 'Redis and kvrocks are busy only while the server and workers use them; between uses they meet the idle criteria',
    };
  return {
    activity: 'user',
    reason: 'serves users (requests, events); health probes are assumed not to break idleness (unverified)',
  };
}

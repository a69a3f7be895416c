/**
 * Usage profiles of the cost estimate: who is active when, and the work that causes. Container Apps bills replica
 * time at an active or an idle rate, so an estimate is only as good as these figures; every one is printed with the
 * estimate (`cvat-infra cost`) and documented in docs/cost.md.
 */
import { QUIET_MONTH_CLEANING_JOBS } from '@cvat-cloud/catalogue';

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
    // the catalogue's estimate of the periodic clean-up jobs, which `cvat-ops idle` also reads
    cleaning: { jobsPerMonth: QUIET_MONTH_CLEANING_JOBS.jobsPerMonth, averageJobSeconds: QUIET_MONTH_CLEANING_JOBS.averageJobSeconds },
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
 * The activity classes (when an always-on replica bills active, and why) live in the catalogue
 * (`@cvat-cloud/catalogue` derivations/activity.ts), so that `cvat-ops idle` prints the same classes next to its
 * measurements; re-exported here for the estimate.
 */
export {
  type Activity,
  type ActivityClass,
  activityOf,
  POLL_ACTIVE_WINDOW_SECONDS,
  type PolledBy,
  polledActivity,
  timedWorkActivity,
} from '@cvat-cloud/catalogue';

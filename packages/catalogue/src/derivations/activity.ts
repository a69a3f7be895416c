/**
 * Activity classes: when an always-on replica of a component counts as active (billed at Container Apps' active rate)
 * rather than idle, and why. Pure: names, roles and command lines in, plain data out. The cost estimate
 * (`cvat-infra cost`) prices always-on replicas by these classes and `cvat-ops idle` prints them next to what Azure
 * Monitor measured, so both read them from here.
 */
import { clickhouseStartCommand, clickhouseTimedWork, CLICKHOUSE_CONFIG } from '../data/clickhouse-config';
import type { AppSpec, ContainerAppSpec } from './app-specs';
import { opaBundles } from './opa-bundles';

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
 * `loop`). Read from OPA's arguments ({@link bundlePollingTargets}).
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

/**
 * Components polled all month by another component's OPA bundle downloader, read from that component's `--set`
 * arguments through {@link opaBundles} (`services.<s>.url`, `bundles.<b>.service`,
 * `bundles.<b>.polling.{min,max}_delay_seconds`, OPA's defaults 60/120 s when unset). The polled component is the one
 * whose name is the host of the service URL (Container Apps resolves an app by its name inside the environment). A
 * bundle whose service is not configured is ignored.
 *
 * @param components components or app specs by name and container arguments
 * @returns polled component name → who polls it and how often (the shortest mean delay when several do)
 */
export function bundlePollingTargets(
  components: ReadonlyArray<{ readonly name: string; readonly args?: readonly string[] | undefined }>,
): Map<string, PolledBy> {
  const out = new Map<string, PolledBy>();
  const mean = (p: PolledBy): number => (p.minDelaySeconds + p.maxDelaySeconds) / 2;
  for (const c of components) {
    for (const b of opaBundles(c.args)) {
      const polled: PolledBy = { by: c.name, minDelaySeconds: b.minDelaySeconds, maxDelaySeconds: b.maxDelaySeconds };
      const before = out.get(b.host);
      if (!before || mean(polled) < mean(before)) out.set(b.host, polled);
    }
  }
  return out;
}

/** The ClickHouse server image (cvat-ai/cvat@v2.73.0 docker-compose.yml `cvat_clickhouse`). */
const CLICKHOUSE_IMAGE = /^clickhouse\/clickhouse-server:/;

/**
 * The timers a ClickHouse app's configuration leaves running ({@link clickhouseTimedWork}), or `undefined` for any
 * other app. The override counts only when the app both carries it (`CLICKHOUSE_CONFIG.env`) and starts with the
 * command that writes it into config.d; otherwise the server runs the image's stock configuration.
 */
export function clickhouseTimers(spec: AppSpec): readonly string[] | undefined {
  const container = spec.containers[0];
  if (!container || !CLICKHOUSE_IMAGE.test(container.image)) return undefined;
  const env = container.env.find((e) => e.name === CLICKHOUSE_CONFIG.env);
  const starts = JSON.stringify(container.command ?? []) === JSON.stringify(clickhouseStartCommand());
  return clickhouseTimedWork(starts && env?.kind === 'value' ? env.value : undefined).timers;
}

/**
 * The periodic clean-up jobs a month with nobody working still runs: rqscheduler enqueues CVAT's `PERIODIC_RQ_JOBS`
 * on the `cleaning` queue (cvat-ai/cvat@v2.73.0 cvat/settings/base.py); about 60 a month of about 30 s each is an
 * estimate, not a measurement. The cost estimate's `idle` profile charges them, and a `jobs` app serving `cleaning`
 * is assumed active for their time in such a month.
 */
export const QUIET_MONTH_CLEANING_JOBS = { queue: 'cleaning', jobsPerMonth: 60, averageJobSeconds: 30 } as const;

/** The activity class of one always-on app and what it was derived from. */
export interface AppActivity {
  /** App name (the component's). */
  readonly name: string;
  /** Catalogue role. */
  readonly role: string;
  /** The catalogue's minimum replicas (at least 1: the app is always on). */
  readonly minReplicas: number;
  /** RQ queues its worker processes take (empty when it is not an RQ runner). */
  readonly queues: readonly string[];
  /** The caller that polls it all month, if any (from OPA's arguments). */
  readonly polledBy?: PolledBy;
  /** The timers its configuration leaves running, when readable (ClickHouse). */
  readonly timers?: readonly string[];
  readonly activity: ActivityClass;
}

/**
 * The activity class of every always-on app (a container app with `minReplicas` >= 1) of a resolved environment,
 * from its app specs (`appSpecs(catalogue, config)`): who polls it from the OPA containers' arguments
 * ({@link bundlePollingTargets}), the timers of a ClickHouse app from its spec ({@link clickhouseTimers}), then
 * {@link activityOf}. Apps that scale to zero and jobs have no idle rate and are left out.
 */
export function appActivities(specs: readonly AppSpec[]): AppActivity[] {
  const polled = bundlePollingTargets(specs.map((s) => ({ name: s.name, args: s.containers[0]?.args })));
  return specs
    .filter((s): s is ContainerAppSpec => s.kind === 'containerApp' && s.scale.minReplicas >= 1)
    .map((s) => {
      const polledBy = polled.get(s.name);
      const timers = clickhouseTimers(s);
      return {
        name: s.name,
        role: s.role,
        minReplicas: s.scale.minReplicas,
        queues: s.workerProcesses.flatMap((g) => g.queues),
        ...(polledBy ? { polledBy } : {}),
        ...(timers ? { timers } : {}),
        activity: activityOf(s.name, s.role, polledBy, timers),
      };
    });
}

/**
 * The hours of a month with nobody working that a replica of this app bills active by its class: `user` 0; `jobs`
 * the time of {@link QUIET_MONTH_CLEANING_JOBS} when it takes the `cleaning` queue, else 0; `polled` its active
 * fraction of the month; `always` the whole month.
 *
 * @param monthHours hours of the month (730 for Azure's billing month)
 */
export function quietMonthActiveHours(app: Pick<AppActivity, 'activity' | 'queues'>, monthHours: number): number {
  const { activity } = app;
  switch (activity.activity) {
    case 'user':
      return 0;
    case 'jobs': {
      const c = QUIET_MONTH_CLEANING_JOBS;
      return app.queues.includes(c.queue) ? Math.min(monthHours, (c.jobsPerMonth * c.averageJobSeconds) / 3600) : 0;
    }
    case 'polled':
      return (activity.activeFraction ?? 1) * monthHours;
    case 'always':
      return monthHours;
  }
}

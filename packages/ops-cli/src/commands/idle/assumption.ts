/**
 * What the cost estimate (`cvat-infra cost --profile idle`) assumes of each always-on app for a month with nobody working,
 * and the verdict of a measurement against it. Pure: the catalogue's activity classes (`appActivities`, the derivation
 * the estimate prices by) in, plain data out.
 */
import { type Activity, type AppActivity, quietMonthActiveHours } from '@cvat-cloud/catalogue';
import { MONTH_HOURS } from './criteria';

/**
 * How far a measurement may exceed the assumption and still count as estimated: 1 h (a minute or two a day more than
 * assumed, e.g. a deploy's restart or a stray request) plus 1 % of the month (7.3 h: the rounding of a one-day window,
 * where one minute is 0.07 % of it, and the random spread of OPA's poll delays around their mean).
 */
export const VERDICT_TOLERANCE = { hours: 1, monthShare: 0.01 } as const;

/** {@link VERDICT_TOLERANCE} in hours of a {@link MONTH_HOURS}-hour month (8.3 h). */
export const VERDICT_TOLERANCE_HOURS = VERDICT_TOLERANCE.hours + VERDICT_TOLERANCE.monthShare * MONTH_HOURS;

/** The estimate's assumption for one app in a month with nobody working. */
export interface Assumed {
  /** Activity class (`user`, `jobs`, `polled`, `always`). */
  class: Activity;
  /** Hours of a {@link MONTH_HOURS}-hour month it bills active per replica at the minimum, 1 decimal. */
  activeHours: number;
  /** Why, as the estimate states it. */
  reason: string;
}

/**
 * `as estimated`: the measured active hours are at most the assumption plus {@link VERDICT_TOLERANCE_HOURS};
 * `busier than estimated`: above that; `no data`: nothing measured (not deployed, or no metric data in the window).
 */
export type Verdict = 'as estimated' | 'busier than estimated' | 'no data';

/** The assumption for one app from its catalogue activity class. */
export function assumedOf(app: Pick<AppActivity, 'activity' | 'queues'>): Assumed {
  return {
    class: app.activity.activity,
    activeHours: Math.round(quietMonthActiveHours(app, MONTH_HOURS) * 10) / 10,
    reason: app.activity.reason,
  };
}

/**
 * The verdict of a measurement against an assumption.
 *
 * @param measuredActiveHours `ACTIVE h/730` of the measurement; null or undefined when nothing was measured
 */
export function verdictOf(measuredActiveHours: number | null | undefined, assumed: Assumed): Verdict {
  if (measuredActiveHours === null || measuredActiveHours === undefined) return 'no data';
  return measuredActiveHours <= assumed.activeHours + VERDICT_TOLERANCE_HOURS ? 'as estimated' : 'busier than estimated';
}

/** The assumption as the table shows it: `jobs only (0.5 h)` for a worker, the hours otherwise. */
export function assumedCell(assumed: Assumed): string {
  return assumed.class === 'jobs' ? `jobs only (${assumed.activeHours} h)` : `${assumed.activeHours} h`;
}

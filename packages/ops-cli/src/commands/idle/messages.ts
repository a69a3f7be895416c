/** User-facing text of `cvat-ops idle`. */
import type { Assumed } from './assumption';
import { MONTH_HOURS } from './criteria';

const minutes = (n: number): string => `${n} min`;

export const messages = {
  what: 'cvat-ops idle',
  unknownApp: (name: string, allowed: string[]) =>
    `'--app' (${name}) is not a container app or job of this environment; allowed: ${allowed.join(', ')}. Nothing was sent to Azure.`,
  jobNotApplicable: 'a job: every execution bills at the active rate, jobs have no idle rate',
  notDeployed: (name: string, flags: string) =>
    `${name}: does not exist in Azure, nothing to measure; deploy it with 'npx nx run infra:deploy -- ${flags}'`,
  noData: (name: string) =>
    `${name}: no metric data in the window: the app was stopped, deployed after the window, or Azure Monitor has nothing for it yet`,
  scaledToZeroAll: (name: string) => `${name}: scaled to zero the whole window: no replica ran, nothing billed`,
  missingBefore: (name: string, count: number, first: Date) =>
    `${name}: no data before ${first.toISOString()} (${minutes(count)}): the app did not exist yet or was stopped; the share covers the minutes with data`,
  gaps: (name: string, count: number, window: number) =>
    `${name}: ${minutes(count)} of ${minutes(window)} without any metric data (gaps); the share covers the minutes with data`,
  partialReplicas: (name: string, count: number) =>
    `${name}: in ${minutes(count)} a running replica reported no CPU or no received bytes; those minutes count as not idle (no data)`,
  noIdleRate: (name: string) =>
    `${name}: minReplicas 0, so it has no idle rate: every minute with a replica running bills active; a minute without ` +
    'data counts as scaled to zero (nothing billed)',
  noReplicaRan: (name: string) =>
    `${name}: no replica reported any metric in the window: scaled to zero throughout (or not yet in Azure Monitor)`,
  minDiffers: (name: string, live: number, catalogue: number) =>
    `${name}: live minReplicas ${live} differs from the catalogue's ${catalogue}; measured against the live one (see 'cvat-ops drift')`,
  cut: (name: string, metrics: string[], max: number) =>
    `${name}: ${metrics.join(', ')} returned ${max} series in one slice (the most asked for): replicas beyond them were not read`,
  readFailed: (name: string) => `reading the Azure Monitor metrics of ${name}`,
  retry: (flags: string) =>
    `Reading metrics needs Microsoft.Insights/metrics/read on the apps (e.g. the Monitoring Reader role); retry: cvat-ops idle${flags ? ` ${flags}` : ''}`,
  busier: (name: string, measured: number, assumed: Assumed, tolerance: number) =>
    `${name}: busier than estimated: ${measured} h active of ${MONTH_HOURS} measured, the estimate assumes ${assumed.activeHours} h ` +
    `[${assumed.class}] (tolerance ${tolerance.toFixed(1)} h); the estimate is optimistic for it: see the broken criteria and docs/operations.md`,
  compare: (flags: string) => `Compare with the estimate's assumptions: npx nx run infra:cost -- --profile idle${flags ? ` ${flags}` : ''}`,
  evaluation:
    'Per replica (podName) and minute: UsageNanoCores average < 10,000,000 (0.01 vCPU), RxBytes total < 60,000 (1,000 B/s), ' +
    'no Requests, Replicas (max per revision) at minReplicas >= 1.',
  window: (start: Date, end: Date, hours: number) =>
    `Window: ${start.toISOString()} to ${end.toISOString()} (${hours} h, one-minute grain; the last minutes before now are left out: ` +
    'metrics arrive late).',
} as const;

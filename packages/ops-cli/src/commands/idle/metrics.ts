/**
 * Reads a container app's platform metrics at a one-minute grain, split by one dimension, through
 * `MonitorClient.metrics.list` of @azure/arm-monitor 7.0.0 (src/azure/monitor-client.ts describes the request it sends).
 *
 * The response is the `Metrics_List` shape of the Azure REST API specification at the client's api-version, 2018-01-01
 * (Azure/azure-rest-api-specs@2275c3ea2ef498411fb4a613b8ec6d4085d7d99e
 * specification/monitor/resource-manager/Microsoft.Insights/stable/2018-01-01/examples/GetMetric.json, `metrics_API.json`
 * `Response`), which the client deserializes as it comes (@azure/arm-monitor 7.0.0 src/models/mappers.ts `Response`,
 * `Metric`, `TimeSeriesElement`, `MetricValue`): `{ interval, value: [{ name: { value }, unit, errorCode?, errorMessage?,
 * timeseries: [{ metadatavalues: [{ name: { value }, value }], data: [{ timeStamp: Date, average?, total?, maximum? }] }] }] }`.
 * Read accordingly:
 * - the dimension name in `metadatavalues` is matched without case (the example asks `BlobType eq '*'` and gets `blobtype`);
 * - a minute without data has no aggregation value (the example's minutes with `count` 0 have no `average`);
 * - the resource id goes in without its leading slash: the operation's path is `/{resourceUri}/providers/…` and the
 *   URI is not encoded (`skipEncoding`), so `/subscriptions/…` would become `//subscriptions/…` (the example's own
 *   `resourceUri` has no leading slash);
 * - `top` defaults to 10 series when a filter splits ("Valid only if $filter is specified. Defaults to 10.",
 *   metrics_API.json), so it is set to {@link MAX_SERIES} and a full page is reported as possibly cut;
 * - the window is read in slices of {@link SLICE_HOURS} so no single answer grows past a day of minutes per series.
 */
import type { MetricsListResponse } from '@azure/arm-monitor';
import { CliError, EXIT } from '@cvat-cloud/runtime';
import type { MetricsListLike } from '../../azure/monitor-client';
import type { MinuteValues, SplitSeries } from './criteria';

/** An aggregation of the `aggregation` query parameter (Metrics_List, api-version 2018-01-01). */
export type Aggregation = 'Average' | 'Count' | 'Maximum' | 'Minimum' | 'Total';

/** Series asked for per metric and slice (`top`): more replicas than this in one slice are reported as cut. */
export const MAX_SERIES = 200;

/** Hours per request. */
export const SLICE_HOURS = 24;

/** The one-minute grain of the idle criteria. */
export const GRAIN = 'PT1M';

const HOUR_MS = 3_600_000;

/** One query: metrics of one resource split by one dimension. */
export interface SplitQuery {
  /** ARM resource id of the container app (with or without its leading slash). */
  readonly resourceId: string;
  /** Metric names and the unit each must come in (the thresholds assume it). */
  readonly metrics: Readonly<Record<string, string>>;
  readonly aggregations: readonly Aggregation[];
  /** The split dimension, e.g. `podName`. */
  readonly dimension: string;
  readonly start: Date;
  readonly end: Date;
}

/** The series of a query, and the metrics whose series may have been cut at {@link MAX_SERIES}. */
export interface SplitResult {
  readonly series: SplitSeries[];
  readonly cut: string[];
}

function pointValues(point: { average?: number; total?: number; maximum?: number }): MinuteValues {
  return {
    ...(point.average !== undefined && point.average !== null ? { average: point.average } : {}),
    ...(point.total !== undefined && point.total !== null ? { total: point.total } : {}),
    ...(point.maximum !== undefined && point.maximum !== null ? { maximum: point.maximum } : {}),
  };
}

/** Checks one answer: the grain asked for, every metric found, in the unit the thresholds assume. */
function checkAnswer(result: MetricsListResponse, query: SplitQuery): void {
  if (result.interval !== undefined && result.interval.toUpperCase() !== GRAIN) {
    throw new CliError(
      EXIT.FAILED,
      `Azure Monitor answered ${query.resourceId} at a ${result.interval} grain instead of ${GRAIN}; the idle criteria need one-minute data.`,
    );
  }
  for (const [name, unit] of Object.entries(query.metrics)) {
    const metric = result.value.find((m) => (m.name?.value ?? '').toLowerCase() === name.toLowerCase());
    if (!metric) throw new CliError(EXIT.FAILED, `Azure Monitor returned no '${name}' metric for ${query.resourceId}.`);
    if (metric.errorCode && metric.errorCode !== 'Success') {
      throw new CliError(
        EXIT.FAILED,
        `Azure Monitor could not read '${name}' of ${query.resourceId}: ${metric.errorCode}${metric.errorMessage ? ` (${metric.errorMessage})` : ''}.`,
      );
    }
    if (metric.unit !== unit) {
      throw new CliError(
        EXIT.FAILED,
        `Azure Monitor returned '${name}' in ${metric.unit}, not ${unit}; the idle thresholds assume ${unit}, so nothing was evaluated.`,
      );
    }
  }
}

/** Reads the metrics of `query` over its window, slice by slice, merged into one series per metric and dimension value. */
export async function querySplitMetrics(client: MetricsListLike, query: SplitQuery): Promise<SplitResult> {
  const resourceUri = query.resourceId.replace(/^\/+/, '');
  const merged = new Map<string, { metric: string; key: string; points: Map<number, MinuteValues> }>();
  const cut = new Set<string>();
  for (let from = query.start.getTime(); from < query.end.getTime(); from += SLICE_HOURS * HOUR_MS) {
    const to = Math.min(from + SLICE_HOURS * HOUR_MS, query.end.getTime());
    const result = await client.list(resourceUri, {
      metricnames: Object.keys(query.metrics).join(','),
      interval: GRAIN,
      timespan: `${new Date(from).toISOString()}/${new Date(to).toISOString()}`,
      aggregation: query.aggregations.join(','),
      filter: `${query.dimension} eq '*'`,
      top: MAX_SERIES,
    });
    checkAnswer(result, query);
    for (const metric of result.value) {
      const name = Object.keys(query.metrics).find((n) => n.toLowerCase() === (metric.name?.value ?? '').toLowerCase());
      if (!name) continue;
      if (metric.timeseries.length >= MAX_SERIES) cut.add(name);
      for (const ts of metric.timeseries) {
        const key =
          ts.metadatavalues?.find((v) => (v.name?.value ?? '').toLowerCase() === query.dimension.toLowerCase())?.value ??
          `(no ${query.dimension})`;
        const id = `${name}\u0000${key}`;
        const entry = merged.get(id) ?? { metric: name, key, points: new Map<number, MinuteValues>() };
        merged.set(id, entry);
        for (const point of ts.data ?? []) {
          const values = pointValues(point);
          if (Object.keys(values).length > 0) entry.points.set(new Date(point.timeStamp).getTime(), values);
        }
      }
    }
  }
  return { series: [...merged.values()], cut: [...cut] };
}

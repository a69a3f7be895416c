/**
 * Test double of Azure Monitor's resource metrics endpoint (`GET {resourceUri}/providers/Microsoft.Insights/metrics`,
 * api-version 2018-01-01, operation `Metrics_List`, what @azure/arm-monitor 7.0.0's `MonitorClient.metrics.list` sends),
 * served by {@link FakeArmServer} for its container apps.
 *
 * The response has the shape of the REST API specification's own examples at that api-version
 * (Azure/azure-rest-api-specs specification/monitor/resource-manager/Microsoft.Insights/stable/2018-01-01/examples:
 * GetMetric.json @ 2275c3ea2ef498411fb4a613b8ec6d4085d7d99e and GetMetricError.json @ 0f4c356553a6aafbeefbeddc8c3e39207067ee0c,
 * kept verbatim in fixtures/arm-examples/2018-01-01): `{ cost, timespan, interval, namespace, resourceregion, value: [{ id,
 * type, displayDescription, name: { value, localizedValue }, unit, timeseries: [{ metadatavalues: [{ name: { value,
 * localizedValue }, value }], data: [{ timeStamp, average, … }] }], errorCode }] }` (`errorCode` "Success" on a metric
 * read, as GetMetricError.json shows next to a failed one). As in GetMetric.json, a split dimension's name comes back in
 * lower case (`BlobType eq '*'` answers `"blobtype"`), and a minute without samples carries no aggregation but `count` 0
 * when `count` is asked for.
 *
 * The metrics, units and dimensions are those of Azure Monitor's generated reference
 * (https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-app-containerapps-metrics, whose rows
 * with REST dimension names also stand under the older type at
 * https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-web-containerapps-metrics):
 * Replicas: revisionName, deploymentName; Requests: revisionName, podName, statusCodeCategory, statusCode; RxBytes and
 * UsageNanoCores: revisionName, podName; all at PT1M. What the double models, and what it refuses with a 400 in the
 * api-version's `ErrorResponse` shape `{ code, message }` (metrics_API.json of 2018-01-01):
 * - api-version 2018-01-01 only, and only the query parameters Metrics_List has at that version (`$filter`,
 *   `metricnamespace`, `timespan`, `interval`, `metricnames`, `aggregation`, `top`, `orderby`, `resultType`): any other
 *   is refused, so a client sending what the version does not define is caught; `orderby` and `resultType=Metadata`
 *   are `FakeNotModelled`, `metricnamespace` must be the container apps' own;
 * - `interval` PT1M only (the spec's default; anything else is `FakeNotModelled`); `timespan` `start/end`, both ISO times;
 * - `$filter` `<dimension> eq '*'` (one split dimension); a dimension the metric does not have is a 400, an unknown
 *   metric name is a 400;
 * - `top` limits the series per metric (default 10, as the spec's `top` parameter says) when a filter splits;
 * - every minute of the timespan has a data point; a minute without samples carries only its `timeStamp` (and `count`
 *   0), and a split series without any sample in the timespan is left out.
 */

/** The api-version the double answers (the one @azure/arm-monitor 7.0.0 sends for Metrics_List). */
export const FAKE_METRICS_API_VERSION = '2018-01-01';

/** The query parameters of Metrics_List at api-version 2018-01-01 (metrics_API.json). */
const QUERY_PARAMETERS = [
  'api-version',
  '$filter',
  'metricnamespace',
  'timespan',
  'interval',
  'metricnames',
  'aggregation',
  'top',
  'orderby',
  'resultType',
];

/** The metric namespace of container apps, as Azure Monitor answers it (case-insensitive). */
const NAMESPACE = 'microsoft.app/containerapps';

/** One raw sample: the value one replica (or revision) reported for one minute. */
export interface FakeMetricSample {
  /** Metric name in the REST API, e.g. `UsageNanoCores`. */
  readonly metric: string;
  /** Start of the minute (seconds are cut off). */
  readonly timeStamp: string | Date;
  readonly value: number;
  /** Dimension values, e.g. `{ revisionName: 'app--r1', podName: 'app--r1-abc' }`. */
  readonly dimensions?: Readonly<Record<string, string>>;
}

/** A container app metric as the supported-metrics page lists it. */
export interface FakeMetricDefinition {
  readonly unit: string;
  readonly localizedName: string;
  readonly description: string;
  readonly dimensions: readonly string[];
}

/** The Microsoft.App/containerApps metrics the double answers for. */
export const FAKE_CONTAINER_APP_METRICS: Readonly<Record<string, FakeMetricDefinition>> = {
  Replicas: {
    unit: 'Count',
    localizedName: 'Replica Count',
    description: 'Number of replicas count of container app',
    dimensions: ['revisionName', 'deploymentName'],
  },
  Requests: {
    unit: 'Count',
    localizedName: 'Requests',
    description: 'Requests processed',
    dimensions: ['revisionName', 'podName', 'statusCodeCategory', 'statusCode'],
  },
  RxBytes: {
    unit: 'Bytes',
    localizedName: 'Network In Bytes',
    description: 'Network received bytes',
    dimensions: ['revisionName', 'podName'],
  },
  UsageNanoCores: {
    unit: 'NanoCores',
    localizedName: 'CPU Usage',
    description: 'CPU consumed by the container app, in nano cores. 1,000,000,000 nano cores = 1 core',
    dimensions: ['revisionName', 'podName'],
  },
};

/** An error the endpoint answers with. */
export interface FakeMetricsError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /**
   * The body: `arm`, ARM's common `{ error: { code, message } }` (what ARM itself answers, e.g. a failed authorization),
   * or `metrics`, the `ErrorResponse` of Metrics_List at 2018-01-01, `{ code, message }` (what the metrics service answers).
   * @default 'arm'
   */
  readonly shape?: 'arm' | 'metrics';
}

/** The outcome of one metrics request: a status and a JSON body. */
export interface FakeMetricsAnswer {
  readonly status: number;
  readonly body: unknown;
}

const AGGREGATIONS = ['average', 'minimum', 'maximum', 'total', 'count'] as const;
type Aggregation = (typeof AGGREGATIONS)[number];
const MINUTE_MS = 60_000;

/** A 400 in the `ErrorResponse` shape of Metrics_List at 2018-01-01: `{ code, message }`. */
function badRequest(code: string, message: string): FakeMetricsAnswer {
  return { status: 400, body: { code, message } };
}

function minuteOf(t: string | Date): number {
  const ms = typeof t === 'string' ? Date.parse(t) : t.getTime();
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** ISO time without milliseconds (`2021-04-20T09:00:00Z`), as the example writes them. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function aggregate(values: number[], wanted: readonly Aggregation[]): Record<string, number> {
  const total = values.reduce((a, b) => a + b, 0);
  const all: Record<Aggregation, number> = {
    average: total / values.length,
    minimum: Math.min(...values),
    maximum: Math.max(...values),
    total,
    count: values.length,
  };
  return Object.fromEntries(wanted.map((a) => [a, all[a]]));
}

/**
 * Answers one `Metrics_List` request for the resource `resourceId` from its samples. `query` is the request's query
 * string (as parsed by URLSearchParams).
 */
export function answerMetricsQuery(
  resourceId: string,
  query: Readonly<Record<string, string>>,
  samples: readonly FakeMetricSample[],
  options: { region: string; metrics?: Readonly<Record<string, FakeMetricDefinition>> } = { region: 'westeurope' },
): FakeMetricsAnswer {
  const definitions = options.metrics ?? FAKE_CONTAINER_APP_METRICS;
  if (query['api-version'] !== FAKE_METRICS_API_VERSION) {
    return badRequest(
      'InvalidApiVersionParameter',
      `The api-version '${query['api-version'] ?? ''}' is not modelled (${FAKE_METRICS_API_VERSION} is).`,
    );
  }
  const undefinedParameter = Object.keys(query).find((k) => !QUERY_PARAMETERS.includes(k));
  if (undefinedParameter !== undefined) {
    return badRequest(
      'FakeNotModelled',
      `Query parameter '${undefinedParameter}' is not one of Metrics_List at ${FAKE_METRICS_API_VERSION}: ${QUERY_PARAMETERS.join(', ')}`,
    );
  }
  if (query.orderby !== undefined) return badRequest('FakeNotModelled', `orderby '${query.orderby}' is not modelled by the fake`);
  if (query.resultType !== undefined && query.resultType !== 'Data') {
    return badRequest('FakeNotModelled', `resultType '${query.resultType}' is not modelled by the fake (Data is)`);
  }
  if (query.metricnamespace !== undefined && query.metricnamespace.toLowerCase() !== NAMESPACE) {
    return badRequest('BadRequest', `Metric namespace '${query.metricnamespace}' is not the resource's (${NAMESPACE}).`);
  }
  const interval = query.interval ?? 'PT1M';
  if (interval !== 'PT1M') return badRequest('FakeNotModelled', `interval ${interval} is not modelled by the fake (PT1M is)`);
  const [from, to] = (query.timespan ?? '').split('/');
  const start = Date.parse(from ?? '');
  const end = Date.parse(to ?? '');
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
    return badRequest('BadRequest', `Invalid timespan '${query.timespan ?? ''}': expected 'startDateTime_ISO/endDateTime_ISO'.`);
  }
  const names = (query.metricnames ?? '').split(',').filter(Boolean);
  if (names.length === 0) return badRequest('BadRequest', 'metricnames is required by the fake.');
  const unknown = names.find((n) => !definitions[n]);
  if (unknown) {
    return badRequest(
      'BadRequest',
      `Failed to find metric configuration for provider: Microsoft.App, resource Type: containerApps, metric: ${unknown}, ` +
        `Valid metrics: ${Object.keys(definitions).join(',')}`,
    );
  }
  const aggregations = (query.aggregation ?? 'average')
    .split(',')
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean) as Aggregation[];
  const badAggregation = aggregations.find((a) => !AGGREGATIONS.includes(a));
  if (badAggregation) return badRequest('BadRequest', `Unknown aggregation '${badAggregation}'.`);

  let split: string | undefined;
  const filter = query.$filter;
  if (filter !== undefined) {
    const m = /^\s*(\w+)\s+eq\s+'\*'\s*$/i.exec(filter);
    if (!m) return badRequest('FakeNotModelled', `$filter '${filter}' is not modelled by the fake (only "<dimension> eq '*'")`);
    split = m[1]!;
    const lacking = names.find((n) => !definitions[n]!.dimensions.some((d) => d.toLowerCase() === split!.toLowerCase()));
    if (lacking) {
      return badRequest(
        'BadRequest',
        `Metric: ${lacking} does not support requested dimension combination: ${split}, ` +
          `supported ones are: ${definitions[lacking]!.dimensions.join(',')}`,
      );
    }
  }
  const top = query.top === undefined ? 10 : Number(query.top);
  const minutes: number[] = [];
  for (let t = minuteOf(new Date(start)); t < end; t += MINUTE_MS) if (t >= start) minutes.push(t);

  const value = names.map((name) => {
    const def = definitions[name]!;
    const inWindow = samples.filter((s) => s.metric === name && minuteOf(s.timeStamp) >= start && minuteOf(s.timeStamp) < end);
    const groups = new Map<string, FakeMetricSample[]>();
    for (const s of inWindow) {
      const key =
        split === undefined ? '' : (Object.entries(s.dimensions ?? {}).find(([d]) => d.toLowerCase() === split!.toLowerCase())?.[1] ?? '');
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    if (split === undefined && groups.size === 0) groups.set('', []);
    const series = [...groups.entries()].slice(0, split === undefined ? 1 : top).map(([key, list]) => ({
      metadatavalues:
        split === undefined ? [] : [{ name: { value: split.toLowerCase(), localizedValue: split.toLowerCase() }, value: key }],
      data: minutes.map((t) => {
        const values = list.filter((s) => minuteOf(s.timeStamp) === t).map((s) => s.value);
        const empty = aggregations.includes('count') ? { count: 0 } : {};
        return { timeStamp: isoSeconds(t), ...(values.length ? aggregate(values, aggregations) : empty) };
      }),
    }));
    return {
      id: `${resourceId}/providers/Microsoft.Insights/metrics/${name}`,
      type: 'Microsoft.Insights/metrics',
      name: { value: name, localizedValue: def.localizedName },
      displayDescription: def.description,
      unit: def.unit,
      timeseries: series,
      errorCode: 'Success',
    };
  });
  return {
    status: 200,
    body: {
      cost: minutes.length * names.length,
      timespan: `${isoSeconds(start)}/${isoSeconds(end)}`,
      interval,
      value,
      namespace: NAMESPACE,
      resourceregion: options.region,
    },
  };
}

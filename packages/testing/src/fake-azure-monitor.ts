/**
 * Test double of Azure Monitor's resource metrics endpoint (`GET {resourceUri}/providers/Microsoft.Insights/metrics`,
 * api-version 2024-02-01, operation `Metrics_List`), served by {@link FakeArmServer} for its container apps.
 *
 * The response has the shape of the REST API specification's own example
 * (Azure/azure-rest-api-specs@f7b84a5c89d94559d2e2125aa706c1463ddddcc3
 * specification/monitor/resource-manager/Microsoft.Insights/stable/2024-02-01/examples/GetMetric.json, kept verbatim in
 * fixtures/arm-examples/2024-02-01): `{ cost, timespan, interval, value: [{ id, type, name: { value, localizedValue },
 * displayDescription, unit, timeseries: [{ metadatavalues: [{ name: { value, localizedValue }, value }], data: [{ timeStamp,
 * average, … }] }], errorCode }], namespace, resourceregion }`. As in that example, a split dimension's name comes back in
 * lower case (`Tier eq '*'` answers `"tier"`).
 *
 * The metrics, units and dimensions are those of Azure Monitor's generated reference
 * (https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-app-containerapps-metrics, whose rows
 * with REST dimension names also stand under the older type at
 * https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-web-containerapps-metrics):
 * Replicas: revisionName, deploymentName; Requests: revisionName, podName, statusCodeCategory, statusCode; RxBytes and
 * UsageNanoCores: revisionName, podName; all at PT1M. What the double models, and what it refuses (400, as ARM does for an
 * invalid query):
 * - `interval` PT1M only (anything else is `FakeNotModelled`); `timespan` `start/end`, both ISO times;
 * - `$filter` `<dimension> eq '*'` (one split dimension); a dimension the metric does not have is a 400 unless
 *   `ValidateDimensions=false` (the spec: "When set to true, an error is returned for invalid filter parameters. Defaults to
 *   true."); an unknown metric name is a 400;
 * - `top` limits the series per metric (default 10, as the spec's `top` parameter says) when a filter splits;
 * - every minute of the timespan has a data point; a minute without samples carries only its `timeStamp` (no aggregation),
 *   and a split series without any sample in the timespan is left out.
 */

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

/** An ARM error the endpoint answers with. */
export interface FakeMetricsError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** The outcome of one metrics request: a status and a JSON body. */
export interface FakeMetricsAnswer {
  readonly status: number;
  readonly body: unknown;
}

const AGGREGATIONS = ['average', 'minimum', 'maximum', 'total', 'count'] as const;
type Aggregation = (typeof AGGREGATIONS)[number];
const MINUTE_MS = 60_000;

function badRequest(code: string, message: string): FakeMetricsAnswer {
  return { status: 400, body: { error: { code, message } } };
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
  if (query['api-version'] !== '2024-02-01') {
    return badRequest('InvalidApiVersionParameter', `The api-version '${query['api-version'] ?? ''}' is not modelled (2024-02-01 is).`);
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
    const validate = (query.ValidateDimensions ?? 'true').toLowerCase() !== 'false';
    const lacking = names.find((n) => !definitions[n]!.dimensions.some((d) => d.toLowerCase() === split!.toLowerCase()));
    if (lacking && validate) {
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
        return { timeStamp: isoSeconds(t), ...(values.length ? aggregate(values, aggregations) : {}) };
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
      namespace: 'microsoft.app/containerapps',
      resourceregion: options.region,
    },
  };
}

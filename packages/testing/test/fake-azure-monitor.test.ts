/**
 * The Azure Monitor metrics double answers the shape of the REST API specification's own `Metrics_List` example
 * (fixtures/arm-examples/2024-02-01/GetMetric.json, verbatim) and refuses what ARM refuses.
 */
import { describe, expect, it } from 'vitest';
import { answerMetricsQuery, armExample, FakeArmServer, type FakeMetricSample } from '../src';

/** The keys of a JSON value, recursively (an array by its first element): the shape, without the values. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, shape((value as Record<string, unknown>)[k])]),
    );
  }
  return typeof value;
}

const ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/containerApps/opa';
const T0 = '2026-12-01T10:00:00Z';
const at = (minute: number): string => new Date(Date.parse(T0) + minute * 60_000).toISOString();
const cpu = (pod: string, minute: number, value: number): FakeMetricSample => ({
  metric: 'UsageNanoCores',
  timeStamp: at(minute),
  value,
  dimensions: { revisionName: 'opa--r1', podName: pod },
});
const query = (extra: Record<string, string> = {}): Record<string, string> => ({
  'api-version': '2024-02-01',
  timespan: `${at(0)}/${at(3)}`,
  interval: 'PT1M',
  metricnames: 'UsageNanoCores',
  aggregation: 'average,maximum',
  $filter: "podName eq '*'",
  ...extra,
});

describe('answerMetricsQuery (Azure Monitor Metrics_List, 2024-02-01)', () => {
  it('answers the keys of the specification example, the split dimension named in lower case as there', () => {
    const example = armExample('2024-02-01', 'GetMetric');
    // the example asks for average, minimum and maximum
    const answer = answerMetricsQuery(ID, query({ aggregation: 'average,minimum,maximum' }), [
      cpu('opa--r1-a', 0, 4e6),
      cpu('opa--r1-a', 1, 6e6),
    ]);
    expect(answer.status).toBe(200);
    expect(shape(answer.body)).toEqual(shape(example));
    // the example filtered `Tier eq '*'` and got `"name": { "value": "tier" }`
    expect(example.value[0].timeseries[0].metadatavalues[0].name.value).toBe('tier');
    const body = answer.body as typeof example;
    expect(body.value[0].timeseries[0].metadatavalues[0]).toEqual({
      name: { value: 'podname', localizedValue: 'podname' },
      value: 'opa--r1-a',
    });
    expect(body.value[0].unit).toBe('NanoCores');
  });

  it('gives every minute of the timespan a point; a minute without samples has only its timeStamp', () => {
    const body = answerMetricsQuery(ID, query(), [cpu('opa--r1-a', 0, 4e6), cpu('opa--r1-a', 2, 8e6)]).body as {
      value: { timeseries: { data: Record<string, unknown>[] }[] }[];
    };
    expect(body.value[0]!.timeseries[0]!.data).toEqual([
      { timeStamp: '2026-12-01T10:00:00Z', average: 4e6, maximum: 4e6 },
      { timeStamp: '2026-12-01T10:01:00Z' },
      { timeStamp: '2026-12-01T10:02:00Z', average: 8e6, maximum: 8e6 },
    ]);
  });

  it('splits one series per dimension value, leaves out values without samples, and stops at top (default 10)', () => {
    const many = Array.from({ length: 12 }, (_, i) => cpu(`opa--r1-${i}`, 0, 1e6));
    const series = (q: Record<string, string>) =>
      (answerMetricsQuery(ID, q, many).body as { value: { timeseries: unknown[] }[] }).value[0]!.timeseries.length;
    expect(series(query())).toBe(10);
    expect(series(query({ top: '50' }))).toBe(12);
    const outside = answerMetricsQuery(ID, query(), [cpu('opa--r1-a', 5, 1e6)]).body as { value: { timeseries: unknown[] }[] };
    expect(outside.value[0]!.timeseries).toEqual([]);
  });

  it('refuses what ARM refuses: a dimension the metric lacks (unless ValidateDimensions=false), an unknown metric', () => {
    const replicas = query({ metricnames: 'Replicas', aggregation: 'maximum' });
    const refused = answerMetricsQuery(ID, replicas, []);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('Metric: Replicas does not support requested dimension combination: podName');
    expect(answerMetricsQuery(ID, { ...replicas, ValidateDimensions: 'false' }, []).status).toBe(200);
    expect(answerMetricsQuery(ID, query({ metricnames: 'CpuNanoCores' }), []).status).toBe(400);
    expect(answerMetricsQuery(ID, query({ interval: 'PT5M' }), []).status).toBe(400);
    expect(answerMetricsQuery(ID, query({ 'api-version': '2018-01-01' }), []).status).toBe(400);
  });
});

describe('FakeArmServer metrics route', () => {
  it('serves an app’s metrics under its resource id, 404 for a double slash or an unknown app, and an injected error', async () => {
    const arm = await FakeArmServer.start();
    try {
      arm.addApp('opa');
      arm.addMetricSamples('opa', [cpu('opa--r1-a', 0, 4e6)]);
      const qs = new URLSearchParams(query()).toString();
      const path = `${arm.groupId}/providers/Microsoft.App/containerApps/opa/providers/Microsoft.Insights/metrics`;
      const ok = await fetch(`${arm.url}${path}?${qs}`);
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as { value: { id: string; timeseries: unknown[] }[]; resourceregion: string };
      expect(body.value[0]!.id).toBe(
        `${arm.groupId}/providers/Microsoft.App/containerApps/opa/providers/Microsoft.Insights/metrics/UsageNanoCores`,
      );
      expect(body.value[0]!.timeseries).toHaveLength(1);
      expect(body.resourceregion).toBe('westeurope');
      expect((await fetch(`${arm.url}/${path}?${qs}`)).status).toBe(404);
      expect((await fetch(`${arm.url}${path.replace('/opa/', '/nope/')}?${qs}`)).status).toBe(404);
      arm.failMetrics('opa', { status: 403, code: 'AuthorizationFailed', message: 'no Microsoft.Insights/metrics/read' });
      const denied = await fetch(`${arm.url}${path}?${qs}`);
      expect(denied.status).toBe(403);
      expect(await denied.json()).toEqual({ error: { code: 'AuthorizationFailed', message: 'no Microsoft.Insights/metrics/read' } });
    } finally {
      await arm.close();
    }
  });
});

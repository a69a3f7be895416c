/**
 * The Azure Monitor metrics double answers the shape of the REST API specification's own `Metrics_List` examples at
 * api-version 2018-01-01 (fixtures/arm-examples/2018-01-01/GetMetric.json and GetMetricError.json, verbatim), only the
 * query parameters that version defines, and refuses what ARM refuses.
 */
import { describe, expect, it } from 'vitest';
import { answerMetricsQuery, armExample, armExampleDocument, FakeArmServer, type FakeMetricSample } from '../src';

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
  'api-version': '2018-01-01',
  timespan: `${at(0)}/${at(3)}`,
  interval: 'PT1M',
  metricnames: 'UsageNanoCores',
  aggregation: 'average,maximum',
  $filter: "podName eq '*'",
  ...extra,
});

describe('answerMetricsQuery (Azure Monitor Metrics_List, 2018-01-01)', () => {
  it('answers the keys of the specification example, the split dimension in lower case, count 0 in a minute without samples', () => {
    const example = armExample('2018-01-01', 'GetMetric');
    // the example asks for average and count over four minutes, the last one with a sample
    const answer = answerMetricsQuery(ID, query({ aggregation: 'Average,count', timespan: `${at(0)}/${at(4)}` }), [
      cpu('opa--r1-a', 3, 4e6),
      cpu('opa--r1-b', 3, 6e6),
    ]);
    expect(answer.status).toBe(200);
    // GetMetricError.json of the same version shows `"errorCode": "Success"` on a metric that was read; GetMetric.json has none
    const read = armExample('2018-01-01', 'GetMetricError').value[1];
    expect(read.errorCode).toBe('Success');
    expect(shape(answer.body)).toEqual(shape({ ...example, value: [{ ...example.value[0], errorCode: read.errorCode }] }));
    // the example filtered `BlobType eq '*'` and got `"name": { "value": "blobtype" }`
    expect(armExampleDocument('2018-01-01', 'GetMetric').parameters.$filter).toBe("BlobType eq '*'");
    expect(example.value[0].timeseries[0].metadatavalues[0].name.value).toBe('blobtype');
    const body = answer.body as typeof example;
    expect(body.value[0].timeseries[0].metadatavalues[0]).toEqual({
      name: { value: 'podname', localizedValue: 'podname' },
      value: 'opa--r1-a',
    });
    expect(body.value[0].unit).toBe('NanoCores');
    // the same pattern of points as the example: count 0 without average, then the minute with a sample
    const pattern = (data: Record<string, unknown>[]) => data.map((p) => Object.keys(p).sort().join(','));
    expect(pattern(body.value[0].timeseries[0].data)).toEqual(pattern(example.value[0].timeseries[0].data));
    expect(body.value[0].timeseries[1].data[3]).toEqual({ timeStamp: '2026-12-01T10:03:00Z', average: 6e6, count: 1 });
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

  it('refuses what ARM refuses, in the ErrorResponse shape of 2018-01-01: a dimension the metric lacks, an unknown metric', () => {
    const replicas = query({ metricnames: 'Replicas', aggregation: 'maximum' });
    const refused = answerMetricsQuery(ID, replicas, []);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      code: 'BadRequest',
      message:
        'Metric: Replicas does not support requested dimension combination: podName, supported ones are: revisionName,deploymentName',
    });
    expect(answerMetricsQuery(ID, query({ metricnames: 'CpuNanoCores' }), []).status).toBe(400);
    expect(answerMetricsQuery(ID, query({ interval: 'PT5M' }), []).status).toBe(400);
    expect(answerMetricsQuery(ID, query({ metricnamespace: 'Microsoft.Storage/storageAccounts' }), []).status).toBe(400);
    expect(answerMetricsQuery(ID, query({ metricnamespace: 'Microsoft.App/containerApps' }), []).status).toBe(200);
  });

  it('answers api-version 2018-01-01 with only its parameters: another version or another parameter is refused', () => {
    expect(answerMetricsQuery(ID, query({ 'api-version': '2024-02-01' }), []).body).toMatchObject({ code: 'InvalidApiVersionParameter' });
    // neither is a parameter of Metrics_List at 2018-01-01 (metrics_API.json of that version)
    for (const name of ['ValidateDimensions', 'rollupby']) {
      const answer = answerMetricsQuery(ID, query({ [name]: 'false' }), []);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'FakeNotModelled', message: expect.stringContaining(`'${name}'`) });
    }
    expect(answerMetricsQuery(ID, query({ orderby: 'Average asc' }), []).body).toMatchObject({ code: 'FakeNotModelled' });
    expect(answerMetricsQuery(ID, query({ resultType: 'Data' }), []).status).toBe(200);
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
      arm.failMetrics('opa', { status: 400, code: 'BadRequest', message: 'Invalid timespan', shape: 'metrics' });
      const bad = await fetch(`${arm.url}${path}?${qs}`);
      expect([bad.status, await bad.json()]).toEqual([400, { code: 'BadRequest', message: 'Invalid timespan' }]);
    } finally {
      await arm.close();
    }
  });
});

/**
 * The metrics reader against the REST API specification's own `Metrics_List` examples at the api-version the client
 * sends (2018-01-01: GetMetric.json and GetMetricError.json, verbatim in packages/testing/fixtures), served by a
 * loopback server to the real @azure/arm-monitor MonitorClient: what we parse is what Azure documents, not only what
 * our double answers. Also the checks on an answer (grain, unit, errorCode), the request the client sends (path with
 * one slash, api-version, query parameters), and the credential it asks for off loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CliError, EXIT } from '@cvat-cloud/runtime';
import {
  armExample,
  armExampleDocument,
  credentialUnavailable,
  FakeCredential,
  rejectionOf,
  startLoopbackServer,
  type LoopbackServer,
} from '@cvat-cloud/testing';
import { createMetricsClient } from '../src/azure/monitor-client';
import { querySplitMetrics, type SplitQuery } from '../src/commands/idle/metrics';
import { testRuntime } from './support/test-runtime';

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A loopback server answering every request with `body` (and `status`), and the real client pointed at it. */
async function serve(body: object, status = 200) {
  const seen: { path: string; query: URLSearchParams; authorization: string | undefined }[] = [];
  server = await startLoopbackServer((req) => {
    seen.push({ path: req.path, query: req.query, authorization: req.headers.authorization });
    return { status, body };
  });
  const runtime = testRuntime({ armEndpoint: server.url, env: { CVAT_OPS_ARM_MAX_RETRIES: '0' } });
  const client = await createMetricsClient(runtime, 'b324c52b-4073-4807-93af-e07d289c093e');
  return { client, seen, runtime };
}

const example = armExampleDocument('2018-01-01', 'GetMetric');
/** The example's own query: its resource (given with a leading slash, as ARM ids are), metric, timespan, split by BlobType. */
const query: SplitQuery = {
  resourceId: `/${String(example.parameters.resourceUri)}`,
  metrics: { BlobCapacity: 'Bytes' },
  aggregations: ['Average', 'Count'],
  dimension: 'BlobType',
  start: new Date('2017-04-14T02:20:00Z'),
  end: new Date('2017-04-14T04:20:00Z'),
};

describe('querySplitMetrics on the specification example (api-version 2018-01-01)', () => {
  it('sends the documented request: one slash before the resource, api-version 2018-01-01 and its query parameters', async () => {
    const { client, seen } = await serve(armExample('2018-01-01', 'GetMetric'));
    await querySplitMetrics(client, query);
    expect(seen).toHaveLength(1);
    // the id came with a leading slash: the client's path template is `/{resourceUri}/…`, unencoded
    expect(seen[0]!.path).toBe(`/${String(example.parameters.resourceUri)}/providers/Microsoft.Insights/metrics`);
    expect(Object.fromEntries(seen[0]!.query)).toEqual({
      'api-version': example.parameters['api-version'],
      $filter: example.parameters.$filter,
      timespan: '2017-04-14T02:20:00.000Z/2017-04-14T04:20:00.000Z',
      interval: example.parameters.interval,
      metricnames: 'BlobCapacity',
      aggregation: 'Average,Count',
      top: '200',
    });
    // a loopback endpoint: no bearer policy, so no Authorization header and no credential asked
    expect(seen[0]!.authorization).toBeUndefined();
  });

  it('reads its series: one per blob type, matched to the lower-case "blobtype" it answers, only the minutes with a value', async () => {
    const { client } = await serve(armExample('2018-01-01', 'GetMetric'));
    const result = await querySplitMetrics(client, query);
    expect(result.cut).toEqual([]);
    // the minutes with `count` 0 have no average: no value for them
    expect(result.series.map((s) => [s.metric, s.key, [...s.points.entries()]])).toEqual([
      ['BlobCapacity', 'PageBlob', [[Date.parse('2017-04-14T02:23:00Z'), { average: 0 }]]],
      ['BlobCapacity', 'BlockBlob', [[Date.parse('2017-04-14T02:23:00Z'), { average: 245 }]]],
    ]);
  });

  it('a series without the split dimension is kept under "(no <dimension>)"', async () => {
    const body = armExample('2018-01-01', 'GetMetric');
    body.value[0].timeseries[1].metadatavalues = [];
    const { client } = await serve(body);
    expect((await querySplitMetrics(client, query)).series.map((s) => s.key)).toEqual(['PageBlob', '(no BlobType)']);
  });

  it('refuses an answer in another grain: GetMetricError asked FULL and was answered PT4H', async () => {
    const { client } = await serve(armExample('2018-01-01', 'GetMetricError'));
    const error = await rejectionOf(querySplitMetrics(client, { ...query, metrics: { MongoRequests: 'Count' } }), CliError);
    expect(error.exit).toBe(EXIT.FAILED);
    expect(error.message).toContain('at a PT4H grain instead of PT1M');
  });

  it('refuses a metric Azure could not read (its errorCode and errorMessage), one in another unit, one missing', async () => {
    const failed = armExample('2018-01-01', 'GetMetricError');
    failed.interval = 'PT1M';
    const { client } = await serve(failed);
    const mongo = { ...query, metrics: { MongoRequestsCount: 'CountPerSecond', MongoRequests: 'Count' } };
    const error = await rejectionOf(querySplitMetrics(client, mongo), CliError);
    expect(error.exit).toBe(EXIT.FAILED);
    expect(error.message).toBe(
      `Azure Monitor could not read 'MongoRequestsCount' of ${query.resourceId}: InvalidSamplingType ` +
        '(Sampling type is not found. Metric:CosmosDBCustomer,AzureMonitor,MongoRequests, SamplingType:NullableAverage.).',
    );
    // the metric read with "errorCode": "Success" passes
    expect((await querySplitMetrics(client, { ...query, metrics: { MongoRequests: 'Count' } })).series).toHaveLength(1);
    const unit = await rejectionOf(querySplitMetrics(client, { ...query, metrics: { MongoRequests: 'NanoCores' } }), CliError);
    expect(unit.message).toBe(
      "Azure Monitor returned 'MongoRequests' in Count, not NanoCores; the idle thresholds assume NanoCores, so nothing was evaluated.",
    );
    const missing = await rejectionOf(querySplitMetrics(client, { ...query, metrics: { RxBytes: 'Bytes' } }), CliError);
    expect(missing.message).toBe(`Azure Monitor returned no 'RxBytes' metric for ${query.resourceId}.`);
  });

  it('an error in the ErrorResponse shape of 2018-01-01 ({ code, message }) keeps its status, code and message', async () => {
    const { client } = await serve({ code: 'BadRequest', message: 'Invalid timespan' }, 400);
    const error = (await querySplitMetrics(client, query).catch((e: unknown) => e)) as Error & { statusCode?: number; code?: string };
    expect([error.statusCode, error.code, error.message]).toEqual([400, 'BadRequest', 'Invalid timespan']);
  });
});

describe('createMetricsClient off loopback', () => {
  it('asks the credential for an ARM token before anything is sent: the public audience, or the sovereign endpoint', async () => {
    for (const [armEndpoint, scope] of [
      [undefined, 'https://management.azure.com/.default'],
      ['https://management.usgovcloudapi.net', 'https://management.usgovcloudapi.net/.default'],
    ] as const) {
      const credential = new FakeCredential('unused', credentialUnavailable());
      const runtime = testRuntime({
        ...(armEndpoint ? { armEndpoint } : {}),
        credential: async () => credential,
        env: { CVAT_OPS_ARM_MAX_RETRIES: '0' },
      });
      const client = await createMetricsClient(runtime, 'b324c52b-4073-4807-93af-e07d289c093e');
      await expect(querySplitMetrics(client, query)).rejects.toThrow(/Azure CLI could not be found/);
      expect(credential.asked.map((a) => a.scopes)).toEqual([[scope]]);
    }
  });

  it('a plain-http endpoint off loopback is refused before a client exists (CONFIG, naming CVAT_OPS_ARM_ENDPOINT)', async () => {
    const credential = new FakeCredential();
    const runtime = testRuntime({ armEndpoint: 'http://management.example.com', credential: async () => credential });
    const error = await rejectionOf(createMetricsClient(runtime, 'b324c52b-4073-4807-93af-e07d289c093e'), CliError);
    expect(error.exit).toBe(EXIT.CONFIG);
    expect(error.message).toContain('CVAT_OPS_ARM_ENDPOINT');
    expect(credential.calls).toBe(0);
  });
});

/**
 * The metrics reader against the REST API specification's own `Metrics_List` example (GetMetric.json, 2024-02-01,
 * verbatim in packages/testing/fixtures), served by a loopback server to the real MetricsQueryClient: what we parse is
 * what Azure documents, not only what our double answers. Also the checks on an answer (grain, unit, errorCode).
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

/** A loopback server answering every request with `body`, and the real client pointed at it. */
async function serve(body: object) {
  const seen: { path: string; query: URLSearchParams }[] = [];
  server = await startLoopbackServer((req) => {
    seen.push({ path: req.path, query: req.query });
    return { status: 200, body };
  });
  const client = await createMetricsClient(testRuntime({ armEndpoint: server.url }));
  return { client, seen };
}

const example = armExampleDocument('2024-02-01', 'GetMetric');
/** The example's own query: its resource, metrics (with the units it answers), its timespan, split by Tier. */
const query: SplitQuery = {
  resourceId: `/${String(example.parameters.resourceUri)}`,
  metrics: { BlobCount: 'Count', BlobCapacity: 'Bytes' },
  aggregations: ['Average', 'Minimum', 'Maximum'],
  dimension: 'Tier',
  start: new Date('2021-04-20T09:00:00Z'),
  end: new Date('2021-04-20T14:00:00Z'),
};

describe('querySplitMetrics on the specification example', () => {
  it('refuses the example as it stands: it answers at PT1H, the idle criteria need PT1M', async () => {
    const { client } = await serve(armExample('2024-02-01', 'GetMetric'));
    const error = await rejectionOf(querySplitMetrics(client, query), CliError);
    expect(error.exit).toBe(EXIT.FAILED);
    expect(error.message).toContain('at a PT1H grain instead of PT1M');
  });

  it('reads its series (at PT1M): one per tier, matched to the lower-case "tier" it answers, every point by its minute', async () => {
    const body = armExample('2024-02-01', 'GetMetric');
    body.interval = 'PT1M';
    const { client, seen } = await serve(body);
    const result = await querySplitMetrics(client, query);
    expect(seen[0]!.path).toBe(`/${String(example.parameters.resourceUri)}/providers/Microsoft.Insights/metrics`);
    expect(seen[0]!.query.get('$filter')).toBe("Tier eq '*'");
    expect(result.cut).toEqual([]);
    const count = result.series.filter((s) => s.metric === 'BlobCount');
    expect(count.map((s) => s.key)).toEqual(['Hot', 'Standard', 'Cool', 'Archive', 'Untiered']);
    expect([...count[0]!.points.entries()]).toEqual(
      [9, 10, 11, 12, 13].map((h) => [Date.parse(`2021-04-20T${String(h).padStart(2, '0')}:00:00Z`), { average: 7, maximum: 7 }]),
    );
    expect(
      result.series.find((s) => s.metric === 'BlobCapacity' && s.key === 'Standard')!.points.get(Date.parse('2021-04-20T09:00:00Z')),
    ).toEqual({
      average: 621492,
      maximum: 621492,
    });
  });

  it('refuses a metric in another unit than the thresholds assume, and a metric Azure could not read', async () => {
    const body = armExample('2024-02-01', 'GetMetric');
    body.interval = 'PT1M';
    const { client } = await serve(body);
    const unit = await rejectionOf(
      querySplitMetrics(client, { ...query, metrics: { BlobCount: 'NanoCores', BlobCapacity: 'Bytes' } }),
      CliError,
    );
    expect(unit.message).toBe(
      "Azure Monitor returned 'BlobCount' in Count, not NanoCores; the idle thresholds assume NanoCores, so nothing was evaluated.",
    );
    await server!.close();
    const failed = armExample('2024-02-01', 'GetMetric');
    failed.interval = 'PT1M';
    failed.value[1].errorCode = 'ThrottledByMetricsBackend';
    failed.value[1].errorMessage = 'try later';
    const again = await serve(failed);
    const error = await rejectionOf(querySplitMetrics(again.client, query), CliError);
    expect(error.message).toContain("could not read 'BlobCapacity'");
    expect(error.message).toContain('ThrottledByMetricsBackend (try later)');
  });
});

describe('createMetricsClient off loopback', () => {
  it('asks the credential for an ARM token before anything is sent: the public audience, or the sovereign endpoint', async () => {
    for (const [armEndpoint, scope] of [
      [undefined, 'https://management.azure.com//.default'],
      ['https://management.usgovcloudapi.net', 'https://management.usgovcloudapi.net/.default'],
    ] as const) {
      const credential = new FakeCredential('unused', credentialUnavailable());
      const runtime = testRuntime({
        ...(armEndpoint ? { armEndpoint } : {}),
        credential: async () => credential,
        env: { CVAT_OPS_ARM_MAX_RETRIES: '0' },
      });
      const client = await createMetricsClient(runtime);
      await expect(querySplitMetrics(client, query)).rejects.toThrow(/Azure CLI could not be found/);
      expect(credential.asked.map((a) => a.scopes)).toEqual([[scope]]);
    }
  });
});

/**
 * The Azure Monitor metrics client (`@azure/monitor-query` 1.3.3, `MetricsQueryClient`) built from the runtime: the ARM
 * endpoint, credential, retry options and user agent of `@cvat-cloud/runtime` armClientSetup (through src/context/azure.ts).
 *
 * `queryResource(resourceUri, names, options)` sends `GET {endpoint}/{resourceUri}/providers/Microsoft.Insights/metrics`
 * with api-version 2024-02-01 and the query parameters `timespan` (`start/end`), `interval` (from `granularity`),
 * `metricnames` and `aggregation` (comma-joined), `$filter`, `top` (node_modules/@azure/monitor-query/dist/commonjs:
 * metricsQueryClient.js, internal/modelConverters.js `convertRequestForMetrics`, generated/metrics/src/operations/metrics.js
 * `listOperationSpec`). Its token scope is `<audience>/.default`, the public ARM audience unless `audience` is given.
 *
 * A loopback endpoint (test doubles) gets no credential at all: unlike the arm-* clients, `MetricsQueryClient` keeps its
 * pipeline private, so the bearer policy (which refuses plain http) cannot be removed afterwards; @azure/core-client
 * 1.10.2 `ServiceClient` (dist/commonjs/serviceClient.js, `createDefaultPipeline`) adds it only when a credential is given.
 */
// A static import is fine: this module is only reached from the lazily imported idle command.
import { MetricsQueryClient } from '@azure/monitor-query';
import type { TokenCredential } from '@azure/identity';
import { DEFAULT_ARM_ENDPOINT } from '@cvat-cloud/runtime';
import { armClientSetup } from '../context/azure';
import type { Runtime } from '../context/runtime';

/** What the idle command uses of the client (tests may pass their own). */
export type MetricsQueryLike = Pick<MetricsQueryClient, 'queryResource'>;

/** Builds the metrics client. Injectable in commands for tests. */
export type MetricsClientFactory = () => Promise<MetricsQueryLike>;

/** Creates the client from the runtime. */
export async function createMetricsClient(runtime: Pick<Runtime, 'armEndpoint' | 'credential' | 'env'>): Promise<MetricsQueryClient> {
  const setup = await armClientSetup(runtime);
  const credential = setup.withoutAuth ? (undefined as unknown as TokenCredential) : setup.credential;
  const sovereign = !setup.withoutAuth && setup.options.endpoint !== DEFAULT_ARM_ENDPOINT;
  return new MetricsQueryClient(credential, { ...setup.options, ...(sovereign ? { audience: setup.options.endpoint } : {}) });
}

/** The default factory: {@link createMetricsClient} with the runtime. */
export function metricsClientFactory(runtime: Pick<Runtime, 'armEndpoint' | 'credential' | 'env'>): MetricsClientFactory {
  return () => createMetricsClient(runtime);
}

/**
 * The Azure Monitor metrics client (`@azure/arm-monitor` 7.0.0, `MonitorClient.metrics`) built from the runtime: the ARM
 * endpoint, credential, retry options and user agent of `@cvat-cloud/runtime` armClientSetup (through src/context/azure.ts).
 *
 * `metrics.list(resourceUri, options)` sends `GET {endpoint}/{resourceUri}/providers/Microsoft.Insights/metrics` with
 * api-version 2018-01-01 and, when given, the query parameters `$filter`, `metricnamespace`, `timespan`, `interval`,
 * `metricnames`, `aggregation`, `top`, `orderby`, `resultType`, each passed through as a string (`top` a number)
 * (@azure/arm-monitor 7.0.0 src/operations/metrics.ts `listOperationSpec`, src/models/parameters.ts `apiVersion4`).
 * The resource URI is not encoded (`skipEncoding`), so it must come without its leading slash (src/commands/idle/metrics.ts).
 *
 * Its token scope is `credentialScopes`, `https://management.azure.com/.default` unless given (src/monitorClient.ts);
 * a sovereign ARM endpoint gets `<endpoint>/.default`. `MonitorClient` throws on an `undefined` credential and, like the
 * other arm-* clients, exposes its pipeline: a loopback endpoint (test doubles) gets the runtime's placeholder credential
 * and the bearer policy (which refuses plain http) is removed (`applyArmSetup`).
 *
 * The module of @azure/arm-monitor (its one generated bundle covers every Microsoft.Insights operation) is imported
 * here, when a client is built, so only an `idle` run that reads metrics loads it.
 */
import type { MetricsListOptionalParams, MetricsListResponse } from '@azure/arm-monitor';
import { applyArmSetup, DEFAULT_ARM_ENDPOINT } from '@cvat-cloud/runtime';
import { armClientSetup } from '../context/azure';
import type { Runtime } from '../context/runtime';

/** What the idle command uses of the client: `MonitorClient.metrics.list` (tests may pass their own). */
export interface MetricsListLike {
  list(resourceUri: string, options?: MetricsListOptionalParams): Promise<MetricsListResponse>;
}

/** Builds the metrics client for one subscription. Injectable in commands for tests. */
export type MetricsClientFactory = (subscriptionId: string) => Promise<MetricsListLike>;

/** Creates the client for `subscriptionId` from the runtime (`metrics.list` does not use the subscription; the client requires one). */
export async function createMetricsClient(
  runtime: Pick<Runtime, 'armEndpoint' | 'credential' | 'env'>,
  subscriptionId: string,
): Promise<MetricsListLike> {
  const setup = await armClientSetup(runtime);
  const { MonitorClient } = await import('@azure/arm-monitor');
  const sovereign = !setup.withoutAuth && setup.options.endpoint !== DEFAULT_ARM_ENDPOINT;
  const client = new MonitorClient(setup.credential, subscriptionId, {
    ...setup.options,
    ...(sovereign ? { credentialScopes: [`${setup.options.endpoint}/.default`] } : {}),
  });
  return applyArmSetup(client, setup).metrics;
}

/** The default factory: {@link createMetricsClient} with the runtime. */
export function metricsClientFactory(runtime: Pick<Runtime, 'armEndpoint' | 'credential' | 'env'>): MetricsClientFactory {
  return (subscriptionId) => createMetricsClient(runtime, subscriptionId);
}

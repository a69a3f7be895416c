// The init-job tests' ARM: the shared loopback FakeArmServer of @cvat-cloud/testing (Microsoft.App jobs: GET job,
// POST …/start with scripted executions, GET executions, the start LRO) and a real ContainerAppsAPIClient pointed at it.
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import type { TokenCredential } from '@azure/identity';
import { FakeArmServer, type JobStartScript } from '@cvat-cloud/testing';

/** How one job behaves: its ARM definition (what `GET …/jobs/{job}` answers) and the executions its starts create. */
export interface FakeJobScript extends JobStartScript {
  /** The job resource as ARM returns it (its `properties` are served). @default - the fake's own minimal job */
  readonly definition?: { readonly properties?: Record<string, unknown> } | Record<string, unknown>;
}

/** Starts the shared fake with `jobs` in `resourceGroup` of `subscriptionId`. */
export async function startFakeArm(
  jobs: Readonly<Record<string, FakeJobScript>>,
  options: { subscriptionId: string; resourceGroup?: string },
): Promise<FakeArmServer> {
  const server = await FakeArmServer.start({
    subscriptionId: options.subscriptionId,
    resourceGroup: options.resourceGroup ?? 'cvat-dev-rg',
    location: 'westeurope',
  });
  for (const [name, script] of Object.entries(jobs)) {
    const properties = (script.definition as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
    server.addJob(name, properties);
    server.scriptJob(name, script);
  }
  return server;
}

/**
 * A real `ContainerAppsAPIClient` (3.0.0) pointed at the fake. 3.0.0 insists on a credential object, and its bearer
 * policy refuses plain http; with that policy removed the client talks to the loopback fake without tokens. The
 * credential throws if anything ever asks it for a token.
 */
export function fakeArmClient(server: FakeArmServer): ContainerAppsAPIClient {
  const credential: TokenCredential = {
    getToken: async () => {
      throw new Error('the fake ARM server needs no token');
    },
  };
  const client = new ContainerAppsAPIClient(credential, server.subscriptionId, {
    endpoint: server.url,
    allowInsecureConnection: true,
    retryOptions: { maxRetries: 0 },
  });
  client.pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });
  return client;
}

export type { FakeArmServer };

/**
 * Reads of the live Container Apps state used by status, drift, apps and logs. All lists follow `nextLink` (the
 * SDK's paged iterators); a missing resource is `undefined`, not an exception.
 */
import type { ContainerApp, ContainerAppsAPIClient, Job, JobExecution, Replica, Revision } from '@azure/arm-appcontainers';
import { armFailure, isNotFound } from '@cvat-cloud/runtime';
import type { AcaTarget } from './target';

/** Collects every item of a paged iterator. */
export async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterator) items.push(item);
  return items;
}

/** Every container app in the resource group (all pages). */
export function listContainerApps(client: ContainerAppsAPIClient, resourceGroup: string): Promise<ContainerApp[]> {
  return collect(client.containerApps.listByResourceGroup(resourceGroup));
}

/** Every Container Apps job in the resource group (all pages). */
export function listJobs(client: ContainerAppsAPIClient, resourceGroup: string): Promise<Job[]> {
  return collect(client.jobs.listByResourceGroup(resourceGroup));
}

/** Everything live in a target's resource group: container apps and jobs. */
export interface LiveResources {
  apps: ContainerApp[];
  jobs: Job[];
}

/**
 * Lists the container apps and jobs of the target's resource group (all pages, both in parallel), the first read of
 * status and drift. A failure ends the command (runtime armFailure): 401/403 or an unknown subscription → exit 5,
 * missing resource group → exit 6, 5xx/throttling after retries or no answer → exit 7, else exit 1, the message naming
 * the resource group and ending with `command` to retry.
 */
export async function listLiveResources(
  target: Pick<AcaTarget, 'client' | 'resourceGroup' | 'flags'>,
  command: string,
): Promise<LiveResources> {
  try {
    const [apps, jobs] = await Promise.all([
      listContainerApps(target.client, target.resourceGroup),
      listJobs(target.client, target.resourceGroup),
    ]);
    return { apps, jobs };
  } catch (error) {
    throw armFailure(
      error,
      `listing container apps and jobs in resource group '${target.resourceGroup}'`,
      `Check the subscription and resource group, then retry: ${command}${target.flags ? ` ${target.flags}` : ''}`,
    );
  }
}

/** The result of an ARM GET, or `undefined` when the resource does not exist (404 / ResourceNotFound). */
async function unlessNotFound<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** One container app, or `undefined` when it does not exist (404). */
export function getContainerApp(client: ContainerAppsAPIClient, resourceGroup: string, name: string): Promise<ContainerApp | undefined> {
  return unlessNotFound(client.containerApps.get(resourceGroup, name));
}

/** One job, or `undefined` when it does not exist (404). */
export function getJob(client: ContainerAppsAPIClient, resourceGroup: string, name: string): Promise<Job | undefined> {
  return unlessNotFound(client.jobs.get(resourceGroup, name));
}

/** Revisions of an app (all pages). */
export function listRevisions(client: ContainerAppsAPIClient, resourceGroup: string, app: string): Promise<Revision[]> {
  return collect(client.containerAppsRevisions.listRevisions(resourceGroup, app));
}

/** The active revisions of an app (Single mode: one; Multiple mode: every revision with `active: true`). */
export async function activeRevisions(client: ContainerAppsAPIClient, resourceGroup: string, app: string): Promise<Revision[]> {
  return (await listRevisions(client, resourceGroup, app)).filter((r) => r.active === true);
}

/** Replicas of one revision. */
export async function listReplicas(
  client: ContainerAppsAPIClient,
  resourceGroup: string,
  app: string,
  revision: string,
): Promise<Replica[]> {
  return (await client.containerAppsRevisionReplicas.listReplicas(resourceGroup, app, revision)).value ?? [];
}

/** Executions of a job, newest first (by start time). */
export async function jobExecutions(client: ContainerAppsAPIClient, resourceGroup: string, job: string): Promise<JobExecution[]> {
  const executions = await collect(client.jobsExecutions.list(resourceGroup, job));
  const time = (e: JobExecution): number => (e.startTime ? new Date(e.startTime).getTime() : 0);
  return executions.sort((a, b) => time(b) - time(a));
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping the input order in the result. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

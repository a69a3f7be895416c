/**
 * Reads of the live Container Apps state used by status, drift, apps and logs. All lists follow `nextLink` (the
 * SDK's paged iterators); a missing resource is `undefined`, not an exception.
 */
import type { ContainerApp, ContainerAppsAPIClient, Job, JobExecution, Replica, Revision } from '@azure/arm-appcontainers';
import { isNotFound } from './arm-errors';

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

/** One container app, or `undefined` when it does not exist (404). */
export async function getContainerApp(client: ContainerAppsAPIClient, resourceGroup: string, name: string): Promise<ContainerApp | undefined> {
  try {
    return await client.containerApps.get(resourceGroup, name);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** One job, or `undefined` when it does not exist (404). */
export async function getJob(client: ContainerAppsAPIClient, resourceGroup: string, name: string): Promise<Job | undefined> {
  try {
    return await client.jobs.get(resourceGroup, name);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
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
export async function listReplicas(client: ContainerAppsAPIClient, resourceGroup: string, app: string, revision: string): Promise<Replica[]> {
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

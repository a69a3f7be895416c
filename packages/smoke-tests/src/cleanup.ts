/**
 * Everything a run creates is registered here the moment the API returns its id, and every name carries the
 * run id. At the end — after failures, timeouts and Ctrl-C too — {@link CleanupRegistry.run} deletes it as
 * the superuser, children before parents, and then searches the API for anything still carrying the run id
 * (objects whose create request was cut off before the answer arrived, restored backups, webhook-event tasks)
 * and deletes that as well. `--keep` lists instead of deleting.
 *
 * Upstream facts (cvat-ai/cvat@v2.73.0): `DELETE /api/{webhooks,tasks,projects,users}/{id}` answer 204 (an admin
 * may delete other users' objects and users); the list endpoints' `search` matches the view's `search_fields`
 * with icontains (cvat/apps/engine/filters.py `SearchFilter`): tasks and projects `name, owner, assignee`
 * (cvat/apps/engine/views.py), users `username, first_name, last_name`, webhooks `target_url, owner,
 * description` (cvat/apps/webhooks/views.py); pages are `{count, next, previous, results}` with `page_size`.
 */
import { describeError } from '@cvat-cloud/runtime/edge';
import { SmokeError } from './errors';
import type { Credentials, CvatClient, HttpResponse } from './http/client';

/** Kinds of objects the suite creates, in deletion order. */
export const RESOURCE_KINDS = ['webhook', 'task', 'project', 'user'] as const;
/** One of {@link RESOURCE_KINDS}. */
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Something the run created. */
export interface CreatedResource {
  readonly kind: ResourceKind;
  readonly id: number;
  /** Its name (task, project), username (user) or description (webhook); always contains the run id. */
  readonly name: string;
}

/** A resource that could not be deleted, with the reason. */
export interface CleanupFailure {
  readonly resource: CreatedResource;
  readonly error: string;
}

/** What cleanup did. */
export interface CleanupReport {
  /** Deleted (or already gone: 404). */
  readonly deleted: readonly CreatedResource[];
  /** Left in place because of `--keep`. */
  readonly kept: readonly CreatedResource[];
  readonly failed: readonly CleanupFailure[];
  /** Found by the run-id search although never registered (already included in deleted/kept/failed). */
  readonly found: readonly CreatedResource[];
  /** Set when the run-id search itself failed, so completeness could not be verified. */
  readonly searchError?: string;
  /** True when the run sent no request that could have created anything and the run-id search found nothing (or failed). */
  readonly nothingCreated?: boolean;
}

/** Options of {@link CleanupRegistry.run}. */
export interface CleanupOptions {
  readonly client: CvatClient;
  /** Superuser credentials: only they can delete other users and their objects. */
  readonly admin: Credentials;
  readonly runId: string;
  /** List instead of delete. @default false */
  readonly keep?: boolean;
  /** Search the API for objects carrying the run id. @default true */
  readonly search?: boolean;
  /** Print what would be deleted, delete nothing (for `--cleanup <run-id> --dry-run`). @default false */
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
  /** Called after each deletion attempt (progress). */
  readonly onProgress?: (resource: CreatedResource, outcome: 'deleted' | 'failed') => void;
}

const PATHS: Record<ResourceKind, string> = {
  webhook: '/api/webhooks',
  task: '/api/tasks',
  project: '/api/projects',
  user: '/api/users',
};

function key(resource: Pick<CreatedResource, 'kind' | 'id'>): string {
  return `${resource.kind}:${resource.id}`;
}

/** The registry of one run. */
export class CleanupRegistry {
  private readonly items = new Map<string, CreatedResource>();

  /** Registers a created object; its name must contain the run id (a programming error otherwise). */
  add(resource: CreatedResource): void {
    this.items.set(key(resource), resource);
  }

  /** Everything registered so far. */
  list(): CreatedResource[] {
    return [...this.items.values()];
  }

  /** Deletes (or, with `keep`, lists) everything registered plus everything the run-id search finds. */
  async run(options: CleanupOptions): Promise<CleanupReport> {
    const found: CreatedResource[] = [];
    let searchError: string | undefined;
    if (options.search ?? true) {
      try {
        for (const resource of await findByRunId(options.client, options.admin, options.runId, options.signal)) {
          if (!this.items.has(key(resource))) {
            found.push(resource);
            this.add(resource);
          }
        }
      } catch (error) {
        searchError = describeError(error);
      }
    }
    const all = this.list();
    if (options.keep || options.dryRun) return { deleted: [], kept: all, failed: [], found, searchError };

    const deleted: CreatedResource[] = [];
    const failed: CleanupFailure[] = [];
    for (const kind of RESOURCE_KINDS) {
      const batch = all.filter((r) => r.kind === kind);
      await Promise.all(
        batch.map(async (resource) => {
          try {
            const res = await options.client.request('DELETE', `${PATHS[kind]}/${resource.id}`, {
              auth: options.admin,
              signal: options.signal,
              read: 'discard',
            });
            if (res.status === 204 || res.status === 200 || res.status === 404) {
              deleted.push(resource);
              this.items.delete(key(resource));
              options.onProgress?.(resource, 'deleted');
            } else {
              failed.push({ resource, error: `DELETE answered ${res.status}` });
              options.onProgress?.(resource, 'failed');
            }
          } catch (error) {
            failed.push({ resource, error: describeError(error) });
            options.onProgress?.(resource, 'failed');
          }
        }),
      );
    }
    // Verify: a second search must come back empty except for what already failed.
    if ((options.search ?? true) && searchError === undefined) {
      try {
        const left = await findByRunId(options.client, options.admin, options.runId, options.signal);
        for (const resource of left) {
          if (!failed.some((f) => key(f.resource) === key(resource))) {
            failed.push({ resource, error: 'still present after deletion (created while cleanup ran?)' });
          }
        }
      } catch (error) {
        searchError = describeError(error);
      }
    }
    return { deleted, kept: [], failed, found, searchError };
  }
}

interface Page {
  results?: Array<Record<string, unknown>>;
  next?: string | null;
}

/**
 * Objects whose name carries `runId`: tasks and projects by name, users by username, webhooks by
 * description or target URL. Uses the list endpoints' `search` filter and then checks the field itself,
 * because `search` also matches other fields.
 */
export async function findByRunId(client: CvatClient, admin: Credentials, runId: string, signal?: AbortSignal): Promise<CreatedResource[]> {
  if (runId.length < 6)
    throw new SmokeError('usage', `'runId' (${JSON.stringify(runId)}) is too short to search for safely (at least 6 characters)`);
  const found: CreatedResource[] = [];
  const fields: Record<ResourceKind, (item: Record<string, unknown>) => string | undefined> = {
    task: (item) => (typeof item.name === 'string' ? item.name : undefined),
    project: (item) => (typeof item.name === 'string' ? item.name : undefined),
    user: (item) => (typeof item.username === 'string' ? item.username : undefined),
    webhook: (item) =>
      typeof item.description === 'string' && item.description.includes(runId)
        ? item.description
        : typeof item.target_url === 'string'
          ? item.target_url
          : undefined,
  };
  await Promise.all(
    RESOURCE_KINDS.map(async (kind) => {
      let path: string | undefined = PATHS[kind];
      let query: Record<string, string | number> | undefined = { search: runId, page_size: 100 };
      for (let page = 0; path !== undefined && page < 20; page++) {
        const res: HttpResponse<Page> = await client.request<Page>('GET', path, { auth: admin, query, signal, expect: 200 });
        for (const item of res.body.results ?? []) {
          const name = fields[kind](item);
          if (typeof item.id === 'number' && name !== undefined && name.includes(runId)) found.push({ kind, id: item.id, name });
        }
        path = typeof res.body.next === 'string' && res.body.next.length > 0 ? res.body.next : undefined;
        query = undefined;
      }
    }),
  );
  return found;
}

/**
 * `cvat-ops apps delete [NAME... | --all]`: deletes container apps (and the init job) in reverse dependency order.
 * Replaces the reference guide's fifteen `az containerapp delete --name <n> --resource-group $RG --yes` lines.
 *
 * 1. resolve names against the catalogue (unknown → exit 2, nothing changed);
 * 2. without `--dry-run`, `--yes` or a terminal, refuse at once (exit 3): before any request, so an unreachable ARM
 *    cannot make the refusal wait for the SDK's retries;
 * 3. read each one (GET) to plan: what exists goes, what is already gone is reported as such;
 * 4. `--dry-run` returns the plan; otherwise confirm (a terminal asks, listing what goes);
 * 5. delete one at a time in the catalogue's destroy order, polling each long-running delete with progress lines
 *    on stderr, continuing past failures; exit 1 when any delete failed, with every outcome listed.
 */
import { destroyOrder, type Component } from '@cvat-cloud/catalogue';
import type { Runtime } from '../../context/runtime';
import {
  armFailure,
  armReason,
  armStatus,
  assertCanConfirm,
  authError,
  CliError,
  confirmAction,
  EXIT,
  formatCommand,
  isNotFound,
  isUnreachable,
} from '@cvat-cloud/runtime';
import type { CommandResult } from '../../output';
import { getContainerApp, getJob, mapLimit } from '../../azure/live-state';
import { resolveAcaTarget, targetArgs, type AcaTarget } from '../../azure/target';
import { messages } from './messages';
import { acaCatalogueComponents, inDestroyOrder, resolveComponents } from './names';
import type { AppsDeleteOptions, AppsDeps } from './options';

/** What happened (or would happen) to one app. */
export type DeleteOutcome = 'planned' | 'deleted' | 'not-found' | 'failed';

/** One line of the delete report. */
export interface DeleteResult {
  name: string;
  resource: 'containerApp' | 'job';
  outcome: DeleteOutcome;
  /** Why it failed (ARM status, code and message). */
  reason?: string;
  /** Wall time of the delete, in seconds. */
  seconds?: number;
}

/** What `apps delete --json` prints. */
export interface AppsDeleteData {
  resourceGroup: string;
  dryRun: boolean;
  results: DeleteResult[];
  /** With --all: components disabled in this environment and not deployed (nothing to delete, not in `results`). */
  notDeployed: string[];
  summary: { deleted: number; notFound: number; failed: number; planned: number };
}

interface PlannedItem {
  name: string;
  resource: 'containerApp' | 'job';
  exists: boolean;
  note?: string;
}

async function planItem(target: AcaTarget, name: string, resource: 'containerApp' | 'job'): Promise<PlannedItem> {
  try {
    const found =
      resource === 'job'
        ? await getJob(target.client, target.resourceGroup, name)
        : await getContainerApp(target.client, target.resourceGroup, name);
    return { name, resource, exists: found !== undefined };
  } catch (error) {
    const auth = authError(error, `reading ${name}`);
    if (auth) throw auth;
    // ARM not reachable at all (after the SDK's retries): stop before any delete instead of retrying each one
    if (armStatus(error) === undefined && isUnreachable(error)) {
      const next = 'Nothing was deleted; check the network and CVAT_OPS_ARM_ENDPOINT, then retry.';
      throw armFailure(error, `reading ${name} in '${target.resourceGroup}'`, next);
    }
    return { name, resource, exists: true, note: messages.getFailed(name, armReason(error)) };
  }
}

async function deleteOne(
  target: AcaTarget,
  item: PlannedItem,
  runtime: Runtime,
  pollIntervalMs: number,
  now: () => number,
): Promise<DeleteResult> {
  const started = now();
  const seconds = (): number => Math.round((now() - started) / 1000);
  runtime.stderr.write(`${messages.deleting(item.name, item.resource)}\n`);
  try {
    const options = { updateIntervalInMs: pollIntervalMs };
    const poller =
      item.resource === 'job'
        ? await target.client.jobs.beginDelete(target.resourceGroup, item.name, options)
        : await target.client.containerApps.beginDelete(target.resourceGroup, item.name, options);
    // beginDelete has already polled once; report that, then every further poll.
    const progress = (): void => {
      if (!poller.isDone()) runtime.stderr.write(`${messages.stillDeleting(item.name, seconds())}\n`);
    };
    progress();
    poller.onProgress(progress);
    await poller.pollUntilDone();
    runtime.stderr.write(`${messages.deleted(item.name, seconds())}\n`);
    return { name: item.name, resource: item.resource, outcome: 'deleted', seconds: seconds() };
  } catch (error) {
    const auth = authError(error, `deleting ${item.name}`);
    if (isNotFound(error)) {
      runtime.stderr.write(`${messages.alreadyGone(item.name)}\n`);
      return { name: item.name, resource: item.resource, outcome: 'not-found', seconds: seconds() };
    }
    const reason = auth ? auth.message : armReason(error);
    runtime.stderr.write(`${messages.deleteFailed(item.name, reason)}\n`);
    return { name: item.name, resource: item.resource, outcome: 'failed', reason, seconds: seconds() };
  }
}

/** Runs `cvat-ops apps delete`. */
export async function appsDelete(
  options: AppsDeleteOptions,
  runtime: Runtime,
  deps: AppsDeps = {},
): Promise<CommandResult<AppsDeleteData>> {
  const names = options.names ?? [];
  if (names.length === 0 && !options.all) throw new CliError(EXIT.USAGE, messages.deleteNeedsNames);
  if (names.length > 0 && options.all) throw new CliError(EXIT.USAGE, messages.deleteNamesAndAll);

  let selected: Component[] = [];
  // names are catalogue names once checked; the target flags are user input, quoted by formatCommand
  const rerun = formatCommand(['cvat-ops', 'apps', 'delete', ...(options.all ? ['--all'] : names), ...targetArgs(options)]);
  const target = await resolveAcaTarget(
    options,
    runtime,
    'cvat-ops apps delete',
    deps,
    (catalogue) => {
      selected = options.all ? acaCatalogueComponents(catalogue) : resolveComponents(catalogue, names, 'cvat-ops apps delete');
    },
    () => {
      if (options.dryRun) return;
      const what = options.all ? 'every catalogue container app and job' : `${selected.length} container app(s)/job(s)`;
      assertCanConfirm({ action: `delete ${what}`, yes: options.yes, rerun: `${rerun} --yes`, terminal: runtime });
    },
  );
  const ordered = inDestroyOrder(selected, destroyOrder(target.catalogue));
  // Read-only GETs to plan, a few at a time; the deletes themselves run one by one in order.
  const read = await mapLimit(ordered, 4, (c) => planItem(target, c.name, c.role === 'job' ? 'job' : 'containerApp'));
  // --all covers disabled components too, so a leftover one is deleted; one that is simply not deployed is not
  // "already gone" (it never existed here) and is left out of the report, named once in a note.
  const disabled = new Set(target.catalogue.components.filter((c) => !c.enabled).map((c) => c.name));
  const notDeployed = options.all ? read.filter((p) => !p.exists && disabled.has(p.name)).map((p) => p.name) : [];
  const plan = read.filter((p) => !notDeployed.includes(p.name));

  const toDelete = plan.filter((p) => p.exists);
  const gone: DeleteResult[] = plan.filter((p) => !p.exists).map((p) => ({ name: p.name, resource: p.resource, outcome: 'not-found' }));
  const notes = plan.flatMap((p) => (p.note ? [p.note] : []));
  if (notDeployed.length > 0) notes.push(messages.disabledNotDeployed(notDeployed));

  let results: DeleteResult[];
  if (options.dryRun || toDelete.length === 0) {
    results = plan.map((p) =>
      p.exists ? { name: p.name, resource: p.resource, outcome: 'planned' } : { name: p.name, resource: p.resource, outcome: 'not-found' },
    );
  } else {
    await confirmAction({
      action: messages.deleteAction(toDelete.length, target.resourceGroup),
      items: toDelete.map((p, i) => messages.deleteItem(i + 1, p.name, p.resource)),
      yes: options.yes,
      rerun: `${rerun} --yes`,
      terminal: runtime,
    });
    const now = deps.now ?? Date.now;
    const done = new Map<string, DeleteResult>();
    for (const item of toDelete) done.set(item.name, await deleteOne(target, item, runtime, deps.pollIntervalMs ?? 5000, now));
    results = plan.map((p) => done.get(p.name) ?? gone.find((g) => g.name === p.name)!);
  }

  const count = (o: DeleteOutcome): number => results.filter((r) => r.outcome === o).length;
  const summary = { deleted: count('deleted'), notFound: count('not-found'), failed: count('failed'), planned: count('planned') };
  const failed = results.filter((r) => r.outcome === 'failed').map((r) => r.name);
  const lines = [...target.notes, ...notes];
  if (toDelete.length === 0) lines.push(messages.nothingToDelete(target.resourceGroup));
  else if (options.dryRun) lines.push(messages.planDry(rerun));
  else lines.push(messages.deleteSummary(summary.deleted, summary.notFound, summary.failed));
  if (failed.length > 0) lines.push(messages.deletePartial(failed, `${rerun} --yes`));

  return {
    data: { resourceGroup: target.resourceGroup, dryRun: options.dryRun, results, notDeployed, summary },
    view: [
      {
        kind: 'table',
        title: messages.planTitle(target.resourceGroup, options.dryRun || toDelete.length === 0),
        columns: [
          { key: 'step', header: '#', align: 'right' },
          { key: 'name', header: 'APP' },
          { key: 'kind', header: 'KIND' },
          { key: 'outcome', header: 'OUTCOME' },
          { key: 'reason', header: 'REASON' },
        ],
        rows: results.map((r, i) => ({
          step: i + 1,
          name: r.name,
          kind: messages.kind(r.resource),
          outcome: r.outcome === 'not-found' ? 'not found (already gone)' : r.outcome === 'planned' ? 'will be deleted' : r.outcome,
          reason: r.reason ?? '',
        })),
      },
      { kind: 'lines', lines },
    ],
    exitCode: failed.length > 0 ? EXIT.FAILED : EXIT.OK,
  };
}

/**
 * `cvat-ops apps restart NAME`: restarts the active revision(s) of one container app
 * (`POST …/revisions/{rev}/restart`). The replicas restart with the same revision, i.e. the same template; app-level
 * configuration such as secrets is re-read (https://learn.microsoft.com/azure/container-apps/manage-secrets: containers see secret changes only after a
 * restart or a new revision).
 */
import type { Runtime } from '../../context/runtime';
import { armFailure, armReason, assertCanConfirm, CliError, confirmAction, EXIT, formatCommand } from '@cvat-cloud/runtime';
import type { CommandResult } from '../../output';
import { activeRevisions, getContainerApp } from '../../azure/live-state';
import { resolveAcaTarget, targetArgs } from '../../azure/target';
import { messages } from './messages';
import { resolveComponents } from './names';
import type { AppsDeps, AppsRestartOptions } from './options';

/** What `apps restart --json` prints. */
export interface AppsRestartData {
  name: string;
  resourceGroup: string;
  dryRun: boolean;
  revisions: { revision: string; outcome: 'planned' | 'restarted' | 'failed'; reason?: string }[];
}

/** Runs `cvat-ops apps restart`. */
export async function appsRestart(
  options: AppsRestartOptions,
  runtime: Runtime,
  deps: AppsDeps = {},
): Promise<CommandResult<AppsRestartData>> {
  const rerun = formatCommand(['cvat-ops', 'apps', 'restart', options.name, ...targetArgs(options), '--yes']);
  const target = await resolveAcaTarget(
    options,
    runtime,
    'cvat-ops apps restart',
    deps,
    (catalogue) => {
      const [component] = resolveComponents(catalogue, [options.name], 'cvat-ops apps restart');
      if (component!.role === 'job') throw new CliError(EXIT.USAGE, messages.restartIsJob(options.name));
    },
    // no terminal and no --yes: refuse before any request (the SDK would retry an unreachable ARM first)
    () => {
      if (!options.dryRun) assertCanConfirm({ action: `restart ${options.name}`, yes: options.yes, rerun, terminal: runtime });
    },
  );

  let revisions: string[];
  try {
    const app = await getContainerApp(target.client, target.resourceGroup, options.name);
    if (!app) throw new CliError(EXIT.NOT_FOUND, messages.appMissing(options.name, target.resourceGroup, target.flags));
    revisions = (await activeRevisions(target.client, target.resourceGroup, options.name)).map((r) => r.name ?? '').filter(Boolean);
  } catch (error) {
    throw armFailure(
      error,
      `reading ${options.name} in '${target.resourceGroup}'`,
      `Retry: ${formatCommand(['cvat-ops', 'apps', 'restart', options.name, ...targetArgs(options)])}`,
    );
  }
  if (revisions.length === 0) throw new CliError(EXIT.FAILED, messages.noActiveRevision(options.name, target.flags));

  const results: AppsRestartData['revisions'] = [];
  if (options.dryRun) {
    for (const revision of revisions) results.push({ revision, outcome: 'planned' });
  } else {
    await confirmAction({
      action: messages.restartAction(options.name, revisions),
      yes: options.yes,
      rerun,
      terminal: runtime,
    });
    for (const revision of revisions) {
      try {
        await target.client.containerAppsRevisions.restartRevision(target.resourceGroup, options.name, revision);
        results.push({ revision, outcome: 'restarted' });
      } catch (error) {
        results.push({ revision, outcome: 'failed', reason: armReason(error) });
      }
    }
  }
  const failed = results.filter((r) => r.outcome === 'failed');
  return {
    data: { name: options.name, resourceGroup: target.resourceGroup, dryRun: options.dryRun, revisions: results },
    view: [
      {
        kind: 'table',
        title: messages.restartTitle(options.name, options.dryRun),
        columns: [
          { key: 'revision', header: 'REVISION' },
          { key: 'outcome', header: 'OUTCOME' },
          { key: 'reason', header: 'REASON' },
        ],
        rows: results.map((r) => ({
          revision: r.revision,
          outcome: r.outcome === 'planned' ? 'will be restarted' : r.outcome,
          reason: r.reason ?? '',
        })),
      },
      {
        kind: 'lines',
        lines: [
          ...target.notes,
          ...failed.map((f) => messages.restartFailed(options.name, f.revision, f.reason ?? '')),
          ...(options.dryRun
            ? [messages.restartDry(options.name, target.flags)]
            : failed.length
              ? []
              : [messages.restartDone(options.name, target.flags)]),
        ],
      },
    ],
    exitCode: failed.length ? EXIT.FAILED : EXIT.OK,
  };
}

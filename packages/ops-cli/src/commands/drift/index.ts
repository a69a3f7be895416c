/**
 * `cvat-ops drift`: field-by-field difference between the live container apps / jobs and the catalogue +
 * environment config, including apps that exist live but not in the catalogue and catalogue apps missing live.
 * Exit code 1 when anything differs.
 */
import type { GlobalOptions, OutputFileOptions } from '../../context/global-options';
import type { Runtime } from '../../context/runtime';
import { EXIT } from '@cvat-cloud/runtime';
import { formatValue, type Block, type CommandResult } from '../../output';
import { listLiveResources } from '../../azure/live-state';
import { resolveAcaTarget, targetData, targetLabel, type AcaDeps, type TargetData } from '../../azure/target';
import { diffApps, type DriftReport } from './diff';
import { expectedApps } from './expected';
import { liveAppSpec, liveJobSpec } from './spec';
import { messages } from './messages';

export { diffApps, diffAppSpec } from './diff';
export type { AppDrift, DriftReport, FieldDrift } from './diff';
export { expectedApps, toDriftSpec } from './expected';
export { liveAppSpec, liveJobSpec } from './spec';

/** Options of {@link drift}. */
export interface DriftOptions extends GlobalOptions, OutputFileOptions {}

/** What `drift --json` prints. */
export interface DriftData extends DriftReport, TargetData {
  drifted: boolean;
  notes: string[];
}

/** Runs `cvat-ops drift`. */
export async function drift(options: DriftOptions, runtime: Runtime, deps: AcaDeps = {}): Promise<CommandResult<DriftData>> {
  const target = await resolveAcaTarget(options, runtime, messages.what, deps);
  const { apps, jobs } = await listLiveResources(target, messages.what);
  const live = [...apps.map(liveAppSpec), ...jobs.map(liveJobSpec)];
  const expected = expectedApps(target.catalogue, target.config);
  const disabled = target.catalogue.components.filter((c) => !c.enabled).map((c) => c.name);
  const report = diffApps(expected, live, { disabled });
  const drifted = report.apps.some((a) => a.state !== 'in-sync');
  const notes = [...target.notes];
  if (expected.some((e) => Object.values(e.env).some((v) => v.kind === 'platform'))) notes.push(messages.platformNote);

  const view: Block[] = [
    {
      kind: 'table',
      title: `Drift in resource group ${targetLabel(target)}`,
      columns: [
        { key: 'name', header: 'APP' },
        { key: 'resource', header: 'KIND' },
        { key: 'state', header: 'STATE' },
        { key: 'fields', header: 'FIELDS', align: 'right' },
      ],
      rows: report.apps.map((a) => ({
        name: a.name,
        resource: a.resource,
        state: a.note ? `${a.state} (${a.note})` : a.state,
        fields: a.fields.length,
      })),
    },
  ];
  for (const app of report.apps.filter((a) => a.fields.length > 0)) {
    view.push({
      kind: 'table',
      title: `${app.name}:`,
      columns: [
        { key: 'field', header: 'FIELD' },
        { key: 'kind', header: 'DIFF' },
        { key: 'expected', header: 'CATALOGUE' },
        { key: 'actual', header: 'LIVE' },
      ],
      rows: app.fields.map((f) => ({ field: f.field, kind: f.kind, expected: formatValue(f.expected), actual: formatValue(f.actual) })),
    });
  }
  const unmanaged = report.apps.filter((a) => a.unmanaged);
  if (unmanaged.length > 0) {
    view.push({
      kind: 'table',
      title: messages.unmanagedTitle,
      columns: [
        { key: 'name', header: 'APP' },
        { key: 'field', header: 'SETTING' },
        { key: 'actual', header: 'LIVE' },
      ],
      rows: unmanaged.flatMap((a) =>
        Object.entries(a.unmanaged ?? {}).map(([field, actual]) => ({ name: a.name, field, actual: formatValue(actual) })),
      ),
    });
  }
  const lines = [...notes, drifted ? messages.summary(report.summary) : messages.inSync(report.summary['in-sync'])];
  if (drifted) lines.push(messages.fix(target.flags));
  if (report.summary['not-in-catalogue'] > 0) lines.push(messages.extraLive(target.resourceGroup));
  view.push({ kind: 'lines', lines });

  return {
    data: {
      ...targetData(target),
      drifted,
      ...report,
      notes,
    },
    view,
    exitCode: drifted ? EXIT.FAILED : EXIT.OK,
  };
}

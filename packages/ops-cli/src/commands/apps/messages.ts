/** User-facing text of `cvat-ops apps …`. */
import { printable } from '@cvat-cloud/runtime';
import { clause } from '../../output/tidy';

const kindLabel = (resource: 'containerApp' | 'job'): string => (resource === 'job' ? 'job' : 'container app');

export const messages = {
  unknownComponents: (command: string, unknown: string[], valid: string[], edge?: string) =>
    `Unknown component${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${printable(n, 60)}'`).join(', ')} for '${command}'. ` +
    (edge ? `'${edge}' is the edge VM, managed by 'npx nx run infra:deploy'. ` : '') +
    `Valid names: ${valid.join(', ')}.`,
  deleteNeedsNames:
    "'cvat-ops apps delete' needs component names or --all, e.g. 'cvat-ops apps delete cvat-ui --env dev' or 'cvat-ops apps delete --all --env dev'.",
  deleteNamesAndAll: "'cvat-ops apps delete' takes component names or --all, not both.",
  kind: kindLabel,
  planTitle: (rg: string, dryRun: boolean) =>
    `${dryRun ? 'Plan (dry run, nothing changed)' : 'Deleted'} in resource group ${rg}, in dependency order:`,
  deleteAction: (n: number, rg: string) => `delete ${n} container app(s)/job(s) in resource group ${rg}`,
  deleteItem: (i: number, name: string, resource: 'containerApp' | 'job') => `${i}. ${name} (${kindLabel(resource)})`,
  nothingToDelete: (rg: string) => `Nothing to delete: none of the selected components exists in resource group ${rg}.`,
  deleting: (name: string, resource: 'containerApp' | 'job') => `deleting ${name} (${kindLabel(resource)})…`,
  stillDeleting: (name: string, seconds: number) => `  ${name}: still deleting (${seconds} s)`,
  deleted: (name: string, seconds: number) => `  ${name}: deleted (${seconds} s)`,
  disabledNotDeployed: (names: readonly string[]) =>
    `Disabled in this environment and not deployed, nothing to delete: ${names.join(', ')}.`,
  alreadyGone: (name: string) => `  ${name}: not found (already gone)`,
  deleteFailed: (name: string, reason: string) => `  ${name}: FAILED: ${clause(reason)}`,
  deleteSummary: (deleted: number, gone: number, failed: number) =>
    `${deleted} deleted, ${gone} not found (already gone), ${failed} failed.`,
  deletePartial: (failed: string[], rerun: string) =>
    `Not deleted: ${failed.join(', ')}. Fix the reason shown, then re-run: ${rerun} (already deleted apps are reported as not found).`,
  planDry: (rerun: string) => `Run without --dry-run to delete: ${rerun}`,
  getFailed: (name: string, reason: string) => `could not read ${name} before deleting (${clause(reason)}); will try to delete it anyway`,

  restartIsJob: (name: string) =>
    `'${name}' is a Container Apps job: jobs have no revisions to restart. Start a new execution with 'az containerapp job start --name ${name}'.`,
  appMissing: (name: string, rg: string, flags: string) =>
    `Container app '${name}' does not exist in resource group ${rg}. Deploy it with 'npx nx run infra:deploy -- ${flags}'.`,
  noActiveRevision: (name: string, flags: string) =>
    `Container app '${name}' has no active revision to restart. Check 'cvat-ops status ${flags}'; recreate it with 'cvat-ops apps recreate ${name} ${flags}'.`,
  restartAction: (name: string, revisions: string[]) =>
    `restart ${name} (revision${revisions.length > 1 ? 's' : ''} ${revisions.join(', ')})`,
  restartTitle: (name: string, dryRun: boolean) => `${dryRun ? 'Plan (dry run, nothing changed)' : 'Restarted'}: ${name}`,
  restartFailed: (name: string, revision: string, reason: string) => `restart of ${name} revision ${revision} failed: ${clause(reason)}`,
  restartDry: (name: string, flags: string) => `Run without --dry-run to restart: cvat-ops apps restart ${name} ${flags}`,
  restartDone: (name: string, flags: string) =>
    `Replicas restart in place (same revision); follow with 'cvat-ops status ${flags}' or 'cvat-ops logs ${name} --follow ${flags}'.`,

  recreateNeedsEnv: "'cvat-ops apps recreate' runs the infra deploy for one environment: pass --env <name>.",
  recreateAction: (name: string, address: string) => `destroy and recreate ${name} (Terraform address ${address}) through the infra deploy`,
  recreateTitle: (dryRun: boolean) => (dryRun ? 'Plan (dry run, nothing run):' : 'Ran:'),
  recreateAddressNote: (source: string) => `Address ${source}; override with --address '<terraform address>'.`,
  recreateFailed: (code: number | null, command: string) =>
    `The infra deploy exited with ${code ?? 'a signal'}; nothing else was run. Command: ${command}`,
  recreateDone: (name: string, flags: string) => `Recreated ${name}; check it with 'cvat-ops status ${flags}'.`,
} as const;

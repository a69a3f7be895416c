/** User-facing text of `cvat-ops logs`. */
import { clause } from '../../output/tidy';

export const messages = {
  what: 'cvat-ops logs',
  systemSelectors:
    "'--type system' streams the app's system events; '--revision', '--replica' and '--container' apply to '--type console' only.",
  isJob: (name: string) =>
    `'${name}' is a Container Apps job; its logs are in Log Analytics (ContainerAppConsoleLogs_CL where ContainerJobName_s == '${name}').`,
  appMissing: (name: string, rg: string, flags: string) =>
    `Container app '${name}' does not exist in resource group ${rg}; check 'cvat-ops status ${flags}'.`,
  noEventStream: (name: string) =>
    [
      `Container app '${name}' reports no eventStreamEndpoint, so its log stream cannot be opened;`,
      'query Log Analytics instead (ContainerAppConsoleLogs_CL / ContainerAppSystemLogs_CL).',
    ].join(' '),
  noRevision: (name: string) => `Container app '${name}' has no revision yet; nothing to stream. Try '--type system' to see why.`,
  noReplica: (name: string, revision: string) =>
    `Revision ${revision} of ` +
    `'${name}' has no replica running (scaled to zero or failing to start). Try '--type system' for its events, or pick a replica with --replica.`,
  unknownReplica: (replica: string, revision: string, known: string[]) =>
    `'--replica' (${replica}) is not a replica of revision ${revision}; replicas: ${known.length ? known.join(', ') : '(none)'}.`,
  unknownContainer: (container: string, replica: string, known: string[], fromFlag = true) =>
    `${fromFlag ? `'--container' (${container})` : `The revision template's first container (${container})`} is not a container of ` +
    `replica ${replica}; containers: ${known.join(', ') || '(none)'}.${fromFlag ? '' : ' Pick one with --container.'}`,
  readFailed: (name: string) => `reading container app '${name}'`,
  readNext: (name: string, flags: string) => `Retry: cvat-ops logs ${name} ${flags}`,
  streamRefused: (status: number, body: string) => {
    const hint =
      status === 401 || status === 403
        ? 'The token from getAuthtoken was refused; check your role on the app (Contributor or Container Apps Reader with auth token access).'
        : 'Retry, or query Log Analytics.';
    return `The log stream answered HTTP ${status}${body ? ` (${body})` : ''}. ${hint}`;
  },
  streamFailed: (error: string) => `The log stream failed: ${clause(error)}. Retry, or query Log Analytics (ContainerAppConsoleLogs_CL).`,
  streaming: (what: string) => `streaming ${what}${' '}(Ctrl-C to stop)…`,
} as const;

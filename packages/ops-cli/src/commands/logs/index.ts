/**
 * `cvat-ops logs NAME`: console or system logs of one container app through the ACA log stream, the way
 * `az containerapp logs show` does it:
 *
 * - token: `POST …/containerApps/{app}/getAuthtoken`;
 * - base URL: the app's `eventStreamEndpoint` up to `/subscriptions/`;
 * - console: `{base}/subscriptions/{sub}/resourceGroups/{rg}/containerApps/{app}/revisions/{rev}/replicas/{replica}/containers/{container}/logstream`;
 * - defaults as az sets them (Azure/azure-cli@0edd3c56 src/azure-cli/azure/cli/command_modules/containerapp/_validators.py,
 *   `_set_ssh_defaults` and `_validate_container_exists`): the revision is the app's `latestRevisionName`; the container
 *   is the first container of that revision's template (`GET …/revisions/{rev}` → `properties.template.containers[0]`),
 *   not of the replica, so a sidecar the replica happens to list first is not picked; `--container` matches the
 *   replica's containers ignoring case. Unlike az, when ARM omits `latestRevisionName` (the specification's own
 *   ContainerApps_Get example at 2025-07-01 has only `latestReadyRevisionName`) we fall back to
 *   `latestReadyRevisionName`, then to the active revision with the most traffic; and the replica is the first
 *   running one (az takes the first listed);
 * - system: `{base}/subscriptions/{sub}/resourceGroups/{rg}/containerApps/{app}/eventstream`;
 * - query `follow=true|false&output=text|json&tailLines=N` (system events only come as JSON), header
 *   `Authorization: Bearer <token>`; the answer is one log line per text line.
 *
 * Log lines are written to stdout as they arrive, credentials masked (like `db shell`, the one kind of command output
 * that is a stream); with `--json` they are NDJSON objects `{"line": …}` when following, or collected into `data.lines`.
 */
import type { ContainerApp, Replica } from '@azure/arm-appcontainers';
import type { GlobalOptions } from '../../context/global-options';
import type { Runtime } from '../../context/runtime';
import {
  armFailure,
  CliError,
  describeError,
  EXIT,
  isNotFound,
  redactSecrets,
  rememberedSecrets,
  rememberSecret,
} from '@cvat-cloud/runtime';
import type { CommandResult } from '../../output';
import { activeRevisions, getContainerApp, listReplicas } from '../../azure/live-state';
import { resolveAcaTarget, type AcaDeps, type AcaTarget } from '../../azure/target';
import { resolveComponents } from '../apps/names';
import { messages } from './messages';

/** Log kinds of the ACA log stream. */
export type LogType = 'console' | 'system';

/** Options of {@link logs}. */
export interface LogsOptions extends GlobalOptions {
  /** Container app (component) name. */
  name: string;
  /** Keep streaming new lines until interrupted. @default false */
  follow?: boolean;
  /** Lines of history to start with (0-300, as `az containerapp logs show`). @default 20 */
  tail?: number;
  /** `console` (the container's stdout/stderr) or `system` (ACA events: scheduling, probes, restarts). @default 'console' */
  type?: LogType;
  /** Console only: revision. @default - latestRevisionName, else latestReadyRevisionName, else the active revision with most traffic */
  revision?: string;
  /** Console only: replica name. @default - the revision's first replica */
  replica?: string;
  /** Console only: container name, any case. @default - the first container of the revision's template */
  container?: string;
}

/** Injectable dependencies (tests). */
export interface LogsDeps extends AcaDeps {
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Ends a `--follow` stream (the CLI ends it with Ctrl-C). */
  signal?: AbortSignal;
}

/** What `logs --json` prints. */
export interface LogsData {
  app: string;
  type: LogType;
  revision?: string;
  replica?: string;
  container?: string;
  follow: boolean;
  tailLines: number;
  /** Lines received. */
  lineCount: number;
  /** The lines, when not following with --json. */
  lines?: string[];
}

/** Default `--tail`. */
export const DEFAULT_TAIL_LINES = 20;

/** The stream's escaped characters, unescaped as the az CLI does (quotes, ESC, '+', apostrophe). */
export function unescapeLogLine(line: string): string {
  return line
    .replace(/\\u0022/g, '"')
    .replace(/\\u001B/gi, '\u001B')
    .replace(/\\u002B/gi, '+')
    .replace(/\\u0027/g, "'");
}

/** Builds the log stream URL (pure). */
export function logStreamUrl(
  input: Pick<LogsData, 'app' | 'type' | 'revision' | 'replica' | 'container' | 'follow' | 'tailLines'> & {
    eventStreamEndpoint: string;
    subscriptionId: string;
    resourceGroup: string;
  },
): string {
  const idx = input.eventStreamEndpoint.indexOf('/subscriptions/');
  const base = idx >= 0 ? input.eventStreamEndpoint.slice(0, idx) : input.eventStreamEndpoint.replace(/\/+$/, '');
  const e = encodeURIComponent;
  const appPath = `${base}/subscriptions/${e(input.subscriptionId)}/resourceGroups/${e(input.resourceGroup)}/containerApps/${e(input.app)}`;
  const path =
    input.type === 'system'
      ? `${appPath}/eventstream`
      : `${appPath}/revisions/${e(input.revision ?? '')}/replicas/${e(input.replica ?? '')}/containers/${e(input.container ?? '')}/logstream`;
  const query = new URLSearchParams({
    follow: String(input.follow),
    output: input.type === 'system' ? 'json' : 'text',
    tailLines: String(input.tailLines),
  });
  return `${path}?${query.toString()}`;
}

function pickReplica(name: string, revision: string, replicas: Replica[], wanted: string | undefined): Replica {
  if (wanted) {
    const found = replicas.find((r) => r.name === wanted);
    if (!found)
      throw new CliError(
        EXIT.NOT_FOUND,
        messages.unknownReplica(
          wanted,
          revision,
          replicas.map((r) => r.name ?? '?'),
        ),
      );
    return found;
  }
  const running = replicas.find((r) => r.runningState === 'Running') ?? replicas[0];
  if (!running) throw new CliError(EXIT.NOT_FOUND, messages.noReplica(name, revision));
  return running;
}

/**
 * The revision to stream: the one asked for, else `latestRevisionName`, else `latestReadyRevisionName`, else the
 * active revision with the highest traffic weight (newest first on a tie). `undefined` when there is none.
 */
export async function defaultRevision(target: Pick<AcaTarget, 'client' | 'resourceGroup'>, app: ContainerApp): Promise<string | undefined> {
  if (app.latestRevisionName) return app.latestRevisionName;
  if (app.latestReadyRevisionName) return app.latestReadyRevisionName;
  const active = await activeRevisions(target.client, target.resourceGroup, app.name ?? '');
  const created = (r: { createdTime?: Date }): number => (r.createdTime ? new Date(r.createdTime).getTime() : 0);
  active.sort((a, b) => (b.trafficWeight ?? 0) - (a.trafficWeight ?? 0) || created(b) - created(a));
  return active[0]?.name;
}

/** First container of the revision's template (az's default), else of the app's template; `undefined` when neither says. */
async function templateContainer(
  target: Pick<AcaTarget, 'client' | 'resourceGroup'>,
  app: ContainerApp,
  name: string,
  revision: string,
): Promise<string | undefined> {
  try {
    const found = await target.client.containerAppsRevisions.getRevision(target.resourceGroup, name, revision);
    const first = found.template?.containers?.[0]?.name;
    if (first) return first;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  return app.template?.containers?.[0]?.name;
}

/** Runs `cvat-ops logs`. */
export async function logs(options: LogsOptions, runtime: Runtime, deps: LogsDeps = {}): Promise<CommandResult<LogsData>> {
  const type = options.type ?? 'console';
  const tailLines = options.tail ?? DEFAULT_TAIL_LINES;
  const follow = options.follow ?? false;
  if (!Number.isInteger(tailLines) || tailLines < 0 || tailLines > 300) {
    throw new CliError(EXIT.USAGE, `'--tail' (${tailLines}) must be an integer between 0 and 300.`);
  }
  if (type === 'system' && (options.revision || options.replica || options.container))
    throw new CliError(EXIT.USAGE, messages.systemSelectors);

  const target = await resolveAcaTarget(options, runtime, messages.what, deps, (catalogue) => {
    const [component] = resolveComponents(catalogue, [options.name], 'cvat-ops logs');
    if (component!.role === 'job') throw new CliError(EXIT.USAGE, messages.isJob(options.name));
  });

  let url: string;
  let token: string;
  const selected: Pick<LogsData, 'revision' | 'replica' | 'container'> = {};
  try {
    const app = await getContainerApp(target.client, target.resourceGroup, options.name);
    if (!app) throw new CliError(EXIT.NOT_FOUND, messages.appMissing(options.name, target.resourceGroup, target.flags));
    if (!app.eventStreamEndpoint) throw new CliError(EXIT.FAILED, messages.noEventStream(options.name));
    if (type === 'console') {
      const revision = options.revision ?? (await defaultRevision(target, app));
      if (!revision) throw new CliError(EXIT.NOT_FOUND, messages.noRevision(options.name));
      const replica = pickReplica(
        options.name,
        revision,
        await listReplicas(target.client, target.resourceGroup, options.name, revision),
        options.replica,
      );
      const containers = (replica.containers ?? []).map((c) => c.name ?? '').filter(Boolean);
      const wanted = options.container ?? (await templateContainer(target, app, options.name, revision)) ?? containers[0] ?? options.name;
      // az compares container names ignoring case; the stream URL then carries the replica's own spelling
      const match = containers.find((c) => c.toLowerCase() === wanted.toLowerCase());
      if (containers.length > 0 && !match) {
        throw new CliError(
          EXIT.NOT_FOUND,
          messages.unknownContainer(wanted, replica.name ?? '?', containers, options.container !== undefined),
        );
      }
      Object.assign(selected, { revision, replica: replica.name ?? '', container: match ?? wanted });
    }
    token = (await target.client.containerApps.getAuthToken(target.resourceGroup, options.name)).token ?? '';
    rememberSecret(token);
    url = logStreamUrl({
      eventStreamEndpoint: app.eventStreamEndpoint,
      subscriptionId: target.subscriptionId,
      resourceGroup: target.resourceGroup,
      app: options.name,
      type,
      ...selected,
      follow,
      tailLines,
    });
  } catch (error) {
    throw armFailure(error, messages.readFailed(options.name), messages.readNext(options.name, target.flags));
  }

  const collect = options.json && !follow;
  const lines: string[] = [];
  let lineCount = 0;
  const emit = (raw: string): void => {
    // Container output can carry credentials (a connection URL in a traceback, a signed URL); lines are masked like every
    // other output of cvat-ops (URL user info, secret-named parameters, secrets this process has seen) before printing.
    const line = redactSecrets(unescapeLogLine(raw.replace(/\r$/, '')), rememberedSecrets());
    if (!line) return;
    lineCount += 1;
    if (collect) lines.push(line);
    else runtime.stdout.write(options.json ? `${JSON.stringify({ line })}\n` : `${line}\n`);
  };
  if (follow && !options.json) {
    const what =
      type === 'system'
        ? `system events of ${options.name}`
        : `${options.name} ${selected.revision}/${selected.replica}/${selected.container}`;
    runtime.stderr.write(`${messages.streaming(what)}\n`);
  }

  const fetchFn = deps.fetch ?? fetch;
  try {
    const response = await fetchFn(url, { headers: { Authorization: `Bearer ${token}` }, ...(deps.signal ? { signal: deps.signal } : {}) });
    if (!response.ok) {
      const body = (await response.text().catch(() => '')).trim().slice(0, 200);
      throw new CliError(EXIT.FAILED, messages.streamRefused(response.status, body));
    }
    if (response.body) {
      const decoder = new TextDecoder();
      let pending = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        pending += decoder.decode(chunk, { stream: true });
        for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
          emit(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
      }
      pending += decoder.decode();
      if (pending) emit(pending);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    // Ctrl-C (or the injected signal) ends a follow stream: that is the normal end, not a failure.
    if (!deps.signal?.aborted) throw new CliError(EXIT.FAILED, messages.streamFailed(describeError(error)), { cause: error });
  }

  return {
    data: { app: options.name, type, ...selected, follow, tailLines, lineCount, ...(collect ? { lines } : {}) },
    view: [],
  };
}

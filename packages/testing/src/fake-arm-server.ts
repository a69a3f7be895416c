/**
 * Test double: a loopback HTTP server answering the documented Azure Resource Manager REST shapes of
 * `Microsoft.App` (container apps, revisions, replicas, jobs, job executions, getAuthtoken, long-running delete)
 * plus the ACA log stream endpoints. It lives in test code only and never talks to the internet.
 *
 * State is plain ARM JSON (`{ id, name, type, location, properties: {...} }`), so the SDK's deserialisers run on
 * exactly what Azure sends. Every request is recorded (`requests`) so tests can assert what was, or was not, sent.
 *
 * Job starts (`POST …/jobs/{job}/start`, what deploy's init job sends): {@link FakeArmServer.scriptJob} gives a job the
 * status sequence its executions report on successive GETs, 200 or 202 + Location (a long-running start), or an ARM
 * error; the request body is recorded.
 *
 * PostgreSQL flexible servers (`Microsoft.DBforPostgreSQL/flexibleServers`, api-version 2025-08-01 of
 * @azure/arm-postgresql-flexible 9.0.0): GET a server (the ServersGet example's shape), PUT a point-in-time restore and
 * PUT/GET/DELETE on-demand backups as long-running operations answered 202 with `Azure-AsyncOperation` and `Location`
 * (the ServersCreatePointInTimeRestore and BackupsAutomaticAndOnDemandCreate examples), polled `pgPolls` times;
 * `failPgServerCreate` makes a restore's operation end `Failed`.
 *
 * Azure Monitor metrics of a container app (`GET …/containerApps/{app}/providers/Microsoft.Insights/metrics`, api-version
 * 2018-01-01, what @azure/arm-monitor 7.0.0's MonitorClient.metrics.list sends): answered from the samples given
 * with {@link FakeArmServer.addMetricSamples} by `answerMetricsQuery` (./fake-azure-monitor.ts, which documents the
 * shape and what it models); {@link FakeArmServer.failMetrics} makes an app's metrics answer an error.
 *
 * Failure injection:
 * - `failDelete(name, { status, code, message })`: the DELETE itself answers with that ARM error;
 * - `failDelete(name, { asyncFailure: message })`: the DELETE is accepted (202) but the operation ends `Failed`;
 * - `throttle(match, { times, retryAfterSeconds })`: the next `times` matching requests get 429 + Retry-After.
 *
 * @see https://learn.microsoft.com/rest/api/resource-manager/containerapps/container-apps (api-version 2025-07-01)
 * @see https://learn.microsoft.com/azure/azure-resource-manager/management/async-operations (long-running delete)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { armExample } from './arm-examples';
import { answerMetricsQuery, type FakeMetricSample, type FakeMetricsError } from './fake-azure-monitor';

/** ARM JSON of one resource (the SDK flattens `properties` into the model). */
export interface ArmResource {
  id?: string;
  name: string;
  type?: string;
  location?: string;
  /** Managed identity (top level, beside `properties`). */
  identity?: Record<string, unknown>;
  properties: Record<string, unknown>;
}

/** One request the fake received. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, as sent. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** `Date.now()` when it arrived. */
  at: number;
  /** The JSON body, when the request had one (a string when it was not JSON). */
  body?: unknown;
}

/** How `POST …/jobs/{job}/start` and the executions it creates behave. */
export interface JobStartScript {
  /** Status sequence returned by successive GETs of an execution; the last one repeats (e.g. `['Running', 'Succeeded']`). */
  readonly statuses: readonly string[];
  /** Status sequences per execution, in start order; executions beyond the list use `statuses`. @default - all use `statuses` */
  readonly executionStatuses?: readonly (readonly string[])[];
  /** Answer the start with 202 + Location (a long-running operation) instead of 200. @default false */
  readonly asyncStart?: boolean;
  /** Fail the start with this ARM error. */
  readonly startError?: { readonly status: number; readonly code: string; readonly message: string };
}

/** An injected ARM error for one app's DELETE. */
export type DeleteFailure = { status: number; code: string; message: string } | { asyncFailure: string };

/** What the log stream endpoints answer for one app. */
export interface FakeLogStream {
  /** Lines served for console logs, keyed `revision/replica/container`. */
  console: Record<string, string[]>;
  /** Lines served for system logs (the app's eventstream). */
  system: string[];
}

export interface FakeArmServerOptions {
  subscriptionId?: string;
  resourceGroup?: string;
  location?: string;
  /** Items per page for list operations (the rest is behind `nextLink`). @default 2 */
  pageSize?: number;
  /** How many polls of a delete operation answer "InProgress" before "Succeeded". @default 1 */
  deletePolls?: number;
  /** Token returned by getAuthtoken and required by the log stream. @default 'fake-logstream-token' */
  logStreamToken?: string;
}

interface Operation {
  id: string;
  kind: 'containerApps' | 'jobs' | 'jobStart';
  name: string;
  pollsLeft: number;
  failure?: string;
  /** What the operation's result URL answers when done (job starts). */
  result?: unknown;
}

interface Throttle {
  match: (req: RecordedRequest) => boolean;
  times: number;
  retryAfterSeconds: number;
}

/** A loopback fake of ARM `Microsoft.App` and the ACA log stream. Start with {@link FakeArmServer.start}. */
export class FakeArmServer {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly pageSize: number;
  /** How many polls of a delete operation answer "InProgress" (may be changed between requests). */
  deletePolls: number;
  readonly logStreamToken: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Container apps by name. */
  readonly apps = new Map<string, ArmResource>();
  /** Revisions by app name. */
  readonly revisions = new Map<string, ArmResource[]>();
  /** Replicas by `app/revision`. */
  readonly replicas = new Map<string, ArmResource[]>();
  /** Container Apps jobs by name. */
  readonly jobs = new Map<string, ArmResource>();
  /** Job executions by job name. */
  readonly executions = new Map<string, ArmResource[]>();
  /** Log stream content by app name. */
  readonly logStreams = new Map<string, FakeLogStream>();
  /** Apps deleted, in the order their delete operation completed. */
  readonly deleted: string[] = [];
  /** Log stream requests that are still open (follow mode), for tests that check the client hung up. */
  openStreams = 0;
  /** PostgreSQL flexible servers by name (ARM JSON as ServersGet documents it). */
  readonly pgServers = new Map<string, ArmResource>();
  /** On-demand / automatic backups by server name. */
  readonly pgBackups = new Map<string, ArmResource[]>();
  /** How many polls of a PostgreSQL operation answer "InProgress" before it ends. @default 1 */
  pgPolls = 1;
  /** Azure Monitor metric samples by app name. */
  readonly metricSamples = new Map<string, FakeMetricSample[]>();
  private readonly metricsFailures = new Map<string, FakeMetricsError>();
  private readonly pgFailures = new Map<string, string>();
  private readonly pgOperations = new Map<string, { pollsLeft: number; failure?: string; done: () => void; startTime: string }>();

  private readonly deleteFailures = new Map<string, DeleteFailure>();
  private readonly operations = new Map<string, Operation>();
  private readonly throttles: Throttle[] = [];
  private readonly jobScripts = new Map<string, JobStartScript>();
  /** Status sequence and poll count of each started execution. */
  private readonly started = new Map<string, { statuses: readonly string[]; polls: number }>();
  private startCount = 0;
  private nextOperation = 1;
  private server!: Server;
  private baseUrl = '';

  private constructor(options: FakeArmServerOptions) {
    this.subscriptionId = options.subscriptionId ?? '00000000-0000-0000-0000-000000000001';
    this.resourceGroup = options.resourceGroup ?? 'rg-cvat-test';
    this.location = options.location ?? 'westeurope';
    this.pageSize = options.pageSize ?? 2;
    this.deletePolls = options.deletePolls ?? 1;
    this.logStreamToken = options.logStreamToken ?? 'fake-logstream-token';
  }

  /** Starts a fake on 127.0.0.1 with a random port. */
  static async start(options: FakeArmServerOptions = {}): Promise<FakeArmServer> {
    const fake = new FakeArmServer(options);
    fake.server = createServer((req, res) => {
      fake.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) fake.json(res, 500, { error: { code: 'FakeServerError', message: String(error) } });
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return this.baseUrl;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** ARM id prefix of the resource group. */
  get groupId(): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}`;
  }

  /**
   * Adds a container app. `properties` are merged over defaults (Succeeded/Running, revision `<name>--r1`,
   * eventStreamEndpoint on this fake). Also creates its active revision with `replicaCount` running replicas
   * unless `revisions` is given explicitly.
   */
  addApp(
    name: string,
    properties: Record<string, unknown> = {},
    options: { replicaCount?: number; containerName?: string; identity?: Record<string, unknown> } = {},
  ): ArmResource {
    const revision = `${name}--r1`;
    const app: ArmResource = {
      id: `${this.groupId}/providers/Microsoft.App/containerApps/${name}`,
      name,
      type: 'Microsoft.App/containerApps',
      location: this.location,
      ...(options.identity ? { identity: options.identity } : {}),
      properties: {
        provisioningState: 'Succeeded',
        runningStatus: 'Running',
        latestRevisionName: revision,
        latestReadyRevisionName: revision,
        environmentId: `${this.groupId}/providers/Microsoft.App/managedEnvironments/cae-test`,
        eventStreamEndpoint: `${this.baseUrl}/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/containerApps/${name}/eventstream`,
        configuration: { activeRevisionsMode: 'Single', secrets: [] },
        template: {
          containers: [{ name: options.containerName ?? name, image: `example/${name}:1`, resources: { cpu: 0.5, memory: '1Gi' } }],
          scale: { minReplicas: 1, maxReplicas: 1 },
        },
        ...properties,
      },
    };
    this.apps.set(name, app);
    if (!this.revisions.has(name)) {
      const count = options.replicaCount ?? 1;
      // a revision reports the template it was created from (ContainerAppsRevisions.json: Revision.properties.template)
      this.addRevision(name, revision, { active: true, replicas: count, trafficWeight: 100, template: app.properties.template });
      this.replicas.set(
        `${name}/${revision}`,
        Array.from({ length: count }, (_, i) => this.replica(name, revision, `${revision}-replica-${i}`, options.containerName ?? name)),
      );
    }
    return app;
  }

  /**
   * Adds a container app exactly as given (an ARM GET body, e.g. a REST API specification example), with its
   * `eventStreamEndpoint` pointed at this fake and its id/resource group at this fake's. No revision or replica is
   * created: add them with {@link addRevision} and {@link replicas}, the way the example's own revisions are named.
   */
  addArmApp(body: ArmResource): ArmResource {
    const name = body.name;
    const app: ArmResource = {
      ...structuredClone(body),
      id: `${this.groupId}/providers/Microsoft.App/containerApps/${name}`,
      properties: {
        ...structuredClone(body.properties),
        eventStreamEndpoint: `${this.baseUrl}/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/containerApps/${name}/eventstream`,
      },
    };
    this.apps.set(name, app);
    if (!this.revisions.has(name)) this.revisions.set(name, []);
    return app;
  }

  /** Adds (or replaces) a revision of an app. */
  addRevision(app: string, revision: string, properties: Record<string, unknown>): ArmResource {
    const list = (this.revisions.get(app) ?? []).filter((r) => r.name !== revision);
    const resource: ArmResource = {
      id: `${this.groupId}/providers/Microsoft.App/containerApps/${app}/revisions/${revision}`,
      name: revision,
      type: 'Microsoft.App/containerApps/revisions',
      properties: {
        createdTime: '2026-01-01T00:00:00Z',
        active: false,
        replicas: 0,
        trafficWeight: 0,
        healthState: 'Healthy',
        provisioningState: 'Provisioned',
        runningState: 'Running',
        ...properties,
      },
    };
    list.push(resource);
    this.revisions.set(app, list);
    return resource;
  }

  /** Builds one replica with one container whose logStreamEndpoint points at this fake. */
  replica(app: string, revision: string, replica: string, container: string, runningState = 'Running'): ArmResource {
    return {
      id: `${this.groupId}/providers/Microsoft.App/containerApps/${app}/revisions/${revision}/replicas/${replica}`,
      name: replica,
      type: 'Microsoft.App/containerApps/revisions/replicas',
      properties: {
        createdTime: '2026-01-01T00:00:00Z',
        runningState,
        containers: [
          {
            name: container,
            containerId: `containerd://${replica}`,
            ready: runningState === 'Running',
            started: true,
            restartCount: 0,
            runningState,
            logStreamEndpoint:
              `${this.baseUrl}/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/containerApps/${app}` +
              `/revisions/${revision}/replicas/${replica}/containers/${container}/logstream`,
          },
        ],
      },
    };
  }

  /** Adds a Container Apps job (e.g. the init job) and its executions (newest last or first: the client sorts). */
  addJob(
    name: string,
    properties: Record<string, unknown> = {},
    executions: { name: string; status: string; startTime: string; endTime?: string }[] = [],
  ): ArmResource {
    const job: ArmResource = {
      id: `${this.groupId}/providers/Microsoft.App/jobs/${name}`,
      name,
      type: 'Microsoft.App/jobs',
      location: this.location,
      properties: {
        provisioningState: 'Succeeded',
        configuration: { triggerType: 'Manual', replicaTimeout: 1800 },
        template: { containers: [{ name, image: `example/${name}:1`, resources: { cpu: 0.5, memory: '1Gi' } }] },
        ...properties,
      },
    };
    this.jobs.set(name, job);
    this.executions.set(
      name,
      executions.map((e) => ({
        id: `${job.id}/executions/${e.name}`,
        name: e.name,
        type: 'Microsoft.App/jobs/executions',
        properties: { status: e.status, startTime: e.startTime, ...(e.endTime ? { endTime: e.endTime } : {}) },
      })),
    );
    return job;
  }

  /** Scripts `POST …/jobs/{name}/start` and the executions it creates (the job must have been added with {@link addJob}). */
  scriptJob(name: string, script: JobStartScript): void {
    this.jobScripts.set(name, script);
  }

  /** Adds Azure Monitor metric samples of container app `app` (one value per metric, minute and dimension set). */
  addMetricSamples(app: string, samples: readonly FakeMetricSample[]): void {
    this.metricSamples.set(app, [...(this.metricSamples.get(app) ?? []), ...samples]);
  }

  /** Every metrics request for `app` answers this error (ARM's shape unless `shape: 'metrics'`). */
  failMetrics(app: string, error: FakeMetricsError): void {
    this.metricsFailures.set(app, error);
  }

  /** Makes the DELETE of `name` fail (synchronously with an ARM error, or asynchronously through the operation). */
  failDelete(name: string, failure: DeleteFailure): void {
    this.deleteFailures.set(name, failure);
  }

  /** The next `times` requests matching `match` answer 429 with `Retry-After: retryAfterSeconds`. */
  throttle(match: (req: RecordedRequest) => boolean, options: { times?: number; retryAfterSeconds?: number } = {}): void {
    this.throttles.push({ match, times: options.times ?? 1, retryAfterSeconds: options.retryAfterSeconds ?? 1 });
  }

  /** Requests with this method whose path (case-insensitive) contains `fragment`. */
  requestsTo(method: string, fragment: string): RecordedRequest[] {
    const f = fragment.toLowerCase();
    return this.requests.filter((r) => r.method === method && r.path.toLowerCase().includes(f));
  }

  /**
   * Adds a PostgreSQL flexible server shaped like the specification's ServersGet example (2025-08-01): state Ready,
   * `backup.earliestRestoreDate` (the start of the point-in-time window) as given.
   */
  addPgServer(name: string, options: { earliestRestoreDate?: string; state?: string; version?: string } = {}): ArmResource {
    // the specification's ServersGet example (2025-08-01), renamed and placed in this fake's resource group
    const example = armExample('2025-08-01', 'ServersGet') as ArmResource & {
      properties: { version: string; backup: Record<string, unknown> } & Record<string, unknown>;
    };
    const server: ArmResource = {
      ...example,
      id: `${this.groupId}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`,
      name,
      location: this.location,
      properties: {
        ...example.properties,
        network: { publicNetworkAccess: 'Disabled' },
        fullyQualifiedDomainName: `${name}.postgres.database.azure.com`,
        version: options.version ?? example.properties.version,
        state: options.state ?? 'Ready',
        backup: {
          ...example.properties.backup,
          earliestRestoreDate: options.earliestRestoreDate ?? new Date(Date.now() - 7 * 86_400_000).toISOString(),
        },
      },
    };
    this.pgServers.set(name, server);
    return server;
  }

  /** The next create of server `name` is accepted (202) and its operation ends Failed with `message`. */
  failPgServerCreate(name: string, message: string): void {
    this.pgFailures.set(name, message);
  }

  // ------------------------------------------------------------------ request handling

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      at: Date.now(),
    };
    this.requests.push(record);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (text) {
      try {
        record.body = JSON.parse(text);
      } catch {
        record.body = text;
      }
    }

    const throttle = this.throttles.find((t) => t.times > 0 && t.match(record));
    if (throttle) {
      throttle.times -= 1;
      res.setHeader('Retry-After', String(throttle.retryAfterSeconds));
      this.json(res, 429, { error: { code: 'TooManyRequests', message: 'The request is being throttled.' } });
      return;
    }

    const path = url.pathname;
    const lower = path.toLowerCase();
    const sub = `/subscriptions/${this.subscriptionId}`.toLowerCase();
    const rg = `${sub}/resourcegroups/${this.resourceGroup}`.toLowerCase();

    // log stream endpoints (not ARM: bearer token from getAuthtoken)
    const stream = new RegExp(
      /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/containerapps\/([^/]+)\//.source +
        /(?:revisions\/([^/]+)\/replicas\/([^/]+)\/containers\/([^/]+)\/logstream|eventstream)$/.source,
      'i',
    ).exec(path);
    if (stream) {
      this.serveLogStream(req, res, url, stream);
      return;
    }

    if (!lower.startsWith(sub)) {
      this.json(res, 404, armError('SubscriptionNotFound', `The subscription '${path.split('/')[2]}' could not be found.`));
      return;
    }

    // long-running operation status / result
    const op =
      /\/providers\/microsoft\.app\/locations\/[^/]+\/(containerappoperationstatuses|containerappoperationresults)\/([^/]+)$/i.exec(path);
    if (op && record.method === 'GET') {
      this.serveOperation(res, op[1]!.toLowerCase(), op[2]!);
      return;
    }

    const pgOp = /\/providers\/microsoft\.dbforpostgresql\/locations\/[^/]+\/(azureasyncoperation|operationresults)\/([^/]+)$/i.exec(path);
    if (pgOp && record.method === 'GET') {
      this.servePgOperation(res, pgOp[1]!.toLowerCase(), pgOp[2]!);
      return;
    }

    if (!lower.startsWith(rg)) {
      this.json(res, 404, armError('ResourceGroupNotFound', `Resource group '${path.split('/')[4]}' could not be found.`));
      return;
    }
    const pg = /^\/providers\/microsoft\.dbforpostgresql\/flexibleservers(?:\/([^/]+))?(?:\/backups(?:\/([^/]+))?)?$/i.exec(
      path.slice(rg.length),
    );
    if (pg) {
      this.servePostgres(req, res, record, pg[1], path.toLowerCase().includes('/backups'), pg[2]);
      return;
    }
    const rest = path.slice(rg.length).replace(/^\/providers\/microsoft\.app/i, '');
    const parts = rest.split('/').filter(Boolean);
    const kind = parts[0]?.toLowerCase();

    if (kind === 'containerapps') {
      this.serveContainerApps(req, res, url, parts.slice(1));
      return;
    }
    if (kind === 'jobs') {
      this.serveJobs(req, res, url, parts.slice(1));
      return;
    }
    this.json(
      res,
      404,
      armError('InvalidResourceType', `The resource type '${parts[0] ?? ''}' could not be found in the namespace 'Microsoft.App'.`),
    );
  }

  private serveContainerApps(req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]): void {
    const method = req.method ?? 'GET';
    if (parts.length === 0 && method === 'GET') {
      this.page(res, url, [...this.apps.values()]);
      return;
    }
    const name = parts[0]!;
    const app = this.apps.get(name);
    const sub = parts.slice(1).map((p) => p.toLowerCase());
    if (sub.length === 0) {
      if (method === 'GET') {
        if (app) this.json(res, 200, app);
        else this.json(res, 404, notFound('containerApps', name, this.resourceGroup));
        return;
      }
      if (method === 'DELETE') {
        this.startDelete(res, 'containerApps', name, Boolean(app));
        return;
      }
    }
    if (!app) {
      this.json(res, 404, notFound('containerApps', name, this.resourceGroup));
      return;
    }
    if (sub.length === 3 && sub[0] === 'providers' && sub[1] === 'microsoft.insights' && sub[2] === 'metrics' && method === 'GET') {
      const failure = this.metricsFailures.get(name);
      if (failure) {
        const body =
          failure.shape === 'metrics' ? { code: failure.code, message: failure.message } : armError(failure.code, failure.message);
        this.json(res, failure.status, body);
        return;
      }
      const answer = answerMetricsQuery(app.id ?? name, Object.fromEntries(url.searchParams), this.metricSamples.get(name) ?? [], {
        region: this.location,
      });
      this.json(res, answer.status, answer.body);
      return;
    }
    if (sub[0] === 'getauthtoken' && method === 'POST') {
      this.json(res, 200, {
        id: `${app.id}/authtoken`,
        name: 'authtoken',
        location: this.location,
        properties: { token: this.logStreamToken, expires: new Date(Date.now() + 3_600_000).toISOString() },
      });
      return;
    }
    if (sub[0] === 'revisions') {
      const revisions = this.revisions.get(name) ?? [];
      if (sub.length === 1 && method === 'GET') {
        this.page(res, url, revisions);
        return;
      }
      const revision = revisions.find((r) => r.name.toLowerCase() === sub[1]);
      if (!revision) {
        this.json(res, 404, notFound('containerApps/revisions', parts[2]!, this.resourceGroup));
        return;
      }
      if (sub.length === 2 && method === 'GET') {
        this.json(res, 200, revision);
        return;
      }
      if (sub.length === 3 && sub[2] === 'restart' && method === 'POST') {
        this.json(res, 200, {});
        return;
      }
      if (sub[2] === 'replicas' && method === 'GET') {
        const replicas = this.replicas.get(`${name}/${revision.name}`) ?? [];
        if (sub.length === 3) {
          this.json(res, 200, { value: replicas });
          return;
        }
        const replica = replicas.find((r) => r.name.toLowerCase() === sub[3]);
        if (replica) this.json(res, 200, replica);
        else this.json(res, 404, notFound('replicas', parts[4]!, this.resourceGroup));
        return;
      }
    }
    this.json(res, 404, armError('NotFound', `No route for ${method} ${url.pathname}`));
  }

  /** PostgreSQL flexible servers and their backups: GET, PUT (long-running, Azure-AsyncOperation), DELETE of a backup. */
  private servePostgres(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    name: string | undefined,
    backups: boolean,
    backupName: string | undefined,
  ): void {
    const method = req.method ?? 'GET';
    const server = name ? this.pgServers.get(name) : undefined;
    const type = 'Microsoft.DBforPostgreSQL/flexibleServers';
    if (!name) {
      this.json(res, 200, { value: [...this.pgServers.values()] });
      return;
    }
    if (!backups) {
      if (method === 'GET') {
        if (server) this.json(res, 200, server);
        else this.json(res, 404, notFoundIn(type, name, this.resourceGroup));
        return;
      }
      if (method === 'PUT') {
        this.createPgServer(res, name, record.body as { location?: string; properties?: Record<string, unknown> } | undefined);
        return;
      }
    }
    if (!server) {
      this.json(res, 404, notFoundIn(type, name, this.resourceGroup));
      return;
    }
    const list = this.pgBackups.get(name) ?? [];
    if (!backupName && method === 'GET') {
      this.json(res, 200, { value: list });
      return;
    }
    if (backupName && method === 'GET') {
      const found = list.find((b) => b.name === backupName);
      if (found) this.json(res, 200, found);
      else this.json(res, 404, notFoundIn(`${type}/backups`, backupName, this.resourceGroup));
      return;
    }
    if (backupName && method === 'PUT') {
      this.startPgOperation(res, undefined, () => {
        const backup: ArmResource = {
          id: `${server.id}/backups/${backupName}`,
          name: backupName,
          type: `${type}/backups`,
          properties: { backupType: 'Customer On-Demand', completedTime: new Date().toISOString(), source: 'Automatic' },
        };
        this.pgBackups.set(name, [...(this.pgBackups.get(name) ?? []).filter((b) => b.name !== backupName), backup]);
      });
      return;
    }
    if (backupName && method === 'DELETE') {
      if (!list.some((b) => b.name === backupName)) {
        res.statusCode = 204;
        res.end();
        return;
      }
      this.startPgOperation(res, undefined, () => {
        this.pgBackups.set(
          name,
          (this.pgBackups.get(name) ?? []).filter((b) => b.name !== backupName),
        );
      });
      return;
    }
    this.json(res, 404, armError('NotFound', `No route for ${method} ${record.path}`));
  }

  /**
   * PUT flexibleServers/{name}: only `createMode: PointInTimeRestore` is modelled (what a restore sends), checked the way
   * ARM documents it (ServersCreatePointInTimeRestore example, 2025-08-01): the source server must exist, the point in
   * time must lie between its earliestRestoreDate and now; 202 with Azure-AsyncOperation and Location.
   */
  private createPgServer(
    res: ServerResponse,
    name: string,
    body: { location?: string; properties?: Record<string, unknown> } | undefined,
  ): void {
    const props = body?.properties ?? {};
    if (this.pgServers.has(name)) {
      this.json(res, 409, armError('ServerAlreadyExists', `Server '${name}' already exists.`));
      return;
    }
    if (props.createMode !== 'PointInTimeRestore') {
      this.json(res, 400, armError('FakeNotModelled', `createMode ${String(props.createMode)} is not modelled by the fake`));
      return;
    }
    const sourceId = String(props.sourceServerResourceId ?? '');
    const source = [...this.pgServers.values()].find((s) => s.id?.toLowerCase() === sourceId.toLowerCase());
    if (!source) {
      this.json(res, 404, armError('ResourceNotFound', `The source server '${sourceId}' was not found.`));
      return;
    }
    const at = Date.parse(String(props.pointInTimeUTC ?? ''));
    const earliest = Date.parse(String((source.properties.backup as { earliestRestoreDate?: string }).earliestRestoreDate));
    if (Number.isNaN(at) || at < earliest || at > Date.now()) {
      this.json(
        res,
        400,
        armError(
          'InvalidPointInTime',
          `The point in time '${String(props.pointInTimeUTC)}' is outside the restore window of the source server.`,
        ),
      );
      return;
    }
    const failure = this.pgFailures.get(name);
    this.pgFailures.delete(name);
    this.startPgOperation(res, failure, () => {
      const restored = this.addPgServer(name, { version: String(source.properties.version) });
      restored.properties = {
        ...restored.properties,
        sourceServerResourceId: sourceId,
        pointInTimeUTC: new Date(at).toISOString(),
      };
    });
  }

  /** Answers 202 with Azure-AsyncOperation + Location; `done` runs when the operation succeeds. */
  private startPgOperation(res: ServerResponse, failure: string | undefined, done: () => void): void {
    const id = `pgop-${this.nextOperation++}`;
    this.pgOperations.set(id, { pollsLeft: this.pgPolls, ...(failure ? { failure } : {}), done, startTime: new Date().toISOString() });
    const base = `${this.baseUrl}/subscriptions/${this.subscriptionId}/providers/Microsoft.DBforPostgreSQL/locations/${this.location}`;
    res.setHeader('Azure-AsyncOperation', `${base}/azureAsyncOperation/${id}?api-version=2025-08-01`);
    res.setHeader('Location', `${base}/operationResults/${id}?api-version=2025-08-01`);
    res.setHeader('Retry-After', '0');
    res.statusCode = 202;
    res.end();
  }

  /** The Azure-AsyncOperation status document (`{ name, status, startTime, error? }`), or the Location result. */
  private servePgOperation(res: ServerResponse, which: string, id: string): void {
    const op = this.pgOperations.get(id);
    if (!op) {
      this.json(res, 404, armError('OperationNotFound', `Operation ${id} was not found.`));
      return;
    }
    if (op.pollsLeft > 0) {
      op.pollsLeft -= 1;
      if (which === 'operationresults') {
        res.setHeader('Retry-After', '0');
        res.statusCode = 202;
        res.end();
        return;
      }
      this.json(res, 200, { name: id, status: 'InProgress', startTime: op.startTime });
      return;
    }
    if (op.failure) {
      this.json(res, 200, {
        name: id,
        status: 'Failed',
        startTime: op.startTime,
        error: { code: 'InternalServerError', message: op.failure },
      });
      return;
    }
    op.done();
    op.done = () => undefined;
    if (which === 'operationresults') {
      res.statusCode = 200;
      res.end();
      return;
    }
    this.json(res, 200, { name: id, status: 'Succeeded', startTime: op.startTime, endTime: new Date().toISOString() });
  }

  private serveJobs(req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]): void {
    const method = req.method ?? 'GET';
    if (parts.length === 0 && method === 'GET') {
      this.page(res, url, [...this.jobs.values()]);
      return;
    }
    const name = parts[0]!;
    const job = this.jobs.get(name);
    if (parts.length === 1) {
      if (method === 'GET') {
        if (job) this.json(res, 200, job);
        else this.json(res, 404, notFound('jobs', name, this.resourceGroup));
        return;
      }
      if (method === 'DELETE') {
        this.startDelete(res, 'jobs', name, Boolean(job));
        return;
      }
    }
    if (!job) {
      this.json(res, 404, notFound('jobs', name, this.resourceGroup));
      return;
    }
    const action = parts[1]?.toLowerCase();
    if (action === 'start' && parts.length === 2 && method === 'POST') {
      this.startJob(res, name, job);
      return;
    }
    if (action === 'executions' && parts.length === 2 && method === 'GET') {
      this.page(res, url, this.executions.get(name) ?? []);
      return;
    }
    if (action === 'executions' && parts.length === 3 && method === 'GET') {
      this.serveExecution(res, name, parts[2]!);
      return;
    }
    this.json(res, 404, armError('NotFound', `No route for ${method} ${url.pathname}`));
  }

  /** POST start: a new execution (listed under the job), answered 200 `{ name, id }` or 202 + Location. */
  private startJob(res: ServerResponse, job: string, resource: ArmResource): void {
    const script = this.jobScripts.get(job);
    if (!script) {
      this.json(res, 400, armError('FakeNotScripted', `call scriptJob('${job}', …) before starting it`));
      return;
    }
    if (script.startError) {
      this.json(res, script.startError.status, armError(script.startError.code, script.startError.message));
      return;
    }
    const nth = (this.executions.get(job) ?? []).filter((e) => this.started.has(e.name)).length;
    const name = `${job}-exec${++this.startCount}`;
    const statuses = script.executionStatuses?.[nth] ?? script.statuses;
    this.started.set(name, { statuses, polls: 0 });
    const id = `${resource.id}/executions/${name}`;
    const execution: ArmResource = {
      id,
      name,
      type: 'Microsoft.App/jobs/executions',
      properties: { status: statuses[0], startTime: new Date().toISOString() },
    };
    this.executions.set(job, [...(this.executions.get(job) ?? []), execution]);
    const result = { name, id };
    if (!script.asyncStart) {
      this.json(res, 200, result);
      return;
    }
    const opId = `op-${this.nextOperation++}`;
    this.operations.set(opId, { id: opId, kind: 'jobStart', name: job, pollsLeft: 0, result });
    const base = `${this.baseUrl}/subscriptions/${this.subscriptionId}/providers/Microsoft.App/locations/${this.location}`;
    res.setHeader('Location', `${base}/containerappOperationResults/${opId}?api-version=2025-07-01`);
    res.setHeader('Retry-After', '0');
    res.statusCode = 202;
    res.end();
  }

  /** GET one execution: the next status of its script (the last one repeats), with an end time once finished. */
  private serveExecution(res: ServerResponse, job: string, name: string): void {
    const listed = (this.executions.get(job) ?? []).find((e) => e.name === name);
    if (!listed) {
      this.json(res, 404, notFound('jobs/executions', name, this.resourceGroup));
      return;
    }
    const run = this.started.get(name);
    if (!run) {
      this.json(res, 200, listed);
      return;
    }
    const status = run.statuses[Math.min(run.polls, run.statuses.length - 1)]!;
    run.polls += 1;
    const done = ['Succeeded', 'Failed', 'Stopped', 'Degraded'].includes(status);
    listed.properties = { ...listed.properties, status, ...(done ? { endTime: new Date().toISOString() } : {}) };
    this.json(res, 200, listed);
  }

  /** DELETE: 204 when already gone, an injected error, or 202 with Location + Azure-AsyncOperation. */
  private startDelete(res: ServerResponse, kind: Operation['kind'], name: string, exists: boolean): void {
    const failure = this.deleteFailures.get(name);
    if (failure && 'status' in failure) {
      this.json(res, failure.status, armError(failure.code, failure.message));
      return;
    }
    if (!exists) {
      res.statusCode = 204;
      res.end();
      return;
    }
    const id = `op-${this.nextOperation++}`;
    this.operations.set(id, {
      id,
      kind,
      name,
      pollsLeft: this.deletePolls,
      ...(failure && 'asyncFailure' in failure ? { failure: failure.asyncFailure } : {}),
    });
    const base = `${this.baseUrl}/subscriptions/${this.subscriptionId}/providers/Microsoft.App/locations/${this.location}`;
    res.setHeader('Location', `${base}/containerappOperationResults/${id}?api-version=2025-07-01`);
    res.setHeader('Azure-AsyncOperation', `${base}/containerappOperationStatuses/${id}?api-version=2025-07-01`);
    res.statusCode = 202;
    res.end();
  }

  private serveOperation(res: ServerResponse, which: string, id: string): void {
    const op = this.operations.get(id);
    if (!op) {
      this.json(res, 404, armError('OperationNotFound', `Operation ${id} was not found.`));
      return;
    }
    if (op.pollsLeft > 0) {
      op.pollsLeft -= 1;
      if (which === 'containerappoperationresults') {
        res.statusCode = 202;
        res.end();
        return;
      }
      this.json(res, 200, { id, name: id, status: 'InProgress' });
      return;
    }
    if (op.failure) {
      this.json(res, 200, { id, name: id, status: 'Failed', error: { code: 'ContainerAppOperationError', message: op.failure } });
      return;
    }
    if (op.kind === 'jobStart') {
      if (which === 'containerappoperationresults') this.json(res, 200, op.result);
      else this.json(res, 200, { id, name: id, status: 'Succeeded' });
      return;
    }
    if (op.kind === 'containerApps' && this.apps.delete(op.name)) {
      this.revisions.delete(op.name);
      this.deleted.push(op.name);
    }
    if (op.kind === 'jobs' && this.jobs.delete(op.name)) this.deleted.push(op.name);
    if (which === 'containerappoperationresults') {
      res.statusCode = 200;
      res.end();
      return;
    }
    this.json(res, 200, { id, name: id, status: 'Succeeded' });
  }

  private serveLogStream(req: IncomingMessage, res: ServerResponse, url: URL, m: RegExpExecArray): void {
    if (req.headers.authorization !== `Bearer ${this.logStreamToken}`) {
      res.statusCode = 401;
      res.end('Unauthorized');
      return;
    }
    const [, app, revision, replica, container] = m;
    const content = this.logStreams.get(app!);
    const lines = revision ? content?.console[`${revision}/${replica}/${container}`] : content?.system;
    if (!lines) {
      res.statusCode = 404;
      res.end(`no log stream for ${url.pathname}`);
      return;
    }
    const tail = Number(url.searchParams.get('tailLines') ?? '20');
    const follow = url.searchParams.get('follow') === 'true';
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    const shown = tail > 0 ? lines.slice(-tail) : [];
    res.write(shown.map((l) => `${l}\n`).join(''));
    if (!follow) {
      res.end();
      return;
    }
    // follow: keep the response open and send a heartbeat line until the client disconnects
    this.openStreams += 1;
    let n = 0;
    const timer = setInterval(() => res.write(`follow line ${++n}\n`), 20);
    res.on('close', () => {
      clearInterval(timer);
      this.openStreams -= 1;
    });
  }

  /** A list response with `pageSize` items and an absolute `nextLink` carrying `$skiptoken`. */
  private page(res: ServerResponse, url: URL, items: ArmResource[]): void {
    const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
    const value = items.slice(skip, skip + this.pageSize);
    const body: Record<string, unknown> = { value };
    if (skip + this.pageSize < items.length) {
      const next = new URL(url.pathname, this.baseUrl);
      next.searchParams.set('api-version', url.searchParams.get('api-version') ?? '2025-07-01');
      next.searchParams.set('$skiptoken', String(skip + this.pageSize));
      body.nextLink = next.toString();
    }
    this.json(res, 200, body);
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('x-ms-request-id', `fake-${this.requests.length}`);
    res.end(JSON.stringify(body));
  }
}

function armError(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

function notFoundIn(type: string, name: string, resourceGroup: string): { error: { code: string; message: string } } {
  return armError('ResourceNotFound', `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found.`);
}

function notFound(type: string, name: string, resourceGroup: string): { error: { code: string; message: string } } {
  return armError(
    'ResourceNotFound',
    `The Resource 'Microsoft.App/${type}/${name}' under resource group '${resourceGroup}' was not found.`,
  );
}

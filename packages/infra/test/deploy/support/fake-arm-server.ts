import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import type { TokenCredential } from '@azure/identity';

/** One request the fake received. */
export interface FakeArmRequest {
  readonly method: string;
  readonly path: string;
  readonly apiVersion: string | null;
  /** Parsed JSON body, when the request had one. */
  readonly body?: unknown;
}

/** How the fake answers for one job. */
export interface FakeJobScript {
  /** Status sequence returned by successive GETs of the execution; the last one repeats. */
  readonly statuses: readonly string[];
  /**
   * Status sequences per execution, in start order (the first start gets the first); executions
   * beyond the list use `statuses`. @default - every execution uses `statuses`
   */
  readonly executionStatuses?: readonly (readonly string[])[];
  /** ARM body of `GET …/jobs/{job}` (the job resource); 404 when absent. */
  readonly definition?: unknown;
  /** Answer the start POST with 202 + Location (an LRO) instead of 200. @default false */
  readonly asyncStart?: boolean;
  /** HTTP status and ARM error code to fail the start POST with. */
  readonly startError?: { readonly status: number; readonly code: string; readonly message: string };
}

/**
 * A test double of Azure Resource Manager for the Container Apps Jobs API, on 127.0.0.1 over plain
 * HTTP: `GET …/jobs/{job}`, `POST …/jobs/{job}/start` (its JSON body recorded) and
 * `GET …/jobs/{job}/executions/{execution}` (plus the LRO operation URL when `asyncStart` is set). Point `ContainerAppsAPIClient` at it with
 * `{ endpoint, allowInsecureConnection: true }` and no credential.
 */
export class FakeArmServer {
  readonly requests: FakeArmRequest[] = [];
  private server: Server | undefined;
  private executions = 0;
  private readonly polls = new Map<string, number>();
  /** Status script of each started execution. */
  private readonly scripts = new Map<string, readonly string[]>();
  private readonly startsPerJob = new Map<string, number>();

  constructor(private readonly jobs: Readonly<Record<string, FakeJobScript>>) {}

  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  endpoint = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      this.answer(req, res, body);
    });
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const url = new URL(req.url ?? '/', this.endpoint);
    this.requests.push({ method: req.method ?? '', path: url.pathname, apiVersion: url.searchParams.get('api-version'), ...(body === undefined ? {} : { body }) });
    const jobGet = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.App\/jobs\/([^/]+)$/i.exec(url.pathname);
    if (req.method === 'GET' && jobGet) {
      const script = this.jobs[jobGet[3]];
      if (!script?.definition) return this.json(res, 404, { error: { code: 'ResourceNotFound', message: `The Resource 'Microsoft.App/jobs/${jobGet[3]}' was not found.` } });
      return this.json(res, 200, script.definition);
    }
    const start = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.App\/jobs\/([^/]+)\/start$/i.exec(url.pathname);
    const exec = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.App\/jobs\/([^/]+)\/executions\/([^/]+)$/i.exec(url.pathname);
    const op = /^\/operations\/(.+)$/.exec(url.pathname);
    if (req.method === 'POST' && start) {
      const [, sub, rg, job] = start;
      const script = this.jobs[job];
      if (!script) return this.json(res, 404, { error: { code: 'ResourceNotFound', message: `The Resource 'Microsoft.App/jobs/${job}' under resource group '${rg}' was not found.` } });
      if (script.startError) return this.json(res, script.startError.status, { error: { code: script.startError.code, message: script.startError.message } });
      this.executions += 1;
      const name = `${job}-exec${this.executions}`;
      const nth = this.startsPerJob.get(job) ?? 0;
      this.startsPerJob.set(job, nth + 1);
      this.scripts.set(name, script.executionStatuses?.[nth] ?? script.statuses);
      const started = { name, id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.App/jobs/${job}/executions/${name}` };
      if (script.asyncStart) {
        return this.json(res, 202, started, { location: `${this.endpoint}/operations/${encodeURIComponent(JSON.stringify(started))}`, 'retry-after': '0' });
      }
      return this.json(res, 200, started);
    }
    if (req.method === 'GET' && op) return this.json(res, 200, JSON.parse(decodeURIComponent(op[1])));
    if (req.method === 'GET' && exec) {
      const [, , , job, name] = exec;
      const script = this.jobs[job];
      if (!script) return this.json(res, 404, { error: { code: 'ResourceNotFound', message: 'not found' } });
      const n = this.polls.get(name) ?? 0;
      this.polls.set(name, n + 1);
      const statuses = this.scripts.get(name) ?? script.statuses;
      const status = statuses[Math.min(n, statuses.length - 1)];
      const done = ['Succeeded', 'Failed', 'Stopped', 'Degraded'].includes(status);
      return this.json(res, 200, {
        name,
        id: url.pathname,
        type: 'Microsoft.App/jobs/executions',
        properties: { status, startTime: '2026-11-28T10:00:00Z', ...(done ? { endTime: '2026-11-28T10:01:30Z' } : {}) },
      });
    }
    this.json(res, 400, { error: { code: 'UnexpectedRequest', message: `${req.method} ${url.pathname}` } });
  }
}

/**
 * A real `ContainerAppsAPIClient` (3.0.0) pointed at a {@link FakeArmServer}.
 *
 * 3.0.0 insists on a credential object, and its bearer policy refuses plain http; with that policy
 * removed the client talks to the loopback fake without tokens. The credential throws
 * if anything ever asks it for a token.
 */
export function fakeArmClient(server: FakeArmServer, subscriptionId: string): ContainerAppsAPIClient {
  const credential: TokenCredential = {
    getToken: async () => {
      throw new Error('the fake ARM server needs no token');
    },
  };
  const client = new ContainerAppsAPIClient(credential, subscriptionId, { endpoint: server.endpoint, allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
  client.pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });
  return client;
}

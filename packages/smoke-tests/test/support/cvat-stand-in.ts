/**
 * A CVAT API stand-in for the smoke suite's own tests (and its benchmark): a node:http server on 127.0.0.1
 * that implements the slice of the CVAT v2.73.0 REST API the suite uses, with simulated RQ workers.
 *
 * Every request and every response is validated against the vendored openapi.yml ({@link OpenApiValidator}).
 * A request violation is answered 400 and a response violation (a bug in this stand-in) 500, and both are
 * recorded in {@link CvatStandIn.violations}, which each test asserts to be empty — so a schema violation
 * fails the test. Endpoints upstream keeps out of the schema (the health report, django-rq statistics,
 * result downloads, the UI) are listed in NON_SCHEMA_ROUTES and handled without validation.
 *
 * Faults it can simulate: a worker that never takes jobs from its queue (`deadQueues`), OPA without its
 * policy bundle (`opaWithoutBundle`: the OPAHealthCheck line fails and every authorization decision is a 500,
 * as on CVAT), bursts of 5xx answers (`bursts`), slow answers (`slow`), an analytics pipeline that never
 * delivers events to ClickHouse (`analyticsDown`) and an edge that sends a server path to the UI
 * (`edgeRoutesToUi`). Upstream behaviour it reproduces on the edges the suite depends on (each cited where it
 * is implemented): ALLOWED_HOSTS (400), absolute URLs from X-Forwarded-Proto/X-Forwarded-Host (`edge` plays
 * the proxy that sets them), the chunk endpoint's 429 with Retry-After after CVAT_CHUNK_CREATE_TIMEOUT, the
 * health report's keys and texts, the events serializer's source rule, and django-rq's two views. {@link CvatStandIn.inventory}
 * lists every object a client created, so tests
 * can prove cleanup left nothing behind.
 *
 * This is a test double: it lives in test code and is never shipped.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { encodePng } from '../../src/png';
import { OpenApiValidator, type MatchedOperation, type ParsedBody } from './openapi-validator';

/** RQ queues of CVAT v2.73.0 (`CVAT_QUEUES` and `RQ_QUEUES`, cvat-ai/cvat@v2.73.0 cvat/settings/base.py). */
export const QUEUES = [
  'import',
  'export',
  'annotation',
  'webhooks',
  'notifications',
  'quality_reports',
  'cleaning',
  'chunks',
  'consensus',
] as const;
export type QueueName = (typeof QUEUES)[number];

/** The scopes cvat-ai/cvat@v2.73.0 cvat/apps/events/serializers.py `ClientEventsSerializer.ALLOWED_SCOPES["client"]` accepts. */
const CLIENT_EVENT_SCOPES = new Set([
  'load:cvat',
  'load:job',
  'save:job',
  'load:workspace',
  'send:exception',
  'join:objects',
  'change:frame',
  'draw:object',
  'paste:object',
  'copy:object',
  'propagate:object',
  'drag:object',
  'resize:object',
  'delete:object',
  'merge:objects',
  'split:objects',
  'group:objects',
  'slice:object',
  'zoom:image',
  'fit:image',
  'rotate:image',
  'action:undo',
  'action:redo',
  'debug:info',
  'run:annotations_action',
  'click:element',
  'user:activity',
]);

/** Simulated faults. */
export interface StandInFaults {
  /** Queues no worker takes jobs from (their django-rq worker count is 0). */
  deadQueues?: QueueName[];
  /** OPA has no policy bundle: the OPAHealthCheck line fails and every authorization decision is a denial. */
  opaWithoutBundle?: boolean;
  /** Answer the next `count` requests matching `method`/`path` with `status`. */
  bursts?: { method?: string; path: RegExp; status: number; count: number }[];
  /** Delay answers to matching requests by `delayMs`. */
  slow?: { method?: string; path: RegExp; delayMs: number }[];
  /** Client events never reach ClickHouse (vector down or misconfigured). */
  analyticsDown?: boolean;
  /**
   * Path prefixes the edge sends to the UI instead of the server (a missing edge route). The UI's nginx answers
   * every unknown path with index.html (`try_files $uri $uri/ /index.html`, cvat-ai/cvat@v2.73.0
   * cvat-ui/react_nginx.conf), so such a request gets 200 and the SPA.
   */
  edgeRoutesToUi?: string[];
}

/** Simulated latencies, in milliseconds. */
export interface StandInLatency {
  /** Added before every answer (network + server time). @default 0 */
  requestMs: number;
  /** Time a worker spends on one job, per queue (a number applies to all). @default 5 */
  jobMs: number | Partial<Record<QueueName, number>>;
  /** Time from `POST /api/events` to the event being in ClickHouse (vector's batch). @default 5 */
  vectorMs: number;
  /** Extra wait before a queue's first job starts (a worker scaled to zero starting up). @default 0 */
  coldStartMs: number | Partial<Record<QueueName, number>>;
  /**
   * How long the data endpoint waits for a chunk job before answering 429 (CVAT_CHUNK_CREATE_TIMEOUT, 50 s in
   * cvat-ai/cvat@v2.73.0 cvat/apps/engine/default_settings.py).
   * @default 50000
   */
  chunkCreateTimeoutMs: number;
  /** The Retry-After of that 429, in seconds (`_RETRY_AFTER_TIMEOUT` in cvat/apps/engine/views.py@v2.73.0). @default 10 */
  chunkRetryAfterSeconds: number;
}

/**
 * What the edge (the reverse proxy in front of the server) does to a request on its way to the server: the
 * headers it sets or rewrites. A test double of the proxy hop, applied before the server logic runs.
 */
export interface StandInEdge {
  /** Replaces the Host header (e.g. a proxy that sends the internal app name). */
  host?: string;
  /** Sets X-Forwarded-Proto. */
  forwardedProto?: string;
  /** Sets X-Forwarded-Host. */
  forwardedHost?: string;
  /**
   * The edge answers plain http with a redirect to the same host and path on https, as the edge VM's Traefik
   * does on port 80 (packages/infra/cloud-init/traefik.yml `entryPoints.web.http.redirections`, `permanent: true`);
   * nothing reaches the server. @default - no redirect
   */
  redirectToHttps?: 301 | 302 | 307 | 308;
}

/** Options of {@link CvatStandIn.start}. */
export interface StandInOptions {
  superuser?: { username: string; password: string };
  /** Version `/api/server/about` reports. @default '2.73.0' */
  version?: string;
  latency?: Partial<StandInLatency>;
  faults?: StandInFaults;
  /**
   * ALLOWED_HOSTS of the server (Django syntax: exact names, `.example.org` for a domain and its subdomains, `*`).
   * @default ['localhost', '127.0.0.1'] (the default of cvat-ai/cvat@v2.73.0 cvat/settings/base.py)
   */
  allowedHosts?: string[];
  /** The headers the edge sets on the way to the server. @default - none (the client talks to the server directly) */
  edge?: StandInEdge;
  /**
   * Anonymous requests per minute the server accepts on its AllowAny API views (about, login, register): DRF
   * `AnonRateThrottle`, "100/minute" in cvat-ai/cvat@v2.73.0 cvat/settings/base.py. All stand-in clients share
   * one address (as when CVAT_NUM_PROXIES is too small behind an edge).
   * @default 100
   */
  anonPerMinute?: number;
  /** CVAT_OPA_URL, as the OPAHealthCheck line quotes it. @default 'http://opa:8181' */
  opaUrl?: string;
  /** Called for every request as it arrives (tests use it to interrupt a run at a chosen moment). */
  onRequest?: (method: string, path: string) => void;
}

interface User {
  id: number;
  username: string;
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  superuser: boolean;
  token: string;
  joined: string;
}
interface Label {
  id: number;
  name: string;
  type: string;
  taskId: number | null;
  projectId: number | null;
}
interface Project {
  id: number;
  name: string;
  ownerId: number;
  created: string;
}
interface Task {
  id: number;
  name: string;
  ownerId: number;
  projectId: number | null;
  size: number;
  frames: Buffer[];
  imageQuality: number;
  consensusReplicas: number;
  created: string;
  hasData: boolean;
}
interface Annotations {
  version: number;
  tags: Record<string, unknown>[];
  shapes: Record<string, unknown>[];
  tracks: unknown[];
}
interface Job {
  id: number;
  taskId: number;
  type: 'annotation' | 'ground_truth' | 'consensus_replica';
  stage: string;
  state: string;
  startFrame: number;
  stopFrame: number;
  parentJobId: number | null;
  annotations: Annotations;
  created: string;
}
interface RqRecord {
  id: string;
  ownerId: number;
  status: 'queued' | 'started' | 'failed' | 'finished';
  message: string;
  operation: Record<string, unknown>;
  created: string;
  started: string | null;
  finished: string | null;
  resultUrl: string | null;
  resultId: number | null;
}
interface Webhook {
  id: number;
  projectId: number;
  ownerId: number;
  targetUrl: string;
  description: string;
  events: string[];
  contentType: string;
  created: string;
}
interface Delivery {
  id: number;
  webhookId: number;
  event: string;
  statusCode: number;
  created: string;
}
interface Reply {
  status: number;
  json?: unknown;
  buffer?: Buffer;
  contentType?: string;
  headers?: Record<string, string | string[]>;
}
interface HandlerContext {
  op: MatchedOperation;
  user: User | undefined;
  query: URLSearchParams;
  body: ParsedBody;
  files: Record<string, { name: string; data: Buffer }[]>;
  origin: string;
  req: IncomingMessage;
}

/** What clients created and did not delete. */
export interface Inventory {
  tasks: { id: number; name: string }[];
  projects: { id: number; name: string }[];
  webhooks: { id: number; description: string }[];
  users: { id: number; username: string }[];
  /** Jobs whose task no longer exists (should never happen). */
  orphanJobs: number[];
}

/** A recorded exchange (for debugging a failing test). */
export interface ExchangeLog {
  method: string;
  path: string;
  status: number;
}

class HttpReply extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

const fail = (status: number, detail: string): HttpReply => new HttpReply({ status, json: { detail } });

/**
 * A request id value as cvat-ai/cvat@v2.73.0 cvat/apps/redis_handler/rq.py `RequestId.render` writes it:
 * "." → "~" and " " → "_" (ENCODE_MAPPING), so ids are safe as a DRF path parameter (`[^/.]+`).
 */
function encodeRqIdValue(value: string): string {
  return value.replace(/\./g, '~').replace(/ /g, '_');
}

/** Django's production error pages (django/views/defaults.py: `bad_request`, `server_error`), as text/html. */
function djangoErrorPage(status: 400 | 500): Reply {
  const title = status === 400 ? 'Bad Request (400)' : 'Server Error (500)';
  const html = `<!doctype html>\n<html lang="en">\n<head>\n  <title>${title}</title>\n</head>\n<body>\n  <h1>${title}</h1><p></p>\n</body>\n</html>\n`;
  return { status, buffer: Buffer.from(html), contentType: 'text/html' };
}
const now = (): string => new Date().toISOString();
const CVAT_JSON = 'application/vnd.cvat+json';

/** Paths upstream keeps out of openapi.yml; handled without schema validation. */
const NON_SCHEMA_ROUTES: { method: string; path: RegExp; why: string }[] = [
  { method: 'GET', path: /^\/$/, why: 'the UI (cvat/ui), not the API' },
  { method: 'GET', path: /^\/assets\/[\w.-]+$/, why: 'UI static files' },
  {
    method: 'GET',
    path: /^\/api\/server\/health\/$/,
    why: 'django-health-check MainView (cvat/urls.py@v2.73.0), not a DRF view, not in the schema',
  },
  { method: 'GET', path: /^\/django-rq\/$/, why: "django-rq's staff page (django_rq/urls.py@v2.10.3 rq_home), not a DRF view" },
  { method: 'GET', path: /^\/django-rq\/stats\.json(\/\w*)?\/?$/, why: "django-rq's JSON view (rq_home_json), not a DRF view" },
  {
    method: 'GET',
    path: /^\/api\/(tasks\/\d+\/(dataset|backup)|events)\/download$/,
    why: 'result_url downloads: upstream excludes its download actions from the schema',
  },
];

/** The stand-in server. */
export class CvatStandIn {
  readonly violations: string[] = [];
  readonly log: ExchangeLog[] = [];
  readonly faults: StandInFaults;
  readonly latency: StandInLatency;
  readonly superuser: { username: string; password: string };
  private readonly version: string;
  private readonly allowedHosts: string[];
  private readonly edge: StandInEdge;
  private readonly opaUrl: string;
  private readonly anonPerMinute: number;
  /** Times of the anonymous requests the throttle counted (its cache history). */
  private readonly anonHistory: number[] = [];
  /** Chunk jobs queued on the chunks queue and not finished yet, by cache key (a later request reuses them). */
  private readonly pendingChunks = new Map<string, Promise<void>>();
  private readonly onRequest: StandInOptions['onRequest'];
  private readonly validator = OpenApiValidator.shared();
  private server!: Server;
  private baseUrl = '';
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly warmAt = new Map<QueueName, number>();
  private nextId = 1;
  private readonly users = new Map<number, User>();
  private readonly sessions = new Map<string, number>();
  private readonly projects = new Map<number, Project>();
  private readonly tasks = new Map<number, Task>();
  private readonly labels = new Map<number, Label>();
  private readonly jobs = new Map<number, Job>();
  private readonly requests = new Map<string, RqRecord>();
  private readonly results = new Map<string, { ownerId: number; data: Buffer; contentType: string }>();
  private readonly webhooks = new Map<number, Webhook>();
  private readonly deliveries: Delivery[] = [];
  private readonly reports: { id: number; taskId: number; created: string }[] = [];
  private readonly clickhouse: { timestamp: string; scope: string; source: string; payload: string; userId: number }[] = [];
  private readonly mediaCache = new Set<string>();
  /** Jobs handed to each queue (for assertions). */
  readonly enqueued: Record<string, number> = {};

  private constructor(options: StandInOptions) {
    this.faults = options.faults ?? {};
    this.latency = {
      requestMs: 0,
      jobMs: 5,
      vectorMs: 5,
      coldStartMs: 0,
      chunkCreateTimeoutMs: 50_000,
      chunkRetryAfterSeconds: 10,
      ...options.latency,
    };
    this.allowedHosts = options.allowedHosts ?? ['localhost', '127.0.0.1'];
    this.edge = options.edge ?? {};
    this.opaUrl = options.opaUrl ?? 'http://opa:8181';
    this.anonPerMinute = options.anonPerMinute ?? 100;
    this.superuser = options.superuser ?? { username: 'admin', password: 'stand-in-password' };
    this.version = options.version ?? '2.73.0';
    this.onRequest = options.onRequest;
    const admin: User = {
      id: this.id(),
      username: this.superuser.username,
      email: 'admin@stand-in.invalid',
      password: this.superuser.password,
      firstName: '',
      lastName: '',
      superuser: true,
      token: randomBytes(20).toString('hex'),
      joined: now(),
    };
    this.users.set(admin.id, admin);
  }

  /** Starts a stand-in on 127.0.0.1 with an ephemeral port. */
  static async start(options: StandInOptions = {}): Promise<CvatStandIn> {
    const standIn = new CvatStandIn(options);
    standIn.server = createServer((req, res) => {
      standIn.handle(req, res).catch((error: unknown) => {
        // A client that aborts mid-upload (an interrupted run) is not a stand-in failure.
        if (req.destroyed || (error as { code?: string }).code === 'ECONNRESET' || (error as Error).message === 'aborted') return;
        standIn.violations.push(`stand-in crashed on ${req.method} ${req.url}: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    standIn.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    standIn.baseUrl = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`;
    return standIn;
  }

  /** The base URL clients use. */
  get url(): string {
    return this.baseUrl;
  }

  /** Stops the server, its timers and open connections (hanging requests included). */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Everything created by clients that still exists. */
  inventory(): Inventory {
    return {
      tasks: [...this.tasks.values()].map((t) => ({ id: t.id, name: t.name })),
      projects: [...this.projects.values()].map((p) => ({ id: p.id, name: p.name })),
      webhooks: [...this.webhooks.values()].map((w) => ({ id: w.id, description: w.description })),
      users: [...this.users.values()].filter((u) => !u.superuser).map((u) => ({ id: u.id, username: u.username })),
      orphanJobs: [...this.jobs.values()].filter((j) => !this.tasks.has(j.taskId)).map((j) => j.id),
    };
  }

  // ---------------------------------------------------------------- plumbing

  private id(): number {
    return this.nextId++;
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private delay(ms: number): Promise<void> {
    return ms > 0 ? new Promise((resolve) => this.later(ms, resolve)) : Promise.resolve();
  }

  private queueValue(value: number | Partial<Record<QueueName, number>>, queue: QueueName, fallback: number): number {
    return typeof value === 'number' ? value : (value[queue] ?? fallback);
  }

  /**
   * Runs `work` on a simulated worker of `queue`: after the worker's cold start (first job only) and the
   * job time. A dead queue never starts the job; the returned promise then never settles.
   */
  private process(queue: QueueName, work: () => void | Promise<void>, rq?: RqRecord): Promise<void> {
    this.enqueued[queue] = (this.enqueued[queue] ?? 0) + 1;
    if (this.faults.deadQueues?.includes(queue)) return new Promise<void>(() => undefined);
    const t = Date.now();
    if (!this.warmAt.has(queue)) this.warmAt.set(queue, t + this.queueValue(this.latency.coldStartMs, queue, 0));
    const startIn = Math.max(0, (this.warmAt.get(queue) as number) - t);
    return new Promise<void>((resolve) => {
      this.later(startIn, () => {
        if (rq) {
          rq.status = 'started';
          rq.started = now();
        }
        this.later(this.queueValue(this.latency.jobMs, queue, 5), () => {
          Promise.resolve()
            .then(work)
            .then(
              () => {
                if (rq) rq.status = 'finished';
              },
              (error: unknown) => {
                if (rq) {
                  rq.status = 'failed';
                  rq.message = error instanceof Error ? error.message : String(error);
                }
              },
            )
            .finally(() => {
              if (rq) rq.finished = now();
              resolve();
            });
        });
      });
    });
  }

  private enqueue(
    queue: QueueName,
    user: User,
    operation: Record<string, unknown>,
    rqId: string,
    work: (rq: RqRecord) => void | Promise<void>,
  ): RqRecord {
    const rq: RqRecord = {
      id: rqId,
      ownerId: user.id,
      status: 'queued',
      message: '',
      operation,
      created: now(),
      started: null,
      finished: null,
      resultUrl: null,
      resultId: null,
    };
    this.requests.set(rqId, rq);
    void this.process(queue, () => work(rq), rq);
    return rq;
  }

  /**
   * Keeps an export's file and sets `result_url` the way cvat-ai/cvat@v2.73.0 cvat/apps/engine/background.py
   * `make_result_url` does: DRF `reverse("<target>-download-…", request=request)` (an absolute URL from the
   * request's scheme and host) + `?rq_id=<quoted request id>`.
   */
  private storeResult(rq: RqRecord, origin: string, downloadPath: string, data: Buffer, contentType: string): void {
    this.results.set(rq.id, { ownerId: rq.ownerId, data, contentType });
    rq.resultUrl = `${origin}${downloadPath}?rq_id=${encodeURIComponent(rq.id)}`;
  }

  /**
   * The scheme and host Django sees (django/django@5.2 django/http/request.py `scheme`, `get_host`, with
   * cvat-ai/cvat@v2.73.0 cvat/settings/base.py SECURE_PROXY_SSL_HEADER = (X-Forwarded-Proto, "https") and
   * USE_X_FORWARDED_HOST = True): https only when the first X-Forwarded-Proto value is "https"; the host is
   * X-Forwarded-Host when present, else Host. `undefined` when the host is not in ALLOWED_HOSTS (DisallowedHost).
   * The nginx inside the server image passes these headers through (cvat/nginx.conf@v2.73.0 sets only Host and
   * X-Forwarded-For); CVAT_NUM_PROXIES only tells DRF which X-Forwarded-For entry is the client (throttling).
   */
  private djangoOrigin(req: IncomingMessage): string | undefined {
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const host = header('x-forwarded-host') ?? header('host') ?? '';
    const proto = (header('x-forwarded-proto') ?? '').split(',')[0].trim();
    const domain = /^\[[^\]]+\]|^[^:]+/.exec(host)?.[0].toLowerCase() ?? '';
    const allowed = this.allowedHosts.some((pattern) => {
      const p = pattern.toLowerCase();
      return p === '*' || p === domain || (p.startsWith('.') && (domain.endsWith(p) || domain === p.slice(1)));
    });
    if (!domain || !allowed) return undefined;
    return `${proto === 'https' ? 'https' : 'http'}://${host}`;
  }

  private async readBody(req: IncomingMessage): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    return Buffer.concat(parts);
  }

  private async parseBody(req: IncomingMessage, raw: Buffer): Promise<{ body: ParsedBody; files: HandlerContext['files'] }> {
    const type = req.headers['content-type'];
    if (raw.length === 0 || !type) return { body: { kind: 'none' }, files: {} };
    const media = type.split(';')[0].trim().toLowerCase();
    if (media === 'application/json') {
      try {
        return { body: { kind: 'json', contentType: media, value: JSON.parse(raw.toString('utf8')) }, files: {} };
      } catch {
        return { body: { kind: 'raw', contentType: media }, files: {} };
      }
    }
    if (media === 'multipart/form-data') {
      const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
      const value: Record<string, unknown> = {};
      const files: HandlerContext['files'] = {};
      for (const [key, entry] of form.entries()) {
        const m = /^([\w]+)\[(\d+)\]$/.exec(key);
        const name = m ? m[1] : key;
        let item: unknown = entry;
        if (typeof entry !== 'string') {
          const data = Buffer.from(await entry.arrayBuffer());
          files[name] ??= [];
          files[name].push({ name: entry.name, data });
          item = entry.name;
        }
        if (m) {
          const list = (value[name] as unknown[] | undefined) ?? [];
          list[Number(m[2])] = item;
          value[name] = list;
        } else value[name] = item;
      }
      return { body: { kind: 'multipart', contentType: media, value }, files };
    }
    return { body: { kind: 'raw', contentType: media }, files: {} };
  }

  private authenticate(req: IncomingMessage): User | undefined {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [username, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      const user = [...this.users.values()].find((u) => u.username === username);
      if (!user || user.password !== rest.join(':')) throw fail(401, 'Invalid username/password.');
      return user;
    }
    if (auth?.startsWith('Token ')) {
      const user = [...this.users.values()].find((u) => u.token === auth.slice(6));
      if (!user) throw fail(401, 'Invalid token.');
      return user;
    }
    const sid = /(?:^|;\s*)sessionid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (sid !== undefined) return this.users.get(this.sessions.get(sid) ?? -1);
    return undefined;
  }

  /**
   * An OPA decision: the superuser and owners are allowed, others get 403. Without the bundle OPA answers
   * without a `result`, and cvat-ai/cvat@v2.73.0 cvat/apps/iam/permissions.py `check_access`
   * (`response.json()["result"]`) raises KeyError: Django's 500 page.
   */
  private authorize(user: User, ownerId?: number): void {
    if (this.faults.opaWithoutBundle) throw new HttpReply(djangoErrorPage(500));
    if (user.superuser) return;
    if (ownerId !== undefined && ownerId !== user.id) throw fail(403, 'You do not have permission to perform this action.');
  }

  private send(res: ServerResponse, reply: Reply): void {
    const headers: Record<string, string | string[]> = { ...reply.headers };
    let payload: Buffer | undefined;
    if (reply.buffer !== undefined) {
      payload = reply.buffer;
      headers['content-type'] = reply.contentType ?? 'application/octet-stream';
    } else if (reply.json !== undefined) {
      payload = Buffer.from(JSON.stringify(reply.json));
      headers['content-type'] = reply.contentType ?? CVAT_JSON;
    }
    if (payload) headers['content-length'] = String(payload.length);
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await this.readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (this.edge.redirectToHttps !== undefined) {
      this.onRequest?.(method, url.pathname);
      this.log.push({ method, path: `${url.pathname}${url.search}`, status: this.edge.redirectToHttps });
      res
        .writeHead(this.edge.redirectToHttps, {
          location: `https://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`,
          'content-length': '0',
        })
        .end();
      return;
    }
    if (this.edge.host !== undefined) req.headers.host = this.edge.host;
    if (this.edge.forwardedProto !== undefined) req.headers['x-forwarded-proto'] = this.edge.forwardedProto;
    if (this.edge.forwardedHost !== undefined) req.headers['x-forwarded-host'] = this.edge.forwardedHost;
    this.onRequest?.(method, url.pathname);
    const record = (status: number): void => {
      this.log.push({ method, path: `${url.pathname}${url.search}`, status });
    };
    await this.delay(this.latency.requestMs);
    const matches = (rule: { method?: string; path: RegExp }): boolean =>
      (rule.method === undefined || rule.method === method) && rule.path.test(url.pathname);
    const burst = this.faults.bursts?.find((b) => b.count > 0 && matches(b));
    if (burst) {
      burst.count -= 1;
      record(burst.status);
      this.send(res, { status: burst.status, buffer: Buffer.from(`stand-in burst ${burst.status}`), contentType: 'text/plain' });
      return;
    }
    const slow = this.faults.slow?.find(matches);
    if (slow) await this.delay(slow.delayMs);

    if (this.faults.edgeRoutesToUi?.some((prefix) => url.pathname.startsWith(prefix))) {
      record(200);
      this.send(res, this.uiIndex());
      return;
    }
    const isUi = url.pathname === '/' || url.pathname.startsWith('/assets/');
    const origin = this.djangoOrigin(req);
    if (!isUi && origin === undefined) {
      // Every server route: CommonMiddleware calls request.get_host(), DisallowedHost → Django's 400 page.
      record(400);
      this.send(res, djangoErrorPage(400));
      return;
    }
    const op = this.validator.match(method, url.pathname);
    if (!op) {
      const route = NON_SCHEMA_ROUTES.find((r) => r.method === method && r.path.test(url.pathname));
      let reply: Reply;
      if (!route) {
        this.violations.push(`${method} ${url.pathname} is not an operation of openapi.yml`);
        reply = { status: 404, json: { detail: 'Not found (no such operation in openapi.yml).' } };
      } else {
        try {
          reply = await this.nonSchema(method, url, req);
        } catch (error) {
          if (!(error instanceof HttpReply)) throw error;
          reply = error.reply;
        }
      }
      record(reply.status);
      if (!res.destroyed) this.send(res, reply);
      return;
    }

    const { body, files } = await this.parseBody(req, raw);
    const requestViolations = this.validator.validateRequest(op, { query: url.searchParams, headers: req.headers, body });
    if (requestViolations.length > 0) {
      this.violations.push(...requestViolations);
      record(400);
      this.send(res, { status: 400, json: { detail: `request violates openapi.yml: ${requestViolations.join('; ')}` } });
      return;
    }
    let reply: Reply;
    try {
      const user = this.authenticate(req);
      reply = await this.dispatch({ op, user, query: url.searchParams, body, files, origin: origin as string, req });
    } catch (error) {
      if (!(error instanceof HttpReply)) throw error;
      reply = error.reply;
    }
    const contentType =
      reply.buffer !== undefined
        ? (reply.contentType ?? 'application/octet-stream')
        : reply.json !== undefined
          ? (reply.contentType ?? CVAT_JSON)
          : undefined;
    const responseViolations = this.validator.validateResponse(op, reply.status, contentType, reply.json);
    if (responseViolations.length > 0) {
      this.violations.push(...responseViolations.map((v) => `stand-in response: ${v}`));
      reply = { status: 500, json: { detail: `stand-in response violates openapi.yml: ${responseViolations.join('; ')}` } };
    }
    record(reply.status);
    if (!res.destroyed) this.send(res, reply);
  }

  // ---------------------------------------------------------------- endpoints outside the schema

  private async nonSchema(method: string, url: URL, req: IncomingMessage): Promise<Reply> {
    if (url.pathname === '/') return this.uiIndex();
    if (url.pathname.startsWith('/assets/')) {
      if (url.pathname !== '/assets/cvat-ui.min.js') return { status: 404, buffer: Buffer.from('not found'), contentType: 'text/plain' };
      return { status: 200, buffer: Buffer.from('/* cvat-ui stand-in bundle */'), contentType: 'application/javascript' };
    }
    if (url.pathname === '/api/server/health/') {
      // revsys/django-health-check@3.20.0 health_check/views.py + mixins.py: `{identifier: pretty_status}` sorted by
      // identifier, 500 when a critical plugin failed. OPAHealthCheck (cvat/apps/health/backends.py@v2.73.0) wraps
      // requests' `raise_for_status` message in HealthCheckException, whose text starts with "unknown error: ".
      const opa = this.faults.opaWithoutBundle
        ? `unknown error: 500 Server Error: Internal Server Error for url: ${this.opaUrl}/health?bundles`
        : 'working';
      const report: Record<string, string> = {
        'Cache backend: default': 'working',
        'Cache backend: media': 'working',
        DatabaseBackend: 'working',
        DiskUsage: 'working',
        MemoryUsage: 'working',
        OPAHealthCheck: opa,
      };
      const ok = Object.values(report).every((v) => v === 'working');
      return { status: ok ? 200 : 500, json: report, contentType: 'application/json' };
    }
    if (url.pathname === '/django-rq/') return this.djangoRqPage(req);
    if (url.pathname.startsWith('/django-rq/stats.json')) return this.djangoRqStatsJson(req);
    // result downloads (`<target>-download-*` actions, excluded from the schema upstream)
    const user = this.authenticate(req);
    if (!user) throw fail(401, 'Authentication credentials were not provided.');
    const result = this.results.get(url.searchParams.get('rq_id') ?? '');
    // cvat/apps/engine/background.py@v2.73.0 `download_file`: an unknown request id is a 400.
    if (!result) return { status: 400, buffer: Buffer.from('Unknown export request id'), contentType: 'text/html; charset=utf-8' };
    this.authorize(user, result.ownerId);
    void method;
    return { status: 200, buffer: result.data, contentType: result.contentType };
  }

  /** The UI's index.html (cvat-ai/cvat@v2.73.0 cvat-ui/src/index.html: `<div id="root">`, the bundle injected by webpack). */
  private uiIndex(): Reply {
    const html =
      '<!DOCTYPE html><html lang="en"><head><title>Computer Vision Annotation Tool</title></head><body><div id="root"></div><script defer ' +
      'src="/assets/cvat-ui.min.js"></script></body></html>';
    return { status: 200, buffer: Buffer.from(html), contentType: 'text/html; charset=utf-8' };
  }

  /** The live workers per queue, as django-rq's `get_statistics` counts them (`Worker.count(queue=queue)`). */
  private rqStatistics(): { index: number; name: QueueName; workers: number }[] {
    // django_rq/settings.py@v2.10.3 numbers RQ_QUEUES sorted by name.
    return [...QUEUES].sort().map((name, index) => ({ index, name, workers: this.faults.deadQueues?.includes(name) ? 0 : 1 }));
  }

  /**
   * `GET /django-rq/` (rq/django-rq@v2.10.3 django_rq/views.py `stats`, `@staff_member_required`): Django's
   * session only (HTTP Basic is a DRF authenticator and does not apply); non-staff → 302 to the admin login;
   * staff → django_rq/templates/django_rq/stats.html, whose queue rows are reproduced here.
   */
  private djangoRqPage(req: IncomingMessage): Reply {
    const user = this.sessionUser(req);
    if (!user?.superuser) return { status: 302, headers: { location: '/admin/login/?next=/django-rq/' } };
    const cell = (href: string, text: string | number): string => `<th>\n<a href="${href}">\n    ${text}\n</a>\n</th>`;
    const rows = this.rqStatistics().map((q) => {
      const base = `/django-rq/queues/${q.index}/`;
      const counts = ['started', 'deferred', 'finished', 'failed', 'scheduled'].map((registry) => cell(`${base}${registry}/`, 0));
      return [
        `<tr class="row${(q.index % 2) + 1}">`,
        cell(base, q.name),
        cell(base, 0),
        '<td>-</td>',
        ...counts,
        `<th><a href="/django-rq/workers/${q.index}/">\n    ${q.workers}\n</a>\n</th>`,
        '<td>cvat_redis_inmem</td><td>6379</td><td>0</td></tr>',
      ].join('');
    });
    const html = [
      '<!DOCTYPE html><html><head><title>Queues | Django site admin</title></head><body><div id="content-main">',
      `<table id="results_list"><tbody>${rows.join('\n')}</tbody></table>`,
      '<p class="paginator"><a href="/django-rq/stats.json/" class="showall">View as JSON</a></p></div></body></html>',
    ].join('');
    return { status: 200, buffer: Buffer.from(html), contentType: 'text/html; charset=utf-8' };
  }

  /**
   * `GET /django-rq/stats.json[/<token>]` as it behaves on CVAT v2.73.0 (django_rq/views.py@v2.10.3 `stats_json`):
   * not staff and no matching token (CVAT sets no RQ_API_TOKEN) → 200 `{"error": true, …}`; a staff session →
   * `JsonResponse(get_statistics())`, which fails on the redis-py 8 `Retry` object in `connection_kwargs`:
   * Django's production 500 page.
   */
  private djangoRqStatsJson(req: IncomingMessage): Reply {
    if (this.sessionUser(req)?.superuser) return djangoErrorPage(500);
    const description = 'Please configure API_TOKEN in settings.py before accessing this view.';
    return { status: 200, json: { error: true, description }, contentType: 'application/json' };
  }

  /** The user of a Django session cookie (what `request.user` is for plain Django views). */
  private sessionUser(req: IncomingMessage): User | undefined {
    const sid = /(?:^|;\s*)sessionid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    return sid === undefined ? undefined : this.users.get(this.sessions.get(sid) ?? -1);
  }

  // ---------------------------------------------------------------- schema operations

  private requireUser(ctx: HandlerContext): User {
    if (!ctx.user) throw fail(401, 'Authentication credentials were not provided.');
    return ctx.user;
  }

  private json(ctx: HandlerContext): Record<string, unknown> {
    return ctx.body.kind === 'json' || ctx.body.kind === 'multipart' ? (ctx.body.value as Record<string, unknown>) : {};
  }

  /**
   * DRF `SimpleRateThrottle.allow_request` for anonymous callers: a sliding window of 60 s; over the rate →
   * 429 `{"detail": "Request was throttled. Expected available in N seconds."}` with `Retry-After: N`.
   */
  private anonThrottle(): void {
    const t = Date.now();
    while (this.anonHistory.length > 0 && this.anonHistory[0] <= t - 60_000) this.anonHistory.shift();
    if (this.anonHistory.length >= this.anonPerMinute) {
      const wait = Math.ceil((60_000 - (t - this.anonHistory[0])) / 1000);
      throw new HttpReply({
        status: 429,
        json: { detail: `Request was throttled. Expected available in ${wait} seconds.` },
        headers: { 'retry-after': String(wait) },
      });
    }
    this.anonHistory.push(t);
  }

  private async dispatch(ctx: HandlerContext): Promise<Reply> {
    const id = Number(ctx.op.pathParams.id);
    const anonymousViews = ['server_retrieve_about', 'auth_create_login', 'auth_create_register'];
    if (!ctx.user && anonymousViews.includes(ctx.op.operation.operationId)) this.anonThrottle();
    switch (ctx.op.operation.operationId) {
      case 'server_retrieve_about':
        return {
          status: 200,
          json: {
            name: 'Computer Vision Annotation Tool',
            description: 'CVAT stand-in',
            version: this.version,
            logo_url: `${ctx.origin}/static/logo.svg`,
            subtitle: 'stand-in',
          },
        };
      case 'auth_create_login':
        return this.login(ctx);
      case 'auth_create_register':
        return this.register(ctx);
    }
    const user = this.requireUser(ctx);
    switch (ctx.op.operation.operationId) {
      case 'users_retrieve_self':
        this.authorize(user);
        return { status: 200, json: this.userJson(user, ctx.origin) };
      case 'users_list': {
        this.authorize(user);
        const search = ctx.query.get('search')?.toLowerCase();
        const list = [...this.users.values()].filter(
          (u) => !search || `${u.username} ${u.email} ${u.firstName} ${u.lastName}`.toLowerCase().includes(search),
        );
        return this.page(
          ctx,
          list.map((u) => this.userJson(u, ctx.origin)),
        );
      }
      case 'users_destroy': {
        this.authorize(user);
        if (!user.superuser) throw fail(403, 'Only an admin can delete users.');
        if (!this.users.delete(id)) throw fail(404, 'Not found.');
        return { status: 204 };
      }
      case 'projects_create':
        return this.createProject(ctx, user);
      case 'projects_list': {
        this.authorize(user);
        const search = ctx.query.get('search')?.toLowerCase();
        const list = [...this.projects.values()].filter(
          (p) => (user.superuser || p.ownerId === user.id) && (!search || p.name.toLowerCase().includes(search)),
        );
        return this.page(
          ctx,
          list.map((p) => this.projectJson(p, ctx.origin)),
        );
      }
      case 'projects_destroy': {
        const project = this.projects.get(id);
        if (!project) throw fail(404, 'Not found.');
        this.authorize(user, project.ownerId);
        for (const task of [...this.tasks.values()].filter((t) => t.projectId === id)) this.deleteTask(task.id);
        for (const hook of [...this.webhooks.values()].filter((w) => w.projectId === id)) this.webhooks.delete(hook.id);
        for (const label of [...this.labels.values()].filter((l) => l.projectId === id)) this.labels.delete(label.id);
        this.projects.delete(id);
        return { status: 204 };
      }
      case 'tasks_create':
        return this.createTask(ctx, user);
      case 'tasks_list': {
        this.authorize(user);
        const search = ctx.query.get('search')?.toLowerCase();
        const list = [...this.tasks.values()].filter(
          (t) => (user.superuser || t.ownerId === user.id) && (!search || t.name.toLowerCase().includes(search)),
        );
        return this.page(
          ctx,
          list.map((t) => this.taskJson(t, ctx.origin)),
        );
      }
      case 'tasks_retrieve': {
        const task = this.task(id);
        this.authorize(user, task.ownerId);
        return { status: 200, json: this.taskJson(task, ctx.origin) };
      }
      case 'tasks_destroy': {
        const task = this.task(id);
        this.authorize(user, task.ownerId);
        this.deleteTask(id);
        return { status: 204 };
      }
      case 'tasks_create_data':
        return this.createData(ctx, user, id);
      case 'requests_retrieve': {
        // DRF's DefaultRouter lookup pattern `[^/.]+` (cvat/apps/redis_handler/urls.py@v2.73.0): a '.' is a 404.
        if (ctx.op.pathParams.id.includes('.')) throw fail(404, 'Not found.');
        this.authorize(user);
        const rq = this.requests.get(ctx.op.pathParams.id);
        if (!rq || (!user.superuser && rq.ownerId !== user.id)) throw fail(404, 'Not found.');
        return { status: 200, json: this.requestJson(rq) };
      }
      case 'labels_list': {
        this.authorize(user);
        const taskId = Number(ctx.query.get('task_id'));
        const task = this.tasks.get(taskId);
        const list = [...this.labels.values()].filter((l) =>
          task ? l.taskId === taskId || (task.projectId !== null && l.projectId === task.projectId) : true,
        );
        return this.page(
          ctx,
          list.map((l) => ({
            id: l.id,
            name: l.name,
            color: '#ff6a4d',
            attributes: [],
            type: l.type,
            svg: '',
            sublabels: [],
            project_id: l.projectId,
            task_id: l.taskId,
            parent_id: null,
            has_parent: false,
          })),
        );
      }
      case 'jobs_list': {
        this.authorize(user);
        const taskId = ctx.query.get('task_id');
        const type = ctx.query.get('type');
        const list = [...this.jobs.values()].filter(
          (j) =>
            (taskId === null || j.taskId === Number(taskId)) &&
            (type === null || j.type === type) &&
            (user.superuser || this.tasks.get(j.taskId)?.ownerId === user.id),
        );
        return this.page(
          ctx,
          list.map((j) => this.jobJson(j, ctx.origin)),
        );
      }
      case 'jobs_create':
        return this.createGroundTruthJob(ctx, user);
      case 'jobs_partial_update': {
        const job = this.job(id);
        this.authorize(user, this.task(job.taskId).ownerId);
        const body = this.json(ctx);
        if (typeof body.stage === 'string') job.stage = body.stage;
        if (typeof body.state === 'string') job.state = body.state;
        return { status: 200, json: this.jobJson(job, ctx.origin) };
      }
      case 'jobs_retrieve_annotations': {
        const job = this.job(id);
        this.authorize(user, this.task(job.taskId).ownerId);
        return { status: 200, json: { ...job.annotations, intervals: [] } };
      }
      case 'jobs_update_annotations':
        return this.putAnnotations(ctx, user, id);
      case 'jobs_retrieve_data':
        return this.chunk(ctx, user, id);
      case 'tasks_retrieve_preview': {
        const task = this.task(id);
        this.authorize(user, task.ownerId);
        if (!task.hasData) throw fail(404, 'The task has no data.');
        const key = `preview:${id}`;
        if (!this.mediaCache.has(key)) {
          await this.process('chunks', () => undefined);
          this.mediaCache.add(key);
        }
        return { status: 200, buffer: task.frames[0], contentType: 'image/png' };
      }
      case 'tasks_create_dataset_export':
        return this.exportDataset(ctx, user, id);
      case 'tasks_create_backup_export':
        return this.exportBackup(ctx, user, id);
      case 'tasks_create_backup':
        return this.importBackup(ctx, user);
      case 'webhooks_create':
        return this.createWebhook(ctx, user);
      case 'webhooks_list': {
        this.authorize(user);
        const search = ctx.query.get('search')?.toLowerCase();
        const list = [...this.webhooks.values()].filter(
          (w) => (user.superuser || w.ownerId === user.id) && (!search || `${w.description} ${w.targetUrl}`.toLowerCase().includes(search)),
        );
        return this.page(
          ctx,
          list.map((w) => this.webhookJson(w, ctx.origin)),
        );
      }
      case 'webhooks_destroy': {
        const hook = this.webhooks.get(id);
        if (!hook) throw fail(404, 'Not found.');
        this.authorize(user, hook.ownerId);
        this.webhooks.delete(id);
        return { status: 204 };
      }
      case 'webhooks_list_deliveries': {
        const hook = this.webhooks.get(id);
        if (!hook) throw fail(404, 'Not found.');
        this.authorize(user, hook.ownerId);
        const list = this.deliveries.filter((d) => d.webhookId === id);
        return this.page(
          ctx,
          list.map((d) => ({
            id: d.id,
            webhook_id: d.webhookId,
            event: d.event,
            status_code: d.statusCode,
            redelivery: false,
            attempt: 1,
            request_duration: 12,
            created_date: d.created,
            updated_date: d.created,
            changed_fields: '',
            request: {},
            response: '',
          })),
        );
      }
      case 'quality_create_report':
        return this.createQualityReport(ctx, user);
      case 'quality_list_reports': {
        this.authorize(user);
        const taskId = Number(ctx.query.get('task_id'));
        const list = this.reports.filter((r) => r.taskId === taskId);
        return this.page(
          ctx,
          list.map((r) => ({
            id: r.id,
            job_id: null,
            task_id: r.taskId,
            project_id: null,
            parent_id: null,
            target: 'task',
            summary: {
              total_frames: 3,
              validation_frames: 1,
              validation_frame_share: 0.33,
              conflict_count: 0,
              warning_count: 0,
              error_count: 0,
              conflicts_by_type: {},
              valid_count: 0,
              ds_count: 0,
              gt_count: 0,
              total_count: 0,
              accuracy: 0,
              precision: 0,
              recall: 0,
            },
            created_date: r.created,
            target_last_updated: r.created,
            gt_last_updated: r.created,
            assignee: null,
          })),
        );
      }
      case 'consensus_create_merge':
        return this.createMerge(ctx, user);
      case 'events_create':
        return this.postEvents(ctx, user);
      case 'events_create_export':
        return this.exportEvents(ctx, user);
    }
    this.violations.push(`the stand-in does not implement ${ctx.op.method} ${ctx.op.template} (${ctx.op.operation.operationId})`);
    throw fail(501, 'not implemented by the stand-in');
  }

  // ---------------------------------------------------------------- helpers: lookups and JSON

  private task(id: number): Task {
    const task = this.tasks.get(id);
    if (!task) throw fail(404, 'Not found.');
    return task;
  }

  private job(id: number): Job {
    const job = this.jobs.get(id);
    if (!job) throw fail(404, 'Not found.');
    return job;
  }

  private page(ctx: HandlerContext, items: unknown[]): Reply {
    const size = Number(ctx.query.get('page_size') ?? 10);
    const page = Number(ctx.query.get('page') ?? 1);
    const slice = items.slice((page - 1) * size, page * size);
    const next =
      page * size < items.length
        ? (() => {
            const u = new URL(`${ctx.origin}${ctx.req.url}`);
            u.searchParams.set('page', String(page + 1));
            return u.href;
          })()
        : null;
    return { status: 200, json: { count: items.length, next, previous: null, results: slice } };
  }

  private basicUser(id: number, origin: string): Record<string, unknown> | null {
    const u = this.users.get(id);
    return u
      ? { url: `${origin}/api/users/${u.id}`, id: u.id, username: u.username, first_name: u.firstName, last_name: u.lastName }
      : null;
  }

  private userJson(u: User, origin: string): Record<string, unknown> {
    return {
      url: `${origin}/api/users/${u.id}`,
      id: u.id,
      username: u.username,
      first_name: u.firstName,
      last_name: u.lastName,
      email: u.email,
      groups: [u.superuser ? 'admin' : 'user'],
      is_staff: u.superuser,
      is_superuser: u.superuser,
      is_active: true,
      last_login: null,
      date_joined: u.joined,
      has_analytics_access: u.superuser,
    };
  }

  private projectJson(p: Project, origin: string): Record<string, unknown> {
    return {
      url: `${origin}/api/projects/${p.id}`,
      id: p.id,
      name: p.name,
      owner: this.basicUser(p.ownerId, origin),
      assignee: null,
      guide_id: null,
      bug_tracker: '',
      task_subsets: [],
      created_date: p.created,
      updated_date: p.created,
      status: 'annotation',
      dimension: null,
      organization: null,
      organization_id: null,
      target_storage: null,
      source_storage: null,
      tasks: { count: [...this.tasks.values()].filter((t) => t.projectId === p.id).length, url: `${origin}/api/tasks?project_id=${p.id}` },
      labels: { url: `${origin}/api/labels?project_id=${p.id}` },
      assignee_updated_date: null,
    };
  }

  private taskJson(t: Task, origin: string): Record<string, unknown> {
    const jobs = [...this.jobs.values()].filter((j) => j.taskId === t.id);
    return {
      url: `${origin}/api/tasks/${t.id}`,
      id: t.id,
      name: t.name,
      project_id: t.projectId,
      project_name: t.projectId === null ? null : (this.projects.get(t.projectId)?.name ?? null),
      owner: this.basicUser(t.ownerId, origin),
      assignee: null,
      bug_tracker: '',
      created_date: t.created,
      updated_date: t.created,
      overlap: 0,
      segment_size: t.size,
      status: 'annotation',
      data_chunk_size: t.hasData ? 36 : null,
      data_original_chunk_type: 'imageset',
      data_compressed_chunk_type: 'imageset',
      data_cloud_storage_id: null,
      guide_id: null,
      size: t.size,
      image_quality: t.imageQuality,
      data: t.hasData ? t.id : null,
      dimension: '2d',
      mode: 'annotation',
      media_type: 'image',
      subset: '',
      organization_id: null,
      organization: null,
      target_storage: null,
      source_storage: null,
      jobs: { count: jobs.length, completed: 0, validation: 0, url: `${origin}/api/jobs?task_id=${t.id}` },
      labels: { url: `${origin}/api/labels?task_id=${t.id}` },
      assignee_updated_date: null,
      validation_mode: null,
      consensus_enabled: t.consensusReplicas > 0,
    };
  }

  private jobJson(j: Job, origin: string): Record<string, unknown> {
    const task = this.tasks.get(j.taskId);
    return {
      url: `${origin}/api/jobs/${j.id}`,
      id: j.id,
      task_id: j.taskId,
      task_name: task?.name ?? null,
      project_id: task?.projectId ?? null,
      project_name: null,
      assignee: null,
      guide_id: null,
      dimension: '2d',
      mode: 'annotation',
      media_type: 'image',
      bug_tracker: null,
      status: j.stage === 'acceptance' ? 'completed' : 'annotation',
      stage: j.stage,
      state: j.state,
      frame_count: j.stopFrame - j.startFrame + 1,
      start_frame: j.startFrame,
      stop_frame: j.stopFrame,
      data_chunk_size: 36,
      data_compressed_chunk_type: 'imageset',
      data_original_chunk_type: 'imageset',
      created_date: j.created,
      updated_date: j.created,
      issues: { url: `${origin}/api/issues?job_id=${j.id}`, count: 0 },
      labels: { url: `${origin}/api/labels?job_id=${j.id}` },
      type: j.type,
      organization: null,
      target_storage: null,
      source_storage: null,
      assignee_updated_date: null,
      parent_job_id: j.parentJobId,
      consensus_replicas: j.type === 'annotation' ? (task?.consensusReplicas ?? 0) : 0,
    };
  }

  private requestJson(rq: RqRecord): Record<string, unknown> {
    const owner = this.users.get(rq.ownerId);
    return {
      status: rq.status,
      message: rq.message,
      id: rq.id,
      operation: rq.operation,
      progress: rq.status === 'finished' ? 1 : rq.status === 'started' ? 0.5 : 0,
      created_date: rq.created,
      started_date: rq.started,
      finished_date: rq.finished,
      expiry_date: null,
      owner: { id: rq.ownerId, username: owner?.username ?? 'deleted' },
      result_url: rq.resultUrl,
      result_id: rq.resultId,
    };
  }

  private webhookJson(w: Webhook, origin: string): Record<string, unknown> {
    const last = [...this.deliveries].reverse().find((d) => d.webhookId === w.id);
    return {
      id: w.id,
      url: `${origin}/api/webhooks/${w.id}`,
      target_url: w.targetUrl,
      description: w.description,
      type: 'project',
      content_type: w.contentType,
      is_active: true,
      enable_ssl: true,
      created_date: w.created,
      updated_date: w.created,
      owner: this.basicUser(w.ownerId, origin),
      project_id: w.projectId,
      organization: null,
      events: w.events,
      last_status: last?.statusCode ?? 0,
      last_delivery_date: last?.created ?? w.created,
    };
  }

  private addLabels(names: Record<string, unknown>[] | undefined, owner: { taskId: number | null; projectId: number | null }): void {
    for (const label of names ?? []) {
      const id = this.id();
      this.labels.set(id, { id, name: String(label.name), type: typeof label.type === 'string' ? label.type : 'any', ...owner });
    }
  }

  private deleteTask(id: number): void {
    this.tasks.delete(id);
    for (const job of [...this.jobs.values()].filter((j) => j.taskId === id)) this.jobs.delete(job.id);
    for (const label of [...this.labels.values()].filter((l) => l.taskId === id)) this.labels.delete(label.id);
    for (let i = this.reports.length - 1; i >= 0; i--) if (this.reports[i].taskId === id) this.reports.splice(i, 1);
  }

  // ---------------------------------------------------------------- handlers

  private login(ctx: HandlerContext): Reply {
    const body = this.json(ctx);
    const user = [...this.users.values()].find((u) => u.username === body.username || (body.email !== undefined && u.email === body.email));
    if (!user || user.password !== body.password) throw fail(400, 'Unable to log in with provided credentials.');
    const sid = randomBytes(16).toString('hex');
    this.sessions.set(sid, user.id);
    const csrf = randomBytes(16).toString('hex');
    return {
      status: 200,
      json: { key: user.token },
      headers: { 'set-cookie': [`sessionid=${sid}; HttpOnly; Path=/; SameSite=Lax`, `csrftoken=${csrf}; Path=/; SameSite=Lax`] },
    };
  }

  private register(ctx: HandlerContext): Reply {
    const body = this.json(ctx);
    const username = String(body.username);
    if ([...this.users.values()].some((u) => u.username === username)) throw fail(400, 'A user with that username already exists.');
    if (body.password1 !== body.password2) throw fail(400, "The two password fields didn't match.");
    const user: User = {
      id: this.id(),
      username,
      email: String(body.email ?? ''),
      password: String(body.password1),
      firstName: String(body.first_name ?? ''),
      lastName: String(body.last_name ?? ''),
      superuser: false,
      token: randomBytes(20).toString('hex'),
      joined: now(),
    };
    this.users.set(user.id, user);
    return {
      status: 201,
      json: {
        username,
        email: user.email,
        first_name: user.firstName,
        last_name: user.lastName,
        email_verification_required: false,
        key: user.token,
      },
    };
  }

  private createProject(ctx: HandlerContext, user: User): Reply {
    this.authorize(user);
    const body = this.json(ctx);
    const project: Project = { id: this.id(), name: String(body.name), ownerId: user.id, created: now() };
    this.projects.set(project.id, project);
    this.addLabels(body.labels as Record<string, unknown>[] | undefined, { taskId: null, projectId: project.id });
    return { status: 201, json: this.projectJson(project, ctx.origin) };
  }

  private createTask(ctx: HandlerContext, user: User): Reply {
    this.authorize(user);
    const body = this.json(ctx);
    const projectId = typeof body.project_id === 'number' ? body.project_id : null;
    if (projectId !== null) {
      const project = this.projects.get(projectId);
      if (!project) throw fail(400, 'The project does not exist.');
      this.authorize(user, project.ownerId);
    } else if (!Array.isArray(body.labels) || body.labels.length === 0) throw fail(400, 'Labels or a project are required.');
    const task: Task = {
      id: this.id(),
      name: String(body.name),
      ownerId: user.id,
      projectId,
      size: 0,
      frames: [],
      imageQuality: 0,
      consensusReplicas: typeof body.consensus_replicas === 'number' ? body.consensus_replicas : 0,
      created: now(),
      hasData: false,
    };
    this.tasks.set(task.id, task);
    if (projectId === null) this.addLabels(body.labels as Record<string, unknown>[], { taskId: task.id, projectId: null });
    // Webhook deliveries for create:task go through the webhooks queue (the ping would not).
    for (const hook of [...this.webhooks.values()].filter((w) => w.projectId === projectId && w.events.includes('create:task'))) {
      void this.process('webhooks', () => {
        if (this.webhooks.has(hook.id))
          this.deliveries.push({ id: this.id(), webhookId: hook.id, event: 'create:task', statusCode: 405, created: now() });
      });
    }
    return { status: 201, json: this.taskJson(task, ctx.origin) };
  }

  private createData(ctx: HandlerContext, user: User, id: number): Reply {
    const task = this.task(id);
    this.authorize(user, task.ownerId);
    if (task.hasData) throw fail(400, 'The task already has data.');
    const body = this.json(ctx);
    const files = ctx.files.client_files ?? [];
    if (files.length === 0) throw fail(400, 'No files were uploaded.');
    if (body.image_quality === undefined) throw fail(400, 'image_quality is required for image tasks.');
    const rqId = `action=create&target=task&target_id=${id}`;
    this.enqueue(
      'import',
      user,
      { type: 'create:task', target: 'task', project_id: task.projectId, task_id: id, job_id: null, format: null, function_id: null },
      rqId,
      () => {
        if (!this.tasks.has(id)) throw new Error('the task was deleted');
        for (const file of files) {
          if (!file.data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
            throw new Error(`${file.name} is not an image`);
        }
        task.frames = files.map((f) => f.data);
        task.size = files.length;
        task.imageQuality = Number(body.image_quality);
        task.hasData = true;
        // The import worker builds the task preview into the media cache (cvat/apps/engine/task.py@v2.73.0 _create_task_preview).
        this.mediaCache.add(`preview:${id}`);
        const job: Job = {
          id: this.id(),
          taskId: id,
          type: 'annotation',
          stage: 'annotation',
          state: 'new',
          startFrame: 0,
          stopFrame: task.size - 1,
          parentJobId: null,
          annotations: { version: 0, tags: [], shapes: [], tracks: [] },
          created: now(),
        };
        this.jobs.set(job.id, job);
        for (let r = 0; r < task.consensusReplicas; r++) {
          const replica: Job = {
            ...job,
            id: this.id(),
            type: 'consensus_replica',
            parentJobId: job.id,
            annotations: { version: 0, tags: [], shapes: [], tracks: [] },
          };
          this.jobs.set(replica.id, replica);
        }
      },
    );
    return { status: 202, json: { rq_id: rqId } };
  }

  private createGroundTruthJob(ctx: HandlerContext, user: User): Reply {
    const body = this.json(ctx);
    const task = this.task(Number(body.task_id));
    this.authorize(user, task.ownerId);
    if (body.type !== 'ground_truth') throw fail(400, 'Only ground truth jobs can be created.');
    if (!task.hasData) throw fail(400, 'The task has no data.');
    const frame = Math.min(task.size - 1, Number(body.random_seed ?? 0) % task.size);
    const job: Job = {
      id: this.id(),
      taskId: task.id,
      type: 'ground_truth',
      stage: 'annotation',
      state: 'new',
      startFrame: frame,
      stopFrame: frame,
      parentJobId: null,
      annotations: { version: 0, tags: [], shapes: [], tracks: [] },
      created: now(),
    };
    this.jobs.set(job.id, job);
    return { status: 201, json: this.jobJson(job, ctx.origin) };
  }

  private putAnnotations(ctx: HandlerContext, user: User, id: number): Reply {
    const job = this.job(id);
    const task = this.task(job.taskId);
    this.authorize(user, task.ownerId);
    const body = this.json(ctx) as Partial<Annotations> & { intervals?: unknown[] };
    const labelIds = new Set(
      [...this.labels.values()]
        .filter((l) => l.taskId === task.id || (task.projectId !== null && l.projectId === task.projectId))
        .map((l) => l.id),
    );
    for (const item of [...(body.shapes ?? []), ...(body.tags ?? [])]) {
      if (!labelIds.has(Number(item.label_id))) throw fail(400, `label ${String(item.label_id)} is not a label of task ${task.id}`);
      if (Number(item.frame) < job.startFrame || Number(item.frame) > job.stopFrame)
        throw fail(400, `frame ${String(item.frame)} is outside job ${id}`);
    }
    job.annotations = {
      version: (job.annotations.version ?? 0) + 1,
      tags: (body.tags ?? []).map((t) => ({ id: this.id(), group: 0, source: 'manual', attributes: [], ...t })),
      shapes: (body.shapes ?? []).map((s) => ({
        id: this.id(),
        occluded: false,
        outside: false,
        z_order: 0,
        rotation: 0,
        group: 0,
        source: 'manual',
        attributes: [],
        elements: [],
        score: 1,
        ...s,
      })),
      tracks: [],
    };
    return { status: 200, json: { ...job.annotations, intervals: [] } };
  }

  /**
   * `GET /api/jobs/{id}/data?type=chunk` on a `use_cache` task (cvat-ai/cvat@v2.73.0 cvat/apps/engine/cache.py
   * `_create_cache_item`): a cache miss enqueues the chunk job on the chunks queue (reusing one still queued)
   * and waits CVAT_CHUNK_CREATE_TIMEOUT; then views.py `_DataGetter.__call__` answers 429 `Retry-After: 10`.
   */
  private async chunk(ctx: HandlerContext, user: User, id: number): Promise<Reply> {
    const job = this.job(id);
    const task = this.task(job.taskId);
    this.authorize(user, task.ownerId);
    if (ctx.query.get('type') !== 'chunk') throw fail(400, 'only chunks are simulated');
    const key = `chunk:${id}:${ctx.query.get('index')}:${ctx.query.get('quality')}`;
    if (!this.mediaCache.has(key)) {
      let pending = this.pendingChunks.get(key);
      if (!pending) {
        pending = this.process('chunks', () => {
          this.mediaCache.add(key);
          this.pendingChunks.delete(key);
        });
        this.pendingChunks.set(key, pending);
      }
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        pending.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), this.latency.chunkCreateTimeoutMs);
          this.timers.add(timer);
        }),
      ]);
      if (timer) {
        clearTimeout(timer);
        this.timers.delete(timer);
      }
      if (timedOut) return { status: 429, headers: { 'retry-after': String(this.latency.chunkRetryAfterSeconds) } };
    }
    const files: Record<string, Uint8Array> = {};
    task.frames.slice(job.startFrame, job.stopFrame + 1).forEach((frame, i) => {
      files[`${String(i).padStart(6, '0')}.png`] = frame;
    });
    return { status: 200, buffer: Buffer.from(zipSync(files, { level: 0 })), contentType: 'application/zip' };
  }

  private exportDataset(ctx: HandlerContext, user: User, id: number): Reply {
    const task = this.task(id);
    this.authorize(user, task.ownerId);
    const format = ctx.query.get('format') as string;
    if (!['CVAT for images 1.1', 'COCO 1.0'].includes(format)) throw new HttpReply({ status: 405 });
    const rqId = `action=export&target=task&target_id=${id}&user_id=${user.id}&subresource=dataset&format=${encodeRqIdValue(format)}`;
    const existing = this.requests.get(rqId);
    if (existing && (existing.status === 'queued' || existing.status === 'started')) return { status: 409, json: { rq_id: rqId } };
    this.enqueue(
      'export',
      user,
      { type: 'export:dataset', target: 'task', project_id: task.projectId, task_id: id, job_id: null, format, function_id: null },
      rqId,
      (rq) => {
        this.storeResult(rq, ctx.origin, `/api/tasks/${id}/dataset/download`, this.datasetArchive(task, format), 'application/zip');
      },
    );
    return { status: 202, json: { rq_id: rqId } };
  }

  private datasetArchive(task: Task, format: string): Buffer {
    const labels = new Map([...this.labels.values()].map((l) => [l.id, l.name]));
    const jobs = [...this.jobs.values()].filter((j) => j.taskId === task.id && j.type === 'annotation');
    const shapes = jobs.flatMap((j) => j.annotations.shapes);
    const tags = jobs.flatMap((j) => j.annotations.tags);
    if (format === 'COCO 1.0') {
      const annotations = shapes.map((s, i) => {
        const p = s.points as number[];
        const xs = p.filter((_, k) => k % 2 === 0);
        const ys = p.filter((_, k) => k % 2 === 1);
        return {
          id: i + 1,
          image_id: Number(s.frame) + 1,
          category_id: 1,
          bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)],
          iscrowd: 0,
        };
      });
      const coco = {
        images: task.frames.map((_, i) => ({ id: i + 1, file_name: `frame-${String(i).padStart(3, '0')}.png`, width: 64, height: 48 })),
        annotations,
        categories: [
          ...new Set([...this.labels.values()].filter((l) => l.taskId === task.id || l.projectId === task.projectId).map((l) => l.name)),
        ].map((name, i) => ({ id: i + 1, name, supercategory: '' })),
      };
      return Buffer.from(zipSync({ 'annotations/instances_default.json': strToU8(JSON.stringify(coco)) }));
    }
    const images = task.frames
      .map((_, i) => {
        const inner = [
          ...shapes
            .filter((s) => s.frame === i)
            .map((s) => {
              const p = s.points as number[];
              const label = labels.get(Number(s.label_id));
              return s.type === 'rectangle'
                ? `<box label="${label}" xtl="${p[0]}" ytl="${p[1]}" xbr="${p[2]}" ybr="${p[3]}" occluded="0"/>`
                : `<polygon label="${label}" points="${p.join(',')}" occluded="0"/>`;
            }),
          ...tags.filter((t) => t.frame === i).map((t) => `<tag label="${labels.get(Number(t.label_id))}"/>`),
        ];
        return `<image id="${i}" name="frame-${String(i).padStart(3, '0')}.png" width="64" height="48">${inner.join('')}</image>`;
      })
      .join('\n');
    const xml = `<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n<version>1.1</version>\n${images}\n</annotations>\n`;
    return Buffer.from(zipSync({ 'annotations.xml': strToU8(xml) }));
  }

  private exportBackup(ctx: HandlerContext, user: User, id: number): Reply {
    const task = this.task(id);
    this.authorize(user, task.ownerId);
    const rqId = `action=export&target=task&target_id=${id}&user_id=${user.id}&subresource=backup`;
    this.enqueue(
      'export',
      user,
      { type: 'export:backup', target: 'task', project_id: task.projectId, task_id: id, job_id: null, format: null, function_id: null },
      rqId,
      (rq) => {
        const files: Record<string, Uint8Array> = {
          'task.json': strToU8(
            JSON.stringify({
              name: task.name,
              labels: [...this.labels.values()].filter((l) => l.taskId === task.id).map((l) => ({ name: l.name, type: l.type })),
              version: '1.0',
            }),
          ),
          'annotations.json': strToU8(JSON.stringify([...this.jobs.values()].filter((j) => j.taskId === id).map((j) => j.annotations))),
        };
        task.frames.forEach((frame, i) => {
          files[`data/frame-${String(i).padStart(3, '0')}.png`] = frame;
        });
        this.storeResult(rq, ctx.origin, `/api/tasks/${id}/backup/download`, Buffer.from(zipSync(files)), 'application/zip');
      },
    );
    return { status: 202, json: { rq_id: rqId } };
  }

  private importBackup(ctx: HandlerContext, user: User): Reply {
    this.authorize(user);
    const file = ctx.files.task_file?.[0];
    if (!file) throw fail(400, 'task_file is required');
    const rqId = `action=import&target=task&id=${randomUUID()}&subresource=backup`;
    this.enqueue(
      'import',
      user,
      { type: 'import:backup', target: 'task', project_id: null, task_id: null, job_id: null, format: null, function_id: null },
      rqId,
      (rq) => {
        const entries = unzipSync(new Uint8Array(file.data));
        if (!entries['task.json']) throw new Error('the archive has no task.json');
        const manifest = JSON.parse(strFromU8(entries['task.json'])) as { name: string; labels: { name: string; type: string }[] };
        const frames = Object.keys(entries)
          .filter((n) => n.startsWith('data/'))
          .sort()
          .map((n) => Buffer.from(entries[n]));
        const task: Task = {
          id: this.id(),
          name: manifest.name,
          ownerId: user.id,
          projectId: null,
          size: frames.length,
          frames,
          imageQuality: 70,
          consensusReplicas: 0,
          created: now(),
          hasData: true,
        };
        this.tasks.set(task.id, task);
        this.addLabels(manifest.labels, { taskId: task.id, projectId: null });
        const job: Job = {
          id: this.id(),
          taskId: task.id,
          type: 'annotation',
          stage: 'annotation',
          state: 'new',
          startFrame: 0,
          stopFrame: frames.length - 1,
          parentJobId: null,
          annotations: { version: 0, tags: [], shapes: [], tracks: [] },
          created: now(),
        };
        this.jobs.set(job.id, job);
        this.mediaCache.add(`preview:${task.id}`);
        // The rq job returns the new task's id, which GET /api/requests shows as result_id (cvat/apps/engine/backup.py@v2.73.0 import_task,
        // cvat/apps/redis_handler/serializers.py RequestSerializer.to_representation).
        rq.resultId = task.id;
      },
    );
    return { status: 202, json: { rq_id: rqId } };
  }

  private createWebhook(ctx: HandlerContext, user: User): Reply {
    const body = this.json(ctx);
    const project = this.projects.get(Number(body.project_id));
    if (body.type !== 'project' || !project) throw fail(400, 'Only project webhooks are simulated.');
    this.authorize(user, project.ownerId);
    const hook: Webhook = {
      id: this.id(),
      projectId: project.id,
      ownerId: user.id,
      targetUrl: String(body.target_url),
      description: String(body.description ?? ''),
      events: body.events as string[],
      contentType: String(body.content_type ?? 'application/json'),
      created: now(),
    };
    this.webhooks.set(hook.id, hook);
    return { status: 201, json: this.webhookJson(hook, ctx.origin) };
  }

  private createQualityReport(ctx: HandlerContext, user: User): Reply {
    const body = this.json(ctx);
    const task = this.task(Number(body.task_id));
    this.authorize(user, task.ownerId);
    const gt = [...this.jobs.values()].find((j) => j.taskId === task.id && j.type === 'ground_truth');
    if (!gt) throw fail(400, 'The task has no ground truth job.');
    if (gt.stage !== 'acceptance' || gt.state !== 'completed')
      throw fail(400, 'The ground truth job must be in the acceptance stage and completed.');
    const rqId = `action=calculate&target=task&target_id=${task.id}&subresource=quality`;
    this.enqueue(
      'quality_reports',
      user,
      {
        type: 'calculate:quality',
        target: 'task',
        project_id: task.projectId,
        task_id: task.id,
        job_id: null,
        format: null,
        function_id: null,
      },
      rqId,
      (rq) => {
        const report = { id: this.id(), taskId: task.id, created: now() };
        this.reports.push(report);
        rq.resultId = report.id;
      },
    );
    return { status: 202, json: { rq_id: rqId } };
  }

  private createMerge(ctx: HandlerContext, user: User): Reply {
    const body = this.json(ctx);
    const task = this.task(Number(body.task_id));
    this.authorize(user, task.ownerId);
    const replicas = [...this.jobs.values()].filter((j) => j.taskId === task.id && j.type === 'consensus_replica');
    if (replicas.length === 0) throw fail(400, 'The task has no consensus replicas.');
    if (!replicas.some((j) => !['new', 'annotation'].includes(j.state)))
      throw fail(400, 'No replica has been worked on: nothing to merge.');
    const rqId = `action=merge&target=task&target_id=${task.id}`;
    this.enqueue(
      'consensus',
      user,
      { type: 'merge:task', target: 'task', project_id: task.projectId, task_id: task.id, job_id: null, format: null, function_id: null },
      rqId,
      () => undefined,
    );
    return { status: 202, json: { rq_id: rqId } };
  }

  /**
   * `POST /api/events` as cvat-ai/cvat@v2.73.0 cvat/apps/events/serializers.py `ClientEventsSerializer` validates
   * it: `source` defaults to "client" and only "client" has allowed scopes; `payload` must parse as JSON.
   */
  private postEvents(ctx: HandlerContext, user: User): Reply {
    this.authorize(user);
    const body = this.json(ctx) as { timestamp: string; events?: Record<string, unknown>[] };
    const events: Record<string, unknown>[] = (body.events ?? []).map((event) => ({
      ...event,
      source: event.source === undefined ? 'client' : event.source,
    }));
    for (const event of events) {
      const source = event.source === null ? 'None' : String(event.source);
      if (event.source !== 'client' || !CLIENT_EVENT_SCOPES.has(String(event.scope))) {
        return { status: 400, json: { scope: [`Event scope **${String(event.scope)}** is not allowed from ${source}`] } };
      }
      try {
        JSON.parse(event.payload === undefined ? '{}' : String(event.payload));
      } catch {
        return { status: 400, json: { payload: ['JSON payload is not valid in passed event'] } };
      }
    }
    if (!this.faults.analyticsDown) {
      this.later(this.latency.vectorMs, () => {
        for (const event of events) {
          this.clickhouse.push({
            timestamp: String(event.timestamp),
            scope: String(event.scope),
            source: String(event.source),
            payload: String(event.payload ?? '{}'),
            userId: user.id,
          });
        }
      });
    }
    return {
      status: 201,
      json: { timestamp: body.timestamp, events: events.map((e) => ({ ...e, user_id: user.id, user_name: user.username })) },
    };
  }

  private exportEvents(ctx: HandlerContext, user: User): Reply {
    if (!user.superuser) throw fail(403, 'You do not have permission to perform this action.');
    this.authorize(user);
    const from = ctx.query.get('from');
    const rqId = `action=export&target=events&id=${randomUUID()}&user_id=${user.id}`;
    this.enqueue(
      'export',
      user,
      { type: 'export:events', target: 'events', project_id: null, task_id: null, job_id: null, format: null, function_id: null },
      rqId,
      (rq) => {
        // cvat/apps/events/export.py@v2.73.0 `_create_csv`: source in ('server', 'client'), scope != 'send:exception'.
        const rows = this.clickhouse.filter(
          (e) => ['server', 'client'].includes(e.source) && e.scope !== 'send:exception' && (from === null || e.timestamp >= from),
        );
        const csv = [
          'scope,timestamp,user_id,payload',
          ...rows.map((r) => `${r.scope},${r.timestamp},${r.userId},"${r.payload.replace(/"/g, '""')}"`),
        ].join('\n');
        this.storeResult(rq, ctx.origin, '/api/events/download', Buffer.from(csv), 'text/csv');
      },
    );
    return { status: 202, json: { rq_id: rqId } };
  }
}

/** A tiny PNG (used by tests that need an image without the suite's generator). */
export function standInPng(): Buffer {
  return encodePng(2, 2, () => [200, 100, 50]);
}

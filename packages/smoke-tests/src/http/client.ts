/**
 * The HTTP client every check uses: undici 7 over one keep-alive `Agent`, bounded retries for idempotent
 * methods only ({@link shouldRetry}), a per-request timeout, multipart uploads that stream from disk
 * ({@link MultipartForm}) and downloads that stream to disk.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { describeError } from '@cvat-cloud/runtime/edge';
import { SmokeError } from '../errors';
import type { MultipartForm } from './multipart';
import { DEFAULT_RETRY_POLICY, errorCode, retryDelayMs, shouldRetry, type RetryPolicy } from './retry';

/** How a request authenticates (OpenAPI `securitySchemes` of CVAT v2.73: basicAuth, tokenAuth, sessionAuth). */
export type Credentials =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'token'; readonly key: string }
  | { readonly kind: 'session'; readonly sessionId: string; readonly csrfToken?: string };

/** No credentials. */
export const ANONYMOUS: Credentials = Object.freeze({ kind: 'none' });

/** One request attempt, reported to {@link CvatClientOptions.onExchange} (progress output, retry counts in tests). */
export interface HttpExchange {
  readonly method: string;
  /** Path and query relative to the base URL (or the absolute URL when it is on another origin). */
  readonly target: string;
  readonly attempt: number;
  readonly status?: number;
  readonly error?: string;
  readonly durationMs: number;
  /** Whether the client will send the request again. */
  readonly willRetry: boolean;
}

/** Options of {@link CvatClient}. */
export interface CvatClientOptions {
  /** The deployment's public base URL, e.g. `https://cvat.example.org` (the edge, not a container app). */
  readonly baseUrl: string;
  /**
   * Time for one request attempt, headers and body together, in milliseconds.
   * @default 30000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Overrides of the retry policy for idempotent requests.
   * @default DEFAULT_RETRY_POLICY
   */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Sockets kept per origin by the keep-alive agent.
   * @default 16
   */
  readonly connections?: number;
  /**
   * How long an idle keep-alive socket is kept, in milliseconds.
   * @default 30000
   */
  readonly keepAliveTimeoutMs?: number;
  /**
   * `User-Agent` header.
   * @default 'cvat-cloud-smoke-tests'
   */
  readonly userAgent?: string;
  /**
   * A dispatcher to use instead of the client's own keep-alive agent (tests); the caller then closes it.
   * @default - a new undici Agent owned by the client
   */
  readonly dispatcher?: Dispatcher;
  /** Called after every attempt. @default - nothing */
  readonly onExchange?: (exchange: HttpExchange) => void;
  /** Called before every attempt is sent (the run counts requests that may create objects). @default - nothing */
  readonly onSend?: (method: string, url: URL) => void;
}

/** Query values; `undefined` entries are left out. */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** Options of one {@link CvatClient.request}. */
export interface RequestOptions {
  readonly query?: Query;
  /** A JSON body (sent as `application/json`). */
  readonly json?: unknown;
  /** A multipart body whose file parts stream from disk. */
  readonly form?: MultipartForm;
  /** @default ANONYMOUS */
  readonly auth?: Credentials;
  readonly headers?: Readonly<Record<string, string>>;
  /** Accepted statuses; anything else throws a {@link SmokeError} `http`. @default - any status is returned */
  readonly expect?: number | readonly number[];
  readonly signal?: AbortSignal;
  /** Overrides {@link CvatClientOptions.requestTimeoutMs} for this request. */
  readonly timeoutMs?: number;
  /**
   * How to read the body: `auto` parses JSON content types and returns text otherwise, `buffer` returns the
   * bytes, `discard` drops them.
   * @default 'auto'
   */
  readonly read?: 'auto' | 'buffer' | 'discard';
  /**
   * Whether the client's retry policy applies. `false` for requests whose 429 or 503 the check reads itself
   * (the chunk endpoint's 429 means "the chunks worker did not build it in time").
   * @default true
   */
  readonly retry?: boolean;
}

/** A response whose body has been read. */
export interface HttpResponse<T = unknown> {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: T;
  /** The request as shown in messages, e.g. `GET /api/tasks/3`. */
  readonly what: string;
  /** How many attempts it took (1 = no retry). */
  readonly attempts: number;
}

/** Result of {@link CvatClient.download}. */
export interface DownloadResult {
  readonly status: number;
  readonly bytes: number;
  readonly contentType: string;
  readonly path: string;
}

const DEFAULT_ACCEPT = 'application/vnd.cvat+json, application/json;q=0.9, */*;q=0.5';

/** The smoke suite's HTTP client. One instance per run; {@link CvatClient.close} releases the sockets. */
export class CvatClient {
  readonly baseUrl: URL;
  readonly requestTimeoutMs: number;
  readonly retryPolicy: RetryPolicy;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly userAgent: string;
  private readonly onExchange: ((exchange: HttpExchange) => void) | undefined;
  private readonly onSend: ((method: string, url: URL) => void) | undefined;

  constructor(options: CvatClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new SmokeError(
        'config',
        `'url' (${JSON.stringify(options.baseUrl)}) is not an absolute URL; expected e.g. https://cvat.example.org`,
      );
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new SmokeError('config', `'url' (${options.baseUrl}) must use http or https`);
    }
    base.pathname = `${base.pathname.replace(/\/+$/, '')}/`;
    this.baseUrl = base;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.userAgent = options.userAgent ?? 'cvat-cloud-smoke-tests';
    this.onExchange = options.onExchange;
    this.onSend = options.onSend;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connections: options.connections ?? 16,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
        keepAliveMaxTimeout: Math.max(options.keepAliveTimeoutMs ?? 30_000, 60_000),
      });
  }

  /** Resolves a path (relative to the base URL) or an absolute URL, adding the query. */
  url(pathOrUrl: string, query?: Query): URL {
    const url = /^https?:\/\//.test(pathOrUrl) ? new URL(pathOrUrl) : new URL(pathOrUrl.replace(/^\/+/, ''), this.baseUrl);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  /** How a URL is shown in messages: relative to the base when on its origin. */
  display(url: URL): string {
    return url.origin === this.baseUrl.origin ? `${url.pathname}${url.search}` : url.href;
  }

  /** Sends a request, retrying idempotent ones per the policy, and reads the body. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const url = this.url(path, options.query);
    const what = `${method} ${this.display(url)}`;
    const { status, headers, attempts, body } = await this.send(method, url, what, options, async (res) => {
      const read = options.read ?? 'auto';
      if (read === 'discard') {
        await res.body.dump();
        return undefined;
      }
      const buffer = Buffer.from(await res.body.arrayBuffer());
      if (read === 'buffer') return buffer;
      const text = buffer.toString('utf8');
      const type = headerValue(res.headers, 'content-type') ?? '';
      if (/json/i.test(type) && text.length > 0) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new SmokeError(
            'assertion',
            `${what} answered ${res.statusCode} with content-type ${type} but the body is not JSON: ${excerpt(text)}`,
          );
        }
      }
      return text;
    });
    const response: HttpResponse<T> = { status, headers, body: body as T, what, attempts };
    if (options.expect !== undefined) expectStatus(response, options.expect);
    return response;
  }

  /**
   * Streams a GET response body into `path` (created or truncated). Retried from the start on a transient
   * failure, like any GET. Throws a {@link SmokeError} `http` unless the status is 200.
   */
  async download(
    pathOrUrl: string,
    path: string,
    options: Omit<RequestOptions, 'json' | 'form' | 'read' | 'expect'> = {},
  ): Promise<DownloadResult> {
    const url = this.url(pathOrUrl, options.query);
    const what = `GET ${this.display(url)}`;
    const result = await this.send('GET', url, what, options, async (res) => {
      if (res.statusCode !== 200) {
        const text = await res.body.text().catch(() => '');
        return { bytes: -1, text };
      }
      let bytes = 0;
      res.body.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      await pipeline(res.body, createWriteStream(path));
      return { bytes, text: '' };
    });
    if (result.status !== 200) {
      throw new SmokeError('http', `${what} answered ${result.status}, expected 200: ${excerpt(result.body.text)}`, {
        status: result.status,
      });
    }
    return { status: result.status, bytes: result.body.bytes, contentType: headerValue(result.headers, 'content-type') ?? '', path };
  }

  /** Closes the keep-alive sockets (only when the client created its own agent). */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async send<B>(
    method: string,
    url: URL,
    what: string,
    options: Omit<RequestOptions, 'read' | 'expect'>,
    readBody: (res: Dispatcher.ResponseData) => Promise<B>,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; attempts: number; body: B }> {
    const timeoutMs = Math.max(1, Math.round(options.timeoutMs ?? this.requestTimeoutMs));
    const headers: Record<string, string> = {
      accept: DEFAULT_ACCEPT,
      'user-agent': this.userAgent,
      ...authHeaders(options.auth ?? ANONYMOUS, method, this.baseUrl),
      ...options.headers,
    };
    let json: string | undefined;
    if (options.json !== undefined) {
      json = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    for (let attempt = 1; ; attempt++) {
      if (options.signal?.aborted) throw new SmokeError('aborted', `${what} was not sent: the run was interrupted`);
      let body: string | Readable | undefined = json;
      if (options.form !== undefined) {
        const encoded = await options.form.encode();
        body = encoded.body;
        headers['content-type'] = encoded.contentType;
        headers['content-length'] = String(encoded.length);
      }
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      const started = performance.now();
      let status: number | undefined;
      this.onSend?.(method, url);
      try {
        const res = await undiciRequest(url, {
          method: method as Dispatcher.HttpMethod,
          headers,
          body,
          dispatcher: this.dispatcher,
          signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        status = res.statusCode;
        const retryAfter = headerValue(res.headers, 'retry-after');
        const retry = options.retry !== false && shouldRetry(method, attempt, { status, retryAfter }, this.retryPolicy);
        if (retry) {
          await res.body.dump().catch(() => undefined);
          this.report({ method, target: this.display(url), attempt, status, durationMs: performance.now() - started, willRetry: true });
          await sleep(retryDelayMs(attempt, this.retryPolicy, retryAfter), options.signal);
          continue;
        }
        const read = await readBody(res);
        this.report({ method, target: this.display(url), attempt, status, durationMs: performance.now() - started, willRetry: false });
        return { status, headers: res.headers, attempts: attempt, body: read };
      } catch (error) {
        if (error instanceof SmokeError) throw error;
        const durationMs = performance.now() - started;
        if (options.signal?.aborted) {
          this.report({ method, target: this.display(url), attempt, status, error: 'aborted', durationMs, willRetry: false });
          throw new SmokeError('aborted', `${what} was interrupted`, { cause: error });
        }
        if (timeout.aborted || errorCode(error) === 'UND_ERR_HEADERS_TIMEOUT' || errorCode(error) === 'UND_ERR_BODY_TIMEOUT') {
          this.report({ method, target: this.display(url), attempt, status, error: 'timeout', durationMs, willRetry: false });
          throw new SmokeError('timeout', `${what} got no complete answer within ${formatSeconds(timeoutMs)}`, { cause: error });
        }
        const retry = options.retry !== false && shouldRetry(method, attempt, { error }, this.retryPolicy);
        this.report({
          method,
          target: this.display(url),
          attempt,
          status,
          error: errorCode(error) ?? describeError(error),
          durationMs,
          willRetry: retry,
        });
        if (retry) {
          await sleep(retryDelayMs(attempt, this.retryPolicy), options.signal);
          continue;
        }
        const code = errorCode(error);
        throw new SmokeError('http', `${what} failed: ${code ? `${code} ` : ''}${describeError(error)}`, { cause: error });
      }
    }
  }

  private report(exchange: HttpExchange): void {
    this.onExchange?.(exchange);
  }
}

/** Throws a {@link SmokeError} `http` naming the request, the status and an excerpt of the body unless the status is expected. */
export function expectStatus(response: HttpResponse, expected: number | readonly number[]): void {
  const list = typeof expected === 'number' ? [expected] : expected;
  if (list.includes(response.status)) return;
  const attempts = response.attempts > 1 ? ` after ${response.attempts} attempts` : '';
  throw new SmokeError(
    'http',
    `${response.what} answered ${response.status}${attempts}, expected ${list.join(' or ')}: ${excerpt(response.body)}`,
    {
      status: response.status,
    },
  );
}

/** The headers that carry `credentials`. Session auth adds the CSRF header and `Origin` Django requires on unsafe methods. */
export function authHeaders(credentials: Credentials, method: string, baseUrl: URL): Record<string, string> {
  switch (credentials.kind) {
    case 'none':
      return {};
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` };
    case 'token':
      return { authorization: `Token ${credentials.key}` };
    case 'session': {
      const cookies = [`sessionid=${credentials.sessionId}`];
      if (credentials.csrfToken) cookies.push(`csrftoken=${credentials.csrfToken}`);
      const headers: Record<string, string> = { cookie: cookies.join('; ') };
      if (!['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) && credentials.csrfToken) {
        headers['x-csrftoken'] = credentials.csrfToken;
        headers.origin = baseUrl.origin;
        headers.referer = baseUrl.href;
      }
      return headers;
    }
  }
}

/** The first value of a header. */
export function headerValue(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Cookies set by a response, as name → value. */
export function responseCookies(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const raw = headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const cookies: Record<string, string> = {};
  for (const line of list) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0) cookies[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return cookies;
}

/** A short, single-line excerpt of a body for messages. */
export function excerpt(body: unknown, max = 200): string {
  if (body === undefined || body === null || body === '') return '(empty body)';
  const text = Buffer.isBuffer(body) ? `<${body.length} bytes>` : typeof body === 'string' ? body : JSON.stringify(body);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** `1500` → `1.5 s`. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(s < 10 ? 2 : 1)} s`;
}

/** Sleeps `ms`, ending early (with a `SmokeError` `aborted`) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new SmokeError('aborted', 'interrupted while waiting'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new SmokeError('aborted', 'interrupted while waiting'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

import type { TokenCredential } from '@azure/identity';
import type { Pipeline } from '@azure/core-rest-pipeline';

/** Public-cloud Azure Resource Manager endpoint. */
export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';
/** Token scope of Azure Resource Manager. */
export const ARM_SCOPE = 'https://management.azure.com/.default';

/** Where and how preflight talks to Azure Resource Manager. */
export interface ArmTarget {
  /** Base URL without a trailing slash. @default DEFAULT_ARM_ENDPOINT */
  readonly endpoint: string;
  readonly credential: TokenCredential;
  /**
   * True only for a plain-http loopback endpoint (a test double): requests go without a bearer token,
   * because the SDK's bearer policy refuses non-TLS URLs.
   */
  readonly insecureLoopback: boolean;
  /** Retries of throttled (429 + Retry-After) and transient failures. @default 3 */
  readonly maxRetries: number;
}

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

/**
 * Builds an {@link ArmTarget}; only `http://127.0.0.1`/`localhost` endpoints may be plain http.
 *
 * @throws Error naming the endpoint when it is http but not loopback
 */
export function armTarget(credential: TokenCredential, endpoint = DEFAULT_ARM_ENDPOINT, maxRetries = 3): ArmTarget {
  const base = endpoint.replace(/\/+$/, '');
  const insecureLoopback = LOOPBACK.test(base);
  if (base.startsWith('http://') && !insecureLoopback) {
    throw new Error(`ARM endpoint '${base}' must use https (plain http is only accepted for 127.0.0.1/localhost test servers)`);
  }
  return { endpoint: base, credential, insecureLoopback, maxRetries };
}

/** Options for an `@azure/arm-*` client constructor built from a target. */
export function sdkClientOptions(target: ArmTarget): {
  endpoint: string;
  allowInsecureConnection?: boolean;
  retryOptions: { maxRetries: number };
} {
  return {
    endpoint: target.endpoint,
    ...(target.insecureLoopback ? { allowInsecureConnection: true } : {}),
    retryOptions: { maxRetries: target.maxRetries },
  };
}

/** Removes the bearer policy of a core-client SDK client aimed at a loopback double (it refuses http). */
export function adaptSdkPipeline(client: { pipeline: Pipeline }, target: ArmTarget): void {
  if (target.insecureLoopback) client.pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });
}

/** A failed ARM call: HTTP status and the ARM error code (`{ error: { code, message } }`), when there was a response. */
export class ArmCallError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | undefined,
    readonly armCode: string | undefined,
  ) {
    super(message);
    this.name = 'ArmCallError';
  }
}

/** Normalizes an error thrown by the hand-written client or an SDK (RestError) into an {@link ArmCallError}. */
export function toArmCallError(error: unknown): ArmCallError {
  if (error instanceof ArmCallError) return error;
  const e = error as { statusCode?: number; code?: string; message?: string; details?: { error?: { code?: string; message?: string } } };
  const armCode =
    e.details?.error?.code ?? (e.code && !/^(ECONN|ENOTFOUND|ETIMEDOUT|REQUEST_SEND_ERROR)/.test(e.code) ? e.code : undefined);
  const message = e.details?.error?.message ?? e.message ?? String(error);
  return new ArmCallError(message, e.statusCode, armCode);
}

/** One line describing a failed call: `HTTP 403 AuthorizationFailed: …`. */
export function describeArmError(error: unknown): string {
  const e = toArmCallError(error);
  const head = [e.statusCode !== undefined ? `HTTP ${e.statusCode}` : undefined, e.armCode].filter(Boolean).join(' ');
  const text = e.message.split('\n')[0].slice(0, 300);
  return head ? `${head}: ${text}` : text;
}

/**
 * A minimal ARM client over `@azure/core-rest-pipeline` for the calls whose Node-20-compatible SDK would
 * add a package (see packages/infra/README.md): JSON in and out, ARM error bodies turned into
 * {@link ArmCallError}, `nextLink` paging, and the pipeline's retry policies (429 with `Retry-After`,
 * 5xx, connection errors) bounded by `maxRetries`.
 */
export class ArmClient {
  private readonly pipeline: Pipeline;
  private readonly httpClient: ReturnType<typeof import('@azure/core-rest-pipeline').createDefaultHttpClient>;
  private readonly rest: typeof import('@azure/core-rest-pipeline');

  constructor(readonly target: ArmTarget) {
    // Loaded here, not at module load, so `--help` never pays for the SDK.
    this.rest = require('@azure/core-rest-pipeline') as typeof import('@azure/core-rest-pipeline');
    this.pipeline = this.rest.createPipelineFromOptions({
      retryOptions: { maxRetries: target.maxRetries },
      userAgentOptions: { userAgentPrefix: 'cvat-cloud-preflight' },
    });
    if (!target.insecureLoopback) {
      this.pipeline.addPolicy(this.rest.bearerTokenAuthenticationPolicy({ credential: target.credential, scopes: ARM_SCOPE }));
    }
    this.httpClient = this.rest.createDefaultHttpClient();
  }

  /**
   * Sends one request. `path` is relative to the endpoint (or an absolute `nextLink`); `query` is added,
   * including `api-version`.
   *
   * @returns the parsed JSON body, or `undefined` for 404 when `allowNotFound` is set
   */
  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    options: { query?: Record<string, string>; body?: unknown; allowNotFound?: boolean; abortSignal?: AbortSignal } = {},
  ): Promise<T | undefined> {
    const url = new URL(/^https?:\/\//.test(path) ? path : `${this.target.endpoint}${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const request = this.rest.createPipelineRequest({
      url: url.toString(),
      method,
      headers: this.rest.createHttpHeaders({
        accept: 'application/json',
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      }),
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      allowInsecureConnection: this.target.insecureLoopback,
      abortSignal: options.abortSignal,
    });
    const response = await this.pipeline.sendRequest(this.httpClient, request);
    if (response.status === 404 && options.allowNotFound) return undefined;
    let parsed: unknown;
    try {
      parsed = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.status >= 400) {
      const err = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ArmCallError(err?.message ?? (response.bodyAsText?.slice(0, 200) || `HTTP ${response.status}`), response.status, err?.code);
    }
    return parsed as T;
  }

  /** Follows `nextLink` until the last page and returns every `value` item. */
  async list<T>(
    path: string,
    options: { query?: Record<string, string>; abortSignal?: AbortSignal; maxPages?: number } = {},
  ): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    let query: Record<string, string> | undefined = options.query;
    for (let page = 0; next; page++) {
      if (page >= (options.maxPages ?? 100))
        throw new ArmCallError(`more than ${options.maxPages ?? 100} pages from ${path}`, undefined, undefined);
      const body: { value?: T[]; nextLink?: string | null } | undefined = await this.request('GET', next, {
        query,
        abortSignal: options.abortSignal,
      });
      items.push(...(body?.value ?? []));
      next = body?.nextLink ?? undefined;
      // A nextLink carries its own query (api-version, skip token).
      query = undefined;
    }
    return items;
  }
}

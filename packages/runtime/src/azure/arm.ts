/**
 * Azure Resource Manager client set-up and failure mapping, for every `@azure/arm-*` client
 * (`new XClient(setup.credential, subscriptionId, setup.options)`), without importing any of them.
 *
 * Retries: throttling (429/503 with Retry-After) and transient failures (connection resets, 5xx) are retried by the
 * SDK pipeline's default retry policy (core-rest-pipeline `defaultRetryPolicy`), which honours Retry-After and
 * otherwise backs off exponentially. Never retry on top of it: a second loop multiplies the attempts ARM asked to slow.
 */
import type { TokenCredential } from '@azure/identity';
import { CliError, describeError, isUnreachable } from '../errors';
import { EXIT } from '../exit';
import { authError } from './credentials';
import { printable, redactUrl } from '../redact';

/** Default Azure Resource Manager endpoint (public cloud). */
export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';

/** Retry settings of ARM calls. */
export const ARM_RETRY_DEFAULTS = {
  /** Attempts after the first. @default 4 */
  maxRetries: 4,
  /** First back-off step when ARM sends no Retry-After. @default 1000 */
  retryDelayInMs: 1000,
  /** Cap of the exponential back-off. @default 30000 */
  maxRetryDelayInMs: 30_000,
} as const;

/** Name of the SDK's bearer-token policy (core-rest-pipeline `bearerTokenAuthenticationPolicyName`). */
export const BEARER_POLICY_NAME = 'bearerTokenAuthenticationPolicy';

const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/i;

/** True for a plain-http URL on 127.0.0.1 / localhost / [::1] (the only place a test double may listen). */
export function isLoopbackHttp(url: string): boolean {
  return LOOPBACK_HTTP.test(url);
}

/** A credential that is never asked for a token: for loopback endpoints where the bearer policy is removed. */
export const NO_CREDENTIAL: TokenCredential = {
  getToken: () => Promise.reject(new Error('no credential: loopback endpoint without authentication')),
};

/** Options of {@link armClientSetup}. */
export interface ArmClientSetupOptions {
  /**
   * ARM endpoint, e.g. a loopback test double `http://127.0.0.1:PORT`. Plain http is accepted only on loopback.
   * @default https://management.azure.com
   */
  readonly endpoint?: string;
  /** Where the endpoint came from, for the error (e.g. `CVAT_OPS_ARM_ENDPOINT`). @default 'the ARM endpoint' */
  readonly endpointSource?: string;
  /** Returns the credential; not called for a loopback endpoint. */
  readonly credential: () => Promise<TokenCredential>;
  /** Attempts after the first. @default ARM_RETRY_DEFAULTS.maxRetries */
  readonly maxRetries?: number;
  /** Prefix of the User-Agent header, e.g. `cvat-ops`. */
  readonly userAgent?: string;
}

/** What every ARM client constructor needs. */
export interface ArmClientSetup {
  /** The credential; {@link NO_CREDENTIAL} for a loopback endpoint (remove the bearer policy, see {@link withoutAuth}). */
  readonly credential: TokenCredential;
  /** True for a plain-http loopback endpoint: call `client.pipeline.removePolicy({ name: BEARER_POLICY_NAME })`. */
  readonly withoutAuth: boolean;
  readonly options: {
    endpoint: string;
    allowInsecureConnection?: boolean;
    retryOptions: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
    userAgentOptions?: { userAgentPrefix: string };
  };
}

/**
 * Builds ARM client arguments: the public endpoint with the real credential normally; a loopback http endpoint
 * (test doubles) with no credential at all. Any other http endpoint is a CONFIG error naming its source.
 */
export async function armClientSetup(options: ArmClientSetupOptions): Promise<ArmClientSetup> {
  const endpoint = (options.endpoint || DEFAULT_ARM_ENDPOINT).replace(/\/+$/, '');
  const loopback = isLoopbackHttp(endpoint);
  if (!endpoint.startsWith('https://') && !loopback) {
    throw new CliError(
      EXIT.CONFIG,
      `ARM endpoint '${redactUrl(printable(endpoint))}' must use https (plain http is only accepted for 127.0.0.1/localhost test servers). ` +
        `Fix ${options.endpointSource ?? 'the ARM endpoint'}.`,
    );
  }
  const wanted = options.maxRetries;
  const maxRetries = wanted !== undefined && Number.isInteger(wanted) && wanted >= 0 ? wanted : ARM_RETRY_DEFAULTS.maxRetries;
  return {
    credential: loopback ? NO_CREDENTIAL : await options.credential(),
    withoutAuth: loopback,
    options: {
      endpoint,
      ...(loopback ? { allowInsecureConnection: true } : {}),
      retryOptions: { ...ARM_RETRY_DEFAULTS, maxRetries },
      ...(options.userAgent ? { userAgentOptions: { userAgentPrefix: options.userAgent } } : {}),
    },
  };
}

/** Removes the bearer policy from a client built for a loopback endpoint (no-op otherwise). */
export function applyArmSetup<C extends { pipeline: { removePolicy(options: { name: string }): unknown } }>(
  client: C,
  setup: ArmClientSetup,
): C {
  if (setup.withoutAuth) client.pipeline.removePolicy({ name: BEARER_POLICY_NAME });
  return client;
}

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message: string;
}

function asRest(error: unknown): RestErrorLike | undefined {
  return error instanceof Error ? (error as Error & RestErrorLike) : undefined;
}

/** HTTP status of an ARM failure, if it came from a response. */
export function armStatus(error: unknown): number | undefined {
  return asRest(error)?.statusCode;
}

/** True for 404 / `ResourceNotFound` / `ResourceGroupNotFound`. */
export function isNotFound(error: unknown): boolean {
  const e = asRest(error);
  return e?.statusCode === 404 || e?.code === 'ResourceNotFound' || e?.code === 'ResourceGroupNotFound';
}

/** One line for a report: `409 Conflict: <ARM message>` or the error's first line. */
export function armReason(error: unknown): string {
  const e = asRest(error);
  if (!e) return String(error);
  // ARM messages usually end with their own full stop; drop one so callers that add '. <next step>' print one, not two.
  const message = (e.message.split('\n')[0] ?? '').trim().replace(/(?<!\.)\.\s*$/, '') || e.code || 'unknown error';
  const parts = [
    e.statusCode !== undefined ? String(e.statusCode) : undefined,
    e.code && !message.includes(e.code) ? e.code : undefined,
  ].filter(Boolean);
  return parts.length > 0 ? `${parts.join(' ')}: ${message}` : message;
}

/**
 * Maps an ARM failure of a whole command (not one item of a batch) to a {@link CliError}: credential, 401/403 and
 * `SubscriptionNotFound` → AUTH; a missing resource group or resource → NOT_FOUND; 5xx after the pipeline's retries,
 * 429 after retries, or no answer at all → UNAVAILABLE; anything else → FAILED. `what` names the call
 * (`listing container apps in rg-cvat-dev`), `next` is the sentence that ends the message.
 */
export function armFailure(error: unknown, what: string, next: string): CliError {
  if (error instanceof CliError) return error;
  const auth = authError(error, what);
  if (auth) return auth;
  const e = asRest(error);
  if (e?.code === 'SubscriptionNotFound' || e?.code === 'InvalidSubscriptionId') {
    return new CliError(EXIT.AUTH, `${what} failed: ${armReason(error)}. The signed-in identity cannot see that subscription. ${next}`, {
      cause: error,
    });
  }
  if (e?.code === 'ResourceGroupNotFound' || e?.code === 'ResourceNotFound' || e?.statusCode === 404) {
    return new CliError(EXIT.NOT_FOUND, `${what} failed: ${armReason(error)}. ${next}`, { cause: error });
  }
  const status = e?.statusCode;
  if ((status !== undefined && (status >= 500 || status === 429)) || (status === undefined && isUnreachable(error))) {
    return new CliError(
      EXIT.UNAVAILABLE,
      `${what} failed: ${e ? armReason(error) : describeError(error)}. Azure did not answer usefully after retries. ${next}`,
      {
        cause: error,
      },
    );
  }
  return new CliError(EXIT.FAILED, `${what} failed: ${e ? armReason(error) : describeError(error)}. ${next}`, { cause: error });
}

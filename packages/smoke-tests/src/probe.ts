/**
 * One request before the run: `GET /api/server/about` (anonymous; cvat-ai/cvat@v2.73.0 cvat/apps/engine/views.py
 * `ServerViewSet.about` has no permission classes). It turns the two ways a whole run goes wrong at once into one
 * clear line each, before anything is created:
 *
 * - the target cannot be reached (connection refused, DNS, TLS, timeout): exit 7 (UNAVAILABLE) instead of a table
 *   of connection errors;
 * - the edge redirects http to https (the edge VM's Traefik answers every plain-http request on port 80 with a
 *   permanent redirect, packages/infra/cloud-init/traefik.yml `entryPoints.web.http.redirections`): exit 2 (or 4
 *   when the URL came from the environment file) with the https URL to use, instead of "answered 301" on every
 *   check. The client does not follow redirects, so a check would never reach CVAT.
 *
 * Any other answer (even an error status) goes on to the checks, which say what is wrong component by component.
 */
import type { Dispatcher } from 'undici';
import { CliError, EXIT, describeError } from '@cvat-cloud/runtime/edge';
import { isSmokeError } from './errors';
import { CvatClient, type HttpResponse, headerValue } from './http/client';

/** Statuses that redirect (RFC 9110 §15.4). */
export const REDIRECT_STATUSES: readonly number[] = [301, 302, 303, 307, 308];

/** Options of {@link probeTarget}. */
export interface ProbeOptions {
  /** The deployment's base URL (no user information). */
  readonly baseUrl: string;
  /** Where the URL came from (`--url`, `CVAT_URL`, `--env dev`), for the message. */
  readonly source: string;
  /** Time for one attempt in milliseconds. @default 15000 */
  readonly requestTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** undici dispatcher (tests). @default - the client's own */
  readonly dispatcher?: Dispatcher;
}

/** How to give a different URL, by where the URL came from. */
function useInstead(source: string, url: string): string {
  if (source === 'CVAT_URL') return `set CVAT_URL=${url}`;
  if (source.startsWith('--env')) return `set edge.hostname in the environment file, or give --url ${url}`;
  return `use --url ${url}`;
}

/** Throws a {@link CliError} when the target is unreachable or redirects http to https; returns otherwise. */
export async function probeTarget(options: ProbeOptions): Promise<void> {
  const client = new CvatClient({
    baseUrl: options.baseUrl,
    requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
    retry: { maxRetries: 1 },
    dispatcher: options.dispatcher,
  });
  const shown = client.baseUrl.href.replace(/\/$/, '');
  try {
    let res: HttpResponse;
    try {
      res = await client.request('GET', '/api/server/about', { signal: options.signal, read: 'discard' });
    } catch (error) {
      if (isSmokeError(error, 'aborted')) throw error;
      const cause = isSmokeError(error) && error.cause !== undefined ? error.cause : error;
      const why = isSmokeError(error, 'timeout') ? error.message : describeError(cause);
      throw new CliError(
        EXIT.UNAVAILABLE,
        `cannot reach ${shown} (from ${options.source}): ${why}. Nothing was created. ` +
          'Check the URL, its DNS name and that the deployment is running (cvat-ops status).',
        { cause: error },
      );
    }
    const location = headerValue(res.headers, 'location');
    if (!REDIRECT_STATUSES.includes(res.status) || location === undefined) return;
    let target: URL;
    try {
      target = new URL(location, client.url('/api/server/about'));
    } catch {
      return;
    }
    if (client.baseUrl.protocol !== 'http:' || target.protocol !== 'https:') return;
    const https = `https://${target.host}${client.baseUrl.pathname.replace(/\/+$/, '')}`;
    throw new CliError(
      options.source.startsWith('--env') ? EXIT.CONFIG : EXIT.USAGE,
      `${options.source} (${shown}) is redirected to https: ${res.what} answered ${res.status} with Location ${target.href}. ` +
        `The edge redirects http to https; ${useInstead(options.source, https)}. Nothing was created.`,
    );
  } finally {
    await client.close();
  }
}

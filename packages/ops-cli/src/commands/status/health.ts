/**
 * CVAT's server health endpoint (`GET /api/server/health/?format=json`, a django-health-check view, no auth):
 * 200 with every check `working`, otherwise 500 with the failing checks' messages. It covers the database, both
 * caches (Redis, kvrocks), disk and memory, and OPA (up and bundle loaded); not the workers, ClickHouse or vector.
 */

/** The fetch function used for the health check (injectable in tests). */
export type FetchLike = (
  url: string,
  init?: { signal?: AbortSignal; headers?: Record<string, string> },
) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

/** Result of the health check. */
export type ServerHealth =
  | { checked: false; reason: string }
  | { checked: true; url: string; reachable: false; error: string }
  | {
      checked: true;
      url: string;
      reachable: true;
      httpStatus: number;
      healthy: boolean;
      /** Check name → `working` or the failure text. */
      checks: Record<string, string>;
      /** Names of the checks not `working`. */
      failing: string[];
    };

/** Path of the health endpoint. */
export const HEALTH_PATH = '/api/server/health/?format=json';

/** Asks the server behind `baseUrl` (e.g. `https://cvat.example.org`) for its health; never throws. */
export async function checkServerHealth(baseUrl: string, fetchFn: FetchLike, timeoutMs = 10_000): Promise<ServerHealth> {
  const url = `${baseUrl.replace(/\/+$/, '')}${HEALTH_PATH}`;
  let status: number;
  let body: string;
  try {
    const response = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: 'application/json' } });
    status = response.status;
    body = await response.text();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return { checked: true, url, reachable: false, error: detail };
  }
  let checks: Record<string, string> = {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      checks = Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    }
  } catch {
    checks = {};
  }
  const failing = Object.entries(checks)
    .filter(([, v]) => v.toLowerCase() !== 'working')
    .map(([k]) => k);
  if (status !== 200 && Object.keys(checks).length === 0) checks = { response: body.slice(0, 200).trim() || `HTTP ${status}` };
  return { checked: true, url, reachable: true, httpStatus: status, healthy: status === 200 && failing.length === 0, checks, failing };
}

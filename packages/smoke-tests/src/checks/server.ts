/**
 * Item 1 of issue 6: the server is reachable, reports the catalogue's CVAT version, and its health report
 * (django-health-check) says every backing service works. The health report is fetched once and read by one
 * check per component, so a dead OPA bundle fails `opa.health` and nothing else.
 *
 * Upstream facts:
 * - `GET /api/server/about` (cvat-ai/cvat@v2.73.0 cvat/apps/engine/views.py `ServerViewSet.about`,
 *   `permission_classes=[]`) answers anyone with `{name, description, version, logo_url, subtitle}`.
 * - `/api/server/health/` is django-health-check's `MainView` (cvat/urls.py@v2.73.0 includes `health_check.urls`
 *   there; django-health-check pinned at 3.20.0 in cvat/requirements/base.txt). revsys/django-health-check@3.20.0
 *   health_check/views.py: `?format=json` answers `{identifier: pretty_status}`, status 500 when a critical
 *   check failed, else 200. Plugins of cvat/settings/base.py@v2.73.0 INSTALLED_APPS: `health_check.db`
 *   (`DatabaseBackend`), `health_check.cache` (one `CacheBackend` per CACHES entry: `Cache backend: default`,
 *   `Cache backend: media`), `health_check.contrib.psutil` (`DiskUsage`, `MemoryUsage`) and cvat.apps.health
 *   (`OPAHealthCheck`, cvat/apps/health/backends.py: `GET <CVAT_OPA_URL>/health?bundles` with
 *   `raise_for_status`, so an OPA without its bundle reads `unknown error: 500 Server Error: … for url: …`).
 *   A working line reads `working` (health_check/backends.py `pretty_status`).
 * - Django checks the request's host against ALLOWED_HOSTS on every server route (`CommonMiddleware` calls
 *   `request.get_host()`; django/django@5.2 django/http/request.py, with USE_X_FORWARDED_HOST = True from
 *   cvat/settings/base.py@v2.73.0, the host is X-Forwarded-Host when present, else Host) and answers
 *   `DisallowedHost` with its 400 page "Bad Request (400)".
 */
import type { ComponentKey } from '../components';
import { SmokeError } from '../errors';
import { expectShape, match } from '../expect';
import { excerpt, expectStatus, type HttpResponse } from '../http/client';
import type { CheckContext, CheckDefinition } from '../runner/types';

/** `v2.73.0` → `2.73.0`. */
export function normalizeVersion(version: string): string {
  return version.trim().replace(/^v/i, '');
}

export const serverAbout: CheckDefinition = {
  id: 'server.about',
  title: 'the API answers /api/server/about with the expected version',
  proves: 'The edge routes /api to the server, the server process runs, and it is the CVAT release the catalogue pins.',
  components: ['server'],
  dependsOn: [],
  timeoutMs: 20_000,
  async run(ctx) {
    ctx.step('GET /api/server/about');
    // Anonymous on purpose: the view has no permission classes, and credentials would make a wrong password look like a server fault.
    const res = await ctx.client.request<{ name: string; version: string }>('GET', '/api/server/about', { signal: ctx.signal });
    refusedHost(ctx, res);
    expectStatus(res, 200);
    expectShape(res.what, res.body, { name: match.string(), version: match.string(/\d+\.\d+/) });
    const seen = normalizeVersion(res.body.version);
    if (seen !== ctx.settings.expectedVersion) {
      throw new SmokeError(
        'assertion',
        `the server reports CVAT ${res.body.version}, ` +
          `expected ${ctx.settings.expectedVersion} (the catalogue's cvatVersion): the image tag and the catalogue disagree`,
      );
    }
    ctx.note(`${res.body.name} ${res.body.version}`);
  },
};

/**
 * Throws when the server answered Django's `DisallowedHost` page: the public hostname (or the X-Forwarded-Host
 * the edge sends) is not in the server's ALLOWED_HOSTS, which breaks every server route at once.
 */
export function refusedHost(ctx: CheckContext, res: HttpResponse): void {
  if (res.status === 400 && typeof res.body === 'string' && res.body.includes('Bad Request (400)')) {
    const server = ctx.components.get('server').name;
    throw new SmokeError(
      'assertion',
      `${res.what} answered Django's "Bad Request (400)" page: ` +
        `${server} refuses the host '${ctx.client.baseUrl.hostname}' (DisallowedHost); ` +
        `add it to ${server}'s ALLOWED_HOSTS, or make the edge forward it as Host / X-Forwarded-Host`,
      { status: 400 },
    );
  }
}

/** The health report: check name → status text (`working` when fine). */
export type HealthReport = Record<string, string>;

/** Fetches `/api/server/health/?format=json` once per run (200 when all checks work, 500 otherwise; both carry the report). */
export function healthReport(ctx: CheckContext): Promise<HealthReport> {
  return ctx.state.once('health', async () => {
    const res = await ctx.client.request('GET', '/api/server/health/', {
      query: { format: 'json' },
      headers: { accept: 'application/json' },
      signal: ctx.runSignal,
    });
    refusedHost(ctx, res);
    expectStatus(res, [200, 500]);
    const body = res.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length === 0) {
      throw new SmokeError('assertion', `${res.what} answered ${res.status} without a JSON health report: ${excerpt(body)}`);
    }
    const report: HealthReport = {};
    for (const [name, value] of Object.entries(body as Record<string, unknown>))
      report[name] = typeof value === 'string' ? value : JSON.stringify(value);
    return report;
  });
}

function isWorking(status: string): boolean {
  return /^working$/i.test(status.trim());
}

interface HealthLine {
  readonly id: string;
  readonly component: ComponentKey;
  readonly pattern: RegExp;
  readonly label: string;
  readonly proves: string;
}

/** The health lines owned by components other than the server itself. */
export const HEALTH_LINES: readonly HealthLine[] = [
  {
    id: 'database.health',
    component: 'database',
    pattern: /^DatabaseBackend$/i,
    label: 'DatabaseBackend',
    proves: 'The server reaches PostgreSQL with its credentials.',
  },
  {
    id: 'redis-inmem.health',
    component: 'redisInmem',
    pattern: /^Cache backend: default$/i,
    label: 'Cache backend: default',
    proves: 'The server reaches the in-memory Redis (RQ queues and the default cache).',
  },
  {
    id: 'redis-ondisk.health',
    component: 'redisOndisk',
    pattern: /^Cache backend: media$/i,
    label: 'Cache backend: media',
    proves: 'The server reaches kvrocks (the media cache of chunks and previews).',
  },
  {
    id: 'opa.health',
    component: 'opa',
    pattern: /^OPAHealthCheck$/i,
    label: 'OPAHealthCheck',
    proves: 'OPA is up and has loaded the policy bundle from /api/auth/rules.',
  },
];

export const serverHealth: CheckDefinition = {
  id: 'server.health',
  title: "the server's own health checks (disk, memory) work",
  proves: 'The server answers /api/server/health/ with a JSON report, and its disk and memory checks pass.',
  components: ['server'],
  dependsOn: [],
  timeoutMs: 20_000,
  async run(ctx) {
    ctx.step('GET /api/server/health/?format=json');
    const report = await healthReport(ctx);
    const own = Object.entries(report).filter(([name]) => !HEALTH_LINES.some((line) => line.pattern.test(name)));
    const broken = own.filter(([, status]) => !isWorking(status));
    if (broken.length > 0) {
      throw new SmokeError(
        'assertion',
        `health checks failing: ${broken.map(([name, status]) => `'${name}' reports "${status}"`).join('; ')}`,
      );
    }
    ctx.note(`health lines: ${Object.keys(report).join(', ')}`);
  },
};

function healthLineCheck(line: HealthLine): CheckDefinition {
  return {
    id: line.id,
    title: `the health check '${line.label}' works`,
    proves: line.proves,
    components: [line.component],
    dependsOn: [],
    timeoutMs: 20_000,
    async run(ctx) {
      ctx.step('GET /api/server/health/?format=json');
      const report = await healthReport(ctx);
      const name = Object.keys(report).find((n) => line.pattern.test(n));
      if (name === undefined) {
        throw new SmokeError('assertion', `the health report has no '${line.label}' line (it has: ${Object.keys(report).join(', ')})`);
      }
      if (!isWorking(report[name])) throw new SmokeError('assertion', `health check '${name}' reports "${report[name]}"`);
    },
  };
}

export const healthLineChecks: readonly CheckDefinition[] = HEALTH_LINES.map(healthLineCheck);

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultCatalogue, edgeRoutes, routeForPath, type Catalogue, type EdgeRoute } from '@cvat-cloud/catalogue';
import { renderTraefikRoutes, type TraefikRoutesOptions } from '../../src/edge/traefik-routes';

const HOST = 'cvat.example.com';
const backendUrls = {
  'cvat-server': 'http://cvat-server.env.westeurope.azurecontainerapps.io:8080',
  'cvat-ui': 'http://cvat-ui.env.westeurope.azurecontainerapps.io:8000',
  grafana: 'http://grafana.env.westeurope.azurecontainerapps.io:3000',
};

function withGrafana(enabled: boolean): Catalogue {
  const c = defaultCatalogue();
  return { ...c, components: c.components.map((x) => (x.name === 'grafana' ? { ...x, enabled } : x)) };
}

interface Router {
  rule: string;
  priority: number;
  service: string;
  middlewares?: string[];
  entryPoints: string[];
  tls: { certResolver: string };
}
interface Dynamic {
  http: {
    routers: Record<string, Router>;
    middlewares?: Record<
      string,
      { forwardAuth?: { address: string; authRequestHeaders?: string[] }; stripPrefix?: { prefixes: string[] } }
    >;
    services: Record<string, { loadBalancer: { passHostHeader: boolean; servers: { url: string }[] } }>;
  };
}

const render = (routes: readonly EdgeRoute[], o: Partial<TraefikRoutesOptions> = {}) =>
  parse(renderTraefikRoutes({ hostname: HOST, routes, backendUrls, ...o })) as Dynamic;

/**
 * A test double of Traefik's router selection for the matchers we emit (`Host` and `PathPrefix`
 * joined by `&&`): among the routers whose rule matches, the highest priority wins.
 * @see https://doc.traefik.io/traefik/routing/routers/#priority
 */
function traefikPick(dyn: Dynamic, host: string, path: string): { name: string; router: Router } | undefined {
  const matches = (rule: string) =>
    rule.split(' && ').every((m) => {
      const hostM = /^Host\(`([^`]+)`\)$/.exec(m);
      if (hostM) return hostM[1] === host;
      const prefixM = /^PathPrefix\(`([^`]+)`\)$/.exec(m);
      if (prefixM) return path.startsWith(prefixM[1]);
      throw new Error(`matcher ${m} is not understood by the test double`);
    });
  const hits = Object.entries(dyn.http.routers).filter(([, r]) => matches(r.rule));
  hits.sort((a, b) => b[1].priority - a[1].priority);
  if (hits.length > 1) expect(hits[0][1].priority, `tie for ${path}`).toBeGreaterThan(hits[1][1].priority);
  return hits[0] ? { name: hits[0][0], router: hits[0][1] } : undefined;
}

const PATHS = [
  '/',
  '/api',
  '/api/',
  '/api/server/about',
  '/apis',
  '/static/cvat/x.js',
  '/static',
  '/statistics',
  '/admin',
  '/admin/login/',
  '/django-rq/',
  '/analytics',
  '/analytics/d/abc',
  '/tasks/1',
  '/auth/login',
];

describe('renderTraefikRoutes', () => {
  it('routes /api/, /static/, /admin, /django-rq and /analytics to the server and the rest to the UI, when Grafana is off', () => {
    const dyn = render(edgeRoutes(withGrafana(false)));
    expect(Object.values(dyn.http.routers).map((r) => [r.rule, r.service])).toEqual([
      ['Host(`cvat.example.com`) && PathPrefix(`/api/`)', 'cvat-server'],
      ['Host(`cvat.example.com`) && PathPrefix(`/static/`)', 'cvat-server'],
      ['Host(`cvat.example.com`) && PathPrefix(`/admin`)', 'cvat-server'],
      ['Host(`cvat.example.com`) && PathPrefix(`/django-rq`)', 'cvat-server'],
      ['Host(`cvat.example.com`) && PathPrefix(`/analytics`)', 'cvat-server'],
      ['Host(`cvat.example.com`)', 'cvat-ui'],
    ]);
    expect(dyn.http.middlewares).toBeUndefined();
    expect(Object.keys(dyn.http.services)).toEqual(['cvat-server', 'cvat-ui']);
    expect(dyn.http.services['cvat-server'].loadBalancer.servers).toEqual([{ url: backendUrls['cvat-server'] }]);
    // The Host header reaches Django unchanged, so ALLOWED_HOSTS and the CSRF origin check see the public name.
    for (const s of Object.values(dyn.http.services)) expect(s.loadBalancer.passHostHeader).toBe(true);
    for (const r of Object.values(dyn.http.routers)) {
      expect(r.entryPoints).toEqual(['websecure']);
      expect(r.tls.certResolver).toBe('letsencrypt');
    }
  });

  it('routes /analytics to Grafana behind forwardAuth to the server with Cookie and Authorization and strips the prefix, when Grafana is on', () => {
    const dyn = render(edgeRoutes(withGrafana(true)));
    const picked = traefikPick(dyn, HOST, '/analytics/d/abc');
    expect(picked?.router).toMatchObject({ rule: 'Host(`cvat.example.com`) && PathPrefix(`/analytics`)', service: 'grafana' });
    expect(picked!.router.middlewares![0]).toBe('security-headers');
    const mw = picked!.router.middlewares!.slice(1).map((m) => dyn.http.middlewares![m]);
    expect(mw).toEqual([
      { forwardAuth: { address: `${backendUrls['cvat-server']}/analytics`, authRequestHeaders: ['Cookie', 'Authorization'] } },
      { stripPrefix: { prefixes: ['/analytics'] } },
    ]);
    expect(dyn.http.services.grafana.loadBalancer.servers).toEqual([{ url: backendUrls.grafana }]);
    expect(traefikPick(dyn, HOST, '/api/events')?.router.service).toBe('cvat-server');
  });

  it.each([false, true])('makes Traefik pick the same component as routeForPath for every sample path (grafana %s)', (grafana) => {
    const routes = edgeRoutes(withGrafana(grafana));
    const dyn = render(routes);
    for (const path of PATHS) {
      expect(traefikPick(dyn, HOST, path)?.router.service, path).toBe(routeForPath(routes, path)?.component);
    }
    // upstream compose's semantics: a bare /api and /statistics are UI pages, /api/... is the server
    expect(traefikPick(dyn, HOST, '/api')?.router.service).toBe('cvat-ui');
    expect(traefikPick(dyn, HOST, '/statistics')?.router.service).toBe('cvat-ui');
    expect(traefikPick(dyn, 'other.example.com', '/api/')).toBeUndefined();
  });

  it("keeps the catalogue order even when a later route has the longer rule (Traefik's default priority would not)", () => {
    const routes: EdgeRoute[] = [
      { pathPrefix: '/a', component: 'cvat-server', stripPrefix: false },
      { pathPrefix: '/a/very/long/prefix', component: 'grafana', stripPrefix: false },
      { pathPrefix: '/', component: 'cvat-ui', stripPrefix: false },
    ];
    const dyn = render(routes);
    expect(traefikPick(dyn, HOST, '/a/very/long/prefix/x')?.router.service).toBe(routeForPath(routes, '/a/very/long/prefix/x')?.component);
    expect(traefikPick(dyn, HOST, '/a/very/long/prefix/x')?.router.service).toBe('cvat-server');
  });

  it('follows a change of the routes: a new prefix, a renamed prefix and a new component all appear in the rendered configuration', () => {
    const base = edgeRoutes(withGrafana(false));
    const changed: EdgeRoute[] = [
      { pathPrefix: '/api/v3/', component: 'cvat-server', stripPrefix: false },
      ...base.filter((r) => r.pathPrefix !== '/api/'),
    ];
    changed.splice(changed.length - 1, 0, { pathPrefix: '/metrics', component: 'grafana', stripPrefix: true });
    const before = renderTraefikRoutes({ hostname: HOST, routes: base, backendUrls });
    const after = render(changed);
    expect(renderTraefikRoutes({ hostname: HOST, routes: changed, backendUrls })).not.toBe(before);
    const rules = Object.values(after.http.routers).map((r) => r.rule);
    expect(rules).toContain('Host(`cvat.example.com`) && PathPrefix(`/api/v3/`)');
    expect(rules).not.toContain('Host(`cvat.example.com`) && PathPrefix(`/api/`)');
    expect(traefikPick(after, HOST, '/metrics/x')?.router.service).toBe('grafana');
    expect(traefikPick(after, HOST, '/api/tasks')?.router.service).toBe('cvat-ui');
    expect(Object.values(after.http.middlewares ?? {})).toEqual([{ stripPrefix: { prefixes: ['/metrics'] } }]);
  });

  it('gives every router a distinct name, also for two routes of one component with prefixes that slug alike', () => {
    const dyn = render([
      { pathPrefix: '/a-b', component: 'cvat-server', stripPrefix: false },
      { pathPrefix: '/a/b', component: 'cvat-server', stripPrefix: false },
      { pathPrefix: '/', component: 'cvat-ui', stripPrefix: false },
    ]);
    expect(Object.keys(dyn.http.routers)).toEqual(['cvat-server-a-b', 'cvat-server-a-b-1', 'cvat-ui-root']);
  });

  it('throws error naming the field, when a route names a component without a backend URL', () => {
    expect(() => render([{ pathPrefix: '/', component: 'opa', stripPrefix: false }])).toThrow(
      "'routes[0].component' (opa) has no backend URL; known: cvat-server, cvat-ui, grafana",
    );
    expect(() =>
      render([
        {
          pathPrefix: '/x',
          component: 'cvat-ui',
          stripPrefix: false,
          forwardAuth: { component: 'opa', path: '/check', requestHeaders: [] },
        },
      ]),
    ).toThrow("'routes[0].forwardAuth.component' (opa) has no backend URL");
  });

  it('throws error naming the field, when a prefix or header could break out of the rule or the YAML', () => {
    expect(() => render([{ pathPrefix: '/x`) || Host(`evil', component: 'cvat-ui', stripPrefix: false }])).toThrow(
      "'routes[0].pathPrefix' (/x`) || Host(`evil) must start with / and use letters, digits and ._~/- only",
    );
    expect(() => render([{ pathPrefix: 'api', component: 'cvat-ui', stripPrefix: false }])).toThrow("'routes[0].pathPrefix' (api)");
    expect(() => render([{ pathPrefix: '/${x}', component: 'cvat-ui', stripPrefix: false }])).toThrow("'routes[0].pathPrefix' (/${x})");
    expect(() =>
      render([
        {
          pathPrefix: '/x',
          component: 'cvat-ui',
          stripPrefix: false,
          forwardAuth: { component: 'cvat-server', path: '/a', requestHeaders: ['Cookie: 1'] },
        },
      ]),
    ).toThrow("'routes[0].forwardAuth.requestHeaders[0]' (Cookie: 1) must be a header name");
    expect(() => render([])).toThrow("'routes' ([]) must hold at least one route");
  });
});

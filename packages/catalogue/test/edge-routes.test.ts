import { describe, expect, it } from 'vitest';
import {
  ANALYTICS_PATH_PREFIX,
  CATALOGUE_PACKAGE_ROOT,
  SERVER_PATH_PREFIXES,
  UPSTREAM_COMPOSE,
  edgeRoutes,
  parseEnvironmentConfig,
  resolveCatalogue,
  routeForPath,
  type Catalogue,
} from '../src/index';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function resolved(grafana: boolean): Catalogue {
  const config = parseEnvironmentConfig({
    name: 'dev',
    grafana,
    adminCidrs: ['203.0.113.0/24'],
    edge: { acmeEmail: 'ops@cvat-cloud.dev' },
  });
  const r = resolveCatalogue(config.value!);
  if (!r.value) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.value;
}
const target = (c: Catalogue, path: string) => routeForPath(edgeRoutes(c), path)?.component;

describe('edgeRoutes', () => {
  it('sends the API, static files, admin and django-rq to the server and every other path to the UI', () => {
    const c = resolved(false);
    for (const path of ['/api/server/about', '/static/admin/css/base.css', '/admin/', '/admin', '/django-rq/queues/'])
      expect(target(c, path), path).toBe('cvat-server');
    for (const path of ['/', '/tasks/1', '/auth/login', '/api', '/statistics']) expect(target(c, path), path).toBe('cvat-ui');
  });

  it('sends /analytics to the server when Grafana is disabled', () => {
    const c = resolved(false);
    expect(routeForPath(edgeRoutes(c), '/analytics/d/all_events')).toEqual({
      pathPrefix: '/analytics',
      component: 'cvat-server',
      stripPrefix: false,
    });
  });

  it('sends /analytics to Grafana with the prefix stripped after the server approves the request, when Grafana is enabled', () => {
    const c = resolved(true);
    expect(routeForPath(edgeRoutes(c), '/analytics/d/all_events')).toEqual({
      pathPrefix: '/analytics',
      component: 'grafana',
      forwardAuth: { component: 'cvat-server', path: '/analytics', requestHeaders: ['Cookie', 'Authorization'] },
      stripPrefix: true,
    });
    expect(target(c, '/api/tasks')).toBe('cvat-server');
  });

  it('routes only to enabled components with VNet-wide ingress, and ends with the catch-all', () => {
    for (const c of [resolved(false), resolved(true)]) {
      const routes = edgeRoutes(c);
      expect(routes.at(-1)).toEqual({ pathPrefix: '/', component: 'cvat-ui', stripPrefix: false });
      for (const r of routes) {
        const x = c.components.find((y) => y.name === r.component);
        expect(x?.enabled, r.component).toBe(true);
        expect(x?.ingress?.external, r.component).toBe(true);
      }
      // No earlier prefix may hide a later one, so first match equals longest prefix.
      routes.forEach((r, i) => {
        for (const later of routes.slice(i + 1)) {
          expect(later.pathPrefix.startsWith(r.pathPrefix), `${r.pathPrefix} hides ${later.pathPrefix}`).toBe(false);
        }
      });
    }
  });

  it("uses the same server prefixes as upstream compose's Traefik rule", () => {
    const compose = readFileSync(join(CATALOGUE_PACKAGE_ROOT, UPSTREAM_COMPOSE.path), 'utf8');
    const prefixes = [...compose.matchAll(/PathPrefix\(`([^`]+)`\)/g)].map((m) => m[1]);
    expect(prefixes).toEqual([...SERVER_PATH_PREFIXES]);
    expect(ANALYTICS_PATH_PREFIX).toBe('/analytics');
  });
});

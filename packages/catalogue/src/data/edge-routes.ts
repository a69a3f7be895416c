import { COMPONENT_NAMES } from './components';
import type { Catalogue } from '../schema/catalogue';

/**
 * Path prefixes the edge sends to the CVAT server, exactly as upstream compose's Traefik labels on
 * `cvat_server` (`PathPrefix(`/api/`) || PathPrefix(`/static/`) || PathPrefix(`/admin`) ||
 * PathPrefix(`/django-rq`)`): `/api/` and `/static/` with their trailing slash, so a bare `/api`
 * or `/statistics` page goes to the UI.
 *
 * @see https://github.com/cvat-ai/cvat/blob/v2.73.0/docker-compose.yml
 */
export const SERVER_PATH_PREFIXES: readonly string[] = ['/api/', '/static/', '/admin', '/django-rq'];

/** Path prefix of the analytics (Grafana) pages; upstream's `GF_SERVER_ROOT_URL` ends with it. */
export const ANALYTICS_PATH_PREFIX = '/analytics';

/** A check the edge makes before it forwards a request (Traefik `forwardAuth`). */
export interface EdgeForwardAuth {
  /** Component asked; the request is forwarded only when it answers 2xx. */
  component: string;
  /** Path on that component, e.g. `/analytics` (CVAT's log_viewer view checks the session). */
  path: string;
  /** Request headers passed to the check, e.g. `Cookie` and `Authorization`. */
  requestHeaders: string[];
}

/** One path rule of the public edge. */
export interface EdgeRoute {
  /** Path prefix matched (Traefik `PathPrefix`); `/` matches every path. */
  pathPrefix: string;
  /** Component the request is forwarded to, at its in-VNet address (`componentAddress(c, { component, part: 'url' })`). */
  component: string;
  /** Check made before forwarding, if any. */
  forwardAuth?: EdgeForwardAuth;
  /**
   * Remove `pathPrefix` before forwarding (Grafana serves `/analytics/…` from its root).
   *
   * @default false
   */
  stripPrefix: boolean;
}

/**
 * The path split of the public edge, in match order: the first route whose `pathPrefix` starts
 * the request path wins (the list is ordered so that this equals longest-prefix matching), and the
 * last route, `/` → `cvat-ui`, takes everything else.
 *
 * Details, as upstream compose routes through Traefik:
 * - `/api/`, `/static/`, `/admin`, `/django-rq` → `cvat-server` ({@link SERVER_PATH_PREFIXES});
 * - `/analytics` → `grafana` when Grafana is enabled, after a forwardAuth check against the
 *   server's `/analytics` with the `Cookie` and `Authorization` headers (only signed-in CVAT users
 *   with access reach Grafana), with the prefix stripped; otherwise → `cvat-server`;
 * - `/` → `cvat-ui`.
 *
 * The routes do not depend on whether the edge VM itself is enabled: with `edge.mode: none` they
 * describe the split any proxy you put in front of the environment must make. Pass a resolved
 * catalogue (`resolveCatalogue`) so that `grafana.enabled` reflects the environment.
 *
 * @see https://doc.traefik.io/traefik/middlewares/http/forwardauth/
 * @see docs/catalogue.md (the edge)
 */
export function edgeRoutes(c: Catalogue): EdgeRoute[] {
  const grafana = c.components.some((x) => x.name === COMPONENT_NAMES.grafana && x.enabled);
  const server = (pathPrefix: string): EdgeRoute => ({ pathPrefix, component: COMPONENT_NAMES.server, stripPrefix: false });
  return [
    ...SERVER_PATH_PREFIXES.map(server),
    grafana
      ? {
          pathPrefix: ANALYTICS_PATH_PREFIX,
          component: COMPONENT_NAMES.grafana,
          forwardAuth: { component: COMPONENT_NAMES.server, path: ANALYTICS_PATH_PREFIX, requestHeaders: ['Cookie', 'Authorization'] },
          stripPrefix: true,
        }
      : server(ANALYTICS_PATH_PREFIX),
    { pathPrefix: '/', component: COMPONENT_NAMES.ui, stripPrefix: false },
  ];
}

/**
 * The route `edgeRoutes(c)` picks for a request path: the first whose prefix starts the path.
 * For tests, documentation and a proxy that wants the same decision.
 */
export function routeForPath(routes: readonly EdgeRoute[], path: string): EdgeRoute | undefined {
  return routes.find((r) => path.startsWith(r.pathPrefix));
}

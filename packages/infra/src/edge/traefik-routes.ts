import type { EdgeRoute } from '@cvat-cloud/catalogue';
import { SECURITY_HEADERS_MIDDLEWARE } from './security-headers';

/** Inputs of {@link renderTraefikRoutes}. */
export interface TraefikRoutesOptions {
  /** Public host name every router matches (`Host(...)`). */
  readonly hostname: string;
  /** The catalogue's edge routes, in match order (`edgeRoutes(resolvedCatalogue)`). */
  readonly routes: readonly EdgeRoute[];
  /**
   * Base URL of each component a route or a forwardAuth check names, inside the VNet, e.g.
   * `{ 'cvat-server': 'http://cvat-server.<environment domain>:8080' }`. Values may be cdktf tokens.
   */
  readonly backendUrls: Readonly<Record<string, string>>;
  /**
   * Name of the Traefik entry point the routers listen on.
   * @default 'websecure'
   */
  readonly entryPoint?: string;
  /**
   * Name of the certificate resolver of the routers' TLS section.
   * @default 'letsencrypt'
   */
  readonly certResolver?: string;
  /**
   * Middlewares (defined in other dynamic files) every router goes through first.
   * @default [SECURITY_HEADERS_MIDDLEWARE]
   */
  readonly commonMiddlewares?: readonly string[];
}

/** Path prefixes the renderer accepts: a leading `/`, then URL path characters only (nothing YAML, Traefik or Terraform would interpret). */
export const EDGE_PATH_PREFIX = /^\/[A-Za-z0-9._~/-]*$/;
/** Component names and header names the renderer accepts. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/** The Traefik router name of the route at `index`: `<component>-<prefix slug>`, e.g. `cvat-server-django-rq`, `cvat-ui-root`. */
export function traefikRouterName(route: EdgeRoute, index: number, taken: ReadonlySet<string> = new Set()): string {
  const slug = route.pathPrefix.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'root';
  const name = `${route.component}-${slug}`.toLowerCase();
  return taken.has(name) ? `${name}-${index}` : name;
}

/**
 * Traefik priority of the route at `index` of `count`: strictly decreasing in match order, so that
 * among the routers whose rule matches a request Traefik (highest priority wins) picks the first
 * route in the catalogue's order, as `routeForPath` does. Traefik's default priority (the rule's
 * length) is not used: it would let a longer rule overtake an earlier route.
 *
 * @see https://doc.traefik.io/traefik/routing/routers/#priority
 */
export function traefikPriority(index: number, count: number): number {
  return (count - index) * 10;
}

/** The Traefik rule of a route: `Host(`h`) && PathPrefix(`<prefix>`)`, or `Host(`h`)` alone for `/`, as upstream compose writes the UI's rule. */
export function traefikRule(hostname: string, pathPrefix: string): string {
  const host = `Host(\`${hostname}\`)`;
  return pathPrefix === '/' ? host : `${host} && PathPrefix(\`${pathPrefix}\`)`;
}

const q = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar

/**
 * Renders the Traefik dynamic configuration (file provider, YAML) of the edge from the catalogue's
 * routes: one router per route on the `websecure` entry point with the Let's Encrypt resolver, its
 * rule `Host(<hostname>) && PathPrefix(<pathPrefix>)` (upstream compose's exact prefixes, e.g.
 * `/api/` with its slash, so a bare `/api` goes to the UI) and a priority that keeps the
 * catalogue's match order; a `forwardAuth` middleware per route that has a check (address
 * `<component URL><path>`, the listed request headers) and a `stripPrefix` middleware per route
 * that strips; one load-balancer service per component with `passHostHeader: true`, so Django sees
 * the public host name.
 *
 * Nothing here knows CVAT's paths: change `edgeRoutes()` in the catalogue and the configuration
 * follows. Throws an `Error` naming `routes[i].<field>` when a route has a prefix or name outside
 * the accepted characters, or names a component without a backend URL.
 *
 * @see https://doc.traefik.io/traefik/routing/providers/file/
 * @see https://doc.traefik.io/traefik/middlewares/http/forwardauth/
 * @see https://doc.traefik.io/traefik/middlewares/http/stripprefix/
 */
export function renderTraefikRoutes(options: TraefikRoutesOptions): string {
  const { hostname, routes, backendUrls } = options;
  const entryPoint = options.entryPoint ?? 'websecure';
  const certResolver = options.certResolver ?? 'letsencrypt';
  if (routes.length === 0) throw new Error("'routes' ([]) must hold at least one route");
  const url = (component: string, field: string): string => {
    const value = backendUrls[component];
    if (value === undefined)
      throw new Error(`'${field}' (${component}) has no backend URL; known: ${Object.keys(backendUrls).join(', ') || 'none'}`);
    return value;
  };
  const routers: string[] = [];
  const middlewares: string[] = [];
  const services: string[] = [];
  const serviceNames = new Set<string>();
  const taken = new Set<string>();
  routes.forEach((route, i) => {
    const at = `routes[${i}]`;
    if (!EDGE_PATH_PREFIX.test(route.pathPrefix)) {
      throw new Error(`'${at}.pathPrefix' (${route.pathPrefix}) must start with / and use letters, digits and ._~/- only`);
    }
    if (!NAME.test(route.component))
      throw new Error(`'${at}.component' (${route.component}) must be a component name (letters, digits, -)`);
    const name = traefikRouterName(route, i, taken);
    taken.add(name);
    const used: string[] = [...(options.commonMiddlewares ?? [SECURITY_HEADERS_MIDDLEWARE])];
    if (route.forwardAuth) {
      const auth = route.forwardAuth;
      if (!NAME.test(auth.component))
        throw new Error(`'${at}.forwardAuth.component' (${auth.component}) must be a component name (letters, digits, -)`);
      if (!EDGE_PATH_PREFIX.test(auth.path))
        throw new Error(`'${at}.forwardAuth.path' (${auth.path}) must start with / and use letters, digits and ._~/- only`);
      auth.requestHeaders.forEach((h, j) => {
        if (!NAME.test(h)) throw new Error(`'${at}.forwardAuth.requestHeaders[${j}]' (${h}) must be a header name (letters, digits, -)`);
      });
      used.push(`${name}-auth`);
      middlewares.push(
        `    ${name}-auth:`,
        `      forwardAuth:`,
        `        address: ${q(url(auth.component, `${at}.forwardAuth.component`) + auth.path)}`,
      );
      if (auth.requestHeaders.length)
        middlewares.push(`        authRequestHeaders:`, ...auth.requestHeaders.map((h) => `          - ${h}`));
    }
    if (route.stripPrefix) {
      used.push(`${name}-strip-prefix`);
      middlewares.push(`    ${name}-strip-prefix:`, `      stripPrefix:`, `        prefixes:`, `          - ${q(route.pathPrefix)}`);
    }
    routers.push(
      `    ${name}:`,
      `      rule: ${q(traefikRule(hostname, route.pathPrefix))}`,
      `      entryPoints:`,
      `        - ${entryPoint}`,
      `      service: ${route.component}`,
      `      priority: ${traefikPriority(i, routes.length)}`,
      ...(used.length ? [`      middlewares:`, ...used.map((m) => `        - ${m}`)] : []),
      `      tls:`,
      `        certResolver: ${certResolver}`,
    );
    if (!serviceNames.has(route.component)) {
      serviceNames.add(route.component);
      services.push(
        `    ${route.component}:`,
        `      loadBalancer:`,
        `        passHostHeader: true`,
        `        servers:`,
        `          - url: ${q(url(route.component, `${at}.component`))}`,
      );
    }
  });
  return [
    `# Traefik dynamic configuration of the CVAT edge on ${hostname}, generated by`,
    `# packages/infra/src/edge/traefik-routes.ts from the catalogue's edgeRoutes(): one router per route,`,
    `# priorities in the catalogue's match order. Do not edit on the VM; change the catalogue.`,
    ...routes.map((r) => {
      const auth = r.forwardAuth ? ` (forwardAuth: ${r.forwardAuth.component} ${r.forwardAuth.path})` : '';
      return `#   ${r.pathPrefix} -> ${r.component}${auth}${r.stripPrefix ? ' (prefix stripped)' : ''}`;
    }),
    'http:',
    '  routers:',
    ...routers,
    ...(middlewares.length ? ['  middlewares:', ...middlewares] : []),
    '  services:',
    ...services,
    '',
  ].join('\n');
}

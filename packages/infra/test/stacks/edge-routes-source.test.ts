// The edge stack must take its Traefik routes from the catalogue's edgeRoutes() and from nowhere
// else: this file replaces edgeRoutes() with a variant and checks that the synthesized cloud-init
// follows it. A copy of the routes anywhere in infra would make these tests fail.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { Catalogue, EdgeRoute } from '@cvat-cloud/catalogue';
import { synthesize } from '../support/synth';

const routesOverride = vi.hoisted(() => ({ current: undefined as undefined | ((c: Catalogue, real: EdgeRoute[]) => EdgeRoute[]) }));

vi.mock('@cvat-cloud/catalogue', async (importOriginal) => {
  const real = await importOriginal<typeof import('@cvat-cloud/catalogue')>();
  return {
    ...real,
    edgeRoutes: (c: Catalogue) => (routesOverride.current ? routesOverride.current(c, real.edgeRoutes(c)) : real.edgeRoutes(c)),
  };
});

function renderedRoutes(edge: Record<string, any>) {
  const vm = Object.values(edge.resource.azurerm_linux_virtual_machine as Record<string, Record<string, any>>)[0];
  const local = /local\.([A-Za-z0-9_]+)/.exec(vm.custom_data)?.[1] as string;
  const doc = parse(String(edge.locals[local]).replace(/\$\$\{/g, '${')) as { write_files: { path: string; content: string }[] };
  const file = doc.write_files.find((f) => f.path === '/etc/traefik/dynamic/cvat-routes.yml');
  return parse(file?.content as string).http as {
    routers: Record<string, { rule: string; service: string; middlewares?: string[] }>;
    middlewares?: Record<string, any>;
  };
}

const rulesOf = (edge: Record<string, any>) => Object.values(renderedRoutes(edge).routers).map((r) => `${r.rule} -> ${r.service}`);

describe('EdgeStack routes come from the catalogue', () => {
  afterEach(() => {
    routesOverride.current = undefined;
  });

  it('renders a changed catalogue route list: a renamed prefix, a dropped route and a new route with forwardAuth', () => {
    const before = synthesize();
    let baseline: string[];
    try {
      baseline = rulesOf(before.stack('edge'));
    } finally {
      before.dispose();
    }
    routesOverride.current = (_c, real) => [
      { pathPrefix: '/api/v2/', component: 'cvat-server', stripPrefix: false },
      ...real.filter((r) => r.pathPrefix !== '/api/' && r.pathPrefix !== '/django-rq').slice(0, -1),
      {
        pathPrefix: '/ui-check',
        component: 'cvat-ui',
        stripPrefix: true,
        forwardAuth: { component: 'cvat-server', path: '/api/auth/check', requestHeaders: ['Cookie'] },
      },
      real[real.length - 1],
    ];
    const after = synthesize();
    try {
      const edge = after.stack('edge');
      const rules = rulesOf(edge);
      expect(rules).not.toEqual(baseline);
      const host = /Host\(`([^`]+)`\)/.exec(baseline[0])?.[1];
      expect(rules).toEqual([
        `Host(\`${host}\`) && PathPrefix(\`/api/v2/\`) -> cvat-server`,
        `Host(\`${host}\`) && PathPrefix(\`/static/\`) -> cvat-server`,
        `Host(\`${host}\`) && PathPrefix(\`/admin\`) -> cvat-server`,
        `Host(\`${host}\`) && PathPrefix(\`/analytics\`) -> cvat-server`,
        `Host(\`${host}\`) && PathPrefix(\`/ui-check\`) -> cvat-ui`,
        `Host(\`${host}\`) -> cvat-ui`,
      ]);
      const mw = Object.values(renderedRoutes(edge).middlewares ?? {});
      expect(mw.map((m) => Object.keys(m)[0])).toEqual(['forwardAuth', 'stripPrefix']);
      expect(mw[0].forwardAuth.address).toMatch(/^http:\/\/cvat-server\..+:8080\/api\/auth\/check$/);
    } finally {
      after.dispose();
    }
  });

  it('refuses a catalogue route to a component that is not enabled', () => {
    routesOverride.current = (_c, real) => [{ pathPrefix: '/analytics', component: 'grafana', stripPrefix: true }, ...real];
    expect(() => synthesize()).toThrow(
      "edge: 'edgeRoutes[0].component' (grafana) must be a deployed component with TCP ingress and external: true (VNet-wide) " +
        'for the edge to reach it; got no such enabled component',
    );
  });
});

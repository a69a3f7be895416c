import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { edgeRoutes, edgeUrls, resourceNames, type Catalogue } from '@cvat-cloud/catalogue';
import { Testing } from 'cdktf';
import { buildApp } from '../../src/app';
import { catalogueFor, configWith, synthesize, type Synthesized } from '../support/synth';

type Resource = Record<string, any>;
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@example';

/** The cloud-init document of the edge stack, with Terraform's `$${` escapes undone, parsed. */
function cloudInit(edge: Record<string, any>) {
  const vm = Object.values(edge.resource.azurerm_linux_virtual_machine as Record<string, Resource>)[0];
  const local = /local\.([A-Za-z0-9_]+)/.exec(vm.custom_data)?.[1] as string;
  const text = String(edge.locals[local]);
  return { text, doc: parse(text.replace(/\$\$\{/g, '${')) as { write_files: { path: string; content: string }[] } };
}

/** The Traefik dynamic configuration the edge VM is given. */
function traefikRoutes(edge: Record<string, any>) {
  const { doc } = cloudInit(edge);
  const dynamic = doc.write_files.filter((f) => f.path.startsWith('/etc/traefik/dynamic/'));
  expect(dynamic.map((f) => f.path)).toEqual(['/etc/traefik/dynamic/cvat-routes.yml', '/etc/traefik/dynamic/security-headers.yml']);
  const routes = parse(dynamic[0].content).http;
  // Traefik's file provider merges every file of the directory; the routers' common middleware is in the second.
  const common = parse(dynamic[1].content).http.middlewares;
  for (const r of Object.values(routes.routers) as { middlewares?: string[] }[]) {
    expect(r.middlewares?.[0]).toBe('security-headers');
    expect(common['security-headers'].headers.stsSeconds).toBe(31536000);
    r.middlewares = r.middlewares?.slice(1);
    if (r.middlewares?.length === 0) delete r.middlewares;
  }
  return routes as {
    routers: Record<string, { rule: string; service: string; priority: number; middlewares?: string[] }>;
    middlewares?: Record<string, any>;
    services: Record<string, { loadBalancer: { servers: { url: string }[] } }>;
  };
}

/** Asserts every component the catalogue's edge routes name is enabled with VNet-wide TCP ingress and is the one Traefik forwards to. */
function expectRoutesReachable(catalogue: Catalogue, edge: Record<string, any>) {
  const routes = edgeRoutes(catalogue);
  const rendered = traefikRoutes(edge);
  expect(Object.values(rendered.routers).map((r) => r.service)).toEqual(routes.map((r) => r.component));
  for (const name of new Set(routes.flatMap((r) => [r.component, ...(r.forwardAuth ? [r.forwardAuth.component] : [])]))) {
    const c = catalogue.components.find((x) => x.name === name);
    expect(c?.enabled, name).toBe(true);
    expect(c?.ingress, name).toMatchObject({ transport: 'tcp', external: true });
    const port = c!.ingress!.exposedPort ?? c!.ingress!.targetPort;
    const url =
      rendered.services[name]?.loadBalancer.servers[0].url ??
      (Object.values(rendered.middlewares ?? {}).find((m) => m.forwardAuth)?.forwardAuth.address as string);
    expect(url, name).toMatch(
      new RegExp(
        `^http://${name}\\.\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-foundation\\.outputs\\.[^}]+default_domain\\}:${port}(/|$)`,
      ),
    );
  }
}

describe('EdgeStack (example environment)', () => {
  let s: Synthesized;
  let edge: Record<string, any>;
  beforeAll(() => {
    s = synthesize();
    edge = s.stack('edge');
  });
  afterAll(() => s.dispose());

  it('creates the VM, NIC, static public IP with the configured DNS label and the edge NSG rules', () => {
    const names = resourceNames(s.config);
    const pip = Object.values(edge.resource.azurerm_public_ip as Record<string, Resource>)[0];
    expect(pip).toMatchObject({ name: names.publicIp, allocation_method: 'Static', domain_name_label: names.dnsLabel });
    const vm = Object.values(edge.resource.azurerm_linux_virtual_machine as Record<string, Resource>)[0];
    expect(vm).toMatchObject({
      name: names.edgeVm,
      size: s.config.edge.vmSize,
      disable_password_authentication: true,
      admin_username: s.config.edge.adminUsername,
    });
    const rules = Object.values(edge.resource.azurerm_network_security_rule as Record<string, Resource>);
    expect(rules.map((r) => r.destination_port_range).sort()).toEqual(['443', '80']);
  });

  it('renders cloud-init with the public host name, ACME e-mail and the server/UI TCP backends at <app>.<environment domain>:<port>', () => {
    const { doc } = cloudInit(edge);
    const routes = traefikRoutes(edge);
    expect(routes.routers['cvat-ui-root'].rule).toBe(`Host(\`${edgeUrls(s.config).host}\`)`);
    const output = 'cross-stack-output-azurerm_container_app_environmentEnvironment_[A-Z0-9]+default_domain';
    const domain = new RegExp(`^\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-foundation\\.outputs\\.(${output})\\}$`);
    const serverUrl = routes.services['cvat-server'].loadBalancer.servers[0].url as string;
    const m = /^http:\/\/cvat-server\.(.+):8080$/.exec(serverUrl);
    expect(m?.[1]).toMatch(domain);
    expect(routes.services['cvat-ui'].loadBalancer.servers[0].url).toMatch(/^http:\/\/cvat-ui\..+:8000$/);
    const traefik = parse(doc.write_files.find((f) => f.path === '/etc/traefik/traefik.yml')?.content as string);
    expect(traefik.certificatesResolvers.letsencrypt.acme.email).toBe(s.config.edge.acmeEmail);
    expect(doc.write_files.find((f) => f.path === '/etc/systemd/system/traefik.service')?.content).toContain(' traefik:v3.6.5\n');
  });

  it('renders one router per catalogue edge route, /api/, /static/, /admin, /django-rq and /analytics to the server, when grafana is off', () => {
    const routes = traefikRoutes(edge);
    const host = edgeUrls(s.config).host;
    expect(Object.values(routes.routers).map((r) => [r.rule, r.service])).toEqual([
      ...['/api/', '/static/', '/admin', '/django-rq', '/analytics'].map((p) => [
        `Host(\`${host}\`) && PathPrefix(\`${p}\`)`,
        'cvat-server',
      ]),
      [`Host(\`${host}\`)`, 'cvat-ui'],
    ]);
    expect(routes.middlewares).toBeUndefined();
  });

  it('sends every route to an enabled component whose ingress is reachable from the VNet, when grafana is off', () => {
    expectRoutesReachable(s.catalogue, edge);
  });

  it('keeps SSH closed and uses a locked key, when the environment has no SSH key', () => {
    const rules = Object.values(edge.resource.azurerm_network_security_rule as Record<string, Resource>);
    expect(rules.some((r) => r.destination_port_range === '22')).toBe(false);
    const vm = Object.values(edge.resource.azurerm_linux_virtual_machine as Record<string, Resource>)[0];
    expect(vm.admin_ssh_key[0].public_key).toMatch(/cvat-cloud-locked-no-login$/);
  });

  it('opens SSH to the admin CIDRs only, when the environment has an SSH key', () => {
    const config = configWith({ edge: { sshPublicKey: KEY } });
    const withKey = synthesize(config, catalogueFor(config));
    try {
      const rules = Object.values(withKey.stack('edge').resource.azurerm_network_security_rule as Record<string, Resource>);
      expect(rules.find((r) => r.destination_port_range === '22')).toMatchObject({
        source_address_prefixes: config.adminCidrs,
        access: 'Allow',
      });
      const vm = Object.values(withKey.stack('edge').resource.azurerm_linux_virtual_machine as Record<string, Resource>)[0];
      expect(vm.admin_ssh_key[0].public_key).toBe(KEY);
    } finally {
      withKey.dispose();
    }
  });

  it('routes /analytics to Grafana behind forwardAuth to the server, and every route to an enabled VNet-reachable component, when grafana is enabled', () => {
    const config = configWith({ grafana: true });
    const withGrafana = synthesize(config, catalogueFor(config));
    try {
      const edgeJson = withGrafana.stack('edge');
      const routes = traefikRoutes(edgeJson);
      const analytics = Object.values(routes.routers).find((r) => r.rule.endsWith('PathPrefix(`/analytics`)'));
      expect(analytics?.service).toBe('grafana');
      const mw = analytics!.middlewares!.map((m) => routes.middlewares![m]);
      expect(mw[0].forwardAuth).toEqual({
        address: `${routes.services['cvat-server'].loadBalancer.servers[0].url}/analytics`,
        authRequestHeaders: ['Cookie', 'Authorization'],
      });
      expect(mw[1].stripPrefix).toEqual({ prefixes: ['/analytics'] });
      expect(routes.services.grafana.loadBalancer.servers[0].url).toMatch(/^http:\/\/grafana\..+:3000$/);
      expectRoutesReachable(withGrafana.catalogue, edgeJson);
      expect(
        Object.values(withGrafana.stack('apps').resource.azurerm_container_app as Record<string, Resource>).some(
          (r) => r.name === 'grafana',
        ),
      ).toBe(true);
    } finally {
      withGrafana.dispose();
    }
  });

  it('throws EdgeBackendUnreachable naming the route, when a routed component has ingress the edge cannot reach', () => {
    const base = catalogueFor(s.config);
    const catalogue: Catalogue = {
      ...base,
      components: base.components.map((c) =>
        c.name === 'cvat-ui' && c.ingress ? { ...c, ingress: { ...c.ingress, transport: 'http' as const } } : c,
      ),
    };
    const outdir = mkdtempSync(join(tmpdir(), 'synth-'));
    try {
      expect(() => buildApp({ config: s.config, catalogue, outdir, stateRoot: join(outdir, 'state') })).toThrow(
        "edge: 'edgeRoutes[5].component' (cvat-ui) must be a deployed component with TCP ingress and external: true (VNet-wide) " +
          'for the edge to reach it; got http, external: true',
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('is ordered foundation -> apps -> edge in manifest.json', () => {
    const deps = Object.fromEntries(s.model.stacks.map((x) => [x.name, x.dependencies]));
    expect(deps.foundation).toEqual([]);
    expect(deps.apps).toEqual(['foundation']);
    expect(deps.edge).toContain('apps');
  });

  it('resolves cross-stack references only after app.synth(), as Testing.synth of the stack shows', () => {
    // cdktf rewrites cross-stack tokens during app.synth(); synthesize() has run it, so the stack JSON
    // carries the remote-state data source instead of dangling references into foundation.
    const json = JSON.parse(Testing.synth(s.edge!));
    expect(Object.keys(json.data.terraform_remote_state)).toContain('cross-stack-reference-input-foundation');
    expect(JSON.stringify(json)).not.toMatch(/"\$\{azurerm_container_app_environment\./);
  });
});

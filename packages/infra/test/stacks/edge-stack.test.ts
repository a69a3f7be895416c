import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { edgeUrls, resourceNames } from '@cvat-cloud/catalogue';
import { Testing } from 'cdktf';
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
    expect(vm).toMatchObject({ name: names.edgeVm, size: s.config.edge.vmSize, disable_password_authentication: true, admin_username: s.config.edge.adminUsername });
    const rules = Object.values(edge.resource.azurerm_network_security_rule as Record<string, Resource>);
    expect(rules.map((r) => r.destination_port_range).sort()).toEqual(['443', '80']);
  });

  it('renders cloud-init with the public host name, ACME e-mail and the server/UI TCP backends at <app>.<environment domain>:<port>', () => {
    const { doc } = cloudInit(edge);
    const routes = parse(doc.write_files.find((f) => f.path === '/etc/traefik/dynamic/cvat-routes.yml')?.content as string).http;
    expect(routes.routers['cvat-ui'].rule).toBe(`Host(\`${edgeUrls(s.config).host}\`)`);
    const domain = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-foundation\.outputs\.(cross-stack-output-azurerm_container_app_environmentEnvironment_[A-Z0-9]+default_domain)\}$/;
    const serverUrl = routes.services['cvat-server'].loadBalancer.servers[0].url as string;
    const m = /^http:\/\/cvat-server\.(.+):8080$/.exec(serverUrl);
    expect(m?.[1]).toMatch(domain);
    expect(routes.services['cvat-ui'].loadBalancer.servers[0].url).toMatch(/^http:\/\/cvat-ui\..+:8000$/);
    const traefik = parse(doc.write_files.find((f) => f.path === '/etc/traefik/traefik.yml')?.content as string);
    expect(traefik.certificatesResolvers.letsencrypt.acme.email).toBe(s.config.edge.acmeEmail);
    expect(doc.write_files.find((f) => f.path === '/etc/systemd/system/traefik.service')?.content).toContain(' traefik:v3.6.5\n');
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
      expect(rules.find((r) => r.destination_port_range === '22')).toMatchObject({ source_address_prefixes: config.adminCidrs, access: 'Allow' });
      const vm = Object.values(withKey.stack('edge').resource.azurerm_linux_virtual_machine as Record<string, Resource>)[0];
      expect(vm.admin_ssh_key[0].public_key).toBe(KEY);
    } finally {
      withKey.dispose();
    }
  });

  it('routes /analytics to Grafana, when grafana is enabled', () => {
    const config = configWith({ grafana: true });
    const withGrafana = synthesize(config, catalogueFor(config));
    try {
      const { doc } = cloudInit(withGrafana.stack('edge'));
      const analytics = parse(doc.write_files.find((f) => f.path === '/etc/traefik/dynamic/analytics-routes.yml')?.content as string).http;
      expect(analytics.services['cvat-grafana'].loadBalancer.servers[0].url).toMatch(/^http:\/\/grafana\..+:3000$/);
      expect(Object.values(withGrafana.stack('apps').resource.azurerm_container_app as Record<string, Resource>).some((r) => r.name === 'grafana')).toBe(true);
    } finally {
      withGrafana.dispose();
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

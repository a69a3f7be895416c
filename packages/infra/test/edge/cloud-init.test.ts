import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { defaultCatalogue, edgeRoutes } from '@cvat-cloud/catalogue';
import { CLOUD_INIT_TEMPLATE_DIR, escapeTerraformTemplate, renderCloudInit, type CloudInitOptions } from '../../src/edge/cloud-init';
import { REMOTE_SCRIPT } from '../../src/policy/rules';

const options: CloudInitOptions = {
  hostname: 'cvat.example.com',
  acmeEmail: 'ops@cvat-cloud.dev',
  traefikImage: 'traefik:v3.6.5',
  routes: edgeRoutes(defaultCatalogue()),
  backendUrls: {
    'cvat-server': 'http://cvat-server.env.westeurope.azurecontainerapps.io:8080',
    'cvat-ui': 'http://cvat-ui.env.westeurope.azurecontainerapps.io:8000',
    grafana: 'http://grafana.env.westeurope.azurecontainerapps.io:3000',
  },
  traefikEnv: { TRAEFIK_LOG_FORMAT: 'json' },
};

interface CloudConfig {
  packages: string[];
  write_files: { path: string; content: string; permissions: string }[];
  runcmd: string[][];
}
const render = (o: Partial<CloudInitOptions> = {}) => {
  const text = renderCloudInit({ ...options, ...o });
  return { text, doc: parse(text) as CloudConfig };
};
const file = (doc: CloudConfig, path: string) => {
  const f = doc.write_files.find((w) => w.path === path);
  if (!f) throw new Error(`no ${path} in write_files`);
  return f;
};

describe('renderCloudInit', () => {
  it('renders a #cloud-config document that parses as YAML and installs only docker.io and unattended-upgrades', () => {
    const { text, doc } = render();
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(doc.packages).toEqual(['docker.io', 'unattended-upgrades']);
    expect(doc.write_files.map((w) => w.path)).toEqual([
      '/etc/traefik/traefik.yml',
      '/etc/traefik/dynamic/cvat-routes.yml',
      '/etc/traefik/dynamic/security-headers.yml',
      '/etc/apt/apt.conf.d/52cvat-unattended-upgrades',
      '/etc/systemd/system/traefik.service',
    ]);
  });

  it('bounds how long a client may hold a request and keeps the ping endpoint on loopback (Traefik runs with the host network)', () => {
    const { doc } = render();
    const traefik = parse(file(doc, '/etc/traefik/traefik.yml').content);
    expect(traefik.entryPoints.websecure.transport.respondingTimeouts).toEqual({ readTimeout: '3600s', idleTimeout: '180s' });
    expect(traefik.ping).toEqual({ entryPoint: 'ping' });
    expect(traefik.entryPoints.ping.address).toMatch(/^127\.0\.0\.1:\d+$/);
    // every other entry point is one the NSG opens to the internet (80, 443); nothing else listens on all addresses
    const open = Object.entries(traefik.entryPoints as Record<string, { address: string }>).filter(
      ([, e]) => !e.address.startsWith('127.'),
    );
    expect(open.map(([, e]) => e.address).sort()).toEqual([':443', ':80']);
  });

  it('sends HSTS and hardening headers on every router and drops the Server header', () => {
    const { doc } = render();
    const headers = parse(file(doc, '/etc/traefik/dynamic/security-headers.yml').content).http.middlewares['security-headers'].headers;
    expect(headers).toMatchObject({
      stsSeconds: 31536000,
      stsIncludeSubdomains: false,
      contentTypeNosniff: true,
      customFrameOptionsValue: 'SAMEORIGIN',
      referrerPolicy: 'strict-origin-when-cross-origin',
      customResponseHeaders: { Server: '', 'X-Powered-By': '' },
    });
    const routers = parse(file(doc, '/etc/traefik/dynamic/cvat-routes.yml').content).http.routers as Record<string, any>;
    for (const r of Object.values(routers)) expect(r.middlewares[0]).toBe('security-headers');
  });

  it('keeps the VM patched: daily unattended security upgrades with a reboot in the window', () => {
    const apt = file(render({ rebootTime: '04:15' }).doc, '/etc/apt/apt.conf.d/52cvat-unattended-upgrades').content;
    expect(apt).toContain('APT::Periodic::Unattended-Upgrade "1";');
    expect(apt).toContain('Unattended-Upgrade::Automatic-Reboot "true";');
    expect(apt).toContain('Unattended-Upgrade::Automatic-Reboot-Time "04:15";');
    expect(() => render({ rebootTime: '25:00' })).toThrow("'rebootTime' (25:00) must be HH:MM");
  });

  it("writes the routes given (the catalogue's edgeRoutes) as the one dynamic file, with a router per route and no template copy of the routes", () => {
    const routes = parse(file(render().doc, '/etc/traefik/dynamic/cvat-routes.yml').content).http;
    expect(Object.values(routes.routers).map((r: any) => r.rule)).toEqual(
      options.routes.map((r) =>
        r.pathPrefix === '/' ? 'Host(`cvat.example.com`)' : `Host(\`cvat.example.com\`) && PathPrefix(\`${r.pathPrefix}\`)`,
      ),
    );
    // The route files are generated now; only the non-route parts stay as templates.
    expect(readdirSync(CLOUD_INIT_TEMPLATE_DIR).sort()).toEqual(['cloud-init.yaml', 'traefik.service', 'traefik.yml']);
    for (const template of readdirSync(CLOUD_INIT_TEMPLATE_DIR))
      expect(readFileSync(join(CLOUD_INIT_TEMPLATE_DIR, template), 'utf8')).not.toContain('PathPrefix');
  });

  it("uses Let's Encrypt HTTP-01 with the configured e-mail and redirects HTTP to HTTPS", () => {
    const traefik = parse(file(render().doc, '/etc/traefik/traefik.yml').content);
    expect(traefik.certificatesResolvers.letsencrypt.acme).toEqual({
      email: 'ops@cvat-cloud.dev',
      storage: '/etc/traefik/acme/acme.json',
      httpChallenge: { entryPoint: 'web' },
    });
    expect(traefik.entryPoints.web.http.redirections.entryPoint).toMatchObject({ to: 'websecure', scheme: 'https' });
    // Forwarded headers from internet clients are replaced, so X-Forwarded-Proto=https comes from Traefik itself.
    expect(traefik.entryPoints.websecure.forwardedHeaders).toEqual({ insecure: false });
    expect(traefik.api.dashboard).toBe(false);
  });

  it('creates the ACME store root-only (0600) in a 0700 directory (reference failure #10)', () => {
    const commands = render().doc.runcmd.map((c) => c.join(' '));
    expect(commands).toContain('install -d -o root -g root -m 0700 /etc/traefik/acme');
    expect(commands.some((c) => c.includes('install -o root -g root -m 0600 /dev/null /etc/traefik/acme/acme.json'))).toBe(true);
    expect(commands).toContain('chmod 0600 /etc/traefik/acme/acme.json');
  });

  it('runs the pinned Traefik image with host networking and the configured environment from a systemd unit', () => {
    const unit = file(render().doc, '/etc/systemd/system/traefik.service').content;
    expect(unit).toMatch(
      /ExecStart=\/usr\/bin\/docker run --rm --name traefik --network host .* -e "TRAEFIK_LOG_FORMAT=json" traefik:v3\.6\.5\n/,
    );
    expect(render().doc.runcmd.map((c) => c.join(' '))).toContain('systemctl enable --now traefik.service');
  });

  it('downloads no script at boot (reference failure #11: manager.py fetched from GitHub main)', () => {
    const { text } = render();
    expect(REMOTE_SCRIPT.test(text)).toBe(false);
    for (const template of readdirSync(CLOUD_INIT_TEMPLATE_DIR)) {
      expect(REMOTE_SCRIPT.test(readFileSync(join(CLOUD_INIT_TEMPLATE_DIR, template), 'utf8')), template).toBe(false);
    }
  });

  it('escapes ${ and %{ of template text for Terraform but leaves values (cdktf tokens) alone', () => {
    expect(escapeTerraformTemplate('a ${b} %{c}')).toBe('a $${b} %%{c}');
    const dir = mkdtempSync(join(tmpdir(), 'tpl-'));
    try {
      for (const f of readdirSync(CLOUD_INIT_TEMPLATE_DIR)) writeFileSync(join(dir, f), readFileSync(join(CLOUD_INIT_TEMPLATE_DIR, f)));
      writeFileSync(join(dir, 'traefik.yml'), 'log:\n  format: "${HOME}"\n');
      const text = renderCloudInit({
        ...options,
        templateDir: dir,
        backendUrls: { ...options.backendUrls, 'cvat-server': 'http://cvat-server.${TfToken[TOKEN.1]}:8080' },
      });
      expect(text).toContain('format: "$${HOME}"');
      expect(text).toContain('url: "http://cvat-server.${TfToken[TOKEN.1]}:8080"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws error, when a Traefik env value could be expanded by systemd or the shell', () => {
    expect(() => render({ traefikEnv: { A: '$(reboot)' } })).toThrow(
      "traefik env 'A' ($(reboot)) must be a variable name with a value of letters, digits, space and _.,:/=+- only",
    );
  });

  it('throws error, when a template uses a placeholder the renderer does not provide', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpl-'));
    try {
      for (const f of readdirSync(CLOUD_INIT_TEMPLATE_DIR)) writeFileSync(join(dir, f), readFileSync(join(CLOUD_INIT_TEMPLATE_DIR, f)));
      writeFileSync(join(dir, 'traefik.yml'), 'x: {{unknownThing}}\n');
      expect(() => renderCloudInit({ ...options, templateDir: dir })).toThrow(
        "cloud-init template 'traefik.yml' uses '{{unknownThing}}', which the renderer does not provide",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

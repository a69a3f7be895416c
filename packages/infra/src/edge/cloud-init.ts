import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EdgeRoute } from '@cvat-cloud/catalogue';
import { renderSecurityHeaders } from './security-headers';
import { renderTraefikRoutes } from './traefik-routes';

/** Where the cloud-init and Traefik templates live (`packages/infra/cloud-init/`, both from src and dist). */
export const CLOUD_INIT_TEMPLATE_DIR = resolve(__dirname, '..', '..', 'cloud-init');

/** Inputs of {@link renderCloudInit}. */
export interface CloudInitOptions {
  /** Public host name CVAT is served on (the certificate's name). */
  readonly hostname: string;
  /** E-mail address registered with Let's Encrypt. */
  readonly acmeEmail: string;
  /** Traefik image reference, pinned, e.g. `traefik:v3.6.5`. */
  readonly traefikImage: string;
  /**
   * Environment of the Traefik container (e.g. access-log fields), passed as `docker run -e`.
   * Values may use letters, digits, space and `_.,:/=+-` only.
   * @default - none
   */
  readonly traefikEnv?: Readonly<Record<string, string>>;
  /**
   * The edge routes in match order, from the catalogue (`edgeRoutes(resolvedCatalogue)`); rendered
   * into `/etc/traefik/dynamic/cvat-routes.yml` by {@link renderTraefikRoutes}.
   */
  readonly routes: readonly EdgeRoute[];
  /**
   * Base URL inside the VNet of every component the routes (and their forwardAuth checks) name,
   * e.g. `{ 'cvat-server': 'http://cvat-server.<env domain>:8080' }`. Values may be cdktf tokens.
   */
  readonly backendUrls: Readonly<Record<string, string>>;
  /**
   * Daily reboot window of unattended upgrades (`HH:MM`, the VM's time zone, UTC on Azure images): a security update
   * that needs a reboot (a new kernel) is applied at the next one.
   * @default '03:30'
   */
  readonly rebootTime?: string;
  /**
   * Directory holding the templates.
   * @default CLOUD_INIT_TEMPLATE_DIR
   */
  readonly templateDir?: string;
}

/** Names accepted in {@link CloudInitOptions.traefikEnv}. */
export const TRAEFIK_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Values accepted in {@link CloudInitOptions.traefikEnv}: nothing systemd, the shell or Terraform would expand. */
export const TRAEFIK_ENV_VALUE = /^[A-Za-z0-9 _.,:/=+-]*$/;

/**
 * Escapes text for a Terraform string template: `${` and `%{` would otherwise start an
 * interpolation or a directive when the rendered document is embedded in `custom_data`.
 */
export function escapeTerraformTemplate(text: string): string {
  // In a replacement string `$$` is one literal `$`, so '$$$${' writes `$${`.
  return text.replace(/\$\{/g, '$$$${').replace(/%\{/g, '%%{');
}

function fill(template: string, name: string, values: Readonly<Record<string, string>>): string {
  // Escape the template text first; the values may carry cdktf tokens that must stay interpolations.
  return escapeTerraformTemplate(template).replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`cloud-init template '${name}' uses '{{${key}}}', which the renderer does not provide`);
    return value;
  });
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => (line.length ? pad + line : line))
    .join('\n');
}

/**
 * Renders the edge VM's cloud-init document from the templates in `packages/infra/cloud-init/`:
 * `cloud-init.yaml` (packages, files, systemd unit, ACME store permissions), `traefik.yml` (entry
 * points, Let's Encrypt HTTP-01, forwarded headers) and `traefik.service`, plus the Traefik dynamic
 * configuration `/etc/traefik/dynamic/cvat-routes.yml`, generated from `options.routes` (the
 * catalogue's `edgeRoutes()`); no route is written in the templates.
 *
 * The result is a `#cloud-config` document ready for `custom_data` (base64-encoded by the caller).
 * Values may contain cdktf tokens; literal `${`/`%{` in the templates are escaped for Terraform.
 *
 * @see https://cloudinit.readthedocs.io/en/latest/reference/modules.html#write-files
 * @see https://doc.traefik.io/traefik/https/acme/
 */
export function renderCloudInit(options: CloudInitOptions): string {
  const dir = options.templateDir ?? CLOUD_INIT_TEMPLATE_DIR;
  const read = (file: string) => readFileSync(resolve(dir, file), 'utf8');
  const env = Object.entries(options.traefikEnv ?? {});
  for (const [name, value] of env) {
    if (!TRAEFIK_ENV_NAME.test(name) || !TRAEFIK_ENV_VALUE.test(value)) {
      throw new Error(`traefik env '${name}' (${value}) must be a variable name with a value of letters, digits, space and _.,:/=+- only`);
    }
  }
  const values: Record<string, string> = {
    hostname: options.hostname,
    acmeEmail: options.acmeEmail,
    traefikImage: options.traefikImage,
  };
  const rebootTime = options.rebootTime ?? '03:30';
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(rebootTime)) throw new Error(`'rebootTime' (${rebootTime}) must be HH:MM, e.g. 03:30`);
  const files: [string, string][] = [
    [
      '/etc/traefik/dynamic/cvat-routes.yml',
      renderTraefikRoutes({ hostname: options.hostname, routes: options.routes, backendUrls: options.backendUrls }),
    ],
    ['/etc/traefik/dynamic/security-headers.yml', renderSecurityHeaders()],
    ['/etc/apt/apt.conf.d/52cvat-unattended-upgrades', unattendedUpgrades(rebootTime)],
  ];
  const dynamicFiles = files
    .map(([path, content]) =>
      [`  - path: ${path}`, `    owner: root:root`, `    permissions: '0644'`, `    content: |`, indent(content, 6)].join('\n'),
    )
    .join('\n');
  return fill(read('cloud-init.yaml'), 'cloud-init.yaml', {
    traefikImage: options.traefikImage,
    traefikStatic: indent(fill(read('traefik.yml'), 'traefik.yml', values), 6),
    traefikUnit: indent(
      fill(read('traefik.service'), 'traefik.service', { ...values, traefikEnv: env.map(([n, v]) => ` -e "${n}=${v}"`).join('') }),
      6,
    ),
    // Values are inserted after the template text is escaped, so these filled parts are not escaped twice.
    dynamicFiles,
  });
}

/**
 * apt configuration that keeps the edge patched after boot: Ubuntu's unattended-upgrades (on Ubuntu server images by
 * default) installs security updates daily; this turns the periodic run on explicitly and lets it reboot at
 * `rebootTime` when an update needs it (Traefik comes back through its systemd unit).
 *
 * @see https://documentation.ubuntu.com/server/how-to/software/automatic-updates/
 */
export function unattendedUpgrades(rebootTime: string): string {
  return [
    '// cvat-cloud edge: security updates every day, a reboot in the window when one needs it.',
    'APT::Periodic::Update-Package-Lists "1";',
    'APT::Periodic::Unattended-Upgrade "1";',
    'Unattended-Upgrade::Automatic-Reboot "true";',
    'Unattended-Upgrade::Automatic-Reboot-WithUsers "true";',
    `Unattended-Upgrade::Automatic-Reboot-Time "${rebootTime}";`,
    '',
  ].join('\n');
}

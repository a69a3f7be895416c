/**
 * Where a run goes and as whom: from flags, from environment variables (`CVAT_URL`, `CVAT_USERNAME`,
 * `CVAT_PASSWORD`), or from `--env <name>`, which reads `environments/<name>.yaml` through the catalogue and
 * takes the edge hostname from `edgeUrls`, the catalogue and the analytics switch from the same config.
 *
 * The superuser password comes from `--password`, from the URL's user information (`https://admin:…@host`, taken
 * out of the URL so it is never sent or printed as part of it), or `CVAT_PASSWORD`; with `--env` and none of them,
 * it is read from the environment's Key Vault (vault `resourceNames(config).keyVault`, the catalogue secret
 * `SECRET_NAMES.superuserPassword`'s `keyVaultName`) through a {@link SecretReader} (default: the runtime's
 * `keyVaultSecretReader`, which loads the Azure SDK only then).
 */
import {
  SECRET_NAMES,
  edgeUrls,
  formatIssues,
  loadEnvironmentConfig,
  resolveCatalogue,
  resourceNames,
  type Catalogue,
} from '@cvat-cloud/catalogue';
import { keyVaultSecretReader, type SecretLocation, type SecretReader } from '@cvat-cloud/runtime';
import { SmokeError } from './errors';
import { redactUrlCredentials } from './redact';
import type { SmokeTarget } from './suite';

/** Target-related CLI flags. */
export interface TargetFlags {
  readonly url?: string;
  readonly username?: string;
  readonly password?: string;
  /** Environment name (`dev`) or path to an environment YAML file. */
  readonly env?: string;
}

/** A resolved target. */
export interface ResolvedTarget {
  readonly target: SmokeTarget;
  /** Where the URL came from, for the report header (`--url`, `CVAT_URL`, `--env dev`). */
  readonly source: string;
  /** The environment's resolved catalogue (only with `--env`). */
  readonly catalogue?: Catalogue;
  /** The environment's analytics switch (only with `--env`). */
  readonly analytics?: boolean;
  /** Where the password came from, for the report header (`--password`, `--url`, `CVAT_PASSWORD`, `Key Vault <vault>/<secret>`). */
  readonly passwordSource: string;
  /** The URL carried a user name or password (removed from {@link SmokeTarget.baseUrl}). */
  readonly credentialsInUrl: boolean;
}

/** How to do without Key Vault, ending every Key Vault error message. */
export const KEY_VAULT_ALTERNATIVE = 'set CVAT_PASSWORD to give the password yourself';

/** How {@link resolveTarget} reads secrets. */
export interface ResolveTargetOptions {
  /** Reads the superuser password with `--env`; @default the runtime's `keyVaultSecretReader` over `env`. */
  readonly readSecret?: SecretReader;
  /** Interrupts a Key Vault read. */
  readonly signal?: AbortSignal;
}

/** The username the catalogue's init job creates the superuser with (`DJANGO_SUPERUSER_USERNAME`), if any. */
export function catalogueSuperuser(catalogue: Catalogue): string | undefined {
  for (const component of catalogue.components) {
    for (const env of component.env) {
      if (env.name === 'DJANGO_SUPERUSER_USERNAME' && 'value' in env && typeof env.value === 'string' && env.value) return env.value;
    }
  }
  return undefined;
}

/** A checked base URL: without user information, and the user name and password it carried (percent-decoded). */
export interface CheckedUrl {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

/**
 * Throws a {@link SmokeError} `usage` unless `url` is an absolute http(s) URL with a host and no query or fragment
 * (the suite appends API paths to it). User information is taken out of the URL and returned on its own. Values in
 * messages have their password masked.
 */
export function checkUrl(url: string, from: string): CheckedUrl {
  const shown = JSON.stringify(redactUrlCredentials(url));
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SmokeError('usage', `'${from}' (${shown}) must be an absolute URL such as https://cvat.example.org`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new SmokeError('usage', `'${from}' (${shown}) must use https or http, e.g. https://${parsed.host || 'cvat.example.org'}`);
  }
  if (!parsed.hostname) throw new SmokeError('usage', `'${from}' (${shown}) has no host name; expected e.g. https://cvat.example.org`);
  if (parsed.search || parsed.hash || url.includes('#') || /\?/.test(url)) {
    throw new SmokeError(
      'usage',
      `'${from}' (${shown}) must not carry a query or fragment: give the deployment's base URL, e.g. ${parsed.origin}`,
    );
  }
  if (!parsed.username && !parsed.password) return { url };
  const username = parsed.username ? safeDecode(parsed.username) : undefined;
  const password = parsed.password ? safeDecode(parsed.password) : undefined;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, username, password };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Resolves the target. Flags win over environment variables, which win over `--env`. With no URL from any
 * source this throws a {@link SmokeError} `usage` that lists the three ways to give one. Key Vault is read
 * only with `--env` and when no password was given (after the URL and username are known to be fine).
 */
export async function resolveTarget(
  flags: TargetFlags,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  options: ResolveTargetOptions = {},
): Promise<ResolvedTarget> {
  let catalogue: Catalogue | undefined;
  let analytics: boolean | undefined;
  let envUrl: string | undefined;
  let vaultSecret: SecretLocation | undefined;
  if (flags.env !== undefined) {
    const loaded = loadEnvironmentConfig(flags.env, { cwd });
    if (loaded.errors) throw new SmokeError('config', `environment '${flags.env}' is not valid:\n${formatIssues(loaded.errors)}`);
    const config = loaded.value;
    const resolved = resolveCatalogue(config);
    if (resolved.errors)
      throw new SmokeError('config', `the catalogue for environment '${config.name}' is not valid:\n${formatIssues(resolved.errors)}`);
    catalogue = resolved.value;
    analytics = config.analytics;
    // With edge.mode "none" the hostname is private: reachable only from inside the network (run from there).
    envUrl = edgeUrls(config).baseUrl;
    const vault = resourceNames(config).keyVault;
    const secret = catalogue.secrets.find((s) => s.name === SECRET_NAMES.superuserPassword);
    if (secret) vaultSecret = { vault, secret: secret.keyVaultName, purpose: 'the CVAT superuser password', environment: config.name };
  }
  const url = flags.url ?? env.CVAT_URL ?? envUrl;
  const source = flags.url !== undefined ? '--url' : env.CVAT_URL !== undefined ? 'CVAT_URL' : `--env ${flags.env}`;
  if (flags.url === '') throw new SmokeError('usage', "'--url' is empty; give the deployment's base URL, e.g. https://cvat.example.org");
  if (url === undefined || url === '') {
    throw new SmokeError(
      'usage',
      'no target: give --url <https://cvat.example.org>, set CVAT_URL, or use --env <name> to take the edge hostname from environments/<name>.yaml. Refusing to guess a deployment.',
    );
  }
  const checked = checkUrl(url, source === `--env ${flags.env}` ? 'edge.hostname' : source);
  const baseUrl = checked.url;
  const credentialsInUrl = checked.username !== undefined || checked.password !== undefined;
  if (flags.username === '') throw new SmokeError('usage', "'--username' is empty; give the superuser's name, e.g. --username admin");
  if (flags.password === '') {
    throw new SmokeError(
      'usage',
      "'--password' is empty; set CVAT_PASSWORD instead (flags are visible in the process list), or use --env <name> to read it from Key Vault",
    );
  }
  const fromCatalogue = catalogue ? catalogueSuperuser(catalogue) : undefined;
  const username = flags.username ?? checked.username ?? (env.CVAT_USERNAME || undefined) ?? fromCatalogue;
  if (!username) throw new SmokeError('usage', 'no superuser username: give --username or set CVAT_USERNAME');
  const found = (password: string, passwordSource: string): ResolvedTarget => ({
    target: { baseUrl, username, password },
    source,
    catalogue,
    analytics,
    passwordSource,
    credentialsInUrl,
  });
  if (flags.password !== undefined) return found(flags.password, '--password');
  if (checked.password) return found(checked.password, source);
  if (env.CVAT_PASSWORD) return found(env.CVAT_PASSWORD, 'CVAT_PASSWORD');
  if (flags.env !== undefined && !vaultSecret) {
    throw new SmokeError(
      'config',
      `no superuser password: the catalogue of '${flags.env}' has no secret '${SECRET_NAMES.superuserPassword}' to read from Key Vault; set CVAT_PASSWORD`,
    );
  }
  if (!vaultSecret) {
    throw new SmokeError(
      'usage',
      'no superuser password: set CVAT_PASSWORD (or --password, which other users can see in the process list), or use --env <name> to read it ' +
        "from the environment's Key Vault",
    );
  }
  const readSecret = options.readSecret ?? keyVaultSecretReader({ env, alternative: KEY_VAULT_ALTERNATIVE, userAgent: 'cvat-smoke' });
  const password = await readSecret(vaultSecret, options.signal);
  return found(password, `Key Vault ${vaultSecret.vault}/${vaultSecret.secret}`);
}

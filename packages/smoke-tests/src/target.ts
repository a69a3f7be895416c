/**
 * Where a run goes and as whom: from flags, from environment variables (`CVAT_URL`, `CVAT_USERNAME`,
 * `CVAT_PASSWORD`), or from `--env <name>`, which reads `environments/<name>.yaml` through the catalogue and
 * takes the edge hostname from `edgeUrls`, the catalogue and the analytics switch from the same config.
 *
 * The superuser password comes from `--password` or `CVAT_PASSWORD`; with `--env` and neither, it is read from
 * the environment's Key Vault (vault `resourceNames(config).keyVault`, the catalogue secret
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
  /** Where the password came from, for the report header (`--password`, `CVAT_PASSWORD`, `Key Vault <vault>/<secret>`). */
  readonly passwordSource: string;
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

/** Throws a {@link SmokeError} unless `url` is an absolute http(s) URL. */
function checkUrl(url: string, from: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SmokeError('usage', `'${from}' (${JSON.stringify(url)}) must be an absolute URL such as https://cvat.example.org`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new SmokeError('usage', `'${from}' (${url}) must use https or http`);
  return url;
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
    if (resolved.errors) throw new SmokeError('config', `the catalogue for environment '${config.name}' is not valid:\n${formatIssues(resolved.errors)}`);
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
  if (url === undefined || url === '') {
    throw new SmokeError(
      'usage',
      'no target: give --url <https://cvat.example.org>, set CVAT_URL, or use --env <name> to take the edge hostname from environments/<name>.yaml. Refusing to guess a deployment.',
    );
  }
  checkUrl(url, source === `--env ${flags.env}` ? 'edge.hostname' : source);
  const username = flags.username ?? env.CVAT_USERNAME ?? (catalogue ? catalogueSuperuser(catalogue) : undefined);
  if (!username) throw new SmokeError('usage', "no superuser username: give --username or set CVAT_USERNAME");
  if (flags.password) return { target: { baseUrl: url, username, password: flags.password }, source, catalogue, analytics, passwordSource: '--password' };
  if (env.CVAT_PASSWORD) return { target: { baseUrl: url, username, password: env.CVAT_PASSWORD }, source, catalogue, analytics, passwordSource: 'CVAT_PASSWORD' };
  if (flags.env !== undefined && !vaultSecret) {
    throw new SmokeError('config', `no superuser password: the catalogue of '${flags.env}' has no secret '${SECRET_NAMES.superuserPassword}' to read from Key Vault; set CVAT_PASSWORD`);
  }
  if (!vaultSecret) {
    throw new SmokeError('usage', 'no superuser password: set CVAT_PASSWORD (or --password, which other users can see in the process list), or use --env <name> to read it from the environment\'s Key Vault');
  }
  const readSecret = options.readSecret ?? keyVaultSecretReader({ env, alternative: KEY_VAULT_ALTERNATIVE, userAgent: 'cvat-smoke' });
  const password = await readSecret(vaultSecret, options.signal);
  return { target: { baseUrl: url, username, password }, source, catalogue, analytics, passwordSource: `Key Vault ${vaultSecret.vault}/${vaultSecret.secret}` };
}

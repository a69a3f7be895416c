/**
 * Azure credentials and the subscription, resolved one way for every tool.
 *
 * Two naming schemes exist for the same settings: Terraform's azurerm provider reads `ARM_*`, the Azure SDK's
 * `EnvironmentCredential` / `DefaultAzureCredential` read `AZURE_*`. Both are accepted everywhere
 * ({@link AZURE_AUTH_VARIABLES}); when both names of a setting are set, the `ARM_*` one wins (so the identity a
 * tool uses is the one terraform uses in the same shell) and a warning names the pair if the values differ.
 * docs/exit-codes.md "Azure credentials" is the published table.
 *
 * Nothing here requests a token or touches the network; `@azure/identity` is loaded only by
 * {@link createAzureCredential}.
 *
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs#authenticating-to-azure
 * @see https://learn.microsoft.com/javascript/api/overview/azure/identity-readme#environment-variables
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import { CliError, describeError } from '../errors';
import { EXIT } from '../exit';
import { printable } from '../redact';

type Env = Readonly<Record<string, string | undefined>>;

/** Setting → accepted variable names, the winning name first. */
export const AZURE_AUTH_VARIABLES = {
  tenantId: ['ARM_TENANT_ID', 'AZURE_TENANT_ID'],
  clientId: ['ARM_CLIENT_ID', 'AZURE_CLIENT_ID'],
  clientSecret: ['ARM_CLIENT_SECRET', 'AZURE_CLIENT_SECRET'],
  clientCertificatePath: ['ARM_CLIENT_CERTIFICATE_PATH', 'AZURE_CLIENT_CERTIFICATE_PATH'],
  clientCertificatePassword: ['ARM_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_CLIENT_CERTIFICATE_PASSWORD'],
  subscriptionId: ['ARM_SUBSCRIPTION_ID', 'AZURE_SUBSCRIPTION_ID'],
  /** A file holding the federated (OIDC) token; `AZURE_FEDERATED_TOKEN_FILE` is what AKS workload identity sets. */
  oidcTokenFilePath: ['ARM_OIDC_TOKEN_FILE_PATH', 'AZURE_FEDERATED_TOKEN_FILE'],
  oidcToken: ['ARM_OIDC_TOKEN'],
  useOidc: ['ARM_USE_OIDC'],
  useMsi: ['ARM_USE_MSI'],
  useCli: ['ARM_USE_CLI'],
} as const satisfies Record<string, readonly string[]>;

/** One of the settings of {@link AZURE_AUTH_VARIABLES}. */
export type AzureAuthSetting = keyof typeof AZURE_AUTH_VARIABLES;

/** A setting's value and the variable it came from. */
export interface SettingValue {
  readonly value: string;
  /** The variable name, e.g. `ARM_CLIENT_ID`. */
  readonly from: string;
}

/** The settings found in an environment, with conflicts between the two schemes. */
export interface AzureAuthSettings {
  readonly values: Partial<Record<AzureAuthSetting, SettingValue>>;
  /** `ARM_CLIENT_ID and AZURE_CLIENT_ID differ; using ARM_CLIENT_ID` lines (never the values of secrets). */
  readonly warnings: readonly string[];
}

const isSet = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';
const isTrue = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes)$/i.test(v.trim());

/** Reads every Azure auth setting from `env`: `ARM_*` wins over `AZURE_*`; differing pairs give a warning. */
export function readAzureAuthSettings(env: Env): AzureAuthSettings {
  const values: Partial<Record<AzureAuthSetting, SettingValue>> = {};
  const warnings: string[] = [];
  for (const [setting, names] of Object.entries(AZURE_AUTH_VARIABLES) as [AzureAuthSetting, readonly string[]][]) {
    const present = names.filter((n) => isSet(env[n]));
    const winner = present[0];
    if (!winner) continue;
    values[setting] = { value: env[winner]!.trim(), from: winner };
    const differing = present.slice(1).filter((n) => env[n]!.trim() !== env[winner]!.trim());
    if (differing.length) warnings.push(`warning: ${winner} and ${differing.join(', ')} differ; using ${winner}.`);
  }
  return { values, warnings };
}

/**
 * The `ARM_*` variables terraform needs for the same identity: every `AZURE_*`-only setting copied to its `ARM_*`
 * name (and `ARM_USE_OIDC=true` for a federated token file), so a shell configured for the Azure SDK deploys too.
 */
export function terraformAuthEnv(env: Env): Record<string, string> {
  const { values } = readAzureAuthSettings(env);
  const out: Record<string, string> = {};
  for (const [setting, names] of Object.entries(AZURE_AUTH_VARIABLES) as [AzureAuthSetting, readonly string[]][]) {
    const v = values[setting];
    if (v && v.from !== names[0]) out[names[0]!] = v.value;
  }
  if (values.oidcTokenFilePath?.from === 'AZURE_FEDERATED_TOKEN_FILE' && !isSet(env.ARM_USE_OIDC)) out.ARM_USE_OIDC = 'true';
  return out;
}

/** How a tool will authenticate. */
export type CredentialSource = 'service-principal-secret' | 'service-principal-certificate' | 'oidc' | 'managed-identity' | 'azure-cli';

/** A usable credential configuration found in the environment. */
export interface DetectedCredential {
  readonly source: CredentialSource;
  /** Human description, never containing a secret, e.g. `ARM_CLIENT_ID + ARM_TENANT_ID + ARM_CLIENT_SECRET`. */
  readonly detail: string;
}

/** What the Azure CLI profile on this machine says, read from disk (no `az` process, no network). */
export interface AzureCliProfile {
  /** Path of `azureProfile.json` that was read. */
  readonly path: string;
  /** True when the profile lists at least one subscription (`az login` was run and not logged out). */
  readonly loggedIn: boolean;
  /** The default subscription id (`isDefault: true`), when there is one. */
  readonly defaultSubscriptionId?: string;
}

/**
 * Reads `$AZURE_CONFIG_DIR/azureProfile.json` (default `~/.azure`): the CLI writes the subscription list there on
 * login and empties it on logout. Token expiry is not checked (that needs the network).
 *
 * @see https://learn.microsoft.com/cli/azure/azure-cli-configuration#cli-configuration-file
 */
export function readAzureCliProfile(env: Env): AzureCliProfile {
  const dir = env.AZURE_CONFIG_DIR || join(env.HOME || homedir(), '.azure');
  const path = join(dir, 'azureProfile.json');
  if (!existsSync(path)) return { path, loggedIn: false };
  try {
    const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
    const parsed = JSON.parse(text) as { subscriptions?: Array<{ id?: string; isDefault?: boolean }> };
    const subs = Array.isArray(parsed.subscriptions) ? parsed.subscriptions : [];
    const defaultSubscriptionId = subs.find((s) => s.isDefault)?.id;
    return { path, loggedIn: subs.length > 0, ...(defaultSubscriptionId ? { defaultSubscriptionId } : {}) };
  } catch {
    return { path, loggedIn: false };
  }
}

/** The first executable `name` on `PATH` (no process spawned), or undefined. */
export function findOnPath(name: string, env: Env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Options of {@link requireOnPath}. */
export interface RequireOnPathOptions {
  /** What the tool is needed for, e.g. `to plan and apply the stacks`. */
  readonly purpose: string;
  /** How to get it, e.g. `install Terraform 1.11 (https://developer.hashicorp.com/terraform/install) or pass --binary`. */
  readonly install: string;
}

/** {@link findOnPath}, or {@link CliError} UNAVAILABLE (exit 7) naming the tool, why it is needed and how to get it. */
export function requireOnPath(name: string, env: Env, options: RequireOnPathOptions): string {
  const found = name.includes('/') ? (existsSync(name) ? name : undefined) : findOnPath(name, env);
  if (!found) {
    const where = name.includes('/') ? '' : ' on PATH';
    throw new CliError(
      EXIT.UNAVAILABLE,
      `'${name}' was not found${where}; it is needed ${options.purpose}. ${options.install}. Nothing was changed.`,
    );
  }
  return found;
}

/** Result of {@link detectAzureCredential}: a credential, or the reasons none is usable. */
export type CredentialCheck =
  | { readonly ok: true; readonly credential: DetectedCredential; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[]; readonly warnings: readonly string[] };

/**
 * Looks for a usable credential the way the azurerm provider does, without any network call, accepting both
 * naming schemes: client certificate, client secret, OIDC (`ARM_USE_OIDC=true` or a federated token file, with a
 * token, a token file or a CI token-request endpoint), managed identity (`ARM_USE_MSI=true`), then the Azure CLI
 * (unless `ARM_USE_CLI=false`: `az` on PATH and a logged-in profile). A half-done service-principal setup (a client
 * id without a tenant) is a problem, not a silent fall-through to the CLI.
 */
export function detectAzureCredential(env: Env, profile: AzureCliProfile = readAzureCliProfile(env)): CredentialCheck {
  const { values: s, warnings } = readAzureAuthSettings(env);
  const problems: string[] = [];
  const ok = (source: CredentialSource, detail: string): CredentialCheck => ({ ok: true, credential: { source, detail }, warnings });
  const spFields = [s.clientSecret, s.clientCertificatePath].filter((v): v is SettingValue => v !== undefined);
  const wantsOidc = isTrue(s.useOidc?.value) || (s.oidcTokenFilePath !== undefined && s.useOidc === undefined);
  if (spFields.length > 0 || wantsOidc) {
    const missing = [!s.clientId && 'ARM_CLIENT_ID (or AZURE_CLIENT_ID)', !s.tenantId && 'ARM_TENANT_ID (or AZURE_TENANT_ID)'].filter(
      Boolean,
    ) as string[];
    if (missing.length) {
      const given = [...spFields.map((f) => f.from), ...(wantsOidc ? [s.useOidc?.from ?? s.oidcTokenFilePath!.from] : [])];
      problems.push(`${given.join(' and ')} set, but ${missing.join(' and ')} missing`);
    } else {
      const ids = `${s.clientId!.from} + ${s.tenantId!.from}`;
      if (s.clientCertificatePath) {
        if (existsSync(s.clientCertificatePath.value)) {
          return ok('service-principal-certificate', `${ids} + ${s.clientCertificatePath.from} (${s.clientCertificatePath.value})`);
        }
        problems.push(`${s.clientCertificatePath.from} (${s.clientCertificatePath.value}) does not exist`);
      }
      if (s.clientSecret) return ok('service-principal-secret', `${ids} + ${s.clientSecret.from}`);
      if (wantsOidc) {
        if (s.oidcToken) return ok('oidc', `${ids} with ${s.oidcToken.from}`);
        const tokenFile = s.oidcTokenFilePath;
        if (tokenFile) {
          if (existsSync(tokenFile.value)) return ok('oidc', `${ids} with ${tokenFile.from} (${tokenFile.value})`);
          problems.push(`${tokenFile.from} (${tokenFile.value}) does not exist`);
        }
        const requestUrl = env.ARM_OIDC_REQUEST_URL || env.ACTIONS_ID_TOKEN_REQUEST_URL;
        const requestToken = env.ARM_OIDC_REQUEST_TOKEN || env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
        if (isSet(requestUrl) && isSet(requestToken)) {
          return ok('oidc', `${ids} with a CI token-request endpoint (GitHub Actions id-token)`);
        }
        if (isSet(env.ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID) && isSet(env.SYSTEM_ACCESSTOKEN) && isSet(env.SYSTEM_OIDCREQUESTURI)) {
          return ok('oidc', `${ids} with an Azure DevOps service connection`);
        }
        problems.push(
          'OIDC requested but no token source: set ARM_OIDC_TOKEN or ARM_OIDC_TOKEN_FILE_PATH (AZURE_FEDERATED_TOKEN_FILE), ' +
            'or run in GitHub Actions with `permissions: id-token: write`, or Azure DevOps with ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID',
        );
      }
    }
  }
  if (s.clientId && spFields.length === 0 && !wantsOidc && !isTrue(s.useMsi?.value)) {
    problems.push(
      [
        `${s.clientId.from} is set but none of ARM_CLIENT_SECRET, ARM_CLIENT_CERTIFICATE_PATH, ARM_USE_OIDC, ARM_USE_MSI`,
        '(or their AZURE_* names) says how to use it',
      ].join(' '),
    );
  }
  if (isTrue(s.useMsi?.value)) return ok('managed-identity', `ARM_USE_MSI${s.clientId ? ` with ${s.clientId.from}` : ''}`);
  if (s.useCli && !isTrue(s.useCli.value)) {
    problems.push('ARM_USE_CLI=false, so Azure CLI credentials are not used');
  } else {
    const az = findOnPath('az', env);
    if (az && profile.loggedIn) return ok('azure-cli', `az CLI login (${profile.path})`);
    if (!az) problems.push('no `az` CLI on PATH');
    else problems.push(`az CLI is not logged in (${profile.path} lists no subscription): run \`az login\``);
  }
  return { ok: false, problems, warnings };
}

/** The message of a missing credential: what was looked at and the ways to fix it. */
export function credentialsMissingMessage(problems: readonly string[]): string {
  return [
    'no Azure credentials found; nothing was changed.',
    ...problems.map((p) => `  - ${p}`),
    'Provide one of (ARM_* and AZURE_* names are both accepted; ARM_* wins, see docs/exit-codes.md):',
    '  - a service principal: ARM_CLIENT_ID, ARM_TENANT_ID and ARM_CLIENT_SECRET (or ARM_CLIENT_CERTIFICATE_PATH)',
    '  - OIDC / workload identity federation: ARM_USE_OIDC=true, ARM_CLIENT_ID, ' +
      'ARM_TENANT_ID and a token source (GitHub Actions id-token, ARM_OIDC_TOKEN, ARM_OIDC_TOKEN_FILE_PATH or AZURE_FEDERATED_TOKEN_FILE)',
    '  - a managed identity: ARM_USE_MSI=true (on an Azure VM or runner)',
    '  - the Azure CLI: `az login`',
  ].join('\n');
}

/** A {@link CliError} AUTH for a failed {@link detectAzureCredential}. */
export function credentialsMissingError(problems: readonly string[]): CliError {
  return new CliError(EXIT.AUTH, credentialsMissingMessage(problems), { hint: 'az login' });
}

/** Options of {@link createAzureCredential}. */
export interface CreateCredentialOptions {
  /**
   * Build exactly this credential (what {@link detectAzureCredential} found), as deploy does so the init-job client
   * is the principal terraform uses. @default - the explicit settings when there are some, else DefaultAzureCredential
   */
  readonly detected?: DetectedCredential;
}

/**
 * The `@azure/identity` credential for `env`, loaded on first use. With a service principal, OIDC or managed
 * identity in either naming scheme, the matching credential class is built from the winning values; otherwise
 * `DefaultAzureCredential` (environment, workload identity, managed identity, `az login`, azd, PowerShell). Only
 * constructs objects: no token is requested here. Throws {@link CliError} AUTH for a certificate that is not PEM
 * (`@azure/identity` reads PEM only) or an Azure DevOps connection without `SYSTEM_OIDCREQUESTURI`.
 */
export async function createAzureCredential(env: Env, options: CreateCredentialOptions = {}): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  const { values: s } = readAzureAuthSettings(env);
  const tenantId = s.tenantId?.value ?? '';
  const clientId = s.clientId?.value ?? '';
  let source = options.detected?.source;
  if (!source) {
    if (s.clientId && s.tenantId && s.clientCertificatePath) source = 'service-principal-certificate';
    else if (s.clientId && s.tenantId && s.clientSecret) source = 'service-principal-secret';
    else if (s.clientId && s.tenantId && (isTrue(s.useOidc?.value) || s.oidcToken || s.oidcTokenFilePath)) source = 'oidc';
    else if (isTrue(s.useMsi?.value)) source = 'managed-identity';
  }
  switch (source) {
    case 'service-principal-secret':
      return new identity.ClientSecretCredential(tenantId, clientId, s.clientSecret?.value ?? '');
    case 'service-principal-certificate': {
      const path = s.clientCertificatePath?.value ?? '';
      const head = existsSync(path) ? readFileSync(path).subarray(0, 64).toString('latin1') : '';
      if (!head.includes('-----BEGIN')) {
        throw new CliError(
          EXIT.AUTH,
          `${s.clientCertificatePath?.from ?? 'ARM_CLIENT_CERTIFICATE_PATH'} (${path}) is not a PEM file; ` +
            `the Azure SDK needs PEM (convert: openssl pkcs12 -in cert.pfx -out cert.pem -nodes). Nothing was changed.`,
        );
      }
      const password = s.clientCertificatePassword?.value;
      return new identity.ClientCertificateCredential(tenantId, clientId, {
        certificatePath: path,
        ...(password ? { certificatePassword: password } : {}),
      });
    }
    case 'oidc': {
      if (env.ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID && env.SYSTEM_ACCESSTOKEN && !s.oidcToken && !s.oidcTokenFilePath) {
        // @azure/identity reads SYSTEM_OIDCREQUESTURI from process.env itself; check it here so the caller gets a CliError.
        if (!env.SYSTEM_OIDCREQUESTURI || !process.env.SYSTEM_OIDCREQUESTURI) {
          throw new CliError(
            EXIT.AUTH,
            'ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID is set but SYSTEM_OIDCREQUESTURI is not: ' +
              'run in an Azure Pipelines task that uses the service connection (the agent sets it), or give ARM_OIDC_TOKEN / ' +
              'ARM_OIDC_TOKEN_FILE_PATH. Nothing was changed.',
          );
        }
        const connection = env.ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID;
        return new identity.AzurePipelinesCredential(tenantId, clientId, connection, env.SYSTEM_ACCESSTOKEN);
      }
      return new identity.ClientAssertionCredential(tenantId, clientId, () => oidcAssertion(env));
    }
    case 'managed-identity':
      return new identity.ManagedIdentityCredential(clientId ? { clientId } : undefined);
    case 'azure-cli':
      return new identity.AzureCliCredential();
    default:
      return new identity.DefaultAzureCredential();
  }
}

/** Fetches the federated token the way azurerm does: inline token, token file, or the CI token-request endpoint. */
export async function oidcAssertion(env: Env): Promise<string> {
  const { values: s } = readAzureAuthSettings(env);
  if (s.oidcToken) return s.oidcToken.value;
  if (s.oidcTokenFilePath) return readFileSync(s.oidcTokenFilePath.value, 'utf8').trim();
  const url = env.ARM_OIDC_REQUEST_URL || env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const token = env.ARM_OIDC_REQUEST_TOKEN || env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !token)
    throw new CliError(EXIT.AUTH, 'OIDC requested but no token source is available (see the credential help: docs/exit-codes.md)');
  const u = new URL(url);
  u.searchParams.set('audience', 'api://AzureADTokenExchange');
  let response: Response;
  try {
    response = await fetch(u, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  } catch (error) {
    throw new CliError(EXIT.UNAVAILABLE, `the OIDC token request to ${u.host} failed: ${describeError(error)}`, { cause: error });
  }
  if (!response.ok) throw new CliError(EXIT.AUTH, `the OIDC token request to ${u.host} was answered with HTTP ${response.status}`);
  const body = (await response.json()) as { value?: string };
  if (!body.value) throw new CliError(EXIT.AUTH, `the OIDC token response from ${u.host} has no 'value'`);
  return body.value;
}

/**
 * Maps an authentication failure (CredentialUnavailableError, AuthenticationError, HTTP 401/403) to {@link CliError}
 * AUTH naming `what` and the next step; undefined for any other error.
 */
export function authError(error: unknown, what: string): CliError | undefined {
  const name = error instanceof Error ? error.name : '';
  const status = (error as { statusCode?: number } | undefined)?.statusCode;
  if (name === 'CredentialUnavailableError' || name === 'AuthenticationError' || name === 'AggregateAuthenticationError') {
    return new CliError(
      EXIT.AUTH,
      `No usable Azure credential for ${what}: ${describeError(error)}. ` +
        `Run 'az login' (or set ARM_/AZURE_ CLIENT_ID and TENANT_ID with a secret or federated token), then retry.`,
      { cause: error },
    );
  }
  if (status === 401 || status === 403) {
    return new CliError(
      EXIT.AUTH,
      `Azure refused ${what} (HTTP ${status}): ${describeError(error)}. ` +
        `Check the role assignments of the signed-in identity ('az account show') on that resource.`,
      { cause: error },
    );
  }
  return undefined;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The form a subscription id must have, as messages show it. */
export const SUBSCRIPTION_ID_FORM = 'a subscription GUID like 00000000-0000-0000-0000-000000000000';

/** True for a subscription id's shape (a GUID: 8-4-4-4-12 hexadecimal digits; surrounding blanks are ignored). */
export function isSubscriptionId(value: string): boolean {
  return typeof value === 'string' && GUID.test(value.trim());
}

/** Options of {@link resolveSubscriptionId}. */
export interface ResolveSubscriptionOptions {
  /** `--subscription`, if given: wins over everything (checked for shape: USAGE). */
  readonly flag?: string;
  /** `subscriptionId` of the environment file, if any (checked for shape: CONFIG). */
  readonly config?: string;
  /** Where the config came from, for messages (e.g. `environments/dev.yaml`). */
  readonly configSource?: string;
  /** Process environment: `ARM_SUBSCRIPTION_ID`, else `AZURE_SUBSCRIPTION_ID` (checked for shape: CONFIG). */
  readonly env: Env;
  /** The az CLI profile, to suggest its default subscription when none is set. */
  readonly profile?: AzureCliProfile;
}

/** The subscription and where it came from. */
export interface ResolvedSubscription {
  readonly subscriptionId: string;
  /** `--subscription`, `environments/dev.yaml`, `ARM_SUBSCRIPTION_ID` or `AZURE_SUBSCRIPTION_ID`. */
  readonly source: string;
}

/**
 * Decides the subscription: `--subscription`, else the environment's `subscriptionId`, else `ARM_SUBSCRIPTION_ID` /
 * `AZURE_SUBSCRIPTION_ID`. There is no fallback to the az CLI default (azurerm 4.x has none either). The config and
 * the variable must agree when both are set (AUTH: a shell logged into another subscription must not act on this
 * environment). A value that is not a GUID is USAGE (flag) or CONFIG (file, variable); none at all is AUTH.
 *
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/guides/4.0-upgrade-guide
 */
export function resolveSubscriptionId(options: ResolveSubscriptionOptions): ResolvedSubscription {
  const configSource = options.configSource ?? 'the environment file';
  if (isSet(options.flag)) {
    if (!isSubscriptionId(options.flag)) {
      throw new CliError(EXIT.USAGE, `'--subscription' (${printable(options.flag)}) must be ${SUBSCRIPTION_ID_FORM}.`);
    }
    return { subscriptionId: options.flag.trim(), source: '--subscription' };
  }
  const { values } = readAzureAuthSettings(options.env);
  const fromEnv = values.subscriptionId;
  const fromConfig = isSet(options.config) ? options.config.trim() : undefined;
  if (fromConfig && !isSubscriptionId(fromConfig)) {
    throw new CliError(EXIT.CONFIG, `'subscriptionId' (${printable(fromConfig)}) in ${configSource} must be ${SUBSCRIPTION_ID_FORM}.`);
  }
  if (fromEnv && !isSubscriptionId(fromEnv.value)) {
    throw new CliError(EXIT.CONFIG, `${fromEnv.from} (${printable(fromEnv.value)}) must be ${SUBSCRIPTION_ID_FORM}.`);
  }
  if (fromConfig && fromEnv && fromConfig.toLowerCase() !== fromEnv.value.toLowerCase()) {
    throw new CliError(
      EXIT.AUTH,
      `'subscriptionId' (${fromConfig}) in ${configSource} differs from ${fromEnv.from} (${fromEnv.value}); ` +
        `unset one of them. Nothing was changed.`,
    );
  }
  if (fromConfig) return { subscriptionId: fromConfig, source: configSource };
  if (fromEnv) return { subscriptionId: fromEnv.value, source: fromEnv.from };
  const hint = options.profile?.defaultSubscriptionId ? ` (your az CLI default is ${options.profile.defaultSubscriptionId})` : '';
  throw new CliError(
    EXIT.AUTH,
    `no Azure subscription: set 'subscriptionId' in ${configSource}, ` +
      `pass --subscription <id> where the command has it, or export ARM_SUBSCRIPTION_ID${hint}. Nothing was changed.`,
  );
}

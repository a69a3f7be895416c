import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DeployError } from './errors';
import { findBinary } from './terraform';

/** How terraform's azurerm provider (and the init-job client) will authenticate. */
export type CredentialSource =
  | 'service-principal-secret'
  | 'service-principal-certificate'
  | 'oidc'
  | 'managed-identity'
  | 'azure-cli';

/** A usable credential configuration found in the environment. */
export interface DetectedCredential {
  readonly source: CredentialSource;
  /** Human description for the log, never containing a secret, e.g. `ARM_CLIENT_ID=… + ARM_CLIENT_SECRET`. */
  readonly detail: string;
}

/** What the Azure CLI profile on this machine says, read from disk (no `az` process, no network). */
export interface AzureCliProfile {
  /** Path of `azureProfile.json` that was read. */
  readonly path: string;
  /** True when the profile lists at least one subscription (i.e. `az login` was run and not logged out). */
  readonly loggedIn: boolean;
  /** The default subscription id (`isDefault: true`), when there is one. */
  readonly defaultSubscriptionId?: string;
}

/**
 * Reads the Azure CLI profile (`$AZURE_CONFIG_DIR/azureProfile.json`, default `~/.azure`).
 *
 * This is the cheap, offline test for "`az login` was run": the CLI writes the subscription list there on
 * login and empties it on logout. Token expiry is not checked (that needs the network); terraform reports
 * it clearly if it happens.
 *
 * @see https://learn.microsoft.com/cli/azure/azure-cli-configuration#cli-configuration-file
 */
export function readAzureCliProfile(env: NodeJS.ProcessEnv): AzureCliProfile {
  const dir = env.AZURE_CONFIG_DIR || join(env.HOME || homedir(), '.azure');
  const path = join(dir, 'azureProfile.json');
  if (!existsSync(path)) return { path, loggedIn: false };
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, '')) as { subscriptions?: Array<{ id?: string; isDefault?: boolean }> };
    const subs = Array.isArray(parsed.subscriptions) ? parsed.subscriptions : [];
    return { path, loggedIn: subs.length > 0, defaultSubscriptionId: subs.find((s) => s.isDefault)?.id };
  } catch {
    return { path, loggedIn: false };
  }
}

const isTrue = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes)$/i.test(v.trim());
const isSet = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/** Result of {@link detectAzureCredentials}: a credential, or the reasons none is usable. */
export type CredentialCheck = { readonly ok: true; readonly credential: DetectedCredential } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Looks for Azure credentials the way the azurerm provider does, without any network call.
 *
 * Checked in the provider's order: client certificate, client secret, OIDC (`ARM_USE_OIDC=true` with a
 * token, a token file or a CI token-request endpoint), managed identity (`ARM_USE_MSI=true`), then the
 * Azure CLI (unless `ARM_USE_CLI=false`: the `az` binary on PATH and a logged-in profile). A half-done
 * service-principal setup (e.g. a client id without a tenant) is reported as a problem rather than
 * silently falling through to the CLI.
 *
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs#authenticating-to-azure
 */
export function detectAzureCredentials(env: NodeJS.ProcessEnv, profile: AzureCliProfile = readAzureCliProfile(env)): CredentialCheck {
  const problems: string[] = [];
  const clientId = env.ARM_CLIENT_ID;
  const tenantId = env.ARM_TENANT_ID;
  const spFields = ['ARM_CLIENT_SECRET', 'ARM_CLIENT_CERTIFICATE_PATH'].filter((k) => isSet(env[k]));
  const wantsOidc = isTrue(env.ARM_USE_OIDC);
  if (spFields.length > 0 || wantsOidc) {
    const missing = [!isSet(clientId) && 'ARM_CLIENT_ID', !isSet(tenantId) && 'ARM_TENANT_ID'].filter(Boolean) as string[];
    if (missing.length) {
      problems.push(`${[...spFields, ...(wantsOidc ? ['ARM_USE_OIDC'] : [])].join(' and ')} set, but ${missing.join(' and ')} missing`);
    } else {
      if (isSet(env.ARM_CLIENT_CERTIFICATE_PATH)) {
        if (existsSync(env.ARM_CLIENT_CERTIFICATE_PATH)) {
          return { ok: true, credential: { source: 'service-principal-certificate', detail: `ARM_CLIENT_ID + ARM_CLIENT_CERTIFICATE_PATH (${env.ARM_CLIENT_CERTIFICATE_PATH})` } };
        }
        problems.push(`ARM_CLIENT_CERTIFICATE_PATH (${env.ARM_CLIENT_CERTIFICATE_PATH}) does not exist`);
      }
      if (isSet(env.ARM_CLIENT_SECRET)) {
        return { ok: true, credential: { source: 'service-principal-secret', detail: 'ARM_CLIENT_ID + ARM_TENANT_ID + ARM_CLIENT_SECRET' } };
      }
      if (wantsOidc) {
        if (isSet(env.ARM_OIDC_TOKEN)) return { ok: true, credential: { source: 'oidc', detail: 'ARM_USE_OIDC with ARM_OIDC_TOKEN' } };
        if (isSet(env.ARM_OIDC_TOKEN_FILE_PATH)) {
          if (existsSync(env.ARM_OIDC_TOKEN_FILE_PATH)) {
            return { ok: true, credential: { source: 'oidc', detail: `ARM_USE_OIDC with ARM_OIDC_TOKEN_FILE_PATH (${env.ARM_OIDC_TOKEN_FILE_PATH})` } };
          }
          problems.push(`ARM_OIDC_TOKEN_FILE_PATH (${env.ARM_OIDC_TOKEN_FILE_PATH}) does not exist`);
        }
        const requestUrl = env.ARM_OIDC_REQUEST_URL || env.ACTIONS_ID_TOKEN_REQUEST_URL;
        const requestToken = env.ARM_OIDC_REQUEST_TOKEN || env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
        if (isSet(requestUrl) && isSet(requestToken)) {
          return { ok: true, credential: { source: 'oidc', detail: 'ARM_USE_OIDC with a CI token-request endpoint (GitHub Actions id-token)' } };
        }
        if (isSet(env.ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID) && isSet(env.SYSTEM_ACCESSTOKEN) && isSet(env.SYSTEM_OIDCREQUESTURI)) {
          return { ok: true, credential: { source: 'oidc', detail: 'ARM_USE_OIDC with an Azure DevOps service connection' } };
        }
        problems.push(
          'ARM_USE_OIDC=true but no OIDC token source: set ARM_OIDC_TOKEN or ARM_OIDC_TOKEN_FILE_PATH, or run in GitHub Actions with `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN), or Azure DevOps with ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID',
        );
      }
    }
  }
  if (isSet(clientId) && spFields.length === 0 && !wantsOidc && !isTrue(env.ARM_USE_MSI)) {
    problems.push('ARM_CLIENT_ID is set but none of ARM_CLIENT_SECRET, ARM_CLIENT_CERTIFICATE_PATH, ARM_USE_OIDC, ARM_USE_MSI says how to use it');
  }
  if (isTrue(env.ARM_USE_MSI)) {
    return { ok: true, credential: { source: 'managed-identity', detail: `ARM_USE_MSI${isSet(clientId) ? ' with ARM_CLIENT_ID' : ''}` } };
  }
  if (env.ARM_USE_CLI !== undefined && !isTrue(env.ARM_USE_CLI)) {
    problems.push('ARM_USE_CLI=false, so Azure CLI credentials are not used');
  } else {
    const az = findBinary('az', env);
    if (az && profile.loggedIn) return { ok: true, credential: { source: 'azure-cli', detail: `az CLI login (${profile.path})` } };
    if (!az) problems.push('no `az` CLI on PATH');
    else problems.push(`az CLI is not logged in (${profile.path} lists no subscription): run \`az login\``);
  }
  return { ok: false, problems };
}

/** Message for missing credentials: what was looked at and the ways to fix it. */
export function credentialsMissingMessage(problems: readonly string[]): string {
  return [
    'no Azure credentials found; nothing was changed.',
    ...problems.map((p) => `  - ${p}`),
    'Provide one of:',
    '  - a service principal: ARM_CLIENT_ID, ARM_TENANT_ID and ARM_CLIENT_SECRET (or ARM_CLIENT_CERTIFICATE_PATH)',
    '  - OIDC / workload identity federation: ARM_USE_OIDC=true, ARM_CLIENT_ID, ARM_TENANT_ID and a token source (GitHub Actions id-token, ARM_OIDC_TOKEN, ARM_OIDC_TOKEN_FILE_PATH)',
    '  - a managed identity: ARM_USE_MSI=true (on an Azure VM or runner)',
    '  - the Azure CLI: `az login`',
  ].join('\n');
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Decides the subscription to deploy into: `subscriptionId` from the environment configuration, else
 * `ARM_SUBSCRIPTION_ID`. azurerm 4.x has no fallback to the CLI default, so neither do we; when both are
 * set they must agree.
 *
 * @param configSubscriptionId `subscriptionId` of the environment config, if any
 * @param configSource where the config came from, for messages (e.g. `environments/dev.yaml`)
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/guides/4.0-upgrade-guide
 */
export function resolveSubscription(
  configSubscriptionId: string | undefined,
  env: NodeJS.ProcessEnv,
  configSource: string,
  profile?: AzureCliProfile,
): string {
  const fromEnv = isSet(env.ARM_SUBSCRIPTION_ID) ? env.ARM_SUBSCRIPTION_ID.trim() : undefined;
  const fromConfig = isSet(configSubscriptionId) ? configSubscriptionId.trim() : undefined;
  if (fromConfig && !GUID.test(fromConfig)) {
    throw new DeployError('BAD_INPUT', `'subscriptionId' (${fromConfig}) in ${configSource} must be a subscription GUID`);
  }
  if (fromEnv && !GUID.test(fromEnv)) {
    throw new DeployError('BAD_INPUT', `ARM_SUBSCRIPTION_ID (${fromEnv}) must be a subscription GUID`);
  }
  if (fromConfig && fromEnv && fromConfig.toLowerCase() !== fromEnv.toLowerCase()) {
    throw new DeployError(
      'SUBSCRIPTION_MISMATCH',
      `'subscriptionId' (${fromConfig}) in ${configSource} differs from ARM_SUBSCRIPTION_ID (${fromEnv}); unset one of them. Nothing was changed.`,
    );
  }
  const id = fromConfig ?? fromEnv;
  if (!id) {
    const hint = profile?.defaultSubscriptionId ? ` (your az CLI default is ${profile.defaultSubscriptionId})` : '';
    throw new DeployError(
      'SUBSCRIPTION_MISSING',
      `no Azure subscription: set 'subscriptionId' in ${configSource} or export ARM_SUBSCRIPTION_ID${hint}. Nothing was changed.`,
    );
  }
  return id;
}

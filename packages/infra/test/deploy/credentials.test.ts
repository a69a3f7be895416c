import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeployError } from '../../src/deploy/errors';
import { AzureCliCredential, AzurePipelinesCredential, ClientAssertionCredential, ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import { makeTempDir } from './support/temp-dir';
import { createTokenCredential } from '../../src/deploy/azure-credential';
import { detectAzureCredentials, readAzureCliProfile, resolveSubscription } from '../../src/deploy/credentials';

let root: string;
let withAz: string; // PATH containing a fake `az`
let withoutAz: string; // PATH without it
let loggedIn: string; // AZURE_CONFIG_DIR with subscriptions
let loggedOut: string; // AZURE_CONFIG_DIR with an empty list

beforeAll(() => {
  root = makeTempDir('cvat-creds-');
  withAz = join(root, 'bin');
  withoutAz = join(root, 'empty-bin');
  mkdirSync(withAz);
  mkdirSync(withoutAz);
  writeFileSync(join(withAz, 'az'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(withAz, 'az'), 0o755);
  loggedIn = join(root, 'azure-in');
  loggedOut = join(root, 'azure-out');
  mkdirSync(loggedIn);
  mkdirSync(loggedOut);
  // The CLI writes this file with a UTF-8 BOM.
  writeFileSync(
    join(loggedIn, 'azureProfile.json'),
    '\uFEFF' + JSON.stringify({ installationId: 'x', subscriptions: [{ id: '11111111-2222-3333-4444-555555555555', isDefault: true, user: { name: 'ops@example.com', type: 'user' } }] }),
  );
  writeFileSync(join(loggedOut, 'azureProfile.json'), JSON.stringify({ installationId: 'x', subscriptions: [] }));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const base = () => ({ PATH: withoutAz, AZURE_CONFIG_DIR: loggedOut });

describe('detectAzureCredentials', () => {
  it.each([
    ['a client secret', { ARM_CLIENT_ID: 'c', ARM_TENANT_ID: 't', ARM_CLIENT_SECRET: 's' }, 'service-principal-secret'],
    ['OIDC with an inline token', { ARM_USE_OIDC: 'true', ARM_CLIENT_ID: 'c', ARM_TENANT_ID: 't', ARM_OIDC_TOKEN: 'jwt' }, 'oidc'],
    [
      'OIDC in GitHub Actions',
      { ARM_USE_OIDC: 'true', ARM_CLIENT_ID: 'c', ARM_TENANT_ID: 't', ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.example/x', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'r' },
      'oidc',
    ],
    [
      'OIDC in Azure DevOps',
      { ARM_USE_OIDC: 'true', ARM_CLIENT_ID: 'c', ARM_TENANT_ID: 't', ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID: 'sc', SYSTEM_ACCESSTOKEN: 'a', SYSTEM_OIDCREQUESTURI: 'https://dev.azure.example' },
      'oidc',
    ],
    ['a managed identity', { ARM_USE_MSI: 'true' }, 'managed-identity'],
  ])('accepts %s', (_, env, source) => {
    const r = detectAzureCredentials({ ...base(), ...env });
    expect(r.ok && r.credential.source).toBe(source);
  });

  it('accepts a logged-in Azure CLI only when `az` is on PATH, reading the profile offline', () => {
    expect(readAzureCliProfile({ AZURE_CONFIG_DIR: loggedIn })).toMatchObject({ loggedIn: true, defaultSubscriptionId: '11111111-2222-3333-4444-555555555555' });
    const r = detectAzureCredentials({ PATH: withAz, AZURE_CONFIG_DIR: loggedIn });
    expect(r.ok && r.credential.source).toBe('azure-cli');
    const noBinary = detectAzureCredentials({ PATH: withoutAz, AZURE_CONFIG_DIR: loggedIn });
    expect(noBinary).toEqual({ ok: false, problems: ['no `az` CLI on PATH'] });
  });

  it('refuses a logged-out Azure CLI and says to run az login', () => {
    const r = detectAzureCredentials({ PATH: withAz, AZURE_CONFIG_DIR: loggedOut });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]).toMatch(/az CLI is not logged in \(.*azureProfile.json lists no subscription\): run `az login`/);
  });

  it('does not fall back to the CLI when ARM_USE_CLI=false', () => {
    const r = detectAzureCredentials({ PATH: withAz, AZURE_CONFIG_DIR: loggedIn, ARM_USE_CLI: 'false' });
    expect(r).toEqual({ ok: false, problems: ['ARM_USE_CLI=false, so Azure CLI credentials are not used'] });
  });

  it.each([
    ['a secret without a tenant', { ARM_CLIENT_ID: 'c', ARM_CLIENT_SECRET: 's' }, 'ARM_CLIENT_SECRET set, but ARM_TENANT_ID missing'],
    ['OIDC without a token source', { ARM_USE_OIDC: 'true', ARM_CLIENT_ID: 'c', ARM_TENANT_ID: 't' }, 'ARM_USE_OIDC=true but no OIDC token source'],
    ['a missing token file', { ARM_USE_OIDC: 'true', ARM_CLIENT_ID: 'c', ARM_TENANT_ID: 't', ARM_OIDC_TOKEN_FILE_PATH: '/nonexistent/token' }, 'ARM_OIDC_TOKEN_FILE_PATH (/nonexistent/token) does not exist'],
    ['a client id alone', { ARM_CLIENT_ID: 'c' }, 'ARM_CLIENT_ID is set but none of ARM_CLIENT_SECRET, ARM_CLIENT_CERTIFICATE_PATH, ARM_USE_OIDC, ARM_USE_MSI'],
  ])('reports a half-done setup: %s', (_, env, problem) => {
    const r = detectAzureCredentials({ ...base(), ...env });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.join('\n')).toContain(problem);
  });

  it('reports nothing usable in an empty environment', () => {
    expect(detectAzureCredentials(base())).toEqual({ ok: false, problems: ['no `az` CLI on PATH'] });
  });
});

describe('resolveSubscription', () => {
  const id = '11111111-2222-3333-4444-555555555555';
  it('takes the config value, else ARM_SUBSCRIPTION_ID', () => {
    expect(resolveSubscription(id, {}, 'environments/dev.yaml')).toBe(id);
    expect(resolveSubscription(undefined, { ARM_SUBSCRIPTION_ID: id }, 'environments/dev.yaml')).toBe(id);
  });

  it('fails without one, pointing at the az CLI default when there is one', () => {
    expect(() => resolveSubscription(undefined, {}, 'environments/dev.yaml', { path: 'p', loggedIn: true, defaultSubscriptionId: id })).toThrow(
      `no Azure subscription: set 'subscriptionId' in environments/dev.yaml or export ARM_SUBSCRIPTION_ID (your az CLI default is ${id}). Nothing was changed.`,
    );
  });

  it('refuses two different subscriptions and malformed ids', () => {
    expect(() => resolveSubscription(id, { ARM_SUBSCRIPTION_ID: '99999999-2222-3333-4444-555555555555' }, 'environments/dev.yaml')).toThrow(/differs from ARM_SUBSCRIPTION_ID/);
    expect(() => resolveSubscription(undefined, { ARM_SUBSCRIPTION_ID: 'my-sub' }, 'x')).toThrow('ARM_SUBSCRIPTION_ID (my-sub) must be a subscription GUID');
  });
});

describe('createTokenCredential', () => {
  it('refuses a PFX client certificate before anything is deployed, with the conversion command', () => {
    const pfx = join(root, 'cert.pfx');
    writeFileSync(pfx, Buffer.from([0x30, 0x82, 0x0a, 0x01]));
    expect(() =>
      createTokenCredential({ source: 'service-principal-certificate', detail: '' }, { ARM_CLIENT_ID: 'c', ARM_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47', ARM_CLIENT_CERTIFICATE_PATH: pfx }),
    ).toThrow(/is not a PEM file; .*openssl pkcs12/);
  });

  it.each([
    ['service-principal-secret', ClientSecretCredential],
    ['oidc', ClientAssertionCredential],
    ['managed-identity', ManagedIdentityCredential],
    ['azure-cli', AzureCliCredential],
  ] as const)('builds the credential azurerm would use for %s, without requesting a token', (source, expected) => {
    const env = { ARM_CLIENT_ID: '00000000-0000-0000-0000-00000000000c', ARM_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47', ARM_CLIENT_SECRET: 's', ARM_OIDC_TOKEN: 'jwt' };
    expect(createTokenCredential({ source, detail: '' }, env)).toBeInstanceOf(expected);
  });

  it('uses the Azure Pipelines credential for OIDC in an Azure DevOps service connection without a token', () => {
    // @azure/identity reads SYSTEM_OIDCREQUESTURI from process.env itself (an Azure Pipelines agent sets it)
    vi.stubEnv('SYSTEM_OIDCREQUESTURI', 'http://127.0.0.1:9/oidc');
    try {
      const env = { ARM_CLIENT_ID: 'c', ARM_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47', ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID: 'sc', SYSTEM_ACCESSTOKEN: 'ado', SYSTEM_OIDCREQUESTURI: 'http://127.0.0.1:9/oidc' };
      expect(createTokenCredential({ source: 'oidc', detail: '' }, env)).toBeInstanceOf(AzurePipelinesCredential);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('throws a DeployError naming SYSTEM_OIDCREQUESTURI, when an Azure DevOps service connection runs outside a pipeline task', () => {
    vi.stubEnv('SYSTEM_OIDCREQUESTURI', '');
    try {
      const env = { ARM_CLIENT_ID: 'c', ARM_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47', ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID: 'sc', SYSTEM_ACCESSTOKEN: 'ado' };
      expect(() => createTokenCredential({ source: 'oidc', detail: '' }, env)).toThrow(DeployError);
      expect(() => createTokenCredential({ source: 'oidc', detail: '' }, env)).toThrow(/SYSTEM_OIDCREQUESTURI is not/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

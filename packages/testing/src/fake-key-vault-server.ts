/**
 * Test double of the Key Vault secrets data plane on 127.0.0.1, for the real `@azure/keyvault-secrets` client.
 *
 * It models what the SDK's challenge-based auth relies on: a request without `Authorization` gets
 * `401` + `WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<tenant>", resource="https://vault.azure.net"`;
 * the SDK then asks its credential for a token for that resource and retries with `Authorization: Bearer <token>`.
 * Secrets: `GET /<vault>/secrets/<name>/[<version>]?api-version=…` → `{ value, id, attributes }`; a missing secret →
 * 404 `SecretNotFound`; a vault in `forbidden` mode → 403 `Forbidden` / `ForbiddenByRbac` (or `ForbiddenByFirewall`),
 * the shapes Key Vault returns. Vaults are path prefixes, so one server serves several vault names
 * (`CVAT_KEYVAULT_ENDPOINT=http://127.0.0.1:<port>/{vault}`, read by @cvat-cloud/runtime's Key Vault reader).
 *
 * @see https://learn.microsoft.com/rest/api/keyvault/secrets/get-secret/get-secret
 * @see https://learn.microsoft.com/azure/key-vault/general/authentication-requests-and-responses
 */
import { FAKE_TOKEN } from './fake-credential';
import { startLoopbackServer, type LoopbackServer } from './loopback-server';

/** The token the fake accepts (what FakeCredential hands out by default). */
export const FAKE_KEY_VAULT_TOKEN = FAKE_TOKEN;
/** Tenant named in the challenge. */
export const FAKE_KEY_VAULT_TENANT = '72f988bf-0000-0000-0000-000000000000';

/** One request as the fake saw it. */
export interface KeyVaultRequestLog {
  method: string;
  vault: string;
  path: string;
  apiVersion: string | null;
  authorization: string | undefined;
  status: number;
}

/** Per-vault behaviour. */
export interface FakeVault {
  /** Secret name → current value. */
  secrets: Map<string, string>;
  /** Answer every authenticated request with 403: the signed-in identity has no data-plane role, or the firewall blocks it. */
  forbidden?: 'rbac' | 'firewall';
}

export interface FakeKeyVaultServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Endpoint template for CVAT_KEYVAULT_ENDPOINT. */
  endpointTemplate: string;
  vaults: Map<string, FakeVault>;
  log: KeyVaultRequestLog[];
  close(): Promise<void>;
}

const json = { 'content-type': 'application/json; charset=utf-8' };

export async function startFakeKeyVaultServer(): Promise<FakeKeyVaultServer> {
  const vaults = new Map<string, FakeVault>();
  const log: KeyVaultRequestLog[] = [];
  let server: LoopbackServer | undefined;
  server = await startLoopbackServer((req) => {
    const m = /^\/([^/]+)\/secrets\/([^/]+)\/?([^/]*)$/.exec(req.path);
    const entry = {
      method: req.method,
      vault: m?.[1] ?? '',
      path: req.path,
      apiVersion: req.query.get('api-version'),
      authorization: req.headers.authorization,
    };
    const answer = (status: number, body: object, headers: Record<string, string> = {}) => {
      log.push({ ...entry, status });
      return { status, headers: { ...json, ...headers }, body };
    };
    if (!req.query.get('api-version'))
      return answer(400, {
        error: {
          code: 'MissingApiVersionParameter',
          message: 'The api-version query parameter (?api-version=) is required for all requests.',
        },
      });
    if (req.headers.authorization !== `Bearer ${FAKE_KEY_VAULT_TOKEN}`) {
      return answer(
        401,
        { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
        {
          'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${FAKE_KEY_VAULT_TENANT}", resource="https://vault.azure.net"`,
        },
      );
    }
    const vault = m ? vaults.get(m[1]!) : undefined;
    if (!m || !vault || req.method !== 'GET')
      return answer(404, { error: { code: 'NotFound', message: `No route for ${req.method} ${req.path} in this fake.` } });
    if (vault.forbidden === 'rbac') {
      return answer(403, {
        error: {
          code: 'Forbidden',
          message: [
            'Caller is not authorized to perform action on resource.',
            'If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.',
            `Caller: appid=04b07795;oid=1111;iss=https://sts.windows.net/${FAKE_KEY_VAULT_TENANT}/`,
            "Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'",
            `Resource: '/subscriptions/x/resourcegroups/rg/providers/microsoft.keyvault/vaults/${m[1]}/secrets/${m[2]}'`,
            'Assignment: (not found)',
            `Vault: ${m[1]};location=westeurope`,
            '',
          ].join('\r\n'),
          innererror: { code: 'ForbiddenByRbac' },
        },
      });
    }
    if (vault.forbidden === 'firewall') {
      return answer(403, {
        error: {
          code: 'Forbidden',
          message: [
            'Client address is not authorized and caller is not a trusted service.',
            'Client address: 203.0.113.7',
            'Caller: appid=04b07795;oid=1111',
            `Vault: ${m[1]};location=westeurope`,
          ].join('\r\n'),
          innererror: { code: 'ForbiddenByFirewall' },
        },
      });
    }
    const value = vault.secrets.get(m[2]!);
    if (value === undefined) {
      return answer(404, {
        error: {
          code: 'SecretNotFound',
          message: [
            `A secret with (name/id) ${m[2]} was not found in this key vault.`,
            'If you recently deleted this secret you may be able to recover it using the correct recovery command.',
            'For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182',
          ].join(' '),
        },
      });
    }
    const version = m[3] || '0123456789abcdef0123456789abcdef';
    return answer(200, {
      value,
      // Key Vault answers with its canonical id (the SDK parses it into vault URL, name and version)
      id: `https://${m[1]}.vault.azure.net/secrets/${m[2]}/${version}`,
      attributes: { enabled: true, created: 1767225600, updated: 1767225600, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 },
      tags: {},
    });
  });
  return {
    url: server.url,
    endpointTemplate: `${server.url}/{vault}`,
    vaults,
    log,
    close: () => server!.close(),
  };
}

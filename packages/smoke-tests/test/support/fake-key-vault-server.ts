/**
 * Test double of the Key Vault secrets data plane on 127.0.0.1, for the real `@azure/keyvault-secrets` client
 * (never shipped in src). It models what the SDK's challenge-based auth relies on: a request without
 * `Authorization: Bearer <FAKE_KEY_VAULT_TOKEN>` gets 401 with a `WWW-Authenticate` challenge naming a tenant and
 * the vault.azure.net resource; the SDK then asks its credential for a token and retries. Vaults are path
 * prefixes (`CVAT_SMOKE_KEYVAULT_ENDPOINT=http://127.0.0.1:<port>/{vault}`):
 * `GET /<vault>/secrets/<name>/?api-version=…` → 200 `{ value, id, attributes }`, a missing secret → 404
 * `SecretNotFound`, a vault marked `forbidden` → 403 with inner code `ForbiddenByRbac` or `ForbiddenByFirewall`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/identity';

/** The token the fake accepts. */
export const FAKE_KEY_VAULT_TOKEN = 'fake-key-vault-token';

/** A credential test double handing out {@link FAKE_KEY_VAULT_TOKEN}; records the scopes it was asked for. */
export class FakeCredential implements TokenCredential {
  readonly scopes: string[] = [];
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    return { token: FAKE_KEY_VAULT_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

/** One vault's contents and behaviour. */
export interface FakeVault {
  readonly secrets: Map<string, string>;
  forbidden?: 'rbac' | 'firewall';
}

/** One request as the fake saw it. */
export interface FakeKeyVaultRequest {
  readonly method: string;
  readonly path: string;
  readonly authorized: boolean;
  readonly status: number;
}

export interface FakeKeyVaultServer {
  /** Template for CVAT_SMOKE_KEYVAULT_ENDPOINT. */
  readonly endpointTemplate: string;
  readonly vaults: Map<string, FakeVault>;
  readonly requests: FakeKeyVaultRequest[];
  close(): Promise<void>;
}

export async function startFakeKeyVaultServer(): Promise<FakeKeyVaultServer> {
  const vaults = new Map<string, FakeVault>();
  const requests: FakeKeyVaultRequest[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorized = req.headers.authorization === `Bearer ${FAKE_KEY_VAULT_TOKEN}`;
    const send = (status: number, body: object, headers: Record<string, string> = {}): void => {
      requests.push({ method: req.method ?? '', path: url.pathname, authorized, status });
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
    };
    if (!url.searchParams.get('api-version')) return send(400, { error: { code: 'MissingApiVersionParameter', message: 'The api-version query parameter (?api-version=) is required for all requests.' } });
    if (!authorized) {
      return send(401, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } }, {
        'www-authenticate': 'Bearer authorization="https://login.microsoftonline.com/72f988bf-0000-0000-0000-000000000000", resource="https://vault.azure.net"',
      });
    }
    const m = /^\/([^/]+)\/secrets\/([^/]+)\/?([^/]*)$/.exec(url.pathname);
    const vault = m ? vaults.get(m[1]!) : undefined;
    if (!m || !vault || req.method !== 'GET') return send(404, { error: { code: 'NotFound', message: `No route for ${req.method} ${url.pathname} in this fake.` } });
    if (vault.forbidden) {
      const message = vault.forbidden === 'rbac' ? "Caller is not authorized to perform action on resource.\r\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'" : 'Client address is not authorized and caller is not a trusted service.\r\nClient address: 203.0.113.7';
      return send(403, { error: { code: 'Forbidden', message, innererror: { code: vault.forbidden === 'rbac' ? 'ForbiddenByRbac' : 'ForbiddenByFirewall' } } });
    }
    const value = vault.secrets.get(m[2]!);
    if (value === undefined) return send(404, { error: { code: 'SecretNotFound', message: `A secret with (name/id) ${m[2]} was not found in this key vault.` } });
    send(200, {
      value,
      id: `https://${m[1]}.vault.azure.net/secrets/${m[2]}/${m[3] || '0123456789abcdef0123456789abcdef'}`,
      attributes: { enabled: true, created: 1767225600, updated: 1767225600, recoveryLevel: 'Recoverable+Purgeable' },
    });
  };
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpointTemplate: `http://127.0.0.1:${port}/{vault}`,
    vaults,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Test double of an Azure `TokenCredential`: hands out a fixed token, counts calls and records the scopes and tenant
 * it was asked for (the Key Vault challenge names both), and can be told to fail like `@azure/identity` does.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';

/** The token {@link FakeCredential} hands out by default (and the loopback fakes accept). */
export const FAKE_TOKEN = 'fake-token';

/** One `getToken` call as the fake saw it. */
export interface TokenRequest {
  readonly scopes: string[];
  readonly tenantId?: string | undefined;
}

/** A credential test double. */
export class FakeCredential implements TokenCredential {
  /** Number of `getToken` calls. */
  calls = 0;
  /** Every call, in order. */
  readonly asked: TokenRequest[] = [];
  /**
   * @param token the token to hand out
   * @param fail thrown by every `getToken` (e.g. an error named `CredentialUnavailableError`)
   */
  constructor(
    readonly token: string = FAKE_TOKEN,
    private readonly fail?: Error,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.calls++;
    this.asked.push({ scopes: [scopes].flat(), tenantId: options?.tenantId });
    if (this.fail) throw this.fail;
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

/** An error shaped like `@azure/identity`'s CredentialUnavailableError (no `az login`, no environment credential). */
export function credentialUnavailable(
  message = 'Azure CLI could not be found. Please visit https://aka.ms/azure-cli for installation instructions.',
): Error {
  return Object.assign(new Error(message), { name: 'CredentialUnavailableError' });
}

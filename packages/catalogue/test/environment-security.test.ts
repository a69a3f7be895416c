import { describe, expect, it } from 'vitest';
import { parseEnvironmentConfig } from '../src/index';
import type { EnvironmentConfig } from '../src/schema/environment';
import {
  ACME_FORBIDDEN_MAIL_DOMAINS,
  acmeEmailAccepted,
  adminCidrsNarrow,
  ENVIRONMENT_SECURITY_RULES,
  keyVaultPurgeProtected,
} from '../src/rules/environment-security';

const BASE = {
  name: 'prod',
  adminCidrs: ['203.0.113.0/24'],
  edge: { mode: 'vm', acmeEmail: 'ops@cvat.ai' },
  keyVault: { purgeProtection: true, softDeleteRetentionDays: 90 },
};

/**
 * A valid production-like environment with `o` laid over it after parsing (the security rules run inside
 * parseEnvironmentConfig too, so a value they refuse must be set afterwards for the rule to be called on its own).
 */
function config(
  o: { adminCidrs?: string[]; name?: string; edge?: Record<string, unknown>; keyVault?: Record<string, unknown> } = {},
): EnvironmentConfig {
  const r = parseEnvironmentConfig(BASE);
  if (!r.value) throw new Error(JSON.stringify(r.errors));
  return {
    ...r.value,
    ...(o.name ? { name: o.name } : {}),
    ...(o.adminCidrs ? { adminCidrs: o.adminCidrs } : {}),
    edge: { ...r.value.edge, ...(o.edge ?? {}) },
    keyVault: { ...r.value.keyVault, ...(o.keyVault ?? {}) },
  } as EnvironmentConfig;
}
const messages = (rule: (typeof ENVIRONMENT_SECURITY_RULES)[number], c: EnvironmentConfig) => rule.check(c).map((i) => i.message);

describe('environment security rules', () => {
  it('pass on a production-like environment', () => {
    for (const rule of ENVIRONMENT_SECURITY_RULES) expect(rule.check(config()), rule.name).toEqual([]);
  });

  it("acmeEmailAccepted: refuses the example domains Let's Encrypt forbids, naming field, value and why", () => {
    for (const domain of ACME_FORBIDDEN_MAIL_DOMAINS) {
      expect(messages(acmeEmailAccepted, config({ edge: { mode: 'vm', acmeEmail: `ops@${domain}` } }))).toEqual([
        `'edge.acmeEmail' ("ops@${domain}") must not be on ${domain}: Let's Encrypt refuses it as a contact, so no certificate is issued`,
      ]);
    }
    // Case does not matter; a real subdomain of a public suffix is fine.
    expect(messages(acmeEmailAccepted, config({ edge: { mode: 'vm', acmeEmail: 'Ops@EXAMPLE.ORG' } }))).toHaveLength(1);
    expect(messages(acmeEmailAccepted, config({ edge: { mode: 'vm', acmeEmail: 'ops@mail.example-corp.com' } }))).toEqual([]);
  });

  it('acmeEmailAccepted: refuses non-public TLDs (.test, .invalid, .local) and leaves edge none and the example alone', () => {
    for (const email of ['ops@cvat.test', 'ops@cvat.invalid', 'ops@box.local']) {
      expect(messages(acmeEmailAccepted, config({ edge: { mode: 'vm', acmeEmail: email } }))[0]).toMatch(/must be on a public domain/);
    }
    expect(acmeEmailAccepted.check(config({ edge: { mode: 'none', hostname: 'cvat.internal.example.com' } }))).toEqual([]);
    expect(acmeEmailAccepted.check(config({ name: 'example', edge: { mode: 'vm', acmeEmail: 'ops@example.com' } }))).toEqual([]);
  });

  it('adminCidrsNarrow: refuses anything wider than /16 and accepts a /16 and a single address', () => {
    expect(messages(adminCidrsNarrow, config({ adminCidrs: ['203.0.113.7/32', '198.51.0.0/16', '20.0.0.0/8'] }))).toEqual([
      `'adminCidrs[2]' ("20.0.0.0/8") must be /16 or narrower (it holds 16777216 addresses; list the operators' own networks, ` +
        'which reach SSH, Key Vault, storage and the state account)',
    ]);
    expect(messages(adminCidrsNarrow, config({ adminCidrs: ['198.48.0.0/15'] }))[0]).toMatch(/131072 addresses/);
  });

  it('keyVaultPurgeProtected: refuses purge protection off outside the example', () => {
    const off = { keyVault: { purgeProtection: false, softDeleteRetentionDays: 7 } };
    expect(messages(keyVaultPurgeProtected, config(off))[0]).toMatch(
      /^'keyVault\.purgeProtection' \(false\) must be true outside the example/,
    );
    expect(keyVaultPurgeProtected.check(config({ name: 'example', ...off }))).toEqual([]);
  });

  it('have lowerCamelCase names and descriptions', () => {
    for (const r of ENVIRONMENT_SECURITY_RULES) {
      expect(r.name).toMatch(/^[a-z][A-Za-z]+$/);
      expect(r.description.length).toBeGreaterThan(20);
    }
  });
});

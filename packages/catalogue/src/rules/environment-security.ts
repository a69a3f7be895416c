/**
 * Security rules of the environment configuration (issue 14): inputs Azure or Let's Encrypt would accept or refuse
 * only at deploy time, or accept although they undo a protection.
 */
import type { EnvironmentConfig } from '../schema/environment';
import { parseCidr } from './cidr';
import { defineRule, type Rule, type RuleIssue } from './issues';

/**
 * Mail domains Let's Encrypt refuses for an ACME account contact: letsencrypt/boulder policy/pa.go `forbiddenMailDomains`
 * (the RFC 2606 §3 example domains, "frequently used when copy-pasting example configurations").
 */
export const ACME_FORBIDDEN_MAIL_DOMAINS: readonly string[] = ['example.com', 'example.net', 'example.org'];

/**
 * Top-level names that are not public suffixes, so boulder's `validNonWildcardDomain` (policy/pa.go `ValidEmail`, a
 * contact domain must end in an ICANN public suffix) refuses a contact address under them: the RFC 2606 / RFC 6761
 * special-use names and `.local` (mDNS, RFC 6762).
 */
export const ACME_NON_PUBLIC_TLDS: readonly string[] = ['example', 'invalid', 'localhost', 'test', 'local', 'internal', 'lan', 'home'];

/**
 * The widest operator network `adminCidrs` accepts: a /16 (65,536 addresses). Every entry opens SSH on the edge and the
 * Key Vault, storage and state-account firewalls, which only narrow anything while the list names the operators'
 * own networks: an office or VPN egress is a handful of addresses, a large organisation's public block a /16 at most,
 * while a /8 is a sixteenth of a cloud provider or a whole carrier (16.7 million addresses), which would make the
 * allow-list pointless. Neither Azure nor the NSG bounds the size, so this rule does.
 */
export const ADMIN_CIDR_MIN_PREFIX = 16;

/** The environment that is never deployed as is (the committed, offline example). */
const EXAMPLE = 'example';

/** A named security rule of the environment configuration. */
export type EnvironmentSecurityRule = Rule<EnvironmentConfig>;

/** `edge.acmeEmail` is an address Let's Encrypt accepts as an account contact. */
export const acmeEmailAccepted: EnvironmentSecurityRule = defineRule(
  'acmeEmailAccepted',
  "edge.acmeEmail is not on a domain Let's Encrypt refuses (example.com/net/org, non-public TLDs).",
  (config, report) => {
    const email = config.edge.acmeEmail;
    if (config.edge.mode !== 'vm' || !email || config.name === EXAMPLE) return [];
    const domain = email
      .slice(email.lastIndexOf('@') + 1)
      .toLowerCase()
      .replace(/\.$/, '');
    const labels = domain.split('.');
    const tld = labels[labels.length - 1] ?? '';
    const issues: RuleIssue[] = [];
    if (ACME_FORBIDDEN_MAIL_DOMAINS.includes(domain)) {
      issues.push(
        report.error(
          'edge.acmeEmail',
          email,
          `must not be on ${domain}: Let's Encrypt refuses it as a contact, so no certificate is issued`,
        ),
      );
    } else if (labels.length < 2 || ACME_NON_PUBLIC_TLDS.includes(tld)) {
      issues.push(
        report.error(
          'edge.acmeEmail',
          email,
          `must be on a public domain (.${tld} is not a public suffix): Let's Encrypt refuses the account contact`,
        ),
      );
    }
    return issues;
  },
);

/** No `adminCidrs` entry is wider than {@link ADMIN_CIDR_MIN_PREFIX}. */
export const adminCidrsNarrow: EnvironmentSecurityRule = defineRule(
  'adminCidrsNarrow',
  `adminCidrs entries are /${ADMIN_CIDR_MIN_PREFIX} or narrower (operator networks, not providers).`,
  (config, report) =>
    config.adminCidrs
      .map((c, i) => ({ c, i, b: parseCidr(c) }))
      .filter(({ b }) => b !== undefined && b.prefixLength < ADMIN_CIDR_MIN_PREFIX)
      .map(({ c, i, b }) =>
        report.error(
          `adminCidrs[${i}]`,
          c,
          `must be /${ADMIN_CIDR_MIN_PREFIX} or narrower (it holds ${2 ** (32 - (b?.prefixLength ?? 0))} addresses; list the operators' ` +
            'own networks, which reach SSH, Key Vault, storage and the state account)',
        ),
      ),
);

/** Key Vault purge protection is on outside the example. */
export const keyVaultPurgeProtected: EnvironmentSecurityRule = defineRule(
  'keyVaultPurgeProtected',
  'keyVault.purgeProtection is on (deleted secrets stay recoverable for softDeleteRetentionDays).',
  (config, report) =>
    config.name === EXAMPLE || config.keyVault.purgeProtection
      ? []
      : [
          report.error(
            'keyVault.purgeProtection',
            false,
            'must be true outside the example: without it anyone who may delete the vault can purge every secret at once, ' +
              'with no recovery (the name then stays reserved for softDeleteRetentionDays after a destroy)',
          ),
        ],
);

/** Every environment security rule, in the order they run. */
export const ENVIRONMENT_SECURITY_RULES: readonly EnvironmentSecurityRule[] = [acmeEmailAccepted, adminCidrsNarrow, keyVaultPurgeProtected];

import { ACA_LIMITS } from '../../data/aca-limits';
import type { Catalogue } from '../../schema/catalogue';
import { defineRule, type Rule, type RuleIssue } from '../issues';
import { APP_NAME_RE, STORAGE_NAME_RE, SECRET_NAME_RE, KEY_VAULT_SECRET_NAME_RE, cpath } from './helpers';

/** Names: unique, and in the format Azure accepts. */
export const NAME_RULES: readonly Rule<Catalogue>[] = [
  /** Component, storage and secret names are unique. */
  defineRule('uniqueNames', 'Component, storage, secret and Key Vault secret names are unique.', (c, report) => {
    const out: RuleIssue[] = [];
    for (const [kind, list] of [
      ['components', c.components],
      ['storages', c.storages],
      ['secrets', c.secrets],
    ] as const) {
      const counts = new Map<string, number>();
      for (const x of list) counts.set(x.name, (counts.get(x.name) ?? 0) + 1);
      for (const [name, n] of counts) {
        if (n > 1) out.push(report.error(`${kind}.${name}`, name, `must be unique: it is declared ${n} times`));
      }
    }
    const kv = new Map<string, number>();
    for (const s of c.secrets) kv.set(s.keyVaultName, (kv.get(s.keyVaultName) ?? 0) + 1);
    for (const [name, n] of kv) {
      if (n > 1) out.push(report.error(`secrets.${name}.keyVaultName`, name, `must be unique: ${n} secrets use this Key Vault name`));
    }
    return out;
  }),
  /**
   * App (and job) names follow the ACA rule: 2-32 characters, lowercase letters, digits and "-",
   * starting with a letter, ending alphanumeric, no "--". The name is also the in-environment host.
   *
   * @see https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftapp
   */
  defineRule('appNameFormat', 'App names follow the ACA rule (≤32, lowercase, starts with a letter, no "--").', (c, report) => {
    const out: RuleIssue[] = [];
    for (const x of c.components) {
      const ok =
        x.name.length >= ACA_LIMITS.appNameMinLength &&
        x.name.length <= ACA_LIMITS.appNameMaxLength &&
        APP_NAME_RE.test(x.name) &&
        !x.name.includes('--');
      if (!ok) {
        out.push(
          report.error(
            `${cpath(x)}.name`,
            x.name,
            `must be ${ACA_LIMITS.appNameMinLength}-${ACA_LIMITS.appNameMaxLength} characters of lowercase letters, digits and ` +
              `"-", start with a letter, end with a letter or digit and contain no "--"`,
          ),
        );
      }
    }
    return out;
  }),
  /** Environment-storage (and file share) names: 3-32 characters, lowercase alphanumerics and "-", starting with a letter, no "--". */
  defineRule(
    'storageNameFormat',
    'Environment storage names follow the ACA rule (3-32, lowercase, starts with a letter, no "--").',
    (c, report) => {
      return c.storages
        .filter(
          (s) =>
            !(
              s.name.length >= ACA_LIMITS.storageNameMinLength &&
              s.name.length <= ACA_LIMITS.storageNameMaxLength &&
              STORAGE_NAME_RE.test(s.name) &&
              !s.name.includes('--')
            ),
        )
        .map((s) =>
          report.error(
            `storages.${s.name}.name`,
            s.name,
            `must be ${ACA_LIMITS.storageNameMinLength}-${ACA_LIMITS.storageNameMaxLength} characters of lowercase letters, ` +
              `digits and "-", start with a letter, end with a letter or digit and contain no "--"`,
          ),
        );
    },
  ),
  /** ACA secret names (lowercase alphanumerics and "-", ≤253, alphanumeric at both ends) and Key Vault secret names (alphanumerics and "-", ≤127). */
  defineRule('secretNameFormat', 'ACA and Key Vault secret names are valid.', (c, report) => {
    const out: RuleIssue[] = [];
    for (const s of c.secrets) {
      if (!(s.name.length <= ACA_LIMITS.secretNameMaxLength && SECRET_NAME_RE.test(s.name))) {
        out.push(
          report.error(
            `secrets.${s.name}.name`,
            s.name,
            `must be at most ${ACA_LIMITS.secretNameMaxLength} characters of lowercase letters, digits and "-", starting and ending with a letter or digit`,
          ),
        );
      }
      if (!(s.keyVaultName.length <= ACA_LIMITS.keyVaultSecretNameMaxLength && KEY_VAULT_SECRET_NAME_RE.test(s.keyVaultName))) {
        out.push(
          report.error(
            `secrets.${s.name}.keyVaultName`,
            s.keyVaultName,
            `must be 1-${ACA_LIMITS.keyVaultSecretNameMaxLength} characters of letters, digits and "-"`,
          ),
        );
      }
    }
    return out;
  }),
];

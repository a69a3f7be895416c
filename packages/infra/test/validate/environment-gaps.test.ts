// Values the pinned provider refuses at plan time that the environment once accepted. The environment rules now refuse
// each one at load (the first line of defence, with the field and what is allowed); infra:validate still catches each
// one offline when the rules are bypassed (a config built in code), so the second line holds too.
import { describe, expect, it } from 'vitest';
import { parseEnvironmentConfig, type EnvironmentConfig } from '@cvat-cloud/catalogue';
import { runValidate, type ValidateFinding } from '../../src/validate';
import { exampleConfig, synthesize } from '../support/synth';

function merged(patch: Record<string, unknown>): Record<string, unknown> {
  const base = exampleConfig() as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const mergeable = v && typeof v === 'object' && !Array.isArray(v) && base[k] && typeof base[k] === 'object';
    out[k] = mergeable ? { ...(base[k] as object), ...(v as object) } : v;
  }
  return out;
}

/** The rules that refuse `patch` when the environment is loaded. */
function refusedBy(patch: Record<string, unknown>): string[] {
  const parsed = parseEnvironmentConfig(merged(patch));
  return (parsed.errors ?? []).map((e) => `${e.rule} ${e.path}`);
}

/** The provider-constraint findings of a synth of `patch` with the environment rules bypassed. */
function validateBypassingRules(patch: Record<string, unknown>): ValidateFinding[] {
  const s = synthesize(merged(patch) as unknown as EnvironmentConfig);
  try {
    return runValidate(s.model, { outdir: s.outdir }).findings.filter((f) => f.severity === 'error');
  } finally {
    s.dispose();
  }
}

const ECDSA_KEY =
  'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBA95ywHY2HQsFe59iIhJCNmPjQdGbAJ7/5ZcxfOdHs98gG6UhCj5Kwjp' +
  'SICNGTZ+ZE+W4ExRPWzAGfFzjibUzsE= ops@cvat-cloud.dev';

describe('refused by the environment rules, and by validate behind them (azurerm v4.55.0)', () => {
  it('postgres.skuName matching the old regex but not the provider’s FlexibleServerSkuName (GP_Standard_D3s_v3)', () => {
    const patch = { postgres: { skuName: 'GP_Standard_D3s_v3' } };
    expect(refusedBy(patch)).toEqual(['postgresSkuAccepted postgres.skuName']);
    const findings = validateBypassingRules(patch);
    expect(findings.map((f) => [f.rule, f.value])).toEqual([['azurerm_postgresql_flexible_server:sku_name', 'GP_Standard_D3s_v3']]);
    expect(findings[0]!.source).toContain('internal/services/postgres/validate/flexible_server_sku_name.go FlexibleServerSkuName');
  });

  it('edge.sshPublicKey of type ecdsa (SSHKey takes only RSA >= 2048 and ED25519): refused at load, and by the EdgeVm construct', () => {
    const patch = { edge: { ...exampleConfig().edge, sshPublicKey: ECDSA_KEY } };
    expect(refusedBy(patch)).toEqual(['edgeSshKeyAccepted edge.sshPublicKey']);
    expect(() => validateBypassingRules(patch)).toThrow(/'sshPublicKey' \(ecdsa-sha2-nistp256 AAAA/);
  });

  it('12 custom tags: with the 4 standard ones every Key Vault secret has 16 (TagsWithMaximumElements(15))', () => {
    const patch = { tags: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`team-${i}`, 'x'])) };
    expect(refusedBy(patch)).toEqual(['tagsWithinAzureLimits tags']);
    const findings = validateBypassingRules(patch);
    expect(new Set(findings.map((f) => f.rule))).toEqual(new Set(['azurerm_key_vault_secret:tags']));
    expect(findings[0]).toMatchObject({ value: '16 tags', allowed: 'at most 15 tags' });
  });

  it('a tag value over 256 characters (every tagged resource refuses it)', () => {
    const patch = { tags: { owner: 'x'.repeat(257) } };
    expect(refusedBy(patch)).toEqual(['tagsWithinAzureLimits tags.owner']);
    const findings = validateBypassingRules(patch);
    expect(findings.length).toBeGreaterThan(20);
    expect(findings.every((f) => f.rule.endsWith(':tags') && f.path === 'tags.owner')).toBe(true);
  });
});

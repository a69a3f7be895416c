import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironmentConfig, parseEnvironmentConfig, resolveCatalogue, resourceNames } from '@cvat-cloud/catalogue';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from './support/temp-dir';
import { buildApp } from '../../src/app';
import { formatKeyVaultDestroyNotes, keyVaultDestroyBehaviour } from '../../src/deploy/key-vault';
import { loadManifest, readStackJson, type StackJson } from '../../src/deploy/manifest';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const stackWith = (vault: Record<string, unknown>, keyVaultFeatures?: Record<string, unknown>): StackJson => ({
  provider: { azurerm: [{ features: [keyVaultFeatures ? { key_vault: [keyVaultFeatures] } : {}] }] },
  resource: { azurerm_key_vault: { kv: { name: 'cvat-dev-kv-1a2b3c4d', ...vault } } },
});

describe('keyVaultDestroyBehaviour', () => {
  it('applies the azurerm defaults (purge on destroy, recover on create) when the provider block sets nothing', () => {
    const [b] = keyVaultDestroyBehaviour(stackWith({ purge_protection_enabled: false, soft_delete_retention_days: 7 }));
    expect(b).toEqual({
      name: 'cvat-dev-kv-1a2b3c4d',
      purgeProtection: false,
      softDeleteRetentionDays: 7,
      purgeOnDestroy: true,
      recoverOnCreate: true,
      purgeSettingExplicit: false,
    });
    expect(formatKeyVaultDestroyNotes([b])).toEqual([
      'Key Vault cvat-dev-kv-1a2b3c4d: purged after deletion (purge_soft_delete_on_destroy=true (azurerm default)); the name is free again at once.',
    ]);
  });

  it('explains a kept vault and a purge-protected one, and what a redeploy with the same name meets', () => {
    const kept = keyVaultDestroyBehaviour(
      stackWith({ soft_delete_retention_days: 30 }, { purge_soft_delete_on_destroy: false, recover_soft_deleted_key_vaults: false }),
    );
    expect(formatKeyVaultDestroyNotes(kept)[0]).toBe(
      'Key Vault cvat-dev-kv-1a2b3c4d: kept soft-deleted for 30 days (purge_soft_delete_on_destroy=false); purge it before ' +
        'redeploying: az keyvault purge --name cvat-dev-kv-1a2b3c4d',
    );
    const locked = keyVaultDestroyBehaviour(stackWith({ purge_protection_enabled: true, soft_delete_retention_days: 90 }));
    expect(formatKeyVaultDestroyNotes(locked)[0]).toBe(
      'Key Vault cvat-dev-kv-1a2b3c4d: purge protection is on, so it stays soft-deleted for 90 days and cannot be purged; a ' +
        'redeploy with the same name recovers it (recover_soft_deleted_key_vaults=true).',
    );
  });
});

describe('Key Vault destroy behaviour of the synthesized foundation stack', () => {
  function synthFoundation(raw: unknown): { json: StackJson; vaultName: string } {
    const base = loadEnvironmentConfig('example', { cwd: REPO_ROOT }).value!;
    const config = parseEnvironmentConfig(raw ?? base).value!;
    const catalogue = resolveCatalogue(config).value!;
    const outdir = makeTempDir('cvat-kv-synth-');
    dirs.push(outdir);
    buildApp({ config, catalogue, outdir, stateRoot: join(outdir, 'state') }).app.synth();
    const foundation = loadManifest(outdir).stacks.find((s) => s.name === 'foundation')!;
    return { json: readStackJson(foundation), vaultName: resourceNames(config).keyVault };
  }

  it('lets a redeploy reuse the vault name after destroy, with and without purge protection', () => {
    const example = loadEnvironmentConfig('example', { cwd: REPO_ROOT }).value!;
    for (const purgeProtection of [false, true]) {
      const { json, vaultName } = synthFoundation({ ...example, keyVault: { ...example.keyVault, purgeProtection } });
      const [b, ...rest] = keyVaultDestroyBehaviour(json);
      expect(rest).toEqual([]);
      expect(b.name).toBe(vaultName);
      expect(b.purgeProtection).toBe(purgeProtection);
      expect(b.softDeleteRetentionDays).toBe(example.keyVault.softDeleteRetentionDays);
      // Without purge protection the provider must purge (name free at once); with it, it must recover.
      expect(purgeProtection ? b.recoverOnCreate : b.purgeOnDestroy).toBe(true);
    }
  }, 60_000);

  it('writes features.key_vault explicitly: purge vault and secrets on destroy only without purge protection, always recover on create', () => {
    const example = loadEnvironmentConfig('example', { cwd: REPO_ROOT }).value!;
    for (const purgeProtection of [false, true]) {
      const { json, vaultName } = synthFoundation({ ...example, keyVault: { ...example.keyVault, purgeProtection } });
      expect((json.provider as any).azurerm[0].features, `purgeProtection=${purgeProtection}`).toEqual([
        {
          key_vault: [
            {
              purge_soft_delete_on_destroy: !purgeProtection,
              purge_soft_deleted_secrets_on_destroy: !purgeProtection,
              recover_soft_deleted_key_vaults: true,
              recover_soft_deleted_secrets: true,
            },
          ],
          storage: [{ data_plane_available: false }],
        },
      ]);
      const [b] = keyVaultDestroyBehaviour(json);
      expect(b).toMatchObject({ purgeProtection, purgeOnDestroy: !purgeProtection, recoverOnCreate: true, purgeSettingExplicit: true });
      expect(formatKeyVaultDestroyNotes([b])[0]).toBe(
        purgeProtection
          ? `Key Vault ${vaultName}: purge protection is on, so it stays soft-deleted for ` +
              `${example.keyVault.softDeleteRetentionDays} days and cannot be purged; a redeploy with the same name recovers it ` +
              `(recover_soft_deleted_key_vaults=true).`
          : `Key Vault ${vaultName}: purged after deletion (purge_soft_delete_on_destroy=true); the name is free again at once.`,
      );
    }
  }, 60_000);
});

/**
 * Connection defaults from `--env` (loaded only when needed): host from terraform outputs (the server FQDN) or the
 * derived server name, administrator login and database from the environment file, password from Key Vault.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_NAMES, findRepoRoot } from '@cvat-cloud/catalogue';
import type { GlobalOptions } from '../../context/global-options';
import type { Runtime } from '../../context/runtime';
import { loadEnvironment, type ResolvedEnvironment } from '../../context/environment';
import { findOutput, readTerraformOutputs } from '../../context/terraform';
import type { SecretReader } from '@cvat-cloud/runtime';
import type { EnvironmentDbDefaults } from './connection';

/** Reads a Key Vault secret (`@cvat-cloud/runtime` keyVaultSecretReader); injectable so tests never reach Azure. */
export type { SecretReader };

/** The foundation stack's directory under packages/infra/cdktf.out/stacks, if synthesized. */
export function foundationStackDir(cwd: string): string | undefined {
  const root = findRepoRoot(cwd);
  if (!root) return undefined;
  const stacks = join(root, 'packages', 'infra', 'cdktf.out', 'stacks');
  if (!existsSync(stacks)) return undefined;
  const name = readdirSync(stacks).find((s) => /foundation/.test(s));
  return name ? join(stacks, name) : undefined;
}

/** The Key Vault secret name of the PostgreSQL administrator password, from the catalogue. */
export function postgresPasswordSecret(environment: ResolvedEnvironment): string {
  const secret = environment.catalogue.secrets.find((s) => s.name === SECRET_NAMES.postgresPassword);
  return secret?.keyVaultName ?? SECRET_NAMES.postgresPassword;
}

export async function environmentDbDefaults(
  global: Pick<GlobalOptions, 'env'>,
  runtime: Runtime,
  readSecret?: SecretReader,
): Promise<EnvironmentDbDefaults> {
  const environment = loadEnvironment(global, runtime, 'db');
  const outputs = await readTerraformOutputs({ env: runtime.env, stackDir: foundationStackDir(runtime.cwd) });
  const fromOutputs = findOutput(outputs, /postgres.*(fqdn|host)/i);
  const vault = environment.names.keyVault;
  const secret = postgresPasswordSecret(environment);
  return {
    host: fromOutputs
      ? { value: fromOutputs.value, source: 'terraform' }
      : { value: environment.names.postgresFqdn, source: 'environment' },
    user: environment.config.postgres.administratorLogin,
    database: environment.names.postgresDatabase,
    password: async () => {
      const read =
        readSecret ??
        (await import('@cvat-cloud/runtime')).keyVaultSecretReader({
          env: runtime.env,
          credential: runtime.credential,
          alternative: 'set PGPASSWORD to connect without Key Vault',
          userAgent: 'cvat-ops',
        });
      return read({ vault, secret, purpose: 'the PostgreSQL administrator password', environment: environment.ref });
    },
  };
}

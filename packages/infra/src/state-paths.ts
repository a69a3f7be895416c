import { join, resolve } from 'node:path';
import type { EnvironmentConfig } from '@cvat-cloud/catalogue';

/**
 * The root of the local state files of an environment configuration: `<infraRoot>/<stateBackend.path>`
 * (`packages/infra/state` by default). Each environment keeps its files in its own directory below it
 * (see {@link localStateDir}).
 *
 * Details: with an `azurerm` backend only the init-job record is local, under the default root
 * `<infraRoot>/state`.
 *
 * @default - `<infraRoot>/state` when `stateBackend.path` is not set or the backend is azurerm
 * @see https://developer.hashicorp.com/terraform/language/backend/local
 */
export function defaultStateRoot(config: Pick<EnvironmentConfig, 'stateBackend'>, infraRoot: string): string {
  return resolve(infraRoot, config.stateBackend.type === 'local' ? config.stateBackend.path : 'state');
}

/**
 * The directory of one environment's local state: `<stateRoot>/<environment>` (e.g.
 * `packages/infra/state/dev`), so two environments never share a state file.
 *
 * Details: the environment name is validated by the catalogue (lowercase letters, digits and `-`),
 * so it is a safe single path segment.
 */
export function localStateDir(stateRoot: string, environment: string): string {
  return join(stateRoot, environment);
}

/** One stack's local state file: `<stateRoot>/<environment>/<stack>.tfstate`. */
export function localStateFile(stateRoot: string, environment: string, stack: string): string {
  return join(localStateDir(stateRoot, environment), `${stack}.tfstate`);
}

/**
 * Where the deploy records the last successful `cvat-init` run of an environment:
 * `<stateRoot>/<environment>/init-job.json`, next to the environment's state files.
 */
export function initJobRecordFile(stateRoot: string, environment: string): string {
  return join(localStateDir(stateRoot, environment), 'init-job.json');
}

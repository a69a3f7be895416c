import type { EnvironmentConfig } from '../schema/environment';

/**
 * The tags put on every taggable resource of an environment, before the environment's own `tags`
 * (which may override them): `application`, `environment`, `managed-by` and `cvat-version`. The tag
 * limits of the environment rules count them.
 */
export function standardTags(config: Pick<EnvironmentConfig, 'name' | 'cvatVersion'>): Record<string, string> {
  return { application: 'cvat', environment: config.name, 'managed-by': 'cvat-cloud', 'cvat-version': config.cvatVersion };
}

import type { ConstraintRule } from '../model';
import {
  CONTAINER_APP_ENVIRONMENT_RULES,
  CONTAINER_APP_ENVIRONMENT_STORAGE_RULES,
  CONTAINER_APP_JOB_RULES,
  CONTAINER_APP_RULES,
} from './container-apps';
import { KEY_VAULT_RULES, POSTGRES_RULES, STORAGE_RULES } from './data-stores';
import { EDGE_RULES, NETWORK_RULES } from './network-compute';
import { MONITOR_RULES } from './monitoring';
import { PLATFORM_RULES, PROVIDER_RULES, RANDOM_TIME_RULES } from './platform';

/** Every constraint rule, by resource family. */
export const CONSTRAINT_RULES: readonly ConstraintRule[] = [
  ...CONTAINER_APP_RULES,
  ...CONTAINER_APP_JOB_RULES,
  ...CONTAINER_APP_ENVIRONMENT_RULES,
  ...CONTAINER_APP_ENVIRONMENT_STORAGE_RULES,
  ...KEY_VAULT_RULES,
  ...STORAGE_RULES,
  ...POSTGRES_RULES,
  ...NETWORK_RULES,
  ...EDGE_RULES,
  ...MONITOR_RULES,
  ...PLATFORM_RULES,
  ...RANDOM_TIME_RULES,
  ...PROVIDER_RULES,
];

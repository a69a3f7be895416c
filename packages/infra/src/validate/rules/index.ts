import type { ConstraintRule } from '../model';
import { CONTAINER_APP_ENVIRONMENT_RULES, CONTAINER_APP_ENVIRONMENT_STORAGE_RULES, CONTAINER_APP_JOB_RULES, CONTAINER_APP_RULES } from './container-apps';

/** Every constraint rule, by resource family. */
export const CONSTRAINT_RULES: readonly ConstraintRule[] = [
  ...CONTAINER_APP_RULES,
  ...CONTAINER_APP_JOB_RULES,
  ...CONTAINER_APP_ENVIRONMENT_RULES,
  ...CONTAINER_APP_ENVIRONMENT_STORAGE_RULES,
];

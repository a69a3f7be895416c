import type { ConstraintRule } from '../model';

/** Every constraint rule, by resource family. */
export const CONSTRAINT_RULES: readonly ConstraintRule[] = [];

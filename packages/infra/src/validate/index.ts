export * from './model';
export * from './checks';
export * from './structure';
export * from './engine';
export { CONSTRAINT_RULES } from './rules';
export { GENERATED_SCHEMAS } from './schema/generated';
export { COVERED_TYPES, TERRAFORM_BUILTIN_TYPES, schemaKey } from './schema/covered';
export type * from './schema/types';

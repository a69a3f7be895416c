import { toJsonSchema } from '@valibot/to-json-schema';
import { CatalogueSchema } from './catalogue';
import { EnvironmentConfigSchema } from './environment';

/** Where the generated schemas are committed, relative to packages/catalogue. */
export const JSON_SCHEMA_FILES = {
  catalogue: 'catalogue.schema.json',
  environment: 'environment.schema.json',
} as const;

// Custom checks (e.g. CIDR parsing) have no JSON Schema form; they are enforced at run time only,
// so conversion ignores them instead of failing.
const OPTIONS = { target: 'draft-07', errorMode: 'ignore' } as const;

/**
 * JSON Schema (draft-07) of a catalogue, generated from `CatalogueSchema` with every field's
 * description and default. Committed as `packages/catalogue/catalogue.schema.json`; a test keeps
 * the file in sync and `npm run schema -w packages/catalogue` regenerates it.
 *
 * @see https://valibot.dev/guides/json-schema/
 */
export function catalogueJsonSchema(): Record<string, unknown> {
  return {
    ...toJsonSchema(CatalogueSchema, OPTIONS),
    $id: 'https://cvat-cloud.invalid/catalogue.schema.json',
    title: 'cvat-cloud catalogue',
    description:
      'Every CVAT component, storage and secret deployed to Azure Container Apps (named rules in docs/catalogue.md are checked in code, not here).',
  };
}

/**
 * JSON Schema (draft-07) of an environment file (`environments/<name>.yaml`), generated from
 * `EnvironmentConfigSchema`. Committed as `packages/catalogue/environment.schema.json`.
 *
 * @see docs/configuration.md
 */
export function environmentJsonSchema(): Record<string, unknown> {
  return {
    ...toJsonSchema(EnvironmentConfigSchema, OPTIONS),
    $id: 'https://cvat-cloud.invalid/environment.schema.json',
    title: 'cvat-cloud environment',
    description: 'One environment of cvat-cloud (environments/<name>.yaml). Cross-field rules are checked in code.',
  };
}

import * as v from 'valibot';
import { DEFAULT_COMPONENTS } from './components';
import { CVAT_VERSION } from './cvat-version';
import { DEFAULT_SECRETS } from './secrets';
import { DEFAULT_STORAGES } from './storages';
import { CatalogueError, formatIssues, fromValibotIssues } from '../rules/issues';
import { CatalogueSchema, type CatalogueInput, type MutableCatalogue } from '../schema/catalogue';

/** The default catalogue input, before schema defaults are applied. @internal */
export function defaultCatalogueInput(): CatalogueInput {
  return structuredClone({
    cvatVersion: CVAT_VERSION,
    components: DEFAULT_COMPONENTS as CatalogueInput['components'],
    storages: DEFAULT_STORAGES as CatalogueInput['storages'],
    secrets: DEFAULT_SECRETS as CatalogueInput['secrets'],
  });
}

/**
 * Every CVAT v2.73.0 component, storage and secret with its default settings, as a fresh copy.
 *
 * The result has passed the schema (defaults filled in) but not environment resolution: edge
 * values are still `platformRef`s and optional components have their default `enabled`. Use
 * `resolveCatalogue(config)` for what an environment deploys.
 *
 * @see docs/catalogue.md
 */
export function defaultCatalogue(): MutableCatalogue {
  const parsed = v.safeParse(CatalogueSchema, defaultCatalogueInput());
  if (!parsed.success) {
    const issues = fromValibotIssues(parsed.issues);
    throw new CatalogueError(`the default catalogue does not match its schema:\n${formatIssues(issues)}`, issues);
  }
  return parsed.output;
}

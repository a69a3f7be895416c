// The named rules of a catalogue, one file per family; CATALOGUE_RULES lists them in the order they run.
import type { Catalogue } from '../../schema/catalogue';
import type { Rule } from '../issues';
import { CVAT_ENV_RULES } from './cvat-env';
import { NAME_RULES } from './names';
import { PROBE_RULES } from './probes';
import { QUEUE_RULES } from './queues';
import { REFERENCE_RULES } from './references';
import { RESOURCE_RULES } from './resources';
import { STORAGE_RULES } from './storage';

export { isCvatBackend, runsScheduler, runsSmokescreen } from './helpers';

/**
 * A named cross-field rule of the catalogue (one schema plus named rules). Rules run after the schema, on
 * typed data, and return issues; they never throw or print.
 */
export type CatalogueRule = Rule<Catalogue>;

/**
 * Every named rule, in the order they run. `validateCatalogue` runs all of them after the schema.
 */
export const CATALOGUE_RULES: readonly CatalogueRule[] = [
  ...NAME_RULES,
  ...RESOURCE_RULES,
  ...REFERENCE_RULES,
  ...PROBE_RULES,
  ...STORAGE_RULES,
  ...CVAT_ENV_RULES,
  ...QUEUE_RULES,
];

// Internal field helpers shared by the catalogue schema (catalogue.ts) and the environment schema
// (environment.ts), in the style of changesets' `rootKey(schema, description, default)`: every
// field carries its description (and its default when optional) so that the JSON Schemas and the
// docs tables come from the same source. Not exported from the package.
import * as v from 'valibot';

/** A required field with its description. */
export function req<T extends v.GenericSchema>(schema: T, description: string) {
  return v.pipe(schema, v.description(description));
}
/** An optional field with its description and the default filled in when it is absent. */
export function opt<T extends v.GenericSchema, D extends v.Default<T, undefined>>(schema: T, description: string, defaultValue: D) {
  return v.pipe(v.optional(schema, defaultValue), v.description(description));
}
/** An optional field without a default. */
export function maybe<T extends v.GenericSchema>(schema: T, description: string) {
  return v.pipe(v.optional(schema), v.description(description));
}

/** A non-empty string. */
export const nonEmpty = v.pipe(v.string(), v.minLength(1, 'must not be empty'));

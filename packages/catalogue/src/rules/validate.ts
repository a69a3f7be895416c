import * as v from 'valibot';
import { CatalogueSchema, type Catalogue } from '../schema/catalogue';
import { CATALOGUE_RULES, type CatalogueRule } from './catalogue';
import { fromValibotIssues, toResult, type Issue, type Result, type RuleIssue } from './issues';

/**
 * Runs the named rules on a schema-valid catalogue and splits their issues into errors and
 * warnings. A rule that throws (a bug) is reported as an error of that rule instead.
 *
 * @param rules which rules to run
 * @default rules CATALOGUE_RULES
 */
export function runRules(catalogue: Catalogue, rules: readonly CatalogueRule[] = CATALOGUE_RULES): { errors: Issue[]; warnings: Issue[] } {
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  for (const rule of rules) {
    let found: RuleIssue[];
    try {
      found = rule.check(catalogue);
    } catch (e) {
      found = [{ rule: rule.name, path: '(catalogue)', message: `rule ${rule.name} failed: ${(e as Error).message}`, severity: 'error' }];
    }
    for (const { severity, ...issue } of found) (severity === 'error' ? errors : warnings).push(issue);
  }
  return { errors, warnings };
}

/**
 * Validates a catalogue: first the schema (types, required fields, defaults filled in), then every
 * named rule of `CATALOGUE_RULES`. Never throws and never prints.
 *
 * Details: on schema errors the rules are not run (they need typed data). Paths name components,
 * storages and secrets by name, e.g. `components.cvat-server.replicas.max`.
 *
 * @returns the parsed catalogue (defaults applied) and warnings, or errors and warnings
 */
export function validateCatalogue(input: unknown): Result<Catalogue> {
  const parsed = v.safeParse(CatalogueSchema, input);
  if (!parsed.success) return { value: undefined, warnings: [], errors: fromValibotIssues(parsed.issues) };
  const { errors, warnings } = runRules(parsed.output);
  return toResult(parsed.output, errors, warnings);
}

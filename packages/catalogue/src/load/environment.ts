import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import * as v from 'valibot';
import { parseDocument } from 'yaml';
import { ENVIRONMENT_RULES } from '../rules/environment';
import { fromValibotIssues, makeIssue, toResult, type Issue, type Result } from '../rules/issues';
import { EnvironmentConfigSchema, type EnvironmentConfig } from '../schema/environment';

/**
 * Validates raw environment data (e.g. parsed YAML): the schema with its defaults, then the
 * environment rules. The catalogue rules run on the overrides in `resolveCatalogue`.
 * Never throws.
 *
 * @param raw parsed YAML or an object
 * @param source file the data came from, recorded on each issue
 */
export function parseEnvironmentConfig(raw: unknown, source?: string): Result<EnvironmentConfig> {
  const withFile = (issues: Issue[]) => (source ? issues.map((i) => ({ ...i, file: source })) : issues);
  const parsed = v.safeParse(EnvironmentConfigSchema, raw ?? {});
  if (!parsed.success) return { value: undefined, warnings: [], errors: withFile(fromValibotIssues(parsed.issues)) };
  const errors: Issue[] = [];
  for (const rule of ENVIRONMENT_RULES) errors.push(...rule.check(parsed.output));
  return toResult(parsed.output, withFile(errors), []);
}

/**
 * Finds the repository root: the nearest directory at or above `cwd` that has an `environments/`
 * directory.
 */
export function findRepoRoot(cwd: string = process.cwd()): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, 'environments');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Options of {@link loadEnvironmentConfig}. */
export interface LoadEnvironmentConfigOptions {
  /**
   * Directory to start the search for the repository root from, and to resolve relative paths.
   *
   * @default process.cwd()
   */
  cwd?: string;
}

/**
 * Reads and validates an environment file. `nameOrPath` is either an environment name (`dev` →
 * `environments/dev.yaml` at the repository root found by walking up from `cwd`) or a path to a
 * YAML file (anything containing `/` or ending in `.yaml`/`.yml`). Never throws: a missing file,
 * YAML syntax errors and invalid fields are all returned as errors.
 *
 * @see docs/configuration.md
 */
export function loadEnvironmentConfig(nameOrPath: string, options: LoadEnvironmentConfigOptions = {}): Result<EnvironmentConfig> {
  const cwd = options.cwd ?? process.cwd();
  const isPath = nameOrPath.includes('/') || nameOrPath.includes('\\') || /\.ya?ml$/.test(nameOrPath);
  let file: string;
  if (isPath) {
    file = isAbsolute(nameOrPath) ? nameOrPath : resolve(cwd, nameOrPath);
  } else {
    if (!/^[a-z][a-z0-9-]*$/.test(nameOrPath)) {
      return fail('load', 'name', nameOrPath, 'must be an environment name (lowercase letters, digits, "-") or a path to a .yaml file');
    }
    const root = findRepoRoot(cwd);
    if (!root) return fail('load', 'name', nameOrPath, `must be resolvable: no environments/ directory at or above ${cwd}`);
    file = join(root, 'environments', `${nameOrPath}.yaml`);
  }
  if (!existsSync(file)) return fail('load', 'file', file, 'must exist');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return fail('load', 'file', file, `must be readable (${(e as Error).message})`);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      value: undefined,
      warnings: [],
      errors: doc.errors.map((e) => ({ rule: 'yaml', path: `line ${e.linePos?.[0]?.line ?? '?'}`, message: `'line ${e.linePos?.[0]?.line ?? '?'}' (${e.code}) must be valid YAML: ${e.message.split('\n')[0]}`, file })),
    };
  }
  const result = parseEnvironmentConfig(doc.toJS(), file);
  if (result.value && !isPath && result.value.name !== nameOrPath) {
    return { value: undefined, warnings: result.warnings, errors: [{ ...makeIssue('load', 'name', result.value.name, `must equal the file name "${basename(file, '.yaml')}"`), file }] };
  }
  return result;
}

function fail(rule: string, path: string, value: unknown, text: string): Result<EnvironmentConfig> {
  return { value: undefined, warnings: [], errors: [makeIssue(rule, path, value, text)] };
}

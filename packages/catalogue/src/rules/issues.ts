import type * as v from 'valibot';

/**
 * One finding of a schema check or a named rule.
 *
 * `path` is the dot-path of the offending field, with components, storages and secrets addressed
 * by name (`components.cvat-worker-import.replicas.max`), which is also the path of the same field
 * in an environment file's `components` overrides. `message` is the whole sentence, starting with
 * the quoted path and the value, e.g. `'components.x.replicas.max' (500) must be between 1 and 300`.
 */
export interface Issue {
  /** Name of the rule that produced the issue (`schema` for schema errors, `yaml` for parse errors). */
  rule: string;
  /** Dot-path of the field, e.g. `components.cvat-server.resources.cpuCores`. */
  path: string;
  /** Full message: `'<path>' (<value>) must …`. */
  message: string;
  /** The file the issue was found in, when it came from a file (environment YAML). */
  file?: string;
}

/**
 * Outcome of a check that never throws: either a value and warnings, or errors and warnings.
 *
 */
export type Result<T> = { value: T; warnings: Issue[]; errors: undefined } | { value: undefined; warnings: Issue[]; errors: Issue[] };

/**
 * The one error type of the catalogue layer, thrown only by functions that require an already
 * validated catalogue (e.g. `deployOrder` on a cyclic graph) — a programming error, not bad input.
 */
export class CatalogueError extends Error {
  /** The issues that explain the error. */
  readonly issues: Issue[];
  constructor(message: string, issues: Issue[] = []) {
    super(message);
    this.name = 'CatalogueError';
    this.issues = issues;
  }
}

/**
 * Renders a value for an issue message: strings quoted, objects as short JSON, `missing` for
 * `undefined`.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  const json = JSON.stringify(value);
  if (json === undefined) return String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/**
 * Builds an issue whose message follows the house format `'<path>' (<value>) <rule text>`.
 *
 * @param rule name of the rule
 * @param path dot-path of the field
 * @param value the offending value
 * @param text what is allowed, starting with "must" (or "is …")
 */
export function makeIssue(rule: string, path: string, value: unknown, text: string): Issue {
  return { rule, path, message: `'${path}' (${formatValue(value)}) ${text}` };
}

/** Turns an issue list into a `Result`. */
export function toResult<T>(value: T, errors: Issue[], warnings: Issue[]): Result<T> {
  return errors.length ? { value: undefined, warnings, errors } : { value, warnings, errors: undefined };
}

/** Renders issues one per line (for CLIs and thrown errors). */
export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => (i.file ? `${i.file}: ${i.message}` : i.message)).join('\n');
}

type PathItem = { key: unknown; value: unknown };

/**
 * Converts valibot issues into catalogue issues: the dot-path is rewritten so array items of
 * named things appear by name (`components.cvat-server`) and other indexes as `[n]`, and the
 * message says what is allowed.
 *
 * @internal
 */
export function fromValibotIssues(issues: readonly v.BaseIssue<unknown>[], prefix = ''): Issue[] {
  const out: Issue[] = [];
  const seen = new Set<string>();
  for (const issue of issues.flatMap((i) => expandUnion(i, []))) {
    const path = joinPath(prefix, renderPath((issue.path ?? []) as PathItem[]));
    const text = describe(issue);
    const item = { rule: 'schema', path, message: `'${path || '(root)'}' (${formatValue(issueValue(issue))}) ${text}` };
    if (seen.has(item.message)) continue;
    seen.add(item.message);
    out.push(item);
  }
  return out;
}

// A failed union (an env entry) reports one issue for the whole entry. When exactly the entry's
// own keys are fine but a value is wrong (`part: 'ip'`, `value: 3`), the options' sub-issues say
// precisely what; "missing key" and "unknown key" sub-issues only say which option did not apply.
function expandUnion(issue: v.BaseIssue<unknown>, parentPath: unknown[]): v.BaseIssue<unknown>[] {
  const path = [...parentPath, ...(issue.path ?? [])];
  const withPath = { ...issue, path } as v.BaseIssue<unknown>;
  if (issue.type !== 'union' || !issue.issues?.length) return [withPath];
  const specific = issue.issues.filter((i) => !(i.kind === 'schema' && (i.expected === 'never' || isMissingKey(i))));
  if (!specific.length) return [withPath];
  return specific.flatMap((i) => expandUnion(i, path));
}

function isMissingKey(issue: v.BaseIssue<unknown>): boolean {
  return (
    (issue.type === 'object' || issue.type === 'strict_object' || issue.type === 'loose_object') && issue.expected?.startsWith('"') === true
  );
}

function joinPath(prefix: string, path: string): string {
  if (!prefix) return path;
  if (!path) return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

/** @internal */
export function renderPath(items: readonly PathItem[]): string {
  let out = '';
  items.forEach((item, i) => {
    if (typeof item.key === 'number') {
      const element = item.value as { name?: unknown } | undefined;
      const named =
        i === 1 &&
        NAMED_COLLECTIONS.includes(String(items[0]?.key)) &&
        element !== null &&
        typeof element === 'object' &&
        typeof element.name === 'string' &&
        /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(element.name);
      out += named ? `.${element.name as string}` : `[${item.key}]`;
    } else {
      out += out ? `.${String(item.key)}` : String(item.key);
    }
  });
  return out;
}

const NAMED_COLLECTIONS = ['components', 'storages', 'secrets'];

function describe(issue: v.BaseIssue<unknown>): string {
  if (issue.message.startsWith('must') || issue.message.startsWith('is ')) return issue.message;
  if (issue.kind === 'schema') {
    if (issue.expected === 'never') return 'is not a known field; remove it or check its spelling';
    const isKey =
      (issue.type === 'object' || issue.type === 'strict_object' || issue.type === 'loose_object') && issue.expected?.startsWith('"');
    if (isKey) return 'is required';
    if (issue.input === undefined) return `is required: must be ${expectedText(issue.expected)}`;
    return `must be ${expectedText(issue.expected)}`;
  }
  return `must satisfy ${issue.type}${issue.expected ? ` (${issue.expected})` : ''}`;
}

/** The offending value of an issue: the field's value for unknown-key issues, else the input. */
function issueValue(issue: v.BaseIssue<unknown>): unknown {
  if (issue.kind === 'schema' && issue.expected === 'never') {
    const last = issue.path?.[issue.path.length - 1] as { value?: unknown } | undefined;
    return last?.value;
  }
  return issue.input;
}

function expectedText(expected: string | null): string {
  if (!expected) return 'valid';
  if (expected === 'Object') return 'an object';
  if (expected === 'Array') return 'a list';
  if (expected === 'number') return 'a number';
  if (expected === 'string') return 'a string';
  if (expected === 'boolean') return 'true or false';
  if (expected.includes('|')) return `one of ${expected.replace(/^\((.*)\)$/, '$1')}`;
  return expected;
}

/** An issue from a named rule, with its severity. */
export interface RuleIssue extends Issue {
  /** `error` blocks the input; `warning` is reported and lets it through. */
  severity: 'error' | 'warning';
}

/**
 * Issue makers bound to one rule: every issue they make carries the rule's name, which
 * {@link defineRule} states once.
 */
export interface RuleReport {
  /** An issue that blocks the input: `'<path>' (<value>) <text>`. */
  error(path: string, value: unknown, text: string): RuleIssue;
  /** An issue that is reported and lets the input through. */
  warning(path: string, value: unknown, text: string): RuleIssue;
}

/** A named cross-field rule: runs on typed data after the schema and returns issues; never throws or prints. */
export interface Rule<T> {
  /** The rule's name, also the `rule` of every issue it reports. */
  readonly name: string;
  /** What the rule guarantees (shown in docs/catalogue.md and docs/configuration.md). */
  readonly description: string;
  /** Runs the rule. */
  readonly check: (input: T) => RuleIssue[];
}

const RULE_NAME_RE = /^[a-z][A-Za-z0-9]*$/;

/**
 * Defines a named rule. The name is stated here only: the check reports through `report`, whose
 * issues carry it, so a rule cannot file an issue under another rule's name. `CATALOGUE_RULES` and
 * `ENVIRONMENT_RULES` are built with it.
 *
 * @param name lowerCamelCase rule name, e.g. `replicaBounds`
 * @param description what the rule guarantees
 * @param check returns the rule's issues, made with `report.error` / `report.warning`
 * @throws CatalogueError when the name is not lowerCamelCase (a programming error, at module load)
 */
export function defineRule<T>(name: string, description: string, check: (input: T, report: RuleReport) => RuleIssue[]): Rule<T> {
  if (!RULE_NAME_RE.test(name)) throw new CatalogueError(`rule name ${JSON.stringify(name)} must be lowerCamelCase`);
  const report: RuleReport = {
    error: (path, value, text) => ({ ...makeIssue(name, path, value, text), severity: 'error' }),
    warning: (path, value, text) => ({ ...makeIssue(name, path, value, text), severity: 'warning' }),
  };
  return { name, description, check: (input) => check(input, report) };
}

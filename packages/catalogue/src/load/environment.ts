import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import * as v from 'valibot';
import { isAlias, isCollection, isMap, isPair, isScalar, parseDocument, type YAMLError } from 'yaml';
import { ENVIRONMENT_RULES } from '../rules/environment';
import { fromValibotIssues, makeIssue, toResult, type Issue, type Result } from '../rules/issues';
import { EnvironmentConfigSchema, type EnvironmentConfig } from '../schema/environment';

/**
 * Bounds of an environment file, so that no input can exhaust memory, CPU or the stack: environment
 * files are a few kilobytes with a handful of nesting levels and rarely an alias.
 *
 * Details: `maxAliasCount` is the `yaml` library's own guard against alias expansion ("billion
 * laughs"): `toJS` throws once an anchor's uses times the aliases inside it exceed it (yaml@2.9.1
 * dist/nodes/Alias.js `resolve`; its default is 100, stated here so that it cannot change under us).
 */
export const ENVIRONMENT_FILE_LIMITS = {
  /** Largest file read, in bytes (1 MiB). */
  maxBytes: 1024 * 1024,
  /** `maxAliasCount` passed to yaml's `toJS`. */
  maxAliasCount: 100,
  /** Deepest nesting of mappings and lists. */
  maxDepth: 32,
} as const;

const KNOWN_FIELDS = Object.keys(EnvironmentConfigSchema.entries);

/**
 * Validates raw environment data (e.g. parsed YAML): the schema with its defaults, then the
 * environment rules. The catalogue rules run on the overrides in `resolveCatalogue`. Never throws.
 *
 * Details: data that is not a mapping (a list, a string, a number) is one issue, "must be a mapping of
 * fields"; a mapping none of whose keys is an environment field (another program's YAML) is one issue
 * that counts its keys without naming them, so that a foreign file's content is never echoed.
 *
 * @param raw parsed YAML or an object (`undefined`/`null` is read as an empty mapping)
 * @param source file the data came from, recorded on each issue
 */
export function parseEnvironmentConfig(raw: unknown, source?: string): Result<EnvironmentConfig> {
  const withFile = (issues: Issue[]) => (source ? issues.map((i) => ({ ...i, file: source })) : issues);
  try {
    const data = raw ?? {};
    if (typeof data !== 'object' || Array.isArray(data)) {
      return failed(
        withFile([makeIssue('load', 'file', source ?? 'input', `must be a mapping of fields (e.g. \`name: dev\`), not ${kindOf(data)}`)]),
      );
    }
    const keys = Object.keys(data);
    if (keys.length > 0 && !keys.some((k) => KNOWN_FIELDS.includes(k))) {
      return failed(
        withFile([
          makeIssue(
            'load',
            'file',
            source ?? 'input',
            `must be an environment file: none of its ${keys.length} top-level keys is an environment field ` +
              `(${KNOWN_FIELDS.slice(1, 6).join(', ')}, …; see docs/configuration.md)`,
          ),
        ]),
      );
    }
    const parsed = v.safeParse(EnvironmentConfigSchema, data);
    if (!parsed.success) return failed(withFile(fromValibotIssues(parsed.issues)));
    const errors: Issue[] = [];
    for (const rule of ENVIRONMENT_RULES) errors.push(...rule.check(parsed.output));
    return toResult(parsed.output, withFile(errors), []);
  } catch (e) {
    return failed(
      withFile([
        makeIssue(
          'load',
          'file',
          source ?? 'input',
          `could not be validated (${errorName(e)}); this is a bug in the catalogue, please report it`,
        ),
      ]),
    );
  }
}

/**
 * Finds the repository root: the nearest directory at or above `cwd` that has an `environments/`
 * directory.
 */
export function findRepoRoot(cwd: string = process.cwd()): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    try {
      if (statSync(join(dir, 'environments'), { throwIfNoEntry: false })?.isDirectory()) return dir;
    } catch {
      // an unreadable directory on the way up is not the root
    }
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
 * YAML file (anything containing `/` or ending in `.yaml`/`.yml`). Never throws and never writes: a
 * missing or unreadable file, a FIFO, directory or device, a file over 1 MiB, binary data, YAML syntax
 * errors, alias bombs, deep nesting, a top-level list or scalar and invalid fields are all returned as
 * errors naming the file and what is wrong, without quoting the file's content.
 *
 * Details: the path is `stat`ed before it is opened, so a FIFO or device is refused without opening
 * it (nothing blocks); the file is then opened non-blocking and checked again on the descriptor, and
 * at most {@link ENVIRONMENT_FILE_LIMITS} `maxBytes` + 1 bytes are read.
 *
 * @see docs/configuration.md
 */
export function loadEnvironmentConfig(nameOrPath: string, options: LoadEnvironmentConfigOptions = {}): Result<EnvironmentConfig> {
  let file: string | undefined;
  try {
    const cwd = options.cwd ?? process.cwd();
    const isPath = nameOrPath.includes('/') || nameOrPath.includes('\\') || /\.ya?ml$/.test(nameOrPath);
    if (isPath) {
      file = isAbsolute(nameOrPath) ? nameOrPath : resolve(cwd, nameOrPath);
    } else {
      if (!/^[a-z][a-z0-9-]*$/.test(nameOrPath)) {
        return fail(
          'load',
          'name',
          nameOrPath.slice(0, 80),
          'must be an environment name (lowercase letters, digits, "-") or a path to a .yaml file',
        );
      }
      const root = findRepoRoot(cwd);
      if (!root) return fail('load', 'name', nameOrPath, `must be resolvable: no environments/ directory at or above ${cwd}`);
      file = join(root, 'environments', `${nameOrPath}.yaml`);
    }
    const read = readBounded(file);
    if ('problem' in read) return fail('load', 'file', file, read.problem);
    const result = parseYaml(read.text, file);
    if (result.value && !isPath && result.value.name !== nameOrPath) {
      return {
        value: undefined,
        warnings: result.warnings,
        errors: [{ ...makeIssue('load', 'name', result.value.name, `must equal the file name "${basename(file, '.yaml')}"`), file }],
      };
    }
    return result;
  } catch (e) {
    return fail(
      'load',
      'file',
      file ?? nameOrPath.slice(0, 200),
      `could not be loaded (${errorName(e)}); this is a bug in the catalogue, please report it`,
    );
  }
}

/** Reads a regular file of at most `maxBytes` as UTF-8 text, or says why not. Never throws. */
function readBounded(file: string): { text: string } | { problem: string } {
  let stats: Stats | undefined;
  try {
    stats = statSync(file, { throwIfNoEntry: false });
  } catch (e) {
    return { problem: `must be readable (${errorCode(e)})` };
  }
  if (!stats) return { problem: 'must exist' };
  if (!stats.isFile()) return { problem: `must be a regular file, not ${fileKind(stats)}` };
  if (stats.size > ENVIRONMENT_FILE_LIMITS.maxBytes) return { problem: tooBig(stats.size) };
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const opened = fstatSync(fd);
    if (!opened.isFile()) return { problem: `must be a regular file, not ${fileKind(opened)}` };
    const buffer = Buffer.alloc(ENVIRONMENT_FILE_LIMITS.maxBytes + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > ENVIRONMENT_FILE_LIMITS.maxBytes) return { problem: tooBig(length) };
    }
    const bytes = buffer.subarray(0, length);
    if (bytes.includes(0)) return { problem: 'must be a YAML text file: it holds NUL bytes (binary data)' };
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { problem: 'must be UTF-8 text: it holds bytes that are not UTF-8 (binary data?)' };
    }
    return { text: text.startsWith('\uFEFF') ? text.slice(1) : text };
  } catch (e) {
    return { problem: `must be readable (${errorCode(e)})` };
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // nothing to do: the descriptor was only read
      }
    }
  }
}

/** Parses environment YAML text within the bounds of {@link ENVIRONMENT_FILE_LIMITS}. Never throws. */
function parseYaml(text: string, file: string): Result<EnvironmentConfig> {
  const issue = (path: string, message: string): Issue => ({ rule: 'yaml', path, message, file });
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    return failed([issue('file', `'file' (${JSON.stringify(file)}) must be YAML the parser can read (${errorName(e)})`)]);
  }
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length) return failed(problems.slice(0, 10).map((e) => yamlIssue(e, file)));
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return fail('load', 'file', file, 'must not be empty: an environment file is a mapping of fields with at least `name`');
  }
  const depth = maxDepth(doc.contents);
  if (depth > ENVIRONMENT_FILE_LIMITS.maxDepth) {
    return fail(
      'load',
      'file',
      file,
      `must nest mappings and lists at most ${ENVIRONMENT_FILE_LIMITS.maxDepth} levels deep (it goes deeper)`,
    );
  }
  if (!isMap(doc.contents)) {
    return fail(
      'load',
      'file',
      file,
      `must be a mapping of fields (e.g. \`name: dev\`), not ${isCollection(doc.contents) ? 'a list' : 'a single value'}`,
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: ENVIRONMENT_FILE_LIMITS.maxAliasCount });
  } catch (e) {
    const excessive = e instanceof ReferenceError && /excessive alias count/i.test(e.message);
    const unresolved = e instanceof ReferenceError && /unresolved alias/i.test(e.message);
    const why = excessive
      ? `must not expand YAML aliases more than ${ENVIRONMENT_FILE_LIMITS.maxAliasCount} times (an alias bomb?)`
      : unresolved
        ? 'must define every anchor before its alias (*name)'
        : `must be YAML that converts to data (${errorName(e)})`;
    return fail('load', 'file', file, why);
  }
  return parseEnvironmentConfig(raw, file);
}

/** The deepest nesting of mappings and lists below `root`, walked without recursion. */
function maxDepth(root: unknown): number {
  let deepest = 0;
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 1 }];
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (isAlias(node) || !isCollection(node)) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > ENVIRONMENT_FILE_LIMITS.maxDepth) return deepest;
    for (const item of node.items) {
      if (isPair(item)) {
        stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      } else {
        stack.push({ node: item, depth: depth + 1 });
      }
    }
  }
  return deepest;
}

/**
 * A YAML error as an issue naming its line, column and code, in our words: the parser's own message
 * can quote the offending text, and the file may not be ours.
 */
function yamlIssue(e: YAMLError, file: string): Issue {
  const line = e.linePos?.[0]?.line;
  const col = e.linePos?.[0]?.col;
  const where = line === undefined ? 'file' : `line ${line}`;
  const at = col === undefined ? '' : ` at column ${col}`;
  const what = YAML_ERROR_TEXT[e.code] ?? 'the parser refused it';
  return { rule: 'yaml', path: where, message: `'${where}' (${e.code}) must be valid YAML${at}: ${what}`, file };
}

const YAML_ERROR_TEXT: Record<string, string> = {
  ALIAS_PROPS: 'an alias cannot have an anchor or tag',
  BAD_ALIAS: 'an alias names no anchor',
  BAD_DIRECTIVE: 'the % directive is not valid',
  BAD_DQ_ESCAPE: 'a double-quoted string has an invalid escape',
  BAD_INDENT: 'the indentation is wrong',
  BAD_PROP_ORDER: 'anchors and tags must come before the value',
  BAD_SCALAR_START: 'a plain value cannot start with this character (quote it)',
  BLOCK_AS_IMPLICIT_KEY: 'a block value cannot be a key',
  BLOCK_IN_FLOW: 'a block value cannot sit inside [ ] or { }',
  DUPLICATE_KEY: 'a mapping has the same key twice',
  IMPOSSIBLE: 'the parser reached an impossible state',
  KEY_OVER_1024_CHARS: 'a key is longer than 1024 characters',
  MISSING_CHAR: 'a closing character (quote, ] or }) is missing',
  MULTILINE_IMPLICIT_KEY: 'a key must be on one line',
  MULTIPLE_ANCHORS: 'a value has two anchors',
  MULTIPLE_DOCS: 'the file must hold one YAML document (no second ---)',
  MULTIPLE_TAGS: 'a value has two tags',
  NON_STRING_KEY: 'keys must be strings',
  TAB_AS_INDENT: 'tabs cannot indent YAML (use spaces)',
  TAG_RESOLVE_FAILED: 'a !tag is not known (environment files use no tags)',
  UNEXPECTED_TOKEN: 'a character is out of place',
  BAD_COLLECTION_TYPE: 'a tag does not fit its value',
  RESOURCE_EXHAUSTION: 'it nests or repeats too much to parse safely',
};

function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}
function tooBig(size: number): string {
  const max = ENVIRONMENT_FILE_LIMITS.maxBytes;
  return `must be at most ${max} bytes (1 MiB); it has ${size > max + 1 ? size : `more than ${max}`} bytes`;
}
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'a single string';
  if (typeof value === 'number' || typeof value === 'bigint') return 'a single number';
  if (typeof value === 'boolean') return 'a single boolean';
  return `a ${typeof value}`;
}
function errorCode(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' ? code : errorName(e);
}
function errorName(e: unknown): string {
  return e instanceof Error ? e.name : typeof e;
}
function failed(errors: Issue[]): Result<EnvironmentConfig> {
  return { value: undefined, warnings: [], errors };
}
/** A load failure; the message names the file, so the issue carries no separate `file`. */
function fail(rule: string, path: string, value: unknown, text: string): Result<EnvironmentConfig> {
  return failed([makeIssue(rule, path, value, text)]);
}

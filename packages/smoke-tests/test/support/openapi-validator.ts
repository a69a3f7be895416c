/**
 * Validates HTTP exchanges against CVAT's published OpenAPI 3.0.3 schema (test/fixtures/cvat-v2.73.0-openapi.yml,
 * a verbatim copy of upstream `cvat/schema.yml` at v2.73.0) with ajv. The spec is OpenAPI 3.0, so schemas are
 * converted once (`nullable: true` → a JSON Schema union with null) and compiled lazily per operation.
 *
 * Checked per request: the operation exists (method + path template); path and query parameters match their
 * schemas (unknown query parameters are violations: they catch typos that a real server silently ignores);
 * the body's content type is one the operation accepts and the body matches its schema (multipart bodies
 * are parsed and coerced like form data); credentials, when sent, use a scheme the operation lists.
 * Checked per response: the status is documented (undocumented 4xx/5xx are allowed — drf-spectacular does
 * not list error answers), the content type is documented, and the body matches the schema.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/** The vendored spec. */
export const OPENAPI_PATH = join(__dirname, '..', 'fixtures', 'cvat-v2.73.0-openapi.yml');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Obj;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Obj }> };
  responses: Record<string, { content?: Record<string, { schema?: Obj }> }>;
  security?: Record<string, string[]>[];
}

/** A matched operation. */
export interface MatchedOperation {
  readonly method: string;
  readonly template: string;
  readonly operation: Operation;
  readonly pathParams: Record<string, string>;
}

/** A parsed request body. */
export type ParsedBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'json'; readonly contentType: string; readonly value: unknown }
  | { readonly kind: 'multipart'; readonly contentType: string; readonly value: Record<string, unknown> }
  | { readonly kind: 'raw'; readonly contentType: string };

/** OpenAPI 3.0 → JSON Schema: `nullable` becomes a union with null. */
function convert(node: Json): Json {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  const out: Obj = {};
  for (const [key, value] of Object.entries(node)) out[key] = convert(value);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [{ type: 'null' }, out] };
  }
  return out;
}

function pointer(...parts: string[]): string {
  return parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

function formatErrors(where: string, validate: ValidateFunction): string[] {
  return (validate.errors ?? []).slice(0, 5).map((e) => {
    const allowed =
      e.params && 'allowedValues' in e.params ? ` (${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)})` : '';
    return `${where}${e.instancePath || ''} ${e.message ?? 'is invalid'}${allowed}`;
  });
}

const SCHEME_OF_AUTH: Record<string, string> = { basic: 'basicAuth', token: 'tokenAuth', bearer: 'accessTokenAuth' };

/** The validator; {@link OpenApiValidator.shared} parses the 329 KB spec once per test worker. */
export class OpenApiValidator {
  private static instance: OpenApiValidator | undefined;
  readonly spec: { paths: Record<string, Record<string, Operation>>; info: { version: string }; openapi: string };
  private readonly strict: Ajv;
  private readonly coercing: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly routes: { template: string; regex: RegExp; names: string[] }[];

  static shared(): OpenApiValidator {
    OpenApiValidator.instance ??= new OpenApiValidator(readFileSync(OPENAPI_PATH, 'utf8'));
    return OpenApiValidator.instance;
  }

  constructor(yamlText: string) {
    const raw = parse(yamlText) as Json;
    this.spec = convert(raw) as unknown as OpenApiValidator['spec'];
    const make = (coerce: boolean): Ajv => {
      const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, coerceTypes: coerce ? 'array' : false });
      addFormats(ajv);
      for (const format of ['binary', 'byte', 'int32', 'int64', 'float', 'double', 'decimal']) ajv.addFormat(format, true);
      ajv.addSchema(this.spec as unknown as object, 'openapi');
      return ajv;
    };
    this.strict = make(false);
    this.coercing = make(true);
    this.routes = Object.keys(this.spec.paths)
      .map((template) => {
        const names: string[] = [];
        const regex = new RegExp(
          `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_m, name: string) => {
            names.push(name);
            return '([^/]+)';
          })}$`,
        );
        return { template, regex, names };
      })
      // Static paths before templated ones.
      .sort((a, b) => a.names.length - b.names.length);
  }

  /** The operation for `method` and `pathname`, or undefined when the schema has none. */
  match(method: string, pathname: string): MatchedOperation | undefined {
    for (const route of this.routes) {
      const m = route.regex.exec(pathname);
      if (!m) continue;
      const operation = this.spec.paths[route.template][method.toLowerCase()];
      if (!operation) continue;
      const pathParams: Record<string, string> = {};
      route.names.forEach((name, i) => {
        pathParams[name] = decodeURIComponent(m[i + 1]);
      });
      return { method: method.toUpperCase(), template: route.template, operation, pathParams };
    }
    return undefined;
  }

  private compile(ajv: Ajv, ref: string, key: string): ValidateFunction {
    const cacheKey = `${ajv === this.coercing ? 'c' : 's'}:${key}`;
    let fn = this.cache.get(cacheKey);
    if (!fn) {
      fn = ajv.compile({ $ref: ref });
      this.cache.set(cacheKey, fn);
    }
    return fn;
  }

  /** Violations of a request (empty when it conforms). */
  validateRequest(
    op: MatchedOperation,
    request: { query: URLSearchParams; headers: Record<string, string | string[] | undefined>; body: ParsedBody },
  ): string[] {
    const where = `${op.method} ${op.template} (${op.operation.operationId})`;
    const violations: string[] = [];
    const params = op.operation.parameters ?? [];
    const base = pointer('paths', op.template, op.method.toLowerCase(), 'parameters');
    params.forEach((param, index) => {
      if (param.in === 'path' || param.in === 'query') {
        const raw = param.in === 'path' ? op.pathParams[param.name] : request.query.getAll(param.name);
        const present = param.in === 'path' ? raw !== undefined : (raw as string[]).length > 0;
        if (!present) {
          if (param.required) violations.push(`${where}: required ${param.in} parameter '${param.name}' is missing`);
          return;
        }
        const value = { v: param.in === 'path' ? raw : (raw as string[]).length === 1 ? (raw as string[])[0] : raw };
        const fn = this.compile(this.coercing, `openapi#/${base}/${index}/schema`, `${base}/${index}`);
        if (!fn(value.v)) violations.push(...formatErrors(`${where}: ${param.in} parameter '${param.name}'`, fn));
      }
    });
    const known = new Set(params.filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of new Set(request.query.keys())) {
      if (!known.has(name))
        violations.push(`${where}: unknown query parameter '${name}' (the operation has: ${[...known].join(', ') || 'none'})`);
    }
    const auth = request.headers.authorization;
    const scheme = typeof auth === 'string' ? SCHEME_OF_AUTH[auth.split(' ')[0].toLowerCase()] : undefined;
    if (typeof auth === 'string' && op.operation.security && !op.operation.security.some((req) => scheme !== undefined && scheme in req)) {
      violations.push(`${where}: credentials scheme '${auth.split(' ')[0]}' is not one of the operation's security schemes`);
    }
    const rb = op.operation.requestBody;
    if (request.body.kind === 'none') {
      if (rb?.required) violations.push(`${where}: the request body is required`);
      return violations;
    }
    if (!rb) {
      violations.push(`${where}: the operation takes no request body, but one was sent (${request.body.contentType})`);
      return violations;
    }
    const media = request.body.contentType;
    if (!(media in rb.content)) {
      violations.push(`${where}: request content type '${media}' is not accepted (accepted: ${Object.keys(rb.content).join(', ')})`);
      return violations;
    }
    if (request.body.kind === 'raw') {
      violations.push(`${where}: the ${media} request body could not be parsed`);
      return violations;
    }
    const key = pointer('paths', op.template, op.method.toLowerCase(), 'requestBody', 'content', media, 'schema');
    const fn = this.compile(request.body.kind === 'multipart' ? this.coercing : this.strict, `openapi#/${key}`, key);
    if (!fn(request.body.value)) violations.push(...formatErrors(`${where}: request body`, fn));
    return violations;
  }

  /** Violations of a response (empty when it conforms). */
  validateResponse(op: MatchedOperation, status: number, contentType: string | undefined, body: unknown): string[] {
    const where = `${op.method} ${op.template} (${op.operation.operationId}) → ${status}`;
    const response = op.operation.responses[String(status)] ?? op.operation.responses.default;
    if (!response)
      return status >= 400
        ? []
        : [`${where}: status ${status} is not documented (documented: ${Object.keys(op.operation.responses).join(', ')})`];
    if (!response.content) return [];
    const media = (contentType ?? '').split(';')[0].trim();
    const entries = Object.entries(response.content);
    const binary = entries.every(([, c]) => c.schema?.type === 'string' && c.schema?.format === 'binary');
    if (binary) return [];
    if (!(media in response.content))
      return [`${where}: content type '${media}' is not documented (documented: ${Object.keys(response.content).join(', ')})`];
    const schema = response.content[media].schema;
    if (!schema) return [];
    const key = pointer('paths', op.template, op.method.toLowerCase(), 'responses', String(status), 'content', media, 'schema');
    const fn = this.compile(this.strict, `openapi#/${key}`, key);
    return fn(body) ? [] : formatErrors(`${where}: response body`, fn);
  }
}

// Renders the generated parts of the committed files (JSON Schemas, tables in docs/) from the
// catalogue source. `generate.ts` writes them; the tests compare the committed files with these
// renderings, so the docs and schemas cannot drift from the code.
import { resolve } from 'node:path';
import {
  CATALOGUE_RULES,
  ENVIRONMENT_RULES,
  UPSTREAM_DEVIATIONS,
  UPSTREAM_REPLACEMENTS,
  defaultCatalogue,
  environmentJsonSchema,
  type Component,
} from '../src/index';

export const PACKAGE_ROOT = resolve(__dirname, '..');
export const REPO_ROOT = resolve(PACKAGE_ROOT, '..', '..');

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  required?: string[];
};

/** The JSON text of a schema file as committed (2-space indent, trailing newline). */
export function schemaFileText(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

function typeText(s: JsonSchema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((e) => `\`${JSON.stringify(e)}\``).join(' | ');
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    return alts
      .map((a) => {
        const tag = a.properties?.type?.const;
        return tag === undefined ? typeText(a) : `object with type \`${JSON.stringify(tag)}\``;
      })
      .join(' | ');
  }
  if (s.type === 'array') return `${s.items ? typeText(s.items) : 'any'}[]`;
  if (s.type === 'object' && !s.properties && s.additionalProperties && typeof s.additionalProperties === 'object') {
    return `map of ${typeText(s.additionalProperties)}`;
  }
  return String(s.type ?? 'any');
}

function esc(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  defaultValue: string;
  description: string;
}

/** Every field of a JSON Schema as dot-path rows (`<name>` stands for a map key, `[]` for list items). */
export function schemaFields(schema: JsonSchema): FieldRow[] {
  const rows: FieldRow[] = [];
  const visit = (s: JsonSchema, path: string, required: boolean) => {
    if (path) {
      rows.push({
        path,
        type: typeText(s),
        required,
        defaultValue: s.default === undefined ? '' : `\`${JSON.stringify(s.default)}\``,
        description: s.description ?? '',
      });
    }
    const alts = s.anyOf ?? s.oneOf;
    if (alts) {
      // Discriminated alternatives (stateBackend): one row per key; keys of only some
      // alternatives say which, and the discriminator lists every value.
      const keys = [...new Set(alts.flatMap((a) => Object.keys(a.properties ?? {})))];
      for (const k of keys) {
        const having = alts.filter((a) => a.properties?.[k]);
        const tags = having
          .map((a) => a.properties?.type?.const)
          .filter((t) => t !== undefined)
          .map((t) => JSON.stringify(t));
        const p = path ? `${path}.${k}` : k;
        if (k === 'type' && having.every((a) => a.properties?.type?.const !== undefined)) {
          rows.push({
            path: p,
            type: tags.map((t) => `\`${t}\``).join(' | '),
            required: true,
            defaultValue: '',
            description: having.map((a) => `${a.properties?.type?.const}: ${a.properties?.type?.description ?? ''}`).join(' '),
          });
          continue;
        }
        const child = having[0]!.properties![k]!;
        const only = having.length < alts.length ? ` (type ${tags.join(', ')} only)` : '';
        rows.push({
          path: p,
          type: typeText(child),
          required: having.every((a) => (a.required ?? []).includes(k)),
          defaultValue: child.default === undefined ? '' : `\`${JSON.stringify(child.default)}\``,
          description: `${child.description ?? ''}${only}`,
        });
      }
      return;
    }
    for (const [k, child] of Object.entries(s.properties ?? {})) {
      if (k === '$schema') continue;
      visit(child, path ? `${path}.${k}` : k, (s.required ?? []).includes(k));
    }
    if (s.additionalProperties && typeof s.additionalProperties === 'object' && s.additionalProperties.properties) {
      for (const [k, child] of Object.entries(s.additionalProperties.properties)) visit(child, `${path}.<name>.${k}`, false);
    }
    if (s.items?.properties) {
      for (const [k, child] of Object.entries(s.items.properties)) visit(child, `${path}[].${k}`, (s.items.required ?? []).includes(k));
    }
  };
  visit(schema, '', true);
  return rows;
}

/** The field table of docs/configuration.md. */
export function renderConfigurationTable(): string {
  const rows = schemaFields(environmentJsonSchema() as JsonSchema);
  const lines = ['| Field | Type | Default | Meaning |', '|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| \`${r.path}\` | ${esc(r.type)} | ${r.required ? '**required**' : esc(r.defaultValue) || '–'} | ${esc(r.description)} |`);
  }
  return lines.join('\n');
}

function ingressText(x: Component): string {
  if (!x.ingress) return '–';
  const i = x.ingress;
  return `${i.transport} ${i.exposedPort ?? ''}${i.exposedPort ? '→' : ''}${i.targetPort}${i.external ? ' (VNet)' : ''}`;
}

/** The component table of docs/catalogue.md. */
export function renderComponentTable(): string {
  const c = defaultCatalogue();
  const lines = [
    '| Component | Role | Replaces (compose) | Image | vCPU / GiB | Replicas | Ingress | Probes | Default |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const x of c.components) {
    const probes = (['startup', 'liveness', 'readiness'] as const)
      .filter((k) => x.probes[k])
      .map((k) => `${k} ${x.probes[k]?.type}${x.probes[k]?.path ? ` ${x.probes[k]?.path}` : ''}`)
      .join(', ');
    lines.push(
      `| \`${x.name}\` | ${x.role} | ${x.upstream.map((u) => `\`${u}\``).join(', ') || '–'} | ` +
        `\`${x.image.repository}:${x.image.tag}\` | ` +
        `${x.role === 'edge' ? 'VM' : `${x.resources.cpuCores} / ${x.resources.memoryGiB}`} | ${x.replicas.min}–${x.replicas.max} ` +
        `| ${ingressText(x)} | ${probes || '–'} | ${x.optional ? (x.enabled ? 'optional, on' : 'optional, off') : 'always'} |`,
    );
  }
  for (const r of UPSTREAM_REPLACEMENTS)
    lines.push(`| (${esc(r.replacedBy)}) | platform | \`${r.service}\` | – | – | – | – | – | always |`);
  return lines.join('\n');
}

/** The storage and secret tables of docs/catalogue.md. */
export function renderStorageTable(): string {
  const c = defaultCatalogue();
  const lines = ['| Storage | Kind | Quota GiB | Access | Mount options | Mounted by | Holds |', '|---|---|---|---|---|---|---|'];
  for (const s of c.storages) {
    const by = c.components.filter((x) => x.mounts.some((m) => m.storage === s.name)).map((x) => `\`${x.name}\``);
    lines.push(
      `| \`${s.name}\` | ${s.kind} | ${s.quotaGiB} | ${s.accessMode} | ${s.mountOptions ? `\`${s.mountOptions}\`` : '–'} | ` +
        `${by.join(', ')} | ${esc(s.description)} |`,
    );
  }
  lines.push('', '| Secret | Key Vault name | Source | Used by | Purpose |', '|---|---|---|---|---|');
  for (const s of c.secrets) {
    const by = c.components.filter((x) => x.secrets.includes(s.name)).map((x) => `\`${x.name}\``);
    lines.push(
      `| \`${s.name}\` | \`${s.keyVaultName}\` | ` +
        `${s.source}${s.length ? ` (${s.length} chars${s.special ? ', with symbols' : ''})` : ''} | ${by.join(', ')} | ` +
        `${esc(s.description)} |`,
    );
  }
  return lines.join('\n');
}

function short(text: string | undefined): string {
  if (text === undefined) return '(see compose)';
  if (text === '') return '–';
  return `\`${esc(text.length > 90 ? `${text.slice(0, 87)}...` : text)}\``;
}

/** The deviation table of docs/catalogue.md. */
export function renderDeviationTable(): string {
  const lines = ['| Components | Aspect | Upstream | Here | Why | Evidence |', '|---|---|---|---|---|---|'];
  for (const d of UPSTREAM_DEVIATIONS) {
    const comps =
      d.components.length > 6
        ? `${d.components.length} backends (${d.components.map((c) => c.replace(/^cvat-worker-/, '')).join(', ')})`
        : d.components.join(', ');
    lines.push(
      `| ${comps} | ${d.aspect}${d.key ? ` \`${d.key}\`` : ''} | ${short(d.upstream)} | ${short(d.ours)} | ${esc(d.reason)} | ${esc(d.evidence)} |`,
    );
  }
  return lines.join('\n');
}

/** The rule table of docs/catalogue.md. */
export function renderRuleTable(): string {
  const lines = ['| Rule | Applies to | Guarantees |', '|---|---|---|'];
  for (const r of CATALOGUE_RULES) lines.push(`| \`${r.name}\` | catalogue (and overrides) | ${esc(r.description)} |`);
  for (const r of ENVIRONMENT_RULES) lines.push(`| \`${r.name}\` | environment file | ${esc(r.description)} |`);
  return lines.join('\n');
}

/** Replaces the text between `<!-- generated:<name> -->` and `<!-- /generated:<name> -->`. */
export function replaceSection(text: string, name: string, content: string): string {
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- /generated:${name} -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i === -1 || j === -1 || j < i) throw new Error(`section markers ${start} … ${end} not found`);
  return `${text.slice(0, i + start.length)}\n${content}\n${text.slice(j)}`;
}

/** The generated sections of each doc file. */
export const DOC_SECTIONS: Record<string, Record<string, () => string>> = {
  'docs/configuration.md': { fields: renderConfigurationTable },
  'docs/catalogue.md': {
    components: renderComponentTable,
    storages: renderStorageTable,
    deviations: renderDeviationTable,
    rules: renderRuleTable,
  },
};

/** Applies every generated section of one doc file to its current text. */
export function renderDoc(file: string, current: string): string {
  let text = current;
  for (const [name, render] of Object.entries(DOC_SECTIONS[file] ?? {})) text = replaceSection(text, name, render());
  return text;
}

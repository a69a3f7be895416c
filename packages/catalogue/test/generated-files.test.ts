import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE_RULES,
  JSON_SCHEMA_FILES,
  UPSTREAM_DEVIATIONS,
  catalogueJsonSchema,
  defaultCatalogue,
  environmentJsonSchema,
} from '../src/index';
import { DOC_SECTIONS, PACKAGE_ROOT, REPO_ROOT, renderDoc, schemaFields, schemaFileText } from '../scripts/render-docs';

const REGENERATE = 'run `npm run generate -w packages/catalogue` and commit the result';

describe('generated files are in sync with the source', () => {
  it('catalogue.schema.json matches CatalogueSchema', () => {
    const committed = readFileSync(join(PACKAGE_ROOT, JSON_SCHEMA_FILES.catalogue), 'utf8');
    expect(committed, REGENERATE).toBe(schemaFileText(catalogueJsonSchema()));
  });

  it('environment.schema.json matches EnvironmentConfigSchema', () => {
    const committed = readFileSync(join(PACKAGE_ROOT, JSON_SCHEMA_FILES.environment), 'utf8');
    expect(committed, REGENERATE).toBe(schemaFileText(environmentJsonSchema()));
  });

  it.each(Object.keys(DOC_SECTIONS))('the generated sections of %s match the source', (file) => {
    const committed = readFileSync(join(REPO_ROOT, file), 'utf8');
    expect(committed, REGENERATE).toBe(renderDoc(file, committed));
  });
});

describe('the schemas and docs are complete', () => {
  it('documents every environment field with its type and default in docs/configuration.md', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8');
    const rows = schemaFields(environmentJsonSchema() as never);
    expect(rows.length).toBeGreaterThan(50);
    for (const r of rows) {
      const line = doc.split('\n').find((l) => l.startsWith(`| \`${r.path}\` |`));
      expect(line, r.path).toBeDefined();
      if (r.defaultValue) expect(line).toContain(r.defaultValue);
      expect(r.description, `${r.path} needs a description`).not.toBe('');
    }
  });

  it('gives every catalogue field a description', () => {
    const rows = schemaFields(catalogueJsonSchema() as never);
    expect(rows.filter((r) => !r.description && !r.path.endsWith('.name') && !r.path.includes('.env[]')).map((r) => r.path)).toEqual([]);
  });

  it('mentions every component, rule and deviation reason in docs/catalogue.md', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'catalogue.md'), 'utf8');
    for (const x of defaultCatalogue().components) expect(doc).toContain(`\`${x.name}\``);
    for (const r of CATALOGUE_RULES) expect(doc).toContain(`\`${r.name}\``);
    for (const d of UPSTREAM_DEVIATIONS) expect(doc).toContain(d.reason.replace(/\|/g, '\\|'));
    expect(doc).toContain('## Overriding per environment');
  });

  it('lets an editor validate the example environment against the committed schema', () => {
    const example = readFileSync(join(REPO_ROOT, 'environments', 'example.yaml'), 'utf8');
    expect(example.split('\n')[0]).toBe('# yaml-language-server: $schema=../packages/catalogue/environment.schema.json');
  });
});

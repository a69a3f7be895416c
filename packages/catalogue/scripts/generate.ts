// Regenerates the committed JSON Schemas and the generated sections of docs/catalogue.md and
// docs/configuration.md. Run: npm run generate -w packages/catalogue
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSON_SCHEMA_FILES, catalogueJsonSchema, environmentJsonSchema } from '../src/index';
import { DOC_SECTIONS, PACKAGE_ROOT, REPO_ROOT, renderDoc, schemaFileText } from './render-docs';

const written: string[] = [];
function write(path: string, text: string): void {
  let before = '';
  try {
    before = readFileSync(path, 'utf8');
  } catch {
    // a new file
  }
  if (before !== text) {
    writeFileSync(path, text);
    written.push(path);
  }
}

write(join(PACKAGE_ROOT, JSON_SCHEMA_FILES.catalogue), schemaFileText(catalogueJsonSchema()));
write(join(PACKAGE_ROOT, JSON_SCHEMA_FILES.environment), schemaFileText(environmentJsonSchema()));
for (const file of Object.keys(DOC_SECTIONS)) {
  const path = join(REPO_ROOT, file);
  write(path, renderDoc(file, readFileSync(path, 'utf8')));
}
console.log(written.length ? `updated:\n${written.join('\n')}` : 'everything up to date');

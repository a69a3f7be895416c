#!/usr/bin/env node
// Checks, before the deploy workflow touches Azure, that an environment can be deployed from a CI runner:
// its name is one the environment schema accepts, environments/<name>.yaml exists and names itself <name>,
// and its Terraform state is remote (stateBackend.type: azurerm). A runner's disk is thrown away after each
// job, so local state would be lost and the next run would plan to create everything again.
// Usage: node .github/scripts/check-deploy-environment.mjs <name>   (exit 0 ok, 1 a problem, 2 usage)
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The environment schema's name rule (packages/catalogue/src/schema/environment.ts). */
export const ENVIRONMENT_NAME = /^[a-z](?!.*--)[a-z0-9-]{0,14}[a-z0-9]$/;

/**
 * Problems that stop a CI deploy of environment `name` whose file holds `text` (undefined: no file).
 * @param {string} name
 * @param {string | undefined} text
 * @returns {string[]}
 */
export function deployEnvironmentProblems(name, text) {
  if (!ENVIRONMENT_NAME.test(name)) {
    return [
      `environment name '${name}' is not allowed: 2-16 lowercase letters, digits and "-", starting with a letter, ending alphanumeric, no "--"`,
    ];
  }
  const file = `environments/${name}.yaml`;
  if (text === undefined) {
    return [`${file} does not exist in this commit: add it (cp environments/example.yaml ${file}, then set name: ${name})`];
  }
  let doc;
  try {
    doc = parse(text);
  } catch (error) {
    return [`${file} is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`];
  }
  const problems = [];
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return [`${file} must be a mapping of settings`];
  if (doc.name !== name) problems.push(`${file} has name: ${JSON.stringify(doc.name ?? null)}; it must be '${name}' (the file name)`);
  const backend = doc.stateBackend?.type ?? 'local';
  const where = backend === 'local' ? 'local files (stateBackend.type: local, the default)' : `'${backend}'`;
  if (backend !== 'azurerm') {
    problems.push(
      `${file} keeps its Terraform state in ${where}, ` +
        'which a CI runner throws away after the job: set stateBackend.type: azurerm and create the storage once with ' +
        `npx nx run infra:state-bootstrap -- --env ${name} (docs/deploy.md, "State backends")`,
    );
  }
  return problems;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const name = process.argv[2];
  if (!name || process.argv.length > 3) {
    process.stderr.write('usage: node .github/scripts/check-deploy-environment.mjs <environment-name>\n');
    process.exit(2);
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const path = join(root, 'environments', `${name}.yaml`);
  const text = ENVIRONMENT_NAME.test(name) && existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  const problems = deployEnvironmentProblems(name, text);
  for (const p of problems) process.stdout.write(`::error title=environment ${name}::${p}\n`);
  if (problems.length === 0) process.stdout.write(`environment '${name}': environments/${name}.yaml, Terraform state in azurerm\n`);
  process.exit(problems.length ? 1 : 0);
}

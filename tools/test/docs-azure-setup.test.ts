/**
 * What the set-up documents ask of a subscription matches what the stacks need. Resource providers: those a newcomer
 * registers (docs/getting-started.md step 4, docs/ci-cd.md step 3) are exactly the
 * ones the preflight derives from the synthesized stacks: the resource types of a synth of the example environment,
 * mapped by the built cvat-infra's own table (`packages/infra/dist/preflight/inputs.js`, `providerForType`), minus the
 * namespaces every subscription has registered. When the stacks gain a resource type of a new namespace, this fails
 * until the documents list it. Roles: the role-assignment condition given to the deploying identity
 * (getting-started.md step 3, ci-cd.md step 3) allows exactly the roles the synthesized stacks assign.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** Namespaces the preflight checks for the synthesized example, asked of the built cvat-infra. */
function derivedNamespaces(dir: string): string[] {
  const out = join(dir, 'cdktf.out');
  const synth = spawnSync(process.execPath, [join(root, 'packages/infra/dist/cli.js'), 'synth', '--out', out], {
    cwd: root,
    encoding: 'utf8',
  });
  if (synth.status !== 0) throw new Error(`cvat-infra synth failed (${synth.status}): ${synth.stderr}`);
  const script = `
    const { readFileSync } = require('node:fs');
    const { join } = require('node:path');
    const { providerForType, ALWAYS_REGISTERED_PROVIDERS } = require(${JSON.stringify(join(root, 'packages/infra/dist/preflight/inputs.js'))});
    const out = ${JSON.stringify(out)};
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const namespaces = new Set();
    for (const stack of Object.values(manifest.stacks)) {
      const json = JSON.parse(readFileSync(join(out, stack.synthesizedStackPath), 'utf8'));
      for (const type of Object.keys(json.resource ?? {})) {
        if (!type.startsWith('azurerm_')) continue;
        const ns = providerForType(type);
        namespaces.add(ns ?? 'unknown:' + type);
      }
    }
    for (const ns of ALWAYS_REGISTERED_PROVIDERS) namespaces.delete(ns);
    process.stdout.write(JSON.stringify([...namespaces].sort()));
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`reading the preflight's provider table failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

/** Role names the synthesized stacks assign (`azurerm_role_assignment.role_definition_name`). */
function assignedRoles(dir: string): string[] {
  const out = join(dir, 'cdktf.out');
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const roles = new Set<string>();
  for (const stack of Object.values(manifest.stacks)) {
    const json = JSON.parse(readFileSync(join(out, stack.synthesizedStackPath), 'utf8')) as {
      resource?: { azurerm_role_assignment?: Record<string, { role_definition_name?: string; role_definition_id?: string }> };
    };
    for (const a of Object.values(json.resource?.azurerm_role_assignment ?? {}))
      roles.add(a.role_definition_name ?? `id:${a.role_definition_id}`);
  }
  return [...roles].sort();
}

/** Built-in role ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles). */
const BUILT_IN_ROLE_IDS: Readonly<Record<string, string>> = {
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
  'Key Vault Secrets Officer': 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
};

/** Role ids a document's role-assignment conditions allow (`GuidEquals {…}`), one set per condition. */
function conditionRoleIds(markdown: string): string[][] {
  return [...markdown.matchAll(/GuidEquals \{([^}]*)\}/g)].map((m) =>
    m[1]
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .sort(),
  );
}

/** The namespaces of getting-started.md's `for NS in … ; do` loop. */
function gettingStartedNamespaces(markdown: string): string[] {
  const loop = /for NS in ([\s\S]*?); do/.exec(markdown.replace(/\\\n/g, ' '));
  return loop ? loop[1].split(/\s+/).filter(Boolean).sort() : [];
}

/** The `Microsoft.*` names in ci-cd.md's paragraph on registering resource providers. */
function ciCdNamespaces(markdown: string): string[] {
  const paragraph = markdown.split(/\n\s*\n/).find((p) => p.includes('register the resource providers once')) ?? '';
  return [
    ...new Set([...paragraph.matchAll(/`(?:az provider register --wait --namespace )?(Microsoft\.[A-Za-z]+)`/g)].map((m) => m[1])),
  ].sort();
}

let dir: string;
let derived: string[];
let roles: string[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'docs-azure-setup-'));
  derived = derivedNamespaces(dir);
  roles = assignedRoles(dir);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resource providers in the documents', () => {
  it('the preflight knows the namespace of every resource type the example synthesizes', () => {
    expect(derived.filter((n) => n.startsWith('unknown:'))).toEqual([]);
    expect(derived).toContain('Microsoft.App');
  });

  it('getting-started.md registers exactly the namespaces the preflight derives', () => {
    expect(gettingStartedNamespaces(read('docs/getting-started.md'))).toEqual(derived);
  });

  it('ci-cd.md names exactly the namespaces the preflight derives', () => {
    expect(ciCdNamespaces(read('docs/ci-cd.md'))).toEqual(derived);
  });

  it('a document missing one namespace, or listing one the stacks do not use, is told apart', () => {
    const missing = ['for NS in', ...derived.slice(1), '; do'].join(' ');
    expect(gettingStartedNamespaces(missing)).not.toEqual(derived);
    const extra = `register the resource providers once: ${[...derived, 'Microsoft.Web'].map((n) => `\`${n}\``).join(', ')}`;
    expect(ciCdNamespaces(extra)).toEqual([...derived, 'Microsoft.Web'].sort());
    expect(ciCdNamespaces(extra)).not.toEqual(derived);
  });
});

describe('role assignments in the documents', () => {
  it('the stacks assign only roles whose id is known here (add a new one from the built-in roles page)', () => {
    expect(roles.filter((r) => !(r in BUILT_IN_ROLE_IDS))).toEqual([]);
    expect(roles.length).toBeGreaterThan(0);
  });

  it.each(['docs/getting-started.md', 'docs/ci-cd.md'])('every role-assignment condition in %s allows exactly those roles', (file) => {
    const wanted = roles.map((r) => BUILT_IN_ROLE_IDS[r]).sort();
    const conditions = conditionRoleIds(read(file));
    expect(conditions.length).toBeGreaterThan(0);
    for (const ids of conditions) expect(ids).toEqual(wanted);
  });

  it('a condition that misses a role is told apart', () => {
    const [ids] = conditionRoleIds('ForAnyOfAnyValues:GuidEquals {4633458b-17de-408a-b874-0445c86b69e6}');
    expect(ids).not.toEqual(roles.map((r) => BUILT_IN_ROLE_IDS[r]).sort());
  });
});

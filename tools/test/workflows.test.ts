/**
 * Keeps .github/workflows honest offline: both files parse; they pass the GitHub Actions workflow schema
 * (SchemaStore's, vendored in fixtures/ with its source); every `nx run <project>:<target>` and `nx affected`/`run-many`
 * target they call exists; every secret and variable they read is documented in docs/ci-cd.md; every `uses:` is pinned
 * to a commit SHA with its version in a comment; no `run:` script interpolates an expression and each parses as bash;
 * every job that logs in to Azure has `id-token: write` and a GitHub environment, and the deploy job is held by an
 * environment of its own after the plan. Each checker is also run on a mutated copy to show that it reports what it
 * exists to catch.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { isScalar, parse, parseDocument, visit } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

interface Step {
  name?: string;
  if?: unknown;
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
type Permissions = string | Record<string, string>;
interface Job {
  name?: string;
  needs?: string | string[];
  'runs-on'?: unknown;
  environment?: string | { name?: string; url?: string };
  permissions?: Permissions;
  env?: Record<string, unknown>;
  steps?: Step[];
  uses?: string;
}
interface Workflow {
  name?: string;
  on?: unknown;
  permissions?: Permissions;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const WORKFLOW_FILES = ['.github/workflows/ci.yml', '.github/workflows/deploy.yml'];

// ------------------------------------------------------------------------------------------------ checkers

/** YAML syntax errors and warnings, duplicate keys included. */
function yamlProblems(text: string): string[] {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  return [...doc.errors, ...doc.warnings].map((e) => e.message.split('\n')[0]);
}

const schema = JSON.parse(readFileSync(join(__dirname, 'fixtures/github-workflow.schema.json'), 'utf8')) as object;
const validateWorkflowSchema = new Ajv({ strict: false, allErrors: true }).compile(schema);

/** Violations of the GitHub Actions workflow schema, one line each (oneOf/anyOf branches included, deduplicated). */
function schemaProblems(workflow: unknown): string[] {
  if (validateWorkflowSchema(workflow)) return [];
  const lines = (validateWorkflowSchema.errors ?? []).map((e) => {
    const extra = 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : '';
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
  });
  return [...new Set(lines)];
}

/** Nx project name → its targets (package.json `scripts`, which Nx infers, plus `nx.targets`). */
type ProjectTargets = Map<string, Set<string>>;

function workspaceTargets(): ProjectTargets {
  const dirs = [...readdirSync(join(root, 'packages')).map((d) => join('packages', d)), 'tools'];
  const projects: ProjectTargets = new Map();
  for (const dir of dirs) {
    let pkg: { name?: string; scripts?: Record<string, string>; nx?: { name?: string; targets?: Record<string, unknown> } };
    try {
      pkg = JSON.parse(read(join(dir, 'package.json')));
    } catch {
      continue;
    }
    const name = pkg.nx?.name ?? pkg.name;
    if (name) projects.set(name, new Set([...Object.keys(pkg.scripts ?? {}), ...Object.keys(pkg.nx?.targets ?? {})]));
  }
  return projects;
}

/** Every `run:` script of the workflow, with where it is. */
function runScripts(workflow: Workflow): { where: string; run: string }[] {
  return Object.entries(workflow.jobs ?? {}).flatMap(([jobId, job]) =>
    (job.steps ?? []).flatMap((step, i) => (typeof step.run === 'string' ? [{ where: `jobs.${jobId}.steps[${i}]`, run: step.run }] : [])),
  );
}

/** Targets after `-t`/`--targets`/`--target` in an `nx affected` or `nx run-many` command line. */
function multiTargets(args: string): string[] {
  const tokens = args.split(/\s+/).filter(Boolean);
  const targets: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const inline = /^(?:-t|--targets?)=(.+)$/.exec(t);
    if (inline) targets.push(...inline[1].split(','));
    else if (t === '-t' || t === '--targets' || t === '--target') {
      while (i + 1 < tokens.length && !tokens[i + 1].startsWith('-')) targets.push(...tokens[++i].split(','));
    }
  }
  return targets.filter(Boolean);
}

/** `nx run` / `nx affected` / `nx run-many` calls naming a project or target that does not exist. */
function nxTargetProblems(workflow: Workflow, projects: ProjectTargets): string[] {
  const problems: string[] = [];
  const allTargets = new Set([...projects.values()].flatMap((s) => [...s]));
  for (const { where, run } of runScripts(workflow)) {
    for (const m of run.matchAll(/\bnx\s+run\s+([A-Za-z0-9@/_.-]+):([A-Za-z0-9:_-]+)/g)) {
      const [, project, target] = m;
      const targets = projects.get(project);
      if (!targets) {
        problems.push(`${where}: 'nx run ${project}:${target}': no project '${project}' (projects: ${[...projects.keys()].join(', ')})`);
        continue;
      }
      // `project:target:configuration` is Nx syntax too; accept it when the part before the last colon is a target.
      const withoutConfiguration = target.includes(':') ? target.slice(0, target.lastIndexOf(':')) : undefined;
      if (!targets.has(target) && !(withoutConfiguration && targets.has(withoutConfiguration))) {
        const known = [...targets].join(', ');
        problems.push(`${where}: 'nx run ${project}:${target}': project '${project}' has no target '${target}' (it has ${known})`);
      }
    }
    for (const m of run.matchAll(/\bnx\s+(affected|run-many)\b([^\n]*)/g)) {
      for (const target of multiTargets(m[2])) {
        if (!allTargets.has(target)) problems.push(`${where}: 'nx ${m[1]}' target '${target}' exists in no project`);
      }
    }
  }
  return problems;
}

/**
 * `run:` scripts with a `${{ }}` expression in them (GitHub pastes its value into the script before bash reads it, so
 * a branch name or an input could inject commands; values go through `env:` instead) or that bash cannot parse.
 */
function scriptProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const { where, run } of runScripts(workflow)) {
    if (run.includes('${{')) problems.push(`${where}: a \${{ }} expression inside run: (pass it through env: instead)`);
    const syntax = spawnSync('bash', ['-n'], { input: run, encoding: 'utf8' });
    if (syntax.status !== 0) problems.push(`${where}: bash -n: ${syntax.stderr.trim().split('\n')[0]}`);
  }
  return problems;
}

/** Targets `nx affected -t` runs in a workflow (the first such call). */
function affectedTargets(workflow: Workflow): string[] {
  for (const { run } of runScripts(workflow)) {
    const m = /\bnx\s+affected\b([^\n]*)/.exec(run);
    if (m) return multiTargets(m[1]);
  }
  return [];
}

type Kind = 'secret' | 'variable';
interface Read {
  readonly kind: Kind;
  readonly name: string;
}

/** Every `secrets.X` / `vars.X` (and `secrets['X']`) read inside a `${{ }}` expression. */
function secretAndVariableReads(text: string): Read[] {
  const reads = new Map<string, Read>();
  for (const expr of text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    for (const m of expr[1].matchAll(/\b(secrets|vars)\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*'([^']+)'\s*\])/g)) {
      const read: Read = { kind: m[1] === 'secrets' ? 'secret' : 'variable', name: m[2] ?? m[3] };
      reads.set(`${read.kind}:${read.name}`, read);
    }
  }
  return [...reads.values()];
}

/** The table rows of docs/ci-cd.md's "Secrets and variables" section: `| \`NAME\` | secret|variable | …`. */
function documentedSecretsAndVariables(markdown: string): Map<string, Kind> {
  const start = markdown.search(/^## Secrets and variables\s*$/m);
  if (start < 0) return new Map();
  const rest = markdown.slice(start + 1);
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  const documented = new Map<string, Kind>();
  for (const m of section.matchAll(/^\|\s*`([A-Za-z_][A-Za-z0-9_-]*)`\s*\|\s*(secret|variable)\s*\|/gm)) documented.set(m[1], m[2] as Kind);
  return documented;
}

function undocumentedReads(reads: readonly Read[], documented: Map<string, Kind>): string[] {
  const problems: string[] = [];
  for (const r of reads) {
    const kind = documented.get(r.name);
    const expr = r.kind === 'secret' ? `secrets.${r.name}` : `vars.${r.name}`;
    if (!kind) problems.push(`${expr} is read but not in docs/ci-cd.md's "Secrets and variables" table`);
    else if (kind !== r.kind) problems.push(`${expr} is read as a ${r.kind}, but docs/ci-cd.md documents '${r.name}' as a ${kind}`);
  }
  return problems;
}

function unusedDocumentation(reads: readonly Read[], documented: Map<string, Kind>): string[] {
  const used = new Set(reads.map((r) => r.name));
  return [...documented.keys()].filter((n) => !used.has(n)).map((n) => `docs/ci-cd.md documents '${n}', which no workflow reads`);
}

/** `uses:` values not pinned to a full commit SHA with the version in a comment (`@<40 hex> # vX.Y.Z`). */
function pinProblems(text: string): string[] {
  const problems: string[] = [];
  visit(parseDocument(text), {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.value !== 'uses' || !isScalar(pair.value)) return;
      const value = String(pair.value.value);
      const comment = pair.value.comment ?? '';
      if (value.startsWith('./')) return;
      if (value.startsWith('docker://')) {
        if (!/@sha256:[0-9a-f]{64}$/.test(value)) problems.push(`'${value}' is not pinned to an image digest (@sha256:…)`);
        return;
      }
      if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40}$/.test(value)) {
        problems.push(`'${value}' is not pinned to a full 40-hex commit SHA`);
      } else if (!/^\s*v\d+(\.\d+){0,2}\s*$/.test(comment)) {
        problems.push(`'${value}' has no version comment ('# vX.Y.Z'), found ${JSON.stringify(comment)}`);
      }
    },
  });
  return problems;
}

const environmentName = (job: Job): string | undefined => (typeof job.environment === 'string' ? job.environment : job.environment?.name);
const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
const hasIdTokenWrite = (p: Permissions | undefined): boolean =>
  p === 'write-all' || (typeof p === 'object' && p?.['id-token'] === 'write');
const runsTarget = (job: Job, target: string): boolean =>
  (job.steps ?? []).some((s) => typeof s.run === 'string' && new RegExp(`\\bnx\\s+run\\s+${target}(?![\\w:-])`).test(s.run));

/**
 * Jobs that reach Azure (azure/login, ARM_USE_OIDC or an infra deploy) need `id-token: write` and a GitHub environment
 * (the federated credential's subject names it). A job that runs infra:deploy must come after one that runs infra:plan
 * and have an environment different from that job's, so the environment's reviewers approve the deploy, not the plan.
 */
function azureJobProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  const jobs = workflow.jobs ?? {};
  const upstream = (id: string, seen = new Set<string>()): Set<string> => {
    for (const n of needsOf(jobs[id] ?? {})) {
      if (!seen.has(n)) {
        seen.add(n);
        upstream(n, seen);
      }
    }
    return seen;
  };
  for (const [id, job] of Object.entries(jobs)) {
    const azureLogin = (job.steps ?? []).some((s) => typeof s.uses === 'string' && /^azure\/login@/i.test(s.uses));
    const oidc = String(job.env?.ARM_USE_OIDC ?? workflow.env?.ARM_USE_OIDC ?? '') === 'true';
    const deploys = runsTarget(job, 'infra:deploy');
    if (!azureLogin && !oidc && !deploys) continue;
    if (!hasIdTokenWrite(job.permissions ?? workflow.permissions)) {
      problems.push(`jobs.${id} reaches Azure but lacks 'permissions: id-token: write'`);
    }
    if (!environmentName(job)) {
      problems.push(`jobs.${id} reaches Azure but names no GitHub environment (the federated credential's subject)`);
    }
    if (deploys) {
      const planners = [...upstream(id)].filter((u) => jobs[u] && runsTarget(jobs[u], 'infra:plan'));
      if (!planners.length) problems.push(`jobs.${id} runs infra:deploy without a job that runs infra:plan before it (needs)`);
      for (const p of planners) {
        if (environmentName(jobs[p]) === environmentName(job)) {
          problems.push(`jobs.${id} and jobs.${p} share the environment '${environmentName(job)}': its reviewers would hold the plan too`);
        }
      }
    }
  }
  return problems;
}

/** Jobs running the smoke suite with `--junit <file>` that do not upload that file with actions/upload-artifact, always. */
function junitUploadProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
    for (const step of job.steps ?? []) {
      // A command line that runs the suite (not an echo that tells the operator how to).
      const command = typeof step.run === 'string' ? /^\s*npx nx run smoke-tests:e2e\b.*$/m.exec(step.run) : null;
      if (!command) continue;
      const m = /--junit\s+"([^"]+)"/.exec(command[0]);
      if (!m) {
        problems.push(`jobs.${id}: the smoke suite runs without --junit "<file>"`);
        continue;
      }
      const path = m[1].replace('$RUNNER_TEMP', '${{ runner.temp }}');
      const upload = (job.steps ?? []).find((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.path === path);
      if (!upload) problems.push(`jobs.${id}: no actions/upload-artifact step uploads ${path}`);
      else if (!/\b(always|cancelled)\(\)/.test(String(upload.if ?? ''))) {
        problems.push(`jobs.${id}: the JUnit upload does not run after a failed suite (if: !cancelled() or always())`);
      }
    }
  }
  return problems;
}

/** `PGTEST_*` names the ops-cli tests read that the workflow does not set (as `NAME=` into $GITHUB_ENV or `NAME:`). */
function pgtestProblems(ciText: string, names: Iterable<string>): string[] {
  return [...names]
    .filter((n) => !new RegExp(`\\b${n}(=|:)`).test(ciText))
    .map((n) => `ci.yml does not set ${n}, which the ops-cli db tests read`);
}

function pgtestNamesReadByTests(): Set<string> {
  const dir = join(root, 'packages/ops-cli/test');
  const names = new Set<string>();
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    if (!f.endsWith('.ts')) continue;
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/\bPGTEST_[A-Z_]*[A-Z]\b/g)) names.add(m[0]);
  }
  return names;
}

/** The targets `npm test` runs (tools/test-all.mjs `const targets = [...]`). */
function testAllTargets(): string[] {
  const m = /const targets = \[([^\]]*)\]/.exec(read('tools/test-all.mjs'));
  return m ? [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]) : [];
}

// ------------------------------------------------------------------------------------------------ the real files

const texts = Object.fromEntries(WORKFLOW_FILES.map((f) => [f, read(f)]));
const parsed = Object.fromEntries(WORKFLOW_FILES.map((f) => [f, parse(texts[f]) as Workflow]));
const ci = (): Workflow => structuredClone(parsed['.github/workflows/ci.yml']);
const deploy = (): Workflow => structuredClone(parsed['.github/workflows/deploy.yml']);
const ciCdDoc = read('docs/ci-cd.md');
const projects = workspaceTargets();
const allReads = (): Read[] => WORKFLOW_FILES.flatMap((f) => secretAndVariableReads(texts[f]));

describe.each(WORKFLOW_FILES)('%s', (file) => {
  it('parses as YAML without duplicate keys', () => {
    expect(yamlProblems(texts[file])).toEqual([]);
    expect(parsed[file].jobs).toBeTypeOf('object');
  });

  it('passes the GitHub Actions workflow schema', () => {
    expect(schemaProblems(parsed[file])).toEqual([]);
  });

  it('calls only Nx projects and targets that exist', () => {
    expect(runScripts(parsed[file]).some((r) => /\bnx\s+(run|affected)\b/.test(r.run))).toBe(true);
    expect(nxTargetProblems(parsed[file], projects)).toEqual([]);
  });

  it('keeps expressions out of run: scripts, and every script parses as bash', () => {
    expect(scriptProblems(parsed[file])).toEqual([]);
  });

  it('pins every action to a commit SHA with its version in a comment', () => {
    expect(texts[file]).toMatch(/uses:/);
    expect(pinProblems(texts[file])).toEqual([]);
  });

  it('gives every job that reaches Azure id-token: write and an environment', () => {
    expect(azureJobProblems(parsed[file])).toEqual([]);
  });
});

describe('secrets and variables', () => {
  it('every one the workflows read is documented in docs/ci-cd.md, as the kind it is read as', () => {
    const reads = allReads();
    expect(reads.map((r) => r.name)).toContain('AZURE_CLIENT_ID');
    expect(undocumentedReads(reads, documentedSecretsAndVariables(ciCdDoc))).toEqual([]);
  });

  it('docs/ci-cd.md documents none that no workflow reads', () => {
    expect(unusedDocumentation(allReads(), documentedSecretsAndVariables(ciCdDoc))).toEqual([]);
  });
});

describe('the deploy workflow', () => {
  it('has a deploy job with id-token: write behind an environment, after the plan', () => {
    const wf = deploy();
    const deployJobs = Object.entries(wf.jobs).filter(([, j]) => runsTarget(j, 'infra:deploy'));
    expect(deployJobs.map(([id]) => id)).toEqual(['deploy']);
    const [, job] = deployJobs[0];
    expect(job.permissions).toMatchObject({ 'id-token': 'write', contents: 'read' });
    expect(environmentName(job)).toBe('${{ needs.resolve.outputs.environment }}');
    expect(needsOf(job)).toContain('plan');
  });

  it('uploads the JUnit report at the path the smoke suite writes it to, also when the suite failed', () => {
    expect(junitUploadProblems(deploy())).toEqual([]);
  });
});

describe('the CI workflow', () => {
  it('runs nx affected with the targets npm test runs', () => {
    const targets = testAllTargets();
    expect(targets).toContain('test');
    expect(affectedTargets(ci()).sort()).toEqual([...targets].sort());
  });

  it('sets every PGTEST_* variable the ops-cli db tests read', () => {
    const names = pgtestNamesReadByTests();
    expect([...names]).toEqual(expect.arrayContaining(['PGTEST_HOST', 'PGTEST_PORT', 'PGTEST_CA', 'PGTEST_ADMIN_SOCKET']));
    expect(pgtestProblems(texts['.github/workflows/ci.yml'], names)).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------ mutated copies

describe('each checker reports what it exists to catch (mutated copies)', () => {
  it('YAML: a duplicate key and a broken indentation', () => {
    const dup = texts['.github/workflows/ci.yml'].replace('name: ci\n', 'name: ci\nname: again\n');
    expect(yamlProblems(dup).join('\n')).toMatch(/unique/i);
    expect(yamlProblems('jobs:\n  a:\n    steps:\n   - run: x\n  bad').length).toBeGreaterThan(0);
  });

  it('schema: an unknown step key, a job without runs-on and a workflow without a trigger', () => {
    const a = deploy();
    (a.jobs.deploy.steps![0] as Record<string, unknown>).ruin = 'echo typo';
    expect(schemaProblems(a).join('\n')).toMatch(/\/jobs\/deploy\/steps\/0 .*'ruin'/);
    const b = ci();
    delete b.jobs.affected['runs-on'];
    expect(schemaProblems(b).join('\n')).toMatch(/runs-on/);
    const c = ci();
    delete c.on;
    expect(schemaProblems(c).join('\n')).toMatch(/'on'/);
  });

  it('Nx: an unknown target, an unknown project and an unknown affected target', () => {
    const wf = deploy();
    wf.jobs.deploy.steps!.push({ run: 'npx nx run infra:deploy-everything -- --env x' }, { run: 'npx nx run nope:build' });
    wf.jobs.plan.steps!.push({ run: 'npx nx affected -t build typo --base=a' });
    const problems = nxTargetProblems(wf, projects).join('\n');
    expect(problems).toContain("project 'infra' has no target 'deploy-everything'");
    expect(problems).toContain("no project 'nope'");
    expect(problems).toContain("'nx affected' target 'typo' exists in no project");
    expect(problems).not.toContain("'build'");
  });

  it('Nx: the CI gate drifting from npm test', () => {
    const wf = ci();
    const step = wf.jobs.affected.steps!.find((s) => s.run?.includes('nx affected'))!;
    step.run = step.run!.replace(' validate', '');
    expect(affectedTargets(wf)).not.toContain('validate');
    expect(affectedTargets(wf).sort()).not.toEqual(testAllTargets().sort());
  });

  it('secrets and variables: an undocumented secret, a variable documented as a secret, a stale row', () => {
    const text = `${texts['.github/workflows/deploy.yml']}\n# \${{ secrets.UNDOCUMENTED_TOKEN }} \${{ vars.AZURE_CLIENT_ID }}\n`;
    const problems = undocumentedReads(secretAndVariableReads(text), documentedSecretsAndVariables(ciCdDoc)).join('\n');
    expect(problems).toContain('secrets.UNDOCUMENTED_TOKEN is read but not in docs/ci-cd.md');
    expect(problems).toContain("vars.AZURE_CLIENT_ID is read as a variable, but docs/ci-cd.md documents 'AZURE_CLIENT_ID' as a secret");
    const doc = ciCdDoc.replace('| `DEPLOY_RUNS_ON` |', '| `OLD_SETTING` | variable | repository | nothing | gone |\n| `DEPLOY_RUNS_ON` |');
    expect(unusedDocumentation(allReads(), documentedSecretsAndVariables(doc))).toEqual([
      "docs/ci-cd.md documents 'OLD_SETTING', which no workflow reads",
    ]);
    expect(secretAndVariableReads("${{ secrets['BRACKETED'] }}")).toEqual([{ kind: 'secret', name: 'BRACKETED' }]);
  });

  it('pins: a tag, a short SHA and a missing version comment', () => {
    const text = texts['.github/workflows/ci.yml'];
    const sha = /actions\/checkout@([0-9a-f]{40})/.exec(text)![1];
    expect(pinProblems(text.replace(`actions/checkout@${sha}`, 'actions/checkout@v7'))).toEqual([
      "'actions/checkout@v7' is not pinned to a full 40-hex commit SHA",
    ]);
    expect(pinProblems(text.replace(`checkout@${sha}`, `checkout@${sha.slice(0, 12)}`))).toHaveLength(1);
    expect(pinProblems(text.replace(`checkout@${sha} # v7.0.1`, `checkout@${sha}`)).join('\n')).toContain('has no version comment');
    expect(pinProblems('steps:\n  - uses: ./.github/actions/local\n')).toEqual([]);
  });

  it('Azure jobs: no id-token, no environment, the deploy sharing the plan environment or not after a plan', () => {
    const a = deploy();
    a.jobs.deploy.permissions = { contents: 'read' };
    expect(azureJobProblems(a)).toEqual(["jobs.deploy reaches Azure but lacks 'permissions: id-token: write'"]);
    const b = deploy();
    delete b.jobs.deploy.environment;
    expect(azureJobProblems(b).join('\n')).toContain('jobs.deploy reaches Azure but names no GitHub environment');
    const c = deploy();
    c.jobs.deploy.environment = c.jobs.plan.environment;
    expect(azureJobProblems(c).join('\n')).toContain(
      "jobs.deploy and jobs.plan share the environment '${{ needs.resolve.outputs.environment }}-verify'",
    );
    const d = deploy();
    d.jobs.deploy.needs = ['resolve'];
    expect(azureJobProblems(d)).toEqual(['jobs.deploy runs infra:deploy without a job that runs infra:plan before it (needs)']);
  });

  it('run: scripts: an interpolated expression and a bash syntax error', () => {
    const wf = deploy();
    wf.jobs.resolve.steps!.push({ run: 'echo "${{ github.event.head_commit.message }}"' }, { run: 'if true; then echo x' });
    const problems = scriptProblems(wf);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^jobs\.resolve\.steps\[1\]: a \$\{\{ \}\} expression inside run:/);
    expect(problems[1]).toMatch(/^jobs\.resolve\.steps\[2\]: bash -n: /);
  });

  it('JUnit: the report not uploaded, uploaded from another path, or only when the suite passed', () => {
    const a = deploy();
    a.jobs.smoke.steps = a.jobs.smoke.steps!.filter((s) => !s.uses?.startsWith('actions/upload-artifact@'));
    expect(junitUploadProblems(a)).toEqual(['jobs.smoke: no actions/upload-artifact step uploads ${{ runner.temp }}/smoke/junit.xml']);
    const b = deploy();
    b.jobs.smoke.steps!.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!.with!.path = 'junit.xml';
    expect(junitUploadProblems(b)).toHaveLength(1);
    const c = deploy();
    delete c.jobs.smoke.steps!.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!.if;
    expect(junitUploadProblems(c)).toEqual([
      'jobs.smoke: the JUnit upload does not run after a failed suite (if: !cancelled() or always())',
    ]);
  });

  it('PGTEST: a variable the tests read that CI does not set', () => {
    const text = texts['.github/workflows/ci.yml'].replace(/^.*PGTEST_CA=.*$/m, '');
    expect(pgtestProblems(text, pgtestNamesReadByTests())).toEqual(['ci.yml does not set PGTEST_CA, which the ops-cli db tests read']);
  });
});

// ------------------------------------------------------------------------------------------------ the deploy's environment check

describe('.github/scripts/check-deploy-environment.mjs', () => {
  let problemsOf: (name: string, text: string | undefined) => string[];
  beforeAll(async () => {
    const mod = (await import(pathToFileURL(join(root, '.github/scripts/check-deploy-environment.mjs')).href)) as {
      deployEnvironmentProblems: typeof problemsOf;
    };
    problemsOf = mod.deployEnvironmentProblems;
  });
  const azurerm = (name: string) =>
    `name: ${name}\nstateBackend:\n  type: azurerm\n  resourceGroup: rg\n  storageAccount: sa1\n  container: tfstate\n  key: k.tfstate\n`;

  it('accepts an environment named after its file with azurerm state', () => {
    expect(problemsOf('production', azurerm('production'))).toEqual([]);
  });

  it('refuses the committed example: its state is local and would be lost with the runner', () => {
    const problems = problemsOf('example', read('environments/example.yaml'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^environments\/example\.yaml keeps its Terraform state in local files .*stateBackend\.type: azurerm/);
  });

  it('refuses a bad name before touching the file system, a missing file, and a name that differs from the file', () => {
    expect(problemsOf('../etc', undefined)[0]).toMatch(/^environment name '\.\.\/etc' is not allowed/);
    expect(problemsOf('a--b', azurerm('a--b'))[0]).toMatch(/is not allowed/);
    expect(problemsOf('prod', undefined)).toEqual([
      'environments/prod.yaml does not exist in this commit: add it (cp environments/example.yaml environments/prod.yaml, then set name: prod)',
    ]);
    expect(problemsOf('prod', azurerm('dev'))).toEqual(['environments/prod.yaml has name: "dev"; it must be \'prod\' (the file name)']);
    expect(problemsOf('prod', 'name: [unclosed')[0]).toMatch(/^environments\/prod\.yaml is not valid YAML/);
  });
});

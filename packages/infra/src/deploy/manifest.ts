import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DeployError } from './errors';

/**
 * One stack as listed in `cdktf.out/manifest.json`, with paths made absolute.
 *
 * @see https://developer.hashicorp.com/terraform/cdktf/concepts/stacks
 */
export interface ManifestStack {
  /** Stack name (the manifest key), e.g. `foundation`. */
  readonly name: string;
  /** Names of the stacks this one reads outputs from; they must be applied first. */
  readonly dependencies: readonly string[];
  /** Absolute path of the directory terraform runs in (`cdktf.out/stacks/<name>`). */
  readonly workingDirectory: string;
  /** Absolute path of the synthesized `cdk.tf.json`. */
  readonly synthesizedStackPath: string;
}

/** The parsed synth manifest. */
export interface Manifest {
  /** Absolute path of the cdktf output directory. */
  readonly outDir: string;
  /** cdktf version that wrote the manifest. */
  readonly version: string;
  /** Stacks in manifest order (not yet dependency-ordered; see {@link orderStacks}). */
  readonly stacks: readonly ManifestStack[];
}

function bad(path: string, message: string): DeployError {
  return new DeployError('MANIFEST', `${path}: ${message}`);
}

/**
 * Reads and checks `<outDir>/manifest.json`.
 *
 * Every stack needs a `workingDirectory` and a `synthesizedStackPath` that exists; dependencies must name
 * stacks of the same manifest. Errors name the field (`stacks.apps.dependencies[0]`) and the value.
 *
 * @param outDir the cdktf output directory, e.g. `packages/infra/cdktf.out`
 */
export function loadManifest(outDir: string): Manifest {
  const dir = resolve(outDir);
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) {
    throw new DeployError(
      'MANIFEST',
      `${file} does not exist: run the synth first (cvat-infra synth, or npx nx run infra:synth), or pass --out`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DeployError('MANIFEST', `${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (
    typeof raw !== 'object' ||
    raw === null ||
    typeof (raw as { stacks?: unknown }).stacks !== 'object' ||
    (raw as { stacks?: unknown }).stacks === null
  ) {
    throw bad(file, "'stacks' must be an object keyed by stack name");
  }
  const rawStacks = (raw as { stacks: Record<string, unknown> }).stacks;
  const names = Object.keys(rawStacks);
  if (names.length === 0) throw bad(file, "'stacks' is empty: the synth produced no stack");
  const stacks = names.map((name): ManifestStack => {
    const entry = rawStacks[name] as Record<string, unknown> | null;
    if (typeof entry !== 'object' || entry === null) throw bad(file, `'stacks.${name}' must be an object`);
    const wd = entry.workingDirectory;
    const sp = entry.synthesizedStackPath;
    if (typeof wd !== 'string' || wd === '')
      throw bad(file, `'stacks.${name}.workingDirectory' (${JSON.stringify(wd)}) must be a non-empty string`);
    if (typeof sp !== 'string' || sp === '')
      throw bad(file, `'stacks.${name}.synthesizedStackPath' (${JSON.stringify(sp)}) must be a non-empty string`);
    const deps = entry.dependencies ?? [];
    if (!Array.isArray(deps) || deps.some((d) => typeof d !== 'string')) {
      throw bad(file, `'stacks.${name}.dependencies' (${JSON.stringify(deps)}) must be an array of stack names`);
    }
    deps.forEach((d: string, i: number) => {
      if (!names.includes(d))
        throw bad(file, `'stacks.${name}.dependencies[${i}]' ('${d}') is not a stack of this manifest (stacks: ${names.join(', ')})`);
    });
    const synthesizedStackPath = resolve(dir, sp);
    if (!existsSync(synthesizedStackPath))
      throw bad(file, `'stacks.${name}.synthesizedStackPath' (${sp}) does not exist: re-run the synth`);
    return { name, dependencies: deps as string[], workingDirectory: resolve(dir, wd), synthesizedStackPath };
  });
  return { outDir: dir, version: String((raw as { version?: unknown }).version ?? 'unknown'), stacks };
}

/**
 * Orders stacks so every stack comes after the stacks it depends on (Kahn's algorithm).
 *
 * Ties keep manifest order, so the result is deterministic. A dependency cycle is an error naming the
 * stacks involved.
 */
export function orderStacks(stacks: readonly ManifestStack[]): ManifestStack[] {
  const remaining = new Map(stacks.map((s) => [s.name, new Set(s.dependencies)]));
  const ordered: ManifestStack[] = [];
  while (remaining.size > 0) {
    const ready = stacks.filter((s) => remaining.has(s.name) && remaining.get(s.name)!.size === 0);
    if (ready.length === 0) {
      throw new DeployError('MANIFEST', `stack dependencies form a cycle among: ${[...remaining.keys()].join(', ')}`);
    }
    for (const s of ready) {
      ordered.push(s);
      remaining.delete(s.name);
      for (const deps of remaining.values()) deps.delete(s.name);
    }
  }
  return ordered;
}

/**
 * Restricts an ordered stack list to the stacks named by `--stack` (order is kept).
 *
 * @param only stack names; empty means all
 */
export function selectStacks(ordered: readonly ManifestStack[], only: readonly string[]): ManifestStack[] {
  if (only.length === 0) return [...ordered];
  const names = ordered.map((s) => s.name);
  for (const name of only) {
    if (!names.includes(name)) {
      throw new DeployError('USAGE', `'--stack' (${name}) is not a stack of the manifest; expected one of: ${names.join(', ')}`);
    }
  }
  return ordered.filter((s) => only.includes(s.name));
}

/** The synthesized terraform JSON of one stack (only the parts the deploy layer reads). */
export interface StackJson {
  readonly terraform?: { backend?: Record<string, Record<string, unknown>> };
  readonly provider?: Record<string, Array<Record<string, unknown>> | Record<string, unknown>>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
}

/** Reads a stack's `cdk.tf.json`. */
export function readStackJson(stack: ManifestStack): StackJson {
  try {
    return JSON.parse(readFileSync(stack.synthesizedStackPath, 'utf8')) as StackJson;
  } catch (error) {
    throw new DeployError('MANIFEST', `${stack.synthesizedStackPath} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Where a stack keeps its state, as declared in its synthesized `terraform.backend` block. */
export type BackendInfo =
  | { readonly type: 'local'; readonly path: string }
  | { readonly type: 'azurerm'; readonly storageAccount: string; readonly container: string; readonly key: string }
  | { readonly type: 'other'; readonly name: string }
  | { readonly type: 'none' };

/**
 * Describes the backend of a synthesized stack.
 *
 * A local backend path is resolved against the stack's working directory, exactly as terraform does.
 */
export function describeBackend(stack: ManifestStack, json: StackJson): BackendInfo {
  const backend = json.terraform?.backend;
  if (!backend || Object.keys(backend).length === 0) return { type: 'none' };
  const [name] = Object.keys(backend);
  const cfg = backend[name] ?? {};
  if (name === 'local') {
    const path = typeof cfg.path === 'string' ? cfg.path : 'terraform.tfstate';
    return { type: 'local', path: resolve(stack.workingDirectory, path) };
  }
  if (name === 'azurerm') {
    return {
      type: 'azurerm',
      storageAccount: String(cfg.storage_account_name ?? '?'),
      container: String(cfg.container_name ?? '?'),
      key: String(cfg.key ?? '?'),
    };
  }
  return { type: 'other', name };
}

/** One-line human description of a backend, for logs. */
export function formatBackend(info: BackendInfo): string {
  switch (info.type) {
    case 'local':
      return `local state ${info.path}`;
    case 'azurerm':
      return `azurerm state ${info.storageAccount}/${info.container}/${info.key} (blob lease locking)`;
    case 'other':
      return `${info.name} backend`;
    case 'none':
      return 'no backend block (terraform.tfstate in the working directory)';
  }
}

/** How one stack's dependencies were worked out, for the log. */
export interface StateReadDependency {
  /** Stacks whose state this one reads (`terraform_remote_state`), within the manifest: what it must wait for. */
  readonly reads: readonly string[];
  /** Manifest dependencies it does not read (declared for ordering only); a deploy does not wait for them. */
  readonly orderingOnly: readonly string[];
  /** True when a remote state matched no stack: then every manifest dependency is kept. */
  readonly unresolved: boolean;
}

/** The state location a `terraform_remote_state` data source reads, in {@link BackendInfo} form. */
function remoteStateBackend(stack: ManifestStack, source: Record<string, unknown>): BackendInfo {
  const config = (source.config ?? {}) as Record<string, unknown>;
  return describeBackend(stack, { terraform: { backend: { [String(source.backend ?? 'local')]: config } } });
}

function sameBackend(a: BackendInfo, b: BackendInfo): boolean {
  if (a.type === 'local' && b.type === 'local') return a.path === b.path;
  if (a.type === 'azurerm' && b.type === 'azurerm')
    return a.storageAccount === b.storageAccount && a.container === b.container && a.key === b.key;
  return false;
}

/**
 * The dependencies a deploy really has to respect: a stack waits for the stacks whose state it reads through
 * `terraform_remote_state` (how cdktf passes cross-stack references: `data.terraform_remote_state.
 * cross-stack-reference-input-<stack>`), matched by backend location, not by name. A manifest dependency it does not
 * read is an ordering-only `addDependency` and is dropped (the edge stack reads foundation's outputs only, so it runs
 * beside apps). When a remote state matches no stack, the stack keeps its manifest dependencies.
 *
 * @param json reads a stack's synthesized JSON (cached by the caller)
 */
export function stateReadDependencies(
  manifest: Manifest,
  json: (stack: ManifestStack) => StackJson = readStackJson,
): Record<string, StateReadDependency> {
  const backends = new Map(manifest.stacks.map((s) => [s.name, describeBackend(s, json(s))]));
  const result: Record<string, StateReadDependency> = {};
  for (const stack of manifest.stacks) {
    const data = json(stack).data;
    const reads = new Set<string>();
    let unresolved = false;
    for (const source of Object.values(data?.terraform_remote_state ?? {})) {
      const target = remoteStateBackend(stack, source);
      const match = manifest.stacks.find((other) => other !== stack && sameBackend(backends.get(other.name)!, target));
      if (match) reads.add(match.name);
      else unresolved = true;
    }
    if (unresolved) {
      result[stack.name] = { reads: [...new Set([...stack.dependencies, ...reads])], orderingOnly: [], unresolved };
      continue;
    }
    result[stack.name] = {
      reads: [...reads],
      orderingOnly: stack.dependencies.filter((d) => !reads.has(d)),
      unresolved,
    };
  }
  return result;
}

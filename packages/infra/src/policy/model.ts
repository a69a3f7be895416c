import { loadManifest, readStackJson } from '../deploy/manifest';

/** A Terraform JSON document as cdktf writes it (`cdk.tf.json`). */
export interface TerraformJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { value?: unknown; sensitive?: boolean }>;
  readonly provider?: Record<string, unknown[]>;
  readonly terraform?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** One synthesized stack. */
export interface SynthesizedStack {
  /** Stack name (`foundation`, `apps`, `edge`). */
  readonly name: string;
  /** Stacks it depends on, from `manifest.json`. */
  readonly dependencies: readonly string[];
  /** The Terraform JSON. */
  readonly json: TerraformJson;
}

/** The synthesized app: every stack, in manifest order. */
export interface SynthesizedApp {
  /** Stacks. */
  readonly stacks: readonly SynthesizedStack[];
}

/** A resource of a synthesized stack. */
export interface ResourceRef {
  /** Stack name. */
  readonly stack: string;
  /** Terraform type, e.g. `azurerm_container_app`. */
  readonly type: string;
  /** Terraform name (the cdktf logical id). */
  readonly name: string;
  /** `<stack>:<type>.<name>`, for messages. */
  readonly address: string;
  /** The resource's arguments. */
  readonly body: Record<string, unknown>;
}

/**
 * Reads a synth output: `manifest.json` through the deploy's one manifest reader (../deploy/manifest, which checks
 * every field and names it), then each stack's `cdk.tf.json`, in manifest order.
 *
 * @throws DeployError `MANIFEST` (exit 4) when the manifest or a stack file is missing or not JSON
 */
export function loadSynthesizedApp(outdir: string): SynthesizedApp {
  const manifest = loadManifest(outdir);
  return { stacks: manifest.stacks.map((s) => ({ name: s.name, dependencies: s.dependencies, json: readStackJson(s) as TerraformJson })) };
}

/** Every resource of the app (optionally of one type), in stack and document order. */
export function resources(app: SynthesizedApp, type?: string): ResourceRef[] {
  const out: ResourceRef[] = [];
  for (const stack of app.stacks) {
    for (const [t, byName] of Object.entries(stack.json.resource ?? {})) {
      if (type && t !== type) continue;
      for (const [name, body] of Object.entries(byName)) {
        out.push({ stack: stack.name, type: t, name, address: `${stack.name}:${t}.${name}`, body });
      }
    }
  }
  return out;
}

/** Every data source of the app. */
export function dataSources(app: SynthesizedApp): ResourceRef[] {
  const out: ResourceRef[] = [];
  for (const stack of app.stacks) {
    for (const [t, byName] of Object.entries(stack.json.data ?? {})) {
      for (const [name, body] of Object.entries(byName))
        out.push({ stack: stack.name, type: t, name, address: `${stack.name}:data.${t}.${name}`, body });
    }
  }
  return out;
}

/** Whether a value is a Terraform expression (contains an interpolation) rather than a literal. */
export function isExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** A literal string (not an expression), or undefined. */
export function literal(value: unknown): string | undefined {
  return typeof value === 'string' && !value.includes('${') ? value : undefined;
}

/** Terraform renders nested blocks as objects or one-element lists; returns them as a list. */
export function blocks(value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
}

/** One block (the first), or undefined. */
export function block(value: unknown): Record<string, unknown> | undefined {
  return blocks(value)[0];
}

const REF = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/;
const REMOTE = /^\$\{data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)\}$/;

/**
 * Follows a reference expression to the resource it points at: `${type.name.attr}` in the same
 * stack, or a cdktf cross-stack reference (`${data.terraform_remote_state.<x>.outputs.<output>}`)
 * through the producing stack's output. Returns the resource and the attribute, or undefined for
 * literals and anything else.
 */
export function followReference(
  app: SynthesizedApp,
  stackName: string,
  value: unknown,
  depth = 0,
): { resource: ResourceRef; attribute: string } | undefined {
  if (typeof value !== 'string' || depth > 5) return undefined;
  const stack = app.stacks.find((s) => s.name === stackName);
  if (!stack) return undefined;
  const remote = REMOTE.exec(value);
  if (remote) {
    const input = stack.json.data?.terraform_remote_state?.[remote[1]] as { config?: { path?: string; key?: string } } | undefined;
    if (!input) return undefined;
    for (const producer of app.stacks) {
      const output = producer.json.output?.[remote[2]];
      if (output) return followReference(app, producer.name, output.value, depth + 1);
    }
    return undefined;
  }
  const ref = REF.exec(value);
  if (!ref || ref[1] === 'data' || ref[1] === 'var' || ref[1] === 'local') return undefined;
  const body = stack.json.resource?.[ref[1]]?.[ref[2]];
  if (!body) return undefined;
  return {
    resource: { stack: stackName, type: ref[1], name: ref[2], address: `${stackName}:${ref[1]}.${ref[2]}`, body },
    attribute: ref[3],
  };
}

/** The containers (and init containers) of a container app or job. */
export function containers(resource: ResourceRef): Record<string, unknown>[] {
  const template = block(resource.body.template);
  if (!template) return [];
  return [...blocks(template.container), ...blocks(template.init_container)];
}

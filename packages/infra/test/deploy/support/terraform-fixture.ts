import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './temp-dir';
import { findBinary } from '../../../src/deploy/terraform';

/**
 * The terraform binary the integration tests drive (`TF_BINARY`, else `terraform` on PATH), or
 * undefined; tests that need it skip with {@link TERRAFORM_SKIP_REASON} printed.
 */
export const TERRAFORM_BINARY = findBinary(process.env.TF_BINARY || 'terraform', process.env);

/** Why the terraform-backed tests are skipped, or undefined when they run. */
export const TERRAFORM_SKIP_REASON = TERRAFORM_BINARY
  ? undefined
  : `no '${process.env.TF_BINARY || 'terraform'}' binary on PATH: the orchestrator tests against real terraform are skipped (set ` +
    `TF_BINARY or install terraform/tofu to run them)`;

/** One provider-free resource of a fixture stack: a `terraform_data` with shell provisioners. */
export interface FixtureResource {
  /** Value of `input` (changing it replaces the resource). */
  readonly input?: string;
  /** Shell command run by a create-time local-exec provisioner. */
  readonly onCreate?: string;
  /** Shell command run by a destroy-time local-exec provisioner. */
  readonly onDestroy?: string;
}

/** One stack of the fixture. */
export interface FixtureStack {
  readonly name: string;
  readonly dependencies: readonly string[];
  readonly resources: Readonly<Record<string, FixtureResource>>;
}

/**
 * A temporary directory laid out like `packages/infra`: `cdktf.out/manifest.json`,
 * `cdktf.out/stacks/<name>/cdk.tf.json` with a local backend at `../../../state/<env>/<name>.tfstate`,
 * so state lands in `<root>/state/<env>`, outside `cdktf.out`, exactly like the real synth.
 *
 * Each stack reads every dependency's `name` output through `terraform_remote_state` and feeds it into
 * its resources, so planning a stack before its dependencies are applied really fails. Everything uses
 * the built-in `terraform` provider: `terraform init` downloads nothing.
 */
export class TerraformFixture {
  readonly root: string;
  readonly outDir: string;
  /** `<root>/state`: the state root (what `--state-dir` takes). */
  readonly stateRoot: string;
  /** `<root>/state/<env>`: the environment's state files. */
  readonly stateDir: string;
  /** Environment name of the state directory. @default 'example' */
  readonly env: string;
  /** Append-only log the provisioners write `apply <stack>` / `destroy <stack>` lines to. */
  readonly eventsFile: string;

  /**
   * @param stacks the stacks, or a function building them from the fixture (for paths in commands)
   * @param options.manifestOrder order of the manifest entries (to show ordering comes from dependencies)
   * @param options.env environment whose state directory the backends use (default 'example')
   */
  constructor(
    stacks: readonly FixtureStack[] | ((fx: TerraformFixture) => readonly FixtureStack[]),
    options: { manifestOrder?: readonly string[]; env?: string } = {},
  ) {
    this.root = makeTempDir('cvat-deploy-test-');
    this.outDir = join(this.root, 'cdktf.out');
    this.env = options.env ?? 'example';
    this.stateRoot = join(this.root, 'state');
    this.stateDir = join(this.stateRoot, this.env);
    this.eventsFile = join(this.root, 'events.log');
    if (typeof stacks === 'function') stacks = stacks(this);
    const order = options.manifestOrder ?? stacks.map((s) => s.name);
    const manifest = { version: '0.21.0', stacks: {} as Record<string, unknown> };
    for (const name of order) {
      const s = stacks.find((x) => x.name === name)!;
      manifest.stacks[name] = {
        name,
        constructPath: name,
        workingDirectory: `stacks/${name}`,
        synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
        stackMetadataPath: `stacks/${name}/metadata.json`,
        annotations: [],
        dependencies: s.dependencies,
      };
      this.writeStack(s);
    }
    writeFileSync(join(this.outDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  }

  /** Path of a file in the fixture root (markers, flags). */
  path(name: string): string {
    return join(this.root, name);
  }

  /** Shell snippet appending a line to the events log. */
  event(text: string): string {
    return `echo '${text}' >> '${this.eventsFile}'`;
  }

  /** Lines written to the events log so far. */
  events(): string[] {
    return existsSync(this.eventsFile) ? readFileSync(this.eventsFile, 'utf8').split('\n').filter(Boolean) : [];
  }

  /** Resource addresses recorded in a stack's local state (empty when there is no state). */
  stateResources(stack: string): string[] {
    const file = join(this.stateDir, `${stack}.tfstate`);
    if (!existsSync(file)) return [];
    const state = JSON.parse(readFileSync(file, 'utf8')) as { resources?: Array<{ type: string; name: string }> };
    return (state.resources ?? []).filter((r) => r.type !== 'terraform_remote_state').map((r) => `${r.type}.${r.name}`);
  }

  /** (Re)writes one stack's `cdk.tf.json`. */
  writeStack(stack: FixtureStack): void {
    const dir = join(this.outDir, 'stacks', stack.name);
    mkdirSync(dir, { recursive: true });
    const remote: Record<string, unknown> = {};
    for (const dep of stack.dependencies) remote[dep] = { backend: 'local', config: { path: `../../../state/${this.env}/${dep}.tfstate` } };
    const upstream = stack.dependencies.map((d) => `\${data.terraform_remote_state.${d}.outputs.name}`).join('+');
    const resources: Record<string, unknown> = {};
    for (const [id, r] of Object.entries(stack.resources)) {
      const provisioner: unknown[] = [];
      if (r.onCreate) provisioner.push({ 'local-exec': { command: r.onCreate } });
      if (r.onDestroy) provisioner.push({ 'local-exec': { command: r.onDestroy, when: 'destroy' } });
      resources[id] = { input: `${r.input ?? id}${upstream ? `<-${upstream}` : ''}`, ...(provisioner.length ? { provisioner } : {}) };
    }
    const json = {
      terraform: { backend: { local: { path: `../../../state/${this.env}/${stack.name}.tfstate` } } },
      ...(stack.dependencies.length ? { data: { terraform_remote_state: remote } } : {}),
      resource: { terraform_data: resources },
      output: { name: { value: stack.name } },
    };
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
  }

  /** Removes the whole fixture directory. */
  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * `cvat-ops apps recreate NAME`: the reference guide's `terraform apply -replace=<address>`, run through the infra
 * deploy machinery for one resource: `npx nx run infra:deploy -- --env <env> --stack <stack> --replace <address>`.
 * ops-cli never imports infra; it finds the Terraform address in this order:
 *
 * 1. `--address` as given;
 * 2. the synthesized stacks (`packages/infra/cdktf.out/stacks/<stack>/cdk.tf.json`): the `azurerm_container_app`
 *    (or `azurerm_container_app_job`) resource whose `name` is the app, which also gives the stack;
 * 3. the construct ID contract (house style rule 11): the app's construct is `<path>/Resource` with `<path>`
 *    from `CVAT_OPS_APP_CONSTRUCT_PATH` (default `{name}`), in stack `CVAT_OPS_APPS_STACK` (default `apps`); the
 *    logical ID is CDKTF's `makeUniqueId` of that path (human part + `_` + 8 hex digits of its MD5), e.g.
 *    `azurerm_container_app.cvat-server_6E1A3C5B`.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Runtime } from '../../context/runtime';
import { CliError, confirmAction, EXIT } from '@cvat-cloud/runtime';
import type { CommandResult } from '../../output';
import { loadEnvironment } from '../../context/environment';
import { messages } from './messages';
import { resolveComponents } from './names';
import type { AppsDeps, AppsRecreateOptions, SpawnRunner } from './options';

/** Terraform resource types of container apps and jobs (azurerm). */
export const TERRAFORM_TYPES = { containerApp: 'azurerm_container_app', job: 'azurerm_container_app_job' } as const;

/** Where the address came from. */
export type AddressSource = 'option' | 'synth' | 'convention';

/** A resolved Terraform target. */
export interface RecreateTarget {
  stack: string;
  address: string;
  source: AddressSource;
}

/** What `apps recreate --json` prints. */
export interface AppsRecreateData extends RecreateTarget {
  name: string;
  dryRun: boolean;
  /** The command line run (or, with --dry-run, that would run). */
  command: string[];
  cwd: string;
  exitCode?: number | null;
}

/**
 * CDKTF's logical ID of a construct path (cdktf `makeUniqueId`, reimplemented so ops-cli needs no cdktf):
 * `Default` components are dropped, `Resource` is hashed but hidden from the human part, a single component is
 * used as is, otherwise `<human>_<first 8 hex of md5(path joined by '/')>` in upper case.
 */
export function cdktfLogicalId(components: readonly string[]): string {
  const parts = components.filter((c) => c !== 'Default');
  const clean = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '');
  if (parts.length === 1 && clean(parts[0]!).length <= 255) return clean(parts[0]!);
  const hash = createHash('md5').update(parts.join('/')).digest('hex').slice(0, 8).toUpperCase();
  const human: string[] = [];
  for (const c of parts) if (human.length === 0 || !human[human.length - 1]!.endsWith(c)) human.push(c);
  return `${human.filter((c) => c !== 'Resource').map(clean).join('_').slice(0, 240)}_${hash}`;
}

/** Finds the repository root (the directory holding nx.json) from `cwd` upwards. */
export function findRepoRoot(cwd: string): string | undefined {
  let dir = cwd;
  for (;;) {
    if (existsSync(join(dir, 'nx.json')) && existsSync(join(dir, 'packages'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Looks for the app in synthesized stacks: `{ stack, address }` of the resource whose `name` is `name`. */
export function findInSynth(repoRoot: string, name: string, type: string): { stack: string; address: string } | undefined {
  const stacksDir = join(repoRoot, 'packages', 'infra', 'cdktf.out', 'stacks');
  if (!existsSync(stacksDir)) return undefined;
  for (const stack of readdirSync(stacksDir).sort()) {
    const file = join(stacksDir, stack, 'cdk.tf.json');
    if (!existsSync(file)) continue;
    let json: { resource?: Record<string, Record<string, { name?: unknown }>> };
    try {
      json = JSON.parse(readFileSync(file, 'utf8')) as typeof json;
    } catch {
      continue;
    }
    for (const [logicalId, resource] of Object.entries(json.resource?.[type] ?? {})) {
      if (resource.name === name) return { stack, address: `${type}.${logicalId}` };
    }
  }
  return undefined;
}

/** Resolves the stack and address for `name` (see the module comment for the order). */
export function resolveRecreateTarget(
  name: string,
  resource: 'containerApp' | 'job',
  options: { address?: string; repoRoot?: string; env: Readonly<Record<string, string | undefined>> },
): RecreateTarget {
  const stack = options.env.CVAT_OPS_APPS_STACK || 'apps';
  const type = TERRAFORM_TYPES[resource];
  if (options.address) return { stack, address: options.address, source: 'option' };
  const synth = options.repoRoot ? findInSynth(options.repoRoot, name, type) : undefined;
  if (synth) return { ...synth, source: 'synth' };
  const path = (options.env.CVAT_OPS_APP_CONSTRUCT_PATH || '{name}').replaceAll('{name}', name).split('/').filter(Boolean);
  return { stack, address: `${type}.${cdktfLogicalId([...path, 'Resource'])}`, source: 'convention' };
}

const spawnRunner: SpawnRunner = (command, args, options) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env as NodeJS.ProcessEnv, stdio: ['inherit', 'pipe', 'pipe'] });
    // The deploy's own output is progress for a person: keep it off our stdout (which may carry --json).
    child.stdout?.pipe(process.stderr, { end: false });
    child.stderr?.pipe(process.stderr, { end: false });
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });

/** Runs `cvat-ops apps recreate`. */
export async function appsRecreate(options: AppsRecreateOptions, runtime: Runtime, deps: AppsDeps = {}): Promise<CommandResult<AppsRecreateData>> {
  if (!options.env) throw new CliError(EXIT.USAGE, messages.recreateNeedsEnv);
  // The deploy resolves subscription and resource group itself; only the catalogue is needed here.
  const { catalogue } = loadEnvironment(options, runtime, 'cvat-ops apps recreate');
  const [component] = resolveComponents(catalogue, [options.name], 'cvat-ops apps recreate');
  const resource = component!.role === 'job' ? 'job' : 'containerApp';
  const repoRoot = findRepoRoot(runtime.cwd);
  const target = resolveRecreateTarget(options.name, resource, { ...(options.address ? { address: options.address } : {}), ...(repoRoot ? { repoRoot } : {}), env: runtime.env });
  const command = ['npx', 'nx', 'run', 'infra:deploy', '--', '--env', options.env, '--stack', target.stack, '--replace', target.address, ...(options.yes ? ['--yes'] : [])];
  const cwd = repoRoot ?? runtime.cwd;
  const sourceNote =
    target.source === 'option'
      ? 'given with --address'
      : target.source === 'synth'
        ? `found in packages/infra/cdktf.out/stacks/${target.stack}/cdk.tf.json`
        : `derived from the construct ID contract (no synthesized stack found; run 'npx nx run infra:synth' to check it)`;
  const base = { name: options.name, ...target, dryRun: options.dryRun, command, cwd };
  const view = (exitCode?: number | null): CommandResult<AppsRecreateData>['view'] => [
    { kind: 'fields', title: messages.recreateTitle(options.dryRun), fields: [['app', options.name], ['stack', target.stack], ['address', target.address], ['command', command.join(' ')], ['cwd', cwd], ...(exitCode !== undefined ? ([['exit code', exitCode]] as [string, unknown][]) : [])] },
    { kind: 'lines', lines: [messages.recreateAddressNote(sourceNote)] },
  ];
  if (options.dryRun) return { data: base, view: view() };

  await confirmAction({
    action: messages.recreateAction(options.name, target.address),
    items: [command.join(' ')],
    yes: options.yes,
    rerun: `cvat-ops apps recreate ${options.name} --env ${options.env}${options.address ? ` --address '${options.address}'` : ''} --yes`,
    terminal: runtime,
  });
  const exitCode = await (deps.spawn ?? spawnRunner)(command[0]!, command.slice(1), { cwd, env: { ...runtime.env } });
  if (exitCode !== 0) throw new CliError(EXIT.FAILED, messages.recreateFailed(exitCode, command.join(' ')), { data: { ...base, exitCode } });
  const result = view(exitCode);
  result.push({ kind: 'lines', lines: [messages.recreateDone(options.name, `--env ${options.env}`)] });
  return { data: { ...base, exitCode }, view: result };
}

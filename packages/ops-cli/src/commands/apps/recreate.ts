/**
 * `cvat-ops apps recreate NAME`: the reference guide's `terraform apply -replace=<address>`, run through the infra
 * deploy machinery for one resource: `npx nx run infra:deploy -- --env <env> --stack <stack> --replace <address>`.
 * ops-cli never imports infra and knows nothing of how cdktf names resources; the address comes from
 *
 * 1. `--address` as given, or
 * 2. the synth index synth writes next to the stacks (`cvat-index.json` in `packages/infra/cdktf.out`, or in
 *    `CVAT_OPS_SYNTH_DIR`; format `SynthIndex` of the catalogue): the component's stack and Terraform address, as
 *    long as the index was written for this environment.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CatalogueError, parseSynthIndex, SYNTH_INDEX_FILE, type SynthIndex } from '@cvat-cloud/catalogue';
import type { Runtime } from '../../context/runtime';
import { CliError, confirmAction, EXIT, formatCommand } from '@cvat-cloud/runtime';
import type { CommandResult } from '../../output';
import { loadEnvironment } from '../../context/environment';
import { messages } from './messages';
import { resolveComponents } from './names';
import type { AppsDeps, AppsRecreateOptions, SpawnRunner } from './options';

/** Terraform resource types of container apps and jobs (azurerm). */
export const TERRAFORM_TYPES = { containerApp: 'azurerm_container_app', job: 'azurerm_container_app_job' } as const;

/** Where the address came from. */
export type AddressSource = 'option' | 'synth-index';

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

/** The synth output directory: `CVAT_OPS_SYNTH_DIR`, else `packages/infra/cdktf.out` of the repository. */
export function synthDir(repoRoot: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.CVAT_OPS_SYNTH_DIR) return env.CVAT_OPS_SYNTH_DIR;
  return repoRoot ? join(repoRoot, 'packages', 'infra', 'cdktf.out') : undefined;
}

/**
 * Reads the synth index of a synth output directory.
 * @throws CliError NOT_FOUND when there is none, CONFIG when it is not a synth index
 */
export function readSynthIndex(dir: string, envName: string): SynthIndex {
  const file = join(dir, SYNTH_INDEX_FILE);
  const synth = `npx nx run infra:synth -- --env ${envName}`;
  if (!existsSync(file)) throw new CliError(EXIT.NOT_FOUND, `No synth index at ${file}: run '${synth}' first, or pass --address.`);
  try {
    return parseSynthIndex(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    const why = e instanceof CatalogueError || e instanceof SyntaxError ? e.message : String(e);
    throw new CliError(EXIT.CONFIG, `${file} is not a synth index (${why}): run '${synth}' again, or pass --address.`);
  }
}

/**
 * Resolves the stack and address of one component: `--address` as given (stack `apps`), else its entry in the
 * synth index, which must have been written for `environment` and hold a resource of the expected type.
 * @throws CliError CONFIG when the index is for another environment or disagrees, NOT_FOUND when it lacks the app
 */
export function resolveRecreateTarget(
  name: string,
  resource: 'containerApp' | 'job',
  options: { address?: string; environment: string; index?: () => SynthIndex },
): RecreateTarget {
  if (options.address) return { stack: 'apps', address: options.address, source: 'option' };
  if (!options.index) throw new CliError(EXIT.NOT_FOUND, `No repository or CVAT_OPS_SYNTH_DIR to find the synth index in: pass --address.`);
  const index = options.index();
  const synth = `npx nx run infra:synth -- --env ${options.environment}`;
  if (index.environment !== options.environment) {
    throw new CliError(
      EXIT.CONFIG,
      `The synth index is for environment '${index.environment}', not '${options.environment}': run '${synth}' first.`,
    );
  }
  const entry = index.components[name];
  if (!entry)
    throw new CliError(EXIT.NOT_FOUND, `The synth index of '${options.environment}' has no resource for '${name}': run '${synth}' again.`);
  const type = TERRAFORM_TYPES[resource];
  if (entry.resourceType !== type) {
    throw new CliError(EXIT.CONFIG, `The synth index gives '${name}' a ${entry.resourceType}, expected a ${type}: run '${synth}' again.`);
  }
  return { stack: entry.stack, address: entry.address, source: 'synth-index' };
}

const spawnRunner: SpawnRunner = (command, args, options) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv,
      stdio: ['inherit', 'pipe', 'pipe'],
    });
    // The deploy's own output is progress for a person: keep it off our stdout (which may carry --json).
    child.stdout?.pipe(process.stderr, { end: false });
    child.stderr?.pipe(process.stderr, { end: false });
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });

/** Runs `cvat-ops apps recreate`. */
export async function appsRecreate(
  options: AppsRecreateOptions,
  runtime: Runtime,
  deps: AppsDeps = {},
): Promise<CommandResult<AppsRecreateData>> {
  if (!options.env) throw new CliError(EXIT.USAGE, messages.recreateNeedsEnv);
  // The deploy resolves subscription and resource group itself; only the catalogue is needed here.
  const { catalogue, config } = loadEnvironment(options, runtime, 'cvat-ops apps recreate');
  const [component] = resolveComponents(catalogue, [options.name], 'cvat-ops apps recreate');
  const resource = component!.role === 'job' ? 'job' : 'containerApp';
  const repoRoot = findRepoRoot(runtime.cwd);
  const dir = synthDir(repoRoot, runtime.env);
  const target = resolveRecreateTarget(options.name, resource, {
    ...(options.address ? { address: options.address } : {}),
    environment: config.name,
    ...(dir ? { index: () => readSynthIndex(dir, options.env as string) } : {}),
  });
  const command = [
    'npx',
    'nx',
    'run',
    'infra:deploy',
    '--',
    '--env',
    options.env,
    '--stack',
    target.stack,
    '--replace',
    target.address,
    ...(options.yes ? ['--yes'] : []),
  ];
  const cwd = repoRoot ?? runtime.cwd;
  const sourceNote = target.source === 'option' ? 'given with --address' : `from the synth index in ${dir}`;
  const base = { name: options.name, ...target, dryRun: options.dryRun, command, cwd };
  const view = (exitCode?: number | null): CommandResult<AppsRecreateData>['view'] => [
    {
      kind: 'fields',
      title: messages.recreateTitle(options.dryRun),
      fields: [
        ['app', options.name],
        ['stack', target.stack],
        ['address', target.address],
        ['command', formatCommand(command)],
        ['cwd', cwd],
        ...(exitCode !== undefined ? ([['exit code', exitCode]] as [string, unknown][]) : []),
      ],
    },
    { kind: 'lines', lines: [messages.recreateAddressNote(sourceNote)] },
  ];
  if (options.dryRun) return { data: base, view: view() };

  await confirmAction({
    action: messages.recreateAction(options.name, target.address),
    items: [formatCommand(command)],
    yes: options.yes,
    rerun: formatCommand([
      'cvat-ops',
      'apps',
      'recreate',
      options.name,
      '--env',
      options.env,
      ...(options.address ? ['--address', options.address] : []),
      '--yes',
    ]),
    terminal: runtime,
  });
  const exitCode = await (deps.spawn ?? spawnRunner)(command[0]!, command.slice(1), { cwd, env: { ...runtime.env } });
  if (exitCode !== 0)
    throw new CliError(EXIT.FAILED, messages.recreateFailed(exitCode, formatCommand(command)), { data: { ...base, exitCode } });
  const result = view(exitCode);
  result.push({ kind: 'lines', lines: [messages.recreateDone(options.name, `--env ${options.env}`)] });
  return { data: { ...base, exitCode }, view: result };
}

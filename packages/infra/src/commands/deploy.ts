/**
 * `cvat-infra deploy|plan|destroy|state-bootstrap|providers-lock`: drives terraform over the synthesized stacks of one
 * environment.
 *
 * Order of a deploy: the environment; the terraform binary; Azure credentials and the subscription (nothing else
 * happens without them); the synth output (re-synthesized when missing, stale or for another environment); backend
 * and state-ownership checks; preflight (once per synth output, see {@link preflightOnce}); the shared provider plugin
 * cache, each stack's real dependencies (the stacks whose state it reads) and its apply parallelism; then the
 * orchestrator runs init/plan/confirm/apply per stack, independent stacks side by side, and the init-job and superuser
 * steps as soon as the apps stack's job exists (../deploy/init-steps); last, the CVAT URL, admin user and password
 * location.
 * The saved plan files (they hold secrets) are removed on every exit path (../deploy/plan-files).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import type { EnvironmentConfig, Catalogue } from '@cvat-cloud/catalogue';
import { parseSynthIndex, resourceNames, SYNTH_INDEX_FILE } from '@cvat-cloud/catalogue';
import {
  EXIT,
  confirmationPolicy,
  createAzureCredential,
  credentialsMissingMessage,
  detectAzureCredential,
  readAzureCliProfile,
  resolveSubscriptionId,
  terminalConfirmer,
  terraformAuthEnv,
} from '@cvat-cloud/runtime';
import { DEFAULT_OUTDIR, INFRA_ROOT } from '../app';
import { accessInfo, formatAccess } from '../deploy/access';
import { DEFAULT_LOCK_PLATFORMS, type DeployArgs } from '../deploy/args';
import { DeployError } from '../deploy/errors';
import type { InitJobClient } from '../deploy/init-job';
import { initSteps } from '../deploy/init-steps';
import { formatKeyVaultDestroyNotes, keyVaultDestroyBehaviour } from '../deploy/key-vault';
import {
  describeBackend,
  formatBackend,
  loadManifest,
  type Manifest,
  orderStacks,
  readStackJson,
  type StackJson,
  selectStacks,
  stateReadDependencies,
} from '../deploy/manifest';
import { extractTerraformError, type RunReport, runOrchestrator } from '../deploy/orchestrator';
import { type ParallelismChoice, sizeParallelism } from '../deploy/parallelism';
import { acquireCacheLock, formatPluginCache, LOCK_FILE, providerLockStore, resolvePluginCache } from '../deploy/providers';
import { formatElapsed } from '../deploy/scheduling';
import { guardPlanFiles, planFilePath, removePlanFiles, removeStalePlanFiles } from '../deploy/plan-files';
import { createAzRunner, runStateBootstrap } from '../deploy/state-bootstrap';
import { checkStatePolicy } from '../deploy/state-policy';
import { createTerraformRunner, findBinary, type TerraformRunner } from '../deploy/terraform';
import type { PreflightRequest } from '../preflight/preflight';
import { defaultStateRoot, initJobRecordFile, localStateDir } from '../state-paths';
import { type CommandResult, type InfraEnvironment, type InfraIo, loadInfraEnvironment, printWarnings } from './context';

type Env = Readonly<Record<string, string | undefined>>;

/** The credential and subscription a run uses. */
export interface AzureAuth {
  readonly subscriptionId: string;
  /** Where the subscription came from. */
  readonly source: string;
  /** e.g. `ARM_CLIENT_ID + ARM_TENANT_ID + ARM_CLIENT_SECRET`. */
  readonly detail: string;
  /** The `@azure/identity` credential of the same principal terraform uses (built on first use). */
  readonly credential: () => Promise<TokenCredential>;
}

/**
 * Credentials, then the subscription, through the runtime's one resolution (AUTH, exit 5, when missing; the
 * subscription in `--subscription`, the environment file and ARM_/AZURE_SUBSCRIPTION_ID must agree).
 */
export function resolveAzureAuth(env: Env, loaded: InfraEnvironment, log: (line: string) => void, flag?: string): AzureAuth {
  const profile = readAzureCliProfile(env);
  const found = detectAzureCredential(env, profile);
  for (const w of found.warnings) log(w);
  if (!found.ok) throw new DeployError('CREDENTIALS_MISSING', credentialsMissingMessage(found.problems), { hint: 'az login' });
  const { subscriptionId, source } = resolveSubscriptionId({
    ...(flag !== undefined ? { flag } : {}),
    ...(loaded.config.subscriptionId !== undefined ? { config: loaded.config.subscriptionId } : {}),
    configSource: loaded.source,
    env,
    profile,
  });
  let credential: Promise<TokenCredential> | undefined;
  return {
    subscriptionId,
    source,
    detail: found.credential.detail,
    credential: () => (credential ??= createAzureCredential(env, { detected: found.credential })),
  };
}

/** Names of the resource groups a manifest's stacks create (to tell which environment a synth output is for). */
function synthesizedResourceGroups(manifest: Manifest): string[] {
  const names: string[] = [];
  for (const stack of manifest.stacks) {
    for (const rg of Object.values(readStackJson(stack).resource?.azurerm_resource_group ?? {}))
      if (typeof rg.name === 'string') names.push(rg.name);
  }
  return names;
}

/**
 * Checks that the synth output was synthesized for this environment and is newer than its config file; otherwise
 * synthesizes it (in-process).
 */
export async function ensureSynthesized(
  outDir: string,
  loaded: InfraEnvironment,
  envRef: string,
  io: Pick<InfraIo, 'cwd' | 'synth'>,
  log: (l: string) => void,
): Promise<Manifest> {
  const { config } = loaded;
  const expected = resourceNames(config).resourceGroup;
  let reason: string | undefined;
  if (!existsSync(join(outDir, 'manifest.json'))) reason = 'there is no synth output yet';
  else {
    const groups = synthesizedResourceGroups(loadManifest(outDir));
    if (groups.length && !groups.includes(expected)) reason = `it was synthesized for resource group ${groups.join(', ')}, not ${expected}`;
    else if (existsSync(loaded.file) && statSync(loaded.file).mtimeMs > statSync(join(outDir, 'manifest.json')).mtimeMs) {
      reason = `${relative(io.cwd, loaded.file)} changed after the last synth`;
    }
  }
  if (reason) {
    log(`synth: ${reason}; synthesizing environment '${config.name}' into ${relative(io.cwd, outDir) || outDir}`);
    const synth =
      io.synth ??
      (async (env: string, dir: string) => {
        // Loaded only when needed: it pulls in cdktf and the provider bindings.
        const { runSynth } = await import('./synth.js');
        await runSynth({ env, outdir: dir, cwd: io.cwd, force: false, warn: log });
      });
    await synth(loaded.isPath ? loaded.file : envRef, outDir);
  }
  return loadManifest(outDir);
}

/** Names of the resource groups recorded in a local state file; `undefined` when it is unreadable. */
function stateResourceGroups(path: string): string[] | undefined {
  let state: { resources?: Array<{ type?: string; instances?: Array<{ attributes?: { name?: string } }> }> };
  try {
    state = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  return (state.resources ?? [])
    .filter((r) => r.type === 'azurerm_resource_group')
    .flatMap((r) => r.instances ?? [])
    .map((i) => i.attributes?.name)
    .filter((g): g is string => typeof g === 'string');
}

/**
 * Refuses a local state file that belongs to another environment (its resource group differs), which would
 * otherwise plan to replace everything.
 */
function checkLocalStateOwnership(manifest: Manifest, environment: string, expectedResourceGroup: string): void {
  for (const stack of manifest.stacks) {
    const backend = describeBackend(stack, readStackJson(stack));
    if (backend.type !== 'local' || !existsSync(backend.path)) continue;
    const groups = stateResourceGroups(backend.path);
    if (!groups) continue;
    const foreign = groups.filter((g) => g !== expectedResourceGroup);
    if (foreign.length) {
      throw new DeployError(
        'BAD_INPUT',
        `${backend.path} holds the state of resource group ${foreign.join(', ')}, ` +
          `not ${expectedResourceGroup}: it belongs to another environment. ` +
          `Each environment keeps its state in its own directory ` +
          `(<stateBackend.path>/${environment}); move this file to the environment it belongs to, ` +
          'or use an azurerm backend. Nothing was changed.',
      );
    }
  }
}

/** How long a passed preflight stands for the same synth output and subscription. */
export const PREFLIGHT_VALID_MS = 60 * 60_000;

/** What a passed preflight leaves behind: `<stateRoot>/<env>/preflight.json`. */
export interface PreflightMarker {
  readonly environment: string;
  /** sha256 of the synthesized stacks (names and `cdk.tf.json` contents). */
  readonly synthHash: string;
  readonly subscriptionId: string;
  /** ISO time the checks passed. */
  readonly passedAt: string;
}

/** sha256 over the synthesized stacks, in name order: the same synth output gives the same hash. */
export function synthHash(manifest: Manifest): string {
  const hash = createHash('sha256');
  for (const stack of [...manifest.stacks].sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(`${stack.name}\0`);
    hash.update(readFileSync(stack.synthesizedStackPath));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function readMarker(path: string): PreflightMarker | undefined {
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Partial<PreflightMarker>;
    return typeof m.synthHash === 'string' && typeof m.passedAt === 'string' && typeof m.subscriptionId === 'string'
      ? (m as PreflightMarker)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs preflight before the first plan of a deploy, once per synth output: `nx run-many -t deploy:apps deploy:edge`
 * runs `deploy --stack foundation`, `--stack apps` and `--stack edge` as three processes, and each would check the
 * same subscription for the same stacks. A pass is recorded next to the environment's state
 * (`<stateRoot>/<env>/preflight.json`, keyed by the environment, the hash of the synthesized stacks and the
 * subscription); a later deploy within {@link PREFLIGHT_VALID_MS} of the same synth output and subscription skips
 * the checks with a notice. A different synth (any change to any stack), another subscription, an hour gone by, or
 * `--preflight-again` runs them again. A marker keyed by content — not "only the first stack runs it" — keeps a lone
 * `deploy --stack apps` checked, and never trusts a check made for other stacks.
 */
async function preflightOnce(
  args: DeployArgs,
  io: InfraIo,
  ctx: {
    config: EnvironmentConfig;
    catalogue: Catalogue;
    manifest: Manifest;
    stacks: readonly StackJson[];
    auth?: AzureAuth;
    stateRoot: string;
    log: (l: string) => void;
  },
): Promise<{ status: 'passed' | 'skipped' | 'reused'; reason: string }> {
  const { config, log } = ctx;
  if (args.skipPreflight) {
    log(
      'preflight: WARNING: skipped (--skip-preflight); provider registrations, global names, SKUs, ' +
        'quota and the deployer address are not checked, so such a problem surfaces as a failed apply',
    );
    return { status: 'skipped', reason: '--skip-preflight' };
  }
  if (!ctx.auth) {
    log('preflight: skipped (--skip-credential-check): the checks need Azure credentials');
    return { status: 'skipped', reason: '--skip-credential-check' };
  }
  const markerFile = join(localStateDir(ctx.stateRoot, config.name), 'preflight.json');
  const hash = synthHash(ctx.manifest);
  const marker = readMarker(markerFile);
  const age = marker ? Date.now() - Date.parse(marker.passedAt) : Number.POSITIVE_INFINITY;
  const explicitAddress = args.deployerIp !== undefined || args.detectIp;
  if (
    !args.preflightAgain &&
    !explicitAddress &&
    marker &&
    marker.synthHash === hash &&
    marker.subscriptionId === ctx.auth.subscriptionId &&
    age >= 0 &&
    age < PREFLIGHT_VALID_MS
  ) {
    const where = relative(io.cwd, markerFile);
    const minutes = Math.round(age / 60_000);
    const reason = `passed ${minutes} min ago for this synth output and subscription (${where}); --preflight-again checks again`;
    log(`preflight: not run again, ${reason}`);
    return { status: 'reused', reason };
  }
  // Loaded only for a deploy: the checks pull in the ARM SDK clients on first use.
  const run = io.preflight ?? (await import('../preflight/preflight.js')).preflight;
  const credential = io.preflightEndpoints?.credential ?? (await ctx.auth.credential());
  const request: PreflightRequest = {
    config,
    catalogue: ctx.catalogue,
    stacks: ctx.stacks,
    subscriptionId: ctx.auth.subscriptionId,
    credential,
    ...(args.deployerIp !== undefined ? { deployerIp: args.deployerIp } : {}),
    detectIp: args.detectIp,
    log,
    ...(io.preflightEndpoints?.armEndpoint !== undefined ? { armEndpoint: io.preflightEndpoints.armEndpoint } : {}),
    ...(io.preflightEndpoints?.ipEchoUrl !== undefined ? { ipEchoUrl: io.preflightEndpoints.ipEchoUrl } : {}),
    ...(io.preflightEndpoints?.maxRetries !== undefined ? { maxRetries: io.preflightEndpoints.maxRetries } : {}),
  };
  const report = await run(request);
  const failed = report.checks.filter((c) => c.status === 'fail');
  log(`preflight: ${report.counts.pass} passed, ${report.counts.fail} failed, ${report.counts.skip} skipped`);
  if (failed.length) {
    throw new DeployError(
      'PREFLIGHT_FAILED',
      `preflight: ${failed.length} check${failed.length === 1 ? '' : 's'} failed, so nothing was planned or changed:\n` +
        failed.map((c) => `  - ${c.id}: ${c.detail}\n    fix: ${c.fix ?? 'see above'}`).join('\n') +
        `\nFix and rerun (cvat-infra preflight --env ${config.name} checks without deploying); --skip-preflight deploys anyway.`,
    );
  }
  try {
    mkdirSync(dirname(markerFile), { recursive: true });
    const value: PreflightMarker = {
      environment: config.name,
      synthHash: hash,
      subscriptionId: ctx.auth.subscriptionId,
      passedAt: new Date().toISOString(),
    };
    writeFileSync(markerFile, `${JSON.stringify(value, null, 2)}\n`);
  } catch (error) {
    log(`preflight: could not record the pass in ${markerFile} (${(error as Error).message}); the next stack checks again`);
  }
  return { status: 'passed', reason: `${report.counts.pass} passed, ${report.counts.skip} skipped` };
}

function formatRun(run: RunReport): string[] {
  const lines = [`${run.command} ${run.ok ? 'finished' : 'stopped'} after ${formatElapsed(run.wallMs)}:`];
  const window = (started?: number, finished?: number) =>
    started === undefined ? '' : ` (${formatElapsed(started)} → ${formatElapsed(finished ?? started)} into the run)`;
  for (const s of run.stacks) {
    const retries = s.retries.length
      ? `, ${s.retries.length} retr${s.retries.length === 1 ? 'y' : 'ies'} (${[...new Set(s.retries.map((r) => r.reason))].join(', ')})`
      : '';
    lines.push(
      `  ${s.name.padEnd(12)} ${s.status.padEnd(12)} ${formatElapsed(s.durationMs).padStart(7)}${window(s.startedAtMs, s.finishedAtMs)}${retries}`,
    );
  }
  for (const step of run.steps) {
    const detail = step.detail as { executionName?: string; status?: string } | undefined;
    const execution = detail?.executionName ? ` (${detail.executionName}: ${detail.status})` : '';
    lines.push(
      `  ${step.name.padEnd(12)} ${step.status.padEnd(12)} ${formatElapsed(step.durationMs).padStart(7)}` +
        `${window(step.startedAtMs, step.finishedAtMs)}${execution}` +
        (step.reason ? ` — ${step.reason}` : ''),
    );
  }
  return lines;
}

async function stateBootstrap(args: DeployArgs, io: InfraIo, loaded: InfraEnvironment, log: (l: string) => void): Promise<CommandResult> {
  const { config } = loaded;
  if (config.stateBackend.type !== 'azurerm') {
    log(`state-bootstrap: environment '${config.name}' keeps its state in local files (stateBackend.type: local); nothing to create.`);
    return { data: { command: 'state-bootstrap', dryRun: args.dryRun, actions: [] }, text: '' };
  }
  const az = findBinary('az', io.env as NodeJS.ProcessEnv);
  if (!az) throw new DeployError('BINARY_MISSING', 'state-bootstrap needs the Azure CLI (`az`) on PATH; nothing was changed');
  const profile = readAzureCliProfile(io.env);
  if (!profile.loggedIn) {
    throw new DeployError(
      'CREDENTIALS_MISSING',
      `state-bootstrap uses the Azure CLI, which is not logged in (${profile.path}): run \`az login\`. Nothing was changed.`,
    );
  }
  const { subscriptionId } = resolveSubscriptionId({
    ...(config.subscriptionId !== undefined ? { config: config.subscriptionId } : {}),
    configSource: loaded.source,
    env: io.env,
    profile,
  });
  const actions = await runStateBootstrap({
    backend: config.stateBackend,
    location: config.location,
    subscriptionId,
    az: createAzRunner(az, io.env as NodeJS.ProcessEnv),
    log,
    dryRun: args.dryRun,
    allowedCidrs: config.adminCidrs,
  });
  return { data: { command: 'state-bootstrap', dryRun: args.dryRun, actions }, text: '' };
}

/**
 * `cvat-infra providers-lock`: for each stack, `terraform providers lock -platform=…` (from the registry, or the given
 * mirror) on top of the committed lock, written back to `packages/infra/terraform-locks/<stack>.terraform.lock.hcl`.
 * Needs no Azure credentials and touches no state.
 *
 * @see https://developer.hashicorp.com/terraform/cli/commands/providers/lock
 */
async function providersLock(
  args: DeployArgs,
  io: InfraIo,
  loaded: InfraEnvironment,
  binary: string,
  log: (l: string) => void,
): Promise<CommandResult> {
  const outDir = args.outDir ? resolve(io.cwd, args.outDir) : DEFAULT_OUTDIR;
  const manifest = await ensureSynthesized(outDir, loaded, args.env, io, log);
  const lockDir = args.lockDir ? resolve(io.cwd, args.lockDir) : join(INFRA_ROOT, 'terraform-locks');
  const platforms = args.platforms?.length ? args.platforms : DEFAULT_LOCK_PLATFORMS;
  const pluginCache = resolvePluginCache(io.env, io.env.HOME || homedir());
  const runner = createTerraformRunner(binary, { ...io.env, ...pluginCache.env });
  const stacks = selectStacks(orderStacks(manifest.stacks), args.stacks);
  const mirror = args.netMirror ? [`-net-mirror=${args.netMirror}`] : args.fsMirror ? [`-fs-mirror=${resolve(io.cwd, args.fsMirror)}`] : [];
  log(
    `providers-lock: ${stacks.length} stack(s), platforms ${platforms.join(', ')}${mirror.length ? ` from ${mirror[0]!.split('=')[1]}` : ''}`,
  );
  const written: Array<{ stack: string; lockFile: string; providers: string[] }> = [];
  for (const stack of stacks) {
    const committed = join(lockDir, `${stack.name}${LOCK_FILE}`);
    const target = join(stack.workingDirectory, LOCK_FILE);
    if (existsSync(committed)) writeFileSync(target, readFileSync(committed));
    const result = await runner.run(['providers', 'lock', ...platforms.map((p) => `-platform=${p}`), ...mirror], {
      cwd: stack.workingDirectory,
      onStderr: (l) => log(`[${stack.name}] ${l}`),
      ...(args.verbose ? { onStdout: (l: string) => log(`[${stack.name}] ${l}`) } : {}),
    });
    if (result.exitCode !== 0) {
      throw new DeployError(
        'STEP_FAILED',
        `providers-lock stopped at stack '${stack.name}': ${extractTerraformError(result.stderr) || `exit code ${result.exitCode}`}\n` +
          `locks written so far: ${written.length ? written.map((w) => w.stack).join(', ') : 'none'}. ` +
          'Without registry access, point --net-mirror or --fs-mirror at a mirror (docs/deploy.md, "Providers").',
        { stackName: stack.name, step: 'providers lock' },
      );
    }
    if (!existsSync(target)) {
      log(`[${stack.name}] no provider to lock (only built-in providers)`);
      continue;
    }
    const text = readFileSync(target, 'utf8');
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(committed, text);
    const providers = [...text.matchAll(/^provider "([^"]+)"/gm)].map((m) => m[1]!);
    written.push({ stack: stack.name, lockFile: relative(io.cwd, committed), providers });
    log(`[${stack.name}] ${relative(io.cwd, committed)}: ${providers.join(', ')} for ${platforms.length} platform(s)`);
  }
  if (written.length) log(`providers-lock: commit ${written.map((w) => w.lockFile).join(', ')}`);
  return { data: { command: 'providers-lock', platforms, stacks: written }, text: '' };
}

/** The cvat-init job's Terraform address, from the synth index next to the manifest; undefined when unreadable. */
function initJobAddress(outDir: string): string | undefined {
  try {
    const entry = parseSynthIndex(JSON.parse(readFileSync(join(outDir, SYNTH_INDEX_FILE), 'utf8'))).components['cvat-init'];
    return entry?.stack === 'apps' ? entry.address : undefined;
  } catch {
    return undefined;
  }
}

/** `cvat-infra deploy|plan|destroy|state-bootstrap`. */
export async function deployCommand(args: DeployArgs, io: InfraIo): Promise<CommandResult> {
  const log = (line: string) => io.err(`${line}\n`);
  const loaded = await loadInfraEnvironment(args.env, io, `cvat-infra plan --env ${args.env}`);
  printWarnings(loaded, io);
  const { config, catalogue } = loaded;
  const names = resourceNames(config);
  if (args.command === 'state-bootstrap') return stateBootstrap(args, io, loaded, log);
  // Where the state may live, before anything runs (plan and destroy work on whatever exists).
  if (args.command === 'deploy') {
    const statePolicy = checkStatePolicy({
      environment: config.name,
      backendType: config.stateBackend.type,
      allowLocalState: args.allowLocalState ?? false,
    });
    if (!statePolicy.allowed) throw new DeployError('BAD_INPUT', statePolicy.message);
    if (statePolicy.warning) log(`warning: ${statePolicy.warning}`);
  }

  // Preconditions first: nothing (not even a synth) happens when one is missing.
  const binary = findBinary(args.binary, io.env as NodeJS.ProcessEnv, io.cwd);
  if (!binary) {
    throw new DeployError(
      'BINARY_MISSING',
      `'${args.binary}' was not found${args.binary.includes('/') ? '' : ' on PATH'}: install ` +
        `Terraform ≥ 1.5 or OpenTofu, or point --binary / TF_BINARY at it. Nothing was changed.`,
    );
  }
  if (args.command === 'providers-lock') return providersLock(args, io, loaded, binary, log);
  const childEnv: NodeJS.ProcessEnv = { ...io.env };
  let auth: AzureAuth | undefined;
  let initClient: (() => Promise<InitJobClient>) | undefined;
  if (!args.skipCredentialCheck) {
    const a = resolveAzureAuth(io.env, loaded, log);
    auth = a;
    Object.assign(childEnv, terraformAuthEnv(io.env), { ARM_SUBSCRIPTION_ID: a.subscriptionId });
    log(`azure: ${a.detail}; subscription ${a.subscriptionId} (${a.source})`);
    if (args.command === 'deploy' && !args.skipInitJob) {
      let client: Promise<InitJobClient> | undefined;
      // Built on first use: the SDK is only needed when a job actually runs.
      initClient = () =>
        (client ??= io.initJobClient
          ? Promise.resolve(io.initJobClient)
          : (async () => {
              const { ContainerAppsAPIClient } = await import('@azure/arm-appcontainers');
              return new ContainerAppsAPIClient(await a.credential(), a.subscriptionId);
            })());
    }
  } else {
    log('azure: credential and subscription checks skipped (--skip-credential-check); the init job is skipped too');
  }

  const outDir = args.outDir ? resolve(io.cwd, args.outDir) : DEFAULT_OUTDIR;
  const manifest = await ensureSynthesized(outDir, loaded, args.env, io, log);
  const stackJsons = new Map(manifest.stacks.map((s) => [s.name, readStackJson(s)]));
  for (const s of orderStacks(manifest.stacks)) {
    const backend = describeBackend(s, stackJsons.get(s.name)!);
    if (backend.type !== 'none' && backend.type !== config.stateBackend.type && backend.type !== 'other') {
      throw new DeployError(
        'MANIFEST',
        `stack '${s.name}' was synthesized with a ${backend.type} backend, ` +
          `but environment '${config.name}' uses ${config.stateBackend.type}: ` +
          `synthesize again (cvat-infra synth --env ${config.name}). Nothing was changed.`,
      );
    }
    log(`[${s.name}] ${formatBackend(backend)}`);
  }
  checkLocalStateOwnership(manifest, config.name, names.resourceGroup);
  const planFiles = manifest.stacks.map((s) => planFilePath(s.workingDirectory));
  removeStalePlanFiles(planFiles, log);

  const stateRoot = args.stateDir ? resolve(io.cwd, args.stateDir) : defaultStateRoot(config, INFRA_ROOT);
  const preflight =
    args.command === 'deploy'
      ? await preflightOnce(args, io, {
          config,
          catalogue,
          manifest,
          stacks: [...stackJsons.values()],
          ...(auth ? { auth } : {}),
          stateRoot,
          log,
        })
      : undefined;

  // One provider download per machine: the shared plugin cache, and each stack's lock file placed before its init.
  const pluginCache = resolvePluginCache(io.env, io.env.HOME || homedir());
  Object.assign(childEnv, pluginCache.env);
  log(formatPluginCache(pluginCache));
  // What each stack really waits for (the stacks whose state it reads), and how many resources apply may run at once.
  const dependencyInfo = stateReadDependencies(manifest, (s) => stackJsons.get(s.name)!);
  for (const [name, d] of Object.entries(dependencyInfo)) {
    if (args.command !== 'destroy' && d.orderingOnly.length) {
      log(
        `[${name}] waits for ${d.reads.length ? d.reads.join(', ') : 'nothing'}: it reads no output of ` +
          `${d.orderingOnly.join(', ')} (listed in the manifest for ordering only), so it runs beside ${d.orderingOnly.length === 1 ? 'it' : 'them'}`,
      );
    }
  }
  const parallelism = new Map<string, ParallelismChoice>(
    manifest.stacks.map((s) => [s.name, sizeParallelism(stackJsons.get(s.name)!, args.parallelism)]),
  );
  for (const s of orderStacks(manifest.stacks)) {
    const p = parallelism.get(s.name)!;
    log(
      `[${s.name}] parallelism ${p.value} (${p.source === 'flag' ? '--parallelism' : 'sized'}: ` +
        `${p.independent} of ${p.resources} resources can be created at once)`,
    );
  }

  const runner: TerraformRunner = createTerraformRunner(binary, childEnv);
  const version = await runner.run(['version', '-json'], { cwd: io.cwd });
  if (version.exitCode !== 0)
    throw new DeployError('BINARY_MISSING', `'${binary} version' failed: ${version.stderr.trim()}. Nothing was changed.`);
  try {
    log(`${binary}: version ${(JSON.parse(version.stdout) as { terraform_version?: string }).terraform_version ?? 'unknown'}`);
  } catch {
    log(`${binary}: ${version.stdout.split('\n')[0]}`);
  }
  if (args.command === 'destroy') {
    for (const note of formatKeyVaultDestroyNotes([...stackJsons.values()].flatMap((j) => keyVaultDestroyBehaviour(j)))) log(note);
  }

  const jobAddress = initJobAddress(outDir);
  const steps = initClient
    ? initSteps({
        config,
        catalogue,
        stateFile: initJobRecordFile(stateRoot, config.name),
        client: initClient,
        forceInitJob: args.forceInitJob,
        ensureSuperuser: args.ensureSuperuser,
        ...(jobAddress ? { jobAddress } : {}),
        cwd: io.cwd,
        ...(io.initJobPollIntervalMs !== undefined ? { pollIntervalMs: io.initJobPollIntervalMs } : {}),
        ...(io.sleep ? { sleep: io.sleep } : {}),
      })
    : [];
  // Plan files hold secrets: removed on exit, Ctrl-C, SIGTERM and SIGHUP too (terraform children are stopped first).
  const release = guardPlanFiles(() => planFiles, { onSignal: () => runner.stop?.() });
  let report: RunReport;
  try {
    report = await runOrchestrator({
      command: args.command as 'deploy' | 'plan' | 'destroy',
      manifest,
      only: args.stacks,
      replace: args.replace,
      runner,
      confirmation: confirmationPolicy({ yes: args.yes, isTTY: io.stdinIsTTY, env: io.env, ciMeansYes: true }),
      confirmer: io.confirmer ?? terminalConfirmer({ stdin: process.stdin, stderr: process.stderr, isTTY: io.stdinIsTTY }),
      log,
      ...(io.sleep ? { sleep: io.sleep } : {}),
      lockTimeoutSeconds: args.lockTimeoutSeconds,
      allowDataLoss: args.allowDataLoss,
      dryRun: args.dryRun,
      verbose: args.verbose,
      steps,
      dependencies: Object.fromEntries(Object.entries(dependencyInfo).map(([name, d]) => [name, d.reads])),
      parallelism: (s) => parallelism.get(s.name)?.value,
      providerLocks: {
        ...providerLockStore(join(INFRA_ROOT, 'terraform-locks'), io.cwd),
        ...(pluginCache.dir ? { acquire: (l: (line: string) => void) => acquireCacheLock(pluginCache.dir!, l) } : {}),
      },
    });
  } finally {
    release();
  }
  const left = removePlanFiles(planFiles);
  for (const line of formatRun(report)) log(line);
  const access = args.command === 'deploy' ? accessInfo(config, catalogue) : undefined;
  if (access && report.ok) for (const line of formatAccess(access)) log(line);
  const data = {
    command: report.command,
    ok: report.ok && left.length === 0,
    ...(preflight ? { preflight } : {}),
    wallMs: report.wallMs,
    stacks: report.stacks,
    steps: report.steps,
    dependencies: report.dependencies,
    providers: { pluginCache: pluginCache.dir ?? null, source: pluginCache.source },
    ...(access ? { access } : {}),
    ...(report.failure
      ? {
          failure: {
            code: report.failure.code,
            exitCode: report.failure.exit,
            stack: report.failure.stackName,
            step: report.failure.step,
            message: report.failure.message,
          },
        }
      : {}),
    ...(report.failures
      ? { failures: report.failures.map((f) => ({ code: f.code, exitCode: f.exit, stack: f.stackName, step: f.step, message: f.message })) }
      : {}),
    ...(left.length ? { planFilesLeft: left } : {}),
  };
  if (report.failure) {
    log(`cvat-infra: error: ${report.failure.message}`);
    return { data, text: '', exitCode: report.failure.exit };
  }
  if (left.length) {
    log(
      `cvat-infra: error: ${args.command} finished, but these plan files (they hold ` +
        `secrets) could not be removed: ${left.join(', ')}; delete them by hand.`,
    );
    return { data, text: '', exitCode: new DeployError('PARTIAL', 'plan files left').exit };
  }
  return { data, text: '', exitCode: EXIT.OK };
}

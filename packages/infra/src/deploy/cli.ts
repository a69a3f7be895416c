#!/usr/bin/env node
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { type Catalogue, type EnvironmentConfig, findComponent, findRepoRoot, formatIssues, loadEnvironmentConfig, resolveCatalogue, resourceNames } from '@cvat-cloud/catalogue';
import { parseDeployArgs, DEPLOY_USAGE, type DeployArgs } from './args';
import { createTokenCredential } from './azure-credential';
import { type Confirmer, confirmationPolicy, createTerminalConfirmer } from './confirm';
import { credentialsMissingMessage, detectAzureCredentials, readAzureCliProfile, resolveSubscription } from './credentials';
import { DeployError, EXIT_CODES } from './errors';
import { type InitJobClient, type InitJobOutcome, initJobNeeded, readInitJobState, runInitJob, writeInitJobState } from './init-job';
import { runSuperuserStep, type SuperuserOutcome } from './superuser';
import { formatKeyVaultDestroyNotes, keyVaultDestroyBehaviour } from './key-vault';
import { describeBackend, formatBackend, loadManifest, type Manifest, orderStacks, readStackJson } from './manifest';
import { type RunReport, runOrchestrator, type StackReport } from './orchestrator';
import { createAzRunner, runStateBootstrap } from './state-bootstrap';
import { createTerraformRunner, findBinary, type TerraformRunner } from './terraform';
import { defaultStateRoot, initJobRecordFile, legacyInitJobRecordFile, legacyStateFile } from '../state-paths';
import type { PreflightEndpoints, PreflightRequest } from '../preflight/preflight';
import type { PreflightReport } from '../preflight/run';
import type { TokenCredential } from '@azure/identity';

/** Root of the infra package, from both `src/deploy` and `dist/deploy`. */
export const INFRA_PACKAGE_ROOT = resolve(__dirname, '..', '..');

/** Where the deploy CLI reads and writes; injectable so tests run it in-process. */
export interface DeployIo {
  readonly env: NodeJS.ProcessEnv;
  /** Directory `--env` names are resolved from. */
  readonly cwd: string;
  readonly stdinIsTTY: boolean;
  /** Data output (`--json`). */
  readonly out: (text: string) => void;
  /** Progress and errors. */
  readonly err: (text: string) => void;
  /** @default a terminal confirmer on stdin */
  readonly confirmer?: Confirmer;
  /** @default real setTimeout sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Client for the init job; @default a ContainerAppsAPIClient with the detected credential. */
  readonly initJobClient?: InitJobClient;
  /** Poll interval of the init job. @default 10000 */
  readonly initJobPollIntervalMs?: number;
  /**
   * Synthesizes an environment (a name or an absolute config path) into `outDir`, for a missing, stale
   * or foreign cdktf.out. @default the infra synth (`runSynth`), in-process
   */
  readonly synth?: (env: string, outDir: string) => Promise<void>;
  /** The preflight `deploy` runs before its first plan. @default `preflight` of src/preflight (ARM calls) */
  readonly preflight?: (request: PreflightRequest) => Promise<PreflightReport>;
  /** Endpoints and credential of the default preflight (tests). @default - public endpoints, the detected credential */
  readonly preflightEndpoints?: PreflightEndpoints & { readonly credential?: TokenCredential };
}

interface InitJobReport {
  readonly status: 'skipped' | 'not-needed' | 'ran';
  readonly reason: string;
  readonly outcome?: InitJobOutcome;
  /** The superuser step, when the migrations are known to have succeeded. */
  readonly superuser?: { readonly status: 'not-needed' | 'ran'; readonly reason: string; readonly outcome?: SuperuserOutcome };
}

/** Loads and validates the environment `--env` names and resolves its catalogue (also used by the preflight CLI). */
export function loadConfig(args: Pick<DeployArgs, 'env'>, io: Pick<DeployIo, 'cwd'>): { config: EnvironmentConfig; catalogue: Catalogue; source: string } {
  const name = args.env ?? 'example';
  const loaded = loadEnvironmentConfig(name, { cwd: io.cwd });
  if (!loaded.value) throw new DeployError('BAD_INPUT', `environment '${name}' is invalid; nothing was changed:\n${formatIssues(loaded.errors)}`);
  const resolved = resolveCatalogue(loaded.value);
  if (!resolved.value) throw new DeployError('BAD_INPUT', `the catalogue for environment '${loaded.value.name}' is invalid; nothing was changed:\n${formatIssues(resolved.errors)}`);
  const root = findRepoRoot(io.cwd) ?? io.cwd;
  const source = /[/\\]|\.ya?ml$/.test(name) ? name : relative(io.cwd, join(root, 'environments', `${name}.yaml`));
  return { config: loaded.value, catalogue: resolved.value, source };
}

/** Names of the resource groups a manifest's stacks create (to tell which environment cdktf.out is for). */
function synthesizedResourceGroups(manifest: Manifest): string[] {
  const names: string[] = [];
  for (const stack of manifest.stacks) {
    for (const rg of Object.values(readStackJson(stack).resource?.azurerm_resource_group ?? {})) if (typeof rg.name === 'string') names.push(rg.name);
  }
  return names;
}

/**
 * Checks that `cdktf.out` was synthesized for this environment and is newer than its config file;
 * otherwise synthesizes it. Nx runs `synth` for the default environment before `deploy`, so a
 * `--env dev` deploy normally re-synthesizes here.
 */
export async function ensureSynthesized(
  outDir: string,
  config: EnvironmentConfig,
  envSpec: string,
  configFile: string | undefined,
  io: Pick<DeployIo, 'cwd' | 'synth'>,
  log: (l: string) => void,
): Promise<Manifest> {
  const expected = resourceNames(config).resourceGroup;
  let reason: string | undefined;
  if (!existsSync(join(outDir, 'manifest.json'))) reason = 'there is no synth output yet';
  else {
    const groups = synthesizedResourceGroups(loadManifest(outDir));
    if (groups.length && !groups.includes(expected)) reason = `it was synthesized for resource group ${groups.join(', ')}, not ${expected}`;
    else if (configFile && existsSync(configFile) && statSync(configFile).mtimeMs > statSync(join(outDir, 'manifest.json')).mtimeMs) {
      reason = `${relative(io.cwd, configFile)} changed after the last synth`;
    }
  }
  if (reason) {
    log(`synth: ${reason}; synthesizing environment '${config.name}' into ${relative(io.cwd, outDir) || outDir}`);
    const synth =
      io.synth ??
      (async (env: string, dir: string) => {
        // Loaded only when needed: it pulls in cdktf and the provider bindings.
        const { runSynth } = require('../main') as typeof import('../main');
        const root = findRepoRoot(io.cwd) ?? io.cwd;
        const result = runSynth({ env, outdir: dir, json: false, cwd: root }, { stdout: () => undefined, stderr: (t: string) => log(t) });
        if (result.code !== 0) throw new DeployError('BAD_INPUT', `synth of environment '${env}' failed (exit ${result.code}); nothing was changed`);
      });
    await synth(envSpec, outDir);
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
 * Refuses a local state file that belongs to another environment (its resource group differs), which
 * would otherwise plan to replace everything; and stops when this environment's state is still at the
 * first release's shared path (`state/<stack>.tfstate`) while its own (`state/<env>/<stack>.tfstate`)
 * does not exist yet, which would otherwise plan to create everything again.
 */
function checkLocalStateOwnership(manifest: Manifest, environment: string, expectedResourceGroup: string): void {
  for (const stack of manifest.stacks) {
    const backend = describeBackend(stack, readStackJson(stack));
    if (backend.type !== 'local') continue;
    if (!existsSync(backend.path)) {
      const envDir = dirname(backend.path);
      if (basename(envDir) !== environment) continue;
      const legacy = legacyStateFile(dirname(envDir), basename(backend.path, '.tfstate'));
      if (existsSync(legacy) && stateResourceGroups(legacy)?.includes(expectedResourceGroup)) {
        throw new DeployError(
          'BAD_INPUT',
          `the state of stack '${stack.name}' of environment '${environment}' (resource group ${expectedResourceGroup}) is still at the shared path ${legacy}, ` +
            `but each environment now keeps its state in its own directory: move it with \`mkdir -p ${envDir} && mv ${legacy} ${backend.path}\` (and its .backup, if any) and rerun. Nothing was changed.`,
        );
      }
      continue;
    }
    const groups = stateResourceGroups(backend.path);
    if (!groups) continue;
    const foreign = groups.filter((g) => g !== expectedResourceGroup);
    if (foreign.length) {
      throw new DeployError(
        'BAD_INPUT',
        `${backend.path} holds the state of resource group ${foreign.join(', ')}, not ${expectedResourceGroup}: it belongs to another environment. ` +
          `Each environment keeps its state in its own directory (<stateBackend.path>/${environment}); move this file to the environment it belongs to, or use an azurerm backend. Nothing was changed.`,
      );
    }
  }
}

/**
 * Builds the after-stack hook that runs the cvat-init job after the apps stack, then the superuser step.
 *
 * Details: the migrations run when no success is recorded for the CVAT version and image (or with
 * `--force-init-job`). The superuser step — a second execution of the same job with a container
 * override (`superuser.ts`) — runs only once the migrations are known to have succeeded (just now, or
 * recorded for this version), and only when the record has no superuser success yet (or with
 * `--ensure-superuser`). Each success is written to the record before the next step starts; a failure
 * of either stops the deploy before `edge`.
 */
function initJobHook(options: {
  args: DeployArgs;
  config: EnvironmentConfig;
  catalogue: Catalogue;
  stateFile: string;
  /** The first release's record (`<stateRoot>/<env>.init.json`), read when `stateFile` does not exist yet. */
  legacyStateFile: string;
  client: () => InitJobClient;
  io: DeployIo;
  log: (l: string) => void;
  record: (r: InitJobReport) => void;
}) {
  const { args, config, catalogue, stateFile, log, record } = options;
  return async (stack: { name: string }, report: StackReport): Promise<void> => {
    if (stack.name !== 'apps' || report.status === 'failed') return;
    const job = findComponent(catalogue, 'cvat-init');
    if (!job || !job.enabled || job.role !== 'job') {
      record({ status: 'skipped', reason: 'the catalogue has no enabled cvat-init job' });
      return;
    }
    const names = resourceNames(config);
    const current = { cvatVersion: catalogue.cvatVersion, image: `${job.image.repository}:${job.image.tag}` };
    let recorded = readInitJobState(stateFile) ?? readInitJobState(options.legacyStateFile);
    const decision = args.forceInitJob ? { needed: true, reason: '--force-init-job' } : initJobNeeded(recorded, current);
    const jobName = names.appName(job.name);
    const rel = relative(options.io.cwd, stateFile);
    let initReport: InitJobReport;
    if (!decision.needed) {
      log(`init job: not needed, ${decision.reason}`);
      initReport = { status: 'not-needed', reason: decision.reason };
      record(initReport);
    } else {
      log(`init job: starting ${jobName} in ${names.resourceGroup} (${decision.reason})`);
      const outcome = await runInitJob(options.client(), {
        resourceGroup: names.resourceGroup,
        jobName,
        pollIntervalMs: options.io.initJobPollIntervalMs,
        sleep: options.io.sleep,
        log,
      });
      initReport = { status: 'ran', reason: decision.reason, outcome };
      record(initReport);
      if (outcome.status !== 'Succeeded') {
        throw new DeployError(
          'INIT_JOB_FAILED',
          `init job execution ${outcome.executionName} ended ${outcome.status}; the database migrations did not complete, so the edge is not deployed. ` +
            `Read its logs: az containerapp job logs show -g ${names.resourceGroup} -n ${jobName} --execution ${outcome.executionName} --container ${job.name}; ` +
            'fix the cause and rerun the deploy (the job runs again because no success is recorded).',
          { stackName: 'apps', step: 'init-job' },
        );
      }
      // A later migration run keeps the superuser entry: the user lives in the database, not the image.
      recorded = { ...current, executionName: outcome.executionName, finishedAt: outcome.endTime ?? new Date().toISOString(), ...(recorded?.superuser ? { superuser: recorded.superuser } : {}) };
      writeInitJobState(stateFile, recorded);
      log(`init job: ${outcome.executionName} succeeded${outcome.durationSeconds !== undefined ? ` in ${outcome.durationSeconds} s` : ''}; recorded in ${rel}`);
    }

    // Superuser step: only after a recorded migration success for this version (the state file now has one).
    const done = recorded?.superuser;
    if (done && !args.ensureSuperuser) {
      const reason = `already ensured '${done.username}' (${done.executionName}, ${done.finishedAt}); --ensure-superuser runs it again`;
      log(`superuser: not needed, ${reason}`);
      record({ ...initReport, superuser: { status: 'not-needed', reason } });
      return;
    }
    const reason = args.ensureSuperuser ? '--ensure-superuser' : 'no superuser step recorded yet';
    log(`superuser: starting a second execution of ${jobName} that creates the superuser if it is missing (${reason})`);
    const outcome = await runSuperuserStep(options.client(), {
      resourceGroup: names.resourceGroup,
      jobName,
      containerName: job.name,
      pollIntervalMs: options.io.initJobPollIntervalMs,
      sleep: options.io.sleep,
      log,
    });
    record({ ...initReport, superuser: { status: 'ran', reason, outcome } });
    if (outcome.status !== 'Succeeded') {
      throw new DeployError(
        'SUPERUSER_FAILED',
        `superuser step: execution ${outcome.executionName} of job ${jobName} ended ${outcome.status}; the CVAT superuser may not exist, so the edge is not deployed. ` +
          `Inspect it: az containerapp job execution show -g ${names.resourceGroup} -n ${jobName} --job-execution-name ${outcome.executionName}; ` +
          `read its logs: az containerapp job logs show -g ${names.resourceGroup} -n ${jobName} --execution ${outcome.executionName} --container ${job.name}; ` +
          'fix the cause and rerun the deploy (the migrations are recorded and are not run again; the superuser step is, because no success is recorded).',
        { stackName: 'apps', step: 'superuser' },
      );
    }
    const superuser = { username: outcome.username ?? 'unknown', executionName: outcome.executionName, finishedAt: outcome.endTime ?? new Date().toISOString() };
    writeInitJobState(stateFile, { ...recorded!, superuser });
    log(
      `superuser: ${outcome.executionName} succeeded; '${superuser.username}' exists (password in Key Vault secret cvat-superuser-password of ${names.keyVault}); recorded in ${rel}`,
    );
  };
}

/**
 * Runs the preflight checks before the first plan of a deploy: any failed check stops it (exit 3) with
 * each fix in one line, before terraform is started. `--skip-preflight` skips them with a warning;
 * `--skip-credential-check` skips them because they need credentials.
 */
async function deployPreflight(
  args: DeployArgs,
  io: DeployIo,
  ctx: { config: EnvironmentConfig; catalogue: Catalogue; stacks: PreflightRequest['stacks']; auth?: { subscriptionId: string; credential: () => TokenCredential }; log: (l: string) => void },
): Promise<void> {
  const { config, log } = ctx;
  if (args.skipPreflight) {
    log('preflight: WARNING: skipped (--skip-preflight); provider registrations, global names, SKUs, quota and the deployer address are not checked, so such a problem surfaces as a failed apply');
    return;
  }
  if (!ctx.auth) {
    log('preflight: skipped (--skip-credential-check): the checks need Azure credentials');
    return;
  }
  // Loaded only for a deploy: the checks pull in the ARM SDK clients on first use.
  const run = io.preflight ?? (await import('../preflight/preflight.js')).preflight;
  const endpoints = { armEndpoint: io.preflightEndpoints?.armEndpoint, ipEchoUrl: io.preflightEndpoints?.ipEchoUrl, maxRetries: io.preflightEndpoints?.maxRetries };
  const report = await run({
    config,
    catalogue: ctx.catalogue,
    stacks: ctx.stacks,
    subscriptionId: ctx.auth.subscriptionId,
    credential: ctx.auth.credential(),
    deployerIp: args.deployerIp,
    detectIp: args.detectIp,
    log,
    ...endpoints,
  });
  const failed = report.checks.filter((c) => c.status === 'fail');
  log(`preflight: ${report.counts.pass} passed, ${report.counts.fail} failed, ${report.counts.skip} skipped`);
  if (failed.length) {
    throw new DeployError(
      'PREFLIGHT_FAILED',
      `preflight: ${failed.length} check${failed.length === 1 ? '' : 's'} failed, so nothing was planned or changed:\n` +
        failed.map((c) => `  - ${c.id}: ${c.detail}\n    fix: ${c.fix ?? 'see above'}`).join('\n') +
        `\nFix and rerun (npx nx run infra:preflight -- --env ${config.name} checks without deploying); --skip-preflight deploys anyway.`,
    );
  }
}

function formatRun(run: RunReport): string[] {
  const lines = [`${run.command} ${run.ok ? 'finished' : 'stopped'}:`];
  for (const s of run.stacks) {
    const retries = s.retries.length ? `, ${s.retries.length} retr${s.retries.length === 1 ? 'y' : 'ies'} (${[...new Set(s.retries.map((r) => r.reason))].join(', ')})` : '';
    lines.push(`  ${s.name.padEnd(12)} ${s.status.padEnd(12)} ${(s.durationMs / 1000).toFixed(1)} s${retries}`);
  }
  return lines;
}

async function run(args: DeployArgs, io: DeployIo): Promise<number> {
  const log = (line: string) => io.err(`${line}\n`);
  const { config, catalogue, source } = loadConfig(args, io);
  const names = resourceNames(config);
  const profile = readAzureCliProfile(io.env);

  if (args.command === 'state-bootstrap') {
    if (config.stateBackend.type !== 'azurerm') {
      log(`state-bootstrap: environment '${config.name}' keeps its state in local files (stateBackend.type: local); nothing to create.`);
      return EXIT_CODES.ok;
    }
    const az = findBinary('az', io.env);
    if (!az) throw new DeployError('BINARY_MISSING', 'state-bootstrap needs the Azure CLI (`az`) on PATH; nothing was changed');
    if (!profile.loggedIn) throw new DeployError('CREDENTIALS_MISSING', `state-bootstrap uses the Azure CLI, which is not logged in (${profile.path}): run \`az login\`. Nothing was changed.`);
    const subscriptionId = resolveSubscription(config.subscriptionId, io.env, source, profile);
    const actions = await runStateBootstrap({ backend: config.stateBackend, location: config.location, subscriptionId, az: createAzRunner(az, io.env), log, dryRun: args.dryRun });
    if (args.json) io.out(JSON.stringify({ command: 'state-bootstrap', dryRun: args.dryRun, actions }, null, 2) + '\n');
    return EXIT_CODES.ok;
  }

  // Preconditions first: nothing (not even a synth) happens when one is missing.
  const binary = findBinary(args.binary, io.env, io.cwd);
  if (!binary) {
    throw new DeployError(
      'BINARY_MISSING',
      `'${args.binary}' was not found${args.binary.includes('/') ? '' : ' on PATH'}: install Terraform ≥ 1.5 or OpenTofu, or point --binary / TF_BINARY at it. Nothing was changed.`,
    );
  }
  const childEnv: NodeJS.ProcessEnv = { ...io.env };
  let initClient: (() => InitJobClient) | undefined;
  let preflightAuth: { subscriptionId: string; credential: () => TokenCredential } | undefined;
  if (!args.skipCredentialCheck) {
    const creds = detectAzureCredentials(io.env, profile);
    if (!creds.ok) throw new DeployError('CREDENTIALS_MISSING', credentialsMissingMessage(creds.problems));
    const subscriptionId = resolveSubscription(config.subscriptionId, io.env, source, profile);
    childEnv.ARM_SUBSCRIPTION_ID = subscriptionId;
    log(`azure: ${creds.credential.detail}; subscription ${subscriptionId}`);
    preflightAuth = { subscriptionId, credential: () => io.preflightEndpoints?.credential ?? createTokenCredential(creds.credential, io.env) };
    if (args.command === 'deploy' && !args.skipInitJob) {
      if (io.initJobClient) initClient = () => io.initJobClient!;
      else {
        const credential = createTokenCredential(creds.credential, io.env);
        let client: InitJobClient | undefined;
        initClient = () => {
          if (!client) {
            // Loaded on first use: the SDK is only needed when the init job actually runs.
            const { ContainerAppsAPIClient } = require('@azure/arm-appcontainers') as typeof import('@azure/arm-appcontainers');
            client = new ContainerAppsAPIClient(credential, subscriptionId);
          }
          return client;
        };
      }
    }
  } else {
    log('azure: credential and subscription checks skipped (--skip-credential-check); the init job is skipped too');
  }

  const outDir = resolve(io.cwd, args.outDir ?? join(INFRA_PACKAGE_ROOT, 'cdktf.out'));
  const envIsPath = /[/\\]|\.ya?ml$/.test(args.env ?? '');
  const configFile = envIsPath ? resolve(io.cwd, args.env!) : join(findRepoRoot(io.cwd) ?? io.cwd, 'environments', `${config.name}.yaml`);
  const manifest = await ensureSynthesized(outDir, config, envIsPath ? configFile : config.name, configFile, io, log);
  const stackJsons = new Map(manifest.stacks.map((s) => [s.name, readStackJson(s)]));
  for (const s of orderStacks(manifest.stacks)) {
    const backend = describeBackend(s, stackJsons.get(s.name)!);
    if (backend.type !== 'none' && backend.type !== config.stateBackend.type && backend.type !== 'other') {
      throw new DeployError(
        'MANIFEST',
        `stack '${s.name}' was synthesized with a ${backend.type} backend, but environment '${config.name}' uses ${config.stateBackend.type}: synthesize again (npx nx run infra:synth -- --env ${config.name}). Nothing was changed.`,
      );
    }
    log(`[${s.name}] ${formatBackend(backend)}`);
  }
  checkLocalStateOwnership(manifest, config.name, names.resourceGroup);
  if (args.command === 'deploy') await deployPreflight(args, io, { config, catalogue, stacks: [...stackJsons.values()], auth: preflightAuth, log });

  const runner: TerraformRunner = createTerraformRunner(binary, childEnv);
  const version = await runner.run(['version', '-json'], { cwd: io.cwd });
  if (version.exitCode !== 0) throw new DeployError('BINARY_MISSING', `'${binary} version' failed: ${version.stderr.trim()}. Nothing was changed.`);
  try {
    log(`${binary}: version ${(JSON.parse(version.stdout) as { terraform_version?: string }).terraform_version ?? 'unknown'}`);
  } catch {
    log(`${binary}: ${version.stdout.split('\n')[0]}`);
  }

  if (args.command === 'destroy') {
    for (const note of formatKeyVaultDestroyNotes([...stackJsons.values()].flatMap((j) => keyVaultDestroyBehaviour(j)))) log(note);
  }

  const stateRoot = args.stateDir ? resolve(io.cwd, args.stateDir) : defaultStateRoot(config, INFRA_PACKAGE_ROOT);
  const initStateFile = initJobRecordFile(stateRoot, config.name);
  const legacyInitStateFile = legacyInitJobRecordFile(stateRoot, config.name);
  let initReport: InitJobReport | undefined;
  const report = await runOrchestrator({
    command: args.command as 'deploy' | 'plan' | 'destroy',
    manifest,
    only: args.stacks,
    replace: args.replace,
    runner,
    confirmation: confirmationPolicy({ yes: args.yes, env: io.env, stdinIsTTY: io.stdinIsTTY }),
    confirmer: io.confirmer ?? createTerminalConfirmer(),
    log,
    sleep: io.sleep,
    lockTimeoutSeconds: args.lockTimeoutSeconds,
    allowDataLoss: args.allowDataLoss,
    dryRun: args.dryRun,
    verbose: args.verbose,
    afterStack: initClient
      ? initJobHook({ args, config, catalogue, stateFile: initStateFile, legacyStateFile: legacyInitStateFile, client: initClient, io, log, record: (r) => (initReport = r) })
      : undefined,
  });
  report.initJob = initReport;
  for (const line of formatRun(report)) log(line);
  if (initReport) log(`init job: ${initReport.status}${initReport.outcome ? ` (${initReport.outcome.executionName}: ${initReport.outcome.status})` : ''} — ${initReport.reason}`);
  const su = initReport?.superuser;
  if (su) log(`superuser: ${su.status}${su.outcome ? ` (${su.outcome.executionName}: ${su.outcome.status})` : ''} — ${su.reason}`);
  if (args.json) io.out(JSON.stringify({ ...report, failure: report.failure && { code: report.failure.code, stack: report.failure.stackName, step: report.failure.step, message: report.failure.message } }, null, 2) + '\n');
  if (report.failure) {
    log(`error: ${report.failure.message}`);
    return report.failure.exitCode;
  }
  return EXIT_CODES.ok;
}

/**
 * The deploy CLI (`node dist/deploy/cli.js <command>`): returns the exit code, never exits the process.
 *
 * @see DEPLOY_USAGE
 */
export async function main(argv: readonly string[], io: DeployIo): Promise<number> {
  try {
    const args = parseDeployArgs(argv, io.env);
    if (args.help) {
      io.out(DEPLOY_USAGE);
      return EXIT_CODES.ok;
    }
    return await run(args, io);
  } catch (error) {
    if (error instanceof DeployError) {
      io.err(`error: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_CODES.failed;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  }).then((code) => {
    process.exitCode = code;
  });
}

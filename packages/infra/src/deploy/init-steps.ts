/**
 * The two steps a deploy runs after the apps stack, as orchestrator steps (./orchestrator `OrchestratorStep`):
 *
 * 1. `init-job`: first the database-role execution (./database-role: CVAT's own PostgreSQL role, which the migrations
 *    log in as), then the cvat-init job (Django migrations), when no success is recorded for the CVAT version and image
 *    (or with `--force-init-job`).
 * 2. `superuser`: a second execution of the same job with a container override (./superuser) that creates the CVAT
 *    superuser when it is missing; only once the migrations are known to have succeeded (just now, or recorded for
 *    this version), and only when the record has no superuser success yet (or with `--ensure-superuser`).
 *
 * Both start as soon as the apps stack's apply reports the job resource created (or at the start of the apply when the
 * plan leaves the job unchanged), while the container apps are still being created: the migrations need the job, the
 * database and the secrets, not the apps. Each success is written to the record (`<stateRoot>/<env>/init-job.json`)
 * before the next step starts; a failure of either fails the deploy, reported on the step with the commands to inspect
 * it (the edge, which does not depend on apps, runs beside them and keeps its own result).
 */
import { relative } from 'node:path';
import { type Catalogue, type EnvironmentConfig, findComponent, resourceNames } from '@cvat-cloud/catalogue';
import { DeployError } from './errors';
import { type InitJobClient, type InitJobState, initJobNeeded, readInitJobState, runInitJob, writeInitJobState } from './init-job';
import type { OrchestratorStep, StepOutcome } from './orchestrator';
import { runDatabaseRoleStep } from './database-role';
import { runSuperuserStep } from './superuser';

/** Options of {@link initSteps}. */
export interface InitStepsOptions {
  readonly config: EnvironmentConfig;
  readonly catalogue: Catalogue;
  /** The record, `<stateRoot>/<env>/init-job.json`. */
  readonly stateFile: string;
  /** Built on first use (the SDK is loaded only when a job actually runs). */
  readonly client: () => Promise<InitJobClient>;
  /** `--force-init-job`. @default false */
  readonly forceInitJob?: boolean;
  /** `--ensure-superuser`. @default false */
  readonly ensureSuperuser?: boolean;
  /** Directory paths in messages are shown relative to. */
  readonly cwd: string;
  /**
   * Terraform address of the cvat-init job in the apps stack (from the synth index): the steps start as soon as it is
   * created. @default - once every `azurerm_container_app_job` the apps apply changes is done
   */
  readonly jobAddress?: string;
  /** @default 10000 */
  readonly pollIntervalMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The resources the steps need: the Container Apps job they start (`azurerm_container_app_job.<id>`). */
export const INIT_JOB_RESOURCE_TYPE = 'azurerm_container_app_job';

/** A {@link DeployError} that also carries the outcome for the step's report. */
function stepError(code: 'INIT_JOB_FAILED' | 'SUPERUSER_FAILED', message: string, step: string, detail: unknown): DeployError {
  const error = new DeployError(code, message, { stackName: 'apps', step });
  return Object.assign(error, { detail });
}

/**
 * The init-job and superuser steps of a deploy, both after `apps`. With no enabled cvat-init job in the catalogue
 * both report `skipped`.
 */
export function initSteps(options: InitStepsOptions): OrchestratorStep[] {
  const { config, catalogue, stateFile } = options;
  const names = resourceNames(config);
  const job = findComponent(catalogue, 'cvat-init');
  const usable = job?.enabled === true && job.role === 'job';
  const jobName = job ? names.appName(job.name) : 'cvat-init';
  const rel = relative(options.cwd, stateFile);
  /** The record as the init-job step left it (read on first use). */
  let recorded: InitJobState | undefined;
  let migrationsKnownGood = false;
  /** What every execution of the init job (role, migrations, superuser) is started with. */
  const execution = (log: (line: string) => void) => ({
    resourceGroup: names.resourceGroup,
    jobName,
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    log,
  });
  const logsCommand = (executionName: string | undefined) =>
    `az containerapp job logs show -g ${names.resourceGroup} -n ${jobName} --execution ${executionName} --container ${job?.name}`;

  const initJob: OrchestratorStep = {
    name: 'init-job',
    after: 'apps',
    needs: (address) => (options.jobAddress ? address === options.jobAddress : address.startsWith(`${INIT_JOB_RESOURCE_TYPE}.`)),
    async run({ log }): Promise<StepOutcome> {
      if (!usable) return { status: 'skipped', reason: 'the catalogue has no enabled cvat-init job' };
      const current = { cvatVersion: catalogue.cvatVersion, image: `${job.image.repository}:${job.image.tag}` };
      recorded = readInitJobState(stateFile);
      const decision = options.forceInitJob ? { needed: true, reason: '--force-init-job' } : initJobNeeded(recorded, current);
      if (!decision.needed) {
        migrationsKnownGood = true;
        log(`init job: not needed, ${decision.reason}`);
        return { status: 'not-needed', reason: decision.reason };
      }
      log(`init job: starting ${jobName} in ${names.resourceGroup} (${decision.reason})`);
      // The database role first: the migrations log in as it (idempotent, so it runs whenever the migrations do).
      const role = await runDatabaseRoleStep(await options.client(), { ...execution(log), containerName: job.name });
      if (role.status !== 'Succeeded') {
        throw stepError(
          'INIT_JOB_FAILED',
          `database-role execution ${role.executionName} ended ${role.status}; the CVAT database role may not exist, so the ` +
            `migrations did not run. Read its logs: ${logsCommand(role.executionName)}; fix the cause and rerun the deploy.`,
          'init-job',
          role,
        );
      }
      const outcome = await runInitJob(await options.client(), execution(log));
      if (outcome.status !== 'Succeeded') {
        throw stepError(
          'INIT_JOB_FAILED',
          `init job execution ${outcome.executionName} ended ${outcome.status}; ` +
            `the database migrations did not complete, so CVAT cannot serve requests yet. ` +
            `Read its logs: ${logsCommand(outcome.executionName)}; ` +
            'fix the cause and rerun the deploy (the job runs again because no success is recorded).',
          'init-job',
          outcome,
        );
      }
      // A later migration run keeps the superuser entry: the user lives in the database, not the image.
      recorded = {
        ...current,
        executionName: outcome.executionName,
        finishedAt: outcome.endTime ?? new Date().toISOString(),
        ...(recorded?.superuser ? { superuser: recorded.superuser } : {}),
      };
      writeInitJobState(stateFile, recorded);
      migrationsKnownGood = true;
      log(
        `init job: ${outcome.executionName} ` +
          `succeeded${outcome.durationSeconds !== undefined ? ` in ${outcome.durationSeconds} s` : ''}; recorded in ${rel}`,
      );
      return { status: 'ran', reason: decision.reason, detail: outcome };
    },
  };

  const superuser: OrchestratorStep = {
    name: 'superuser',
    after: 'apps',
    async run({ log }): Promise<StepOutcome> {
      if (!usable) return { status: 'skipped', reason: 'the catalogue has no enabled cvat-init job' };
      if (!migrationsKnownGood || !recorded) return { status: 'skipped', reason: 'the migrations are not known to have succeeded' };
      const done = recorded.superuser;
      if (done && !options.ensureSuperuser) {
        const reason = `already ensured '${done.username}' (${done.executionName}, ${done.finishedAt}); --ensure-superuser runs it again`;
        log(`superuser: not needed, ${reason}`);
        return { status: 'not-needed', reason };
      }
      const reason = options.ensureSuperuser ? '--ensure-superuser' : 'no superuser step recorded yet';
      log(`superuser: starting a second execution of ${jobName} that creates the superuser if it is missing (${reason})`);
      const outcome = await runSuperuserStep(await options.client(), { ...execution(log), containerName: job.name });
      if (outcome.status !== 'Succeeded') {
        throw stepError(
          'SUPERUSER_FAILED',
          `superuser step: execution ${outcome.executionName} of job ${jobName} ended ` +
            `${outcome.status}; the CVAT superuser may not exist. ` +
            `Inspect it: az containerapp job execution show -g ${names.resourceGroup} ` +
            `-n ${jobName} --job-execution-name ${outcome.executionName}; ` +
            `read its logs: ${logsCommand(outcome.executionName)}; ` +
            'fix the cause and rerun the deploy (the migrations are recorded and are ' +
            'not run again; the superuser step is, because no success is recorded).',
          'superuser',
          outcome,
        );
      }
      const entry = {
        username: outcome.username ?? 'unknown',
        executionName: outcome.executionName,
        finishedAt: outcome.endTime ?? new Date().toISOString(),
      };
      recorded = { ...recorded, superuser: entry };
      writeInitJobState(stateFile, recorded);
      log(
        `superuser: ${outcome.executionName} succeeded; '${entry.username}' exists ` +
          `(password in Key Vault secret cvat-superuser-password of ${names.keyVault}); recorded in ${rel}`,
      );
      return { status: 'ran', reason, detail: outcome };
    },
  };

  return [initJob, superuser];
}

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ContainerAppsAPIClient, EnvironmentVar, Job, JobExecutionContainer, JobExecutionTemplate } from '@azure/arm-appcontainers';
import { DeployError, type DeployErrorCode } from './errors';

/**
 * The two ARM operations the init step needs, as a structural subset of `ContainerAppsAPIClient`
 * (`@azure/arm-appcontainers` 3.0.0), so a client pointed at a fake server satisfies it too.
 */
export type InitJobClient = {
  readonly jobs: Pick<ContainerAppsAPIClient['jobs'], 'beginStart' | 'get'>;
  jobExecution: ContainerAppsAPIClient['jobExecution'];
};

/** Terminal states of a Container Apps job execution. */
const TERMINAL_STATES = new Set(['Succeeded', 'Failed', 'Stopped', 'Degraded']);

/** What one init-job execution ended as. */
export interface InitJobOutcome {
  /** Execution name, e.g. `cvat-init-abc12`. */
  readonly executionName: string;
  /** Final status: `Succeeded`, `Failed`, `Stopped` or `Degraded`. */
  readonly status: string;
  readonly startTime?: string;
  readonly endTime?: string;
  /** Seconds between start and end as reported by Azure, when both are known. */
  readonly durationSeconds?: number;
}

/** Options of {@link runInitJob}. */
export interface RunInitJobOptions {
  readonly resourceGroup: string;
  /** Container Apps Job name (the catalogue's `cvat-init` component, named by `resourceNames`). */
  readonly jobName: string;
  /**
   * Delay between execution status polls (and the start operation's LRO polls).
   * @default 10000
   */
  readonly pollIntervalMs?: number;
  /**
   * Give up waiting after this long (the execution keeps running in Azure).
   * @default 1800000 (30 minutes)
   */
  readonly timeoutMs?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /** Injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests. */
  readonly now?: () => number;
  /**
   * Container override for this execution (`POST …/start` body, the REST API's `JobExecutionTemplate`).
   * Azure replaces the job's whole template with it, so it must be complete (image, env, resources).
   * @default - none: the execution runs the job's own template
   */
  readonly template?: JobExecutionTemplate;
  /**
   * Prefix of progress lines and name of the step in errors.
   * @default 'init job'
   */
  readonly label?: string;
  /**
   * Step named in a {@link DeployError} (`init-job`, `superuser`).
   * @default 'init-job'
   */
  readonly step?: string;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function iso(d: Date | string | undefined): string | undefined {
  if (d === undefined) return undefined;
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * Starts one execution of the init job (`POST …/jobs/{job}/start`) and waits until it reaches a
 * terminal state, polling `GET …/jobs/{job}/executions/{execution}`.
 *
 * Returns the outcome for any terminal state; the caller decides what a failure means. Throws
 * {@link DeployError} `INIT_JOB_FAILED` when the start call fails or the wait times out.
 *
 * @see https://learn.microsoft.com/azure/container-apps/jobs#start-a-job-execution-on-demand
 */
export async function runInitJob(client: InitJobClient, options: RunInitJobOptions): Promise<InitJobOutcome> {
  const pollIntervalMs = options.pollIntervalMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const label = options.label ?? 'init job';
  const step = options.step ?? 'init-job';
  const where = `job '${options.jobName}' in resource group '${options.resourceGroup}'`;
  let executionName: string | undefined;
  try {
    const poller = await client.jobs.beginStart(options.resourceGroup, options.jobName, {
      updateIntervalInMs: pollIntervalMs,
      ...(options.template ? { template: options.template } : {}),
    });
    const started = await poller.pollUntilDone();
    executionName = started?.name ?? started?.id?.split('/').pop();
  } catch (error) {
    throw new DeployError('INIT_JOB_FAILED', `could not start ${where}: ${(error as Error).message}`, {
      stackName: 'apps',
      step,
      cause: error,
    });
  }
  if (!executionName) {
    throw new DeployError('INIT_JOB_FAILED', `starting ${where} returned no execution name`, { stackName: 'apps', step });
  }
  log(`${label}: execution ${executionName} started`);
  const deadline = now() + timeoutMs;
  let lastStatus = '';
  for (;;) {
    let execution: Awaited<ReturnType<InitJobClient['jobExecution']>>;
    try {
      execution = await client.jobExecution(options.resourceGroup, options.jobName, executionName);
    } catch (error) {
      throw new DeployError('INIT_JOB_FAILED', `could not read execution ${executionName} of ${where}: ${(error as Error).message}`, {
        stackName: 'apps',
        step,
        cause: error,
      });
    }
    const status = execution.status ?? 'Unknown';
    if (status !== lastStatus) {
      log(`${label}: ${executionName} is ${status}`);
      lastStatus = status;
    }
    if (TERMINAL_STATES.has(status)) {
      const startTime = iso(execution.startTime);
      const endTime = iso(execution.endTime);
      const durationSeconds = startTime && endTime ? Math.round((Date.parse(endTime) - Date.parse(startTime)) / 1000) : undefined;
      return { executionName, status, startTime, endTime, durationSeconds };
    }
    if (now() >= deadline) {
      throw new DeployError(
        'INIT_JOB_FAILED',
        `execution ${executionName} of ${where} is still ${status} after ${Math.round(timeoutMs / 1000)} s; it keeps running in ` +
          `Azure. Follow it with: az containerapp job execution show -g ${options.resourceGroup} -n ${options.jobName} ` +
          `--job-execution-name ${executionName}`,
        { stackName: 'apps', step },
      );
    }
    await sleep(pollIntervalMs);
  }
}

/**
 * What the last successful init run was for, kept next to the terraform state
 * (`packages/infra/state/<env>/init-job.json`).
 */
export interface InitJobState {
  /** CVAT version the migrations last succeeded for, e.g. `v2.73.0`. */
  readonly cvatVersion: string;
  /** Full image reference of the init job at that run, e.g. `cvat/server:v2.73.0`. */
  readonly image: string;
  readonly executionName: string;
  /** ISO time the execution finished. */
  readonly finishedAt: string;
  /**
   * The last successful superuser step (see `ensureSuperuser`); absent until it has succeeded once.
   * Kept when the record is rewritten after a later migration run.
   * @default - absent
   */
  readonly superuser?: SuperuserRecord;
}

/** A successful superuser-ensuring execution of the init job. */
export interface SuperuserRecord {
  /** The `DJANGO_SUPERUSER_USERNAME` the execution ensured, e.g. `admin`. */
  readonly username: string;
  readonly executionName: string;
  /** ISO time the execution finished. */
  readonly finishedAt: string;
}

/** Reads the init state file; `undefined` when absent. A corrupt file is an error naming the file. */
export function readInitJobState(path: string): InitJobState | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DeployError(
      'BAD_INPUT',
      `${path} is not valid JSON (${(error as Error).message}); delete it to make the next deploy run the init job`,
    );
  }
  const s = parsed as Partial<InitJobState>;
  if (typeof s?.cvatVersion !== 'string' || typeof s.image !== 'string') {
    throw new DeployError(
      'BAD_INPUT',
      `${path}: 'cvatVersion' and 'image' must be strings; delete the file to make the next deploy run the init job`,
    );
  }
  if (s.superuser !== undefined && (typeof s.superuser !== 'object' || s.superuser === null || typeof s.superuser.username !== 'string')) {
    throw new DeployError(
      'BAD_INPUT',
      `${path}: 'superuser.username' must be a string; delete the 'superuser' entry to make the next deploy ensure the superuser again`,
    );
  }
  return s as InitJobState;
}

/** Writes the init state file atomically (write to a temp file, then rename). */
export function writeInitJobState(path: string, state: InitJobState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

/**
 * Whether the init job has to run: when no successful run is recorded, or the recorded CVAT version or
 * init image differs from the one just deployed.
 */
export function initJobNeeded(
  recorded: InitJobState | undefined,
  current: { cvatVersion: string; image: string },
): { needed: boolean; reason: string } {
  if (!recorded) return { needed: true, reason: 'no successful init run recorded yet' };
  if (recorded.cvatVersion !== current.cvatVersion)
    return { needed: true, reason: `CVAT version changed ${recorded.cvatVersion} → ${current.cvatVersion}` };
  if (recorded.image !== current.image) return { needed: true, reason: `init image changed ${recorded.image} → ${current.image}` };
  return { needed: false, reason: `already ran for ${current.cvatVersion} (${recorded.executionName}, ${recorded.finishedAt})` };
}

/** A one-off execution of the init job in its own container, only `command` and `args` replaced. */
export interface InitJobOverride {
  /** Step name in messages and outcomes, e.g. `superuser`. */
  readonly step: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  /** Variables the step reads; each must be set (a value or a secret reference) on the deployed container. */
  readonly requiredEnv: readonly string[];
  /** Said after the missing names, e.g. how to get them onto the job. */
  readonly missingEnvHint: string;
  /** Further checks of the copied env; throws {@link DeployError} `BAD_INPUT`. @default - none */
  readonly checkEnv?: (env: readonly EnvironmentVar[], field: string) => void;
}

/**
 * The `JobExecutionTemplate` that runs `override` in the init job's own container.
 *
 * Details: a start request with a template replaces the job's whole template for that execution (nothing is
 * inherited: env, image, resources and command all come from the request; execution containers have no volume
 * mounts). So the container is copied from the deployed job — its name, image, resources and every env entry,
 * `secretRef` entries by reference (the secrets themselves are job-level configuration and stay available) — and only
 * `command`/`args` are replaced.
 *
 * Throws {@link DeployError} `BAD_INPUT` naming the field when the job has no such container (when `containerName` is
 * absent and the job has exactly one container, that one is used), or the container lacks the image, resources or one
 * of `override.requiredEnv`.
 *
 * @see https://learn.microsoft.com/rest/api/resource-manager/containerapps/jobs/start
 */
export function initJobOverrideTemplate(job: Job, containerName: string, override: InitJobOverride): JobExecutionTemplate {
  const containers = job.template?.containers ?? [];
  const container = containers.find((c) => c.name === containerName) ?? (containers.length === 1 ? containers[0] : undefined);
  const where = `job '${job.name ?? '?'}'`;
  if (!container) {
    throw new DeployError(
      'BAD_INPUT',
      `${where}: 'template.containers' (${containers.map((c) => c.name).join(', ') || 'none'}) has no container named ` +
        `'${containerName}' to run the ${override.step} step in`,
    );
  }
  const i = containers.indexOf(container);
  if (!container.image)
    throw new DeployError(
      'BAD_INPUT',
      `${where}: 'template.containers[${i}].image' is empty; the ${override.step} step needs the job's image`,
    );
  if (container.resources?.cpu === undefined || !container.resources.memory) {
    throw new DeployError(
      'BAD_INPUT',
      `${where}: 'template.containers[${i}].resources' (${JSON.stringify(container.resources ?? {})}) must have cpu and memory`,
    );
  }
  const env = container.env ?? [];
  const missing = override.requiredEnv.filter((name) => !env.some((e) => e.name === name && (e.value || e.secretRef)));
  if (missing.length) {
    throw new DeployError('BAD_INPUT', `${where}: 'template.containers[${i}].env' lacks ${missing.join(', ')}; ${override.missingEnvHint}`);
  }
  override.checkEnv?.(env, `${where}: 'template.containers[${i}].env'`);
  const copy: JobExecutionContainer = {
    name: container.name ?? containerName,
    image: container.image,
    command: [...override.command],
    args: [...override.args],
    resources: { cpu: container.resources.cpu, memory: container.resources.memory },
    env: env.map((e): EnvironmentVar => (e.secretRef ? { name: e.name, secretRef: e.secretRef } : { name: e.name, value: e.value ?? '' })),
  };
  return { containers: [copy] };
}

/**
 * Reads the deployed init job, starts one execution of the template `build` makes from it and waits for it like the
 * migrations ({@link runInitJob}). A job that cannot be read fails with `code`; every terminal state is returned, the
 * caller decides what a failure means. `value` is the named env value of the execution's container.
 */
export async function runInitJobOverride(
  client: InitJobClient,
  options: Omit<RunInitJobOptions, 'template' | 'label' | 'step'> & { readonly containerName: string },
  run: {
    readonly build: (job: Job) => JobExecutionTemplate;
    readonly code: DeployErrorCode;
    readonly step: RunInitJobOptions['step'];
    readonly label: string;
  },
): Promise<{ readonly outcome: InitJobOutcome; readonly value: (name: string) => string | undefined }> {
  let job: Job;
  try {
    job = await client.jobs.get(options.resourceGroup, options.jobName);
  } catch (error) {
    throw new DeployError(
      run.code,
      `could not read job '${options.jobName}' in resource group '${options.resourceGroup}': ${(error as Error).message}`,
      { stackName: 'apps', step: run.step, cause: error },
    );
  }
  const template = run.build(job);
  const outcome = await runInitJob(client, { ...options, template, label: run.label, step: run.step });
  return { outcome, value: (name) => template.containers?.[0]?.env?.find((e) => e.name === name)?.value };
}

import type { EnvironmentVar, Job, JobExecutionContainer, JobExecutionTemplate } from '@azure/arm-appcontainers';
import { DeployError } from './errors';
import { type InitJobClient, type InitJobOutcome, type RunInitJobOptions, runInitJob } from './init-job';

/** Environment variables the superuser step reads; the init job's template must carry all three. */
export const SUPERUSER_ENV = ['DJANGO_SUPERUSER_USERNAME', 'DJANGO_SUPERUSER_EMAIL', 'DJANGO_SUPERUSER_PASSWORD'] as const;

/**
 * Python run by `manage.py shell -c`: creates the superuser named by `DJANGO_SUPERUSER_USERNAME` only
 * when no user of that name exists, and never touches an existing user's password. The username,
 * e-mail and password come from the environment (the password from the job's Key Vault secret
 * reference), never from the command line. Written without `"`, `$`, backquote or backslash so it can
 * sit inside a double-quoted `sh -c` string unchanged.
 */
export const SUPERUSER_PYTHON = [
  'import os',
  'from django.contrib.auth import get_user_model',
  'User = get_user_model()',
  "name = os.environ['DJANGO_SUPERUSER_USERNAME']",
  'if User.objects.filter(username=name).exists():',
  "    print('cvat-superuser: user ' + name + ' already exists; its password was left unchanged')",
  'else:',
  "    User.objects.create_superuser(name, os.environ.get('DJANGO_SUPERUSER_EMAIL', ''), os.environ['DJANGO_SUPERUSER_PASSWORD'])",
  "    print('cvat-superuser: created superuser ' + name)",
].join('\n');

/**
 * Container `command` of the superuser execution: a shell, so the working directory can be set.
 * Its single argument ({@link SUPERUSER_ARGS}) is the script.
 */
export const SUPERUSER_COMMAND: readonly string[] = ['/bin/sh', '-c'];

/** Container `args` of the superuser execution: `cd /home/django && exec python3 manage.py shell -c "<SUPERUSER_PYTHON>"`. */
export const SUPERUSER_ARGS: readonly string[] = [`cd /home/django && exec python3 manage.py shell -c "${SUPERUSER_PYTHON}"`];

/**
 * Builds the `JobExecutionTemplate` that runs the superuser step in the init job's own container.
 *
 * Details: a start request with a template replaces the job's whole template for that execution
 * (nothing is inherited: env, image, resources and command all come from the request; execution
 * containers have no volume mounts). So the container is copied from the deployed job — its name,
 * image, resources and every env entry, `secretRef` entries by reference (the secrets themselves are
 * job-level configuration and stay available) — and only `command`/`args` are replaced. The step needs
 * no share: DJANGO_SECRET_KEY comes from the environment and Django only writes logs to the container's
 * ephemeral disk.
 *
 * Throws {@link DeployError} `BAD_INPUT` naming the field when the job has no such container, or the
 * container lacks the image, resources or one of {@link SUPERUSER_ENV}.
 *
 * @param job the deployed job (`GET …/jobs/{job}`)
 * @param containerName the container to override (the catalogue component's name, e.g. `cvat-init`);
 *   when absent and the job has exactly one container, that one
 * @see https://learn.microsoft.com/rest/api/resource-manager/containerapps/jobs/start
 * @see https://learn.microsoft.com/azure/container-apps/jobs#start-a-job-execution-on-demand
 */
export function superuserTemplate(job: Job, containerName: string): JobExecutionTemplate {
  const containers = job.template?.containers ?? [];
  const container = containers.find((c) => c.name === containerName) ?? (containers.length === 1 ? containers[0] : undefined);
  const where = `job '${job.name ?? '?'}'`;
  if (!container) {
    throw new DeployError(
      'BAD_INPUT',
      `${where}: 'template.containers' (${containers.map((c) => c.name).join(', ') || 'none'}) has no container named ` +
        `'${containerName}' to run the superuser step in`,
    );
  }
  const i = containers.indexOf(container);
  if (!container.image)
    throw new DeployError('BAD_INPUT', `${where}: 'template.containers[${i}].image' is empty; the superuser step needs the job's image`);
  if (container.resources?.cpu === undefined || !container.resources.memory) {
    throw new DeployError(
      'BAD_INPUT',
      `${where}: 'template.containers[${i}].resources' (${JSON.stringify(container.resources ?? {})}) must have cpu and memory`,
    );
  }
  const env = container.env ?? [];
  const missing = SUPERUSER_ENV.filter((name) => !env.some((e) => e.name === name && (e.value || e.secretRef)));
  if (missing.length) {
    throw new DeployError(
      'BAD_INPUT',
      `${where}: 'template.containers[${i}].env' lacks ${missing.join(', ')}; deploy the apps stack from the current catalogue ` +
        `(the cvat-init component carries DJANGO_SUPERUSER_*)`,
    );
  }
  const override: JobExecutionContainer = {
    name: container.name ?? containerName,
    image: container.image,
    command: [...SUPERUSER_COMMAND],
    args: [...SUPERUSER_ARGS],
    resources: { cpu: container.resources.cpu, memory: container.resources.memory },
    env: env.map((e): EnvironmentVar => (e.secretRef ? { name: e.name, secretRef: e.secretRef } : { name: e.name, value: e.value ?? '' })),
  };
  return { containers: [override] };
}

/** What the superuser step did. */
export interface SuperuserOutcome extends InitJobOutcome {
  /** The username the execution ensured (the job's `DJANGO_SUPERUSER_USERNAME` value). */
  readonly username?: string;
}

/**
 * Starts a second execution of the init job with the superuser override ({@link superuserTemplate})
 * and waits for it like the migrations (`runInitJob`). Returns the outcome for any terminal state; the
 * caller decides what a failure means.
 *
 * @param containerName the job's container, the catalogue component name (`cvat-init`)
 */
export async function runSuperuserStep(
  client: InitJobClient,
  options: Omit<RunInitJobOptions, 'template' | 'label' | 'step'> & { readonly containerName: string },
): Promise<SuperuserOutcome> {
  let job: Job;
  try {
    job = await client.jobs.get(options.resourceGroup, options.jobName);
  } catch (error) {
    throw new DeployError(
      'SUPERUSER_FAILED',
      `could not read job '${options.jobName}' in resource group '${options.resourceGroup}': ${(error as Error).message}`,
      {
        stackName: 'apps',
        step: 'superuser',
        cause: error,
      },
    );
  }
  const template = superuserTemplate(job, options.containerName);
  const username = template.containers![0].env!.find((e) => e.name === 'DJANGO_SUPERUSER_USERNAME')?.value;
  const outcome = await runInitJob(client, { ...options, template, label: 'superuser', step: 'superuser' });
  return { ...outcome, username };
}

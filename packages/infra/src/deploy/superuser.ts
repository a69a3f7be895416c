import type { Job, JobExecutionTemplate } from '@azure/arm-appcontainers';
import { type InitJobClient, type InitJobOutcome, initJobOverrideTemplate, type RunInitJobOptions, runInitJobOverride } from './init-job';

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
 * Builds the `JobExecutionTemplate` that runs the superuser step in the init job's own container (see
 * {@link initJobOverrideTemplate}: the deployed container copied, only `command`/`args` replaced). The step needs no
 * share: DJANGO_SECRET_KEY comes from the environment and Django only writes logs to the container's ephemeral disk.
 *
 * Throws {@link DeployError} `BAD_INPUT` naming the field when the job has no such container, or the container lacks the
 * image, resources or one of {@link SUPERUSER_ENV}.
 *
 * @param job the deployed job (`GET …/jobs/{job}`)
 * @param containerName the container to override (the catalogue component's name, e.g. `cvat-init`);
 *   when absent and the job has exactly one container, that one
 * @see https://learn.microsoft.com/azure/container-apps/jobs#start-a-job-execution-on-demand
 */
export function superuserTemplate(job: Job, containerName: string): JobExecutionTemplate {
  return initJobOverrideTemplate(job, containerName, {
    step: 'superuser',
    command: SUPERUSER_COMMAND,
    args: SUPERUSER_ARGS,
    requiredEnv: SUPERUSER_ENV,
    missingEnvHint: 'deploy the apps stack from the current catalogue (the cvat-init component carries DJANGO_SUPERUSER_*)',
  });
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
  const build = (job: Job) => superuserTemplate(job, options.containerName);
  const { outcome, value } = await runInitJobOverride(client, options, {
    build,
    code: 'SUPERUSER_FAILED',
    step: 'superuser',
    label: 'superuser',
  });
  return { ...outcome, username: value('DJANGO_SUPERUSER_USERNAME') };
}

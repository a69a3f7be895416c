import { describe, expect, it } from 'vitest';
import { ContainerAppJob } from '@cdktf/provider-azurerm/lib/container-app-job';
import { MigrationJob, QueueJob } from '../../src/constructs/migration-job';
import { ContainerAppService } from '../../src/constructs/container-app-service';
import { AppSecret, EnvVar, ScaleRule, Volume } from '../../src/constructs/app-spec';
import { onlyResource, synthScope } from '../support/synth';

const base = {
  name: 'cvat-init',
  resourceGroupName: 'rg',
  location: 'westeurope',
  environmentId: 'env-id',
  identityId: 'uai-id',
  image: 'cvat/server:v2.73.0',
};
const job = (props: Partial<ConstructorParameters<typeof MigrationJob>[2]> = {}) =>
  onlyResource(
    synthScope((scope) => new MigrationJob(scope, 'Init', { ...base, ...props })),
    'azurerm_container_app_job',
  );

describe('MigrationJob', () => {
  it('creates a manually triggered job with one run, a 3600 s timeout and 1 retry, when only required props are given', () => {
    const json = synthScope((scope) => new MigrationJob(scope, 'Init', base));
    expect(json).toHaveResourceWithProperties(ContainerAppJob, {
      name: 'cvat-init',
      location: 'westeurope',
      workload_profile_name: 'Consumption',
      replica_timeout_in_seconds: 3600,
      replica_retry_limit: 1,
      manual_trigger_config: { parallelism: 1, replica_completion_count: 1 },
      identity: { type: 'UserAssigned', identity_ids: ['uai-id'] },
    });
    expect(onlyResource(json, 'azurerm_container_app_job').schedule_trigger_config).toBeUndefined();
    expect(json).toMatchSnapshot();
  });

  it('renders the container, secrets and volumes, when all props are set', () => {
    const resource = job({
      args: ['init'],
      env: [EnvVar.fromSecret('DJANGO_SUPERUSER_PASSWORD', 'su')],
      secrets: [AppSecret.fromKeyVault('su', 'https://kv/secrets/su', 'uai-id')],
      volumes: [Volume.azureFile('cvat-data', 'cvat-data')],
      mounts: [{ volume: 'cvat-data', path: '/home/django/data' }],
      cpuCores: 1,
      memoryGiB: 2,
      replicaTimeoutSeconds: 1800,
      replicaRetryLimit: 0,
      parallelism: 2,
      tags: { a: 'b' },
    });
    expect(resource).toMatchObject({
      replica_timeout_in_seconds: 1800,
      replica_retry_limit: 0,
      manual_trigger_config: { parallelism: 2, replica_completion_count: 2 },
      tags: { a: 'b' },
    });
    expect(resource.secret).toEqual([{ name: 'su', key_vault_secret_id: 'https://kv/secrets/su', identity: 'uai-id' }]);
    expect(resource.template.container[0]).toMatchObject({
      args: ['init'],
      cpu: 1,
      memory: '2Gi',
      env: [{ name: 'DJANGO_SUPERUSER_PASSWORD', secret_name: 'su' }],
    });
    expect(resource.template.volume).toEqual([{ name: 'cvat-data', storage_type: 'AzureFile', storage_name: 'cvat-data' }]);
  });

  it('renders the container, secrets, volumes, identity, profile, dependencies and tags exactly like a container app with the same spec', () => {
    const spec = {
      image: 'cvat/server:v2.73.0',
      args: ['init'],
      env: [EnvVar.fromSecret('DJANGO_SUPERUSER_PASSWORD', 'su'), EnvVar.value('CVAT_POSTGRES_HOST', 'pg')],
      secrets: [AppSecret.fromKeyVault('su', 'https://kv/secrets/su', 'uai-id')],
      volumes: [Volume.azureFile('cvat-data', 'cvat-data')],
      mounts: [{ volume: 'cvat-data', path: '/home/django/data' }],
      cpuCores: 1,
      memoryGiB: 2,
      tags: { a: 'b' },
    };
    const jobJson = job(spec);
    const app = onlyResource(
      synthScope((scope) => new ContainerAppService(scope, 'Server', { ...base, ...spec, probes: {} })),
      'azurerm_container_app',
    );
    const shared = (r: Record<string, any>) => ({
      name: r.name,
      resource_group_name: r.resource_group_name,
      container_app_environment_id: r.container_app_environment_id,
      workload_profile_name: r.workload_profile_name,
      identity: r.identity,
      secret: r.secret,
      tags: r.tags,
      container: r.template.container,
      volume: r.template.volume,
    });
    expect(shared(jobJson)).toEqual(shared(app));
    expect(shared(jobJson).container[0]).toMatchObject({
      name: 'cvat-init',
      image: 'cvat/server:v2.73.0',
      volume_mounts: [{ name: 'cvat-data', path: '/home/django/data' }],
    });
  });

  it('throws error, when the replica timeout is 0', () => {
    expect(() => job({ replicaTimeoutSeconds: 0 })).toThrow("'replicaTimeoutSeconds' (0) must be an integer between 1 and 86400");
  });
  it('throws error, when the replica timeout is above a day', () => {
    expect(() => job({ replicaTimeoutSeconds: 86_401 })).toThrow("'replicaTimeoutSeconds' (86401) must be an integer between 1 and 86400");
  });
  it('throws error, when the retry limit is negative', () => {
    expect(() => job({ replicaRetryLimit: -1 })).toThrow("'replicaRetryLimit' (-1) must be an integer between 0 and 10");
  });
  it('completes a run after replicaCompletionCount successes, when it is set apart from parallelism', () => {
    const trigger = job({ parallelism: 3, replicaCompletionCount: 2 }).manual_trigger_config;
    expect(trigger).toEqual({ parallelism: 3, replica_completion_count: 2 });
  });
  it('throws error, when replicaCompletionCount is 0', () => {
    expect(() => job({ replicaCompletionCount: 0 })).toThrow("'replicaCompletionCount' (0) must be an integer between 1 and 100");
  });
  it('throws error, when parallelism is 0', () => {
    expect(() => job({ parallelism: 0 })).toThrow("'parallelism' (0) must be an integer between 1 and 100");
  });
  it('throws error, when the job name is invalid', () => {
    expect(() => job({ name: 'Cvat-Init' })).toThrow("'name' (Cvat-Init) must use lowercase letters");
  });
  it('throws error, when the container spec is invalid (the shared container checks apply)', () => {
    expect(() => job({ cpuCores: 0.3, memoryGiB: 0.6 })).toThrow("'cpuCores'/'memoryGiB' (0.3/0.6) must be a Consumption pair");
  });
});

describe('QueueJob', () => {
  const redisRule = (name = 'rq-import') =>
    ScaleRule.redisList({
      name,
      address: 'cvat-redis-inmem:6379',
      listName: 'rq:queue:import',
      listLength: 1,
      passwordSecretName: 'redis',
    });
  const queueBase = {
    ...base,
    name: 'cvat-job-import',
    secrets: [AppSecret.fromKeyVault('redis', 'https://kv/secrets/redis', 'uai-id')],
    replicaTimeoutSeconds: 86_400,
    maxExecutions: 3,
    scaleRules: [redisRule()],
  };
  const queueJob = (props: Partial<ConstructorParameters<typeof QueueJob>[2]> = {}) =>
    onlyResource(
      synthScope((scope) => new QueueJob(scope, 'Import', { ...queueBase, ...props })),
      'azurerm_container_app_job',
    );

  it('renders an event trigger with the redis list rule, its secret auth and the executions, and no manual trigger', () => {
    const resource = queueJob({ pollingIntervalSeconds: 15 });
    expect(resource.manual_trigger_config).toBeUndefined();
    expect(resource).toMatchObject({ replica_timeout_in_seconds: 86_400, replica_retry_limit: 0 });
    expect(resource.event_trigger_config).toEqual({
      parallelism: 1,
      replica_completion_count: 1,
      scale: [
        {
          max_executions: 3,
          polling_interval_in_seconds: 15,
          rules: [
            {
              name: 'rq-import',
              custom_rule_type: 'redis',
              metadata: {
                address: 'cvat-redis-inmem:6379',
                listName: 'rq:queue:import',
                listLength: '1',
                databaseIndex: '0',
                enableTLS: 'false',
              },
              authentication: [{ secret_name: 'redis', trigger_parameter: 'password' }],
            },
          ],
        },
      ],
    });
  });

  it('sends min_executions only when it is not the provider default 0', () => {
    expect(queueJob().event_trigger_config.scale[0].min_executions).toBeUndefined();
    expect(queueJob({ minExecutions: 1 }).event_trigger_config.scale[0].min_executions).toBe(1);
  });

  it.each<[string, Partial<ConstructorParameters<typeof QueueJob>[2]>, RegExp]>([
    ['no scale rule', { scaleRules: [] }, /'scaleRules' \(\[\]\) must name at least one rule/],
    ['an http rule', { scaleRules: [ScaleRule.http('web', 10)] }, /'scaleRules\[0\]\.kind' \(http\) must be custom/],
    ['an undeclared auth secret', { secrets: [] }, /'scaleRules\[0\]\.auth\[0\]\.secretName' \(redis\) must name one of the job's secrets/],
    ['two rules with one name', { scaleRules: [redisRule(), redisRule()] }, /'scaleRules\[1\]\.name' \(rq-import\) is declared twice/],
    ['a rule name with "_"', { scaleRules: [redisRule('rq_import')] }, /'scaleRules\[0\]\.name' \(rq_import\) must be lowercase/],
    ['0 executions', { maxExecutions: 0 }, /'maxExecutions' \(0\)/],
    ['a polling interval of 0', { pollingIntervalSeconds: 0 }, /'pollingIntervalSeconds' \(0\)/],
    ['a timeout above 24 h', { replicaTimeoutSeconds: 86_401 }, /'replicaTimeoutSeconds' \(86401\)/],
  ])('refuses %s, naming the field and value', (_what, props, message) => {
    expect(() => queueJob(props)).toThrow(message);
  });
});

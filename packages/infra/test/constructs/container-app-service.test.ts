import { describe, expect, it } from 'vitest';
import { ContainerApp } from '@cdktf/provider-azurerm/lib/container-app';
import { ContainerAppService, RevisionMode } from '../../src/constructs/container-app-service';
import { AppSecret, EnvVar, Ingress, Probe, ScaleRule, Volume, WorkloadProfile } from '../../src/constructs/app-spec';
import { onlyResource, synthScope } from '../support/synth';

const base = { name: 'web', resourceGroupName: 'rg', environmentId: 'env-id', identityId: 'uai-id', image: 'nginx:1.27.0' };
const kv = (name: string) => AppSecret.fromKeyVault(name, `https://kv.vault.azure.net/secrets/${name}`, 'uai-id');

function app(props: Partial<ConstructorParameters<typeof ContainerAppService>[2]> = {}) {
  return onlyResource(
    synthScope((scope) => new ContainerAppService(scope, 'Web', { ...base, ...props })),
    'azurerm_container_app',
  );
}

describe('ContainerAppService', () => {
  it('creates a single-revision app with 1 replica, 0.5 vCPU / 1Gi and the identity, when only required props are given', () => {
    // GIVEN / WHEN
    const json = synthScope((scope) => new ContainerAppService(scope, 'Web', base));
    // THEN
    expect(json).toHaveResourceWithProperties(ContainerApp, {
      name: 'web',
      revision_mode: 'Single',
      workload_profile_name: 'Consumption',
      container_app_environment_id: 'env-id',
      identity: { type: 'UserAssigned', identity_ids: ['uai-id'] },
      template: {
        min_replicas: 1,
        max_replicas: 1,
        container: [expect.objectContaining({ name: 'web', image: 'nginx:1.27.0', cpu: 0.5, memory: '1Gi' })],
      },
    });
    const resource = onlyResource(json, 'azurerm_container_app');
    expect(resource.ingress).toBeUndefined();
    expect(resource.secret).toBeUndefined();
    expect(json).toMatchSnapshot();
  });

  it('renders every prop, when all props are set', () => {
    const resource = app({
      containerName: 'main',
      command: ['/entrypoint.sh'],
      args: ['run', 'server'],
      env: [EnvVar.value('MODE', 'prod'), EnvVar.fromSecret('DB_PASSWORD', 'db-password')],
      secrets: [kv('db-password')],
      volumes: [
        Volume.azureFile('data', 'data-storage', 'uid=1000'),
        Volume.emptyDir('scratch'),
        Volume.nfsAzureFile('cache', 'cache-storage'),
      ],
      mounts: [
        { volume: 'data', path: '/data', subPath: 'sub' },
        { volume: 'scratch', path: '/tmp/scratch' },
        { volume: 'cache', path: '/cache' },
      ],
      cpuCores: 1.25,
      memoryGiB: 2.5,
      minReplicas: 2,
      maxReplicas: 5,
      ingress: Ingress.tcp({ targetPort: 8080, exposedPort: 9090, external: true }),
      probes: {
        liveness: Probe.http({
          port: 8080,
          path: '/health',
          headers: [{ name: 'Host', value: 'web' }],
          periodSeconds: 30,
          timeoutSeconds: 10,
          failureThreshold: 5,
          initialDelaySeconds: 3,
        }),
        readiness: Probe.tcp({ port: 8080 }),
        startup: Probe.http({ port: 8080, path: '/ready', failureThreshold: 30 }),
      },
      scaleRules: [
        ScaleRule.redisList({
          name: 'rq-import',
          address: 'redis:6379',
          listName: 'rq:queue:import',
          listLength: 2,
          passwordSecretName: 'db-password',
        }),
        ScaleRule.http('http', 50),
      ],
      revisionMode: RevisionMode.MULTIPLE,
      terminationGracePeriodSeconds: 120,
      tags: { team: 'ml' },
    });
    expect(resource.revision_mode).toBe('Multiple');
    expect(resource.tags).toEqual({ team: 'ml' });
    expect(resource.ingress).toEqual({
      transport: 'tcp',
      target_port: 8080,
      exposed_port: 9090,
      external_enabled: true,
      allow_insecure_connections: false,
      traffic_weight: [{ latest_revision: true, percentage: 100 }],
    });
    expect(resource.secret).toEqual([
      { name: 'db-password', key_vault_secret_id: 'https://kv.vault.azure.net/secrets/db-password', identity: 'uai-id' },
    ]);
    const template = resource.template;
    expect(template).toMatchObject({ min_replicas: 2, max_replicas: 5, termination_grace_period_seconds: 120 });
    const container = template.container[0];
    expect(container).toMatchObject({ name: 'main', command: ['/entrypoint.sh'], args: ['run', 'server'], cpu: 1.25, memory: '2.5Gi' });
    expect(container.env).toEqual([
      { name: 'MODE', value: 'prod' },
      { name: 'DB_PASSWORD', secret_name: 'db-password' },
    ]);
    expect(container.volume_mounts).toEqual([
      { name: 'data', path: '/data', sub_path: 'sub' },
      { name: 'scratch', path: '/tmp/scratch' },
      { name: 'cache', path: '/cache' },
    ]);
    expect(template.volume).toEqual([
      { name: 'data', storage_type: 'AzureFile', storage_name: 'data-storage', mount_options: 'uid=1000' },
      { name: 'scratch', storage_type: 'EmptyDir' },
      { name: 'cache', storage_type: 'NfsAzureFile', storage_name: 'cache-storage' },
    ]);
    expect(container.liveness_probe).toEqual([
      {
        transport: 'HTTP',
        port: 8080,
        path: '/health',
        initial_delay: 3,
        interval_seconds: 30,
        timeout: 10,
        failure_count_threshold: 5,
        header: [{ name: 'Host', value: 'web' }],
      },
    ]);
    // Timings left out stay out of the JSON, so the provider's defaults apply (AZURERM_CONTAINER_APP_DEFAULTS.probe).
    expect(container.readiness_probe).toEqual([{ transport: 'TCP', port: 8080 }]);
    expect(container.startup_probe).toEqual([{ transport: 'HTTP', port: 8080, path: '/ready', failure_count_threshold: 30 }]);
    expect(template.custom_scale_rule).toEqual([
      {
        name: 'rq-import',
        custom_rule_type: 'redis',
        metadata: { address: 'redis:6379', listName: 'rq:queue:import', listLength: '2', databaseIndex: '0', enableTLS: 'false' },
        authentication: [{ secret_name: 'db-password', trigger_parameter: 'password' }],
      },
    ]);
    expect(template.http_scale_rule).toEqual([{ name: 'http', concurrent_requests: '50' }]);
  });

  it('renders probe headers name to name and value to value (reference failure #14: value = header.value.name)', () => {
    const resource = app({ probes: { startup: Probe.http({ port: 80, path: '/', headers: [{ name: 'Host', value: 'cvat-server' }] }) } });
    expect(resource.template.container[0].startup_probe[0].header).toEqual([{ name: 'Host', value: 'cvat-server' }]);
  });

  it('sets the exposed port to the target port, when TCP ingress gives none', () => {
    expect(app({ ingress: Ingress.tcp({ targetPort: 8181 }) }).ingress).toMatchObject({
      target_port: 8181,
      exposed_port: 8181,
      external_enabled: false,
    });
  });

  it('renders HTTP ingress without an exposed port, when ingress is http', () => {
    const ingress = app({ ingress: Ingress.http({ targetPort: 3000, external: true }) }).ingress;
    expect(ingress).toMatchObject({ transport: 'http', target_port: 3000, external_enabled: true });
    expect(ingress.exposed_port).toBeUndefined();
  });

  it('names a dedicated workload profile and allows a non-Consumption pair, when the profile is dedicated', () => {
    const resource = app({ workloadProfile: WorkloadProfile.dedicated('D4', { cpuCores: 4, memoryGiB: 16 }), cpuCores: 2, memoryGiB: 8 });
    expect(resource.workload_profile_name).toBe('D4');
    expect(resource.template.container[0]).toMatchObject({ cpu: 2, memory: '8Gi' });
  });

  it('allows minReplicas 0, when the app has a scale rule', () => {
    expect(app({ minReplicas: 0, maxReplicas: 3, scaleRules: [ScaleRule.tcp('tcp', 10)] }).template).toMatchObject({
      min_replicas: 0,
      max_replicas: 3,
    });
  });

  it('exposes the in-environment address as name:exposed port', () => {
    let address: string | undefined;
    synthScope(
      (scope) =>
        (address = new ContainerAppService(scope, 'Opa', { ...base, name: 'opa', ingress: Ingress.tcp({ targetPort: 8181 }) })
          .internalAddress),
    );
    expect(address).toBe('opa:8181');
  });

  describe('validation', () => {
    const build = (props: Partial<ConstructorParameters<typeof ContainerAppService>[2]>) => () => app(props);
    it('throws error, when the name has an underscore', () => {
      expect(build({ name: 'cvat_server' })).toThrow(
        "Web: 'name' (cvat_server) must use lowercase letters, digits and '-', start with a letter, end with a letter or digit and contain no '--'",
      );
    });
    it('throws error, when the name is longer than 32 characters', () => {
      expect(build({ name: 'a'.repeat(33) })).toThrow(`'name' (${'a'.repeat(33)}) must be 2-32 characters long, is 33`);
    });
    it('throws error, when the name is 1 character', () => {
      expect(build({ name: 'a' })).toThrow("'name' (a) must be 2-32 characters long, is 1");
    });
    it('throws error, when CPU and memory are not a Consumption pair', () => {
      expect(build({ cpuCores: 0.5, memoryGiB: 2 })).toThrow("'cpuCores'/'memoryGiB' (0.5/2) must be a Consumption pair");
    });
    it('throws error, when CPU is above 4 vCPU on Consumption', () => {
      expect(build({ cpuCores: 4.25, memoryGiB: 8.5 })).toThrow("'cpuCores'/'memoryGiB' (4.25/8.5) must be a Consumption pair");
    });
    it('throws error, when the allocation does not fit a dedicated node', () => {
      expect(
        build({ workloadProfile: WorkloadProfile.dedicated('D4', { cpuCores: 4, memoryGiB: 16 }), cpuCores: 5, memoryGiB: 8 }),
      ).toThrow("'cpuCores'/'memoryGiB' (5/8) must fit on one D4 node (4 vCPU / 16 GiB)");
    });
    it('throws error, when maxReplicas is above 300', () => {
      expect(build({ maxReplicas: 301 })).toThrow("'maxReplicas' (301) must be an integer between 1 and 300");
    });
    it('throws error, when minReplicas is negative', () => {
      expect(build({ minReplicas: -1 })).toThrow("'minReplicas' (-1) must be an integer between 0 and 300");
    });
    it('throws error, when maxReplicas is below minReplicas', () => {
      expect(build({ minReplicas: 3, maxReplicas: 2 })).toThrow("'minReplicas' (3) must be less than or equal to 'maxReplicas' (2)");
    });
    it('throws error, when a worker without ingress or scale rule may scale to zero', () => {
      expect(build({ minReplicas: 0, maxReplicas: 2 })).toThrow(
        "'minReplicas' (0) with no ingress and no scale rule scales to zero and never wakes up",
      );
    });
    it('throws error, when the TCP exposed port is 443', () => {
      expect(build({ ingress: Ingress.tcp({ targetPort: 8080, exposedPort: 443 }) })).toThrow(
        "'ingress.exposedPort' (443) must be between 1 and 65535 and not 80 or 443",
      );
    });
    it('throws error, when the target port is 0', () => {
      expect(build({ ingress: Ingress.http({ targetPort: 0 }) })).toThrow(
        "'ingress.targetPort' (0) must be an integer between 1 and 65535",
      );
    });
    it('throws error, when the image has no tag', () => {
      expect(build({ image: 'docker.io/cvat/server' })).toThrow(
        "'image' (docker.io/cvat/server) must be 'repository:tag' or 'repository@sha256:<digest>'",
      );
    });
    it('throws error, when an env var references an undeclared secret', () => {
      expect(build({ env: [EnvVar.fromSecret('X', 'missing')] })).toThrow(
        "'env[0].secretName' (missing) must name one of the app's secrets (none declared)",
      );
    });
    it('throws error, when an env var is set twice', () => {
      expect(build({ env: [EnvVar.value('X', '1'), EnvVar.value('X', '2')] })).toThrow("'env[1].name' (X) is set twice");
    });
    it('throws error, when a secret name has capitals', () => {
      expect(build({ secrets: [kv('DbPassword')] })).toThrow("'secrets[0].name' (DbPassword) must be lowercase letters, digits and '-'");
    });
    it('throws error, when a secret is declared twice', () => {
      expect(build({ secrets: [kv('a'), kv('a')] })).toThrow("'secrets[1].name' (a) is declared twice");
    });
    it('throws error, when a mount names an undeclared volume', () => {
      expect(build({ mounts: [{ volume: 'data', path: '/data' }] })).toThrow(
        "'mounts[0].volume' (data) must name one of the declared volumes (none declared)",
      );
    });
    it('throws error, when a mount path is relative', () => {
      expect(build({ volumes: [Volume.emptyDir('data')], mounts: [{ volume: 'data', path: 'data' }] })).toThrow(
        "'mounts[0].path' (data) must be an absolute path",
      );
    });
    it('throws error, when a volume name has a dot', () => {
      expect(build({ volumes: [Volume.emptyDir('credentials.json')] })).toThrow(
        "'volumes[0].name' (credentials.json) must be lowercase letters, digits and '-'",
      );
    });
    it('throws error, when a volume is declared twice', () => {
      expect(build({ volumes: [Volume.emptyDir('a'), Volume.emptyDir('a')] })).toThrow("'volumes[1].name' (a) is declared twice");
    });
    it('throws error, when a liveness failure threshold is above 30', () => {
      expect(build({ probes: { liveness: Probe.tcp({ port: 80, failureThreshold: 31 }) } })).toThrow(
        "'probes.liveness.failureThreshold' (31) must be an integer between 1 and 30",
      );
    });
    it('throws error, when a probe interval is 0', () => {
      expect(build({ probes: { readiness: Probe.tcp({ port: 80, periodSeconds: 0 }) } })).toThrow(
        "'probes.readiness.periodSeconds' (0) must be an integer between 1 and 240",
      );
    });
    it('throws error, when a probe initial delay is above 60', () => {
      expect(build({ probes: { startup: Probe.tcp({ port: 80, initialDelaySeconds: 61 }) } })).toThrow(
        "'probes.startup.initialDelaySeconds' (61) must be an integer between 0 and 60",
      );
    });
    it('throws error, when a probe port is out of range', () => {
      expect(build({ probes: { startup: Probe.tcp({ port: 70000 }) } })).toThrow(
        "'probes.startup.port' (70000) must be an integer between 1 and 65535",
      );
    });
    it('throws error, when an HTTP probe path does not start with /', () => {
      expect(build({ probes: { liveness: Probe.http({ port: 80, path: 'health' }) } })).toThrow(
        "'probes.liveness.path' (health) must start with '/'",
      );
    });
    it('throws error, when a scale rule authenticates with an undeclared secret', () => {
      expect(
        build({ scaleRules: [ScaleRule.redisList({ name: 'rq', address: 'r:6379', listName: 'l', passwordSecretName: 'pw' })] }),
      ).toThrow("'scaleRules[0].auth[0].secretName' (pw) must name one of the app's secrets (none declared)");
    });
    it('throws error, when a scale rule name has an underscore', () => {
      expect(build({ scaleRules: [ScaleRule.http('rq_import', 10)] })).toThrow(
        "'scaleRules[0].name' (rq_import) must be lowercase letters, digits, '-' and '.'",
      );
    });
    it('throws error, when two scale rules share a name', () => {
      expect(build({ scaleRules: [ScaleRule.http('aa', 10), ScaleRule.tcp('aa', 10)] })).toThrow(
        "'scaleRules[1].name' (aa) is declared twice",
      );
    });
    it('throws error, when the termination grace period is above 600 seconds', () => {
      expect(build({ terminationGracePeriodSeconds: 601 })).toThrow(
        "'terminationGracePeriodSeconds' (601) must be an integer between 0 and 600",
      );
    });
  });
});

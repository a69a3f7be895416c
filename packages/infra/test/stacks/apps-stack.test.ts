import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPA_SERVER_IMAGE_ENV, type Component } from '@cvat-cloud/catalogue';
import { configWith, catalogueFor, synthesize, type Synthesized } from '../support/synth';

type Resource = Record<string, any>;
const REMOTE = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-foundation\.outputs\.(cross-stack-output-[A-Za-z0-9_-]+)\}$/;

describe('AppsStack (example environment)', () => {
  let s: Synthesized;
  let apps: Record<string, Resource>;
  let jobs: Record<string, Resource>;
  let foundationOutputs: Record<string, { value: string; sensitive: boolean }>;
  /** Follows a cross-stack reference to the foundation expression it carries. */
  const viaFoundation = (value: string) => {
    const m = REMOTE.exec(value);
    if (!m) throw new Error(`not a cross-stack reference: ${value}`);
    return foundationOutputs[m[1]].value;
  };

  beforeAll(() => {
    s = synthesize();
    const json = s.stack('apps');
    apps = Object.fromEntries(Object.values(json.resource.azurerm_container_app as Record<string, Resource>).map((r) => [r.name, r]));
    jobs = Object.fromEntries(Object.values(json.resource.azurerm_container_app_job as Record<string, Resource>).map((r) => [r.name, r]));
    foundationOutputs = s.stack('foundation').output as never;
  });
  afterAll(() => s.dispose());

  const deployed = () => s.catalogue.components.filter((c) => c.enabled && c.role !== 'edge');
  const resourceOf = (c: Component) => (c.role === 'job' ? jobs[c.name] : apps[c.name]);

  it('creates one container app per enabled non-job component and one job per job component, named like the components', () => {
    expect(Object.keys(apps).sort()).toEqual(
      deployed()
        .filter((c) => c.role !== 'job')
        .map((c) => c.name)
        .sort(),
    );
    expect(Object.keys(jobs).sort()).toEqual(
      ['cvat-init', 'cvat-job-annotation', 'cvat-job-consensus', 'cvat-job-export', 'cvat-job-import', 'cvat-job-quality-reports'].sort(),
    );
    expect(jobs['cvat-init'].manual_trigger_config).toEqual({ parallelism: 1, replica_completion_count: 1 });
    expect(jobs['cvat-init'].event_trigger_config).toBeUndefined();
    expect(apps.grafana).toBeUndefined();
  });

  it('renders the queue jobs as event-driven jobs: a redis rule on rq:queue:<queue>, executions from the catalogue, no manual trigger', () => {
    for (const c of deployed().filter((x) => x.role === 'job' && x.job?.trigger === 'event')) {
      const job = jobs[c.name];
      expect(job.manual_trigger_config, c.name).toBeUndefined();
      expect(job.replica_timeout_in_seconds, c.name).toBe(c.job!.replicaTimeoutSeconds);
      expect(job.replica_retry_limit, c.name).toBe(0);
      expect(job.event_trigger_config, c.name).toEqual({
        parallelism: 1,
        replica_completion_count: 1,
        scale: [
          {
            max_executions: c.job!.scale!.maxExecutions,
            polling_interval_in_seconds: c.job!.scale!.pollingIntervalSeconds,
            rules: c.queues.map((q) => ({
              name: `rq-${q.replace(/_/g, '-')}`,
              custom_rule_type: 'redis',
              metadata: {
                address: 'cvat-redis-inmem:6379',
                listName: `rq:queue:${q}`,
                listLength: '1',
                databaseIndex: '0',
                enableTLS: 'false',
              },
              authentication: [{ secret_name: 'redis-inmem-password', trigger_parameter: 'password' }],
            })),
          },
        ],
      });
      // the scale rule's password is one of the job's Key Vault secrets
      expect(
        (job.secret as { name: string }[]).map((x) => x.name),
        c.name,
      ).toContain('redis-inmem-password');
      expect(job.template.container[0].args, c.name).toContain('--burst');
    }
  });

  it('renders each component image, command, args, cpu and memory from the catalogue', () => {
    for (const c of deployed()) {
      const container = resourceOf(c).template.container[0];
      expect(container.image, c.name).toBe(`${c.image.repository}:${c.image.tag}`);
      expect(container.command, c.name).toEqual(c.command);
      expect(container.args, c.name).toEqual(c.args);
      expect(container.cpu, c.name).toBe(c.resources.cpuCores);
      expect(container.memory, c.name).toBe(`${c.resources.memoryGiB}Gi`);
    }
  });

  it(
    'renders each env var in catalogue order: literals as values, secrets as secret_name, component refs as in-environment ' +
      'addresses or image references, PostgreSQL by FQDN',
    () => {
      for (const c of deployed()) {
        const env = resourceOf(c).template.container[0].env as Resource[];
        expect(
          env.map((e) => e.name),
          c.name,
        ).toEqual(c.env.map((e) => e.name));
        c.env.forEach((e, i) => {
          if ('value' in e) expect(env[i], `${c.name} ${e.name}`).toEqual({ name: e.name, value: e.value });
          else if ('secretRef' in e) expect(env[i], `${c.name} ${e.name}`).toEqual({ name: e.name, secret_name: e.secretRef });
          else if ('componentRef' in e) {
            const target = s.catalogue.components.find((x) => x.name === e.componentRef.component) as Component;
            const port = target.ingress?.transport === 'tcp' ? (target.ingress.exposedPort ?? target.ingress.targetPort) : 80;
            const expected = {
              host: target.name,
              port: String(port),
              url: target.ingress?.transport === 'tcp' ? `http://${target.name}:${port}` : `http://${target.name}`,
              image: `${target.image.repository}:${target.image.tag}`,
            }[e.componentRef.part];
            expect(env[i].value, `${c.name} ${e.name}`).toBe(expected);
          } else {
            expect(e.platformRef).toBe('postgres.host');
            expect(viaFoundation(env[i].value), `${c.name} ${e.name}`).toMatch(
              /^\$\{azurerm_postgresql_flexible_server\.Postgres_[A-Z0-9]+\.fqdn\}$/,
            );
          }
        });
      }
    },
  );

  it("references every component secret from Key Vault by versionless id through the app's own identity (none without secrets)", () => {
    for (const c of deployed()) {
      const secrets = (resourceOf(c).secret ?? []) as Resource[];
      expect(
        secrets.map((x) => x.name),
        c.name,
      ).toEqual(c.secrets);
      for (const secret of secrets) {
        const kvName = s.catalogue.secrets.find((x) => x.name === secret.name)?.keyVaultName;
        expect(viaFoundation(secret.key_vault_secret_id)).toMatch(
          new RegExp(`^\\$\\{azurerm_key_vault_secret\\.KeyVault_Secrets_${kvName}_[A-Z0-9]+\\.versionless_id\\}$`),
        );
        expect(viaFoundation(secret.identity)).toMatch(/^\$\{azurerm_user_assigned_identity\.[A-Za-z0-9_-]+\.id\}$/);
        expect(viaFoundation(secret.identity)).not.toContain('AppsIdentity');
        expect(secret.identity, c.name).toBe(resourceOf(c).identity.identity_ids[0]);
        expect(secret.value).toBeUndefined();
      }
      if (c.secrets.length === 0) expect(resourceOf(c).identity, c.name).toBeUndefined();
      else expect(resourceOf(c).identity.identity_ids, c.name).toHaveLength(1);
    }
    // no two apps share an identity
    const ids = deployed()
      .filter((c) => c.secrets.length)
      .map((c) => resourceOf(c).identity.identity_ids[0]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('mounts each catalogue mount: SMB through the environment storage with its mount options, ephemeral as EmptyDir', () => {
    for (const c of deployed()) {
      const r = resourceOf(c);
      expect(r.template.container[0].volume_mounts ?? [], c.name).toEqual(
        c.mounts.map((m) =>
          m.subPath ? { name: m.storage, path: m.mountPath, sub_path: m.subPath } : { name: m.storage, path: m.mountPath },
        ),
      );
      for (const v of (r.template.volume ?? []) as Resource[]) {
        const storage = s.catalogue.storages.find((x) => x.name === v.name);
        if (storage?.kind === 'ephemeral') expect(v, `${c.name} ${v.name}`).toEqual({ name: v.name, storage_type: 'EmptyDir' });
        else {
          expect(v.storage_type).toBe('AzureFile');
          expect(v.mount_options).toBe(storage?.mountOptions);
          expect(viaFoundation(v.storage_name)).toMatch(
            new RegExp(`^\\$\\{azurerm_container_app_environment_storage\\.Environment_Storages_${v.name}_[A-Z0-9]+\\.name\\}$`),
          );
        }
      }
    }
  });

  it('renders replicas, ingress with explicit exposed ports, probes and KEDA rules from the catalogue', () => {
    for (const c of deployed().filter((x) => x.role !== 'job')) {
      const r = apps[c.name];
      expect(r.template, c.name).toMatchObject({ min_replicas: c.replicas.min, max_replicas: c.replicas.max });
      if (c.ingress) {
        expect(r.ingress, c.name).toMatchObject({
          transport: c.ingress.transport,
          target_port: c.ingress.targetPort,
          external_enabled: c.ingress.external,
        });
        if (c.ingress.transport === 'tcp') expect(r.ingress.exposed_port, c.name).toBe(c.ingress.exposedPort ?? c.ingress.targetPort);
      } else expect(r.ingress, c.name).toBeUndefined();
      const container = r.template.container[0];
      for (const slot of ['liveness', 'readiness', 'startup'] as const) {
        const probe = c.probes[slot];
        const rendered = container[`${slot}_probe`];
        if (!probe) {
          expect(rendered, `${c.name} ${slot}`).toBeUndefined();
          continue;
        }
        expect(rendered[0], `${c.name} ${slot}`).toMatchObject({
          transport: probe.type.toUpperCase(),
          port: probe.port,
          interval_seconds: probe.periodSeconds,
          timeout: probe.timeoutSeconds,
          failure_count_threshold: probe.failureThreshold,
          initial_delay: probe.initialDelaySeconds,
        });
        if (probe.path) expect(rendered[0].path).toBe(probe.path);
        if (probe.headers) expect(rendered[0].header).toEqual(probe.headers);
      }
      expect(
        (r.template.custom_scale_rule ?? []).map((x: Resource) => x.name),
        c.name,
      ).toEqual(c.scaleRules.map((x) => x.name));
      for (const rule of c.scaleRules) {
        const rendered = (r.template.custom_scale_rule as Resource[]).find((x) => x.name === rule.name);
        expect(rendered).toEqual({
          name: rule.name,
          custom_rule_type: 'redis',
          metadata: rule.metadata,
          authentication: (rule.auth ?? []).map((a) => ({ secret_name: a.secretRef, trigger_parameter: a.triggerParameter })),
        });
      }
    }
  });

  it('keeps the names CVAT resolves inside the environment: opa on 8181, the Redis hosts, vector and clickhouse', () => {
    expect(apps.opa.ingress).toMatchObject({ transport: 'tcp', exposed_port: 8181, external_enabled: false });
    const server = apps['cvat-server'].template.container[0].env as Resource[];
    const value = (name: string) => server.find((e) => e.name === name)?.value;
    expect([
      value('CVAT_OPA_URL'),
      value('CVAT_REDIS_INMEM_HOST'),
      value('CVAT_REDIS_ONDISK_HOST'),
      value('DJANGO_LOG_SERVER_HOST'),
      value('CLICKHOUSE_HOST'),
    ]).toEqual(['http://opa:8181', 'cvat-redis-inmem', 'cvat-redis-ondisk', 'vector', 'clickhouse']);
  });

  it("gives OPA the server's image, so a new server image changes OPA's template too, and creates OPA after the server", () => {
    const server = apps['cvat-server'].template.container[0].image as string;
    expect(server).toBe(`cvat/server:${s.config.cvatVersion}`);
    expect((apps.opa.template.container[0].env as Resource[]).find((e) => e.name === OPA_SERVER_IMAGE_ENV)).toEqual({
      name: OPA_SERVER_IMAGE_ENV,
      value: server,
    });
    expect(apps.opa.revision_mode).toBe('Single');
    expect(apps.opa.depends_on).toHaveLength(1);
    expect(apps.opa.depends_on[0]).toMatch(/^azurerm_container_app\.cvat-server_[A-Z0-9]+$/);
    const opaTemplate = (x: Synthesized) =>
      (Object.values(x.stack('apps').resource.azurerm_container_app as Record<string, Resource>).find((r) => r.name === 'opa') as Resource)
        .template;
    const config = configWith({ cvatVersion: 'v2.74.0' });
    const upgraded = synthesize(config, catalogueFor(config));
    try {
      const template = opaTemplate(upgraded);
      expect(template.container[0].env).toEqual([{ name: OPA_SERVER_IMAGE_ENV, value: 'cvat/server:v2.74.0' }]);
      // the image is the only difference in OPA's template
      expect({ ...template, container: [{ ...template.container[0], env: undefined }] }).toEqual({
        ...apps.opa.template,
        container: [{ ...apps.opa.template.container[0], env: undefined }],
      });
    } finally {
      upgraded.dispose();
    }
  });

  it('makes server and UI reachable VNet-wide with TCP ingress on an internal environment (reference failure #4: "Limited to VNet")', () => {
    expect(apps['cvat-server'].ingress).toMatchObject({ transport: 'tcp', exposed_port: 8080, external_enabled: true });
    expect(apps['cvat-ui'].ingress).toMatchObject({ transport: 'tcp', exposed_port: 8000, external_enabled: true });
    const env = Object.values(s.stack('foundation').resource.azurerm_container_app_environment as Record<string, Resource>)[0];
    expect(env.internal_load_balancer_enabled).toBe(true);
  });

  it('creates apps after the deployed components they depend on (reference failure #2: vector could not resolve clickhouse)', () => {
    const json = s.stack('apps');
    const idOf = (name: string) => {
      const entry = Object.entries({ ...json.resource.azurerm_container_app, ...json.resource.azurerm_container_app_job } as Record<
        string,
        Resource
      >).find(([, r]) => r.name === name);
      return entry && `${entry[1].manual_trigger_config ? 'azurerm_container_app_job' : 'azurerm_container_app'}.${entry[0]}`;
    };
    for (const c of deployed()) {
      const expected = c.dependsOn.filter((d) => deployed().some((x) => x.name === d)).map(idOf);
      expect(resourceOf(c).depends_on ?? [], c.name).toEqual(expected);
    }
    expect(apps.vector.depends_on).toEqual([idOf('clickhouse')]);
  });

  it('reads foundation values through terraform_remote_state from the same local backend, exported as sensitive outputs', () => {
    const json = s.stack('apps');
    expect(json.data.terraform_remote_state['cross-stack-reference-input-foundation']).toMatchObject({
      backend: 'local',
      config: { path: '../../../state/example/foundation.tfstate' },
    });
    expect(json.data.terraform_remote_state['cross-stack-reference-input-foundation'].config.path).toBe(
      s.stack('foundation').terraform.backend.local.path,
    );
    const crossStack = Object.entries(foundationOutputs).filter(([k]) => k.startsWith('cross-stack-output-'));
    expect(crossStack.length).toBeGreaterThan(10);
    expect(crossStack.every(([, o]) => o.sensitive)).toBe(true);
    expect(json.resource.azurerm_container_app_environment).toBeUndefined();
  });

  it('stores each stack under its own blob and reads foundation through an azurerm remote state, when the backend is azurerm', () => {
    const config = configWith({
      stateBackend: {
        type: 'azurerm',
        resourceGroup: 'tfstate-rg',
        storageAccount: 'cvattfstate',
        container: 'tfstate',
        key: 'cvat-example',
      },
    });
    const remote = synthesize(config, catalogueFor(config));
    try {
      for (const name of ['foundation', 'apps', 'edge']) {
        expect(remote.stack(name).terraform.backend.azurerm, name).toEqual({
          resource_group_name: 'tfstate-rg',
          storage_account_name: 'cvattfstate',
          container_name: 'tfstate',
          key: `cvat-example.${name}.tfstate`,
          use_azuread_auth: true,
        });
      }
      expect(remote.stack('apps').data.terraform_remote_state['cross-stack-reference-input-foundation']).toMatchObject({
        backend: 'azurerm',
        config: { key: 'cvat-example.foundation.tfstate', container_name: 'tfstate', storage_account_name: 'cvattfstate' },
      });
    } finally {
      remote.dispose();
    }
  });

  it('renders the chunks worker brought back by queueRunners with an overridden replica count, and a disabled optional component', () => {
    const defaults = Object.values(s.stack('apps').resource.azurerm_container_app as Record<string, Resource>);
    expect(defaults.map((r) => r.name)).not.toContain('cvat-worker-chunks');
    // by default chunks runs in an RQ worker process of its own on the utils worker
    expect(defaults.find((r) => r.name === 'cvat-worker-utils')?.template.container[0].args).toEqual([
      'chunks',
      '::',
      'webhooks',
      'notifications',
      'cleaning',
      '--with-scheduler',
    ]);
    const config = configWith({
      analytics: false,
      queueRunners: { chunks: 'cvat-worker-chunks' },
      components: { 'cvat-worker-chunks': { replicas: { min: 2, max: 6 } } },
    });
    const other = synthesize(config, catalogueFor(config));
    try {
      const apps = Object.values(other.stack('apps').resource.azurerm_container_app as Record<string, Resource>);
      const names = apps.map((r) => r.name);
      expect(names).not.toContain('clickhouse');
      expect(names).not.toContain('vector');
      const worker = apps.find((r) => r.name === 'cvat-worker-chunks');
      expect(worker?.template).toMatchObject({ min_replicas: 2, max_replicas: 6 });
      expect(worker?.template.container[0].args).toEqual(['chunks']);
      expect(worker?.template.custom_scale_rule[0]).toMatchObject({ custom_rule_type: 'redis', metadata: { listName: 'rq:queue:chunks' } });
      expect(apps.find((r) => r.name === 'cvat-worker-utils')?.template.container[0].args).toEqual([
        'webhooks',
        'notifications',
        'cleaning',
        '--with-scheduler',
      ]);
    } finally {
      other.dispose();
    }
  });

  it('throws a ValidationError naming the field when an image reference names a component that is not deployed', () => {
    const config = configWith({ grafana: false });
    const catalogue = catalogueFor(config);
    const broken = {
      ...catalogue,
      components: catalogue.components.map((c) =>
        c.name === 'opa'
          ? { ...c, env: [{ name: OPA_SERVER_IMAGE_ENV, componentRef: { component: 'grafana', part: 'image' as const } }] }
          : c,
      ),
    };
    expect(() => synthesize(config, broken)).toThrow("'opa.env[0].componentRef.component' (grafana) must name a deployed component");
  });

  it('throws a ValidationError naming the field, before writing anything, when appSpecs() refuses an undeclared secret', () => {
    const config = configWith({});
    const catalogue = catalogueFor(config);
    const broken = { ...catalogue, secrets: catalogue.secrets.filter((x) => x.name !== 'django-secret-key') };
    const message = /^apps: '.*\.secrets\[\d+\]' \("django-secret-key"\) must name a secret declared in the catalogue$/;
    expect(() => synthesize(config, broken)).toThrow(message);
  });
});

import type { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import {
  ACA_LIMITS,
  AZURERM_CONTAINER_APP_DEFAULTS,
  appSpecs,
  CatalogueError,
  type AppSpec,
  type Catalogue,
  type DedicatedProfileType,
  type ProbeSpec,
  type ScaleRuleSpec,
  type VolumeSpec,
} from '@cvat-cloud/catalogue';
import { AppSecret, EnvVar, Ingress, Probe, ScaleRule, Volume, WorkloadProfile, type ContainerProbes } from '../constructs/app-spec';
import { ContainerAppService, type RevisionMode } from '../constructs/container-app-service';
import { MigrationJob, QueueJob } from '../constructs/migration-job';
import { ValidationError } from '../constructs/validation-error';
import { CvatStack, type CvatStackProps } from './stack-base';
import type { FoundationStack } from './foundation-stack';

/** Properties of {@link AppsStack}. */
export interface AppsStackProps extends CvatStackProps {
  /** The foundation stack (environment, identity, Key Vault, storages, PostgreSQL). */
  readonly foundation: FoundationStack;
  /** The resolved catalogue. */
  readonly catalogue: Catalogue;
}

function probe(p: ProbeSpec | undefined): Probe | undefined {
  if (!p) return undefined;
  const timing = {
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
  };
  return p.transport === 'HTTP'
    ? Probe.http({ port: p.port, path: p.path, headers: p.headers, ...timing })
    : Probe.tcp({ port: p.port, ...timing });
}

/**
 * One Azure Container App per enabled catalogue component, the migration job and the event-driven
 * queue jobs (`azurerm_container_app_job` with `event_trigger_config`), rendered from the
 * catalogue's `appSpecs()` (the one derivation of component → app that drift also compares against):
 * image, command and args, env (secrets as Key Vault references through the app's own identity from the foundation,
 * other components' addresses as the spec resolved them, PostgreSQL by the server's FQDN), volumes
 * (SMB/NFS shares through environment storages, ephemeral as EmptyDir), CPU/memory, replicas,
 * ingress with explicit exposed ports, probes and KEDA scale rules. This stack only binds the spec to
 * the foundation's resources; it derives nothing.
 *
 * Apps are named exactly like the catalogue components, so in-environment DNS works the way CVAT
 * expects (`opa`, `cvat-redis-inmem`, `vector`, `clickhouse`). Construct ids are the component names
 * (`apps/<component>/Resource`), a stable contract: they make the Terraform addresses.
 *
 * @see https://learn.microsoft.com/azure/container-apps/connect-apps
 */
export class AppsStack extends CvatStack {
  /** Container apps by component name. */
  public readonly apps: Readonly<Record<string, ContainerAppService>>;
  /** Jobs by component name: the manual migration job and the event-driven queue jobs. */
  public readonly jobs: Readonly<Record<string, MigrationJob | QueueJob>>;
  /** The specifications this stack rendered, in catalogue order. */
  public readonly specs: readonly AppSpec[];

  constructor(scope: Construct, id: string, props: AppsStackProps) {
    super(scope, id, props);
    const { foundation, catalogue } = props;
    try {
      this.specs = appSpecs(catalogue);
    } catch (e) {
      if (e instanceof CatalogueError) throw new ValidationError('AppSpecInvalid', e.message, this);
      throw e;
    }
    const apps: Record<string, ContainerAppService> = {};
    const jobs: Record<string, MigrationJob | QueueJob> = {};
    const created = new Map<string, ITerraformDependable>();

    // Create in dependency order so dependsOn can point at resources that already exist.
    for (const spec of this.order(this.specs)) {
      const [container, ...extra] = spec.containers;
      if (!container || extra.length) {
        throw new ValidationError(
          'ContainerCount',
          `'${spec.name}.containers' (${spec.containers.length}) must hold exactly one container`,
          this,
        );
      }
      const env = container.env.map((e, i): EnvVar => {
        if (e.kind === 'value') return EnvVar.value(e.name, e.value);
        if (e.kind === 'secret') return EnvVar.fromSecret(e.name, e.secretName);
        if (e.kind === 'componentAddress') {
          // Only deployed components count: a reference to a disabled one must not render an address or image.
          if (e.value === undefined) {
            const what = e.part === 'image' ? 'a deployed component' : `a deployed component with ingress (part ${e.part})`;
            throw new ValidationError(
              'ComponentRefUnresolved',
              `'${spec.name}.env[${i}].componentRef.component' (${e.component}) must name ${what}`,
              this,
            );
          }
          return EnvVar.value(e.name, e.value);
        }
        if (e.ref === 'postgres.host') return EnvVar.value(e.name, foundation.postgres.fqdn);
        throw new ValidationError(
          'PlatformRefUnresolved',
          `'${spec.name}.env[${i}].platformRef' (${e.ref}) should have been resolved by resolveCatalogue`,
          this,
        );
      });
      // Each app reads its Key Vault secrets through its own identity (none when it reads no secret).
      const identity = foundation.identityFor(spec.name);
      const secrets = spec.secrets.map((s, i) => {
        if (!identity) {
          throw new ValidationError(
            'IdentityMissing',
            `'${spec.name}.secrets[${i}]' (${s.name}) needs the app's own identity, which the foundation did not create`,
            this,
          );
        }
        return AppSecret.fromKeyVault(s.name, foundation.keyVault.versionlessSecretId(s.keyVaultSecretName), identity.id);
      });
      const volumes = spec.volumes.map((v, i) => this.volume(foundation, spec.name, i, v));
      const mounts = container.volumeMounts.map((m) => ({ volume: m.volumeName, path: m.path, subPath: m.subPath }));
      const probes: ContainerProbes = {
        liveness: probe(container.probes.liveness),
        readiness: probe(container.probes.readiness),
        startup: probe(container.probes.startup),
      };
      this.providerDefaultOnly(
        spec.name,
        'containers[0].probes.readiness.successThreshold',
        container.probes.readiness?.successThreshold,
        container.probes.readiness ? AZURERM_CONTAINER_APP_DEFAULTS.probe.readinessSuccessThreshold : undefined,
      );
      const dependsOn = spec.dependsOn.map((d) => created.get(d)).filter((d): d is ITerraformDependable => d !== undefined);
      const common = {
        name: spec.name,
        resourceGroupName: foundation.resourceGroup.name,
        environmentId: foundation.environment.resource.id,
        identityId: identity?.id,
        image: container.image,
        command: container.command,
        args: container.args,
        env,
        secrets,
        volumes,
        mounts,
        cpuCores: container.cpuCores,
        memoryGiB: container.memoryGiB,
        workloadProfile: this.workloadProfile(spec),
        probes,
        dependsOn,
      };

      const customRule = (r: ScaleRuleSpec): ScaleRule =>
        ScaleRule.custom(
          r.name,
          r.customRuleType ?? '',
          r.metadata,
          r.authentication.map((a) => ({ secretName: a.secretName, triggerParameter: a.triggerParameter })),
        );
      if (spec.kind === 'job') {
        const t = spec.trigger;
        const run = {
          ...common,
          location: props.location,
          replicaTimeoutSeconds: spec.replicaTimeoutSeconds,
          replicaRetryLimit: spec.replicaRetryLimit,
          parallelism: t.parallelism,
          replicaCompletionCount: t.replicaCompletionCount,
        };
        const job =
          t.type === 'event'
            ? new QueueJob(this, spec.name, {
                ...run,
                minExecutions: t.scale.minExecutions,
                maxExecutions: t.scale.maxExecutions,
                pollingIntervalSeconds: t.scale.pollingIntervalSeconds,
                scaleRules: t.scale.rules.map(customRule),
              })
            : new MigrationJob(this, spec.name, run);
        jobs[spec.name] = job;
        created.set(spec.name, job.resource);
        continue;
      }
      const i = spec.ingress;
      if (i) {
        this.providerDefaultOnly(
          spec.name,
          'ingress.allowInsecureConnections',
          i.allowInsecureConnections,
          AZURERM_CONTAINER_APP_DEFAULTS.ingress.allowInsecureConnections,
        );
        const weight = i.trafficWeight.length === 1 && i.trafficWeight[0]?.latestRevision === true && i.trafficWeight[0].percentage === 100;
        if (!weight)
          throw new ValidationError(
            'TrafficWeightUnsupported',
            `'${spec.name}.ingress.trafficWeight' (${JSON.stringify(i.trafficWeight)}) must send 100% to the latest revision`,
            this,
          );
      }
      this.providerDefaultOnly(
        spec.name,
        'scale.cooldownPeriodSeconds',
        spec.scale.cooldownPeriodSeconds,
        AZURERM_CONTAINER_APP_DEFAULTS.template.cooldownPeriodSeconds,
      );
      this.providerDefaultOnly(
        spec.name,
        'scale.pollingIntervalSeconds',
        spec.scale.pollingIntervalSeconds,
        AZURERM_CONTAINER_APP_DEFAULTS.template.pollingIntervalSeconds,
      );
      const ingress = i
        ? i.transport === 'tcp'
          ? Ingress.tcp({ targetPort: i.targetPort, exposedPort: i.exposedPort, external: i.external })
          : Ingress.http({ targetPort: i.targetPort, external: i.external })
        : undefined;
      const scaleRules = spec.scale.rules.map((r) => {
        const auth = r.authentication.map((a) => ({ secretName: a.secretName, triggerParameter: a.triggerParameter }));
        if (r.kind === 'custom') return customRule(r);
        const concurrent = Number(r.metadata.concurrentRequests);
        return r.kind === 'http' ? ScaleRule.http(r.name, concurrent, auth) : ScaleRule.tcp(r.name, concurrent, auth);
      });
      // The provider does not send a grace period of 0 (its default), so 0 is left out as well.
      const grace =
        spec.terminationGracePeriodSeconds === AZURERM_CONTAINER_APP_DEFAULTS.template.terminationGracePeriodSeconds
          ? undefined
          : spec.terminationGracePeriodSeconds;
      const app = new ContainerAppService(this, spec.name, {
        ...common,
        minReplicas: spec.scale.minReplicas,
        maxReplicas: spec.scale.maxReplicas,
        ingress,
        scaleRules,
        revisionMode: spec.revisionMode as RevisionMode,
        terminationGracePeriodSeconds: grace,
      });
      apps[spec.name] = app;
      created.set(spec.name, app.resource);
    }
    this.apps = apps;
    this.jobs = jobs;
  }

  /** The volume of a spec bound to the foundation's environment storage. */
  private volume(foundation: FoundationStack, app: string, i: number, v: VolumeSpec): Volume {
    if (v.storageType === 'EmptyDir') return Volume.emptyDir(v.name);
    const storage = v.storageName === undefined ? undefined : foundation.environment.storages[v.storageName];
    if (!storage) {
      throw new ValidationError(
        'UnknownStorage',
        `'${app}.volumes[${i}].storageName' (${v.storageName}) must name an environment storage of the foundation`,
        this,
      );
    }
    return v.storageType === 'NfsAzureFile'
      ? Volume.nfsAzureFile(v.name, storage.name)
      : Volume.azureFile(v.name, storage.name, v.mountOptions);
  }

  private workloadProfile(spec: AppSpec): WorkloadProfile {
    if (spec.workloadProfileName === 'Consumption') return WorkloadProfile.CONSUMPTION;
    const node = ACA_LIMITS.dedicatedProfiles[spec.workloadProfileName as DedicatedProfileType];
    if (!node) {
      const allowed = ['Consumption', ...Object.keys(ACA_LIMITS.dedicatedProfiles)].join(', ');
      throw new ValidationError(
        'WorkloadProfileUnknown',
        `'${spec.name}.workloadProfileName' (${spec.workloadProfileName}) must be one of ${allowed}`,
        this,
      );
    }
    return WorkloadProfile.dedicated(spec.workloadProfileName, node);
  }

  /**
   * The constructs leave these arguments to the provider's default; a spec that wants another value
   * needs the construct to render it first, so it fails here instead of being dropped silently.
   */
  private providerDefaultOnly(app: string, field: string, value: unknown, providerDefault: unknown): void {
    if (value !== providerDefault) {
      throw new ValidationError(
        'ProviderDefaultOnly',
        `'${app}.${field}' (${String(value)}) must be the provider default (${String(providerDefault)}): the constructs do not render it`,
        this,
      );
    }
  }

  /** Specs sorted so that each comes after the specs it depends on (catalogue order otherwise). */
  private order(specs: readonly AppSpec[]): AppSpec[] {
    const byName = new Map(specs.map((s) => [s.name, s]));
    const done = new Set<string>();
    const result: AppSpec[] = [];
    const visit = (s: AppSpec, path: string[]) => {
      if (done.has(s.name)) return;
      if (path.includes(s.name)) {
        throw new ValidationError('DependencyCycle', `'dependsOn' forms a cycle: ${[...path, s.name].join(' -> ')}`, this);
      }
      for (const d of s.dependsOn) {
        const dep = byName.get(d);
        if (dep) visit(dep, [...path, s.name]);
      }
      done.add(s.name);
      result.push(s);
    };
    for (const s of specs) visit(s, []);
    return result;
  }
}

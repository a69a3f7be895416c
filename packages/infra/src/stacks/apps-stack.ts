import type { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { ACA_LIMITS, componentAddress, type Catalogue, type Component, type Probe as CatalogueProbe } from '@cvat-cloud/catalogue';
import { AppSecret, EnvVar, Ingress, Probe, ScaleRule, Volume, WorkloadProfile, type ContainerProbes } from '../constructs/app-spec';
import { ContainerAppService } from '../constructs/container-app-service';
import { MigrationJob } from '../constructs/migration-job';
import { ValidationError } from '../constructs/validation-error';
import { CvatStack, type CvatStackProps } from './stack-base';
import type { FoundationStack } from './foundation-stack';
import { containerComponents } from './_catalogue';

/** Properties of {@link AppsStack}. */
export interface AppsStackProps extends CvatStackProps {
  /** The foundation stack (environment, identity, Key Vault, storages, PostgreSQL). */
  readonly foundation: FoundationStack;
  /** The resolved catalogue. */
  readonly catalogue: Catalogue;
}

function probe(p: CatalogueProbe | undefined): Probe | undefined {
  if (!p) return undefined;
  const timing = { initialDelaySeconds: p.initialDelaySeconds, periodSeconds: p.periodSeconds, timeoutSeconds: p.timeoutSeconds, failureThreshold: p.failureThreshold };
  return p.type === 'http' ? Probe.http({ port: p.port, path: p.path, headers: p.headers, ...timing }) : Probe.tcp({ port: p.port, ...timing });
}

/**
 * One Azure Container App per enabled catalogue component and the migration job, everything taken
 * from the catalogue: image, command and args, env (secrets as Key Vault references through the
 * foundation's identity, other components' addresses by app name, PostgreSQL by FQDN), volumes
 * (SMB/NFS shares through environment storages, ephemeral as EmptyDir), CPU/memory, replicas,
 * ingress with explicit exposed ports, probes and KEDA scale rules.
 *
 * Apps are named exactly like the catalogue components, so in-environment DNS works the way CVAT
 * expects (`opa`, `cvat-redis-inmem`, `vector`, `clickhouse`).
 *
 * @see https://learn.microsoft.com/azure/container-apps/connect-apps
 */
export class AppsStack extends CvatStack {
  /** Container apps by component name. */
  public readonly apps: Readonly<Record<string, ContainerAppService>>;
  /** Jobs by component name. */
  public readonly jobs: Readonly<Record<string, MigrationJob>>;

  constructor(scope: Construct, id: string, props: AppsStackProps) {
    super(scope, id, props);
    const { foundation, catalogue } = props;
    const components = containerComponents(catalogue);
    const byName = new Map(components.map((c) => [c.name, c]));
    const storages = new Map(catalogue.storages.map((s) => [s.name, s]));
    const secrets = new Map(catalogue.secrets.map((s) => [s.name, s]));
    const apps: Record<string, ContainerAppService> = {};
    const jobs: Record<string, MigrationJob> = {};
    const created = new Map<string, ITerraformDependable>();

    // Create in dependency order so dependsOn can point at resources that already exist.
    const ordered = this.order(components);
    for (const component of ordered) {
      const env = component.env.map((e, i): EnvVar => {
        if ('value' in e) return EnvVar.value(e.name, e.value);
        if ('secretRef' in e) return EnvVar.fromSecret(e.name, e.secretRef);
        if ('componentRef' in e) {
          // Only deployed components count: a reference to a disabled one must not render an address.
          const address = byName.has(e.componentRef.component) ? componentAddress(catalogue, e.componentRef) : undefined;
          if (address === undefined) {
            throw new ValidationError(
              'ComponentRefUnresolved',
              `'${component.name}.env[${i}].componentRef.component' (${e.componentRef.component}) must name a deployed component with ingress`,
              this,
            );
          }
          return EnvVar.value(e.name, address);
        }
        if (e.platformRef === 'postgres.host') return EnvVar.value(e.name, foundation.postgres.fqdn);
        throw new ValidationError('PlatformRefUnresolved', `'${component.name}.env[${i}].platformRef' (${e.platformRef}) should have been resolved by resolveCatalogue`, this);
      });

      const appSecrets = component.secrets.map((name, i) => {
        const secret = secrets.get(name);
        if (!secret) throw new ValidationError('UnknownSecret', `'${component.name}.secrets[${i}]' (${name}) is not declared in the catalogue`, this);
        return AppSecret.fromKeyVault(secret.name, foundation.keyVault.versionlessSecretId(secret.keyVaultName), foundation.identity.id);
      });

      const volumes: Volume[] = [];
      for (const [i, mount] of component.mounts.entries()) {
        if (volumes.some((v) => v.name === mount.storage)) continue;
        const storage = storages.get(mount.storage);
        if (!storage) throw new ValidationError('UnknownStorage', `'${component.name}.mounts[${i}].storage' (${mount.storage}) is not declared in the catalogue`, this);
        if (storage.kind === 'ephemeral') volumes.push(Volume.emptyDir(storage.name));
        else {
          const environmentStorage = foundation.environment.storages[storage.name];
          volumes.push(
            storage.kind === 'nfs'
              ? Volume.nfsAzureFile(storage.name, environmentStorage.name)
              : Volume.azureFile(storage.name, environmentStorage.name, storage.mountOptions),
          );
        }
      }
      const mounts = component.mounts.map((m) => ({ volume: m.storage, path: m.mountPath, subPath: m.subPath }));
      const probes: ContainerProbes = { liveness: probe(component.probes.liveness), readiness: probe(component.probes.readiness), startup: probe(component.probes.startup) };
      const workloadProfile =
        component.workloadProfile === 'Consumption'
          ? WorkloadProfile.CONSUMPTION
          : WorkloadProfile.dedicated(component.workloadProfile, ACA_LIMITS.dedicatedProfiles[component.workloadProfile]);
      const dependsOn = component.dependsOn.map((d) => created.get(d)).filter((d): d is ITerraformDependable => d !== undefined);
      const common = {
        name: component.name,
        resourceGroupName: foundation.resourceGroup.name,
        environmentId: foundation.environment.resource.id,
        identityId: foundation.identity.id,
        image: `${component.image.repository}:${component.image.tag}`,
        command: component.command,
        args: component.args,
        env,
        secrets: appSecrets,
        volumes,
        mounts,
        cpuCores: component.resources.cpuCores,
        memoryGiB: component.resources.memoryGiB,
        workloadProfile,
        probes,
        dependsOn,
      };

      if (component.role === 'job') {
        const job = new MigrationJob(this, component.name, {
          ...common,
          location: props.location,
          replicaTimeoutSeconds: component.job?.replicaTimeoutSeconds,
          replicaRetryLimit: component.job?.replicaRetryLimit,
          parallelism: component.job?.parallelism,
        });
        jobs[component.name] = job;
        created.set(component.name, job.resource);
        continue;
      }
      const ingress = component.ingress
        ? component.ingress.transport === 'tcp'
          ? Ingress.tcp({ targetPort: component.ingress.targetPort, exposedPort: component.ingress.exposedPort, external: component.ingress.external })
          : Ingress.http({ targetPort: component.ingress.targetPort, external: component.ingress.external })
        : undefined;
      const scaleRules = component.scaleRules.map((r) => {
        const auth = (r.auth ?? []).map((a) => ({ secretName: a.secretRef, triggerParameter: a.triggerParameter }));
        if (r.kind === 'redis-queue') return ScaleRule.custom(r.name, 'redis', r.metadata, auth);
        const concurrent = Number(r.metadata.concurrentRequests ?? '10');
        return r.kind === 'http' ? ScaleRule.http(r.name, concurrent, auth) : ScaleRule.tcp(r.name, concurrent, auth);
      });
      const app = new ContainerAppService(this, component.name, {
        ...common,
        minReplicas: component.replicas.min,
        maxReplicas: component.replicas.max,
        ingress,
        scaleRules,
        terminationGracePeriodSeconds: component.terminationGracePeriodSeconds,
      });
      apps[component.name] = app;
      created.set(component.name, app.resource);
    }
    this.apps = apps;
    this.jobs = jobs;
  }

  /** Components sorted so that each comes after the deployed components it depends on (catalogue order otherwise). */
  private order(components: Component[]): Component[] {
    const names = new Set(components.map((c) => c.name));
    const done = new Set<string>();
    const result: Component[] = [];
    const visit = (c: Component, path: string[]) => {
      if (done.has(c.name)) return;
      if (path.includes(c.name)) {
        throw new ValidationError('DependencyCycle', `'dependsOn' forms a cycle: ${[...path, c.name].join(' -> ')}`, this);
      }
      for (const d of c.dependsOn) {
        if (names.has(d)) visit(components.find((x) => x.name === d) as Component, [...path, c.name]);
      }
      done.add(c.name);
      result.push(c);
    };
    components.forEach((c) => visit(c, []));
    return result;
  }
}

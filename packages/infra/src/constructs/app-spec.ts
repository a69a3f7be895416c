/**
 * Value classes that describe one container of a Container App or Job: environment variables,
 * secrets, volumes, probes, ingress and scale rules.
 *
 * Each choice is an enum-like class with static factories and a private constructor (house style
 * rule 12), so a call site reads `Probe.http({ port: 8080, path: '/api/server/health/' })` instead
 * of a bag of optional fields whose valid combinations live in someone's head. The classes only hold
 * data; the constructs validate it eagerly against {@link CONTAINER_APP_LIMITS} and name the
 * construct path in the error.
 *
 * @see https://learn.microsoft.com/azure/container-apps/containers
 */

/** Probe transport as the ACA API spells it. */
export enum ProbeTransport {
  /** HTTP GET on a path; 200-399 is healthy. */
  HTTP = 'HTTP',
  /** TCP connect. */
  TCP = 'TCP',
}

/**
 * Timing options shared by every probe. A field left out is left out of the Terraform JSON too, so
 * the provider's default applies (`AZURERM_CONTAINER_APP_DEFAULTS.probe` in the catalogue: initial
 * delay 1 s for liveness and 0 s otherwise, period 10 s, timeout 1 s, 3 failures).
 */
export interface ProbeTimingOptions {
  /**
   * Seconds to wait after the container starts before the first probe (0-60).
   * @default - the provider's default
   */
  readonly initialDelaySeconds?: number;
  /**
   * Seconds between probes (1-240).
   * @default - the provider's default
   */
  readonly periodSeconds?: number;
  /**
   * Seconds before a probe attempt times out (1-240).
   * @default - the provider's default
   */
  readonly timeoutSeconds?: number;
  /**
   * Consecutive failures before the probe is considered failed (1-30).
   * @default - the provider's default
   */
  readonly failureThreshold?: number;
}

/** Options of {@link Probe.http}. */
export interface HttpProbeOptions extends ProbeTimingOptions {
  /** Container port to probe (1-65535). */
  readonly port: number;
  /**
   * Request path, starting with `/`.
   * @default '/'
   */
  readonly path?: string;
  /**
   * Extra request headers, e.g. a `Host` that Django's `ALLOWED_HOSTS` accepts.
   * @default - none
   */
  readonly headers?: readonly ProbeHeader[];
}

/** An HTTP header sent with a probe. */
export interface ProbeHeader {
  /** Header name. */
  readonly name: string;
  /** Header value. */
  readonly value: string;
}

/** Options of {@link Probe.tcp}. */
export interface TcpProbeOptions extends ProbeTimingOptions {
  /** Container port to connect to (1-65535). */
  readonly port: number;
}

/**
 * A liveness, readiness or startup probe.
 *
 * @see https://learn.microsoft.com/azure/container-apps/health-probes
 */
export class Probe {
  /** An HTTP GET probe. */
  public static http(options: HttpProbeOptions): Probe {
    return new Probe(ProbeTransport.HTTP, options.port, options.path ?? '/', options.headers ?? [], options);
  }

  /** A TCP connect probe. */
  public static tcp(options: TcpProbeOptions): Probe {
    return new Probe(ProbeTransport.TCP, options.port, undefined, [], options);
  }

  /** Seconds before the first probe; undefined leaves the provider's default. */
  public readonly initialDelaySeconds: number | undefined;
  /** Seconds between probes; undefined leaves the provider's default. */
  public readonly periodSeconds: number | undefined;
  /** Seconds before one attempt times out; undefined leaves the provider's default. */
  public readonly timeoutSeconds: number | undefined;
  /** Consecutive failures that fail the probe; undefined leaves the provider's default. */
  public readonly failureThreshold: number | undefined;

  private constructor(
    /** HTTP or TCP. */
    public readonly transport: ProbeTransport,
    /** Container port. */
    public readonly port: number,
    /** HTTP path; undefined for TCP. */
    public readonly path: string | undefined,
    /** HTTP headers. */
    public readonly headers: readonly ProbeHeader[],
    timing: ProbeTimingOptions,
  ) {
    this.initialDelaySeconds = timing.initialDelaySeconds;
    this.periodSeconds = timing.periodSeconds;
    this.timeoutSeconds = timing.timeoutSeconds;
    this.failureThreshold = timing.failureThreshold;
  }
}

/** The three probe slots of a container. */
export interface ContainerProbes {
  /**
   * Restarts the container when it fails.
   * @default - no liveness probe
   */
  readonly liveness?: Probe;
  /**
   * Takes the replica out of load balancing while it fails.
   * @default - no readiness probe
   */
  readonly readiness?: Probe;
  /**
   * Holds the other probes back until the app has started.
   * @default - no startup probe
   */
  readonly startup?: Probe;
}

/** Ingress transport. */
export enum IngressTransport {
  /** HTTP/1.1 and HTTP/2 on ports 80/443 of the environment, routed by host name. */
  HTTP = 'http',
  /** Raw TCP on an explicit exposed port of the environment. */
  TCP = 'tcp',
}

/** Options of {@link Ingress.http}. */
export interface HttpIngressOptions {
  /** Port the container listens on. */
  readonly targetPort: number;
  /**
   * Reachable from outside the environment (on an internal environment: VNet-wide, the portal's
   * "Limited to VNet"); otherwise only from apps in the same environment.
   * @default false
   */
  readonly external?: boolean;
}

/** Options of {@link Ingress.tcp}. */
export interface TcpIngressOptions extends HttpIngressOptions {
  /**
   * Port exposed on the environment (1-65535 except 80 and 443). Always rendered explicitly:
   * what Azure assigns when it is omitted is unverified, and clients such as the edge proxy and
   * CVAT's `opa:8181` depend on it.
   * @default - the target port
   */
  readonly exposedPort?: number;
}

/**
 * How traffic reaches a container app.
 *
 * @see https://learn.microsoft.com/azure/container-apps/ingress-overview
 */
export class Ingress {
  /** HTTP ingress (ports 80/443, TLS terminated by the environment). */
  public static http(options: HttpIngressOptions): Ingress {
    return new Ingress(IngressTransport.HTTP, options.targetPort, undefined, options.external ?? false);
  }

  /** TCP ingress with an explicit exposed port. */
  public static tcp(options: TcpIngressOptions): Ingress {
    return new Ingress(IngressTransport.TCP, options.targetPort, options.exposedPort ?? options.targetPort, options.external ?? false);
  }

  private constructor(
    /** HTTP or TCP. */
    public readonly transport: IngressTransport,
    /** Container port. */
    public readonly targetPort: number,
    /** Environment port for TCP; undefined for HTTP. */
    public readonly exposedPort: number | undefined,
    /** Reachable from outside the environment. */
    public readonly external: boolean,
  ) {}

  /** The port other apps in the environment use: the exposed port for TCP, 80 for HTTP. */
  public get servicePort(): number {
    return this.exposedPort ?? 80;
  }
}

/** Volume storage type as the ACA API spells it. */
export enum VolumeStorageType {
  /** SMB Azure Files share through an environment storage. */
  AZURE_FILE = 'AzureFile',
  /** NFS Azure Files share (Premium FileStorage) through an environment storage. */
  NFS_AZURE_FILE = 'NfsAzureFile',
  /** Replica-scoped scratch space, lost when the replica stops. */
  EMPTY_DIR = 'EmptyDir',
}

/**
 * A volume of a container app or job.
 *
 * @see https://learn.microsoft.com/azure/container-apps/storage-mounts
 */
export class Volume {
  /**
   * An SMB Azure Files share, through the environment storage named `storageName`.
   * @param mountOptions comma-separated CIFS options, e.g. `uid=1000,gid=1000,mfsymlinks,nobrl`
   */
  public static azureFile(name: string, storageName: string, mountOptions?: string): Volume {
    return new Volume(name, VolumeStorageType.AZURE_FILE, storageName, mountOptions);
  }

  /** An NFS Azure Files share, through the environment storage named `storageName`. */
  public static nfsAzureFile(name: string, storageName: string): Volume {
    return new Volume(name, VolumeStorageType.NFS_AZURE_FILE, storageName, undefined);
  }

  /** Replica-scoped ephemeral storage (counts against the replica's 1-8 GiB ephemeral budget). */
  public static emptyDir(name: string): Volume {
    return new Volume(name, VolumeStorageType.EMPTY_DIR, undefined, undefined);
  }

  private constructor(
    /** Volume name, referenced by mounts. */
    public readonly name: string,
    /** Storage type. */
    public readonly storageType: VolumeStorageType,
    /** Environment storage name; undefined for EmptyDir. */
    public readonly storageName: string | undefined,
    /** CIFS mount options for SMB. */
    public readonly mountOptions: string | undefined,
  ) {}
}

/** Where a volume appears inside the container. */
export interface VolumeMount {
  /** Name of a volume declared in `volumes`. */
  readonly volume: string;
  /** Absolute path inside the container. */
  readonly path: string;
  /**
   * Sub-directory of the volume to mount.
   * @default - the volume root
   */
  readonly subPath?: string;
}

/**
 * One environment variable: a literal value or a reference to an app secret.
 *
 * @see https://learn.microsoft.com/azure/container-apps/manage-secrets#reference-secret-in-environment-variable
 */
export class EnvVar {
  /** A literal value (never a secret: the policy checks refuse secret-looking names with literals). */
  public static value(name: string, value: string): EnvVar {
    return new EnvVar(name, value, undefined);
  }

  /** The value of the app secret `secretName` (declared in the app's `secrets`). */
  public static fromSecret(name: string, secretName: string): EnvVar {
    return new EnvVar(name, undefined, secretName);
  }

  private constructor(
    /** Variable name. */
    public readonly name: string,
    /** Literal value, or undefined for a secret reference. */
    public readonly value: string | undefined,
    /** App secret name, or undefined for a literal. */
    public readonly secretName: string | undefined,
  ) {}
}

/**
 * An app secret held in Key Vault and fetched by ACA through a user-assigned identity.
 *
 * @see https://learn.microsoft.com/azure/container-apps/manage-secrets#reference-secret-from-key-vault
 */
export class AppSecret {
  /**
   * A Key Vault reference.
   * @param name app-level secret name (lowercase alphanumerics and `-`)
   * @param keyVaultSecretId versionless secret id, so rotations are picked up within 30 minutes
   * @param identityId resource id of the user-assigned identity that has `Key Vault Secrets User`
   */
  public static fromKeyVault(name: string, keyVaultSecretId: string, identityId: string): AppSecret {
    return new AppSecret(name, keyVaultSecretId, identityId);
  }

  private constructor(
    /** App secret name. */
    public readonly name: string,
    /** Versionless Key Vault secret id. */
    public readonly keyVaultSecretId: string,
    /** User-assigned identity resource id. */
    public readonly identityId: string,
  ) {}
}

/** Authentication of a KEDA scale rule: a trigger parameter filled from an app secret. */
export interface ScaleRuleAuth {
  /** App secret name. */
  readonly secretName: string;
  /** KEDA trigger parameter, e.g. `password`. */
  readonly triggerParameter: string;
}

/** Kind of scale rule. */
export enum ScaleRuleKind {
  /** Any KEDA scaler (`custom_scale_rule`). */
  CUSTOM = 'custom',
  /** Concurrent HTTP requests (`http_scale_rule`). */
  HTTP = 'http',
  /** Concurrent TCP connections (`tcp_scale_rule`). */
  TCP = 'tcp',
}

/** Options of {@link ScaleRule.redisList}. */
export interface RedisListScaleRuleOptions {
  /** Rule name (lowercase alphanumerics, `-` and `.`). */
  readonly name: string;
  /** `host:port` of the Redis server (the in-environment app name works). */
  readonly address: string;
  /** The Redis list to watch, e.g. `rq:queue:import`. */
  readonly listName: string;
  /**
   * Items per replica before scaling out.
   * @default 5
   */
  readonly listLength?: number;
  /**
   * Redis database index.
   * @default 0
   */
  readonly databaseIndex?: number;
  /**
   * App secret holding the Redis password, passed as the `password` trigger parameter.
   * @default - no authentication
   */
  readonly passwordSecretName?: string;
}

/**
 * A KEDA scale rule.
 *
 * @see https://learn.microsoft.com/azure/container-apps/scale-app
 */
export class ScaleRule {
  /** Any KEDA scaler, e.g. `redis`, `postgresql`, `cron`. */
  public static custom(
    name: string,
    type: string,
    metadata: Readonly<Record<string, string>>,
    auth: readonly ScaleRuleAuth[] = [],
  ): ScaleRule {
    return new ScaleRule(name, ScaleRuleKind.CUSTOM, type, metadata, auth);
  }

  /** Scale on the length of a Redis list, e.g. an RQ queue `rq:queue:<name>`. */
  public static redisList(options: RedisListScaleRuleOptions): ScaleRule {
    const metadata: Record<string, string> = {
      address: options.address,
      listName: options.listName,
      listLength: String(options.listLength ?? 5),
      databaseIndex: String(options.databaseIndex ?? 0),
      enableTLS: 'false',
    };
    const auth = options.passwordSecretName ? [{ secretName: options.passwordSecretName, triggerParameter: 'password' }] : [];
    return new ScaleRule(options.name, ScaleRuleKind.CUSTOM, 'redis', metadata, auth);
  }

  /** Scale on concurrent HTTP requests per replica. */
  public static http(name: string, concurrentRequests: number, auth: readonly ScaleRuleAuth[] = []): ScaleRule {
    return new ScaleRule(name, ScaleRuleKind.HTTP, undefined, { concurrentRequests: String(concurrentRequests) }, auth);
  }

  /** Scale on concurrent TCP connections per replica. */
  public static tcp(name: string, concurrentConnections: number, auth: readonly ScaleRuleAuth[] = []): ScaleRule {
    return new ScaleRule(name, ScaleRuleKind.TCP, undefined, { concurrentRequests: String(concurrentConnections) }, auth);
  }

  private constructor(
    /** Rule name. */
    public readonly name: string,
    /** Which azurerm block renders it. */
    public readonly kind: ScaleRuleKind,
    /** KEDA scaler type for custom rules. */
    public readonly customType: string | undefined,
    /** Scaler metadata. */
    public readonly metadata: Readonly<Record<string, string>>,
    /** Secret-backed trigger parameters. */
    public readonly auth: readonly ScaleRuleAuth[],
  ) {}
}

/**
 * The workload profile an app or job runs on. `Consumption` is serverless with fixed CPU/memory
 * pairs; a dedicated profile (D4, E8, ...) runs on reserved nodes and only requires the app to fit
 * on one node.
 *
 * @see https://learn.microsoft.com/azure/container-apps/workload-profiles-overview
 */
export class WorkloadProfile {
  /** The serverless `Consumption` profile every workload-profiles environment has. */
  public static readonly CONSUMPTION = new WorkloadProfile('Consumption', 'Consumption', undefined, undefined);

  /**
   * A dedicated profile of type `type` (e.g. `D4`) whose nodes have `cpuCores`/`memoryGiB`.
   * The profile is named after its type.
   */
  public static dedicated(type: string, node: { readonly cpuCores: number; readonly memoryGiB: number }): WorkloadProfile {
    return new WorkloadProfile(type, type, node.cpuCores, node.memoryGiB);
  }

  private constructor(
    /** Profile name in the environment. */
    public readonly name: string,
    /** `workload_profile_type`. */
    public readonly type: string,
    /** vCPU per node (dedicated only). */
    public readonly nodeCpuCores: number | undefined,
    /** GiB per node (dedicated only). */
    public readonly nodeMemoryGiB: number | undefined,
  ) {}

  /** Whether this is the Consumption profile. */
  public get isConsumption(): boolean {
    return this.type === 'Consumption';
  }
}

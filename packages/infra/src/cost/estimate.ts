import { DEFAULT_CONCURRENT_REQUESTS } from '@cvat-cloud/catalogue';
import { type InventoryResource, ofType, TYPE_RULES } from './inventory';
import type { Price, PriceConfidence, PriceTable } from './price-table';
import { type ActivityClass, activityOf, type PolledBy, type StoredGiB, type UsageProfile, queueJobs, queueWorkHours } from './profiles';

/** One container app or job to price (from the catalogue's app specs, or the reference project's app list). */
export interface CostedWorkload {
  readonly name: string;
  /** Catalogue role (`service`, `worker`, `store`, `job`). */
  readonly role: string;
  /** `app` = `azurerm_container_app`; `job` = `azurerm_container_app_job`. */
  readonly kind: 'app' | 'job';
  /** How a job starts: `manual`, `event` (KEDA scale rule), `schedule`; undefined for apps. */
  readonly trigger?: string;
  readonly cpuCores: number;
  readonly memoryGiB: number;
  /** Apps: replica bounds. Jobs: 0 and the most concurrent executions. */
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** `Consumption` or a dedicated profile type such as `D4`. */
  readonly workloadProfile: string;
  /** Kinds of the scale rules: `http`, `tcp`, `queue` (an RQ list), `other`. */
  readonly scaledBy: readonly string[];
  /**
   * Apps: whether it has ingress. An app with ingress and no scale rule gets Container Apps' default HTTP rule
   * (https://learn.microsoft.com/azure/container-apps/scale-app), so with `minReplicas` 0 it runs while users work.
   * @default false
   */
  readonly ingress?: boolean;
  /**
   * Apps: the scale rule's per-replica target: `concurrentRequests` of an HTTP/TCP rule, `listLength` of a queue rule.
   * @default 10 (HTTP, Container Apps' default) or 5 (KEDA redis lists' default)
   */
  readonly scaleTarget?: number;
  /** RQ queues it serves (workers and event jobs). */
  readonly queues: readonly string[];
  /** Key Vault secret references it holds. */
  readonly secrets: number;
  /** Jobs: replicas per execution. @default 1 */
  readonly parallelism?: number;
  /** Jobs: the longest an execution may run, in seconds. */
  readonly replicaTimeoutSeconds?: number;
  /** Apps: a caller inside the environment that polls it all month (OPA polling cvat-server for its bundle). */
  readonly polledBy?: PolledBy;
  /**
   * Apps: the work its own configuration leaves on a timer whatever the load, one line per timer (empty: none), when the
   * estimate can read it (ClickHouse's configuration override); `undefined` when it cannot.
   */
  readonly timers?: readonly string[];
}

/** A deployment reduced to what the estimate prices. */
export interface CostModel {
  /** Label for the output, e.g. `example (catalogue v2.73.0, westeurope)`. */
  readonly label: string;
  readonly workloads: readonly CostedWorkload[];
  /** Every resource of the (synthesized or described) Terraform. */
  readonly inventory: readonly InventoryResource[];
  /** Share names that hold a database's files (ClickHouse, kvrocks), whatever their name says. */
  readonly databaseShares: readonly string[];
  /** Dedicated profile node sizes (vCPU, GiB) for workloads not on Consumption. */
  readonly dedicatedProfiles?: Readonly<Record<string, { readonly cpuCores: number; readonly memoryGiB: number }>>;
}

/** Settings of an estimate beyond the usage profile. */
export interface EstimateOptions {
  /**
   * Credit the Container Apps free grant. It is per subscription: turn it off when other apps in the subscription
   * already use it up.
   * @default true
   */
  readonly freeGrant?: boolean;
  /**
   * How to read the activity assumptions Azure has not confirmed: `optimistic` prices each component that has one
   * (`ActivityClass.optimistic`) by the favourable reading, the low end of the estimate; `pessimistic` by the
   * unfavourable one (`ActivityClass.pessimistic`), the high end.
   * @default 'expected'
   */
  readonly reading?: Reading;
}

/** Which reading of the unverified activity assumptions an estimate uses (see `EstimateOptions.reading`). */
export type Reading = 'expected' | 'optimistic' | 'pessimistic';

/**
 * Seconds each event-job execution is billed beyond its jobs: the container starts, Python imports Django, the burst
 * worker connects to Redis and finally finds the queue empty. Measured nowhere here; an estimate.
 */
export const EVENT_EXECUTION_OVERHEAD_SECONDS = 45;
/** Seconds a migration-job run takes (`cvat-init`: migrations on an up-to-date database, static files, superuser). */
export const MANUAL_JOB_RUN_SECONDS = 300;
/** Jobs per replica of a KEDA redis list rule that names no `listLength` (KEDA's default). */
export const DEFAULT_QUEUE_LIST_LENGTH = 5;
/** Runs a month of a scheduled job and seconds each (no scheduled job exists today; a stated placeholder). */
export const SCHEDULED_JOB = { runsPerMonth: 30, seconds: 300 } as const;
/**
 * Seconds a scaled-to-zero app keeps its replica after its queue empties (KEDA cooldown, azurerm default 300 s;
 * hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/containerapps/helpers/container_apps.go).
 */
export const COOLDOWN_SECONDS = 300;
/**
 * Key Vault reads a month per secret reference of an app: Container Apps re-reads referenced secrets to pick up new
 * versions within 30 minutes (https://learn.microsoft.com/azure/container-apps/manage-secrets), about 1,460 a month.
 */
export const SECRET_READS_PER_REFERENCE = Math.round((730 * 60) / 30);
/** OS disk size when the VM sets none: the Ubuntu images' 30 GiB, billed as tier 4 (32 GiB). */
export const DEFAULT_OS_DISK_GIB = 30;

/** One line of an estimate. */
export interface CostLine {
  readonly category: 'container-apps' | 'platform' | 'database' | 'storage' | 'edge' | 'network' | 'monitoring' | 'security';
  readonly name: string;
  /** USD per month, or `null` when it cannot be priced (see `unpricedReason`). */
  readonly monthlyUSD: number | null;
  /** How it was computed, in words and numbers. */
  readonly detail: string;
  /** Weakest confidence among the prices used. */
  readonly confidence?: PriceConfidence;
  readonly unpricedReason?: string;
  /** When an always-on app's replicas count as active, and why (see `activityOf`). */
  readonly activity?: ActivityClass;
  /** Replica-seconds billed, for container apps and jobs. */
  readonly usage?: {
    readonly vcpuSecondsActive: number;
    readonly vcpuSecondsIdle: number;
    readonly memoryGiBSecondsActive: number;
    readonly memoryGiBSecondsIdle: number;
  };
}

/** A complete estimate. */
export interface CostEstimate {
  readonly label: string;
  readonly currency: string;
  readonly region: string;
  readonly pricesAsOf: string;
  readonly profile: string;
  readonly lines: readonly CostLine[];
  /** Sum of the priced lines (the free grant is a negative line). */
  readonly totalMonthlyUSD: number;
  /** Names of lines that could not be priced and are not in the total. */
  readonly unpriced: readonly string[];
  /** Resource types with no charge of their own, with their count and why. */
  readonly freeResources: ReadonlyArray<{ readonly type: string; readonly count: number; readonly reason: string }>;
  /** Always-on capacity: Σ cpu × minReplicas and Σ memory × minReplicas over container apps. */
  readonly alwaysOn: { readonly replicas: number; readonly cpuCores: number; readonly memoryGiB: number };
}

const RANK: Record<PriceConfidence, number> = { verified: 0, derived: 1, verify: 2 };
const weakest = (...prices: Price[]): PriceConfidence =>
  prices.reduce<PriceConfidence>((w, p) => (RANK[p.confidence] > RANK[w] ? p.confidence : w), 'verified');
const r2 = (n: number): number => Math.round(n * 100) / 100;
const r1 = (n: number): number => Math.round(n * 10) / 10;

/** What a share holds, from its name (and whether a store mounts it). */
export function shareContent(name: string, databaseShares: readonly string[]): keyof StoredGiB {
  if (/event/.test(name)) return 'events';
  if (/cache/.test(name)) return 'cache';
  if (databaseShares.includes(name)) return 'cache';
  if (/log/.test(name)) return 'logs';
  if (/data/.test(name)) return 'data';
  return 'other';
}

/** Replica time of one workload under a profile, in replica-seconds at each rate, and how it was derived. */
export function replicaTime(
  w: CostedWorkload,
  profile: UsageProfile,
  hoursPerMonth: number,
  reading: Reading = 'expected',
): { activeReplicaSeconds: number; idleReplicaSeconds: number; how: string; activity?: ActivityClass } | { unpriced: string } {
  const H = hoursPerMonth;
  const S = 3600;
  const userHours = Math.min(profile.userHoursPerMonth, H);
  const workHours = queueWorkHours(profile, w.queues);
  const jobs = queueJobs(profile, w.queues);
  if (w.kind === 'job') {
    const parallelism = w.parallelism ?? 1;
    if (w.trigger === 'manual') {
      const seconds = Math.min(w.replicaTimeoutSeconds ?? MANUAL_JOB_RUN_SECONDS, MANUAL_JOB_RUN_SECONDS);
      return {
        activeReplicaSeconds: profile.deploysPerMonth * parallelism * seconds,
        idleReplicaSeconds: 0,
        how: `manual job: ${profile.deploysPerMonth} run(s) x ${seconds} s x ${parallelism} replica(s), active rate`,
      };
    }
    if (w.trigger === 'event') {
      if (w.queues.length === 0) return { unpriced: 'event job without an RQ queue in its scale rule: its executions are unknown' };
      // One execution per job is an upper bound: jobs that arrive while an execution runs are drained by it.
      const executions = jobs;
      const seconds = executions * EVENT_EXECUTION_OVERHEAD_SECONDS + workHours * S;
      return {
        activeReplicaSeconds: seconds * parallelism,
        idleReplicaSeconds: 0,
        how:
          `event job on ${w.queues.join(', ')}: ${executions} execution(s) x ${EVENT_EXECUTION_OVERHEAD_SECONDS} s start-up + ` +
          `${r1(workHours)} h of jobs, active rate (jobs have no idle rate)`,
      };
    }
    if (w.trigger === 'schedule') {
      return {
        activeReplicaSeconds: SCHEDULED_JOB.runsPerMonth * SCHEDULED_JOB.seconds * parallelism,
        idleReplicaSeconds: 0,
        how: `scheduled job: ${SCHEDULED_JOB.runsPerMonth} runs x ${SCHEDULED_JOB.seconds} s, active rate`,
      };
    }
    return { unpriced: `job trigger '${w.trigger ?? 'none'}' is not one the estimate knows (manual, event, schedule)` };
  }
  const found = activityOf(w.name, w.role, w.polledBy, w.timers);
  const alternative = reading === 'optimistic' ? found.optimistic : reading === 'pessimistic' ? found.pessimistic : undefined;
  const activity: ActivityClass = alternative ? { activity: alternative, reason: `${reading} reading of: ${found.reason}` } : found;
  const byQueue = w.scaledBy.includes('queue');
  const byHttp = w.scaledBy.some((k) => k === 'http' || k === 'tcp') || (w.scaledBy.length === 0 && w.ingress === true);
  // Scale-out at the profile's peak: the replicas the rule asks for, up to maxReplicas.
  const base = Math.max(1, w.minReplicas);
  const wanted = byQueue
    ? Math.ceil(profile.peakQueueBacklog / (w.scaleTarget ?? DEFAULT_QUEUE_LIST_LENGTH))
    : byHttp
      ? Math.ceil(profile.peakConcurrentRequests / (w.scaleTarget ?? DEFAULT_CONCURRENT_REQUESTS))
      : 0;
  const extra = Math.max(0, Math.min(w.maxReplicas, wanted) - base);
  const peakHours = byQueue
    ? Math.min(profile.backlogHoursPerMonth, workHours, H)
    : byHttp
      ? Math.min(profile.peakHoursPerMonth, userHours)
      : 0;
  const scaleOut = extra > 0 && peakHours > 0 ? `; ${extra} more replica(s) for ${r1(peakHours)} h at the peak (active)` : '';
  if (w.minReplicas === 0) {
    // Runs only while there is work; every running replica is above the minimum, so active.
    let hours: number;
    let how: string;
    if (byQueue) {
      // Jobs within the same working hour share one scale-out; with no users, each job is its own.
      const bursts = userHours > 0 ? Math.min(jobs, Math.ceil(userHours)) : jobs;
      hours = Math.min(H, workHours + (bursts * COOLDOWN_SECONDS) / S);
      how = `scales to zero: ${r1(workHours)} h of jobs + ${bursts} cool-down(s) of ${COOLDOWN_SECONDS} s`;
    } else if (byHttp) {
      hours = userHours;
      how = `scales to zero: 1 replica while users work (${userHours} h)`;
    } else {
      return { unpriced: 'minReplicas 0, no scale rule and no ingress: when it runs is unknown' };
    }
    return {
      activeReplicaSeconds: (hours + extra * peakHours) * S,
      idleReplicaSeconds: 0,
      how: `${how}${scaleOut}`,
    };
  }
  const min = w.minReplicas;
  let activeHours: number;
  let why: string;
  if (activity.activity === 'always') {
    activeHours = H;
    why = 'active all month';
  } else if (activity.activity === 'polled') {
    const fraction = activity.activeFraction ?? 1;
    activeHours = Math.min(H, Math.max(userHours, peakHours) + (H - Math.max(userHours, peakHours)) * fraction);
    why = `active while users work (${userHours} h) and ${r1(fraction * 100)} % of the rest while polled (${r1(activeHours)} h)`;
  } else if (activity.activity === 'jobs') {
    activeHours = Math.min(H, Math.max(workHours, peakHours));
    why = `active while running jobs (${r1(workHours)} h on ${w.queues.join(', ') || 'no queue'})`;
  } else {
    activeHours = Math.min(H, Math.max(userHours, peakHours));
    why = `active while users work (${userHours} h)`;
  }
  const idleHours = H - activeHours;
  return {
    activeReplicaSeconds: (min * activeHours + extra * peakHours) * S,
    idleReplicaSeconds: min * idleHours * S,
    how: `${min} always-on replica(s) [${activity.activity}], ${why}, idle ${r1(idleHours)} h${scaleOut}`,
    activity,
  };
}

/**
 * Estimates the monthly cost of a deployment from a price table and a usage profile.
 *
 * Container Apps (Consumption) bill per replica-second at an active or an idle rate: a replica is idle only while
 * its revision sits at its minimum (≥ 1) replica count and it uses under 0.01 vCPU and receives under 1,000 B/s;
 * replicas above the minimum and job executions always bill active. Each workload's hours at each rate come from
 * {@link replicaTime}. The free grant (180,000 vCPU-s, 360,000 GiB-s, 2M requests per subscription per calendar
 * month) covers "the first" seconds of the month; the billing page does not say which meter they offset, so the
 * credit takes the month's mix of active and idle seconds (the first seconds of a month look like the rest), and
 * the detail gives the range from all-idle to all-active.
 *
 * Everything else is priced from the Terraform inventory by type ({@link TYPE_RULES}); a type the estimate does not
 * know, a VM size or SKU without a price, is listed as not priced and left out of the total, never guessed.
 *
 * @see https://learn.microsoft.com/azure/container-apps/billing
 */
export function estimateMonthlyCost(
  model: CostModel,
  prices: PriceTable,
  profile: UsageProfile,
  options: EstimateOptions = {},
): CostEstimate {
  const H = prices.hoursPerMonth;
  const c = prices.containerApps.consumption;
  const lines: CostLine[] = [];
  let vA = 0;
  let vI = 0;
  let mA = 0;
  let mI = 0;
  const dedicated = new Map<string, CostedWorkload[]>();

  for (const w of model.workloads) {
    if (w.workloadProfile !== 'Consumption') {
      dedicated.set(w.workloadProfile, [...(dedicated.get(w.workloadProfile) ?? []), w]);
      continue;
    }
    const t = replicaTime(w, profile, H, options.reading);
    if ('unpriced' in t) {
      lines.push({
        category: 'container-apps',
        name: w.name,
        monthlyUSD: null,
        detail: `${w.cpuCores} vCPU / ${w.memoryGiB} GiB`,
        unpricedReason: t.unpriced,
      });
      continue;
    }
    const usage = {
      vcpuSecondsActive: w.cpuCores * t.activeReplicaSeconds,
      vcpuSecondsIdle: w.cpuCores * t.idleReplicaSeconds,
      memoryGiBSecondsActive: w.memoryGiB * t.activeReplicaSeconds,
      memoryGiBSecondsIdle: w.memoryGiB * t.idleReplicaSeconds,
    };
    vA += usage.vcpuSecondsActive;
    vI += usage.vcpuSecondsIdle;
    mA += usage.memoryGiBSecondsActive;
    mI += usage.memoryGiBSecondsIdle;
    lines.push({
      category: 'container-apps',
      name: w.name,
      monthlyUSD:
        usage.vcpuSecondsActive * c.vcpuActivePerSecond.price +
        usage.vcpuSecondsIdle * c.vcpuIdlePerSecond.price +
        usage.memoryGiBSecondsActive * c.memoryActivePerGiBSecond.price +
        usage.memoryGiBSecondsIdle * c.memoryIdlePerGiBSecond.price,
      detail: `${w.cpuCores} vCPU / ${w.memoryGiB} GiB, ${t.how}`,
      confidence: weakest(c.vcpuActivePerSecond, c.vcpuIdlePerSecond, c.memoryActivePerGiBSecond, c.memoryIdlePerGiBSecond),
      ...(t.activity ? { activity: t.activity } : {}),
      usage,
    });
  }

  const grant = prices.containerApps.freeGrantPerMonth;
  if (options.freeGrant !== false) {
    const credit = (free: number, active: number, idle: number, rateA: number, rateI: number) => {
      const total = active + idle;
      const covered = Math.min(free, total);
      if (covered === 0) return { mix: 0, low: 0, high: 0 };
      return {
        mix: covered * ((active / total) * rateA + (idle / total) * rateI),
        low: Math.min(covered, idle) * rateI + Math.max(0, covered - idle) * rateA,
        high: Math.min(covered, active) * rateA + Math.max(0, covered - active) * rateI,
      };
    };
    const v = credit(grant.vcpuSeconds, vA, vI, c.vcpuActivePerSecond.price, c.vcpuIdlePerSecond.price);
    const m = credit(grant.memoryGiBSeconds, mA, mI, c.memoryActivePerGiBSecond.price, c.memoryIdlePerGiBSecond.price);
    if (v.mix + m.mix > 0) {
      lines.push({
        category: 'container-apps',
        name: 'free grant',
        monthlyUSD: -(v.mix + m.mix),
        detail:
          `${grant.vcpuSeconds} vCPU-s + ${grant.memoryGiBSeconds} GiB-s per subscription a month, credited at this month's active/idle ` +
          `mix (range $${r2(v.low + m.low)} if idle seconds go first to $${r2(v.high + m.high)} if active ones do)`,
        confidence: weakest(c.vcpuActivePerSecond, c.vcpuIdlePerSecond),
      });
    }
  }
  const freeRequests = options.freeGrant === false ? 0 : grant.requests;
  const billableRequests = Math.max(0, profile.externalRequestsPerMonth - freeRequests);
  lines.push({
    category: 'container-apps',
    name: 'requests',
    monthlyUSD: (billableRequests / 1_000_000) * c.requestsPerMillion.price,
    detail: `${profile.externalRequestsPerMonth} external requests, first ${freeRequests} free; probes and in-environment calls not billed`,
    confidence: c.requestsPerMillion.confidence,
  });

  // Dedicated Plan Management fee: per feature (dedicated profile, environment private endpoint).
  const feeFeatures: string[] = [];
  for (const pe of ofType(model.inventory, 'azurerm_private_endpoint')) {
    if (JSON.stringify(pe.body.private_service_connection ?? '').includes('managedEnvironments'))
      feeFeatures.push(`environment private endpoint ${pe.address}`);
  }
  for (const [profileName, comps] of dedicated) {
    feeFeatures.push(`dedicated profile ${profileName}`);
    const node = model.dedicatedProfiles?.[profileName];
    if (!node) {
      lines.push({
        category: 'platform',
        name: `dedicated ${profileName} nodes`,
        monthlyUSD: null,
        detail: comps.map((x) => x.name).join(', '),
        unpricedReason: `node size of profile '${profileName}' unknown`,
      });
      continue;
    }
    const cpu = comps.reduce((s, x) => s + x.cpuCores * Math.max(1, x.minReplicas), 0);
    const mem = comps.reduce((s, x) => s + x.memoryGiB * Math.max(1, x.minReplicas), 0);
    const nodes = Math.max(1, Math.ceil(cpu / node.cpuCores), Math.ceil(mem / node.memoryGiB));
    const perNodeHour =
      node.cpuCores * prices.containerApps.dedicatedComputePerVcpuHour.price +
      node.memoryGiB * prices.containerApps.dedicatedComputePerGiBHour.price;
    lines.push({
      category: 'platform',
      name: `dedicated ${profileName} nodes`,
      monthlyUSD: nodes * perNodeHour * H,
      detail: `${nodes} node(s) of ${node.cpuCores} vCPU / ${node.memoryGiB} GiB for ${comps.map((x) => x.name).join(', ')}, ${H} h`,
      confidence: weakest(prices.containerApps.dedicatedComputePerVcpuHour, prices.containerApps.dedicatedComputePerGiBHour),
    });
  }
  // Dedicated profiles the environment declares that no workload uses still bill their minimum nodes and the fee.
  for (const env of ofType(model.inventory, 'azurerm_container_app_environment')) {
    const declared = (Array.isArray(env.body.workload_profile) ? env.body.workload_profile : []) as Array<Record<string, unknown>>;
    for (const wp of declared) {
      const type = String(wp.workload_profile_type ?? 'Consumption');
      if (type === 'Consumption' || dedicated.has(String(wp.name ?? type)) || dedicated.has(type)) continue;
      feeFeatures.push(`dedicated profile ${String(wp.name ?? type)}`);
      const node = model.dedicatedProfiles?.[type];
      const count = Number(wp.minimum_count ?? 0);
      const perNodeHour = node
        ? node.cpuCores * prices.containerApps.dedicatedComputePerVcpuHour.price +
          node.memoryGiB * prices.containerApps.dedicatedComputePerGiBHour.price
        : undefined;
      lines.push(
        perNodeHour === undefined
          ? {
              category: 'platform',
              name: `dedicated ${type} nodes`,
              monthlyUSD: null,
              detail: `declared by ${env.address}, used by no workload`,
              unpricedReason: `node size of profile '${type}' unknown`,
            }
          : {
              category: 'platform',
              name: `dedicated ${type} nodes`,
              monthlyUSD: count * perNodeHour * H,
              detail: `declared by ${env.address} with minimum_count ${count}, used by no workload`,
              confidence: weakest(prices.containerApps.dedicatedComputePerVcpuHour, prices.containerApps.dedicatedComputePerGiBHour),
            },
      );
    }
  }
  const fee = prices.containerApps.dedicatedPlanManagementPerHour;
  lines.push({
    category: 'platform',
    name: 'environment management fee',
    monthlyUSD: feeFeatures.length * fee.price * H,
    detail: feeFeatures.length
      ? `${feeFeatures.length} x $${fee.price}/h: ${feeFeatures.join(', ')}`
      : 'Consumption only, no environment private endpoint: no fee',
    confidence: fee.confidence,
  });

  // PostgreSQL Flexible Server.
  const pg = prices.postgresFlexible;
  for (const server of ofType(model.inventory, 'azurerm_postgresql_flexible_server')) {
    const sku = String(server.body.sku_name ?? '');
    const storageGiB = Number(server.body.storage_mb ?? 32768) / 1024;
    const price = pg.computePerHour[sku];
    lines.push(
      price
        ? {
            category: 'database',
            name: `postgresql ${sku}`,
            monthlyUSD: price.price * H + storageGiB * pg.storagePerGiBMonth.price,
            detail: `$${price.price}/h x ${H} h + ${storageGiB} GiB x $${pg.storagePerGiBMonth.price}; backups up to the storage size free`,
            confidence: weakest(price, pg.storagePerGiBMonth),
          }
        : {
            category: 'database',
            name: `postgresql ${sku}`,
            monthlyUSD: null,
            detail: `${storageGiB} GiB`,
            unpricedReason: `no price for SKU '${sku}' in the table (known: ${Object.keys(pg.computePerHour).join(', ')})`,
          },
    );
  }

  // File shares: capacity (used GiB on SMB, provisioned on NFS) and transactions.
  const files = prices.azureFiles;
  for (const share of ofType(model.inventory, 'azurerm_storage_share')) {
    const name = String(share.body.name ?? share.address);
    const quota = Number(share.body.quota ?? 0);
    if (String(share.body.enabled_protocol ?? 'SMB').toUpperCase() === 'NFS') {
      const gib = Math.max(quota, files.premiumMinimumGiB);
      lines.push({
        category: 'storage',
        name: `share ${name} (NFS)`,
        monthlyUSD: gib * files.premiumPerGiBMonth.price,
        detail: `${gib} GiB provisioned (minimum ${files.premiumMinimumGiB}) x $${files.premiumPerGiBMonth.price}; transactions included`,
        confidence: files.premiumPerGiBMonth.confidence,
      });
      continue;
    }
    const content = shareContent(name, model.databaseShares);
    const gib = Math.min(quota || Number.POSITIVE_INFINITY, profile.storedGiB[content]);
    const ops = profile.shareThousandOps[content];
    const transactions =
      (ops.writes / 10) * files.transactionOptimizedWritePer10k.price + (ops.reads / 10) * files.transactionOptimizedReadPer10k.price;
    lines.push({
      category: 'storage',
      name: `share ${name} (SMB)`,
      monthlyUSD: gib * files.transactionOptimizedPerGiBMonth.price + transactions,
      detail:
        `${content}: ${r2(gib)} GiB used x $${files.transactionOptimizedPerGiBMonth.price} + ${ops.writes}k writes and ${ops.reads}k reads ` +
        `($${r2(transactions)}), transaction optimized`,
      confidence: weakest(
        files.transactionOptimizedPerGiBMonth,
        files.transactionOptimizedWritePer10k,
        files.transactionOptimizedReadPer10k,
      ),
    });
  }

  // Key Vault: secret reads by Container Apps (refresh of references) and job starts.
  const kv = prices.keyVault.operationsPer10k;
  for (const vault of ofType(model.inventory, 'azurerm_key_vault')) {
    const appRefs = model.workloads.filter((w) => w.kind === 'app').reduce((s, w) => s + w.secrets, 0);
    const jobReads = model.workloads
      .filter((w) => w.kind === 'job')
      .reduce((s, w) => s + w.secrets * (w.trigger === 'manual' ? profile.deploysPerMonth : queueJobs(profile, w.queues)), 0);
    const ops = appRefs * SECRET_READS_PER_REFERENCE + jobReads + 1000;
    lines.push({
      category: 'security',
      name: `key vault ${String(vault.body.sku_name ?? 'standard')}`,
      monthlyUSD: (ops / 10_000) * kv.price,
      detail: `${appRefs} app secret references x ${SECRET_READS_PER_REFERENCE} refreshes + ${jobReads} job-start reads + 1000 deploy/operator reads`,
      confidence: kv.confidence,
    });
  }

  // Edge VM, its OS disk and internet egress.
  const vms = prices.virtualMachines;
  for (const vm of ofType(model.inventory, 'azurerm_linux_virtual_machine')) {
    const size = String(vm.body.size ?? '');
    const price = vms.linuxPerHour[size];
    lines.push(
      price
        ? {
            category: 'edge',
            name: `vm ${size}`,
            monthlyUSD: price.price * H,
            detail: `$${price.price}/h x ${H} h, Linux, pay-as-you-go`,
            confidence: price.confidence,
          }
        : {
            category: 'edge',
            name: `vm ${size}`,
            monthlyUSD: null,
            detail: 'Linux, pay-as-you-go',
            unpricedReason: `no dated price for '${size}' in the table (known: ${Object.keys(vms.linuxPerHour).join(', ')})`,
          },
    );
    const disk = (vm.body.os_disk ?? {}) as Record<string, unknown>;
    const tier = diskTier(String(disk.storage_account_type ?? 'Standard_LRS'), Number(disk.disk_size_gb ?? DEFAULT_OS_DISK_GIB));
    const diskPrice = tier ? vms.osDiskPerMonth[tier] : undefined;
    lines.push(
      diskPrice
        ? {
            category: 'edge',
            name: `os disk ${tier}`,
            monthlyUSD: diskPrice.price,
            detail: `${String(disk.storage_account_type)} managed disk`,
            confidence: diskPrice.confidence,
          }
        : {
            category: 'edge',
            name: `os disk ${tier ?? String(disk.storage_account_type)}`,
            monthlyUSD: null,
            detail: 'managed disk',
            unpricedReason: `no price for this disk type and size (known tiers: ${Object.keys(vms.osDiskPerMonth).join(', ')})`,
          },
    );
  }
  if (ofType(model.inventory, 'azurerm_public_ip').length || ofType(model.inventory, 'azurerm_linux_virtual_machine').length) {
    const bw = prices.bandwidth;
    const billable = Math.max(0, profile.egressGBPerMonth - bw.freeGBPerMonth);
    lines.push({
      category: 'network',
      name: 'internet egress',
      monthlyUSD: billable * bw.internetEgressPerGB.price,
      detail: `${profile.egressGBPerMonth} GB to users, first ${bw.freeGBPerMonth} GB free, then $${bw.internetEgressPerGB.price}/GB`,
      confidence: bw.internetEgressPerGB.confidence,
    });
  }
  for (const ip of ofType(model.inventory, 'azurerm_public_ip')) {
    const p = prices.publicIpStaticStandardPerHour;
    lines.push({
      category: 'network',
      name: `public ip ${String(ip.body.name ?? ip.address)}`,
      monthlyUSD: p.price * H,
      detail: `${String(ip.body.sku ?? 'Standard')} ${String(ip.body.allocation_method ?? 'Static')}, $${p.price}/h x ${H} h`,
      confidence: p.confidence,
    });
  }
  const pl = prices.privateLink;
  for (const pe of ofType(model.inventory, 'azurerm_private_endpoint')) {
    lines.push({
      category: 'network',
      name: `private endpoint ${String(pe.body.name ?? pe.address)}`,
      monthlyUSD: pl.endpointPerHour.price * H + profile.privateEndpointGBPerMonth * pl.dataProcessedPerGB.price,
      detail: `$${pl.endpointPerHour.price}/h x ${H} h + ${profile.privateEndpointGBPerMonth} GB processed x $${pl.dataProcessedPerGB.price}`,
      confidence: weakest(pl.endpointPerHour, pl.dataProcessedPerGB),
    });
  }
  const zones = ofType(model.inventory, 'azurerm_private_dns_zone');
  if (zones.length) {
    const z = prices.privateDns.zonePerMonth;
    lines.push({
      category: 'network',
      name: `private dns zones (${zones.length})`,
      monthlyUSD: zones.length * z.price,
      detail: `${zones.length} x $${z.price}/month: ${zones.map((x) => zoneName(x)).join(', ')}`,
      confidence: z.confidence,
    });
  }

  for (const ws of ofType(model.inventory, 'azurerm_log_analytics_workspace')) {
    const la = prices.logAnalytics;
    const billable = Math.max(0, profile.logAnalyticsGBPerMonth - la.freeGBPerMonth);
    lines.push({
      category: 'monitoring',
      name: `log analytics ${String(ws.body.name ?? '')}`.trim(),
      monthlyUSD: billable * la.ingestionPerGB.price,
      detail: `${profile.logAnalyticsGBPerMonth} GB ingested, first ${la.freeGBPerMonth} GB free, x $${la.ingestionPerGB.price}/GB; 31 days retention included`,
      confidence: la.ingestionPerGB.confidence,
    });
  }

  // Container apps and jobs in the Terraform must be the workloads priced above.
  const workloadNames = new Set(model.workloads.map((w) => w.name));
  for (const r of [...ofType(model.inventory, 'azurerm_container_app'), ...ofType(model.inventory, 'azurerm_container_app_job')]) {
    const name = String(r.body.name ?? '');
    if (!workloadNames.has(name))
      lines.push({
        category: 'container-apps',
        name,
        monthlyUSD: null,
        detail: r.address,
        unpricedReason: 'in the Terraform but not in the catalogue app specs: its replica bounds and resources are unknown to the estimate',
      });
  }

  // Every other type: free with a reason, or unknown (not priced).
  const free = new Map<string, number>();
  const unknown = new Map<string, string[]>();
  for (const r of model.inventory) {
    const rule = TYPE_RULES[r.type];
    if (rule?.kind === 'free') free.set(r.type, (free.get(r.type) ?? 0) + 1);
    else if (!rule) unknown.set(r.type, [...(unknown.get(r.type) ?? []), r.address]);
  }
  for (const [type, addresses] of unknown) {
    lines.push({
      category: 'platform',
      name: type,
      monthlyUSD: null,
      detail: `${addresses.length} resource(s): ${addresses.join(', ')}`,
      unpricedReason: 'unknown resource type: add a rule to TYPE_RULES (packages/infra/src/cost/inventory.ts)',
    });
  }

  const apps = model.workloads.filter((x) => x.kind === 'app');
  return {
    label: model.label,
    currency: prices.currency,
    region: prices.region,
    pricesAsOf: prices.asOf,
    profile: profile.name,
    lines,
    totalMonthlyUSD: lines.reduce((s, l) => s + (l.monthlyUSD ?? 0), 0),
    unpriced: lines.filter((l) => l.monthlyUSD === null).map((l) => l.name),
    freeResources: [...free.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, count]) => ({ type, count, reason: (TYPE_RULES[type] as { reason: string }).reason })),
    alwaysOn: {
      replicas: apps.reduce((s, x) => s + x.minReplicas, 0),
      cpuCores: apps.reduce((s, x) => s + x.cpuCores * x.minReplicas, 0),
      memoryGiB: apps.reduce((s, x) => s + x.memoryGiB * x.minReplicas, 0),
    },
  };
}

/** Managed disk price tier (S/E/P + size class) of a storage account type and size; undefined when unknown. */
export function diskTier(storageAccountType: string, sizeGiB: number): string | undefined {
  const letter = { Standard_LRS: 'S', StandardSSD_LRS: 'E', Premium_LRS: 'P' }[storageAccountType];
  if (!letter) return undefined;
  const sizes: Array<[number, number]> = [
    [4, 32],
    [6, 64],
    [10, 128],
    [15, 256],
    [20, 512],
  ];
  const hit = sizes.find(([, max]) => sizeGiB <= max);
  return hit ? `${letter}${hit[0]}` : undefined;
}

function zoneName(r: InventoryResource): string {
  const name = String(r.body.name ?? r.address);
  return name.startsWith('${') ? `(environment default domain)` : name;
}

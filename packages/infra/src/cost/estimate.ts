import type { Price, PriceConfidence, PriceTable } from './price-table';

/** One container app or job to price. */
export interface CostedComponent {
  readonly name: string;
  /** Catalogue role; `edge` components are priced as the edge VM, not as a container app. */
  readonly role: string;
  readonly cpuCores: number;
  readonly memoryGiB: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** `Consumption` or a dedicated profile type such as `D4`. @default 'Consumption' */
  readonly workloadProfile?: string;
}

/** One storage to price. */
export interface CostedStorage {
  readonly name: string;
  readonly kind: 'smb' | 'nfs' | 'ephemeral';
  readonly quotaGiB: number;
}

/** A deployment reduced to what the estimate prices. */
export interface CostModel {
  /** Label for the output, e.g. `example (catalogue v2.73.0)`. */
  readonly label: string;
  readonly components: readonly CostedComponent[];
  readonly storages: readonly CostedStorage[];
  /** PostgreSQL Flexible Server, when there is one. */
  readonly postgres?: { readonly sku: string; readonly storageGiB: number };
  /** The edge VM, when there is one (`edge.mode: vm`). */
  readonly edgeVm?: { readonly size: string; readonly osDisk: string };
  /** Whether a static public IP is billed (the edge's). */
  readonly publicIp: boolean;
  /** Whether a Log Analytics workspace receives the environment's logs. */
  readonly logAnalytics: boolean;
  readonly keyVault: boolean;
  /**
   * Environment features that trigger the Dedicated Plan Management fee, each charged separately
   * (dedicated workload profile, environment private endpoint, planned maintenance). Dedicated profiles
   * used by components are added automatically.
   */
  readonly environmentFeeFeatures: readonly string[];
  /** Dedicated profile node sizes (vCPU, GiB) for components not on Consumption. */
  readonly dedicatedProfiles?: Readonly<Record<string, { readonly cpuCores: number; readonly memoryGiB: number }>>;
}

/**
 * Usage assumptions behind an estimate. Prices are per second of replica time, so the estimate is only
 * as good as these; they are printed with every estimate.
 */
export interface CostAssumptions {
  /**
   * Hours a month during which always-on replicas count as active (serving users, running jobs);
   * the rest of the month they sit at their minimum count and bill at the idle rate.
   * @default 176 (8 h × 22 working days)
   */
  readonly activeHoursPerMonth: number;
  /**
   * Hours a month a scale-to-zero component (`minReplicas: 0`) runs one replica (active rate).
   * @default 176
   */
  readonly scaledFromZeroHoursPerMonth: number;
  /**
   * Hours a month a job (the `cvat-init` migration) runs, at the active rate.
   * @default 0.5
   */
  readonly jobHoursPerMonth: number;
  /**
   * Requests a month reaching the environment from outside (through the edge).
   * @default 1000000
   */
  readonly externalRequestsPerMonth: number;
  /**
   * GB a month ingested into Log Analytics.
   * @default 10
   */
  readonly logAnalyticsGBPerMonth: number;
  /**
   * Key Vault secret operations a month (ACA refreshes versionless references, deploys read secrets).
   * @default 100000
   */
  readonly keyVaultOperationsPerMonth: number;
  /**
   * Share of each SMB share's quota that holds data (Standard shares bill used GiB, not the quota).
   * @default 1 (an upper bound: every share full)
   */
  readonly smbFillRatio: number;
}

/** Defaults of {@link CostAssumptions}. */
export const DEFAULT_COST_ASSUMPTIONS: CostAssumptions = {
  activeHoursPerMonth: 176,
  scaledFromZeroHoursPerMonth: 176,
  jobHoursPerMonth: 0.5,
  externalRequestsPerMonth: 1_000_000,
  logAnalyticsGBPerMonth: 10,
  keyVaultOperationsPerMonth: 100_000,
  smbFillRatio: 1,
};

/** One line of an estimate. */
export interface CostLine {
  readonly category: 'container-apps' | 'platform' | 'database' | 'storage' | 'edge' | 'monitoring' | 'security';
  readonly name: string;
  /** USD per month, or `null` when the price table has no price for it (see `unpricedReason`). */
  readonly monthlyUSD: number | null;
  /** How it was computed, in words and numbers. */
  readonly detail: string;
  /** Weakest confidence among the prices used. */
  readonly confidence?: PriceConfidence;
  readonly unpricedReason?: string;
  /** Replica-seconds billed, for container apps. */
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
  readonly assumptions: CostAssumptions;
  readonly lines: readonly CostLine[];
  /** Sum of the priced lines (the free grant is a negative line). */
  readonly totalMonthlyUSD: number;
  /** Names of lines that could not be priced and are not in the total. */
  readonly unpriced: readonly string[];
  /** Always-on capacity: Σ cpu × minReplicas and Σ memory × minReplicas over container apps. */
  readonly alwaysOn: { readonly replicas: number; readonly cpuCores: number; readonly memoryGiB: number };
}

const RANK: Record<PriceConfidence, number> = { verified: 0, derived: 1, verify: 2 };
const weakest = (...prices: Price[]): PriceConfidence =>
  prices.reduce<PriceConfidence>((w, p) => (RANK[p.confidence] > RANK[w] ? p.confidence : w), 'verified');
const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Estimates the monthly cost of a deployment from a price table.
 *
 * Container apps on Consumption are billed per replica-second: always-on replicas (`minReplicas ≥ 1`) at
 * the active rate for `activeHoursPerMonth` and at the idle rate for the rest of the month (ACA bills
 * idle only while a revision sits at its minimum count); scale-to-zero apps run one replica for
 * `scaledFromZeroHoursPerMonth` at the active rate; jobs run `jobHoursPerMonth` at the active rate. The
 * monthly free grant is credited once, valued at the idle rate (the lowest, so the credit is never
 * overstated). Dedicated profiles are billed per node-hour plus the management fee.
 *
 * Lines the price table cannot price (an unknown VM size or PostgreSQL SKU) are listed with `monthlyUSD:
 * null` and left out of the total, never guessed.
 *
 * @see https://learn.microsoft.com/azure/container-apps/billing
 */
export function estimateMonthlyCost(
  model: CostModel,
  prices: PriceTable,
  assumptions: CostAssumptions = DEFAULT_COST_ASSUMPTIONS,
): CostEstimate {
  const H = prices.hoursPerMonth;
  const activeHours = Math.min(assumptions.activeHoursPerMonth, H);
  const c = prices.containerApps.consumption;
  const lines: CostLine[] = [];
  let vcpuSecondsTotal = 0;
  let memorySecondsTotal = 0;
  const dedicated = new Map<string, CostedComponent[]>();

  for (const comp of model.components) {
    if (comp.role === 'edge') continue;
    const profile = comp.workloadProfile ?? 'Consumption';
    if (profile !== 'Consumption') {
      dedicated.set(profile, [...(dedicated.get(profile) ?? []), comp]);
      continue;
    }
    let activeReplicaSeconds: number;
    let idleReplicaSeconds: number;
    let how: string;
    if (comp.role === 'job') {
      activeReplicaSeconds = assumptions.jobHoursPerMonth * 3600;
      idleReplicaSeconds = 0;
      how = `job, ${assumptions.jobHoursPerMonth} h/month active`;
    } else if (comp.minReplicas >= 1) {
      activeReplicaSeconds = comp.minReplicas * activeHours * 3600;
      idleReplicaSeconds = comp.minReplicas * (H - activeHours) * 3600;
      how = `${comp.minReplicas} always-on replica(s): ${activeHours} h active + ${H - activeHours} h idle`;
    } else {
      activeReplicaSeconds = Math.min(assumptions.scaledFromZeroHoursPerMonth, H) * 3600;
      idleReplicaSeconds = 0;
      how = `scales to zero: 1 replica for ${Math.min(assumptions.scaledFromZeroHoursPerMonth, H)} h active`;
    }
    const usage = {
      vcpuSecondsActive: comp.cpuCores * activeReplicaSeconds,
      vcpuSecondsIdle: comp.cpuCores * idleReplicaSeconds,
      memoryGiBSecondsActive: comp.memoryGiB * activeReplicaSeconds,
      memoryGiBSecondsIdle: comp.memoryGiB * idleReplicaSeconds,
    };
    vcpuSecondsTotal += usage.vcpuSecondsActive + usage.vcpuSecondsIdle;
    memorySecondsTotal += usage.memoryGiBSecondsActive + usage.memoryGiBSecondsIdle;
    const cost =
      usage.vcpuSecondsActive * c.vcpuActivePerSecond.price +
      usage.vcpuSecondsIdle * c.vcpuIdlePerSecond.price +
      usage.memoryGiBSecondsActive * c.memoryActivePerGiBSecond.price +
      usage.memoryGiBSecondsIdle * c.memoryIdlePerGiBSecond.price;
    lines.push({
      category: 'container-apps',
      name: comp.name,
      monthlyUSD: cost,
      detail: `${comp.cpuCores} vCPU / ${comp.memoryGiB} GiB, ${how}`,
      confidence: weakest(c.vcpuActivePerSecond, c.vcpuIdlePerSecond, c.memoryActivePerGiBSecond, c.memoryIdlePerGiBSecond),
      usage,
    });
  }

  const grant = prices.containerApps.freeGrantPerMonth;
  const credit =
    Math.min(grant.vcpuSeconds, vcpuSecondsTotal) * c.vcpuIdlePerSecond.price +
    Math.min(grant.memoryGiBSeconds, memorySecondsTotal) * c.memoryIdlePerGiBSecond.price;
  if (credit > 0) {
    lines.push({
      category: 'container-apps',
      name: 'free grant',
      monthlyUSD: -credit,
      detail: `${grant.vcpuSeconds} vCPU-s + ${grant.memoryGiBSeconds} GiB-s a month, valued at the idle rate`,
      confidence: weakest(c.vcpuIdlePerSecond, c.memoryIdlePerGiBSecond),
    });
  }
  const billableRequests = Math.max(0, assumptions.externalRequestsPerMonth - grant.requests);
  lines.push({
    category: 'container-apps',
    name: 'requests',
    monthlyUSD: (billableRequests / 1_000_000) * c.requestsPerMillion.price,
    detail: `${assumptions.externalRequestsPerMonth} external requests, first ${grant.requests} free`,
    confidence: c.requestsPerMillion.confidence,
  });

  const feeFeatures = [...model.environmentFeeFeatures];
  for (const [profile, comps] of dedicated) {
    feeFeatures.push(`dedicated profile ${profile}`);
    const node = model.dedicatedProfiles?.[profile];
    if (!node) {
      lines.push({
        category: 'platform',
        name: `dedicated ${profile} nodes`,
        monthlyUSD: null,
        detail: comps.map((x) => x.name).join(', '),
        unpricedReason: `node size of profile '${profile}' unknown`,
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
      name: `dedicated ${profile} nodes`,
      monthlyUSD: nodes * perNodeHour * H,
      detail: `${nodes} node(s) of ${node.cpuCores} vCPU / ${node.memoryGiB} GiB for ${comps.map((x) => x.name).join(', ')}, ${H} h`,
      confidence: weakest(prices.containerApps.dedicatedComputePerVcpuHour, prices.containerApps.dedicatedComputePerGiBHour),
    });
  }
  const fee = prices.containerApps.dedicatedPlanManagementPerHour;
  lines.push({
    category: 'platform',
    name: 'environment management fee',
    monthlyUSD: feeFeatures.length * fee.price * H,
    detail: feeFeatures.length
      ? `${feeFeatures.length} × $${fee.price}/h: ${feeFeatures.join(', ')}`
      : 'Consumption only, no environment private endpoint, no planned maintenance: no fee',
    confidence: fee.confidence,
  });

  if (model.postgres) {
    const sku = prices.postgresFlexible.computePerHour[model.postgres.sku];
    const storage = prices.postgresFlexible.storagePerGiBMonth;
    if (sku) {
      lines.push({
        category: 'database',
        name: `postgresql ${model.postgres.sku}`,
        monthlyUSD: sku.price * H + model.postgres.storageGiB * storage.price,
        detail: `$${sku.price}/h × ${H} h + ${model.postgres.storageGiB} GiB × $${storage.price}; backups up to the storage size free`,
        confidence: weakest(sku, storage),
      });
    } else {
      lines.push({
        category: 'database',
        name: `postgresql ${model.postgres.sku}`,
        monthlyUSD: null,
        detail: `${model.postgres.storageGiB} GiB`,
        unpricedReason: `no price for SKU '${model.postgres.sku}' in the table (known: ${Object.keys(prices.postgresFlexible.computePerHour).join(', ')})`,
      });
    }
  }

  const files = prices.azureFiles;
  for (const st of model.storages) {
    if (st.kind === 'ephemeral') continue;
    if (st.kind === 'smb') {
      const gib = st.quotaGiB * assumptions.smbFillRatio;
      lines.push({
        category: 'storage',
        name: `share ${st.name} (SMB)`,
        monthlyUSD: gib * files.transactionOptimizedPerGiBMonth.price,
        detail: `${round2(gib)} GiB used × $${files.transactionOptimizedPerGiBMonth.price} (transaction optimized; transactions not included)`,
        confidence: files.transactionOptimizedPerGiBMonth.confidence,
      });
    } else {
      const gib = Math.max(st.quotaGiB, files.premiumMinimumGiB);
      lines.push({
        category: 'storage',
        name: `share ${st.name} (NFS)`,
        monthlyUSD: gib * files.premiumPerGiBMonth.price,
        detail: `${gib} GiB provisioned (minimum ${files.premiumMinimumGiB}) × $${files.premiumPerGiBMonth.price}`,
        confidence: files.premiumPerGiBMonth.confidence,
      });
    }
  }

  if (model.keyVault) {
    const kv = prices.keyVault.operationsPer10k;
    lines.push({
      category: 'security',
      name: 'key vault',
      monthlyUSD: (assumptions.keyVaultOperationsPerMonth / 10_000) * kv.price,
      detail: `${assumptions.keyVaultOperationsPerMonth} secret operations × $${kv.price}/10k`,
      confidence: kv.confidence,
    });
  }

  if (model.edgeVm) {
    const vm = prices.virtualMachines.linuxPerHour[model.edgeVm.size];
    lines.push(
      vm
        ? {
            category: 'edge',
            name: `edge vm ${model.edgeVm.size}`,
            monthlyUSD: vm.price * H,
            detail: `$${vm.price}/h × ${H} h, pay-as-you-go`,
            confidence: vm.confidence,
          }
        : {
            category: 'edge',
            name: `edge vm ${model.edgeVm.size}`,
            monthlyUSD: null,
            detail: 'Linux, pay-as-you-go',
            unpricedReason: `no dated price for '${model.edgeVm.size}' in the table (known: ${Object.keys(prices.virtualMachines.linuxPerHour).join(', ')})`,
          },
    );
    const disk = prices.virtualMachines.osDiskPerMonth[model.edgeVm.osDisk];
    lines.push(
      disk
        ? {
            category: 'edge',
            name: `edge os disk ${model.edgeVm.osDisk}`,
            monthlyUSD: disk.price,
            detail: 'managed disk, per month',
            confidence: disk.confidence,
          }
        : {
            category: 'edge',
            name: `edge os disk ${model.edgeVm.osDisk}`,
            monthlyUSD: null,
            detail: 'managed disk',
            unpricedReason: `no price for disk '${model.edgeVm.osDisk}'`,
          },
    );
  }
  if (model.publicIp) {
    const ip = prices.publicIpStaticStandardPerMonth;
    lines.push({
      category: 'edge',
      name: 'public ip (static, standard)',
      monthlyUSD: ip.price,
      detail: 'per month',
      confidence: ip.confidence,
    });
  }
  if (model.logAnalytics) {
    const la = prices.logAnalytics;
    const billable = Math.max(0, assumptions.logAnalyticsGBPerMonth - la.freeGBPerMonth);
    lines.push({
      category: 'monitoring',
      name: 'log analytics',
      monthlyUSD: billable * la.ingestionPerGB.price,
      detail:
        `${assumptions.logAnalyticsGBPerMonth} GB ingested, first ${la.freeGBPerMonth} GB free, × $${la.ingestionPerGB.price}/GB; ` +
        `31 days retention included`,
      confidence: la.ingestionPerGB.confidence,
    });
  }

  const apps = model.components.filter((x) => x.role !== 'edge' && x.role !== 'job');
  const alwaysOn = {
    replicas: apps.reduce((s, x) => s + x.minReplicas, 0),
    cpuCores: apps.reduce((s, x) => s + x.cpuCores * x.minReplicas, 0),
    memoryGiB: apps.reduce((s, x) => s + x.memoryGiB * x.minReplicas, 0),
  };
  return {
    label: model.label,
    currency: prices.currency,
    region: prices.region,
    pricesAsOf: prices.asOf,
    assumptions,
    lines,
    totalMonthlyUSD: lines.reduce((s, l) => s + (l.monthlyUSD ?? 0), 0),
    unpriced: lines.filter((l) => l.monthlyUSD === null).map((l) => l.name),
    alwaysOn,
  };
}

/**
 * The reference project's configuration (tpneik/cvat-cloud v1.0.0), for comparison: 15 container apps,
 * all `min = max = 1`, 6.25 vCPU / 12.5 GiB always on; PostgreSQL B1ms with 32 GiB; six 50 GiB SMB
 * shares; a `Standard_B2ats_v2` Traefik VM with a Standard HDD OS disk and a static public IP; a Key
 * Vault; no Log Analytics workspace and no management-fee feature.
 *
 * @see the reference project's terraform.tfvars and container app definitions (tpneik/cvat-cloud v1.0.0)
 */
export function referenceCostModel(): CostModel {
  const app = (name: string, cpuCores: number): CostedComponent => ({
    name,
    role: 'service',
    cpuCores,
    memoryGiB: cpuCores * 2,
    minReplicas: 1,
    maxReplicas: 1,
  });
  const workers = ['annotation', 'chunks', 'consensus', 'export', 'import', 'quality-reports', 'utils', 'webhooks'].map((q) =>
    app(`cvat-worker-${q}`, 0.5),
  );
  return {
    label: 'reference project (tpneik/cvat-cloud v1.0.0)',
    components: [
      app('cvat-server', 0.5),
      app('cvat-ui', 0.25),
      ...workers,
      app('cvat-redis-inmem', 0.25),
      app('cvat-redis-ondisk', 0.25),
      app('cvat-clickhouse', 0.5),
      app('cvat-vector', 0.25),
      app('opa', 0.25),
    ],
    storages: ['cvat-vector-component', 'cvat-cache-db', 'cvat-data', 'cvat-keys', 'cvat-logs', 'cvat-events-db'].map((name) => ({
      name,
      kind: 'smb',
      quotaGiB: 50,
    })),
    postgres: { sku: 'B_Standard_B1ms', storageGiB: 32 },
    edgeVm: { size: 'Standard_B2ats_v2', osDisk: 'S4' },
    publicIp: true,
    logAnalytics: false,
    keyVault: true,
    environmentFeeFeatures: [],
  };
}

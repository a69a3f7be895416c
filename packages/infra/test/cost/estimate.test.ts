import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { enabledComponents, loadEnvironmentConfig, resolveCatalogue, resourceTotals } from '@cvat-cloud/catalogue';
import { describe, expect, it } from 'vitest';
import { type CostModel, DEFAULT_COST_ASSUMPTIONS, estimateMonthlyCost, referenceCostModel } from '../../src/cost/estimate';
import { costModelFromCatalogue } from '../../src/cost/model';
import { loadPriceTable, type PriceTable, validatePriceTable } from '../../src/cost/price-table';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const PRICE_FILE = join(__dirname, '..', '..', 'prices', 'eastus-2026-11-28.json');
// The raw committed table, read without the code under test.
const raw = JSON.parse(readFileSync(PRICE_FILE, 'utf8'));
const P = {
  vA: raw.containerApps.consumption.vcpuActivePerSecond.price as number,
  vI: raw.containerApps.consumption.vcpuIdlePerSecond.price as number,
  mA: raw.containerApps.consumption.memoryActivePerGiBSecond.price as number,
  mI: raw.containerApps.consumption.memoryIdlePerGiBSecond.price as number,
  grantV: raw.containerApps.freeGrantPerMonth.vcpuSeconds as number,
  grantM: raw.containerApps.freeGrantPerMonth.memoryGiBSeconds as number,
  pgB1ms: raw.postgresFlexible.computePerHour.B_Standard_B1ms.price as number,
  pgGiB: raw.postgresFlexible.storagePerGiBMonth.price as number,
  smb: raw.azureFiles.transactionOptimizedPerGiBMonth.price as number,
  kv: raw.keyVault.operationsPer10k.price as number,
  s4: raw.virtualMachines.osDiskPerMonth.S4.price as number,
  e4: raw.virtualMachines.osDiskPerMonth.E4.price as number,
  ip: raw.publicIpStaticStandardPerMonth.price as number,
  la: raw.logAnalytics.ingestionPerGB.price as number,
  laFree: raw.logAnalytics.freeGBPerMonth as number,
  H: raw.hoursPerMonth as number,
};
const A = DEFAULT_COST_ASSUMPTIONS.activeHoursPerMonth;
const table: PriceTable = loadPriceTable({ file: PRICE_FILE }).table;

/** Cost of always-on capacity: active for A hours, idle for the rest of the month. */
const alwaysOn = (cpu: number, mem: number) => cpu * 3600 * (A * P.vA + (P.H - A) * P.vI) + mem * 3600 * (A * P.mA + (P.H - A) * P.mI);
/** Cost of capacity running only `hours` a month at the active rate. */
const activeOnly = (cpu: number, mem: number, hours: number) => cpu * hours * 3600 * P.vA + mem * hours * 3600 * P.mA;
/** The free grant credited at the idle rate, bounded by usage. */
const grant = (vcpuSeconds: number, memSeconds: number) => Math.min(P.grantV, vcpuSeconds) * P.vI + Math.min(P.grantM, memSeconds) * P.mI;

describe('cost estimate pinned to the committed East US price table', () => {
  it('prices the reference configuration: 15 always-on apps with 6.25 vCPU / 12.5 GiB, PG B1ms, six 50 GiB shares, an unpriced B2ats_v2 VM', () => {
    const e = estimateMonthlyCost(referenceCostModel(), table);
    expect(e.alwaysOn).toEqual({ replicas: 15, cpuCores: 6.25, memoryGiB: 12.5 });
    const aca = alwaysOn(6.25, 12.5) - grant(6.25 * P.H * 3600, 12.5 * P.H * 3600);
    const database = P.pgB1ms * P.H + 32 * P.pgGiB;
    const storage = 6 * 50 * P.smb;
    const edge = P.s4 + P.ip;
    const keyVault = (DEFAULT_COST_ASSUMPTIONS.keyVaultOperationsPerMonth / 10_000) * P.kv;
    expect(e.totalMonthlyUSD).toBeCloseTo(aca + database + storage + edge + keyVault, 6);
    expect(e.unpriced).toEqual(['edge vm Standard_B2ats_v2']);
    expect(e.lines.some((l) => l.category === 'monitoring')).toBe(false);
  });

  it('prices the example environment from the resolved catalogue and its config', () => {
    const config = loadEnvironmentConfig('example', { cwd: REPO_ROOT }).value!;
    const catalogue = resolveCatalogue(config).value!;
    const totals = resourceTotals(catalogue);
    const e = estimateMonthlyCost(costModelFromCatalogue(catalogue, config), table);

    const always = totals.components.filter((c) => c.minReplicas > 0);
    const fromZero = totals.components.filter((c) => c.minReplicas === 0);
    const jobs = enabledComponents(catalogue).filter((c) => c.role === 'job');
    const cpuOn = always.reduce((s, c) => s + c.cpuCores * c.minReplicas, 0);
    const memOn = always.reduce((s, c) => s + c.memoryGiB * c.minReplicas, 0);
    let aca = alwaysOn(cpuOn, memOn);
    let vcpuSeconds = cpuOn * P.H * 3600;
    let memSeconds = memOn * P.H * 3600;
    for (const c of fromZero) {
      aca += activeOnly(c.cpuCores, c.memoryGiB, DEFAULT_COST_ASSUMPTIONS.scaledFromZeroHoursPerMonth);
      vcpuSeconds += c.cpuCores * DEFAULT_COST_ASSUMPTIONS.scaledFromZeroHoursPerMonth * 3600;
      memSeconds += c.memoryGiB * DEFAULT_COST_ASSUMPTIONS.scaledFromZeroHoursPerMonth * 3600;
    }
    for (const j of jobs) {
      aca += activeOnly(j.resources.cpuCores, j.resources.memoryGiB, DEFAULT_COST_ASSUMPTIONS.jobHoursPerMonth);
      vcpuSeconds += j.resources.cpuCores * DEFAULT_COST_ASSUMPTIONS.jobHoursPerMonth * 3600;
      memSeconds += j.resources.memoryGiB * DEFAULT_COST_ASSUMPTIONS.jobHoursPerMonth * 3600;
    }
    aca -= grant(vcpuSeconds, memSeconds);
    const database = P.pgB1ms * P.H + config.postgres.storageGiB * P.pgGiB;
    expect(catalogue.storages.every((s) => s.kind !== 'nfs')).toBe(true);
    const storage = catalogue.storages.filter((s) => s.kind === 'smb').reduce((s, st) => s + st.quotaGiB * P.smb, 0);
    const edge = P.e4 + P.ip;
    const logs = (DEFAULT_COST_ASSUMPTIONS.logAnalyticsGBPerMonth - P.laFree) * P.la;
    const keyVault = (DEFAULT_COST_ASSUMPTIONS.keyVaultOperationsPerMonth / 10_000) * P.kv;

    expect(config.edge.vmSize).toBe('Standard_B2ats_v2');
    expect(e.unpriced).toEqual(['edge vm Standard_B2ats_v2']);
    expect(e.alwaysOn).toEqual({
      replicas: totals.atMinReplicas.replicas,
      cpuCores: totals.atMinReplicas.cpuCores,
      memoryGiB: totals.atMinReplicas.memoryGiB,
    });
    expect(e.totalMonthlyUSD).toBeCloseTo(aca + database + storage + edge + logs + keyVault, 6);
  });

  it('shifts cost between the active and idle rates with the active-hours assumption', () => {
    const idleAllMonth = estimateMonthlyCost(referenceCostModel(), table, { ...DEFAULT_COST_ASSUMPTIONS, activeHoursPerMonth: 0 });
    const activeAllMonth = estimateMonthlyCost(referenceCostModel(), table, { ...DEFAULT_COST_ASSUMPTIONS, activeHoursPerMonth: 744 });
    const aca = (e: typeof idleAllMonth) => e.lines.filter((l) => l.category === 'container-apps').reduce((s, l) => s + l.monthlyUSD!, 0);
    const seconds = P.H * 3600;
    expect(aca(idleAllMonth)).toBeCloseTo(6.25 * seconds * P.vI + 12.5 * seconds * P.mI - grant(6.25 * seconds, 12.5 * seconds), 6);
    expect(aca(activeAllMonth)).toBeCloseTo(6.25 * seconds * P.vA + 12.5 * seconds * P.mA - grant(6.25 * seconds, 12.5 * seconds), 6);
  });
});

describe('estimateMonthlyCost rules', () => {
  const base: CostModel = {
    label: 't',
    components: [],
    storages: [],
    publicIp: false,
    logAnalytics: false,
    keyVault: false,
    environmentFeeFeatures: [],
  };

  it('bills a scale-to-zero app only for its active hours and never below zero with the grant', () => {
    const e = estimateMonthlyCost(
      { ...base, components: [{ name: 'w', role: 'worker', cpuCores: 0.5, memoryGiB: 1, minReplicas: 0, maxReplicas: 5 }] },
      table,
    );
    const line = e.lines.find((l) => l.name === 'w')!;
    expect(line.monthlyUSD).toBeCloseTo(activeOnly(0.5, 1, A), 9);
    expect(line.usage).toEqual({
      vcpuSecondsActive: 0.5 * A * 3600,
      vcpuSecondsIdle: 0,
      memoryGiBSecondsActive: A * 3600,
      memoryGiBSecondsIdle: 0,
    });
    expect(e.lines.find((l) => l.name === 'free grant')!.monthlyUSD).toBeCloseTo(-grant(0.5 * A * 3600, A * 3600), 9);
  });

  it('charges the management fee and node-hours once a component runs on a dedicated profile', () => {
    const e = estimateMonthlyCost(
      {
        ...base,
        components: [{ name: 'big', role: 'service', cpuCores: 6, memoryGiB: 20, minReplicas: 1, maxReplicas: 1, workloadProfile: 'D4' }],
        dedicatedProfiles: { D4: { cpuCores: 4, memoryGiB: 16 } },
      },
      table,
    );
    const fee = e.lines.find((l) => l.name === 'environment management fee')!;
    expect(fee.monthlyUSD).toBeCloseTo(raw.containerApps.dedicatedPlanManagementPerHour.price * P.H, 9);
    const nodes = e.lines.find((l) => l.name === 'dedicated D4 nodes')!;
    const perNodeHour = 4 * raw.containerApps.dedicatedComputePerVcpuHour.price + 16 * raw.containerApps.dedicatedComputePerGiBHour.price;
    expect(nodes.monthlyUSD).toBeCloseTo(2 * perNodeHour * P.H, 9);
    expect(nodes.confidence).toBe('derived');
    expect(e.lines.some((l) => l.name === 'big')).toBe(false);
  });

  it('bills NFS shares at the premium minimum and leaves ephemeral storage out', () => {
    const e = estimateMonthlyCost(
      {
        ...base,
        storages: [
          { name: 'cache', kind: 'nfs', quotaGiB: 20 },
          { name: 'tmp', kind: 'ephemeral', quotaGiB: 4 },
        ],
      },
      table,
    );
    expect(e.lines.filter((l) => l.category === 'storage').map((l) => [l.name, l.monthlyUSD])).toEqual([
      ['share cache (NFS)', raw.azureFiles.premiumMinimumGiB * raw.azureFiles.premiumPerGiBMonth.price],
    ]);
  });

  it('lists an unknown PostgreSQL SKU as not priced instead of guessing, and keeps it out of the total', () => {
    const e = estimateMonthlyCost({ ...base, postgres: { sku: 'GP_Standard_D2ds_v5', storageGiB: 64 } }, table);
    const line = e.lines.find((l) => l.category === 'database')!;
    expect(line.monthlyUSD).toBeNull();
    expect(line.unpricedReason).toContain("no price for SKU 'GP_Standard_D2ds_v5'");
    expect(e.unpriced).toEqual(['postgresql GP_Standard_D2ds_v5']);
  });
});

describe('price table validation', () => {
  it.each([
    [
      ['containerApps', 'consumption', 'vcpuActivePerSecond', 'price'],
      -1,
      "'containerApps.consumption.vcpuActivePerSecond.price' (-1) must be a non-negative number",
    ],
    [
      ['postgresFlexible', 'computePerHour', 'B_Standard_B1ms', 'confidence'],
      'sure',
      '\'postgresFlexible.computePerHour.B_Standard_B1ms.confidence\' ("sure") must be one of verified, derived, verify',
    ],
    [['asOf'], '28/11/2026', '\'asOf\' ("28/11/2026") must be a yyyy-mm-dd date'],
    [['hoursPerMonth'], '730', '\'hoursPerMonth\' ("730") must be a non-negative number'],
  ])('rejects %j = %j naming the field and value', (path, value, message) => {
    const copy = JSON.parse(JSON.stringify(raw));
    let o = copy;
    for (const k of (path as string[]).slice(0, -1)) o = o[k];
    o[(path as string[])[(path as string[]).length - 1]] = value;
    expect(() => validatePriceTable(copy, 'x.json')).toThrow(message);
  });

  it('picks the newest dated table of a region and fails clearly when there is none', () => {
    expect(loadPriceTable({ region: 'eastus' }).file).toBe(PRICE_FILE);
    expect(() => loadPriceTable({ region: 'westeurope' })).toThrow(/no price table for region 'westeurope'/);
  });
});

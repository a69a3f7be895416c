import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CostCompareReport, CostReport } from '../../src/commands/cost';
import { infraCli } from '../support/cli';

const cost = (argv: string[], env: Record<string, string> = {}) => infraCli(['cost', ...argv], { env });

describe('cvat-infra cost', () => {
  it('prints both estimates as JSON with a top-level ratio, the profile, the table of the environment region and its sources', async () => {
    const r = await cost(['--json', '--profile', 'idle']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as CostReport;
    expect(report.prices).toMatchObject({
      file: 'packages/infra/prices/westeurope-2026-12-03.json',
      region: 'westeurope',
      asOf: '2026-12-03',
    });
    expect(report.profile.name).toBe('idle');
    expect(report.environment.label).toBe('example (catalogue v2.73.0, westeurope)');
    expect(report.reference.alwaysOn).toEqual({ replicas: 15, cpuCores: 6.25, memoryGiB: 12.5 });
    expect(report.ratio).toBeCloseTo(report.environment.totalMonthlyUSD / report.reference.totalMonthlyUSD, 3);
    const sum = (e: CostReport['environment']) => e.lines.reduce((s, l) => s + (l.monthlyUSD ?? 0), 0);
    expect(report.environment.totalMonthlyUSD).toBeCloseTo(sum(report.environment), 9);
    expect(report.assumptions.some((a) => a.startsWith('profile idle:'))).toBe(true);
    // cvat-server's class follows the OPA polling of each configuration: 300-600 s here, upstream's 5-15 s in the reference.
    const server = (e: CostReport['environment']) => e.lines.find((l) => l.name === 'cvat-server')?.activity?.activity;
    expect(server(report.environment)).toBe('polled');
    expect(server(report.reference)).toBe('always');
    // The low end: cvat-server read as idle between OPA polls; cheaper on both sides.
    expect(report.optimistic.environmentUSD).toBeLessThan(report.environment.totalMonthlyUSD);
    expect(report.optimistic.referenceUSD).toBeLessThan(report.reference.totalMonthlyUSD);
    expect(report.optimistic.ratio).toBeCloseTo(report.optimistic.environmentUSD / report.optimistic.referenceUSD, 2);
    expect(Object.values(report.prices.sources).every((s) => s.url.startsWith('https://'))).toBe(true);
  });

  it('names cvat-server as the component the optimistic reading prices differently, ClickHouse the pessimistic one', async () => {
    const report = JSON.parse((await cost(['--json', '--profile', 'idle'])).out) as CostReport;
    expect(report.optimistic.components).toEqual(['cvat-server']);
    // The high end: our ClickHouse (no timer left in its configuration) read as active all month; the reference's stock
    // ClickHouse is active all month in every reading.
    expect(report.pessimistic.components).toEqual(['clickhouse']);
    expect(report.pessimistic.environmentUSD).toBeGreaterThan(report.environment.totalMonthlyUSD);
    expect(report.pessimistic.referenceUSD).toBeCloseTo(report.reference.totalMonthlyUSD, 2);
    expect(report.pessimistic.ratio).toBeGreaterThan(report.ratio as number);
    const clickhouse = report.environment.lines.find((l) => l.name === 'clickhouse');
    expect(clickhouse?.activity?.activity).toBe('user');
    expect(report.reference.lines.find((l) => l.name === 'cvat-clickhouse')?.activity?.activity).toBe('always');
  });

  it('prices the same environment lower when idle than for a small team, and higher in West Europe than in East US', async () => {
    const total = async (argv: string[]) => (JSON.parse((await cost(['--json', ...argv])).out) as CostReport).environment.totalMonthlyUSD;
    expect(await total(['--profile', 'idle'])).toBeLessThan(await total(['--profile', 'small-team']));
    expect(await total(['--region', 'eastus'])).toBeLessThan(await total(['--region', 'westeurope']));
  });

  it('prints a readable report with the side-by-side table, the ratio, the assumptions and the price sources, citing public pages only', async () => {
    const r = await cost([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('== example (catalogue v2.73.0, westeurope) ==');
    expect(r.out).toContain('== reference project (tpneik/cvat-cloud v1.0.0) ==');
    expect(r.out).toMatch(/always-on apps\s+[\d.]+ vCPU\/[\d.]+ GiB\s+6\.25 vCPU\/12\.5 GiB/);
    expect(r.out).toMatch(/ratio example \/ reference: \d+\.\d{3}/);
    expect(r.out).toContain('Assumptions:');
    expect(r.out).toContain('Price sources:');
    expect(r.out).not.toMatch(/\/work\/|aca-platform|seed-inventory|research/i);
  });

  it('compares every profile against every priced region in one run, from the same tables', async () => {
    const r = await cost(['--compare', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as CostCompareReport;
    expect(report.comparisons.map((c) => `${c.profile}/${c.region}`).sort()).toEqual([
      'idle/eastus',
      'idle/westeurope',
      'small-team/eastus',
      'small-team/westeurope',
    ]);
    for (const c of report.comparisons) {
      expect(c.ratio).toBeCloseTo(c.environmentUSD / c.referenceUSD, 2);
      const sum = (x: Readonly<Record<string, number>>) => Object.values(x).reduce((a, b) => a + b, 0);
      expect(sum(c.categories.environment)).toBeCloseTo(c.environmentUSD, 1);
      expect(sum(c.categories.reference)).toBeCloseTo(c.referenceUSD, 1);
    }
    const one = JSON.parse((await cost(['--compare', '--json', '--region', 'eastus'])).out) as CostCompareReport;
    expect(one.comparisons.map((c) => `${c.profile}/${c.region}`)).toEqual(['small-team/eastus', 'idle/eastus']);
    const text = await cost(['--compare']);
    expect(text.out).toMatch(/idle\s+westeurope\s+\$\d+\.\d\d\s+\$\d+\.\d\d\s+\d\.\d{3}/);
  });

  it('applies --active-hours and --no-free-grant', async () => {
    const at = async (argv: string[]) => (JSON.parse((await cost(['--json', ...argv])).out) as CostReport).reference.totalMonthlyUSD;
    expect(await at(['--active-hours', '0'])).toBeLessThan(await at(['--active-hours', '176']));
    expect(await at(['--no-free-grant'])).toBeGreaterThan(await at([]));
  });

  it.each([
    [['--profile', 'busy'], 2, "'--profile' (busy) must be one of small-team, idle"],
    [['--region', 'West Europe'], 2, "'--region' (West Europe) must be an Azure region name in lowercase letters and digits"],
    [['--region', 'brazilsouth'], 4, "'--region' (brazilsouth) has no price table"],
    [['--active-hours', 'lots'], 2, "'--active-hours' (lots) must be a number between 0 and 744"],
    [['--currency', 'eur'], 2, "unknown option '--currency'"],
    [['--env', 'nope'], 4, "Environment 'nope' was not found"],
    [['--prices', '/nonexistent/prices.json'], 4, "'--prices' (/nonexistent/prices.json): price table does not exist"],
    [['--prices', '/etc/passwd'], 4, "'--prices' (/etc/passwd): price table is not valid JSON"],
  ])('refuses %j with exit %i and a clear message', async (argv, exit, message) => {
    const r = await cost(argv);
    expect(r.code).toBe(exit);
    expect(r.err).toContain(message);
    expect(r.err).not.toContain('root:');
    expect(r.out).toBe('');
  });

  it('refuses a price table of the wrong shape, naming the field and what is allowed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cost-prices-'));
    const file = join(dir, 'eastus-2026-01-01.json');
    writeFileSync(file, JSON.stringify({ schemaVersion: 2, region: 'eastus', currency: 'USD', asOf: '2026-01-01', hoursPerMonth: 730 }));
    const r = await cost(['--prices', file]);
    expect(r.code).toBe(4);
    expect(r.err).toContain("'sources' (missing) must be an object of sources");
    expect(r.out).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import type { CostReport } from '../../src/commands/cost';
import { infraCli } from '../support/cli';

const cost = (argv: string[], env: Record<string, string> = {}) => infraCli(['cost', ...argv], { env });

describe('cvat-infra cost', () => {
  it('prints both estimates as JSON, offline, with the price table it used and the region fallback noted', async () => {
    const r = await cost(['--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as CostReport;
    expect(report.prices).toEqual({ file: 'packages/infra/prices/eastus-2026-11-28.json', region: 'eastus', asOf: '2026-11-28' });
    expect(report.notes[0]).toContain("no price table for 'westeurope'");
    expect(report.environment.label).toBe('example (catalogue v2.73.0, westeurope)');
    expect(report.reference.alwaysOn).toEqual({ replicas: 15, cpuCores: 6.25, memoryGiB: 12.5 });
    const sum = (e: CostReport['environment']) => e.lines.reduce((s, l) => s + (l.monthlyUSD ?? 0), 0);
    expect(report.environment.totalMonthlyUSD).toBeCloseTo(sum(report.environment), 9);
  });

  it('prints a readable report with the side-by-side table and the assumptions', async () => {
    const r = await cost([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('== example (catalogue v2.73.0, westeurope) ==');
    expect(r.out).toContain('== reference project (tpneik/cvat-cloud v1.0.0) ==');
    expect(r.out).toMatch(/always-on apps\s+[\d.]+ vCPU\/[\d.]+ GiB\s+6\.25 vCPU\/12\.5 GiB/);
    expect(r.out).toContain('Assumptions:');
    expect(r.out).toContain('not priced');
  });

  it('applies --active-hours to the estimate', async () => {
    const at = async (h: string) => (JSON.parse((await cost(['--json', '--active-hours', h])).out) as CostReport).reference.totalMonthlyUSD;
    expect(await at('0')).toBeLessThan(await at('176'));
    expect(await at('176')).toBeLessThan(await at('730'));
  });

  it.each([
    [['--active-hours', 'lots'], 2, "'--active-hours' (lots) must be a number between 0 and 744"],
    [['--active-hours', '-5'], 2, "'--active-hours' (-5) must be a number between 0 and 744"],
    [['--currency', 'eur'], 2, "unknown option '--currency'"],
    [['--env', 'nope'], 4, "Environment 'nope' was not found"],
    [['--prices', '/nonexistent/prices.json'], 4, 'price table /nonexistent/prices.json does not exist'],
    [['--prices', '/etc/passwd'], 4, 'price table /etc/passwd is not valid JSON'],
  ])('refuses %j with exit %i and a one-line message', async (argv, exit, message) => {
    const r = await cost(argv);
    expect(r.code).toBe(exit);
    expect(r.err).toContain(message);
    expect(r.err).not.toContain('root:');
    expect(r.out).toBe('');
  });
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CostReport, runCost } from '../../src/cost/cli';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

function cost(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const code = runCost(argv, { env, cwd: REPO_ROOT, out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('cost CLI', () => {
  it('prints both estimates as JSON, offline, with the price table it used and the region fallback noted', () => {
    const r = cost(['--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as CostReport;
    expect(report.prices).toEqual({ file: 'packages/infra/prices/eastus-2026-11-28.json', region: 'eastus', asOf: '2026-11-28' });
    expect(report.notes[0]).toContain("no price table for 'westeurope'");
    expect(report.environment.label).toBe('example (catalogue v2.73.0, westeurope)');
    expect(report.reference.alwaysOn).toEqual({ replicas: 15, cpuCores: 6.25, memoryGiB: 12.5 });
    const sum = (e: CostReport['environment']) => e.lines.reduce((s, l) => s + (l.monthlyUSD ?? 0), 0);
    expect(report.environment.totalMonthlyUSD).toBeCloseTo(sum(report.environment), 9);
  });

  it('prints a readable report with the side-by-side table and the assumptions', () => {
    const r = cost([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('== example (catalogue v2.73.0, westeurope) ==');
    expect(r.out).toContain('== reference project (tpneik/cvat-cloud v1.0.0) ==');
    expect(r.out).toMatch(/always-on apps\s+[\d.]+ vCPU\/[\d.]+ GiB\s+6\.25 vCPU\/12\.5 GiB/);
    expect(r.out).toContain('Assumptions:');
    expect(r.out).toContain('not priced');
  });

  it('applies --active-hours to the estimate', () => {
    const at = (h: string) => (JSON.parse(cost(['--json', '--active-hours', h]).out) as CostReport).reference.totalMonthlyUSD;
    expect(at('0')).toBeLessThan(at('176'));
    expect(at('176')).toBeLessThan(at('730'));
  });

  it.each([
    [['--active-hours', 'lots'], "'--active-hours' (lots) must be a number between 0 and 744"],
    [['--env', 'nope'], "environment 'nope' is invalid; nothing estimated"],
    [['--prices', '/nonexistent/prices.json'], 'price table /nonexistent/prices.json does not exist'],
    [['--currency', 'eur'], "Unknown option '--currency'"],
  ])('exits 2 on bad input %j', (argv, message) => {
    const r = cost(argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });
});

import type { CostEstimate, CostLine } from './estimate';

const CATEGORIES: ReadonlyArray<[CostLine['category'], string]> = [
  ['container-apps', 'container apps'],
  ['platform', 'environment fees'],
  ['database', 'database'],
  ['storage', 'storage'],
  ['edge', 'edge'],
  ['monitoring', 'monitoring'],
  ['security', 'key vault'],
];

const usd = (n: number): string => `$${n.toFixed(2)}`;
const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/** Sum of one category's priced lines. */
export function categoryTotal(e: CostEstimate, category: CostLine['category']): number {
  return e.lines.filter((l) => l.category === category).reduce((s, l) => s + (l.monthlyUSD ?? 0), 0);
}

/** Renders one estimate, line by line, grouped by category. */
export function formatEstimate(e: CostEstimate): string[] {
  const out = [`== ${e.label} ==`];
  const nameWidth = Math.max(24, ...e.lines.map((l) => l.name.length + 4));
  for (const [cat, title] of CATEGORIES) {
    const lines = e.lines.filter((l) => l.category === cat);
    if (!lines.length) continue;
    out.push(`  ${title}`);
    for (const l of lines) {
      const amount = l.monthlyUSD === null ? 'not priced' : usd(l.monthlyUSD);
      const flag = l.confidence && l.confidence !== 'verified' ? ` [${l.confidence}]` : '';
      out.push(
        `    ${pad(l.name, nameWidth - 4)} ${lpad(amount, 11)}  ${l.detail}${flag}${l.unpricedReason ? ` — ${l.unpricedReason}` : ''}`,
      );
    }
  }
  out.push(
    `  ${pad('total per month', nameWidth - 2)} ${lpad(usd(e.totalMonthlyUSD), 11)}${e.unpriced.length ? `  (not included: ${e.unpriced.join(', ')})` : ''}`,
  );
  return out;
}

/** Renders two estimates side by side by category, plus their always-on capacity. */
export function formatComparison(a: CostEstimate, b: CostEstimate, titles: [string, string]): string[] {
  const cap = (e: CostEstimate) => `${e.alwaysOn.cpuCores} vCPU/${e.alwaysOn.memoryGiB} GiB`;
  const w = Math.max(14, titles[0].length, titles[1].length, cap(a).length, cap(b).length) + 2;
  const row = (label: string, x: string, y: string) => `  ${pad(label, 20)}${lpad(x, w)}${lpad(y, w)}`;
  const out = ['== side by side (USD per month) ==', row('', titles[0], titles[1])];
  for (const [cat, title] of CATEGORIES) {
    const x = categoryTotal(a, cat);
    const y = categoryTotal(b, cat);
    if (x === 0 && y === 0 && !a.lines.some((l) => l.category === cat) && !b.lines.some((l) => l.category === cat)) continue;
    out.push(row(title, usd(x), usd(y)));
  }
  out.push(row('total', usd(a.totalMonthlyUSD), usd(b.totalMonthlyUSD)));
  out.push(row('always-on apps', cap(a), cap(b)));
  out.push(row('always-on replicas', String(a.alwaysOn.replicas), String(b.alwaysOn.replicas)));
  out.push(row('not priced', String(a.unpriced.length), String(b.unpriced.length)));
  return out;
}

/** Renders the assumptions of an estimate in one block. */
export function formatAssumptions(e: CostEstimate, hoursPerMonth: number): string[] {
  const a = e.assumptions;
  return [
    'Assumptions:',
    `  - a month is ${hoursPerMonth} h; always-on replicas are active ${a.activeHoursPerMonth} h and idle the rest (ACA bills ` +
      `idle only at the minimum replica count)`,
    `  - scale-to-zero apps run one replica ${a.scaledFromZeroHoursPerMonth} h; jobs run ${a.jobHoursPerMonth} h, both at the active rate`,
    `  - the monthly free grant is credited once, valued at the idle rate (never overstated)`,
    `  - ${a.externalRequestsPerMonth} external requests, ${a.logAnalyticsGBPerMonth} GB/month of logs, ${a.keyVaultOperationsPerMonth} Key Vault operations`,
    `  - SMB shares bill ${Math.round(a.smbFillRatio * 100)}% of their quota (upper bound; Standard shares bill used GiB); share ` +
      `transactions, egress and backups beyond the free amount are not included`,
    `  - pay-as-you-go list prices, no reservations or savings plans; [verify]/[derived] mark figures that the dated price file ` +
      `flags as single-source or calculated`,
  ];
}

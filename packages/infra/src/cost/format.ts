import {
  COOLDOWN_SECONDS,
  type CostEstimate,
  type CostLine,
  DEFAULT_OS_DISK_GIB,
  EVENT_EXECUTION_OVERHEAD_SECONDS,
  MANUAL_JOB_RUN_SECONDS,
  SECRET_READS_PER_REFERENCE,
} from './estimate';
import type { PriceTable } from './price-table';
import type { UsageProfile } from './profiles';

const CATEGORIES: ReadonlyArray<[CostLine['category'], string]> = [
  ['container-apps', 'container apps'],
  ['platform', 'environment fees and unknown types'],
  ['database', 'database'],
  ['storage', 'storage'],
  ['edge', 'edge'],
  ['network', 'network'],
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

/** `a / b`, rounded to 3 decimals; null when `b` is 0. */
export function costRatio(a: CostEstimate, b: CostEstimate): number | null {
  return b.totalMonthlyUSD > 0 ? Math.round((a.totalMonthlyUSD / b.totalMonthlyUSD) * 1000) / 1000 : null;
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
        `    ${pad(l.name, nameWidth - 4)} ${lpad(amount, 11)}  ${l.detail}${flag}${l.unpricedReason ? ` - ${l.unpricedReason}` : ''}`,
      );
    }
  }
  out.push(
    `  ${pad('total per month', nameWidth - 2)} ${lpad(usd(e.totalMonthlyUSD), 11)}` +
      `${e.unpriced.length ? `  (not included: ${e.unpriced.join(', ')})` : ''}`,
  );
  // One legend line per reason: the class, the components it covers, why.
  const reasons = new Map<string, { activity: string; names: string[] }>();
  for (const l of e.lines) {
    if (!l.activity) continue;
    const r = reasons.get(l.activity.reason) ?? { activity: l.activity.activity, names: [] };
    r.names.push(l.name);
    reasons.set(l.activity.reason, r);
  }
  for (const [reason, r] of reasons) out.push(`  [${r.activity}] ${r.names.join(', ')}: ${reason}`);
  if (e.freeResources.length)
    out.push(`  free resource types: ${e.freeResources.map((f) => `${f.type} x${f.count}`).join(', ')} (reasons in --json, docs/cost.md)`);
  return out;
}

/** Renders two estimates side by side by category, their always-on capacity and the ratio. */
export function formatComparison(a: CostEstimate, b: CostEstimate, titles: [string, string]): string[] {
  const cap = (e: CostEstimate) => `${e.alwaysOn.cpuCores} vCPU/${e.alwaysOn.memoryGiB} GiB`;
  const w = Math.max(14, titles[0].length, titles[1].length, cap(a).length, cap(b).length) + 2;
  const row = (label: string, x: string, y: string) => `  ${pad(label, 34)}${lpad(x, w)}${lpad(y, w)}`;
  const out = [
    `== side by side (USD per month, profile ${a.profile}, ${a.region} prices of ${a.pricesAsOf}) ==`,
    row('', titles[0], titles[1]),
  ];
  for (const [cat, title] of CATEGORIES) {
    if (!a.lines.some((l) => l.category === cat) && !b.lines.some((l) => l.category === cat)) continue;
    out.push(row(title, usd(categoryTotal(a, cat)), usd(categoryTotal(b, cat))));
  }
  out.push(row('total', usd(a.totalMonthlyUSD), usd(b.totalMonthlyUSD)));
  out.push(row('always-on apps', cap(a), cap(b)));
  out.push(row('always-on replicas', String(a.alwaysOn.replicas), String(b.alwaysOn.replicas)));
  out.push(row('not priced', String(a.unpriced.length), String(b.unpriced.length)));
  const ratio = costRatio(a, b);
  out.push(`  ratio ${titles[0]} / ${titles[1]}: ${ratio === null ? 'n/a' : ratio.toFixed(3)}`);
  return out;
}

/** Every assumption behind an estimate, one line each. */
export function assumptionLines(profile: UsageProfile, table: PriceTable, freeGrant: boolean): string[] {
  const q = Object.entries(profile.queues)
    .filter(([, l]) => l.jobsPerMonth > 0)
    .map(([name, l]) => `${name} ${l.jobsPerMonth} x ${l.averageJobSeconds} s`)
    .join(', ');
  const s = profile.storedGiB;
  return [
    `profile ${profile.name}: ${profile.description}`,
    `a month is ${table.hoursPerMonth} h; users work ${profile.userHoursPerMonth} h; at the peak (${profile.peakHoursPerMonth} h) ` +
      `${profile.peakConcurrentRequests} requests are in flight and HTTP-scaled apps add a replica per rule target (default 10); a ` +
      `queue backlog of ${profile.peakQueueBacklog} jobs (${profile.backlogHoursPerMonth} h, bounded by the queue's work) adds a replica per ` +
      'listLength (default 5); never beyond maxReplicas',
    `jobs a month per queue: ${q || 'none'}; one event-job execution per job (an upper bound), each with ` +
      `${EVENT_EXECUTION_OVERHEAD_SECONDS} s of start-up billed; scale-to-zero apps keep a replica ${COOLDOWN_SECONDS} s after their queue ` +
      'empties, jobs in the same working hour sharing one scale-out',
    'activity: always-on replicas at their minimum bill idle when they meet the idle criteria (under 0.01 vCPU, under 1,000 B/s ' +
      'received, no HTTP request): services and stores while no user works, RQ workers while they run no job; ClickHouse only ' +
      'when its configuration leaves no timer running, cvat-server only between bundle polls (see the legend); replicas above ' +
      'the minimum and job executions bill active',
    freeGrant
      ? "the free grant (per subscription) goes to this environment alone, credited at the month's active/idle mix; the pricing " +
        'page does not say which meter it offsets'
      : 'no free grant (used up by other apps in the subscription)',
    `${profile.deploysPerMonth} deploy(s) a month, each running the migration job ${MANUAL_JOB_RUN_SECONDS} s`,
    `${profile.externalRequestsPerMonth} external requests, ${profile.egressGBPerMonth} GB internet egress, ` +
      `${profile.privateEndpointGBPerMonth} GB per private endpoint, ${profile.logAnalyticsGBPerMonth} GB of logs a month`,
    `SMB shares bill used GiB (data ${s.data}, logs ${s.logs}, ClickHouse events ${s.events}, kvrocks cache ${s.cache}, other ` +
      `${s.other}; capped by quota) plus transactions; a share holding a database's files is written all month`,
    `Key Vault: each app secret reference re-read ${SECRET_READS_PER_REFERENCE} times a month (30-minute refresh); VM OS disk of ` +
      `${DEFAULT_OS_DISK_GIB} GiB when unset (tier 4)`,
    'pay-as-you-go list prices, no reservations or savings plans; [derived]/[verify] mark figures not read for this region ' +
      '(see the sources below and docs/cost.md)',
  ];
}

/** The price table's sources, one line each. */
export function sourceLines(table: PriceTable): string[] {
  return Object.entries(table.sources).map(([key, s]) => `${key}: ${s.url} (read ${s.read})`);
}

/**
 * `cvat-infra cost`: the monthly cost estimate of an environment (its catalogue app specs and its synthesized
 * Terraform) and of the reference project's configuration, side by side with their ratio, for a usage profile and a
 * dated price table in packages/infra/prices/. `--compare` prints every profile against every priced region. Offline.
 */
import { relative } from 'node:path';
import { findRepoRoot } from '@cvat-cloud/catalogue';
import { CliError, EXIT } from '@cvat-cloud/runtime';
import { type CostEstimate, type CostModel, estimateMonthlyCost } from '../cost/estimate';
import { assumptionLines, costRatio, formatComparison, formatEstimate, sourceLines } from '../cost/format';
import { costModelFromCatalogue, referenceCostModel } from '../cost/model';
import { loadPriceTable, type PriceTable, pricedRegions } from '../cost/price-table';
import { activityOf, PROFILE_NAMES, type ProfileName, USAGE_PROFILES, type UsageProfile } from '../cost/profiles';
import { synthesizeStacks } from '../cost/synth-inventory';
import { type CommandResult, type InfraIo, loadInfraEnvironment, printWarnings } from './context';

/** Options of `cvat-infra cost` (ranges and choices are checked by the parser). */
export interface CostCommandOptions {
  readonly env: string;
  /** Usage profile. @default 'small-team' */
  readonly profile?: ProfileName;
  /** Region of the price table. @default - the environment's location */
  readonly region?: string;
  /** Price table file; overrides `region`. */
  readonly prices?: string;
  /** Hours a month users work, 0–744, overriding the profile's. */
  readonly activeHours?: number;
  /** GB a month ingested into Log Analytics, 0–100000, overriding the profile's. */
  readonly logGB?: number;
  /** Leave the Container Apps free grant out (other apps in the subscription use it). @default false */
  readonly noFreeGrant?: boolean;
  /** Every profile against every region with a price table. @default false */
  readonly compare?: boolean;
  readonly json: boolean;
}

/** What `cost --json` prints. */
export interface CostReport {
  /** Environment total / reference total, same profile and price table (3 decimals); null if the reference costs 0. */
  readonly ratio: number | null;
  readonly profile: UsageProfile;
  readonly prices: {
    readonly file: string;
    readonly region: string;
    readonly asOf: string;
    readonly sources: PriceTable['sources'];
  };
  readonly notes: readonly string[];
  readonly assumptions: readonly string[];
  readonly environment: CostEstimate;
  readonly reference: CostEstimate;
  /** The low end: the same estimate with every unverified activity assumption read in our favour. */
  readonly optimistic: Sensitivity;
  /** The high end: the same estimate with every unverified activity assumption read against us. */
  readonly pessimistic: Sensitivity;
}

/** Totals and ratio with every unverified activity assumption read one way (`EstimateOptions.reading`). */
export interface Sensitivity {
  /** Components priced differently, e.g. `cvat-server`. */
  readonly components: readonly string[];
  readonly environmentUSD: number;
  readonly referenceUSD: number;
  readonly ratio: number | null;
}

function sensitivity(
  model: CostModel,
  reference: CostModel,
  table: PriceTable,
  profile: UsageProfile,
  freeGrant: boolean,
  reading: 'optimistic' | 'pessimistic',
): Sensitivity {
  const e = estimateMonthlyCost(model, table, profile, { freeGrant, reading });
  const r = estimateMonthlyCost(reference, table, profile, { freeGrant, reading });
  const components = [...model.workloads, ...reference.workloads]
    .filter((w) => w.kind === 'app' && activityOf(w.name, w.role, w.polledBy, w.timers)[reading])
    .map((w) => w.name)
    .filter((n, i, a) => a.indexOf(n) === i);
  return {
    components,
    environmentUSD: Math.round(e.totalMonthlyUSD * 100) / 100,
    referenceUSD: Math.round(r.totalMonthlyUSD * 100) / 100,
    ratio: costRatio(e, r),
  };
}

/** One cell of `cost --compare`. */
export interface CostComparison {
  readonly profile: ProfileName;
  readonly region: string;
  readonly pricesAsOf: string;
  readonly environmentUSD: number;
  readonly referenceUSD: number;
  readonly ratio: number | null;
  /** The same with every unverified activity assumption read favourably. */
  readonly optimistic: Sensitivity;
  /** The same with every unverified activity assumption read unfavourably. */
  readonly pessimistic: Sensitivity;
  /** USD a month by category (container apps, storage, network, …), rounded to cents. */
  readonly categories: { readonly environment: Readonly<Record<string, number>>; readonly reference: Readonly<Record<string, number>> };
  readonly unpriced: { readonly environment: readonly string[]; readonly reference: readonly string[] };
}

function byCategory(e: CostEstimate): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of e.lines) out[l.category] = (out[l.category] ?? 0) + (l.monthlyUSD ?? 0);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v * 100) / 100]));
}

/** What `cost --compare --json` prints. */
export interface CostCompareReport {
  readonly environment: string;
  readonly comparisons: readonly CostComparison[];
}

function loadTable(options: { file?: string; region?: string }): { table: PriceTable; file: string } {
  try {
    return loadPriceTable(options);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(EXIT.CONFIG, `price table: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
}

function withOverrides(profile: UsageProfile, options: CostCommandOptions): UsageProfile {
  return {
    ...profile,
    ...(options.activeHours !== undefined && {
      userHoursPerMonth: options.activeHours,
      peakHoursPerMonth: Math.min(profile.peakHoursPerMonth, options.activeHours),
    }),
    ...(options.logGB !== undefined && { logAnalyticsGBPerMonth: options.logGB }),
  };
}

const OPTIMISTIC_IF = 'met the idle criteria between polls (unverified)';
const PESSIMISTIC_IF = 'stayed above the idle criteria with no timer left in its configuration (unverified; `cvat-ops idle` measures it)';

function sensitivityLine(s: Sensitivity, condition: string, name: string): string[] {
  if (!s.components.length) return [];
  return [
    `  if ${s.components.join(', ')} ${condition}: ${name} $${s.environmentUSD.toFixed(2)}, reference $${s.referenceUSD.toFixed(2)}, ` +
      `ratio ${s.ratio === null ? 'n/a' : s.ratio.toFixed(3)}`,
  ];
}

/** `cvat-infra cost`. */
export async function costCommand(options: CostCommandOptions, io: InfraIo): Promise<CommandResult> {
  const env = await loadInfraEnvironment(options.env, io, `cvat-infra cost --env ${options.env}`);
  printWarnings(env, io);
  const { config, catalogue } = env;
  const root = findRepoRoot(io.cwd) ?? io.cwd;
  const freeGrant = !options.noFreeGrant;
  // Price tables first: a bad --region or --prices fails before anything is synthesized.
  const tables = options.compare
    ? (options.prices ? [undefined] : options.region ? [options.region] : pricedRegions()).map((region) =>
        loadTable(options.prices ? { file: options.prices } : { region }),
      )
    : [loadTable(options.prices ? { file: options.prices } : { region: options.region ?? config.location })];
  const model = costModelFromCatalogue(catalogue, config, synthesizeStacks(config, catalogue));
  const reference = referenceCostModel();

  if (options.compare) {
    const comparisons: CostComparison[] = [];
    for (const { table } of tables) {
      for (const name of PROFILE_NAMES) {
        const profile = withOverrides(USAGE_PROFILES[name], options);
        const e = estimateMonthlyCost(model, table, profile, { freeGrant });
        const r = estimateMonthlyCost(reference, table, profile, { freeGrant });
        comparisons.push({
          profile: name,
          region: table.region,
          pricesAsOf: table.asOf,
          environmentUSD: Math.round(e.totalMonthlyUSD * 100) / 100,
          referenceUSD: Math.round(r.totalMonthlyUSD * 100) / 100,
          ratio: costRatio(e, r),
          optimistic: sensitivity(model, reference, table, profile, freeGrant, 'optimistic'),
          pessimistic: sensitivity(model, reference, table, profile, freeGrant, 'pessimistic'),
          categories: { environment: byCategory(e), reference: byCategory(r) },
          unpriced: { environment: e.unpriced, reference: r.unpriced },
        });
      }
    }
    const report: CostCompareReport = { environment: config.name, comparisons };
    const row = (cells: string[]) =>
      `  ${cells[0].padEnd(12)}${cells[1].padEnd(13)}${cells[2].padStart(12)}${cells[3].padStart(12)}${cells[4].padStart(8)}` +
      `${cells[5].padStart(12)}${cells[6].padStart(13)}`;
    const optimisticNames = [...new Set(comparisons.flatMap((c) => c.optimistic.components))];
    const pessimisticNames = [...new Set(comparisons.flatMap((c) => c.pessimistic.components))];
    const lines = [
      `Monthly cost, environment '${config.name}' against the reference project (USD, pay-as-you-go list prices)`,
      row(['profile', 'region', config.name, 'reference', 'ratio', 'optimistic', 'pessimistic']),
      ...comparisons.map((c) =>
        row([
          c.profile,
          `${c.region}`,
          `$${c.environmentUSD.toFixed(2)}`,
          `$${c.referenceUSD.toFixed(2)}`,
          c.ratio === null ? 'n/a' : c.ratio.toFixed(3),
          c.optimistic.ratio === null ? 'n/a' : c.optimistic.ratio.toFixed(3),
          c.pessimistic.ratio === null ? 'n/a' : c.pessimistic.ratio.toFixed(3),
        ]),
      ),
      ...(optimisticNames.length ? [`  optimistic: the ratio if ${optimisticNames.join(', ')} ${OPTIMISTIC_IF}`] : []),
      ...(pessimisticNames.length ? [`  pessimistic: the ratio if ${pessimisticNames.join(', ')} ${PESSIMISTIC_IF}`] : []),
      ...comparisons
        .filter((c) => c.unpriced.environment.length || c.unpriced.reference.length)
        .map((c) => `  not priced (${c.profile}, ${c.region}): ${[...c.unpriced.environment, ...c.unpriced.reference].join(', ')}`),
      `  prices: ${[...new Set(comparisons.map((c) => `${c.region} ${c.pricesAsOf}`))].join(', ')}`,
      '  details: cvat-infra cost --profile <name> --region <region>',
    ];
    return { data: report, text: lines.join('\n') };
  }

  const profile = withOverrides(USAGE_PROFILES[options.profile ?? 'small-team'], options);
  const { table, file } = tables[0];
  const notes: string[] = [];
  if (table.region !== config.location)
    notes.push(`prices are ${table.region}'s; the environment deploys to ${config.location} (pass --region ${config.location} to match)`);
  const environment = estimateMonthlyCost(model, table, profile, { freeGrant });
  const referenceEstimate = estimateMonthlyCost(reference, table, profile, { freeGrant });
  const assumptions = assumptionLines(profile, table, freeGrant);
  const report: CostReport = {
    ratio: costRatio(environment, referenceEstimate),
    profile,
    prices: { file: relative(root, file), region: table.region, asOf: table.asOf, sources: table.sources },
    notes,
    assumptions,
    environment,
    reference: referenceEstimate,
    optimistic: sensitivity(model, reference, table, profile, freeGrant, 'optimistic'),
    pessimistic: sensitivity(model, reference, table, profile, freeGrant, 'pessimistic'),
  };
  const lines = [
    `Monthly cost estimate in ${table.currency}, ${table.region} list prices as of ${table.asOf} (${report.prices.file}), profile ${profile.name}`,
    ...notes.map((n) => `note: ${n}`),
    '',
    ...formatEstimate(environment),
    '',
    ...formatEstimate(referenceEstimate),
    '',
    ...formatComparison(environment, referenceEstimate, [config.name, 'reference']),
    ...sensitivityLine(report.optimistic, OPTIMISTIC_IF, config.name),
    ...sensitivityLine(report.pessimistic, PESSIMISTIC_IF, config.name),
    '',
    'Assumptions:',
    ...assumptions.map((a) => `  - ${a}`),
    '',
    'Price sources:',
    ...sourceLines(table).map((s) => `  - ${s}`),
  ];
  return { data: report, text: lines.join('\n') };
}

/**
 * `cvat-infra cost`: the monthly cost estimate of an environment (catalogue + environment config) and of the
 * reference project's configuration, side by side, from a dated price table in packages/infra/prices/. Offline.
 */
import { relative } from 'node:path';
import { CliError, EXIT } from '@cvat-cloud/runtime';
import { findRepoRoot } from '@cvat-cloud/catalogue';
import {
  type CostAssumptions,
  type CostEstimate,
  DEFAULT_COST_ASSUMPTIONS,
  estimateMonthlyCost,
  referenceCostModel,
} from '../cost/estimate';
import { formatAssumptions, formatComparison, formatEstimate } from '../cost/format';
import { costModelFromCatalogue } from '../cost/model';
import { defaultPricesDir, loadPriceTable } from '../cost/price-table';
import { type CommandResult, type InfraIo, loadInfraEnvironment, printWarnings } from './context';

/** Options of `cvat-infra cost` (ranges are checked by the parser). */
export interface CostCommandOptions {
  readonly env: string;
  /** Price table file. @default - newest `<region>-<date>.json`, else eastus */
  readonly prices?: string;
  /** Hours a month always-on replicas are active, 0–744. @default 730 */
  readonly activeHours?: number;
  /** GB a month ingested into Log Analytics, 0–100000. @default 5 */
  readonly logGB?: number;
  readonly json: boolean;
}

/** What `cost --json` prints. */
export interface CostReport {
  readonly prices: { readonly file: string; readonly region: string; readonly asOf: string };
  readonly notes: readonly string[];
  readonly environment: CostEstimate;
  readonly reference: CostEstimate;
}

function loadTable(options: { file?: string; region?: string }): ReturnType<typeof loadPriceTable> {
  try {
    return loadPriceTable(options);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(EXIT.CONFIG, `price table: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
}

/** `cvat-infra cost`. */
export async function costCommand(options: CostCommandOptions, io: InfraIo): Promise<CommandResult> {
  const env = await loadInfraEnvironment(options.env, io, `cvat-infra cost --env ${options.env}`);
  printWarnings(env, io);
  const { config, catalogue } = env;
  const assumptions: CostAssumptions = {
    ...DEFAULT_COST_ASSUMPTIONS,
    ...(options.activeHours !== undefined && { activeHoursPerMonth: options.activeHours }),
    ...(options.logGB !== undefined && { logAnalyticsGBPerMonth: options.logGB }),
  };
  const notes: string[] = [];
  let priceFile = options.prices;
  if (!priceFile) {
    try {
      priceFile = loadPriceTable({ region: config.location }).file;
    } catch {
      const fallback = loadTable({ region: 'eastus' });
      priceFile = fallback.file;
      notes.push(
        `no price table for '${config.location}' in ${relative(io.cwd, defaultPricesDir()) || '.'}; ` +
          `using ${fallback.table.region} prices of ${fallback.table.asOf}. ` +
          'West Europe consumption rates are about 42% higher for active vCPU and 33% higher for ' +
          'idle vCPU and memory (https://azure.microsoft.com/pricing/details/container-apps/).',
      );
    }
  }
  const { table, file } = loadTable({ file: priceFile });
  const environment = estimateMonthlyCost(costModelFromCatalogue(catalogue, config), table, assumptions);
  const reference = estimateMonthlyCost(referenceCostModel(), table, assumptions);
  const root = findRepoRoot(io.cwd) ?? io.cwd;
  const report: CostReport = {
    prices: { file: relative(root, file), region: table.region, asOf: table.asOf },
    notes,
    environment,
    reference,
  };
  const lines = [
    `Monthly cost estimate in ${table.currency}, ${table.region} list prices as of ${table.asOf} (${report.prices.file})`,
    ...notes.map((n) => `note: ${n}`),
    '',
    ...formatEstimate(environment),
    '',
    ...formatEstimate(reference),
    '',
    ...formatComparison(environment, reference, [config.name, 'reference']),
    '',
    ...formatAssumptions(environment, table.hoursPerMonth),
  ];
  return { data: report, text: lines.join('\n') };
}

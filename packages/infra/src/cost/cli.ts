#!/usr/bin/env node
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { findRepoRoot, formatIssues, loadEnvironmentConfig, resolveCatalogue } from '@cvat-cloud/catalogue';
import { DeployError, EXIT_CODES } from '../deploy/errors';
import { type CostAssumptions, type CostEstimate, DEFAULT_COST_ASSUMPTIONS, estimateMonthlyCost, referenceCostModel } from './estimate';
import { formatAssumptions, formatComparison, formatEstimate } from './format';
import { costModelFromCatalogue } from './model';
import { defaultPricesDir, loadPriceTable } from './price-table';

/** `--help` text of the cost command. */
export const COST_USAGE = `Usage: node dist/cost/cli.js [options]

Monthly cost estimate of an environment (catalogue + environment config) and of the reference
project's configuration, side by side, from a dated price table in packages/infra/prices/. Offline.

Options:
  --env <name|path>        environment config (default: $CVAT_ENV or example)
  --prices <file>          price table (default: newest <region>-<date>.json, else eastus)
  --active-hours <h>       hours a month always-on replicas are active (default ${DEFAULT_COST_ASSUMPTIONS.activeHoursPerMonth})
  --log-gb <gb>            GB a month ingested into Log Analytics (default ${DEFAULT_COST_ASSUMPTIONS.logAnalyticsGBPerMonth})
  --json                   print the estimates as JSON
  --help, -h               show this help

Exit codes: 0 printed, 2 bad arguments, config or price table.
`;

/** What {@link runCost} prints with `--json`. */
export interface CostReport {
  readonly prices: { readonly file: string; readonly region: string; readonly asOf: string };
  readonly notes: readonly string[];
  readonly environment: CostEstimate;
  readonly reference: CostEstimate;
}

function number(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new DeployError('USAGE', `'${flag}' (${raw}) must be a number between ${min} and ${max}`);
  return n;
}

/**
 * The cost command: loads the environment, resolves the catalogue, prices it and the reference
 * configuration. Returns the exit code; writes the report to `out` and problems to `err`.
 */
export function runCost(argv: readonly string[], io: { env: NodeJS.ProcessEnv; cwd: string; out: (s: string) => void; err: (s: string) => void }): number {
  try {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...argv],
        strict: true,
        allowPositionals: false,
        options: {
          env: { type: 'string' },
          prices: { type: 'string' },
          'active-hours': { type: 'string' },
          'log-gb': { type: 'string' },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (error) {
      throw new DeployError('USAGE', `${(error as Error).message}\nRun with --help for the options.`);
    }
    if (values.help) {
      io.out(COST_USAGE);
      return EXIT_CODES.ok;
    }
    const envName = values.env ?? (io.env.CVAT_ENV || 'example');
    const loaded = loadEnvironmentConfig(envName, { cwd: io.cwd });
    if (!loaded.value) throw new DeployError('BAD_INPUT', `environment '${envName}' is invalid; nothing estimated:\n${formatIssues(loaded.errors)}`);
    const config = loaded.value;
    const resolved = resolveCatalogue(config);
    if (!resolved.value) throw new DeployError('BAD_INPUT', `the catalogue for environment '${config.name}' is invalid:\n${formatIssues(resolved.errors)}`);
    const assumptions: CostAssumptions = {
      ...DEFAULT_COST_ASSUMPTIONS,
      ...(values['active-hours'] !== undefined && { activeHoursPerMonth: number('--active-hours', values['active-hours'], 0, 744) }),
      ...(values['log-gb'] !== undefined && { logAnalyticsGBPerMonth: number('--log-gb', values['log-gb'], 0, 100000) }),
    };
    const notes: string[] = [];
    let priceFile = values.prices;
    if (!priceFile) {
      try {
        priceFile = loadPriceTable({ region: config.location }).file;
      } catch {
        const fallback = loadPriceTable({ region: 'eastus' });
        priceFile = fallback.file;
        notes.push(
          `no price table for '${config.location}' in ${relative(io.cwd, defaultPricesDir()) || '.'}; using ${fallback.table.region} prices of ${fallback.table.asOf}. ` +
            'West Europe consumption rates are about 42% higher for active vCPU and 33% higher for idle vCPU and memory (https://azure.microsoft.com/pricing/details/container-apps/).',
        );
      }
    }
    const { table, file } = loadPriceTable({ file: priceFile });
    const environment = estimateMonthlyCost(costModelFromCatalogue(resolved.value, config), table, assumptions);
    const reference = estimateMonthlyCost(referenceCostModel(), table, assumptions);
    const root = findRepoRoot(io.cwd) ?? io.cwd;
    const report: CostReport = { prices: { file: relative(root, file), region: table.region, asOf: table.asOf }, notes, environment, reference };
    if (values.json) {
      io.out(JSON.stringify(report, null, 2) + '\n');
      return EXIT_CODES.ok;
    }
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
    io.out(lines.join('\n') + '\n');
    return EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof DeployError) {
      io.err(`cost: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

if (require.main === module) {
  process.exitCode = runCost(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  });
}

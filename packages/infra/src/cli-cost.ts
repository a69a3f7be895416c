/**
 * Registration of `cvat-infra cost`, kept apart from cli.ts so the estimator's options can change without touching the
 * other subcommands. Like cli.ts: no static imports of the command module, the catalogue or cdktf (only `import type`).
 */
import type { Command } from 'commander';
import type { CostCommandOptions } from './commands/cost';
import { type CommandRegistration, ENV_HELP, EXIT_CODES_HELP, parseNumber } from './cli-shared';

/** Adds `cost` to `program`. */
export function registerCostCommand(program: Command, { run, envRef }: CommandRegistration): void {
  program
    .command('cost')
    .description('monthly cost estimate of an environment and of the reference configuration, from a dated price table (offline)')
    .option('--env <name|path>', ENV_HELP)
    .option('--prices <file>', 'price table (default: newest packages/infra/prices/<region>-<date>.json, else eastus)')
    .option(
      '--active-hours <hours>',
      'hours a month always-on replicas are active, 0 to 744 (default 730)',
      parseNumber('--active-hours', 0, 744),
    )
    .option('--log-gb <gb>', 'GB a month ingested into Log Analytics, 0 to 100000 (default 5)', parseNumber('--log-gb', 0, 100_000))
    .option('--json', 'print the estimates as JSON')
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n\nExamples:\n  cvat-infra cost --env dev\n  cvat-infra cost --active-hours 200 --json`)
    .action(async (o: { env?: string; prices?: string; activeHours?: number; logGb?: number; json?: boolean }) => {
      const options: CostCommandOptions = {
        env: envRef(o.env),
        json: Boolean(o.json),
        ...(o.prices !== undefined ? { prices: o.prices } : {}),
        ...(o.activeHours !== undefined ? { activeHours: o.activeHours } : {}),
        ...(o.logGb !== undefined ? { logGB: o.logGb } : {}),
      };
      await run(() => import('./commands/cost.js').then((m) => m.costCommand), options, options.json);
    });
}

/**
 * Registration of `cvat-infra cost`, kept apart from cli.ts so the estimator's options can change without touching the
 * other subcommands. Like cli.ts: no static imports of the command module, the catalogue or cdktf (only `import type`);
 * the profile names come from the dependency-free profiles module.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { CostCommandOptions } from './commands/cost';
import { PROFILE_NAMES, type ProfileName } from './cost/profiles';
import { type CommandRegistration, ENV_HELP, EXIT_CODES_HELP, parseNumber } from './cli-shared';

/** `--profile`: one of {@link PROFILE_NAMES}; anything else is a usage error naming the option, value and choices. */
export function parseProfile(value: string): ProfileName {
  if (!(PROFILE_NAMES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`'--profile' (${value}) must be one of ${PROFILE_NAMES.join(', ')}.`);
  return value as ProfileName;
}

/** `--region`: an Azure region name as ARM spells it (lowercase letters and digits, e.g. westeurope). */
export function parseRegion(value: string): string {
  if (!/^[a-z][a-z0-9]{1,39}$/.test(value))
    throw new InvalidArgumentError(
      `'--region' (${value}) must be an Azure region name in lowercase letters and digits, e.g. eastus or westeurope.`,
    );
  return value;
}

/** Adds `cost` to `program`. */
export function registerCostCommand(program: Command, { run, envRef }: CommandRegistration): void {
  program
    .command('cost')
    .description(
      'monthly cost estimate of an environment (its app specs and synthesized Terraform) against the reference configuration, ' +
        'for a usage profile, from a dated price table (offline)',
    )
    .option('--env <name|path>', ENV_HELP)
    .option('--profile <name>', `usage profile: ${PROFILE_NAMES.join(' or ')} (default small-team; see docs/cost.md)`, parseProfile)
    .option('--region <region>', "price table region (default: the environment's location); tables: packages/infra/prices/", parseRegion)
    .option('--prices <file>', 'price table file (overrides --region)')
    .option(
      '--compare',
      'every profile against every region with a price table (or only --region), this environment beside the reference, with the ratio',
    )
    .option(
      '--active-hours <hours>',
      "hours a month users work, 0 to 744 (default: the profile's, 176 for small-team)",
      parseNumber('--active-hours', 0, 744),
    )
    .option(
      '--log-gb <gb>',
      "GB a month ingested into Log Analytics, 0 to 100000 (default: the profile's)",
      parseNumber('--log-gb', 0, 100_000),
    )
    .option('--no-free-grant', 'leave out the Container Apps free grant (other apps in the subscription use it up)')
    .option('--json', 'print the estimates as JSON (with a top-level ratio)')
    .addHelpText(
      'after',
      `\n${EXIT_CODES_HELP}\n\nExamples:\n  cvat-infra cost --profile idle\n  cvat-infra cost --json --profile small-team --region eastus\n` +
        '  cvat-infra cost --compare',
    )
    .action(
      async (o: {
        env?: string;
        profile?: ProfileName;
        region?: string;
        prices?: string;
        compare?: boolean;
        activeHours?: number;
        logGb?: number;
        freeGrant?: boolean;
        json?: boolean;
      }) => {
        const options: CostCommandOptions = {
          env: envRef(o.env),
          json: Boolean(o.json),
          ...(o.profile !== undefined ? { profile: o.profile } : {}),
          ...(o.region !== undefined ? { region: o.region } : {}),
          ...(o.prices !== undefined ? { prices: o.prices } : {}),
          ...(o.compare ? { compare: true } : {}),
          ...(o.activeHours !== undefined ? { activeHours: o.activeHours } : {}),
          ...(o.logGb !== undefined ? { logGB: o.logGb } : {}),
          ...(o.freeGrant === false ? { noFreeGrant: true } : {}),
        };
        await run(() => import('./commands/cost.js').then((m) => m.costCommand), options, options.json);
      },
    );
}

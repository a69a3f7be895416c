import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { DeployError } from './errors';

/** Commands of `node dist/deploy/cli.js`. */
export const DEPLOY_COMMANDS = ['deploy', 'plan', 'destroy', 'state-bootstrap'] as const;
/** One of {@link DEPLOY_COMMANDS}. */
export type DeployCommandName = (typeof DEPLOY_COMMANDS)[number];

/** Parsed command line of the deploy CLI. */
export interface DeployArgs {
  readonly command: DeployCommandName;
  /** Environment name or config path (`--env`). @default - `CVAT_ENV`, else the committed example */
  readonly env?: string;
  /** `--yes`: skip confirmations. @default false */
  readonly yes: boolean;
  /** `--binary` (or `TF_BINARY`): `terraform`, `tofu` or a path. @default 'terraform' */
  readonly binary: string;
  /** `--stack` (repeatable). @default - every stack */
  readonly stacks: readonly string[];
  /** `--replace` (repeatable) resource addresses. */
  readonly replace: readonly string[];
  /** `--out-dir`: the synth output. @default - packages/infra/cdktf.out */
  readonly outDir?: string;
  /** `--state-dir`: root of the init-job record, `<dir>/<env>/init-job.json` (the stacks' state paths come from synth). @default - packages/infra/<stateBackend.path> (packages/infra/state) */
  readonly stateDir?: string;
  /** `--skip-credential-check`: for provider-free stacks (tests); also skips the init job. @default false */
  readonly skipCredentialCheck: boolean;
  /** `--skip-init-job`. @default false */
  readonly skipInitJob: boolean;
  /** `--force-init-job`: run the init job even if the version did not change. @default false */
  readonly forceInitJob: boolean;
  /**
   * `--ensure-superuser`: run the superuser step even if the init-job record says it already succeeded
   * (it creates the superuser only when missing, never resets a password). @default false
   */
  readonly ensureSuperuser: boolean;
  /** `--allow-data-loss`: let `--yes`/CI runs replace or delete stateful resources. @default false */
  readonly allowDataLoss: boolean;
  /** `--dry-run`: destroy shows its plans, state-bootstrap prints its commands; nothing changes. @default false */
  readonly dryRun: boolean;
  /** `--json`: print the run report as JSON on stdout. @default false */
  readonly json: boolean;
  /** `--lock-timeout <seconds>`. @default 60 */
  readonly lockTimeoutSeconds: number;
  /** `--verbose`: stream terraform's plan output as well. @default false */
  readonly verbose: boolean;
  /** `--skip-preflight`: deploy without the preflight checks (prints a warning). @default false */
  readonly skipPreflight: boolean;
  /** `--deployer-ip`: this machine's egress address for the preflight adminCidrs check. */
  readonly deployerIp?: string;
  /** `--detect-ip`: let preflight ask an echo service for the egress address. @default false */
  readonly detectIp: boolean;
  readonly help: boolean;
}

/** `--help` text. */
export const DEPLOY_USAGE = `Usage: node dist/deploy/cli.js <command> [options]

Commands:
  deploy            run the preflight checks (see node dist/preflight/cli.js --help), then
                    init, plan, confirm and apply every stack in dependency order (foundation → apps → edge),
                    then run the cvat-init migration job when the CVAT version changed and,
                    once per environment, ensure the CVAT superuser (second cvat-init execution)
  plan              init and plan every stack; changes nothing
  destroy           plan -destroy every stack in reverse order, confirm once, apply (use --dry-run to only look)
  state-bootstrap   create the azurerm state storage account and container (idempotent, az CLI)

Options:
  --env <name|path>         environment config (environments/<name>.yaml); default: $CVAT_ENV or the example
  --yes, -y                 do not ask for confirmation (CI=true has the same effect)
  --binary <bin>            terraform, tofu or a path (default: $TF_BINARY or terraform)
  --stack <name>            only this stack (repeatable); dependency order is kept
  --replace <address>       force-replace a resource (repeatable; needs exactly one --stack)
  --allow-data-loss         let a --yes/CI deploy replace or delete stateful resources (databases, shares, Key Vault)
  --dry-run                 destroy: show what would be destroyed; state-bootstrap: print the az commands
  --skip-init-job           do not start the cvat-init job after the apps stack
  --force-init-job          start the cvat-init job even if the CVAT version did not change
  --ensure-superuser        run the superuser step again even if it is recorded as done
                            (creates the user only when missing; never resets a password)
  --lock-timeout <seconds>  wait this long for a state lock held by another run (default 60)
  --out-dir <dir>           synth output to deploy (default packages/infra/cdktf.out)
  --state-dir <dir>         root of the init-job record <dir>/<env>/init-job.json
                            (default packages/infra/state; state files follow the synth)
  --skip-credential-check   skip the Azure credential/subscription checks and the init job
                            (only for provider-free test stacks)
  --json                    print the run report as JSON on stdout (progress stays on stderr)
  --verbose                 also stream terraform's plan output
  --deployer-ip <address>   deploy: this machine's egress address, checked by preflight against adminCidrs
  --detect-ip               deploy: let preflight ask https://api.ipify.org for that address
  --skip-preflight          deploy: skip the preflight checks run before the first plan (prints a warning)
  --help, -h                show this help

Exit codes: 0 done, 1 a step failed (stack and step named), 2 bad arguments or input,
            3 missing terraform/credentials/subscription or a failed preflight check (nothing changed),
            4 not confirmed.
`;

/**
 * Parses the deploy CLI's arguments. Unknown options and bad values are {@link DeployError} `USAGE`
 * naming the option and the value.
 *
 * @param argv arguments after the script name
 * @param env read for `TF_BINARY` and `CVAT_ENV`
 */
export function parseDeployArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): DeployArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        env: { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        binary: { type: 'string' },
        stack: { type: 'string', multiple: true },
        replace: { type: 'string', multiple: true },
        'out-dir': { type: 'string' },
        'state-dir': { type: 'string' },
        'skip-credential-check': { type: 'boolean' },
        'skip-init-job': { type: 'boolean' },
        'force-init-job': { type: 'boolean' },
        'ensure-superuser': { type: 'boolean' },
        'allow-data-loss': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        'lock-timeout': { type: 'string' },
        verbose: { type: 'boolean' },
        'skip-preflight': { type: 'boolean' },
        'deployer-ip': { type: 'string' },
        'detect-ip': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new DeployError('USAGE', `${(error as Error).message}\nRun with --help for the options.`);
  }
  const { values, positionals } = parsed;
  const help = values.help ?? false;
  const [command, ...extra] = positionals;
  if (!help) {
    if (!command) throw new DeployError('USAGE', `a command is required: ${DEPLOY_COMMANDS.join(', ')}`);
    if (!(DEPLOY_COMMANDS as readonly string[]).includes(command)) {
      throw new DeployError('USAGE', `command '${command}' is unknown; expected one of ${DEPLOY_COMMANDS.join(', ')}`);
    }
    if (extra.length) throw new DeployError('USAGE', `unexpected argument(s) ${extra.map((e) => `'${e}'`).join(', ')} after '${command}'`);
  }
  let lockTimeoutSeconds = 60;
  if (values['lock-timeout'] !== undefined) {
    const raw = values['lock-timeout'];
    lockTimeoutSeconds = Number(raw);
    if (!/^\d+$/.test(raw) || lockTimeoutSeconds > 3600) throw new DeployError('USAGE', `'--lock-timeout' (${raw}) must be a whole number of seconds between 0 and 3600`);
  }
  const binary = values.binary ?? env.TF_BINARY ?? 'terraform';
  if (binary.trim() === '') throw new DeployError('USAGE', `'--binary' ('') must name terraform, tofu or a path`);
  for (const [flag, list] of [['--stack', values.stack], ['--replace', values.replace]] as const) {
    for (const v of list ?? []) if (v.trim() === '') throw new DeployError('USAGE', `'${flag}' ('') must not be empty`);
  }
  if (values['skip-init-job'] && values['force-init-job']) throw new DeployError('USAGE', "'--skip-init-job' and '--force-init-job' cannot be used together");
  if (values['skip-init-job'] && values['ensure-superuser']) throw new DeployError('USAGE', "'--skip-init-job' and '--ensure-superuser' cannot be used together: the superuser step runs in the init job");
  const cmd = (command ?? 'deploy') as DeployCommandName;
  if (values['dry-run'] && cmd !== 'destroy' && cmd !== 'state-bootstrap') {
    throw new DeployError('USAGE', `'--dry-run' applies to destroy and state-bootstrap; for deploy use the 'plan' command`);
  }
  if ((values.replace?.length ?? 0) > 0 && cmd !== 'deploy' && cmd !== 'plan') {
    throw new DeployError('USAGE', `'--replace' applies to deploy and plan, not ${cmd}`);
  }
  for (const flag of ['skip-preflight', 'deployer-ip', 'detect-ip'] as const) {
    if (values[flag] !== undefined && cmd !== 'deploy') throw new DeployError('USAGE', `'--${flag}' applies to deploy (preflight runs before its first plan), not ${cmd}`);
  }
  if (values['skip-preflight'] && (values['deployer-ip'] !== undefined || values['detect-ip'])) {
    throw new DeployError('USAGE', "'--skip-preflight' cannot be used with '--deployer-ip' or '--detect-ip': the address is only checked by preflight");
  }
  if (values['deployer-ip'] !== undefined && values['detect-ip']) throw new DeployError('USAGE', "'--deployer-ip' and '--detect-ip' cannot be used together: give the address or ask for it");
  const deployerIp = values['deployer-ip']?.trim();
  if (deployerIp !== undefined && !isIP(deployerIp)) throw new DeployError('USAGE', `'--deployer-ip' (${values['deployer-ip']}) must be an IP address such as 198.51.100.7`);
  return {
    command: cmd,
    env: values.env ?? (env.CVAT_ENV || undefined),
    yes: values.yes ?? false,
    binary,
    stacks: values.stack ?? [],
    replace: values.replace ?? [],
    outDir: values['out-dir'],
    stateDir: values['state-dir'],
    skipCredentialCheck: values['skip-credential-check'] ?? false,
    skipInitJob: values['skip-init-job'] ?? false,
    forceInitJob: values['force-init-job'] ?? false,
    ensureSuperuser: values['ensure-superuser'] ?? false,
    allowDataLoss: values['allow-data-loss'] ?? false,
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
    lockTimeoutSeconds,
    verbose: values.verbose ?? false,
    skipPreflight: values['skip-preflight'] ?? false,
    deployerIp,
    detectIp: values['detect-ip'] ?? false,
    help,
  };
}

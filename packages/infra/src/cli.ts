/**
 * `cvat-infra`: one command for everything infra does — synth, policy, validate, preflight, cost, plan, deploy,
 * destroy, state-bootstrap, providers-lock — with the same parser (commander), the same process edge (runMain of
 * `@cvat-cloud/runtime`) and the same exit-code table (docs/exit-codes.md) as `cvat-ops`.
 *
 * Each subcommand's module is loaded with `await import('./commands/<name>.js')` inside its action, so `--help` loads
 * nothing but commander and the light runtime edge; keep this file free of static imports of cdktf, the catalogue,
 * Azure SDKs or command modules (only `import type`). A subcommand gets `(options, io)` and returns a
 * {@link CommandResult}; printing and exit codes happen here.
 */
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  CliError,
  EXIT,
  environmentRef,
  parseArguments,
  redactSecrets,
  rememberedSecrets,
  runMain,
  runProcess as runToolProcess,
  secretValuesFromEnv,
  terraformBinary,
} from '@cvat-cloud/runtime/edge';
import { registerCostCommand } from './cli-cost';
import { type CommandFn, ENV_HELP, EXIT_CODES_HELP, parseInteger } from './cli-shared';
import { checkDeployArgs, DEFAULT_LOCK_PLATFORMS, type DeployArgs, type DeployCommandName } from './deploy/args';
import type { CommandResult, InfraIo } from './commands/context';
import type { SynthCommandOptions } from './commands/synth';
import type { PolicyCommandOptions } from './commands/policy';
import type { ValidateCommandOptions } from './commands/validate';
import type { PreflightCommandOptions } from './commands/preflight';

export { type CommandFn, type CommandRegistration, EXIT_CODES_HELP, parseInteger, parseNumber } from './cli-shared';

/** The tool name in messages: `cvat-infra: error: …`. */
export const TOOL = 'cvat-infra';

function parseIp(name: string): (value: string) => string {
  return (value: string) => {
    if (!isIP(value.trim())) throw new InvalidArgumentError(`'${name}' (${value}) must be an IP address such as 198.51.100.7.`);
    return value.trim();
  };
}

/** A subscription id's shape (a GUID), checked before any credential is looked at. */
function parseSubscription(value: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value.trim())) {
    throw new InvalidArgumentError(`'--subscription' (${value}) must be a subscription GUID like 00000000-0000-0000-0000-000000000000.`);
  }
  return value.trim();
}

function nonEmpty(name: string): (value: string) => string {
  return (value: string) => {
    if (value.trim() === '') throw new InvalidArgumentError(`'${name}' ('') must not be empty.`);
    return value;
  };
}

const collect = (parse: (v: string) => string) => (value: string, previous: string[] | undefined) => [...(previous ?? []), parse(value)];

const OUT_HELP = 'synth output directory (default: packages/infra/cdktf.out)';

function readVersion(): string {
  try {
    // src/cli.ts (tests) and dist/cli.js (binary) both sit one level below package.json
    return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Builds the program; results go to `onResult`. */
export function buildProgram(io: InfraIo, onResult: (result: CommandResult, json: boolean) => void): Command {
  const run = async <O>(load: () => Promise<CommandFn<O>>, options: O, json: boolean): Promise<void> => {
    const fn = await load();
    onResult(await fn(options, io), json);
  };
  const envRef = (flag: string | undefined): string =>
    environmentRef({ ...(flag ? { flag } : {}), env: io.env, fallback: 'example', warn: (m) => io.err(`${m}\n`) })!.ref;

  const program = new Command(TOOL)
    .description('Synthesize, check, price and deploy the CVAT stacks (CDK for Terraform) of one environment.')
    .version(readVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `\n${EXIT_CODES_HELP}\n\nThrough Nx (arguments after -- reach the command exactly as typed; every target that needs a synth\n` +
        `synthesizes the same --env first):\n  npx nx run infra:synth -- --env dev\n  npx nx run infra:deploy -- --env dev\n\n` +
        `Examples:\n  cvat-infra synth --env dev\n  cvat-infra plan --env dev\n  ` +
        `cvat-infra cost --env dev --active-hours 200\n  cvat-infra deploy --env dev --yes`,
    );
  program.exitOverride();
  program.configureOutput({
    writeOut: (s) => io.out(s),
    writeErr: (s) => io.err(s),
    outputError: (s, write) => write(`${TOOL}: ${s}`),
  });

  // ---------------------------------------------------------------- synth
  const synth = program
    .command('synth')
    .description('synthesize the foundation, apps and edge stacks of one environment and print their summary (offline)')
    .option('--env <name|path>', ENV_HELP)
    .option('--out <dir>', `${OUT_HELP}; an existing folder must be empty or a previous synth output`)
    .option('--force', 'replace the contents of a non-empty --out folder that is not a synth output')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `\nThe output is written to a staging folder next to --out and swapped in only when synth succeeded, so a rejected\n` +
        `configuration leaves the previous output untouched. Nothing outside --out is ever deleted.\n\n${EXIT_CODES_HELP}\n\n` +
        `Examples:\n  cvat-infra synth --env dev\n  cvat-infra synth --env ./my-env.yaml --out /tmp/cdktf.out --json`,
    );
  synth.action(async (o: { env?: string; out?: string; force?: boolean; json?: boolean }) => {
    const options: SynthCommandOptions = {
      env: envRef(o.env),
      ...(o.out ? { out: o.out } : {}),
      force: Boolean(o.force),
      json: Boolean(o.json),
    };
    await run(() => import('./commands/synth.js').then((m) => m.synthCommand), options, options.json);
  });

  // ---------------------------------------------------------------- policy
  program
    .command('policy')
    .description('run the named policy rules over the synthesized stacks; exit 1 when a rule finds a violation')
    .option('--env <name|path>', `${ENV_HELP}; its derived global names are expected`)
    .option('--out <dir>', OUT_HELP)
    .option('--json', 'print the rules and findings as JSON')
    .addHelpText(
      'after',
      `\n${EXIT_CODES_HELP}\n\nExamples:\n  cvat-infra policy --env dev\n  cvat-infra policy --out /tmp/cdktf.out --json`,
    )
    .action(async (o: { env?: string; out?: string; json?: boolean }) => {
      const options: PolicyCommandOptions = { env: envRef(o.env), ...(o.out ? { out: o.out } : {}), json: Boolean(o.json) };
      await run(() => import('./commands/policy.js').then((m) => m.policyCommand), options, options.json);
    });

  // ---------------------------------------------------------------- validate
  program
    .command('validate')
    .description("check every attribute the stacks set against the pinned providers' constraints (and terraform validate)")
    .option('--env <name|path>', 'synthesize this environment into a scratch folder and check it (repeatable)', collect(nonEmpty('--env')))
    .option('--out <dir>', 'check this synthesized output (repeatable)', collect(nonEmpty('--out')))
    .option('--no-terraform', 'skip terraform init/validate even when terraform is available')
    .option('--json', 'print the findings as JSON')
    .addHelpText(
      'after',
      `\nWithout --out and --env it checks packages/infra/cdktf.out and every environments/maximal*.yaml.\n\n${EXIT_CODES_HELP}\n\n` +
        `Examples:\n  cvat-infra validate\n  cvat-infra validate --env dev --no-terraform --json`,
    )
    .action(async (o: { env?: string[]; out?: string[]; terraform?: boolean; json?: boolean }) => {
      const options: ValidateCommandOptions = {
        envs: o.env ?? [],
        outdirs: o.out ?? [],
        terraform: o.terraform !== false,
        json: Boolean(o.json),
      };
      await run(() => import('./commands/validate.js').then((m) => m.validateCommand), options, options.json);
    });

  // ---------------------------------------------------------------- cost (its options live in cli-cost.ts)
  registerCostCommand(program, { run, envRef });

  // ---------------------------------------------------------------- preflight
  program
    .command('preflight')
    .description('check the target subscription before a deploy changes anything (credentials, providers, names, SKUs, quota)')
    .option('--env <name|path>', ENV_HELP)
    .option('--subscription <id>', 'subscription to check (must agree with subscriptionId / ARM_SUBSCRIPTION_ID)', parseSubscription)
    .option('--deployer-ip <address>', "this machine's public egress address, checked against adminCidrs", parseIp('--deployer-ip'))
    .option('--detect-ip', 'ask https://api.ipify.org for the egress address (sends one request there)')
    .option('--out <dir>', `${OUT_HELP}; re-synthesized when stale`)
    .addOption(new Option('--out-dir <dir>').hideHelp())
    .option(
      '--check-timeout <seconds>',
      'upper bound of each check, retries included (default 60)',
      parseInteger('--check-timeout', 1, 600),
    )
    .option('--json', 'print the report as JSON on stdout (progress stays on stderr)')
    .addHelpText(
      'after',
      `\nEach check prints pass, fail or skip with the fix in one line; exit 1 when a check failed. \`cvat-infra deploy\` runs the\n` +
        `same checks before its first plan. Without --deployer-ip or --detect-ip the address check is a skip (never guessed).\n\n` +
        `${EXIT_CODES_HELP}\n\nExamples:\n  cvat-infra preflight --env dev\n ` +
        ` cvat-infra preflight --env dev --deployer-ip 198.51.100.7 --json`,
    )
    .action(
      async (o: {
        env?: string;
        subscription?: string;
        deployerIp?: string;
        detectIp?: boolean;
        out?: string;
        outDir?: string;
        checkTimeout?: number;
        json?: boolean;
      }) => {
        if (o.deployerIp && o.detectIp)
          throw new CliError(EXIT.USAGE, "'--deployer-ip' and '--detect-ip' cannot be used together: give the address or ask for it.");
        const out = o.out ?? o.outDir;
        const options: PreflightCommandOptions = {
          env: envRef(o.env),
          detectIp: Boolean(o.detectIp),
          checkTimeoutSeconds: o.checkTimeout ?? 60,
          json: Boolean(o.json),
          ...(o.subscription !== undefined ? { subscription: o.subscription } : {}),
          ...(o.deployerIp !== undefined ? { deployerIp: o.deployerIp } : {}),
          ...(out !== undefined ? { outDir: out } : {}),
        };
        await run(() => import('./commands/preflight.js').then((m) => m.preflightCommand), options, options.json);
      },
    );

  // ---------------------------------------------------------------- plan, deploy, destroy, state-bootstrap
  const terraformCommand = (name: DeployCommandName, description: string, examples: string[], extra: (c: Command) => Command): void => {
    const cmd = program
      .command(name)
      .description(description)
      .option('--env <name|path>', ENV_HELP)
      .option('--json', 'print the run report as JSON on stdout (progress stays on stderr)');
    if (name !== 'state-bootstrap') {
      cmd
        .option('--out <dir>', `${OUT_HELP}; re-synthesized when missing, stale or for another environment`)
        .addOption(new Option('--out-dir <dir>').hideHelp())
        .option('--binary <bin>', 'terraform, tofu or a path (default: $TF_BINARY or terraform)', nonEmpty('--binary'))
        .option('--stack <name>', 'only this stack (repeatable); dependency order is kept', collect(nonEmpty('--stack')));
    }
    if (name !== 'state-bootstrap' && name !== 'providers-lock') {
      cmd
        .option(
          '--lock-timeout <seconds>',
          'wait this long for a state lock held by another run (default 60)',
          parseInteger('--lock-timeout', 0, 3600),
        )
        .option(
          '--parallelism <n>',
          `terraform -parallelism for every stack (default: sized per stack, its largest set of independent resources, at least 10)`,
          parseInteger('--parallelism', 1, 256),
        )
        .option('--verbose', "also stream terraform's plan output and per-resource progress")
        .option(
          '--skip-credential-check',
          'skip the Azure credential/subscription checks and the init job (only for provider-free test stacks)',
        )
        .option('--state-dir <dir>', 'root of the init-job record and preflight marker <dir>/<env>/ (default packages/infra/state)');
    }
    extra(cmd);
    cmd.addHelpText('after', `\n${EXIT_CODES_HELP}\n\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`);
    cmd.action(async (o: Record<string, unknown>) => {
      const env = io.env;
      const args = checkDeployArgs({
        command: name,
        env: envRef(o.env as string | undefined),
        yes: Boolean(o.yes),
        binary: terraformBinary({ ...(o.binary ? { flag: o.binary as string } : {}), env, warn: (m) => io.err(`${m}\n`) }).binary,
        stacks: (o.stack as string[] | undefined) ?? [],
        replace: (o.replace as string[] | undefined) ?? [],
        ...(((o.out ?? o.outDir) as string | undefined) !== undefined ? { outDir: (o.out ?? o.outDir) as string } : {}),
        ...(o.stateDir !== undefined ? { stateDir: o.stateDir as string } : {}),
        skipCredentialCheck: Boolean(o.skipCredentialCheck),
        skipInitJob: Boolean(o.skipInitJob),
        forceInitJob: Boolean(o.forceInitJob),
        ensureSuperuser: Boolean(o.ensureSuperuser),
        allowDataLoss: Boolean(o.allowDataLoss),
        ...(o.allowLocalState ? { allowLocalState: true } : {}),
        dryRun: Boolean(o.dryRun),
        json: Boolean(o.json),
        lockTimeoutSeconds: (o.lockTimeout as number | undefined) ?? 60,
        ...(o.parallelism !== undefined ? { parallelism: o.parallelism as number } : {}),
        ...(o.platform !== undefined ? { platforms: o.platform as string[] } : {}),
        ...(o.netMirror !== undefined ? { netMirror: o.netMirror as string } : {}),
        ...(o.fsMirror !== undefined ? { fsMirror: o.fsMirror as string } : {}),
        ...(o.lockDir !== undefined ? { lockDir: o.lockDir as string } : {}),
        verbose: Boolean(o.verbose),
        skipPreflight: Boolean(o.skipPreflight),
        preflightAgain: Boolean(o.preflightAgain),
        ...(o.deployerIp !== undefined ? { deployerIp: o.deployerIp as string } : {}),
        detectIp: Boolean(o.detectIp),
      } satisfies DeployArgs);
      await run(() => import('./commands/deploy.js').then((m) => m.deployCommand), args, args.json);
    });
  };
  const confirmOptions = (c: Command): Command =>
    c
      .option('-y, --yes', 'do not ask for confirmation (CI=true has the same effect)')
      .option('--allow-data-loss', 'let a --yes/CI run replace or delete stateful resources (databases, shares, Key Vault)');

  terraformCommand(
    'plan',
    'init and plan every stack in dependency order (independent stacks side by side); changes nothing',
    ['cvat-infra plan --env dev', 'cvat-infra plan --env dev --stack apps --replace azurerm_container_app.x'],
    (c) =>
      c
        .option(
          '--replace <address>',
          'plan a forced replacement of a resource (repeatable; needs exactly one --stack)',
          collect(nonEmpty('--replace')),
        )
        // accepted only to explain that plan is the dry run of deploy
        .addOption(new Option('--dry-run').hideHelp()),
  );
  terraformCommand(
    'deploy',
    'preflight, then init, plan, confirm and apply every stack (foundation, then apps and edge side by side; the init-job and ' +
      'superuser steps as soon as the job exists)',
    [
      'cvat-infra deploy --env dev',
      'cvat-infra deploy --env dev --stack apps --yes',
      'cvat-infra deploy --env dev --parallelism 20',
      'npx nx run infra:deploy:edge -- --env dev',
    ],
    (c) =>
      confirmOptions(c)
        .option('--replace <address>', 'force-replace a resource (repeatable; needs exactly one --stack)', collect(nonEmpty('--replace')))
        .option('--skip-init-job', 'do not run the cvat-init job (migrations) nor the superuser step after the apps stack')
        .option('--force-init-job', 'run the cvat-init job even if the CVAT version did not change')
        .option('--ensure-superuser', 'run the superuser step again even if it is recorded as done (never resets a password)')
        .option(
          '--deployer-ip <address>',
          "this machine's egress address, checked by preflight against adminCidrs",
          parseIp('--deployer-ip'),
        )
        .option('--detect-ip', 'let preflight ask https://api.ipify.org for that address')
        .option('--skip-preflight', 'skip the preflight checks run before the first plan (prints a warning)')
        .option(
          '--allow-local-state',
          'deploy an environment other than the example with stateBackend.type local (no lock, secrets-bearing state on this machine)',
        )
        .option(
          '--preflight-again',
          'run preflight even when this synth output passed it in the last hour (the per-stack Nx targets run it once)',
        )
        // accepted only to point at the plan command
        .addOption(new Option('--dry-run').hideHelp()),
  );
  terraformCommand(
    'destroy',
    'plan -destroy every stack in reverse order, confirm once, apply (--dry-run only shows the plans)',
    ['cvat-infra destroy --env dev --dry-run', 'cvat-infra destroy --env dev --stack edge'],
    (c) => confirmOptions(c).option('--dry-run', 'show what would be destroyed; change nothing'),
  );
  terraformCommand(
    'providers-lock',
    "write each stack's provider lock file (packages/infra/terraform-locks) with the checksums of every platform; no credentials needed",
    [
      'cvat-infra providers-lock --env dev',
      'cvat-infra providers-lock --env dev --platform linux_amd64 --platform darwin_arm64',
      'cvat-infra providers-lock --env dev --net-mirror https://terraform-mirror.example.com/',
    ],
    (c) =>
      c
        .option(
          '--platform <os_arch>',
          `a platform to record (repeatable; default ${DEFAULT_LOCK_PLATFORMS.join(', ')})`,
          collect(nonEmpty('--platform')),
        )
        .option('--net-mirror <url>', 'read the provider packages from this network mirror (https) instead of the registry')
        .option('--fs-mirror <dir>', 'read the provider packages from this filesystem mirror directory')
        .option('--lock-dir <dir>', 'write the lock files here (default packages/infra/terraform-locks)'),
  );
  terraformCommand(
    'state-bootstrap',
    'create the azurerm state storage account and container (idempotent, az CLI)',
    ['cvat-infra state-bootstrap --env dev --dry-run'],
    (c) => c.option('--dry-run', 'print the az commands; run nothing'),
  );

  return program;
}

/**
 * Parses argv (user arguments: `['synth', '--env', 'dev']`) and runs the subcommand. Throws CliError for usage errors
 * (commander has already printed them) and for command failures; returns the exit code of a completed command.
 */
export async function runCli(argv: readonly string[], rawIo: InfraIo): Promise<number> {
  // Every line printed — results, progress, terraform's own output — goes through the runtime's redaction: URL
  // credentials, secret parameters, the secret variables of the environment (ARM_CLIENT_SECRET, …) and secrets read at
  // run time never reach the terminal or a CI log.
  const envSecrets = secretValuesFromEnv(rawIo.env);
  const clean = (text: string): string => redactSecrets(text, [...envSecrets, ...rememberedSecrets()]);
  const io: InfraIo = { ...rawIo, out: (t) => rawIo.out(clean(t)), err: (t) => rawIo.err(clean(t)) };
  let exitCode: number = EXIT.OK;
  const program = buildProgram(io, (result, json) => {
    if (json) io.out(`${JSON.stringify(result.data, null, 2)}\n`);
    else if (result.text) io.out(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
    exitCode = result.exitCode ?? EXIT.OK;
  });
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    throw new CliError(
      EXIT.USAGE,
      'a command is required: synth, policy, validate, preflight, cost, plan, deploy, destroy, state-bootstrap or providers-lock',
    );
  }
  if ((await parseArguments(() => program.parseAsync([...argv], { from: 'user' }))) === 'help') return EXIT.OK;
  return exitCode;
}

function lineWriter(write: (text: string) => void): NodeJS.WritableStream {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      write(String(chunk));
      callback();
    },
  });
}

/** Runs the CLI in-process (tests) and returns its exit code; never throws, never exits the process. */
export function runInfraCli(argv: readonly string[], io: InfraIo): Promise<number> {
  return runMain(() => runCli(argv, io), {
    tool: TOOL,
    argv,
    env: io.env,
    stdout: lineWriter(io.out),
    stderr: lineWriter(io.err),
    handleSignals: false,
  });
}

/** The io of the current process. */
export function processIo(): InfraIo {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdinIsTTY: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
  };
}

/**
 * Runs cvat-infra as the current process (bin/cvat-infra.js): Ctrl-C exits 130 at once — deploy's plan files are
 * removed by its exit hook (src/deploy/plan-files.ts) — and the exit code is set from the one table.
 */
export function runProcess(argv: readonly string[] = process.argv.slice(2)): void {
  const io = processIo();
  runToolProcess(() => runCli(argv, io), { tool: TOOL, argv, interrupt: 'exit' });
}

if (require.main === module) runProcess();

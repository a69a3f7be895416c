/**
 * Declares every `cvat-ops` command: description, options, examples. Implementations are loaded with
 * `await import('./commands/<name>/index.js')` inside each action (nodenext: the .js suffix is required) so `cvat-ops --help` loads nothing but commander
 * (see `npm run bench`). Keep this file free of static imports of Azure SDKs, pg, the catalogue or command modules:
 * only `import type` from them.
 *
 * Adding a command: declare it with `defineCommand`/`.command()`, build its options object in the action, and call
 * `run(() => import('./commands/<name>/index.js').then((m) => m.<fn>), options)`. The function gets `(options, runtime)` and
 * returns a `CommandResult` (src/output); printing and exit codes happen here and in src/index.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  CliError,
  EXIT,
  checkOutputPath,
  environmentRef,
  exitCodesHelp,
  parseArguments,
  printable,
  redactSecrets,
  rememberedSecrets,
  secretValuesFromEnv,
} from '@cvat-cloud/runtime/edge';
import type { Runtime } from './context/runtime';
import type { GlobalOptions, OutputFileOptions } from './context/global-options';
import { printResult, writeResultFile, type CommandResult } from './output';
import { tidyMessage } from './output/tidy';
import type { DbConnectionFlags, DbCheckOptions, DbQueryOptions, DbShellOptions } from './commands/db';
import type { StorageUploadOptions, StorageConfigPushOptions, StorageRulesOptions } from './commands/storage';
import type { StatusOptions } from './commands/status';
import type { DriftOptions } from './commands/drift';
import type { AppsDeleteOptions, AppsRestartOptions, AppsRecreateOptions } from './commands/apps';
import type { LogsOptions } from './commands/logs';
import type { IdleOptions } from './commands/idle';
import type { BackupCreateOptions, BackupOptions, BackupPruneOptions, BackupRestoreOptions } from './commands/backup';

/** The exit-code table printed after `--help`: the codes cvat-ops returns, from the one table (docs/exit-codes.md). */
export const EXIT_CODES_HELP = exitCodesHelp([EXIT.FAILED, EXIT.REFUSED, EXIT.CONFIG, EXIT.AUTH, EXIT.NOT_FOUND, EXIT.UNAVAILABLE]);

const ENVIRONMENT_HELP = `Environment variables:
  CVAT_ENV                default for --env (CVAT_OPS_ENV still works, with a deprecation warning)
  ARM_SUBSCRIPTION_ID / AZURE_SUBSCRIPTION_ID
                          subscription when the environment file has none (must match it when it has one)
  ARM_* / AZURE_* CLIENT_ID, TENANT_ID, CLIENT_SECRET, CLIENT_CERTIFICATE_PATH, OIDC token file
                          a service principal or workload identity; ARM_* wins when both are set
                          (otherwise az login / managed identity; see docs/exit-codes.md)
  PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSSLMODE PGSSLROOTCERT PGCONNECT_TIMEOUT
                          defaults for the db commands
  AZURE_STORAGE_KEY       storage account key for storage upload (else listed through ARM)
  CVAT_OPS_OUTPUT         default for --output of the read commands (status, drift, db check, storage rules)
  CVAT_OPS_STATE_DIR      where storage upload keeps its record (default $XDG_STATE_HOME/cvat-ops or ~/.local/state/cvat-ops)`;

/** Turns a commander parse failure into a usage error message naming the option and the value. */
export function parseInteger(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`'${name}' (${value}) must be an integer between ${min} and ${max}.`);
    }
    return n;
  };
}

function parseIPv4(value: string): string {
  if (!/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(value)) {
    throw new InvalidArgumentError(`'--ip' (${value}) must be an IPv4 address like 203.0.113.7.`);
  }
  return value;
}

/**
 * Reads the global options (declared on the program) merged with the command's own. `--env` falls back to
 * `CVAT_ENV`, then the deprecated `CVAT_OPS_ENV` (warning on stderr), read from the runtime's environment.
 */
function globals(cmd: Command, runtime: Runtime): GlobalOptions {
  const o = cmd.optsWithGlobals<Record<string, unknown>>();
  const flag = o.env as string | undefined;
  return {
    env: environmentRef({ ...(flag ? { flag } : {}), env: runtime.env, warn: (m) => runtime.stderr.write(`${m}\n`) })?.ref,
    subscription: o.subscription as string | undefined,
    resourceGroup: o.resourceGroup as string | undefined,
    json: Boolean(o.json),
    yes: Boolean(o.yes),
    dryRun: Boolean(o.dryRun),
  };
}

/**
 * The secrets to keep out of everything printed: the secret variables of the environment and what the run obtained
 * (Key Vault values, listed storage keys). Computed when something is printed, not at start-up (`--help` stays light).
 */
function knownSecrets(runtime: Pick<Runtime, 'env'>): string[] {
  return [...secretValuesFromEnv(runtime.env), ...rememberedSecrets()];
}

/** `text` with every control character but the newline shown as its escape (`\x1b`), for the parser's error lines. */
function escapeControls(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the purpose (they are shown as escapes)
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, (c) => printable(c));
}

type CommandFn<O> = (options: O, runtime: Runtime) => Promise<CommandResult>;

/** `o` without its undefined properties: an option not given is absent from the options object, not `undefined`. */
function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Declares `--output <file>` and `--overwrite` on a read command (house style rule 16). */
function withOutputFile(cmd: Command): Command {
  return cmd
    .option('--output <file>', 'also write the JSON result to <file> (CVAT_OPS_OUTPUT); stdout is unchanged')
    .option('--overwrite', 'replace the --output file when it exists (without it an existing file is refused, exit 3)');
}

/**
 * `{ output, overwrite }` from `--output`, else `CVAT_OPS_OUTPUT` of the runtime (empty means unset), else `{}`.
 * The path is checked here, before the command runs (runtime checkOutputPath): a directory, FIFO or unwritable place
 * is USAGE (CONFIG from the variable), a missing directory NOT_FOUND, an existing file without `--overwrite` REFUSED.
 */
function outputFile(cmd: Command, runtime: Runtime, argv: readonly string[]): OutputFileOptions {
  const o = cmd.opts<{ output?: string; overwrite?: boolean }>();
  const fromFlag = o.output !== undefined;
  const output = o.output ?? (runtime.env.CVAT_OPS_OUTPUT || undefined);
  if (output === undefined) return {};
  checkOutputPath(output, {
    cwd: runtime.cwd,
    overwrite: Boolean(o.overwrite),
    label: fromFlag ? '--output' : 'CVAT_OPS_OUTPUT',
    source: fromFlag ? 'flag' : 'variable',
    rerun: ['cvat-ops', ...argv],
  });
  return { output, ...(o.overwrite ? { overwrite: true } : {}) };
}

/** A CliError whose message or hint quotes a reason ending in its own full stop, with the doubled stop collapsed. */
function tidyError(error: unknown): unknown {
  if (!(error instanceof CliError)) return error;
  const message = tidyMessage(error.message);
  const hint = error.hint === undefined ? undefined : tidyMessage(error.hint);
  if (message === error.message && hint === error.hint) return error;
  return new CliError(error.exit, message, {
    ...(hint !== undefined ? { hint } : {}),
    ...(error.data !== undefined ? { data: error.data } : {}),
    ...(error.cause !== undefined ? { cause: error.cause } : {}),
    printed: error.printed,
  });
}

/** Builds the program. `runtime` is captured by the actions; results go to `onResult`. */
export function buildProgram(
  runtime: Runtime,
  onResult: (result: CommandResult, options: GlobalOptions) => void,
  argv: readonly string[] = [],
): Command {
  const secrets = (): string[] => knownSecrets(runtime);
  const run = async <O extends GlobalOptions>(load: () => Promise<CommandFn<O>>, options: O): Promise<void> => {
    // --subscription / --resource-group are checked for every command, before anything is loaded or contacted
    if (options.subscription !== undefined || options.resourceGroup !== undefined) {
      (await import('./context/environment.js')).checkGlobalOptions(options);
    }
    const fn = await load();
    let result: CommandResult;
    try {
      result = await fn(options, runtime);
    } catch (error) {
      throw tidyError(error);
    }
    onResult(result, options);
    // after stdout, so a failed write still leaves the table or JSON on screen
    const file = (options as OutputFileOptions).output;
    if (file !== undefined) writeResultFile(file, result.data, runtime.cwd, secrets());
  };

  const program = new Command('cvat-ops')
    .description('Operate a CVAT deployment on Azure Container Apps: status, drift, idle, apps, logs, storage, database and backups.')
    .version(readVersion(), '-V, --version')
    .option('--env <name>', 'environment name (environments/<name>.yaml) or path to an environment file (CVAT_ENV)')
    .option('--subscription <id>', 'Azure subscription id (overrides the environment file and ARM_/AZURE_SUBSCRIPTION_ID)')
    .option('--resource-group <name>', 'resource group (overrides the name derived from the environment)')
    .option('--json', 'print machine-readable JSON on stdout')
    .option('--yes', 'answer yes to confirmations (required for destructive commands without a TTY)')
    .option('--dry-run', 'show what would change and change nothing')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      [
        `\n${EXIT_CODES_HELP}\n\n${ENVIRONMENT_HELP}\n`,
        'Examples:',
        '  cvat-ops status --env dev',
        '  cvat-ops db check --env dev',
        '  cvat-ops storage upload ./data cvat-data/imports --env dev',
        '  cvat-ops apps delete --all --env dev --dry-run',
        '  cvat-ops backup create --env dev',
        '  cvat-ops idle --env dev --hours 24',
      ].join('\n'),
    );
  // subcommand --help also lists --env, --json, --yes, --dry-run …
  program.configureHelp({ showGlobalOptions: true });
  program.exitOverride();
  program.configureOutput({
    writeOut: (s) => runtime.stdout.write(s),
    // the parser's messages quote what was typed: no terminal escape sequence or secret passes through
    writeErr: (s) => runtime.stderr.write(redactSecrets(escapeControls(s), secrets())),
  });

  // ---------------------------------------------------------------- db
  const db = program
    .command('db')
    .description('PostgreSQL: check the server, run read-only queries, open a shell')
    .addHelpText(
      'after',
      `\nConnection: flags, then PG* variables, then --env (host from terraform outputs or the derived server name,\n` +
        `password from Key Vault). TLS: --sslmode disable|prefer|require|verify-ca|verify-full (default verify-full for\n` +
        `Azure hosts, prefer otherwise).`,
    );
  const dbConnection = (cmd: Command): Command =>
    cmd
      .option('--host <host>', 'server host name, IP or unix socket directory (PGHOST)')
      .option('--port <port>', 'server port (PGPORT, default 5432)', parseInteger('--port', 1, 65535))
      .option('--user <name>', 'user name (PGUSER)')
      .option('--database <name>', 'database name (PGDATABASE, default cvat)')
      .addOption(
        new Option('--sslmode <mode>', 'TLS mode (PGSSLMODE)').choices(['disable', 'prefer', 'require', 'verify-ca', 'verify-full']),
      )
      .option('--ca <file>', 'CA certificate (PEM) for verify-ca/verify-full (PGSSLROOTCERT)')
      .option(
        '--connect-timeout <seconds>',
        'connection timeout (PGCONNECT_TIMEOUT, default 10)',
        parseInteger('--connect-timeout', 1, 600),
      );
  const connection = (cmd: Command): DbConnectionFlags => {
    const o = cmd.opts<Omit<DbConnectionFlags, 'connectTimeoutSeconds'> & { connectTimeout?: number }>();
    return definedOnly({
      host: o.host,
      port: o.port,
      user: o.user,
      database: o.database,
      sslmode: o.sslmode,
      ca: o.ca,
      connectTimeoutSeconds: o.connectTimeout,
    });
  };

  dbConnection(
    withOutputFile(db.command('check'))
      .description('check connectivity, TLS, server version, the cvat database, Django migrations, connections and long queries')
      .addHelpText(
        'after',
        '\nExamples:\n  cvat-ops db check --env dev\n  PGHOST=127.0.0.1 PGUSER=cvat PGPASSWORD=… cvat-ops db check --sslmode disable --json',
      ),
  ).action(async (_opts, cmd: Command) => {
    const options: DbCheckOptions = { ...globals(cmd, runtime), connection: connection(cmd), ...outputFile(cmd, runtime, argv) };
    await run(() => import('./commands/db/index.js').then((m) => m.dbCheck), options);
  });

  dbConnection(
    db
      .command('query')
      .description('run one SQL statement; read-only (BEGIN READ ONLY … ROLLBACK) unless --write')
      .argument('<sql>', 'one SQL statement')
      .option('--write', 'allow writes: run in a read-write transaction and COMMIT (asks for confirmation; --dry-run rolls back)')
      .option('--max-rows <n>', 'rows to print (default 1000)', parseInteger('--max-rows', 1, 1_000_000))
      .option(
        '--statement-timeout <seconds>',
        'cancel the statement after this many seconds (default 30)',
        parseInteger('--statement-timeout', 1, 86_400),
      )
      .addHelpText(
        'after',
        `\nExamples:\n  cvat-ops db query "select count(*) from engine_task" --env dev\n` +
          `  cvat-ops db query "select count(*) from engine_job" --statement-timeout 120 --env dev\n` +
          `  cvat-ops db query "update auth_user set is_active = false where id = 7" --write --env dev`,
      ),
  ).action(async (sql: string, _opts, cmd: Command) => {
    const o = cmd.opts<{ write?: boolean; maxRows?: number; statementTimeout?: number }>();
    const options: DbQueryOptions = {
      ...globals(cmd, runtime),
      connection: connection(cmd),
      sql,
      write: Boolean(o.write),
      ...definedOnly({ maxRows: o.maxRows, statementTimeoutSeconds: o.statementTimeout }),
    };
    await run(() => import('./commands/db/index.js').then((m) => m.dbQuery), options);
  });

  dbConnection(
    db
      .command('shell')
      .description(
        'interactive SQL shell (psql-like: \\q \\dt \\d \\conninfo \\x \\timing \\?); reads statements from stdin when not a TTY',
      )
      .option('--write', 'allow writes (autocommit like psql); without it every statement runs read-only')
      .addHelpText(
        'after',
        `\nExamples:\n  cvat-ops db shell --env dev\n  echo "select 1;" | cvat-ops db shell --host 127.0.0.1 --user cvat`,
      ),
  ).action(async (_opts, cmd: Command) => {
    const o = cmd.opts<{ write?: boolean }>();
    const options: DbShellOptions = { ...globals(cmd, runtime), connection: connection(cmd), write: Boolean(o.write) };
    await run(() => import('./commands/db/index.js').then((m) => m.dbShell), options);
  });

  // ---------------------------------------------------------------- storage
  const storage = program.command('storage').description('Azure file shares: upload files, push component config, show network rules');
  const storageAccount = (cmd: Command): Command =>
    cmd
      .option('--account <name>', 'storage account name (default: derived from --env)')
      .option('--concurrency <n>', 'parallel file uploads (default 4)', parseInteger('--concurrency', 1, 64));

  storageAccount(
    storage
      .command('upload')
      .description('upload a file or folder to a share (parallel files and ranges, skips identical files, resumes inside a file)')
      .argument('<local-path>', 'file or folder to upload')
      .argument('<share-path>', 'share name, optionally followed by a folder: <share>[/<path>]')
      .option('--range-concurrency <n>', '4 MiB ranges in flight across all files (default 8)', parseInteger('--range-concurrency', 1, 64))
      .addHelpText(
        'after',
        `\nA folder's contents go under <share>/<path>/ (like cp -r dir/. dest/); a file goes to <share>/<path>/<name>.\n` +
          `A re-run after an interruption skips complete files and sends only the missing ranges of a partial one. A local\n` +
          `record (CVAT_OPS_STATE_DIR, else ~/.local/state/cvat-ops) remembers what was sent, so a file changed in the share\n` +
          `since (new ETag) is sent again even when size and Content-MD5 still match. Content-Type comes from the file name.\n` +
          `Replaces 'azcopy copy'.\n\nExamples:\n` +
          `  cvat-ops storage upload ./share-seed cvat-data --env dev\n  cvat-ops storage upload vector.toml cvat-config/vector --env dev --dry-run`,
      ),
  ).action(async (localPath: string, sharePath: string, _opts, cmd: Command) => {
    const o = cmd.opts<{ account?: string; concurrency?: number; rangeConcurrency?: number }>();
    const options: StorageUploadOptions = {
      ...globals(cmd, runtime),
      localPath,
      sharePath,
      ...definedOnly({ account: o.account, concurrency: o.concurrency, rangeConcurrency: o.rangeConcurrency }),
    };
    await run(() => import('./commands/storage/index.js').then((m) => m.storageUpload), options);
  });

  const config = storage.command('config').description("component configuration files declared in the catalogue ('configFiles')");
  storageAccount(
    config
      .command('push')
      .description("upload every enabled component's configFiles to its share (skips identical files)")
      .argument('[component...]', 'only these components (default: all enabled)')
      .addHelpText(
        'after',
        '\nExamples:\n  cvat-ops storage config push --env dev\n  cvat-ops storage config push vector --env dev --dry-run',
      ),
  ).action(async (components: string[], _opts, cmd: Command) => {
    const o = cmd.opts<{ account?: string; concurrency?: number }>();
    const options: StorageConfigPushOptions = {
      ...globals(cmd, runtime),
      components,
      ...definedOnly({ account: o.account, concurrency: o.concurrency }),
    };
    await run(() => import('./commands/storage/index.js').then((m) => m.storageConfigPush), options);
  });

  withOutputFile(storage.command('rules'))
    .description("show the storage account's network rule set and whether an IP / each app subnet is allowed")
    .option('--account <name>', 'storage account name (default: derived from --env)')
    .option('--ip <address>', 'check this IPv4 address against the rules', parseIPv4)
    .option('--my-ip', "also check this machine's public egress IP (asks api.ipify.org)")
    .addHelpText(
      'after',
      `\nReplaces 'az storage account show --query networkRuleSet'.\n` +
        `\nExamples:\n  cvat-ops storage rules --env dev\n  cvat-ops storage rules --env dev --ip 203.0.113.7 --my-ip --json`,
    )
    .action(async (_opts, cmd: Command) => {
      const o = cmd.opts<{ account?: string; ip?: string; myIp?: boolean }>();
      const options: StorageRulesOptions = {
        ...globals(cmd, runtime),
        myIp: Boolean(o.myIp),
        ...definedOnly({ account: o.account, ip: o.ip }),
        ...outputFile(cmd, runtime, argv),
      };
      await run(() => import('./commands/storage/index.js').then((m) => m.storageRules), options);
    });

  // ---------------------------------------------------------------- status, drift, apps, logs (ops-arm helper)
  // registered below by small targeted edits; keep the pattern above (build options, then run(import(...))).

  withOutputFile(program.command('status'))
    .description('every catalogue component in Azure: exists, state, active revision, replicas, image; init job; server health')
    .option('--no-health', 'skip the request to https://<edge>/api/server/health/')
    .option('--health-timeout <seconds>', 'seconds to wait for the health endpoint (default 10)', parseInteger('--health-timeout', 1, 120))
    .addHelpText(
      'after',
      `\nExit code 1 when a component is missing, not Succeeded/Running, below its minimum replicas, runs another image\n` +
        `than the catalogue, the init job's last run failed, or the server health endpoint answers non-200.\n` +
        `An unreachable edge is reported but not counted as unhealthy.\n` +
        `\nExamples:\n  cvat-ops status --env dev\n  cvat-ops status --env dev --json --no-health`,
    )
    .action(async (_opts, cmd: Command) => {
      const o = cmd.opts<{ health?: boolean; healthTimeout?: number }>();
      const options: StatusOptions = {
        ...globals(cmd, runtime),
        noHealth: o.health === false,
        ...definedOnly({ healthTimeoutSeconds: o.healthTimeout }),
        ...outputFile(cmd, runtime, argv),
      };
      await run(() => import('./commands/status/index.js').then((m) => m.status), options);
    });

  withOutputFile(program.command('drift'))
    .description('field-by-field difference between live container apps/jobs and the catalogue + environment config')
    .addHelpText(
      'after',
      `\nCompares image, cpu/memory, min/max replicas, KEDA scale rules (name, type, metadata, auth secrets), command/args,\n` +
        `env names and plain values, secret references, Key Vault secret of each app secret, volume mounts, ingress\n` +
        `(transport, ports, external) and probes; lists apps live but not in the catalogue, and catalogue apps\n` +
        `missing in Azure. Secret values are never read.\nExit code 1 when anything differs.\n` +
        `\nExamples:\n  cvat-ops drift --env dev\n  cvat-ops drift --env dev --json\n  cvat-ops drift --env dev --output drift.json`,
    )
    .action(async (_opts, cmd: Command) => {
      const options: DriftOptions = { ...globals(cmd, runtime), ...outputFile(cmd, runtime, argv) };
      await run(() => import('./commands/drift/index.js').then((m) => m.drift), options);
    });

  withOutputFile(program.command('idle'))
    .description("minutes each container app met Container Apps' idle-billing criteria (Azure Monitor metrics, one-minute grain)")
    .option('--hours <n>', 'look-back window in hours, 1-720 (default 24)', parseInteger('--hours', 1, 720))
    .option(
      '--app <name>',
      'only this app (repeat for more; default: every container app and job)',
      (v: string, all: string[] | undefined) => [...(all ?? []), v],
    )
    .addHelpText(
      'after',
      `\nFor each app, per replica and minute: CPU (UsageNanoCores average) under 0.01 vCPU, received bytes (RxBytes) under\n` +
        `60,000 a minute (1,000 B/s), no HTTP request (Requests), and the revision at its minReplicas (Replicas) >= 1.\n` +
        `Prints the minutes observed, idle, and broken per criterion, and the hours a 730-hour month of such minutes bills\n` +
        `active. Jobs have no idle rate (listed as n/a). Needs Microsoft.Insights/metrics/read (e.g. Monitoring Reader).\n` +
        `Each always-on app also shows the cost estimate's class and the hours it assumes for a month with nobody working,\n` +
        `and a verdict: 'as estimated' (within 1 h + 1 % of the month), 'busier than estimated' or 'no data'.\n` +
        `Run it after a quiet day and compare with 'npx nx run infra:cost -- --profile idle' (each class's reason;\n` +
        `docs/operations.md).\n` +
        `\nExamples:\n  cvat-ops idle --env dev\n  cvat-ops idle --env dev --hours 72 --app cvat-server --app opa --json`,
    )
    .action(async (_opts, cmd: Command) => {
      const o = cmd.opts<{ hours?: number; app?: string[] }>();
      const options: IdleOptions = {
        ...globals(cmd, runtime),
        ...definedOnly({ hours: o.hours }),
        ...(o.app && o.app.length > 0 ? { apps: o.app } : {}),
        ...outputFile(cmd, runtime, argv),
      };
      await run(() => import('./commands/idle/index.js').then((m) => m.idle), options);
    });

  const apps = program
    .command('apps')
    .description('container apps: delete in dependency order, restart the active revision, recreate through the infra deploy')
    .addHelpText(
      'after',
      `\nWhich one to use:\n  restart   the process is stuck or needs to re-read secrets, and the configuration is right: restarts the\n` +
        `            replicas of the active revision in place (no new revision, nothing in Terraform changes)\n` +
        `  recreate  the Azure resource itself is broken (failed provisioning, stuck revision) or a change ACA cannot\n` +
        `            apply in place: destroys and recreates it through the infra deploy (terraform -replace)\n` +
        `  deploy    the catalogue or environment changed: 'npx nx run infra:deploy -- --env <name>' creates a new\n` +
        `            revision with the new template\n` +
        `  delete    tear apps down (before destroying the environment, or to drop a disabled component)`,
    );

  apps
    .command('delete')
    .description('delete container apps (and the init job) in reverse dependency order, reporting every outcome')
    .argument('[name...]', 'component names (see cvat-ops status); or --all')
    .option('--all', 'every catalogue container app and job (enabled or not; the edge VM is left to infra)')
    .addHelpText(
      'after',
      `\nReplaces the reference guide's fifteen 'az containerapp delete --name <n> --resource-group $RG --yes' lines.\n` +
        `Asks for confirmation listing what goes (refuses without --yes when not on a terminal); --dry-run shows the\n` +
        `plan. Continues past a failed delete and exits 1 listing every outcome: deleted, not found (already gone), failed.\n` +
        `\nExamples:\n  cvat-ops apps delete --all --env dev --dry-run\n  cvat-ops apps delete cvat-ui cvat-server --env dev --yes`,
    )
    .action(async (names: string[], _opts, cmd: Command) => {
      const o = cmd.opts<{ all?: boolean }>();
      const options: AppsDeleteOptions = { ...globals(cmd, runtime), names, all: Boolean(o.all) };
      await run(() => import('./commands/apps/index.js').then((m) => m.appsDelete), options);
    });

  apps
    .command('restart')
    .description('restart the active revision(s) of one container app (process stuck, configuration unchanged)')
    .argument('<name>', 'component name, e.g. cvat-server')
    .addHelpText(
      'after',
      `\nUse restart when the app's configuration is right but its process is stuck, or after rotating a secret\n` +
        `(containers read secrets at start). It restarts the replicas of the active revision in place. If the resource is\n` +
        `broken use 'cvat-ops apps recreate'; if the configuration changed use 'npx nx run infra:deploy'.\n` +
        `\nExamples:\n  cvat-ops apps restart cvat-server --env dev\n  cvat-ops apps restart opa --env dev --yes`,
    )
    .action(async (name: string, _opts, cmd: Command) => {
      const options: AppsRestartOptions = { ...globals(cmd, runtime), name };
      await run(() => import('./commands/apps/index.js').then((m) => m.appsRestart), options);
    });

  apps
    .command('recreate')
    .description("destroy and recreate one app through the infra deploy (the reference guide's terraform -replace)")
    .argument('<name>', 'component name, e.g. cvat-worker-import')
    .option('--address <address>', 'Terraform resource address (default: from cvat-index.json, which infra synth writes)')
    .addHelpText(
      'after',
      `\nUse recreate when the Azure resource is broken (failed provisioning, a revision that never becomes ready) or\n` +
        `for a change ACA cannot apply in place. It runs:\n  npx nx run infra:deploy -- --env <env> --stack <stack> --replace <address>\n` +
        `which plans, asks for confirmation (skipped with --yes) and applies. The app is down between destroy and\n` +
        `create. If the configuration is right and only the process is stuck, use 'cvat-ops apps restart'.\n` +
        `\nExamples:\n  cvat-ops apps recreate cvat-worker-import --env dev --dry-run\n` +
        `  cvat-ops apps recreate opa --env dev --address 'azurerm_container_app.opa_1A2B3C4D'`,
    )
    .action(async (name: string, _opts, cmd: Command) => {
      const o = cmd.opts<{ address?: string }>();
      const options: AppsRecreateOptions = { ...globals(cmd, runtime), name, ...definedOnly({ address: o.address }) };
      await run(() => import('./commands/apps/index.js').then((m) => m.appsRecreate), options);
    });

  program
    .command('logs')
    .description('stream console or system logs of one container app (auth token + ACA log stream)')
    .argument('<name>', 'component name, e.g. cvat-server')
    .option('-f, --follow', 'keep streaming new lines until Ctrl-C')
    .option('--tail <n>', 'lines of history to start with, 0-300 (default 20)', parseInteger('--tail', 0, 300))
    .addOption(
      new Option('--type <type>', 'console: the container output; system: ACA events (scheduling, probes, restarts)')
        .choices(['console', 'system'])
        .default('console'),
    )
    .option('--revision <name>', 'console: revision (default: the latest)')
    .option('--replica <name>', 'console: replica (default: the first running one)')
    .option('--container <name>', 'console: container (default: the first)')
    .addHelpText(
      'after',
      `\nOne revision, replica and container at a time, like 'az containerapp logs show'. Older logs are in Log\n` +
        `Analytics (ContainerAppConsoleLogs_CL, ContainerAppSystemLogs_CL). With --json: collected into one object, or\n` +
        `one {"line": …} object per line with --follow.\n\nExamples:\n  cvat-ops logs cvat-server --env dev --tail 100\n` +
        `  cvat-ops logs cvat-worker-import --env dev --follow\n  cvat-ops logs opa --env dev --type system`,
    )
    .action(async (name: string, _opts, cmd: Command) => {
      const o = cmd.opts<{
        follow?: boolean;
        tail?: number;
        type?: 'console' | 'system';
        revision?: string;
        replica?: string;
        container?: string;
      }>();
      const options: LogsOptions = {
        ...globals(cmd, runtime),
        name,
        follow: Boolean(o.follow),
        type: o.type ?? 'console',
        ...definedOnly({ tail: o.tail, revision: o.revision, replica: o.replica, container: o.container }),
      };
      await run(() => import('./commands/logs/index.js').then((m) => m.logs), options);
    });

  // ---------------------------------------------------------------- backup
  const backup = program
    .command('backup')
    .description('recovery points of a whole CVAT: PostgreSQL point in time + data/keys share snapshots + a manifest')
    .addHelpText(
      'after',
      `\nA recovery point records the database's point in time (Flexible Server point-in-time restore), then snapshots the\n` +
        `cvat-data and cvat-keys shares, and writes a manifest to cvat-config/backups/<id>.json. Crash-consistent: the\n` +
        `database time comes first, so every file it refers to is in the snapshots. See docs/operations.md (recovery runbook).`,
    );
  backup
    .command('create')
    .description('record a recovery point now (no downtime; workers keep running)')
    .option('--db-backup', 'also take an on-demand full database backup (shortens a later restore)')
    .addHelpText('after', '\nExamples:\n  cvat-ops backup create --env prod\n  cvat-ops backup create --env prod --db-backup --json')
    .action(async (_opts, cmd: Command) => {
      const o = cmd.opts<{ dbBackup?: boolean }>();
      const options: BackupCreateOptions = { ...globals(cmd, runtime), dbBackup: Boolean(o.dbBackup) };
      await run(() => import('./commands/backup/index.js').then((m) => m.backupCreate), options);
    });
  backup
    .command('list')
    .description('recovery points, whether their snapshots exist and whether the database time is still restorable')
    .addHelpText('after', '\nExamples:\n  cvat-ops backup list --env prod\n  cvat-ops backup list --env prod --json')
    .action(async (_opts, cmd: Command) => {
      const options: BackupOptions = globals(cmd, runtime);
      await run(() => import('./commands/backup/index.js').then((m) => m.backupList), options);
    });
  backup
    .command('restore')
    .description('restore a recovery point: a new PostgreSQL server at its time, then the shares from their snapshots')
    .argument('<recovery-point>', "recovery point id from 'cvat-ops backup list', e.g. prod-20261203t144501z")
    .option('--server-name <name>', 'name of the server to create (default: <server>-r<yyyymmddhhmm>)')
    .addHelpText(
      'after',
      `\nShows the plan and asks for confirmation (--yes without a terminal). Creates the server first; only when it is\n` +
        `ready are the share files copied back from the snapshots (files newer than the snapshot are kept). Then it prints\n` +
        `the deploy that points the environment at the new server. Stop CVAT first (runbook in docs/operations.md).\n` +
        `\nExamples:\n  cvat-ops backup restore prod-20261203t144501z --env prod --dry-run\n  cvat-ops backup restore prod-20261203t144501z --env prod --yes`,
    )
    .action(async (id: string, _opts, cmd: Command) => {
      const o = cmd.opts<{ serverName?: string }>();
      const options: BackupRestoreOptions = { ...globals(cmd, runtime), id, ...definedOnly({ serverName: o.serverName }) };
      await run(() => import('./commands/backup/index.js').then((m) => m.backupRestore), options);
    });
  backup
    .command('prune')
    .description('delete recovery points outside the retention rules (share snapshots, on-demand backups, manifests)')
    .option('--keep-days <n>', 'keep every recovery point younger than n days', parseInteger('--keep-days', 0, 3650))
    .option('--keep-last <n>', 'keep the newest n recovery points', parseInteger('--keep-last', 0, 1000))
    .addHelpText(
      'after',
      '\nA point is kept when either rule keeps it. Asks for confirmation (--yes without a terminal).\n' +
        '\nExamples:\n  cvat-ops backup prune --env prod --keep-days 14 --keep-last 7 --dry-run\n  cvat-ops backup prune --env prod --keep-last 10 --yes',
    )
    .action(async (_opts, cmd: Command) => {
      const o = cmd.opts<{ keepDays?: number; keepLast?: number }>();
      const options: BackupPruneOptions = { ...globals(cmd, runtime), ...definedOnly({ keepDays: o.keepDays, keepLast: o.keepLast }) };
      await run(() => import('./commands/backup/index.js').then((m) => m.backupPrune), options);
    });

  return program;
}

function readVersion(): string {
  try {
    // src/cli.ts (tests) and dist/cli.js (binary) both sit one level below package.json
    return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * Parses argv (without `node` and the script: `['db', 'check', '--json']`) and runs the command.
 * Throws `CliError` for usage errors (commander has already printed them) and for command failures.
 * Returns the exit code of a completed command (0, or 1 when it reported failures).
 */
export async function runCli(argv: readonly string[], runtime: Runtime): Promise<number> {
  let exitCode: number = EXIT.OK;
  const program = buildProgram(
    runtime,
    (result, options) => {
      // the environment's secret variables, and what the run read from Key Vault
      printResult(result, { json: options.json, stdout: runtime.stdout, secrets: knownSecrets(runtime) });
      exitCode = result.exitCode ?? EXIT.OK;
    },
    argv,
  );
  // commander prints a parse error (and the help hint) to stderr itself; parseArguments marks it as printed
  if ((await parseArguments(() => program.parseAsync([...argv], { from: 'user' }))) === 'help') return EXIT.OK;
  return exitCode;
}

#!/usr/bin/env node
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { TokenCredential } from '@azure/identity';
import { DeployError, EXIT_CODES } from '../deploy/errors';
import type { PreflightEndpoints } from './preflight';
import type { PreflightReport } from './run';

/** `--help` text. */
export const PREFLIGHT_USAGE = `Usage: node dist/preflight/cli.js --env <name|path> [options]
       npx nx run infra:preflight -- --env <name> [options]

Checks the target subscription before a deploy changes anything: credentials and subscription state,
resource provider registrations (derived from the synthesized stacks), global name availability
(storage account, Key Vault and soft-deleted vaults, PostgreSQL server, public IP DNS label; names this
deployment already owns pass), the edge VM size and PostgreSQL SKU/version in the region, the Container
Apps quota against the catalogue's cores at maximum replicas, and the deployer's address in adminCidrs.
Each check prints pass, fail or skip with the fix in one line. \`infra:deploy\` runs the same checks
before its first plan (skip with --skip-preflight).

Options:
  --env <name|path>         environment config (environments/<name>.yaml); default: $CVAT_ENV or the example
  --subscription <id>       subscription to check (must agree with subscriptionId / ARM_SUBSCRIPTION_ID)
  --deployer-ip <address>   this machine's public egress address, checked against adminCidrs
  --detect-ip               ask https://api.ipify.org for the egress address (sends one request there)
  --out-dir <dir>           synth output to read (default packages/infra/cdktf.out; re-synthesized when stale)
  --check-timeout <seconds> upper bound of each check, retries included (default 60)
  --json                    print the report as JSON on stdout (progress stays on stderr)
  --help, -h                show this help

Without --deployer-ip or --detect-ip the address check is reported as skip (never guessed).

Exit codes: 0 no check failed (skips allowed), 2 bad arguments or input,
            3 a check failed, or credentials/subscription missing (nothing changed).
`;

/** Parsed command line of the preflight CLI. */
export interface PreflightArgs {
  readonly env?: string;
  readonly subscription?: string;
  readonly deployerIp?: string;
  /** @default false */
  readonly detectIp: boolean;
  readonly outDir?: string;
  /** @default 60 */
  readonly checkTimeoutSeconds: number;
  /** @default false */
  readonly json: boolean;
  readonly help: boolean;
}

/** Validates `--deployer-ip`: an IPv4 or IPv6 address. */
export function checkDeployerIp(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isIP(value.trim())) throw new DeployError('USAGE', `'${flag}' (${value}) must be an IP address such as 198.51.100.7`);
  return value.trim();
}

/** Parses the preflight CLI's arguments; bad values are {@link DeployError} `USAGE` naming the option and value. */
export function parsePreflightArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): PreflightArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        env: { type: 'string' },
        subscription: { type: 'string' },
        'deployer-ip': { type: 'string' },
        'detect-ip': { type: 'boolean' },
        'out-dir': { type: 'string' },
        'check-timeout': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new DeployError('USAGE', `${(error as Error).message}\nRun with --help for the options.`);
  }
  const v = parsed.values;
  const deployerIp = checkDeployerIp('--deployer-ip', v['deployer-ip']);
  if (deployerIp && v['detect-ip']) throw new DeployError('USAGE', "'--deployer-ip' and '--detect-ip' cannot be used together: give the address or ask for it");
  let checkTimeoutSeconds = 60;
  if (v['check-timeout'] !== undefined) {
    checkTimeoutSeconds = Number(v['check-timeout']);
    if (!/^\d+$/.test(v['check-timeout']) || checkTimeoutSeconds < 1 || checkTimeoutSeconds > 600) {
      throw new DeployError('USAGE', `'--check-timeout' (${v['check-timeout']}) must be a whole number of seconds between 1 and 600`);
    }
  }
  if (v.subscription !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v.subscription.trim())) {
    throw new DeployError('USAGE', `'--subscription' (${v.subscription}) must be a subscription GUID`);
  }
  return {
    env: v.env ?? (env.CVAT_ENV || undefined),
    subscription: v.subscription?.trim(),
    deployerIp,
    detectIp: v['detect-ip'] ?? false,
    outDir: v['out-dir'],
    checkTimeoutSeconds,
    json: v.json ?? false,
    help: v.help ?? false,
  };
}

/** Where the preflight CLI reads and writes; injectable so tests run it in-process. */
export interface PreflightIo {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** @default - the synth of `infra:synth`, in-process */
  readonly synth?: (env: string, outDir: string) => Promise<void>;
  /** ARM endpoint, echo service and retries (tests). @default - the public endpoints */
  readonly endpoints?: PreflightEndpoints;
  /** The credential to use instead of the detected one (tests). @default - built from the detected credential */
  readonly credential?: TokenCredential;
}

/** The exit code of a finished preflight run. */
export function preflightExitCode(report: PreflightReport): number {
  return report.ok ? EXIT_CODES.ok : EXIT_CODES.precondition;
}

async function run(args: PreflightArgs, io: PreflightIo): Promise<number> {
  const log = (line: string) => io.err(`${line}\n`);
  // Loaded after argument parsing so `--help` stays fast: these pull in the catalogue and @azure/identity.
  const [deploy, credentials, { createTokenCredential }, { readStackJson }, { findRepoRoot }, { preflight }, { formatSummary }] = await Promise.all([
    import('../deploy/cli.js'),
    import('../deploy/credentials.js'),
    import('../deploy/azure-credential.js'),
    import('../deploy/manifest.js'),
    import('@cvat-cloud/catalogue'),
    import('./preflight.js'),
    import('./run.js'),
  ]);
  const { credentialsMissingMessage, detectAzureCredentials, readAzureCliProfile, resolveSubscription } = credentials;

  const { config, catalogue, source } = deploy.loadConfig(args, io);
  // Same order and messages as the deploy: credentials, then subscription; nothing else happens without them.
  const profile = readAzureCliProfile(io.env);
  const creds = detectAzureCredentials(io.env, profile);
  if (!creds.ok) throw new DeployError('CREDENTIALS_MISSING', credentialsMissingMessage(creds.problems));
  if (args.subscription) {
    // terraform reads the subscription from the config or ARM_SUBSCRIPTION_ID, so --subscription may only repeat them.
    for (const [where, value] of [['ARM_SUBSCRIPTION_ID', io.env.ARM_SUBSCRIPTION_ID], [`'subscriptionId' in ${source}`, config.subscriptionId]] as const) {
      if (value?.trim() && value.trim().toLowerCase() !== args.subscription.toLowerCase()) {
        throw new DeployError('SUBSCRIPTION_MISMATCH', `'--subscription' (${args.subscription}) differs from ${where} (${value.trim()}), which the deploy would use; drop one of them. Nothing was changed.`);
      }
    }
  }
  const subscriptionId = resolveSubscription(config.subscriptionId, args.subscription ? { ...io.env, ARM_SUBSCRIPTION_ID: args.subscription } : io.env, source, profile);
  log(`azure: ${creds.credential.detail}; subscription ${subscriptionId}`);
  const credential = io.credential ?? createTokenCredential(creds.credential, io.env);

  const outDir = resolve(io.cwd, args.outDir ?? join(deploy.INFRA_PACKAGE_ROOT, 'cdktf.out'));
  const envIsPath = /[/\\]|\.ya?ml$/.test(args.env ?? '');
  const configFile = envIsPath ? resolve(io.cwd, args.env!) : join(findRepoRoot(io.cwd) ?? io.cwd, 'environments', `${config.name}.yaml`);
  const manifest = await deploy.ensureSynthesized(outDir, config, envIsPath ? configFile : config.name, configFile, io, log);

  const report = await preflight({
    config,
    catalogue,
    stacks: manifest.stacks.map((s) => readStackJson(s)),
    subscriptionId,
    credential,
    deployerIp: args.deployerIp,
    detectIp: args.detectIp,
    checkTimeoutSeconds: args.checkTimeoutSeconds,
    log,
    ...io.endpoints,
  });
  for (const line of formatSummary(report)) log(line);
  if (args.json) io.out(JSON.stringify(report, null, 2) + '\n');
  return preflightExitCode(report);
}

/**
 * The preflight CLI (`node dist/preflight/cli.js`): returns the exit code, never exits the process.
 *
 * @see PREFLIGHT_USAGE
 */
export async function main(argv: readonly string[], io: PreflightIo): Promise<number> {
  try {
    const args = parsePreflightArgs(argv, io.env);
    if (args.help) {
      io.out(PREFLIGHT_USAGE);
      return EXIT_CODES.ok;
    }
    return await run(args, io);
  } catch (error) {
    if (error instanceof DeployError) {
      io.err(`error: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_CODES.failed;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  }).then((code) => {
    process.exitCode = code;
  });
}

/**
 * The options of the terraform-driving subcommands (`cvat-infra deploy|plan|destroy|state-bootstrap`) and the checks
 * between them that the parser cannot express. Light: the CLI entry imports it before any command module.
 */
import { isIP } from 'node:net';
import { DeployError } from './errors';

/** The terraform-driving subcommands. */
export const DEPLOY_COMMANDS = ['deploy', 'plan', 'destroy', 'state-bootstrap', 'providers-lock'] as const;

/** Platforms `providers-lock` records when none is given: what developers and CI commonly run. */
export const DEFAULT_LOCK_PLATFORMS: readonly string[] = ['linux_amd64', 'linux_arm64', 'darwin_amd64', 'darwin_arm64', 'windows_amd64'];
/** One of {@link DEPLOY_COMMANDS}. */
export type DeployCommandName = (typeof DEPLOY_COMMANDS)[number];

/** Parsed options of deploy, plan, destroy and state-bootstrap. */
export interface DeployArgs {
  readonly command: DeployCommandName;
  /** Environment name or config path (`--env`). @default - `CVAT_ENV`, else the committed example */
  readonly env: string;
  /** `--yes`: skip confirmations. @default false */
  readonly yes: boolean;
  /** `--binary` (or `TF_BINARY`): `terraform`, `tofu` or a path. @default 'terraform' */
  readonly binary: string;
  /** `--stack` (repeatable). @default - every stack */
  readonly stacks: readonly string[];
  /** `--replace` (repeatable) resource addresses. */
  readonly replace: readonly string[];
  /** `--out`: the synth output. @default - packages/infra/cdktf.out */
  readonly outDir?: string;
  /**
   * `--state-dir`: root of the init-job record and the preflight marker, `<dir>/<env>/…` (the stacks' state paths
   * come from synth). @default - packages/infra/<stateBackend.path> (packages/infra/state)
   */
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
  /**
   * `--allow-local-state`: deploy an environment other than the example with `stateBackend.type: local`
   * (./state-policy). @default false
   */
  readonly allowLocalState?: boolean;
  /** `--allow-data-loss`: let `--yes`/CI runs replace or delete stateful resources. @default false */
  readonly allowDataLoss: boolean;
  /** `--dry-run`: destroy shows its plans, state-bootstrap prints its commands; nothing changes. @default false */
  readonly dryRun: boolean;
  /** `--json`: print the run report as JSON on stdout. @default false */
  readonly json: boolean;
  /** `--lock-timeout <seconds>`. @default 60 */
  readonly lockTimeoutSeconds: number;
  /**
   * `--parallelism`: terraform's `-parallelism` for every stack's plan and apply.
   * @default - sized per stack: its largest set of mutually independent resources, at least terraform's 10
   */
  readonly parallelism?: number;
  /** `providers-lock --platform` (repeatable), `os_arch`. @default DEFAULT_LOCK_PLATFORMS */
  readonly platforms?: readonly string[];
  /** `providers-lock --net-mirror`: read the packages from this provider network mirror (https). */
  readonly netMirror?: string;
  /** `providers-lock --fs-mirror`: read the packages from this filesystem mirror directory. */
  readonly fsMirror?: string;
  /** `providers-lock --lock-dir`: where the lock files are written. @default - packages/infra/terraform-locks */
  readonly lockDir?: string;
  /** `--verbose`: stream terraform's plan output as well. @default false */
  readonly verbose: boolean;
  /** `--skip-preflight`: deploy without the preflight checks (prints a warning). @default false */
  readonly skipPreflight: boolean;
  /** `--preflight-again`: run preflight even when this synth output passed it moments ago. @default false */
  readonly preflightAgain: boolean;
  /** `--deployer-ip`: this machine's egress address for the preflight adminCidrs check. */
  readonly deployerIp?: string;
  /** `--detect-ip`: let preflight ask an echo service for the egress address. @default false */
  readonly detectIp: boolean;
}

/**
 * Checks the combinations the parser cannot: each is {@link DeployError} `USAGE` (exit 2) naming the options.
 * Returns `args` unchanged.
 */
export function checkDeployArgs(args: DeployArgs): DeployArgs {
  const cmd = args.command;
  if (args.binary.trim() === '') throw new DeployError('USAGE', `'--binary' ('') must name terraform, tofu or a path`);
  for (const [flag, list] of [
    ['--stack', args.stacks],
    ['--replace', args.replace],
  ] as const) {
    for (const v of list) if (v.trim() === '') throw new DeployError('USAGE', `'${flag}' ('') must not be empty`);
  }
  if (args.skipInitJob && args.forceInitJob)
    throw new DeployError('USAGE', "'--skip-init-job' and '--force-init-job' cannot be used together");
  if (args.skipInitJob && args.ensureSuperuser) {
    throw new DeployError(
      'USAGE',
      "'--skip-init-job' and '--ensure-superuser' cannot be used together: the superuser step runs in the init job",
    );
  }
  if (args.dryRun && cmd !== 'destroy' && cmd !== 'state-bootstrap') {
    throw new DeployError('USAGE', `'--dry-run' applies to destroy and state-bootstrap; for deploy use the 'plan' command`);
  }
  if (args.skipPreflight && (args.deployerIp !== undefined || args.detectIp)) {
    throw new DeployError(
      'USAGE',
      "'--skip-preflight' cannot be used with '--deployer-ip' or '--detect-ip': the address is only checked by preflight",
    );
  }
  if (args.deployerIp !== undefined && args.detectIp) {
    throw new DeployError('USAGE', "'--deployer-ip' and '--detect-ip' cannot be used together: give the address or ask for it");
  }
  for (const platform of args.platforms ?? []) {
    if (!/^[a-z0-9]+_[a-z0-9]+$/.test(platform)) {
      throw new DeployError('USAGE', `'--platform' (${platform}) must be an os_arch pair such as linux_amd64 or darwin_arm64`);
    }
  }
  if (args.netMirror !== undefined && args.fsMirror !== undefined) {
    throw new DeployError('USAGE', "'--net-mirror' and '--fs-mirror' cannot be used together: give one place to read the providers from");
  }
  if (args.netMirror !== undefined && !/^https:\/\/[^\s/]+/.test(args.netMirror)) {
    throw new DeployError(
      'USAGE',
      `'--net-mirror' (${args.netMirror}) must be an https:// URL: terraform reads provider mirrors over https only`,
    );
  }
  if (args.deployerIp !== undefined && !isIP(args.deployerIp)) {
    throw new DeployError('USAGE', `'--deployer-ip' (${args.deployerIp}) must be an IP address such as 198.51.100.7`);
  }
  return args;
}

/**
 * What every `cvat-infra` subcommand gets and returns. The CLI (../cli) parses the arguments, lazy-loads the
 * subcommand's module and hands it its options and this context; the subcommand returns data (printed as JSON with
 * `--json`) and the text a person reads. Expected failures are thrown as CliError/DeployError; runMain prints them
 * and maps them onto the one exit-code table (docs/exit-codes.md).
 */
import { join, relative, resolve } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import type { Catalogue, EnvironmentConfig, Issue } from '@cvat-cloud/catalogue';
import type { Confirmer, ExitCode } from '@cvat-cloud/runtime';
import type { InitJobClient } from '../deploy/init-job';
import type { PreflightEndpoints, PreflightRequest } from '../preflight/preflight';
import type { PreflightReport } from '../preflight/run';

/** Where a command reads and writes; injectable so tests run the CLI in-process. */
export interface InfraIo {
  /** Process environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory `--env` names and relative paths are resolved from. */
  readonly cwd: string;
  /** A person can answer a confirmation (stdin and stderr are terminals). */
  readonly stdinIsTTY: boolean;
  /** Data output (the result, or JSON with `--json`). */
  readonly out: (text: string) => void;
  /** Progress, warnings and errors. */
  readonly err: (text: string) => void;
  /** @default a terminal confirmer on stdin */
  readonly confirmer?: Confirmer;
  /** @default real setTimeout sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Client for the init job; @default a ContainerAppsAPIClient with the detected credential. */
  readonly initJobClient?: InitJobClient;
  /** Poll interval of the init job. @default 10000 */
  readonly initJobPollIntervalMs?: number;
  /**
   * Synthesizes an environment (a name or an absolute config path) into `outDir`, for a missing, stale or foreign
   * synth output. @default the infra synth (../commands/synth), in-process
   */
  readonly synth?: (env: string, outDir: string) => Promise<void>;
  /** The preflight `deploy` runs before its first plan. @default `preflight` of src/preflight (ARM calls) */
  readonly preflight?: (request: PreflightRequest) => Promise<PreflightReport>;
  /** Endpoints and credential of preflight (tests). @default - public endpoints, the detected credential */
  readonly preflightEndpoints?: PreflightEndpoints & { readonly credential?: TokenCredential };
}

/** What a subcommand returns. */
export interface CommandResult {
  /** Printed as JSON with `--json`. */
  readonly data: unknown;
  /** Printed on stdout without `--json` (may be empty: progress went to stderr). */
  readonly text: string;
  /** A completed command that found failures returns FAILED. @default EXIT.OK */
  readonly exitCode?: ExitCode;
}

/** An environment loaded for an infra command. */
export interface InfraEnvironment {
  readonly config: EnvironmentConfig;
  readonly catalogue: Catalogue;
  /** Where the config came from, for messages (e.g. `environments/dev.yaml`). */
  readonly source: string;
  /** The file, when known (a path, or `environments/<name>.yaml`). */
  readonly file: string;
  /** True when `--env` named a file rather than an environment. */
  readonly isPath: boolean;
  readonly warnings: readonly Issue[];
}

/** True when `ref` is a path to a YAML file rather than an environment name. */
export function isEnvironmentPath(ref: string): boolean {
  return /[/\\]|\.ya?ml$/.test(ref);
}

/**
 * Loads and validates the environment `ref` names and resolves its catalogue through the runtime's one loader
 * (CONFIG, exit 4, listing every field, value and what is allowed). Loaded lazily: it pulls in the catalogue.
 */
export async function loadInfraEnvironment(ref: string, io: Pick<InfraIo, 'cwd'>, checkCommand?: string): Promise<InfraEnvironment> {
  const [{ loadEnvironment }, { findRepoRoot }] = await Promise.all([import('@cvat-cloud/runtime'), import('@cvat-cloud/catalogue')]);
  const loaded = loadEnvironment(ref, { cwd: io.cwd, ...(checkCommand ? { checkCommand } : {}) });
  const isPath = isEnvironmentPath(ref);
  const root = findRepoRoot(io.cwd) ?? io.cwd;
  const file = isPath ? resolve(io.cwd, ref) : join(root, 'environments', `${ref}.yaml`);
  const source = isPath ? ref : relative(io.cwd, file);
  return { config: loaded.config, catalogue: loaded.catalogue, source, file, isPath, warnings: loaded.warnings };
}

/** Writes each warning of a loaded environment as one `warning: …` line on stderr. */
export function printWarnings(env: InfraEnvironment, io: Pick<InfraIo, 'err'>): void {
  for (const w of env.warnings) io.err(`warning: ${w.file ? `${w.file}: ` : ''}${w.message}\n`);
}

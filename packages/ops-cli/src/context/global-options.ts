/**
 * Options every command accepts (declared once on the program in `src/cli.ts`, read with `optsWithGlobals()`).
 * Every `<Command>Options` interface extends this.
 */
export interface GlobalOptions {
  /** Environment name (`environments/<name>.yaml`) or path to an environment file. From `--env`, `CVAT_ENV` or the deprecated `CVAT_OPS_ENV`. */
  env?: string;
  /**
   * Azure subscription id; overrides the environment file and `ARM_SUBSCRIPTION_ID` / `AZURE_SUBSCRIPTION_ID` (runtime
   * resolveSubscriptionId). From `--subscription`.
   */
  subscription?: string;
  /** Resource group; overrides the name derived from the environment. */
  resourceGroup?: string;
  /** Print machine-readable JSON on stdout instead of tables. */
  json: boolean;
  /** Answer yes to confirmations (required for destructive commands in a non-interactive shell). */
  yes: boolean;
  /** Show what would change and change nothing. */
  dryRun: boolean;
}

/**
 * Read commands (status, drift, db check, storage rules) also write their JSON result to a file (house style rule 16),
 * whatever stdout shows (the table, or JSON with `--json`). From `--output <file>` or `CVAT_OPS_OUTPUT`.
 */
export interface OutputFileOptions {
  /** File (relative to the working directory) to write the JSON result to. @default - no file */
  output?: string;
  /** `--overwrite`: the output file may replace an existing file (checked before the run). @default false */
  overwrite?: boolean;
}

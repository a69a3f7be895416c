/**
 * Values only known after deploy (server FQDNs, ids) read from Terraform outputs, without importing infra:
 * either a JSON file written by `terraform output -json` (path in `CVAT_OPS_TF_OUTPUTS`), or `terraform output -json`
 * run in a stack directory when a terraform binary is on the PATH. Everything here is optional: callers fall back to
 * names derived by the catalogue.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { EXIT, CliError, describeError, terraformBinary } from '@cvat-cloud/runtime';

/** Output name → value (sensitive outputs included as terraform prints them). */
export type TerraformOutputs = Record<string, unknown>;

/**
 * Parses `terraform output -json` (`{ name: { value, type, sensitive } }`) or a state file
 * (`{ version: 4, outputs: { name: { value, type } } }`) into name → value. Throws CliError CONFIG naming
 * `source` when the JSON has neither shape.
 */
export function parseTerraformOutputs(text: string, source: string): TerraformOutputs {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      EXIT.CONFIG,
      `${source} is not JSON (${describeError(error)}); write it with 'terraform output -json > ${source}'.`,
      {
        cause: error,
      },
    );
  }
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(parsed)) throw new CliError(EXIT.CONFIG, `${source} must hold a JSON object of terraform outputs.`);
  const outputs = isObject(parsed.outputs) && typeof parsed.version === 'number' ? parsed.outputs : parsed;
  const result: TerraformOutputs = {};
  for (const [name, entry] of Object.entries(outputs)) {
    if (!isObject(entry) || !('value' in entry)) {
      throw new CliError(EXIT.CONFIG, `${source}: output '${name}' has no 'value'; expected the format of 'terraform output -json'.`);
    }
    result[name] = entry.value;
  }
  return result;
}

/** Runs a program and returns stdout; injectable in tests. */
export type ExecRunner = (file: string, args: string[], options: { cwd: string; timeoutMs: number }) => Promise<string>;

const execRunner: ExecRunner = (file, args, options) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { cwd: options.cwd, timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stderr: String(stderr) }));
      else resolve(String(stdout));
    });
  });

/** Where to read outputs from. */
export interface TerraformOutputsOptions {
  /** `CVAT_OPS_TF_OUTPUTS` and `TF_BINARY` (or the deprecated `TERRAFORM_BINARY_NAME`) are read from here. */
  env: Readonly<Record<string, string | undefined>>;
  /** Receives the deprecation warning for an old binary variable. @default - not printed */
  warn?: (message: string) => void;
  /** Stack directory to run `terraform output -json` in (e.g. packages/infra/cdktf.out/stacks/foundation). */
  stackDir?: string;
  run?: ExecRunner;
}

/**
 * Reads outputs from `CVAT_OPS_TF_OUTPUTS` (a file), else from `terraform output -json` in `stackDir`.
 * Returns `undefined` when neither is available (no file, no stack dir, no terraform binary) so callers can fall back.
 */
export async function readTerraformOutputs(options: TerraformOutputsOptions): Promise<TerraformOutputs | undefined> {
  const file = options.env.CVAT_OPS_TF_OUTPUTS;
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new CliError(EXIT.NOT_FOUND, `CVAT_OPS_TF_OUTPUTS points at '${file}', which cannot be read (${describeError(error)}).`, {
        cause: error,
      });
    }
    return parseTerraformOutputs(text, file);
  }
  if (!options.stackDir) return undefined;
  const { binary } = terraformBinary({ env: options.env, ...(options.warn ? { warn: options.warn } : {}) });
  try {
    const stdout = await (options.run ?? execRunner)(binary, ['output', '-json', '-no-color'], {
      cwd: options.stackDir,
      timeoutMs: 30_000,
    });
    return parseTerraformOutputs(stdout, `'${binary} output -json' in ${options.stackDir}`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    // No binary, no state, not initialised: outputs are optional, the caller falls back to derived names.
    return undefined;
  }
}

/** First output whose name matches `pattern` and whose value is a non-empty string. */
export function findOutput(outputs: TerraformOutputs | undefined, pattern: RegExp): { name: string; value: string } | undefined {
  if (!outputs) return undefined;
  for (const [name, value] of Object.entries(outputs)) {
    if (pattern.test(name) && typeof value === 'string' && value) return { name, value };
  }
  return undefined;
}

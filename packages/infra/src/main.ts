#!/usr/bin/env node
/**
 * `node dist/main.js [--env <name|path>] [--out <dir>] [--json]`: synthesizes the stacks of one
 * environment into `packages/infra/cdktf.out` and prints a summary. Offline: no Azure credentials,
 * no cdktf-cli, no terraform.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { formatIssues, loadEnvironmentConfig, resolveCatalogue } from '@cvat-cloud/catalogue';
import { buildApp, DEFAULT_OUTDIR, REPO_ROOT } from './app';
import { ValidationError } from './constructs/validation-error';
import { loadSynthesizedApp } from './policy/model';
import { formatSummary, summarize, type SynthSummary } from './summary';

/** Where synth writes text. */
export interface SynthIo {
  /** Normal output. */
  readonly stdout: (text: string) => void;
  /** Errors. */
  readonly stderr: (text: string) => void;
}

/** Parsed command line of the synth command. */
export interface SynthOptions {
  /** Environment name or YAML path. @default 'example' */
  readonly env: string;
  /** Output directory. @default packages/infra/cdktf.out */
  readonly outdir: string;
  /** Print the summary as JSON. @default false */
  readonly json: boolean;
  /** Directory to resolve the environment from. @default the repository root */
  readonly cwd: string;
}

/** Exit codes of the synth command. */
export const SYNTH_EXIT = { OK: 0, CONFIG: 1, USAGE: 2, VALIDATION: 3 } as const;

const USAGE = `Usage: node dist/main.js [--env <name|path>] [--out <dir>] [--json]

Synthesizes the foundation, apps and edge stacks of one environment (environments/<name>.yaml)
into cdktf.out and prints the stacks in order, resource counts by type and the component table.

Options:
  --env <name|path>  environment name or YAML file (default: example)
  --out <dir>        output directory (default: packages/infra/cdktf.out)
  --json             print the summary as JSON
  -h, --help         show this help

Exit codes: 0 ok, 1 invalid environment or catalogue, 2 usage, 3 a construct rejected a value.`;

/** Parses argv (without node and script); returns options or a usage error text. */
export function parseSynthArgs(argv: readonly string[]): SynthOptions | { help: true } | { error: string } {
  let env = 'example';
  let outdir = DEFAULT_OUTDIR;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`'${arg}' needs a value`);
      return v;
    };
    try {
      if (arg === '-h' || arg === '--help') return { help: true };
      else if (arg === '--env') env = value();
      else if (arg.startsWith('--env=')) env = arg.slice(6);
      else if (arg === '--out') outdir = resolve(value());
      else if (arg.startsWith('--out=')) outdir = resolve(arg.slice(6));
      else if (arg === '--json') json = true;
      else return { error: `unknown argument '${arg}'` };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }
  return { env, outdir, json, cwd: REPO_ROOT };
}

/**
 * Runs the synth: loads and validates the environment, resolves the catalogue, builds and
 * synthesizes the app into a staging directory next to the output, and only then replaces the
 * output, so a rejected configuration leaves the previous `cdktf.out` untouched.
 *
 * @returns the exit code and, on success, the summary
 */
export function runSynth(options: SynthOptions, io: SynthIo): { code: number; summary?: SynthSummary } {
  const loaded = loadEnvironmentConfig(options.env, { cwd: options.cwd });
  if (!loaded.value) {
    io.stderr(`environment '${options.env}' is invalid:\n${formatIssues(loaded.errors)}`);
    return { code: SYNTH_EXIT.CONFIG };
  }
  const config = loaded.value;
  const resolved = resolveCatalogue(config);
  if (!resolved.value) {
    io.stderr(`the catalogue for environment '${config.name}' is invalid:\n${formatIssues(resolved.errors)}`);
    return { code: SYNTH_EXIT.CONFIG };
  }
  for (const w of [...loaded.warnings, ...resolved.warnings]) io.stderr(`warning: ${w.message}`);

  const staging = `${options.outdir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(staging), { recursive: true });
  try {
    const { app } = buildApp({ config, catalogue: resolved.value, outdir: staging });
    app.synth();
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    if (e instanceof ValidationError) {
      io.stderr(`synth refused a value: ${e.message}`);
      return { code: SYNTH_EXIT.VALIDATION };
    }
    throw e;
  }
  if (existsSync(options.outdir)) rmSync(options.outdir, { recursive: true, force: true });
  renameSync(staging, options.outdir);

  const summary = summarize(loadSynthesizedApp(options.outdir), resolved.value, config.name, options.outdir);
  io.stdout(options.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
  return { code: SYNTH_EXIT.OK, summary };
}

/** The process edge: parses argv, runs, maps to an exit code. */
export function main(argv: readonly string[] = process.argv.slice(2)): number {
  const io: SynthIo = { stdout: (t) => process.stdout.write(`${t}\n`), stderr: (t) => process.stderr.write(`${t}\n`) };
  const parsed = parseSynthArgs(argv);
  if ('help' in parsed) {
    io.stdout(USAGE);
    return SYNTH_EXIT.OK;
  }
  if ('error' in parsed) {
    io.stderr(`${parsed.error}\n\n${USAGE}`);
    return SYNTH_EXIT.USAGE;
  }
  return runSynth(parsed, io).code;
}

if (require.main === module) {
  process.exitCode = main();
}

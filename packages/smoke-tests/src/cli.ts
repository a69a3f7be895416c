#!/usr/bin/env node
/**
 * `cvat-smoke`: runs the smoke suite against a deployment and prints a per-component table; `--junit` and
 * `--json` write machine reports. `main()` is the testable core (argv, streams and env injected, returns the
 * exit code); the bottom of the file wires it to the process, including Ctrl-C: the first one interrupts the
 * checks and cleans up, a second one stops cleanup too.
 */
import { writeFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/identity';
import { Command, CommanderError } from 'commander';
import { defaultCatalogue } from '@cvat-cloud/catalogue';
import { componentDirectory } from './components';
import { CleanupRegistry } from './cleanup';
import { EXIT, SmokeError, describeError, isSmokeError, type ExitCode } from './errors';
import { CvatClient, formatSeconds } from './http/client';
import { renderJson } from './report/json';
import { renderJunit } from './report/junit';
import { formatDuration, renderCleanup, renderTable } from './report/table';
import { validateRunId } from './run-id';
import { exitCodeFor, plannedChecks, runSuite, type SuiteEvent } from './suite';
import { keyVaultSecretReader } from './key-vault';
import { resolveTarget } from './target';

/** What {@link main} needs from the process. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Interrupts the checks (first Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Interrupts cleanup (second Ctrl-C). */
  readonly cleanupSignal?: AbortSignal;
  /** Azure credential for reading the superuser password from Key Vault with `--env`; @default DefaultAzureCredential. */
  readonly credential?: TokenCredential;
}

/** Parsed options (commander's camelCase names). */
interface CliOptions {
  url?: string;
  username?: string;
  password?: string;
  env?: string;
  only?: string[];
  skip?: string[];
  keep?: boolean;
  analytics?: boolean;
  expectVersion?: string;
  webhookTarget?: string;
  timeoutMultiplier?: number;
  concurrency?: number;
  runId?: string;
  junit?: string;
  json?: string | boolean;
  list?: boolean;
  cleanup?: string;
  yes?: boolean;
  dryRun?: boolean;
  quiet?: boolean;
}

function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

function number(flag: string, min: number, max: number, integer: boolean) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
      throw new SmokeError('usage', `'${flag}' (${value}) must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}`);
    }
    return n;
  };
}

/** Builds the commander program (exported for `--help` tests). */
export function buildProgram(): Command {
  return new Command('cvat-smoke')
    .description('Prove a deployed CVAT works, component by component, and leave nothing behind.')
    .option('--url <url>', 'public base URL of the deployment (the edge) [env: CVAT_URL]')
    .option('--username <name>', 'superuser username [env: CVAT_USERNAME]')
    .option('--password <password>', 'superuser password; prefer the env var, flags show in the process list [env: CVAT_PASSWORD]; with --env and neither, read from the Key Vault')
    .option('--env <name>', "environment name or YAML path: the edge hostname, catalogue, analytics switch and (without CVAT_PASSWORD) the superuser password from the environment's Key Vault")
    .option('--only <checks>', 'comma-separated check ids, id prefixes or component names to run (with their dependencies)', list)
    .option('--skip <checks>', 'comma-separated check ids, id prefixes or component names to leave out', list)
    .option('--keep', 'leave everything the run created in place (for debugging); the report lists it')
    .option('--no-analytics', 'analytics (vector, ClickHouse) is not deployed: skip analytics.events')
    .option('--expect-version <version>', "CVAT version the server must report (default: the catalogue's cvatVersion)")
    .option('--webhook-target <url>', 'URL webhook deliveries are sent to (default: <url>/api/server/about)')
    .option('--timeout-multiplier <factor>', 'multiply every check timeout (slow or cold deployments)', number('--timeout-multiplier', 0.01, 100, false))
    .option('--concurrency <n>', 'maximum checks running at once (default: no limit)', number('--concurrency', 1, 1000, true))
    .option('--run-id <id>', 'run id carried by every created name (default: generated)')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--json [file]', 'write the JSON report to <file>, or to stdout (the table then goes to stderr)')
    .option('--list', 'print the checks, their components, dependencies and timeouts, and exit (contacts nothing)')
    .option('--cleanup <run-id>', 'delete what an earlier (interrupted) run left behind, found by its run id; needs --yes or --dry-run')
    .option('--yes', 'confirm --cleanup')
    .option('--dry-run', 'with --cleanup: list what would be deleted, delete nothing')
    .option('--quiet', 'no progress lines on stderr')
    .addHelpText(
      'after',
      `
Examples:
  CVAT_URL=https://cvat.example.org CVAT_USERNAME=admin CVAT_PASSWORD=… cvat-smoke
  cvat-smoke --env dev --junit smoke.xml          # password from dev's Key Vault (az login first)
  cvat-smoke --url https://cvat.example.org --username admin --only export,cvat-worker-chunks
  cvat-smoke --url https://cvat.example.org --username admin --cleanup 20260101-120000-ab12 --dry-run

Exit codes: 0 all passed, 1 a check failed or was blocked, 2 usage (e.g. no target), 3 cleanup incomplete,
4 configuration, 70 internal error, 130 interrupted.`,
    )
    .exitOverride()
    .showHelpAfterError(false)
    .allowExcessArguments(false);
}

function exitCodeOf(error: unknown): ExitCode {
  if (isSmokeError(error, 'usage')) return EXIT.USAGE;
  if (isSmokeError(error, 'config')) return EXIT.CONFIG;
  if (isSmokeError(error, 'aborted')) return EXIT.INTERRUPTED;
  if (isSmokeError(error)) return EXIT.FAILED;
  return EXIT.INTERNAL;
}

function progress(io: CliIo, quiet: boolean): (event: SuiteEvent) => void {
  const start = performance.now();
  const stamp = (): string => `[${((performance.now() - start) / 1000).toFixed(1).padStart(6)} s]`;
  return (event) => {
    if (quiet) return;
    if (event.type === 'start') io.stderr.write(`${stamp()} start   ${event.check.id}\n`);
    else if (event.type === 'end') {
      const r = event.result;
      io.stderr.write(`${stamp()} ${r.status.padEnd(7)} ${r.id}${r.startedAtMs >= 0 ? ` (${formatDuration(r.durationMs)})` : ''}${r.status === 'pass' ? '' : `: ${r.reason ?? ''}`}\n`);
    } else if (event.type === 'cleanup-start') io.stderr.write(`${stamp()} cleanup: ${event.registered} object(s) registered, searching for more by run id\n`);
  };
}

/** Runs the CLI; returns the exit code (never throws). */
export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const program = buildProgram().configureOutput({
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
    outputError: (text, write) => write(text),
  });
  let options: CliOptions;
  try {
    program.parse([...argv], { from: 'user' });
    options = program.opts<CliOptions>();
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE;
    }
    io.stderr.write(`cvat-smoke: ${describeError(error)}\n`);
    return exitCodeOf(error);
  }

  try {
    if (options.list) return listChecks(io, options);
    if (options.runId !== undefined) validateRunId(options.runId);
    if (options.dryRun && options.cleanup === undefined) throw new SmokeError('usage', "'--dry-run' only applies to --cleanup <run-id>: a smoke run creates and deletes its own objects");
    const resolved = await resolveTarget({ url: options.url, username: options.username, password: options.password, env: options.env }, io.env, io.cwd, {
      readSecret: keyVaultSecretReader({ env: io.env, credential: io.credential }),
      signal: io.signal,
    });
    if (options.cleanup !== undefined) return await cleanupCommand(io, options, resolved.target);

    const jsonToStdout = options.json === true;
    const out = jsonToStdout ? io.stderr : io.stdout;
    if (!options.quiet) io.stderr.write(`cvat-smoke: target ${resolved.target.baseUrl} (from ${resolved.source}), superuser ${resolved.target.username} (password from ${resolved.passwordSource})\n`);
    const result = await runSuite({
      target: resolved.target,
      runId: options.runId,
      keep: options.keep,
      only: options.only,
      skip: options.skip,
      analytics: options.analytics === false ? false : resolved.analytics ?? true,
      expectedVersion: options.expectVersion,
      catalogue: resolved.catalogue,
      webhookTargetUrl: options.webhookTarget,
      timeoutMultiplier: options.timeoutMultiplier,
      concurrency: options.concurrency,
      signal: io.signal,
      cleanupSignal: io.cleanupSignal,
      onEvent: progress(io, options.quiet === true),
    });
    out.write(renderTable(result));
    if (options.junit) writeFileSync(options.junit, renderJunit(result));
    if (typeof options.json === 'string') writeFileSync(options.json, renderJson(result));
    if (jsonToStdout) io.stdout.write(renderJson(result));
    return exitCodeFor(result);
  } catch (error) {
    io.stderr.write(`cvat-smoke: ${describeError(error)}\n`);
    return exitCodeOf(error);
  }
}

function listChecks(io: CliIo, options: CliOptions): ExitCode {
  const checks = plannedChecks({ only: options.only, skip: options.skip });
  const multiplier = options.timeoutMultiplier ?? 1;
  const directory = componentDirectory(defaultCatalogue());
  const rows = checks.map((c) => [c.id, directory.names(c.components).join(', '), formatSeconds(c.timeoutMs * multiplier), c.dependsOn.join(', ') || '-']);
  const header = ['CHECK', 'COMPONENTS', 'TIMEOUT', 'NEEDS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) io.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()}\n`);
  return EXIT.OK;
}

async function cleanupCommand(io: CliIo, options: CliOptions, target: { baseUrl: string; username: string; password: string }): Promise<ExitCode> {
  const runId = validateRunId(options.cleanup as string, '--cleanup');
  if (!options.yes && !options.dryRun) {
    throw new SmokeError('usage', `'--cleanup ${runId}' deletes every task, project, webhook and user whose name contains the run id; add --yes to confirm or --dry-run to list them`);
  }
  const client = new CvatClient({ baseUrl: target.baseUrl });
  try {
    const report = await new CleanupRegistry().run({
      client,
      admin: { kind: 'basic', username: target.username, password: target.password },
      runId,
      dryRun: options.dryRun,
      signal: io.signal,
    });
    if (options.dryRun) {
      io.stdout.write(report.kept.length === 0 ? `Nothing carries run id ${runId}.\n` : `Would delete ${report.kept.length} object(s):\n${report.kept.map((r) => `  ${r.kind} ${r.id} (${r.name})\n`).join('')}`);
      if (report.searchError) io.stderr.write(`the search failed: ${report.searchError}\n`);
      return report.searchError ? EXIT.CLEANUP_INCOMPLETE : EXIT.OK;
    }
    io.stdout.write(`${renderCleanup(report).join('\n')}\n`);
    return report.failed.length > 0 || report.searchError ? EXIT.CLEANUP_INCOMPLETE : EXIT.OK;
  } finally {
    await client.close();
  }
}

/* c8 ignore start -- process wiring, exercised by the CLI end-to-end test */
/** Runs the smoke suite as the current process: signals, argv, exit code. Used by bin/cvat-smoke.js. */
export function runProcess(): void {
  const run = new AbortController();
  const cleanup = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write('\ncvat-smoke: interrupted; stopping checks and cleaning up (Ctrl-C again to stop cleanup)\n');
      run.abort();
    } else {
      process.stderr.write('\ncvat-smoke: cleanup interrupted; rerun with --cleanup <run-id> --yes to finish it\n');
      cleanup.abort();
    }
  };
  // SIGTERM (a cancelled CI job) is treated like Ctrl-C: stop the checks, clean up.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: run.signal, cleanupSignal: cleanup.signal }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`cvat-smoke: internal error: ${describeError(error)}\n`);
      process.exitCode = EXIT.INTERNAL;
    },
  );
}
/* c8 ignore stop */

if (require.main === module) runProcess();

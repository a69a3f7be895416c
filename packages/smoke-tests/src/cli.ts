#!/usr/bin/env node
/**
 * `cvat-smoke`: runs the smoke suite against a deployment and prints a per-component table; `--junit` and
 * `--json` write machine reports. `main()` is the testable core (argv, streams and env injected, returns the
 * exit code); it runs through `@cvat-cloud/runtime`'s `runMain`, so errors print once and exit with the codes of
 * the one table (docs/exit-codes.md). The bottom of the file wires it to the process, including Ctrl-C: the first
 * one interrupts the checks and cleans up, a second one stops cleanup too.
 *
 * Nothing it prints or writes carries a password: every stream and report goes through a {@link Redactor}.
 */
import type { TokenCredential } from '@azure/identity';
import { Command, CommanderError } from 'commander';
import { keyVaultSecretReader } from '@cvat-cloud/runtime';
import { CliError, EXIT, environmentRef, exitCodesHelp, runMain, type ExitCode } from '@cvat-cloud/runtime/edge';
import { defaultCatalogue } from '@cvat-cloud/catalogue';
import { componentDirectory } from './components';
import { CleanupRegistry } from './cleanup';
import { SmokeError } from './errors';
import { CvatClient, formatSeconds } from './http/client';
import { probeTarget } from './probe';
import { Redactor, secretsIn, type TextSink } from './redact';
import { checkReportPath, writeReportFile } from './report/file';
import { renderJson } from './report/json';
import { renderJunit } from './report/junit';
import { formatDuration, renderCleanup, renderTable } from './report/table';
import { validateRunId } from './run-id';
import { exitCodeFor, plannedChecks, runSuite, type SuiteEvent } from './suite';
import { KEY_VAULT_ALTERNATIVE, resolveTarget } from './target';

/** The tool name in messages. */
export const TOOL = 'cvat-smoke';

/** What {@link main} needs from the process. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Interrupts the checks (first Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Interrupts cleanup (second Ctrl-C). */
  readonly cleanupSignal?: AbortSignal;
  /** Azure credential for reading the superuser password from Key Vault with `--env`; @default the runtime's credential chain. */
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

function list(flag: string) {
  return (value: string, previous: string[] = []): string[] => {
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length === 0) {
      throw new CliError(
        EXIT.USAGE,
        `'${flag}' (${JSON.stringify(value)}) is empty; give comma-separated check ids or component names (see --list)`,
      );
    }
    return [...previous, ...items];
  };
}

function number(flag: string, min: number, max: number, integer: boolean) {
  return (value: string): number => {
    const n = Number(value);
    const decimal = integer ? /^\+?\d+$/ : /^\+?(\d+\.?\d*|\.\d+)$/;
    if (!decimal.test(value.trim()) || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
      throw new CliError(EXIT.USAGE, `'${flag}' (${value}) must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}`);
    }
    return n;
  };
}

/** The codes `cvat-smoke` returns besides 0, 2, 70 and 130. */
const EXIT_CODES: readonly ExitCode[] = [EXIT.FAILED, EXIT.CONFIG, EXIT.AUTH, EXIT.NOT_FOUND, EXIT.UNAVAILABLE, EXIT.INCOMPLETE];

/** Builds the commander program (exported for `--help` tests). */
export function buildProgram(): Command {
  return new Command('cvat-smoke')
    .description('Prove a deployed CVAT works, component by component, and leave nothing behind.')
    .option('--url <url>', 'public base URL of the deployment (the edge) [env: CVAT_URL]')
    .option('--username <name>', 'superuser username [env: CVAT_USERNAME]')
    .option(
      '--password <password>',
      'superuser password; prefer CVAT_PASSWORD: flags show in the process list [env: CVAT_PASSWORD]; with --env and neither, read from the Key Vault',
    )
    .option(
      '--env <name>',
      'environment name or YAML path: the edge hostname, catalogue, analytics switch and (without CVAT_PASSWORD) the superuser password from the ' +
        "environment's Key Vault [env: CVAT_ENV]",
    )
    .option('--only <checks>', 'comma-separated check ids, id prefixes or component names to run (with their dependencies)', list('--only'))
    .option('--skip <checks>', 'comma-separated check ids, id prefixes or component names to leave out', list('--skip'))
    .option('--keep', 'leave everything the run created in place (for debugging); the report lists it')
    .option('--no-analytics', 'analytics (vector, ClickHouse) is not deployed: skip analytics.events')
    .option('--expect-version <version>', "CVAT version the server must report (default: the catalogue's cvatVersion)")
    .option('--webhook-target <url>', 'URL webhook deliveries are sent to (default: <url>/api/server/about)')
    .option(
      '--timeout-multiplier <factor>',
      'multiply every check timeout (slow or cold deployments)',
      number('--timeout-multiplier', 0.01, 100, false),
    )
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
  cvat-smoke --url https://cvat.example.org --username admin --only export,chunks
  cvat-smoke --url https://cvat.example.org --username admin --cleanup 20260101-120000-ab12 --dry-run

${exitCodesHelp(EXIT_CODES)}`,
    )
    .exitOverride()
    .showHelpAfterError(false)
    .allowExcessArguments(false);
}

function progress(io: CliIo, quiet: boolean): (event: SuiteEvent) => void {
  const start = performance.now();
  const stamp = (): string => `[${((performance.now() - start) / 1000).toFixed(1).padStart(6)} s]`;
  return (event) => {
    if (quiet) return;
    if (event.type === 'start') io.stderr.write(`${stamp()} start   ${event.check.id}\n`);
    else if (event.type === 'end') {
      const r = event.result;
      const took = r.startedAtMs >= 0 ? ` (${formatDuration(r.durationMs)})` : '';
      io.stderr.write(`${stamp()} ${r.status.padEnd(7)} ${r.id}${took}${r.status === 'pass' ? '' : `: ${r.reason ?? ''}`}\n`);
    } else if (event.type === 'cleanup-start') {
      io.stderr.write(`${stamp()} cleanup: ${event.registered} object(s) registered, searching for more by run id\n`);
    }
  };
}

/**
 * Whether `--json` sends the report (and errors) to stdout: `--json` with no file after it. Commander gives an
 * optional value to `--json` when the next argument does not start with `-`.
 */
export function jsonToStdout(argv: readonly string[]): boolean {
  const i = argv.indexOf('--json');
  return i >= 0 && (i + 1 >= argv.length || argv[i + 1]!.startsWith('-'));
}

/** Runs the CLI; returns the exit code (never throws). */
export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const redactor = new Redactor().add(...secretsIn(argv, io.env));
  const safe: CliIo = { ...io, stdout: redactor.wrap(io.stdout), stderr: redactor.wrap(io.stderr) };
  const code = await runMain(() => run(argv, safe, redactor), {
    tool: TOOL,
    argv,
    stdout: safe.stdout as NodeJS.WritableStream,
    stderr: safe.stderr as NodeJS.WritableStream,
    env: io.env,
    json: jsonToStdout(argv),
    handleSignals: false,
    ...(io.signal ? { signal: io.signal } : {}),
  });
  return code as ExitCode;
}

function parse(argv: readonly string[], io: CliIo): CliOptions | undefined {
  const program = buildProgram().configureOutput({
    writeOut: (text) => io.stdout.write(text),
    // Errors are printed once, by runMain, from the CliError below.
    writeErr: () => undefined,
    outputError: () => undefined,
  });
  try {
    program.parse([...argv], { from: 'user' });
    return program.opts<CliOptions>();
  } catch (error) {
    if (error instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)) return undefined;
      const message = error.message
        .replace(/^error: /, '')
        .replace(/\s*\n\s*/g, ' ')
        .trim()
        .replace(/\.$/, '');
      throw new CliError(EXIT.USAGE, `${message}; see ${TOOL} --help`, { cause: error });
    }
    throw error;
  }
}

async function run(argv: readonly string[], io: CliIo, redactor: Redactor): Promise<ExitCode> {
  const options = parse(argv, io);
  if (options === undefined) return EXIT.OK;
  if (options.password !== undefined) {
    io.stderr.write(
      `${TOOL}: warning: --password is visible to other users in the process list, and stays in your shell history and ` +
        "in the '> nx run …' line Nx prints; " +
        'set CVAT_PASSWORD instead, or use --env <name> to read it from Key Vault\n',
    );
  }
  if (options.list) return listChecks(io, options);
  if (options.runId !== undefined) validateRunId(options.runId);
  if (options.dryRun && options.cleanup === undefined) {
    throw new SmokeError('usage', "'--dry-run' only applies to --cleanup <run-id>: a smoke run creates and deletes its own objects");
  }
  // Report paths first: a path that cannot be written fails now, not after the run.
  const junit = options.junit === undefined ? undefined : checkReportPath('--junit', options.junit, io.cwd);
  const jsonFile = typeof options.json === 'string' ? checkReportPath('--json', options.json, io.cwd) : undefined;
  if (junit !== undefined && junit === jsonFile) {
    throw new CliError(EXIT.USAGE, `'--junit' and '--json' name the same file (${options.junit}); give two paths`);
  }
  if (options.webhookTarget !== undefined) checkWebhookTarget(options.webhookTarget);
  if (options.expectVersion !== undefined && !/^v?\d+\.\d+(\.\d+)?([-.+][0-9A-Za-z.-]+)?$/.test(options.expectVersion.trim())) {
    throw new CliError(EXIT.USAGE, `'--expect-version' (${JSON.stringify(options.expectVersion)}) must be a version such as 2.73.0`);
  }

  const credential = io.credential;
  // --env, else CVAT_ENV (else the deprecated CVAT_OPS_ENV, with a warning), as cvat-infra and cvat-ops read it.
  const env = environmentRef({
    ...(options.env ? { flag: options.env } : {}),
    env: io.env,
    warn: (m) => io.stderr.write(`${TOOL}: ${m}\n`),
  })?.ref;
  const flags = { url: options.url, username: options.username, password: options.password, env };
  const resolved = await resolveTarget(flags, io.env, io.cwd, {
    readSecret: keyVaultSecretReader({
      env: io.env,
      alternative: KEY_VAULT_ALTERNATIVE,
      userAgent: TOOL,
      ...(credential ? { credential: async () => credential } : {}),
    }),
    signal: io.signal,
  });
  redactor.add(resolved.target.password);
  if (resolved.credentialsInUrl && resolved.source === '--url') {
    io.stderr.write(
      `${TOOL}: warning: the user name and password in --url are visible in the process list and your shell history; ` +
        'they were taken out of the URL (never sent or printed with it); set CVAT_USERNAME and CVAT_PASSWORD instead\n',
    );
  }
  // Selectors name checks and components of the target's catalogue: refuse a bad one before contacting anything.
  if (options.cleanup === undefined) plannedChecks({ only: options.only, skip: options.skip, catalogue: resolved.catalogue });
  else validateRunId(options.cleanup, '--cleanup');
  if (options.cleanup !== undefined && !options.yes && !options.dryRun) {
    throw new SmokeError(
      'usage',
      `'--cleanup ${options.cleanup}' deletes every task, project, webhook and user whose name contains the run id; ` +
        'add --yes to confirm or --dry-run to list them',
    );
  }
  await probeTarget({ baseUrl: resolved.target.baseUrl, source: resolved.source, signal: io.signal });
  if (options.cleanup !== undefined) return await cleanupCommand(io, options, resolved.target);

  const jsonStdout = options.json === true;
  const out = jsonStdout ? io.stderr : io.stdout;
  if (!options.quiet) {
    io.stderr.write(
      `${TOOL}: target ${resolved.target.baseUrl} (from ${resolved.source}), superuser ${resolved.target.username} ` +
        `(password from ${resolved.passwordSource})\n`,
    );
  }
  const result = await runSuite({
    target: resolved.target,
    runId: options.runId,
    keep: options.keep,
    only: options.only,
    skip: options.skip,
    analytics: options.analytics === false ? false : (resolved.analytics ?? true),
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
  if (junit !== undefined) writeReportFile('--junit', junit, redactor.redact(renderJunit(result)));
  if (jsonFile !== undefined) writeReportFile('--json', jsonFile, redactor.redact(renderJson(result)));
  if (jsonStdout) io.stdout.write(renderJson(result));
  return exitCodeFor(result);
}

/** `--webhook-target` must be an absolute http(s) URL: CVAT posts deliveries there. */
function checkWebhookTarget(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new CliError(
      EXIT.USAGE,
      `'--webhook-target' (${JSON.stringify(url)}) must be an absolute http or https URL, e.g. https://hooks.example.org/cvat`,
    );
  }
}

function listChecks(io: CliIo, options: CliOptions): ExitCode {
  const checks = plannedChecks({ only: options.only, skip: options.skip });
  const multiplier = options.timeoutMultiplier ?? 1;
  const directory = componentDirectory(defaultCatalogue());
  const rows = checks.map((c) => [
    c.id,
    directory.names(c.components).join(', '),
    formatSeconds(c.timeoutMs * multiplier),
    c.dependsOn.join(', ') || '-',
  ]);
  const header = ['CHECK', 'COMPONENTS', 'TIMEOUT', 'NEEDS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows])
    io.stdout.write(
      `${row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd()}\n`,
    );
  return EXIT.OK;
}

async function cleanupCommand(
  io: CliIo,
  options: CliOptions,
  target: { baseUrl: string; username: string; password: string },
): Promise<ExitCode> {
  const runId = validateRunId(options.cleanup as string, '--cleanup');
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
      const listing = report.kept.map((r) => `  ${r.kind} ${r.id} (${r.name})\n`).join('');
      io.stdout.write(
        report.kept.length === 0 ? `Nothing carries run id ${runId}.\n` : `Would delete ${report.kept.length} object(s):\n${listing}`,
      );
      if (report.searchError) io.stderr.write(`the search failed: ${report.searchError}\n`);
      return report.searchError ? EXIT.INCOMPLETE : EXIT.OK;
    }
    io.stdout.write(`${renderCleanup(report).join('\n')}\n`);
    return report.failed.length > 0 || report.searchError ? EXIT.INCOMPLETE : EXIT.OK;
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
      process.stderr.write(`\n${TOOL}: interrupted; stopping checks and cleaning up (Ctrl-C again to stop cleanup)\n`);
      run.abort();
    } else {
      process.stderr.write(`\n${TOOL}: cleanup interrupted; rerun with --cleanup <run-id> --yes to finish it\n`);
      cleanup.abort();
    }
  };
  // SIGTERM (a cancelled CI job) is treated like Ctrl-C: stop the checks, clean up. runMain does not listen
  // itself (handleSignals: false): the second Ctrl-C stops cleanup instead of ending the process at once.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: run.signal,
    cleanupSignal: cleanup.signal,
  };
  void main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
/* c8 ignore stop */

if (require.main === module) runProcess();

/**
 * The process edge: the only place that catches everything, prints it once and turns it into an exit code.
 * A command's code throws {@link CliError} (or returns a code); `runMain` does the rest for every tool:
 *
 * - `CliError` → `<tool>: error: <message>` (and `next: <hint>`) on stderr, or with `--json`
 *   `{ "error": { "exitCode", "message", "hint"?, "data"? } }` on stdout; exit `error.exit`. No stack trace.
 * - anything else → `internal error: …` plus the stack on stderr, exit 70.
 * - SIGINT (Ctrl-C) → exit 130: at once (`interrupt: 'exit'`, the default), or (`interrupt: 'abort'`) by aborting
 *   the `AbortSignal` handed to the command so it can clean up, a second Ctrl-C ending the process at once.
 */
import { CliError, InternalError, describeError } from './errors';
import { EXIT, type ExitCode } from './exit';

/** Where errors are printed. */
export interface ErrorOutput {
  /** Tool name used as the prefix: `cvat-ops: error: …`. */
  readonly tool: string;
  /** Print errors as JSON on stdout (`--json`). */
  readonly json: boolean;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Also print the cause chain of a `CliError` (`CVAT_DEBUG=1`). @default false */
  readonly debug?: boolean;
}

/** JSON shape of an error with `--json`. */
export interface ErrorJson {
  error: { exitCode: number; message: string; hint?: string; data?: unknown };
}

function writeJson(stream: NodeJS.WritableStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}

/**
 * Prints `error` the one way every tool prints errors and returns its exit code. Never throws.
 */
export function reportError(error: unknown, out: ErrorOutput): ExitCode {
  if (error instanceof CliError) {
    if (out.json) {
      const body: ErrorJson['error'] = { exitCode: error.exit, message: error.message };
      if (error.hint !== undefined) body.hint = error.hint;
      if (error.data !== undefined && !error.printed) body.data = error.data;
      writeJson(out.stdout, { error: body });
    } else if (!error.printed) {
      out.stderr.write(`${out.tool}: error: ${error.message}\n`);
      if (error.hint) out.stderr.write(`next: ${error.hint}\n`);
    }
    if (!out.json && out.debug) {
      for (let c: unknown = error.cause, depth = 0; c !== undefined && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
        out.stderr.write(`cause: ${describeError(c)}\n`);
        if (!(c instanceof Error)) break;
      }
    }
    return error.exit;
  }
  const internal = error instanceof InternalError ? error : new InternalError(describeError(error), { cause: error });
  const message = `internal error: ${internal.message}. This is a bug in ${out.tool}; please report it with the command you ran.`;
  if (out.json) writeJson(out.stdout, { error: { exitCode: EXIT.INTERNAL, message } });
  else out.stderr.write(`${out.tool}: error: ${message}\n`);
  const stack = (internal.cause instanceof Error ? internal.cause : internal).stack;
  if (stack) out.stderr.write(`${stack}\n`);
  return EXIT.INTERNAL;
}

/** What a tool's main function gets. */
export interface MainContext {
  /** User arguments (without node and the script). */
  readonly argv: readonly string[];
  /** Aborted on the first Ctrl-C: stop, clean up, and return (or throw). */
  readonly signal: AbortSignal;
}

/** Options of {@link runMain}. */
export interface RunMainOptions {
  /** Tool name for messages, e.g. `cvat-ops`. */
  readonly tool: string;
  /** @default process.argv.slice(2) */
  readonly argv?: readonly string[];
  /** @default process.stdout / process.stderr */
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Print errors as JSON. @default argv includes `--json` */
  readonly json?: boolean;
  /**
   * Listen for SIGINT on the process (first: abort the signal; second: exit 130 at once). Tests that call
   * {@link runMain} in-process pass false. @default true
   */
  readonly handleSignals?: boolean;
  /**
   * What the first Ctrl-C does: `exit` ends the process with 130 at once; `abort` aborts the command's signal and
   * lets it clean up (the run still exits 130), a second Ctrl-C exits at once. @default 'exit'
   */
  readonly interrupt?: 'exit' | 'abort';
  /** The signal to hand to the command instead of a fresh one (tests). */
  readonly signal?: AbortSignal;
}

/**
 * Runs a tool's main function and returns its exit code; never throws. `main` returns an exit code (a command
 * that completed but found failures returns {@link EXIT.FAILED}) or throws. A run aborted by Ctrl-C exits 130
 * whatever it threw.
 */
export async function runMain(main: (context: MainContext) => Promise<number | void>, options: RunMainOptions): Promise<number> {
  const argv = options.argv ?? process.argv.slice(2);
  const env = options.env ?? process.env;
  const out: ErrorOutput = {
    tool: options.tool,
    json: options.json ?? argv.includes('--json'),
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    debug: Boolean(env.CVAT_DEBUG || env.CVAT_OPS_DEBUG),
  };
  const controller = new AbortController();
  const signal = options.signal ?? controller.signal;
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1 && options.interrupt === 'abort') {
      out.stderr.write(`\n${options.tool}: interrupted; stopping (Ctrl-C again to quit at once)\n`);
      controller.abort(new CliError(EXIT.INTERRUPTED, 'interrupted'));
    } else {
      if (interrupts === 1) out.stderr.write(`\n${options.tool}: interrupted\n`);
      process.exit(EXIT.INTERRUPTED);
    }
  };
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) process.on('SIGINT', onSigint);
  try {
    const code = (await main({ argv, signal })) ?? EXIT.OK;
    return signal.aborted ? EXIT.INTERRUPTED : code;
  } catch (error) {
    if (signal.aborted && !(error instanceof CliError && error.exit !== EXIT.INTERRUPTED)) {
      if (!out.json) out.stderr.write(`${options.tool}: interrupted\n`);
      return EXIT.INTERRUPTED;
    }
    return reportError(error, out);
  } finally {
    if (handleSignals) process.removeListener('SIGINT', onSigint);
  }
}

/**
 * Runs `main` as the current process (bin launchers): {@link runMain} with process streams and signals, then sets
 * `process.exitCode` (never `process.exit`, so pending output is flushed).
 */
export function runProcess(
  main: (context: MainContext) => Promise<number | void>,
  options: Pick<RunMainOptions, 'tool'> & Partial<RunMainOptions>,
): void {
  void runMain(main, options).then((code) => {
    process.exitCode = code;
  });
}

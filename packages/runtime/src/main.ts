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
import { CliError, InternalError, describeError, systemCliError } from './errors';
import { EXIT, type ExitCode } from './exit';
import { redactSecrets, rememberedSecrets, secretValuesFromEnv } from './redact';

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
  /**
   * Secret values to replace by `***` in everything printed (URL credentials and secret parameters are always
   * redacted, see redactSecrets). runMain passes the secret variables of the environment. @default []
   */
  readonly secrets?: readonly string[];
}

/** JSON shape of an error with `--json`. */
export interface ErrorJson {
  error: { exitCode: number; message: string; hint?: string; data?: unknown };
}

function writeJson(stream: NodeJS.WritableStream, value: unknown, secrets: readonly string[]): void {
  const replacer = (_k: string, v: unknown): unknown =>
    typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? redactSecrets(v, secrets) : v;
  const text = JSON.stringify(value, replacer, 2);
  stream.write(`${text}\n`);
}

/**
 * Prints `error` the one way every tool prints errors and returns its exit code. Never throws. Everything printed
 * goes through redactSecrets (URL credentials, secret parameters, `out.secrets`). A Node system-call failure that
 * escaped a command (permissions, space, a missing path, the network) is reported like a CliError
 * ({@link systemCliError}); only anything else is a bug (exit 70, with the stack).
 */
export function reportError(error: unknown, out: ErrorOutput): ExitCode {
  const secrets = [...(out.secrets ?? []), ...rememberedSecrets()];
  const clean = (text: string): string => redactSecrets(text, secrets);
  const expected = error instanceof CliError ? error : systemCliError(error);
  if (expected) {
    if (out.json) {
      const body: ErrorJson['error'] = { exitCode: expected.exit, message: expected.message };
      if (expected.hint !== undefined) body.hint = expected.hint;
      if (expected.data !== undefined && !expected.printed) body.data = expected.data;
      writeJson(out.stdout, { error: body }, secrets);
    } else if (!expected.printed) {
      out.stderr.write(clean(`${out.tool}: error: ${expected.message}\n`));
      if (expected.hint) out.stderr.write(clean(`next: ${expected.hint}\n`));
    }
    if (!out.json && out.debug) {
      for (let c: unknown = expected.cause, depth = 0; c !== undefined && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
        out.stderr.write(clean(`cause: ${describeError(c)}\n`));
        if (!(c instanceof Error)) break;
      }
    }
    return expected.exit;
  }
  const internal = error instanceof InternalError ? error : new InternalError(describeError(error), { cause: error });
  const message = `internal error: ${internal.message}. This is a bug in ${out.tool}; please report it with the command you ran.`;
  if (out.json) writeJson(out.stdout, { error: { exitCode: EXIT.INTERNAL, message } }, secrets);
  else out.stderr.write(clean(`${out.tool}: error: ${message}\n`));
  const stack = (internal.cause instanceof Error ? internal.cause : internal).stack;
  if (stack) out.stderr.write(clean(`${stack}\n`));
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
  /**
   * More secret values to keep out of printed errors, besides the secret variables of `env` (secretValuesFromEnv),
   * e.g. a password read from Key Vault. @default []
   */
  readonly secrets?: readonly string[];
}

/**
 * Runs a tool's main function and returns its exit code; never throws. `main` returns an exit code (a command
 * that completed but found failures returns {@link EXIT.FAILED}) or throws. A run aborted by Ctrl-C exits 130
 * whatever it threw.
 */
export async function runMain(main: (context: MainContext) => Promise<number | undefined>, options: RunMainOptions): Promise<number> {
  const argv = options.argv ?? process.argv.slice(2);
  const env = options.env ?? process.env;
  const out: ErrorOutput = {
    tool: options.tool,
    json: options.json ?? argv.includes('--json'),
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    debug: Boolean(env.CVAT_DEBUG || env.CVAT_OPS_DEBUG),
    secrets: [...secretValuesFromEnv(env), ...(options.secrets ?? [])],
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
 * `process.exitCode` (never `process.exit`, so pending output is flushed). A reader that closes the pipe early
 * (EPIPE on stdout or stderr) ends the process quietly with the exit code so far.
 */
export function runProcess(
  main: (context: MainContext) => Promise<number | undefined>,
  options: Pick<RunMainOptions, 'tool'> & Partial<RunMainOptions>,
): void {
  // A closed pipe (`cvat-ops status | head -1`) is the reader's choice, not a bug: stop quietly instead of an
  // unhandled 'error' event with a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.OK);
      throw error;
    });
  }
  void runMain(main, options).then((code) => {
    process.exitCode = code;
  });
}

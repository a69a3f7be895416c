#!/usr/bin/env node
/**
 * The process edge of `cvat-ops`: builds the real runtime, runs the CLI, and is the only place that catches
 * everything and turns it into an exit code (src/errors.ts EXIT). Nothing else calls process.exit.
 */
import { runCli } from './cli';
import { EXIT, ExitError, InternalError, describeError } from './errors';
import type { Runtime } from './context/runtime';

/** The runtime of a real process: real streams, DefaultAzureCredential, public endpoints unless overridden. */
export function processRuntime(): Runtime {
  const env = process.env;
  let credential: Promise<import('@azure/identity').TokenCredential> | undefined;
  return {
    cwd: process.cwd(),
    env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    credential: () => (credential ??= import('./context/credential.js').then((m) => m.defaultCredential())),
    ...(env.CVAT_OPS_ARM_ENDPOINT ? { armEndpoint: env.CVAT_OPS_ARM_ENDPOINT } : {}),
    ...(env.CVAT_OPS_FILE_ENDPOINT ? { fileEndpoint: env.CVAT_OPS_FILE_ENDPOINT } : {}),
    egressIp: () => import('./context/egress-ip.js').then((m) => m.lookupEgressIp()),
  };
}

/** Runs the CLI with `argv` (user arguments only) and returns the exit code; never throws. */
export async function main(argv: readonly string[], runtime: Runtime = processRuntime()): Promise<number> {
  const json = argv.includes('--json');
  try {
    return await runCli(argv, runtime);
  } catch (error) {
    const { printError } = await import('./output/index.js');
    if (error instanceof ExitError) {
      const printed = (error.data as { printed?: boolean } | undefined)?.printed === true;
      if (!printed || json) {
        printError({ code: error.code, message: error.message, data: printed ? undefined : error.data }, { json, ...runtime });
      }
      if (!json && runtime.env.CVAT_OPS_DEBUG && error.cause) runtime.stderr.write(`cause: ${describeError(error.cause)}\n`);
      return error.code;
    }
    const internal = error instanceof InternalError ? error : new InternalError(describeError(error), { cause: error });
    printError(
      { code: EXIT.INTERNAL, message: `internal error: ${internal.message}. This is a bug in cvat-ops; please report it with the command you ran.` },
      { json, ...runtime },
    );
    const stack = (internal.cause instanceof Error ? internal.cause : internal).stack;
    if (stack) runtime.stderr.write(`${stack}\n`);
    return EXIT.INTERNAL;
  }
}

/** Runs cvat-ops as the current process: signal handling, argv, exit code. Used by bin/cvat-ops.js. */
export function runProcess(): void {
  process.once('SIGINT', () => {
    process.stderr.write('\ncvat-ops: interrupted\n');
    process.exit(EXIT.INTERRUPTED);
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) runProcess();

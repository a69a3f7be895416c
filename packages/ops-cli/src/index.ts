#!/usr/bin/env node
/**
 * The process edge of `cvat-ops`: builds the real runtime and runs the CLI through `@cvat-cloud/runtime`'s runMain,
 * the only place that catches everything and turns it into an exit code (docs/exit-codes.md). Nothing else calls
 * process.exit. Imports only the light `@cvat-cloud/runtime/edge` so `cvat-ops --help` loads neither the catalogue
 * nor an Azure SDK.
 */
import { runMain, runProcess as runToolProcess } from '@cvat-cloud/runtime/edge';
import { runCli } from './cli';
import type { Runtime } from './context/runtime';

/** The runtime of a real process: real streams, the Azure credential of `@cvat-cloud/runtime`, public endpoints unless overridden. */
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
    credential: () => (credential ??= import('@cvat-cloud/runtime').then((m) => m.createAzureCredential(env))),
    ...(env.CVAT_OPS_ARM_ENDPOINT ? { armEndpoint: env.CVAT_OPS_ARM_ENDPOINT } : {}),
    ...(env.CVAT_OPS_FILE_ENDPOINT ? { fileEndpoint: env.CVAT_OPS_FILE_ENDPOINT } : {}),
    egressIp: () => import('@cvat-cloud/runtime').then((m) => m.lookupEgressIp({ alternative: 'pass it with --ip' })),
  };
}

/** Runs the CLI with `argv` (user arguments only) and returns the exit code; never throws. */
export function main(argv: readonly string[], runtime: Runtime = processRuntime()): Promise<number> {
  return runMain(() => runCli(argv, runtime), {
    tool: 'cvat-ops',
    argv,
    stdout: runtime.stdout,
    stderr: runtime.stderr,
    env: runtime.env,
    handleSignals: false,
  });
}

/** Runs cvat-ops as the current process: Ctrl-C exits 130 at once, argv, exit code. Used by bin/cvat-ops.js. */
export function runProcess(): void {
  const runtime = processRuntime();
  runToolProcess(({ argv }) => runCli(argv, runtime), { tool: 'cvat-ops', interrupt: 'exit' });
}

if (require.main === module) runProcess();

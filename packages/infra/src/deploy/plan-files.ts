/**
 * The saved plan files a deploy writes (`terraform plan -out`) hold every sensitive value of the plan in clear text
 * (the database password, storage keys): "the plan file contains all values, including sensitive ones" —
 * https://developer.hashicorp.com/terraform/cli/commands/plan#out-filename. They live only as long as the run:
 * removed after each apply, on every error, on exit (Ctrl-C included) and on SIGTERM/SIGHUP; one left behind by a
 * killed run (SIGKILL, power loss) is found and removed, with a notice, when the next run starts.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '@cvat-cloud/runtime/edge';

/** File name of the saved plan in each stack's working directory. */
export const PLAN_FILE = 'cvat-deploy.tfplan';

/** The plan file of a stack working directory. */
export function planFilePath(workingDirectory: string): string {
  return join(workingDirectory, PLAN_FILE);
}

/** Removes each existing plan file; returns the ones that could not be removed. Never throws. */
export function removePlanFiles(paths: readonly string[]): string[] {
  const left: string[] = [];
  for (const path of paths) {
    try {
      if (existsSync(path)) rmSync(path, { force: true });
    } catch {
      left.push(path);
    }
  }
  return left.filter((p) => existsSync(p));
}

/**
 * Removes plan files left by an earlier run that was killed before it could clean up, naming each one. Returns the
 * paths removed.
 */
export function removeStalePlanFiles(paths: readonly string[], log: (line: string) => void): string[] {
  const stale = paths.filter((p) => existsSync(p));
  for (const path of stale) {
    log(`notice: removed ${path}: a plan file left by an interrupted run (it holds secrets in clear text)`);
  }
  const left = removePlanFiles(stale);
  if (left.length) log(`warning: could not remove ${left.join(', ')}; delete it by hand, it holds secrets`);
  return stale.filter((p) => !left.includes(p));
}

/** What {@link guardPlanFiles} needs from the process (a fake in tests). */
export interface SignalTarget {
  on(event: 'exit', listener: () => void): unknown;
  on(event: NodeJS.Signals, listener: () => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  exit(code: number): never;
}

/**
 * Until the returned function is called, removes `paths` when the process exits (normally, by `process.exit` from
 * the Ctrl-C handler, or on an uncaught error) and turns SIGTERM and SIGHUP — whose default action ends the process
 * without an exit event — into exit 130 (INTERRUPTED), so the exit hook runs. `onSignal` runs first, on exit too
 * (e.g. to stop terraform children).
 */
export function guardPlanFiles(paths: () => readonly string[], options: { target?: SignalTarget; onSignal?: () => void } = {}): () => void {
  const target: SignalTarget = options.target ?? (process as unknown as SignalTarget);
  const onExit = (): void => {
    // A `kill -INT <pid>` reaches only this process: stop terraform too, so it writes no plan file after this.
    options.onSignal?.();
    removePlanFiles(paths());
  };
  const onSignal = (): void => {
    options.onSignal?.();
    target.exit(EXIT.INTERRUPTED);
  };
  target.on('exit', onExit);
  target.on('SIGTERM', onSignal);
  target.on('SIGHUP', onSignal);
  return () => {
    target.removeListener('exit', onExit);
    target.removeListener('SIGTERM', onSignal);
    target.removeListener('SIGHUP', onSignal);
  };
}

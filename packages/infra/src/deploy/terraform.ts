import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** What one terraform invocation produced. */
export interface TerraformResult {
  /** Process exit code (`plan -detailed-exitcode`: 0 no changes, 1 error, 2 changes). */
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of one terraform invocation. */
export interface TerraformRunOptions {
  /** Working directory (the stack directory). */
  readonly cwd: string;
  /** Called with each complete stdout line as it arrives (progress). */
  readonly onStdout?: (line: string) => void;
  /** Called with each complete stderr line as it arrives. */
  readonly onStderr?: (line: string) => void;
}

/**
 * Runs the terraform (or OpenTofu) CLI.
 *
 * An interface so the orchestrator can be driven by the real binary in integration tests and by a
 * recording double in unit tests.
 */
export interface TerraformRunner {
  /** Absolute path of the binary being run. */
  readonly binary: string;
  run(args: readonly string[], options: TerraformRunOptions): Promise<TerraformResult>;
  /** Sends SIGTERM to every terraform process still running (the run is being interrupted). @default - nothing */
  stop?(): void;
}

/**
 * Environment every terraform child gets on top of the caller's: no prompts, automation-friendly output
 * and no checkpoint (version-check) call to HashiCorp.
 *
 * @see https://developer.hashicorp.com/terraform/cli/config/environment-variables
 */
export const TERRAFORM_CHILD_ENV: Readonly<Record<string, string>> = {
  TF_IN_AUTOMATION: '1',
  TF_INPUT: '0',
  CHECKPOINT_DISABLE: '1',
};

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds a binary the way a shell would: a path (absolute or containing `/`) is checked as is, a bare
 * name is looked up on `PATH`. Returns `undefined` when nothing executable is found; never spawns.
 *
 * @param name e.g. `terraform`, `tofu`, `/opt/bin/terraform`
 * @param env the environment whose `PATH` is searched
 * @param cwd base for relative paths
 */
export function findBinary(name: string, env: NodeJS.ProcessEnv, cwd = process.cwd()): string | undefined {
  if (isAbsolute(name) || name.includes('/')) {
    const p = resolve(cwd, name);
    return isExecutableFile(p) ? p : undefined;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function lineSplitter(onLine: ((line: string) => void) | undefined): { push(chunk: string): void; flush(): void } {
  let pending = '';
  return {
    push(chunk) {
      if (!onLine) return;
      pending += chunk;
      for (let idx = pending.indexOf('\n'); idx >= 0; idx = pending.indexOf('\n')) {
        onLine(pending.slice(0, idx).replace(/\r$/, ''));
        pending = pending.slice(idx + 1);
      }
    },
    flush() {
      if (onLine && pending) onLine(pending);
      pending = '';
    },
  };
}

/**
 * Creates a runner that spawns `binary` (no shell) with the given environment plus
 * {@link TERRAFORM_CHILD_ENV}, capturing and streaming its output.
 *
 * @param binary absolute path from {@link findBinary}
 * @param env environment of the child (credentials, `ARM_SUBSCRIPTION_ID`, `PATH`)
 */
export function createTerraformRunner(binary: string, env: NodeJS.ProcessEnv): TerraformRunner {
  const running = new Set<ReturnType<typeof spawn>>();
  return {
    binary,
    stop() {
      for (const child of running) child.kill('SIGTERM');
    },
    run(args, options) {
      return new Promise((resolvePromise, reject) => {
        const child = spawn(binary, [...args], {
          cwd: options.cwd,
          env: { ...env, ...TERRAFORM_CHILD_ENV },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        running.add(child);
        let stdout = '';
        let stderr = '';
        const out = lineSplitter(options.onStdout);
        const err = lineSplitter(options.onStderr);
        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          stdout += chunk;
          out.push(chunk);
        });
        child.stderr.on('data', (chunk: string) => {
          stderr += chunk;
          err.push(chunk);
        });
        child.on('error', (error) => {
          running.delete(child);
          reject(error);
        });
        child.on('close', (code, signal) => {
          running.delete(child);
          out.flush();
          err.flush();
          resolvePromise({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr });
        });
      });
    },
  };
}

import { join } from 'node:path';
import { runInfraCli } from '../../src/cli';
import type { InfraIo } from '../../src/commands/context';

/** The repository root (environments/ lives there). */
export const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

/** What one in-process `cvat-infra` run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `cvat-infra <argv>` in-process (runMain, the real parser and exit table) and captures its output. */
export async function infraCli(argv: readonly string[], io: Partial<InfraIo> = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runInfraCli(argv, {
    env: {},
    cwd: REPO_ROOT,
    stdinIsTTY: false,
    ...io,
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

/** Captured stdout/stderr and an injected environment for calling the CLI's `main()` in-process. */
import type { CliIo } from '../../src/cli';

export function captureIo(
  env: Record<string, string | undefined> = {},
  extra: Partial<CliIo> = {},
): { io: CliIo; stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: (text: string) => (err += text) },
      env,
      cwd: process.cwd(),
      ...extra,
    },
    stdout: () => out,
    stderr: () => err,
  };
}

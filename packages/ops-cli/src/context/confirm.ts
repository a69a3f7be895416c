import { EXIT, ExitError } from '../errors';
import type { Terminal } from './runtime';

/** Options of {@link confirmAction}. */
export interface ConfirmActionOptions {
  /** What will happen, as a verb phrase: `delete 15 container apps in rg-cvat-dev`. */
  action: string;
  /** One line per thing affected, listed before the question. */
  items?: readonly string[];
  /** `--yes` was given: proceed without asking. */
  yes: boolean;
  /** The command line to re-run non-interactively, shown when refusing, e.g. `cvat-ops apps delete --all --env dev --yes`. */
  rerun: string;
  /** Where to ask. */
  terminal: Terminal;
}

/**
 * Asks for confirmation before a destructive step, or refuses.
 *
 * - `yes` → returns immediately.
 * - Not a TTY (CI, pipes) → throws `ExitError(EXIT.REFUSED)` naming the action and the command to re-run with `--yes`;
 *   the caller must not have changed anything yet.
 * - TTY → prints the items and asks `Proceed? [y/N]` on stderr; anything but `y`/`yes` (or end of input) throws
 *   `ExitError(EXIT.REFUSED)` ("cancelled, nothing was changed").
 *
 * Call it after computing the plan and before the first change; `--dry-run` callers should not call it at all.
 */
export async function confirmAction(options: ConfirmActionOptions): Promise<void> {
  if (options.yes) return;
  const { terminal } = options;
  if (!terminal.isTTY) {
    throw new ExitError(
      EXIT.REFUSED,
      `Refusing to ${options.action} without --yes in a non-interactive shell; nothing was changed. ` +
        `Check the plan with --dry-run, then run: ${options.rerun}`,
    );
  }
  const lines = [`About to ${options.action}:`, ...(options.items ?? []).map((item) => `  - ${item}`)];
  terminal.stderr.write(lines.join('\n') + '\n');
  const answer = await ask(terminal, 'Proceed? [y/N] ');
  if (!/^(y|yes)$/i.test(answer.trim())) {
    throw new ExitError(EXIT.REFUSED, `Cancelled; nothing was changed. To skip this question run: ${options.rerun}`);
  }
}

/** Reads one line from the terminal after printing `question` on stderr; resolves '' on end of input or Ctrl-C. */
export async function ask(terminal: Terminal, question: string): Promise<string> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: terminal.stdin, output: terminal.stderr, terminal: terminal.isTTY });
  return new Promise<string>((resolve) => {
    let answered = false;
    const done = (value: string): void => {
      if (answered) return;
      answered = true;
      rl.close();
      resolve(value);
    };
    rl.on('SIGINT', () => {
      terminal.stderr.write('\n');
      done('');
    });
    rl.on('close', () => done(''));
    rl.question(question, done);
  });
}

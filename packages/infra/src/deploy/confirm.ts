import { createInterface } from 'node:readline/promises';

/** Asks a yes/no question. */
export interface Confirmer {
  confirm(question: string): Promise<boolean>;
}

/**
 * How confirmations are handled for this run.
 *
 * - `auto`: proceed without asking (`--yes`, or `CI=true`).
 * - `prompt`: ask on the terminal.
 * - `refuse`: a confirmation is needed but there is no terminal to ask on; stop before changing anything.
 */
export type ConfirmationPolicy =
  | { readonly mode: 'auto'; readonly reason: string }
  | { readonly mode: 'prompt' }
  | { readonly mode: 'refuse'; readonly reason: string };

/**
 * Decides the {@link ConfirmationPolicy}: `--yes` or `CI=true` proceed, a TTY prompts, anything else refuses.
 */
export function confirmationPolicy(options: { yes: boolean; env: NodeJS.ProcessEnv; stdinIsTTY: boolean }): ConfirmationPolicy {
  if (options.yes) return { mode: 'auto', reason: '--yes' };
  if (options.env.CI !== undefined && /^(1|true|yes)$/i.test(options.env.CI)) return { mode: 'auto', reason: 'CI=true' };
  if (options.stdinIsTTY) return { mode: 'prompt' };
  return { mode: 'refuse', reason: 'no terminal to confirm on (stdin is not a TTY); pass --yes to proceed non-interactively' };
}

/** A confirmer that reads `y`/`yes` from a terminal; anything else (or end of input) is no. */
export function createTerminalConfirmer(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): Confirmer {
  return {
    async confirm(question) {
      const rl = createInterface({ input, output, terminal: true });
      try {
        const answer = await rl.question(`${question} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } catch {
        return false;
      } finally {
        rl.close();
      }
    },
  };
}

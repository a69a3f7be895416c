/**
 * The one confirmation prompt of every destructive command (cvat-ops apps delete, db query --write, deploy, destroy).
 * Ask only on a terminal; `--yes` skips the question; without a terminal and without `--yes` it refuses (exit 3)
 * before anything changed; Ctrl-C at the prompt is exit 130 with nothing changed.
 */
import { CliError } from './errors';
import { EXIT } from './exit';

/** Where to ask: the streams, and whether a person is at the keyboard (stdin and stdout are TTYs). */
export interface Terminal {
  readonly stdin: NodeJS.ReadableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly isTTY: boolean;
}

/**
 * How confirmations are handled for a run: `auto` proceeds without asking (`--yes`, or `CI=true` when the tool
 * opts in), `prompt` asks on the terminal, `refuse` stops before changing anything.
 */
export type ConfirmationPolicy =
  | { readonly mode: 'auto'; readonly reason: string }
  | { readonly mode: 'prompt' }
  | { readonly mode: 'refuse'; readonly reason: string };

/** Options of {@link confirmationPolicy}. */
export interface ConfirmationPolicyOptions {
  /** `--yes` was given. */
  readonly yes: boolean;
  readonly isTTY: boolean;
  /** Process environment (for `CI`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Treat `CI=true` like `--yes` (deploy keeps this for pipelines). @default false */
  readonly ciMeansYes?: boolean;
}

/** `--yes` (or `CI=true` when `ciMeansYes`) proceeds, a TTY prompts, anything else refuses. */
export function confirmationPolicy(options: ConfirmationPolicyOptions): ConfirmationPolicy {
  if (options.yes) return { mode: 'auto', reason: '--yes' };
  const ci = options.env?.CI;
  if (options.ciMeansYes && ci !== undefined && /^(1|true|yes)$/i.test(ci)) return { mode: 'auto', reason: 'CI=true' };
  if (options.isTTY) return { mode: 'prompt' };
  return { mode: 'refuse', reason: 'no terminal to confirm on; pass --yes to proceed non-interactively' };
}

/** Options of {@link confirmAction}. */
export interface ConfirmActionOptions {
  /** What will happen, as a verb phrase: `delete 15 container apps in rg-cvat-dev`. */
  readonly action: string;
  /** One line per thing affected, listed before the question. */
  readonly items?: readonly string[];
  /** `--yes` was given: proceed without asking. */
  readonly yes: boolean;
  /** The command to re-run non-interactively, shown when refusing, e.g. `cvat-ops apps delete --all --env dev --yes`. */
  readonly rerun: string;
  /** Where to ask. */
  readonly terminal: Terminal;
  /** Process environment, with `ciMeansYes`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Treat `CI=true` like `--yes`. @default false */
  readonly ciMeansYes?: boolean;
  /** Suggest `--dry-run` when refusing (the command has one). @default true */
  readonly dryRun?: boolean;
}

/**
 * Asks for confirmation before a destructive step, or refuses. Call it after computing the plan and before the first
 * change.
 *
 * - `yes` → returns at once.
 * - no TTY → {@link CliError} REFUSED naming the action and the command to re-run with `--yes`.
 * - TTY → prints the items and asks `Proceed? [y/N]` on stderr; anything but `y`/`yes`, or end of input, is REFUSED
 *   ("Cancelled; nothing was changed"); Ctrl-C is INTERRUPTED (130).
 */
export async function confirmAction(options: ConfirmActionOptions): Promise<void> {
  const policy = confirmationPolicy({
    yes: options.yes,
    isTTY: options.terminal.isTTY,
    env: options.env ?? {},
    ciMeansYes: options.ciMeansYes ?? false,
  });
  if (policy.mode === 'auto') return;
  if (policy.mode === 'refuse') throw refusal(options);
  const lines = [`About to ${options.action}:`, ...(options.items ?? []).map((item) => `  - ${item}`)];
  options.terminal.stderr.write(`${lines.join('\n')}\n`);
  const answer = await ask(options.terminal, 'Proceed? [y/N] ');
  if (answer === INTERRUPTED) throw new CliError(EXIT.INTERRUPTED, 'Interrupted at the confirmation; nothing was changed.');
  if (!/^(y|yes)$/i.test(answer.trim())) {
    throw new CliError(EXIT.REFUSED, `Cancelled; nothing was changed. To skip this question run: ${options.rerun}`);
  }
}

/** Options of {@link assertCanConfirm}. */
export interface AssertCanConfirmOptions {
  /** What will happen, as a verb phrase: `delete every container app in the resource group`. */
  readonly action: string;
  /** `--yes` was given. */
  readonly yes: boolean;
  /** The command to re-run with `--yes` (quote user input with formatCommand). */
  readonly rerun: string;
  /** Whether a person is at the keyboard (stdin and stdout are TTYs). */
  readonly terminal: Pick<Terminal, 'isTTY'>;
  /** Process environment, with `ciMeansYes`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Treat `CI=true` like `--yes`. @default false */
  readonly ciMeansYes?: boolean;
  /** Suggest `--dry-run` when refusing (the command has one). @default true */
  readonly dryRun?: boolean;
}

/**
 * The fail-fast half of {@link confirmAction}: throws the same REFUSED error when the run could never be confirmed
 * (no `--yes` and no terminal), and returns otherwise. Call it as soon as the arguments are checked, before any
 * network call, so a non-interactive run without `--yes` stops in milliseconds instead of after reading (and
 * retrying) everything it would have asked about; then call {@link confirmAction} with the plan as before.
 */
export function assertCanConfirm(options: AssertCanConfirmOptions): void {
  const policy = confirmationPolicy({
    yes: options.yes,
    isTTY: options.terminal.isTTY,
    env: options.env ?? {},
    ciMeansYes: options.ciMeansYes ?? false,
  });
  if (policy.mode === 'refuse') throw refusal(options);
}

function refusal(options: Pick<AssertCanConfirmOptions, 'action' | 'rerun' | 'dryRun'>): CliError {
  return new CliError(
    EXIT.REFUSED,
    `Refusing to ${options.action} without --yes in a non-interactive shell; nothing was changed. ` +
      `${options.dryRun === false ? 'Run: ' : 'Check the plan with --dry-run, then run: '}${options.rerun}`,
  );
}

/** What {@link ask} resolves to when the user pressed Ctrl-C. */
export const INTERRUPTED: unique symbol = Symbol('interrupted');

/**
 * Reads one line from the terminal after printing `question` on stderr. Resolves '' on end of input and
 * {@link INTERRUPTED} on Ctrl-C (the readline interface takes SIGINT while it is open, so the process is not killed
 * half-way; the caller decides).
 */
export async function ask(terminal: Terminal, question: string): Promise<string | typeof INTERRUPTED> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: terminal.stdin, output: terminal.stderr, terminal: terminal.isTTY });
  return new Promise((resolve) => {
    let answered = false;
    const done = (value: string | typeof INTERRUPTED): void => {
      if (answered) return;
      answered = true;
      rl.close();
      resolve(value);
    };
    rl.on('SIGINT', () => {
      terminal.stderr.write('\n');
      done(INTERRUPTED);
    });
    rl.on('close', () => done(''));
    rl.question(question, done);
  });
}

/** A yes/no question, for callers that keep their own flow (deploy's per-stack confirmation). */
export interface Confirmer {
  confirm(question: string): Promise<boolean>;
}

/** A {@link Confirmer} on a terminal: `y`/`yes` is yes, anything else (end of input) is no; Ctrl-C throws INTERRUPTED. */
export function terminalConfirmer(terminal: Terminal): Confirmer {
  return {
    async confirm(question) {
      const answer = await ask(terminal, `${question} [y/N] `);
      if (answer === INTERRUPTED) throw new CliError(EXIT.INTERRUPTED, 'Interrupted at the confirmation; nothing was changed.');
      return /^y(es)?$/i.test(answer.trim());
    },
  };
}

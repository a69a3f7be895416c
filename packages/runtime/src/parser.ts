/**
 * A command-line parser's outcome on the exit table, for the tools built on commander (cvat-ops, cvat-infra).
 * commander is not a dependency of the runtime: its errors are recognised by their `code`, which commander@14
 * sets on every `CommanderError` (tj/commander.js v14 lib/error.js, lib/command.js `_exit`).
 */
import { CliError } from './errors';
import { EXIT } from './exit';

/** Codes commander uses when it printed help or the version and wants to exit 0. */
const HELP_CODES: ReadonlySet<string> = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

/**
 * Runs `parse` (e.g. `() => program.parseAsync(argv, { from: 'user' })`, with `exitOverride()` set).
 * Returns `'help'` when the parser only printed help or the version (exit 0) and `'parsed'` otherwise. A parse
 * error (unknown option, missing argument, a value an option's parser refused) becomes {@link CliError} USAGE (2),
 * marked as printed because commander has already written it with its help hint; anything else is rethrown.
 */
export async function parseArguments(parse: () => unknown): Promise<'parsed' | 'help'> {
  try {
    await parse();
    return 'parsed';
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !code.startsWith('commander.')) throw error;
    if (HELP_CODES.has(code)) return 'help';
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(EXIT.USAGE, message.replace(/^error: /, ''), { data: { usage: true }, printed: true });
  }
}

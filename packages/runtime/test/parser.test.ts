import { describe, expect, it } from 'vitest';
import { CliError, EXIT, parseArguments } from '../src/edge';

/** The shape commander@14 throws (lib/error.js CommanderError: message, code, exitCode). */
function commanderError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, exitCode: 1 });
}

describe('parseArguments', () => {
  it('is parsed when the parser returns', async () => {
    expect(await parseArguments(async () => undefined)).toBe('parsed');
  });

  it('is help for help and version, which exit 0', async () => {
    for (const code of ['commander.helpDisplayed', 'commander.help', 'commander.version']) {
      expect(await parseArguments(() => Promise.reject(commanderError(code, '(outputHelp)')))).toBe('help');
    }
  });

  it('turns a parse error into USAGE, already printed, without the parser prefix', async () => {
    const error = await parseArguments(() => {
      throw commanderError('commander.unknownOption', "error: unknown option '--yse'");
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exit: EXIT.USAGE, message: "unknown option '--yse'", printed: true });
  });

  it('rethrows anything that is not the parser', async () => {
    const bug = new TypeError('x is undefined');
    await expect(parseArguments(() => Promise.reject(bug))).rejects.toBe(bug);
  });
});

/**
 * What cli.ts and the subcommand registrations beside it (cli-cost.ts) share: option parsers, help texts and the
 * registration context. Light: commander and the runtime edge only.
 */
import { InvalidArgumentError } from 'commander';
import { EXIT, exitCodesHelp } from '@cvat-cloud/runtime/edge';
import type { CommandResult, InfraIo } from './commands/context';

/** The codes infra's commands return, from the one table. */
export const EXIT_CODES_HELP = exitCodesHelp([EXIT.FAILED, EXIT.REFUSED, EXIT.CONFIG, EXIT.AUTH, EXIT.UNAVAILABLE, EXIT.INCOMPLETE]);

/** An integer option between `min` and `max`; anything else is a usage error naming the option, value and range. */
export function parseInteger(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`'${name}' (${value}) must be a whole number between ${min} and ${max}.`);
    }
    return n;
  };
}

/** A number option between `min` and `max` (inclusive). */
export function parseNumber(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`'${name}' (${value}) must be a number between ${min} and ${max}.`);
    }
    return n;
  };
}

export const ENV_HELP = 'environment name (environments/<name>.yaml) or path to an environment file (default: $CVAT_ENV, else example)';

/** A lazily loaded subcommand: `(options, io)` to its result. */
export type CommandFn<O> = (options: O, io: InfraIo) => Promise<CommandResult>;

/** What a subcommand registered from another file needs from {@link buildProgram}. */
export interface CommandRegistration {
  /** Loads the command module, runs it and hands the result to the printer. */
  readonly run: <O>(load: () => Promise<CommandFn<O>>, options: O, json: boolean) => Promise<void>;
  /** `--env`, else `CVAT_ENV`, else `example`. */
  readonly envRef: (flag: string | undefined) => string;
}

/**
 * Getting at an expected error in a test, typed, without try/catch boilerplate: the error a call throws or a promise
 * rejects with, checked to be of `type`. Anything else (no error, or another kind) fails the test with what happened.
 */

/** A class of errors, e.g. `CliError`. */
export type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** The error `fn` throws, which must be an instance of `type`. */
export function thrownBy<E extends Error>(fn: () => unknown, type: ErrorClass<E>): E {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    if (error instanceof type) return error;
    throw new Error(`expected a ${type.name}, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected a ${type.name}, but the call returned ${JSON.stringify(result)}`);
}

/** The error `promise` rejects with, which must be an instance of `type`. */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: ErrorClass<E>): Promise<E> {
  let result: unknown;
  try {
    result = await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw new Error(`expected a ${type.name}, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected a ${type.name}, but the promise resolved to ${JSON.stringify(result)}`);
}

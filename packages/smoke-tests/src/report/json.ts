/** The machine-readable report: the whole {@link SuiteResult} plus a schema version and the exit code. */
import { exitCodeFor, type SuiteResult } from '../suite';

/** Bumped when a field is renamed or removed (adding fields keeps the version). */
export const JSON_REPORT_VERSION = 1;

/** Renders a result as pretty-printed JSON. */
export function renderJson(result: SuiteResult): string {
  return `${JSON.stringify({ reportVersion: JSON_REPORT_VERSION, exitCode: exitCodeFor(result), ...result }, null, 2)}\n`;
}

/**
 * Response bodies of the Azure REST API specification's own examples (fixtures/arm-examples, verbatim copies; the
 * README there names each source file and commit), for tests that feed the documented shape to a double:
 * `fake.addArmApp(armExample('2025-07-01', 'ContainerApps_Get'))`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Examples kept in fixtures/arm-examples/<api-version>/ (Microsoft.App at 2025-07-01, Microsoft.DBforPostgreSQL at 2025-08-01,
 * Microsoft.Insights metrics at 2018-01-01).
 */
export type ArmExampleName =
  | 'ContainerApps_Get'
  | 'Revisions_List'
  | 'Replicas_Get'
  | 'ServersGet'
  | 'ServersCreatePointInTimeRestore'
  | 'GetMetric'
  | 'GetMetricError';

/** API versions with examples in fixtures/arm-examples. */
export type ArmExampleApiVersion = '2025-07-01' | '2025-08-01' | '2018-01-01';

/** An example's whole document (parameters and responses with their headers). */
export interface ArmExampleDocument {
  parameters: Record<string, unknown>;
  responses: Record<string, { headers?: Record<string, string>; body?: unknown }>;
}

/**
 * The body of an example's response (`responses[status].body`), a fresh copy each call.
 * @param status @default '200'
 */
// biome-ignore lint/suspicious/noExplicitAny: an example body is arbitrary JSON; callers cast it to the shape they test
export function armExample(apiVersion: ArmExampleApiVersion, name: ArmExampleName, status = '200'): any {
  const response = armExampleDocument(apiVersion, name).responses[status];
  if (!response || response.body === undefined) throw new Error(`arm example ${apiVersion}/${name} has no ${status} body`);
  return response.body;
}

/** The whole example document (for the request parameters and the response headers, e.g. a 202's Azure-AsyncOperation). */
export function armExampleDocument(apiVersion: ArmExampleApiVersion, name: ArmExampleName): ArmExampleDocument {
  // src/ (tests) and dist/ (built) both sit one level below the package root
  const file = join(__dirname, '..', 'fixtures', 'arm-examples', apiVersion, `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as ArmExampleDocument;
}

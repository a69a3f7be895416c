/**
 * Response bodies of the Azure REST API specification's own examples (fixtures/arm-examples, verbatim copies; the
 * README there names each source file and commit), for tests that feed the documented shape to a double:
 * `fake.addArmApp(armExample('2025-07-01', 'ContainerApps_Get'))`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Examples kept in fixtures/arm-examples/<api-version>/. */
export type ArmExampleName = 'ContainerApps_Get' | 'Revisions_List' | 'Replicas_Get';

/**
 * The body of an example's response (`responses[status].body`), a fresh copy each call.
 * @param status @default '200'
 */
// biome-ignore lint/suspicious/noExplicitAny: an example body is arbitrary JSON; callers cast it to the shape they test
export function armExample(apiVersion: '2025-07-01', name: ArmExampleName, status = '200'): any {
  // src/ (tests) and dist/ (built) both sit one level below the package root
  const file = join(__dirname, '..', 'fixtures', 'arm-examples', apiVersion, `${name}.json`);
  const example = JSON.parse(readFileSync(file, 'utf8')) as { responses: Record<string, { body?: unknown }> };
  const response = example.responses[status];
  if (!response || response.body === undefined) throw new Error(`arm example ${apiVersion}/${name} has no ${status} body`);
  return response.body;
}

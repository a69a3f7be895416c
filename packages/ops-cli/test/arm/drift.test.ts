/**
 * `cvat-ops drift` end to end: catalogue + environment config against the fake ARM, through the SDK (paging,
 * flattened models) and the CLI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drift } from '../../src/commands/drift';
import { runCli } from '../../src/cli';
import { EXIT } from '@cvat-cloud/runtime';
import { globals, testRuntime, type TestRuntime } from '../support/test-runtime';
import { makeTestRepo, seedFromCatalogue, TEST_SUBSCRIPTION, type TestRepo } from './support/catalogue-fixture';
import { type ArmResource, FakeArmServer } from '@cvat-cloud/testing';

const mainContainer = (app: ArmResource): any => (app.properties.template as { containers: unknown[] }).containers[0];
const scaleRules = (app: ArmResource): any[] => (app.properties.template as { scale: { rules: any[] } }).scale.rules;
/** KEDA rules of an event-driven job (`configuration.eventTriggerConfig.scale.rules`). */
const jobRules = (job: ArmResource): any[] =>
  (job.properties.configuration as { eventTriggerConfig: { scale: { rules: any[] } } }).eventTriggerConfig.scale.rules;

describe('cvat-ops drift', () => {
  let repo: TestRepo;
  let fake: FakeArmServer;
  let runtime: TestRuntime;
  beforeEach(async () => {
    // the dedicated chunks worker brought back (the default runs chunks on cvat-worker-utils): an app with a KEDA rule
    repo = makeTestRepo('queueRunners:\n  chunks: cvat-worker-chunks');
    fake = await FakeArmServer.start({ subscriptionId: TEST_SUBSCRIPTION, resourceGroup: repo.resourceGroup, pageSize: 3 });
    seedFromCatalogue(fake, repo);
    runtime = testRuntime({ cwd: repo.dir, armEndpoint: fake.url });
  });
  afterEach(async () => {
    await fake.close();
    repo.remove();
  });

  it('finds no drift when Azure matches the catalogue and the environment, exit 0', async () => {
    const result = await drift(globals({ env: 'test' }), runtime);
    expect(result.data.drifted).toBe(false);
    expect(result.data.apps.every((a) => a.state === 'in-sync')).toBe(true);
    expect(result.data.apps).toHaveLength(15);
    expect(result.exitCode).toBe(EXIT.OK);
  });

  it('reports each changed field with catalogue and live values, extra live apps and missing ones, exit 1', async () => {
    mainContainer(fake.apps.get('cvat-server')!).image = 'cvat/server:v2.72.0';
    mainContainer(fake.apps.get('cvat-worker-chunks')!).resources = { cpu: 2, memory: '4Gi' };
    (fake.apps.get('cvat-ui')!.properties.template as { scale: unknown }).scale = { minReplicas: 0, maxReplicas: 2 };
    const opa = fake.apps.get('opa')!.properties.configuration as { ingress: { exposedPort: number } };
    opa.ingress.exposedPort = 8282;
    mainContainer(fake.apps.get('cvat-worker-utils')!).env.push({ name: 'DJANGO_LOG_LEVEL', value: 'DEBUG' });
    mainContainer(fake.jobs.get('cvat-init')!).image = 'cvat/server:v2.70.0';
    fake.apps.delete('vector');
    fake.addApp('cvat-legacy-traefik');

    const importResources = repo.catalogue.components.find((c) => c.name === 'cvat-worker-chunks')!.resources;
    expect(importResources).not.toEqual({ cpuCores: 2, memoryGiB: 4 });

    const result = await drift(globals({ env: 'test' }), runtime);
    expect(result.exitCode).toBe(EXIT.FAILED);
    const changed = result.data.apps.filter((a) => a.state !== 'in-sync').map((a) => ({ name: a.name, state: a.state, fields: a.fields }));
    expect(changed).toEqual([
      { name: 'vector', state: 'missing-live', fields: [] },
      { name: 'opa', state: 'drifted', fields: [{ field: 'ingress.exposedPort', kind: 'changed', expected: 8181, actual: 8282 }] },
      {
        name: 'cvat-init',
        state: 'drifted',
        fields: [{ field: 'image', kind: 'changed', expected: 'cvat/server:v2.73.0', actual: 'cvat/server:v2.70.0' }],
      },
      {
        name: 'cvat-server',
        state: 'drifted',
        fields: [{ field: 'image', kind: 'changed', expected: 'cvat/server:v2.73.0', actual: 'cvat/server:v2.72.0' }],
      },
      {
        name: 'cvat-worker-chunks',
        state: 'drifted',
        fields: [
          { field: 'resources.cpuCores', kind: 'changed', expected: importResources.cpuCores, actual: 2 },
          { field: 'resources.memoryGiB', kind: 'changed', expected: importResources.memoryGiB, actual: 4 },
        ],
      },
      { name: 'cvat-worker-utils', state: 'drifted', fields: [{ field: 'env.DJANGO_LOG_LEVEL', kind: 'unexpected', actual: 'DEBUG' }] },
      { name: 'cvat-ui', state: 'drifted', fields: [{ field: 'replicas.min', kind: 'changed', expected: 1, actual: 0 }] },
      { name: 'cvat-legacy-traefik', state: 'not-in-catalogue', fields: [] },
    ]);
    expect(result.data.summary).toEqual({ 'in-sync': 8, drifted: 6, 'missing-live': 1, 'not-in-catalogue': 1 });
  });

  it('compares KEDA scale rules of apps and event-driven jobs: metadata, auth secret, a hand-added rule and a removed one, exit 1', async () => {
    const exportRule = repo.catalogue.components.find((c) => c.name === 'cvat-job-export')!.scaleRules[0]!;
    const chunksRule = repo.catalogue.components.find((c) => c.name === 'cvat-worker-chunks')!.scaleRules[0]!;
    expect(exportRule.metadata.listLength).not.toBe('20');
    const onExport = jobRules(fake.jobs.get('cvat-job-export')!)[0];
    onExport.metadata.listLength = '20';
    onExport.auth = [{ secretRef: 'redis-ondisk-password', triggerParameter: 'password' }];
    jobRules(fake.jobs.get('cvat-job-annotation')!).push({ name: 'cpu', type: 'cpu', metadata: { type: 'Utilization', value: '70' } });
    scaleRules(fake.apps.get('cvat-worker-chunks')!).length = 0;

    const result = await drift(globals({ env: 'test' }), runtime);
    expect(result.exitCode).toBe(EXIT.FAILED);
    const fieldsOf = (name: string) => result.data.apps.find((a) => a.name === name)!.fields;
    expect(fieldsOf('cvat-job-export')).toEqual([
      {
        field: `scaleRules.${exportRule.name}.metadata.listLength`,
        kind: 'changed',
        expected: exportRule.metadata.listLength,
        actual: '20',
      },
      {
        field: `scaleRules.${exportRule.name}.auth.password`,
        kind: 'changed',
        expected: 'redis-inmem-password',
        actual: 'redis-ondisk-password',
      },
    ]);
    expect(fieldsOf('cvat-job-annotation')).toEqual([
      { field: 'scaleRules.cpu', kind: 'unexpected', actual: { type: 'cpu', metadata: { type: 'Utilization', value: '70' }, auth: {} } },
    ]);
    expect(fieldsOf('cvat-worker-chunks')).toEqual([
      {
        field: `scaleRules.${chunksRule.name}`,
        kind: 'missing',
        expected: { type: 'redis', metadata: chunksRule.metadata, auth: { password: 'redis-inmem-password' } },
      },
    ]);
    expect(result.data.summary.drifted).toBe(3);
  });

  it('--output writes the same JSON as --json to a file while stdout shows the table', async () => {
    scaleRules(fake.apps.get('cvat-worker-chunks')!)[0].custom.metadata.listLength = '20';
    expect(await runCli(['drift', '--env', 'test', '--json'], runtime)).toBe(EXIT.FAILED);
    const json = JSON.parse(runtime.out()) as unknown;

    const human = testRuntime({ cwd: repo.dir, armEndpoint: fake.url });
    expect(await runCli(['drift', '--env', 'test', '--output', 'drift.json'], human)).toBe(EXIT.FAILED);
    expect(human.out()).toContain(`Drift in resource group ${repo.resourceGroup} (environment test)`);
    expect(human.out()).toMatch(/scaleRules\.rq-chunks\.metadata\.listLength\s+changed/);
    expect(() => JSON.parse(human.out())).toThrow();
    expect(JSON.parse(readFileSync(join(repo.dir, 'drift.json'), 'utf8'))).toEqual(json);
  });

  it('explains a live app of a component disabled in the environment', async () => {
    fake.addApp('grafana');
    const result = await drift(globals({ env: 'test' }), runtime);
    expect(result.data.apps.find((a) => a.name === 'grafana')).toEqual({
      name: 'grafana',
      resource: 'containerApp',
      state: 'not-in-catalogue',
      fields: [],
      note: 'component is disabled in this environment',
    });
  });

  it('prints JSON through the CLI', async () => {
    mainContainer(fake.apps.get('cvat-ui')!).image = 'cvat/ui:dev';
    const code = await runCli(['drift', '--env', 'test', '--json'], runtime);
    expect(code).toBe(EXIT.FAILED);
    const data = JSON.parse(runtime.out()) as { drifted: boolean; apps: { name: string; fields: { field: string }[] }[] };
    expect(data.drifted).toBe(true);
    expect(data.apps.find((a) => a.name === 'cvat-ui')?.fields.map((f) => f.field)).toEqual(['image']);
  });
});

/**
 * `cvat-ops logs` on the shapes the Azure REST API specification documents at api-version 2025-07-01 (its own
 * examples, fixtures of @cvat-cloud/testing: ContainerApps_Get, Revisions_List, Replicas_Get), and the defaults az
 * sets (Azure/azure-cli@0edd3c56 src/azure-cli/azure/cli/command_modules/containerapp/_validators.py): the revision
 * from the app, the container from the revision's template, `--container` compared ignoring case.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logs } from '../../src/commands/logs';
import type { CliError } from '@cvat-cloud/runtime';
import { EXIT } from '@cvat-cloud/runtime';
import { armExample, FakeArmServer, type ArmResource } from '@cvat-cloud/testing';
import { globals, testRuntime, type TestRuntime } from '../support/test-runtime';
import { makeTestRepo, TEST_SUBSCRIPTION, type TestRepo } from './support/catalogue-fixture';

const APP = 'cvat-server';

describe('cvat-ops logs on the documented ARM shapes', () => {
  let repo: TestRepo;
  let fake: FakeArmServer;
  let runtime: TestRuntime;
  let app: ArmResource;
  let revision: ArmResource;
  beforeEach(async () => {
    repo = makeTestRepo();
    fake = await FakeArmServer.start({ subscriptionId: TEST_SUBSCRIPTION, resourceGroup: repo.resourceGroup });
    // the specification's app, under a catalogue name: it has latestReadyRevisionName and no latestRevisionName
    const example = armExample('2025-07-01', 'ContainerApps_Get') as ArmResource;
    expect(example.properties.latestRevisionName).toBeUndefined();
    app = fake.addArmApp({ ...example, name: APP });
    // its revision, as Revisions_List documents one (note the different case of the name: ARM names are case-insensitive)
    const listed = (armExample('2025-07-01', 'Revisions_List') as { value: ArmResource[] }).value[0]!;
    revision = fake.addRevision(APP, listed.name, listed.properties);
    // a replica shaped like Replicas_Get, listing a sidecar before the template's container
    const replica = armExample('2025-07-01', 'Replicas_Get') as ArmResource;
    const container = (replica.properties.containers as Record<string, unknown>[])[0]!;
    replica.properties.containers = [
      { ...container, name: 'log-shipper' },
      { ...container, name: 'testcontainerApp0' },
    ];
    fake.replicas.set(`${APP}/${listed.name}`, [replica]);
    fake.logStreams.set(APP, {
      console: {
        [`${listed.name}/${replica.name}/testcontainerApp0`]: ['from the app container'],
        [`${listed.name}/${replica.name}/log-shipper`]: ['from the sidecar'],
        [`testcontainerapp0-pjxhsye/${replica.name}/testcontainerApp0`]: ['from the app container (ready revision)'],
      },
      system: [],
    });
    runtime = testRuntime({ cwd: repo.dir, armEndpoint: fake.url });
  });
  afterEach(async () => {
    await fake.close();
    repo.remove();
  });

  it('falls back to latestReadyRevisionName when ARM omits latestRevisionName', async () => {
    const result = await logs({ ...globals({ env: 'test' }), name: APP }, runtime);
    expect(result.data.revision).toBe('testcontainerapp0-pjxhsye');
    expect(runtime.out()).toBe('from the app container (ready revision)\n');
  });

  it('falls back to the active revision with the most traffic when neither revision name is reported', async () => {
    delete app.properties.latestReadyRevisionName;
    fake.addRevision(APP, 'testcontainerApp0-old', { ...revision.properties, active: true, trafficWeight: 20 });
    fake.addRevision(APP, 'testcontainerApp0-gone', { ...revision.properties, active: false, trafficWeight: 0 });
    const result = await logs({ ...globals({ env: 'test' }), name: APP }, runtime);
    expect(result.data.revision).toBe('testcontainerApp0-pjxhsye');
    expect(runtime.out()).toBe('from the app container\n');
  });

  it("streams the revision template's first container, not the replica's first (a sidecar)", async () => {
    const result = await logs({ ...globals({ env: 'test' }), name: APP, revision: 'testcontainerApp0-pjxhsye' }, runtime);
    expect(result.data.container).toBe('testcontainerApp0');
    expect(runtime.out()).toBe('from the app container\n');
    expect(fake.requestsTo('GET', `/containerApps/${APP}/revisions/testcontainerApp0-pjxhsye`).length).toBeGreaterThan(0);
  });

  it('matches --container ignoring case and streams the replica spelling', async () => {
    const result = await logs(
      { ...globals({ env: 'test' }), name: APP, revision: 'testcontainerApp0-pjxhsye', container: 'LOG-SHIPPER' },
      runtime,
    );
    expect(result.data.container).toBe('log-shipper');
    expect(runtime.out()).toBe('from the sidecar\n');
    const error = (await logs(
      { ...globals({ env: 'test' }), name: APP, revision: 'testcontainerApp0-pjxhsye', container: 'nginx' },
      runtime,
    ).catch((e: unknown) => e)) as CliError;
    expect(error.exit).toBe(EXIT.NOT_FOUND);
    expect(error.message).toBe(
      "'--container' (nginx) is not a container of replica myapp--0wlqy09-5d9774cff-5wnd8; containers: log-shipper, testcontainerApp0.",
    );
  });

  it('says there is no revision when ARM reports none and no revision is active', async () => {
    delete app.properties.latestReadyRevisionName;
    fake.revisions.set(APP, []);
    const error = (await logs({ ...globals({ env: 'test' }), name: APP }, runtime).catch((e: unknown) => e)) as CliError;
    expect(error.exit).toBe(EXIT.NOT_FOUND);
    expect(error.message).toContain('has no revision yet');
  });
});

/**
 * `cvat-ops drift` on the container app the Azure REST API specification documents (ContainerApps_Get at
 * api-version 2025-07-01, a fixture of @cvat-cloud/testing), read through the SDK: identity, workload profile,
 * revision mode, traffic are compared with what the catalogue says; IP restrictions, custom domains, init containers
 * and Dapr, on which the catalogue has no opinion, are reported as unmanaged live settings.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drift } from '../../src/commands/drift';
import { globals, testRuntime, type TestRuntime } from '../support/test-runtime';
import { makeTestRepo, seedFromCatalogue, TEST_SUBSCRIPTION, type TestRepo } from './support/catalogue-fixture';
import { armExample, FakeArmServer, type ArmResource } from '@cvat-cloud/testing';
import { EXIT } from '@cvat-cloud/runtime';

describe('cvat-ops drift on the documented ARM shape', () => {
  let repo: TestRepo;
  let fake: FakeArmServer;
  let runtime: TestRuntime;
  beforeEach(async () => {
    repo = makeTestRepo();
    fake = await FakeArmServer.start({ subscriptionId: TEST_SUBSCRIPTION, resourceGroup: repo.resourceGroup, pageSize: 5 });
    seedFromCatalogue(fake, repo);
    runtime = testRuntime({ cwd: repo.dir, armEndpoint: fake.url });
  });
  afterEach(async () => {
    await fake.close();
    repo.remove();
  });

  const fieldsOf = async (name: string) => {
    const result = await drift(globals({ env: 'test' }), runtime);
    const app = result.data.apps.find((a) => a.name === name)!;
    return { result, app, field: (f: string) => app.fields.find((x) => x.field === f) };
  };

  it('compares identity, workload profile and traffic of the example app with the catalogue, and lists what it does not manage', async () => {
    const example = armExample('2025-07-01', 'ContainerApps_Get') as ArmResource;
    // the example omits activeRevisionsMode: ARM's default is Single, which is what the catalogue wants
    expect((example.properties.configuration as Record<string, unknown>).activeRevisionsMode).toBeUndefined();
    fake.addArmApp({ ...example, name: 'cvat-ui' });
    const { result, app, field } = await fieldsOf('cvat-ui');
    expect(result.exitCode).toBe(EXIT.FAILED);
    expect(app.state).toBe('drifted');
    expect(field('identity.type')).toEqual({
      field: 'identity.type',
      kind: 'changed',
      // cvat-ui reads no Key Vault secret, so it should carry no identity at all
      expected: 'None',
      actual: 'SystemAssigned,UserAssigned',
    });
    expect(field('identity.userAssigned')).toEqual({
      field: 'identity.userAssigned',
      kind: 'changed',
      expected: [],
      actual: ['myidentity'],
    });
    expect(field('workloadProfileName')).toEqual({
      field: 'workloadProfileName',
      kind: 'changed',
      expected: 'Consumption',
      actual: 'My-GP-01',
    });
    expect(field('revisionMode')).toBeUndefined();
    expect(field('ingress.traffic')).toEqual({
      field: 'ingress.traffic',
      kind: 'changed',
      expected: ['latest=100'],
      actual: ['revision testcontainerapp0-ab1234=80', 'revision testcontainerapp0-ab4321=20 label staging'],
    });
    expect(app.unmanaged).toEqual({
      'ingress.ipSecurityRestrictions': ['Allow 192.168.1.1/32 (Allow work IP A subnet)', 'Allow 192.168.1.1/8 (Allow work IP B subnet)'],
      'ingress.customDomains': ['www.my-name.com (SniEnabled)', 'www.my--other-name.com (SniEnabled)'],
      initContainers: ['testinitcontainerApp0 (repo/testcontainerapp0:v4)'],
      dapr: { enabled: true, appPort: 3000 },
    });
    // unmanaged settings are shown, never counted as a drifted field
    expect(app.fields.some((f) => /ipSecurity|customDomains|initContainers|dapr/.test(f.field))).toBe(false);
  });

  it('an app otherwise in sync that only has unmanaged settings stays in sync, with the settings listed', async () => {
    const ui = fake.apps.get('cvat-ui')!;
    const ingress = (ui.properties.configuration as { ingress: Record<string, unknown> }).ingress;
    ingress.ipSecurityRestrictions = [{ name: 'office', ipAddressRange: '198.51.100.0/24', action: 'Allow' }];
    (ui.properties.configuration as Record<string, unknown>).dapr = { enabled: true, appId: 'ui' };
    const { result, app } = await fieldsOf('cvat-ui');
    expect(app.state).toBe('in-sync');
    expect(app.unmanaged).toEqual({
      'ingress.ipSecurityRestrictions': ['Allow 198.51.100.0/24 (office)'],
      dapr: { enabled: true, appId: 'ui' },
    });
    expect(result.exitCode).toBe(EXIT.OK);
  });

  it('reports a revision mode, an identity and a traffic split changed by hand on a seeded app', async () => {
    const server = fake.apps.get('cvat-server')!;
    const configuration = server.properties.configuration as Record<string, any>;
    configuration.activeRevisionsMode = 'Multiple';
    configuration.ingress.traffic = [{ revisionName: 'cvat-server--r1', weight: 100 }];
    server.identity = { type: 'SystemAssigned' };
    const { field } = await fieldsOf('cvat-server');
    expect(field('revisionMode')).toMatchObject({ kind: 'changed', expected: 'Single', actual: 'Multiple' });
    expect(field('ingress.traffic')).toMatchObject({ expected: ['latest=100'], actual: ['revision cvat-server--r1=100'] });
    expect(field('identity.type')).toMatchObject({ expected: 'UserAssigned', actual: 'SystemAssigned' });
    // the server reads secrets with its own identity
    expect(field('identity.userAssigned')).toMatchObject({ expected: ['cvat-test-id-apps-cvat-server'], actual: [] });
  });
});

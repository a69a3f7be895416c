import { enabledComponents, loadEnvironmentConfig, resolveCatalogue } from '@cvat-cloud/catalogue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storageConfigPush } from '../src/commands/storage/config-push';
import { CliError } from '@cvat-cloud/runtime';
import { globals, testRuntime } from './support/test-runtime';
import {
  type FakeArmStorageServer,
  type FakeFileServer,
  startFakeArmStorageServer,
  startFakeFileServer,
  tempRepo,
  type TempRepo,
  TEST_SUBSCRIPTION,
} from '@cvat-cloud/testing';

describe('storage config push', () => {
  let repo: TempRepo;
  let files: FakeFileServer;
  let arm: FakeArmStorageServer;
  /** Every enabled component's config files in the default dev environment, from the catalogue itself. */
  let declared: { component: string; storage: string; path: string; source: string }[];

  beforeEach(async () => {
    repo = tempRepo('dev');
    const catalogue = resolveCatalogue(loadEnvironmentConfig('dev', { cwd: repo.dir }).value!).value!;
    declared = enabledComponents(catalogue).flatMap((c) => c.configFiles.map((f) => ({ component: c.name, ...f })));
    for (const f of declared) repo.write(`packages/catalogue/${f.source}`, `# ${f.component} config for tests: ${f.path}\n`);
    files = await startFakeFileServer({ account: repo.names.storageAccount });
    for (const share of new Set(declared.map((f) => f.storage))) files.createShare(share);
    arm = await startFakeArmStorageServer();
    arm.addAccount({
      subscriptionId: TEST_SUBSCRIPTION,
      resourceGroup: repo.names.resourceGroup,
      name: repo.names.storageAccount,
      key: files.key,
    });
  });
  afterEach(async () => {
    await files.close();
    await arm.close();
    repo.cleanup();
  });

  /** Sources from the temp repo's packages/catalogue instead of the real catalogue package. */
  const fromRepo = () => (source: string) => `${repo.dir}/packages/catalogue/${source}`;
  const runtime = (env: Record<string, string> = { AZURE_STORAGE_KEY: '' }) =>
    testRuntime({
      cwd: repo.dir,
      env: { CVAT_OPS_STORAGE_MAX_TRIES: '1', CVAT_OPS_STATE_DIR: `${repo.dir}/state`, ...env },
      fileEndpoint: files.endpointTemplate,
      armEndpoint: arm.url,
    });

  it('the default environment declares at least one config file (vector.toml), so the push has something to do', () => {
    expect(declared.map((f) => f.component)).toContain('vector');
  });

  it('by default reads the sources shipped in the catalogue package (configFileSourcePath)', async () => {
    const { readFileSync } = await import('node:fs');
    const { configFileSourcePath } = await import('@cvat-cloud/catalogue');
    await storageConfigPush({ ...globals({ env: 'dev' }), components: ['vector'] }, runtime());
    const vector = declared.find((f) => f.component === 'vector')!;
    expect(files.file(vector.storage, vector.path)!.data.equals(readFileSync(configFileSourcePath(vector.source)))).toBe(true);
  });

  it("uploads every enabled component's configFiles to its share, listing the account key through ARM", async () => {
    const r = await storageConfigPush({ ...globals({ env: 'dev' }), components: [] }, runtime(), fromRepo());
    expect(r.exitCode).toBe(0);
    for (const f of declared) {
      expect(files.file(f.storage, f.path)!.data.toString()).toBe(`# ${f.component} config for tests: ${f.path}\n`);
      expect(files.file(f.storage, f.path)!.md5).toBeDefined();
    }
    expect(r.data.summary).toMatchObject({ files: declared.length, uploaded: declared.length, failed: 0 });
    expect(arm.log.map((l) => `${l.method} ${l.path.split('/').at(-1)}`)).toEqual(['POST listKeys']);
    expect(r.view.at(-1)).toMatchObject({ lines: expect.arrayContaining(['  cvat-ops apps restart vector --env dev']) });
  });

  it('skips files that are already identical on the share', async () => {
    await storageConfigPush({ ...globals({ env: 'dev' }), components: ['vector'] }, runtime(), fromRepo());
    const r = await storageConfigPush(
      { ...globals({ env: 'dev' }), components: ['vector'] },
      runtime({ AZURE_STORAGE_KEY: files.key }),
      fromRepo(),
    );
    expect(r.data.summary).toMatchObject({ uploaded: 0, skipped: declared.filter((f) => f.component === 'vector').length });
    expect(r.data.shares[0]!.files.every((f) => f.label === 'vector' && f.status === 'skipped')).toBe(true);
  });

  it('rejects an unknown component with the list of components, before any network call', async () => {
    const e = (await storageConfigPush({ ...globals({ env: 'dev' }), components: ['vectr'] }, runtime()).catch(
      (x: unknown) => x,
    )) as CliError;
    expect(e).toBeInstanceOf(CliError);
    expect(e.exit).toBe(2);
    expect(e.message).toMatch(/^Unknown component 'vectr'\. Did you mean 'vector'\? Components: .*\bcvat-server\b/);
    expect(arm.log).toHaveLength(0);
    expect(files.requests).toHaveLength(0);
  });

  it('rejects a disabled component naming the override that enables it', async () => {
    const e = (await storageConfigPush({ ...globals({ env: 'dev' }), components: ['grafana'] }, runtime()).catch(
      (x: unknown) => x,
    )) as CliError;
    expect(e.exit).toBe(2);
    expect(e.message).toBe("Component 'grafana' is disabled in environment 'dev'; enable it under 'components.grafana.enabled' first.");
  });

  it('stops with exit 6 before uploading anything when a source file is missing', async () => {
    const { rmSync } = await import('node:fs');
    const vector = declared.find((f) => f.component === 'vector')!;
    rmSync(`${repo.dir}/packages/catalogue/${vector.source}`);
    const e = (await storageConfigPush({ ...globals({ env: 'dev' }), components: [] }, runtime(), fromRepo()).catch(
      (x: unknown) => x,
    )) as CliError;
    expect(e.exit).toBe(6);
    expect(e.message).toContain(`components[vector].configFiles source '${vector.source}'`);
    expect(files.counts['file-create']).toBe(0);
  });

  it('needs --env', async () => {
    await expect(storageConfigPush({ ...globals(), components: [] }, runtime())).rejects.toMatchObject({
      exit: 2,
      message: expect.stringContaining('needs --env <name>'),
    });
  });
});

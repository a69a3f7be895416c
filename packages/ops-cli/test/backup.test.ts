/**
 * `cvat-ops backup create|list|restore|prune` against the loopback doubles of @cvat-cloud/testing: FakeArmServer for
 * PostgreSQL Flexible Server (ServersGet shape; point-in-time restore and on-demand backups as long-running operations
 * with Azure-AsyncOperation polling, 2025-08-01) and the Files double (Snapshot Share with metadata, List Shares with
 * snapshots, List Directories and Files and Copy File through `sharesnapshot`, Delete Share of a snapshot). Each failure
 * mode checks the exact report of what exists.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadEnvironmentConfig, resourceNames } from '@cvat-cloud/catalogue';
import { EXIT, type CliError } from '@cvat-cloud/runtime';
import { FakeArmServer, type FakeFileServer, startFakeFileServer } from '@cvat-cloud/testing';
import { backupCreate, backupList, backupPrune, backupRestore, parseManifest, selectForPrune } from '../src/commands/backup';
import { recoveryPointId, restoredServerName } from '../src/commands/backup/manifest';
import { runCli } from '../src/cli';
import { globals, testRuntime, type TestRuntime } from './support/test-runtime';
import { makeTestRepo, TEST_SUBSCRIPTION, type TestRepo } from './arm/support/catalogue-fixture';

const DAY = 86_400_000;

describe('cvat-ops backup', () => {
  let repo: TestRepo;
  let arm: FakeArmServer;
  let files: FakeFileServer;
  let runtime: TestRuntime;
  let server: string;
  const deps = { pollIntervalMs: 5 };

  beforeEach(async () => {
    repo = makeTestRepo();
    const names = resourceNames(repo.config);
    server = names.postgresServer;
    arm = await FakeArmServer.start({ subscriptionId: TEST_SUBSCRIPTION, resourceGroup: repo.resourceGroup });
    arm.addPgServer(server);
    files = await startFakeFileServer({ account: names.storageAccount });
    for (const share of ['cvat-data', 'cvat-keys', 'cvat-config']) files.createShare(share);
    files.putFile('cvat-data', 'data/tasks/1/manifest.jsonl', Buffer.from('{"task":1}\n'), 'auto');
    files.putFile('cvat-data', 'data/tasks/1/raw/frame_000.jpg', Buffer.from('jpeg bytes 0'), 'auto');
    files.putFile('cvat-keys', 'secret_key.py', Buffer.from('KEY = "k"\n'), 'auto');
    runtime = testRuntime({
      cwd: repo.dir,
      armEndpoint: arm.url,
      fileEndpoint: files.endpointTemplate,
      env: { AZURE_STORAGE_KEY: files.key, CVAT_OPS_STORAGE_MAX_TRIES: '1' },
    });
  });
  afterEach(async () => {
    await arm.close();
    await files.close();
    repo.remove();
  });

  const env = (o: Partial<ReturnType<typeof globals>> = {}) => globals({ env: 'test', ...o });
  const manifestOf = (id: string) => parseManifest(files.file('cvat-config', `backups/${id}.json`)!.data.toString('utf8'), id);

  describe('pure parts', () => {
    it('names recovery points and restored servers within Azure limits', () => {
      expect(recoveryPointId('Prod', new Date('2026-12-03T14:45:01.123Z'))).toBe('prod-20261203t144501z');
      const long = `${'a'.repeat(60)}-pg`;
      const name = restoredServerName(long, new Date('2026-12-03T14:45:01Z'));
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(/-r202612031445$/);
    });

    it('keeps the newest n and everything younger than n days; the rest goes', () => {
      const now = new Date('2026-12-03T00:00:00Z');
      const points = [1, 3, 5, 10, 20].map((d) => ({ id: `p${d}`, pointInTime: new Date(now.getTime() - d * DAY).toISOString() }));
      const byDays = selectForPrune(points, { keepDays: 4 }, now);
      expect(byDays.keep.map((p) => p.id)).toEqual(['p1', 'p3']);
      expect(byDays.remove.map((p) => p.id)).toEqual(['p5', 'p10', 'p20']);
      const both = selectForPrune(points, { keepDays: 2, keepLast: 3 }, now);
      expect(both.keep.map((p) => p.id)).toEqual(['p1', 'p3', 'p5']);
    });
  });

  it('create: records the point in time, snapshots data and keys with the id as metadata, writes the manifest', async () => {
    const result = await backupCreate(env(), runtime, deps);
    expect(result.exitCode ?? EXIT.OK).toBe(EXIT.OK);
    const d = result.data;
    expect(d.status).toBe('complete');
    expect(d.id).toMatch(/^test-\d{8}t\d{6}z$/);
    expect(Math.abs(Date.parse(d.pointInTime) - Date.now())).toBeLessThan(5_000);
    for (const share of ['cvat-data', 'cvat-keys']) {
      const [snap] = files.snapshots(share);
      expect(snap!.metadata).toMatchObject({ cvatbackup: d.id });
      expect(d.shares).toContainEqual({ share, snapshot: snap!.snapshot });
    }
    expect(files.snapshots('cvat-config')).toHaveLength(0);
    expect(d.manifest).toBe(`cvat-config/backups/${d.id}.json`);
    const manifest = manifestOf(d.id);
    expect(manifest).toMatchObject({
      id: d.id,
      status: 'complete',
      pointInTime: d.pointInTime,
      postgres: { server, resourceGroup: repo.resourceGroup },
    });
    expect(files.file('cvat-config', `backups/${d.id}.json`)!.contentType).toBe('application/json');
    // the point in time was taken before the first snapshot: the database never refers to a file the snapshot lacks
    expect(Date.parse(d.pointInTime)).toBeLessThanOrEqual(Date.parse(files.snapshots('cvat-data')[0]!.snapshot));
    expect(runtime.err()).toContain('snapshotting share cvat-data…');
  });

  it('create --db-backup also takes an on-demand backup through its long-running operation', async () => {
    const result = await backupCreate({ ...env(), dbBackup: true }, runtime, deps);
    expect(result.data.postgres.onDemandBackup).toBe(result.data.id);
    expect(arm.pgBackups.get(server)!.map((b) => b.name)).toEqual([result.data.id]);
    expect(arm.requests.some((r) => /azureAsyncOperation/i.test(r.path))).toBe(true);
    expect(manifestOf(result.data.id).postgres.onDemandBackup).toBe(result.data.id);
  });

  it('create refuses an id that already has a manifest (two runs in the same second), before any snapshot', async () => {
    const at = new Date(Date.now() - 30_000);
    const first = await backupCreate(env(), runtime, { ...deps, now: () => at });
    const error = (await backupCreate(env(), runtime, { ...deps, now: () => at }).catch((e: unknown) => e)) as CliError;
    expect(error.exit).toBe(EXIT.FAILED);
    expect(error.message).toBe(
      `Recovery point ${first.data.id} already exists (ids are per second of the point in time); nothing was changed. Run the command again.`,
    );
    expect(files.snapshots('cvat-data')).toHaveLength(1);
  });

  it('create --dry-run changes nothing and shows the plan', async () => {
    const result = await backupCreate(env({ dryRun: true }), runtime, deps);
    expect(result.data.status).toBe('planned');
    expect(files.snapshots('cvat-data')).toHaveLength(0);
    expect(files.files('cvat-config')).toEqual([]);
    expect(result.data.steps.map((s) => s.status)).toEqual(['planned', 'planned', 'planned', 'planned']);
  });

  it('create: a failed snapshot half-way leaves a PARTIAL manifest naming exactly what exists, exit 1', async () => {
    files.addFault({ op: 'share-snapshot', nth: 2, status: 500, code: 'InternalError' });
    const result = await backupCreate(env(), runtime, deps);
    expect(result.exitCode).toBe(EXIT.FAILED);
    expect(result.data.status).toBe('partial');
    expect(result.data.shares.map((s) => s.share)).toEqual(['cvat-data']);
    expect(result.data.problems).toEqual([expect.stringMatching(/^snapshot of share cvat-keys failed: HTTP 500/)]);
    expect(result.data.steps.map((s) => [s.step, s.status])).toEqual([
      ['database point in time', 'done'],
      ['snapshot cvat-data', 'done'],
      ['snapshot cvat-keys', 'failed'],
      ['manifest', 'done'],
    ]);
    expect(manifestOf(result.data.id)).toMatchObject({ status: 'partial', shares: [{ share: 'cvat-data' }] });
    const list = await backupList(env(), runtime);
    expect(list.data.points[0]).toMatchObject({
      id: result.data.id,
      manifest: 'partial',
      state: 'not restorable: no snapshot of cvat-keys',
    });
  });

  it('create: when the manifest cannot be written the snapshots are reported, listed as orphans, and prune removes them', async () => {
    files.addFault({ op: 'file-create', status: 403, code: 'AuthorizationPermissionMismatch', times: 10 });
    const result = await backupCreate(env(), runtime, deps);
    expect(result.exitCode).toBe(EXIT.FAILED);
    expect(result.data.manifest).toBeNull();
    expect(result.data.shares).toHaveLength(2);
    expect(result.data.problems).toEqual([expect.stringContaining('the manifest could not be written')]);
    const list = await backupList(env(), runtime);
    expect(list.data.points).toEqual([
      expect.objectContaining({ id: result.data.id, manifest: 'missing', state: 'no manifest (snapshots only): prune removes it' }),
    ]);
    const pruned = await backupPrune({ ...env({ yes: true }), keepLast: 0 }, runtime, deps);
    expect(pruned.data.removed[0]).toMatchObject({ id: result.data.id, manifestDeleted: false, failed: [] });
    expect(files.snapshots('cvat-data')).toHaveLength(0);
    expect(files.snapshots('cvat-keys')).toHaveLength(0);
  });

  it('list: points newest first, with snapshot existence and the restore window', async () => {
    const old = await backupCreate(env(), runtime, { ...deps, now: () => new Date(Date.now() - 10 * DAY) });
    const recent = await backupCreate(env(), runtime, { ...deps, now: () => new Date(Date.now() - 60_000) });
    files.dropSnapshot('cvat-keys', recent.data.shares.find((s) => s.share === 'cvat-keys')!.snapshot);
    const list = await backupList(env(), runtime);
    expect(list.data.points.map((p) => [p.id, p.state])).toEqual([
      [recent.data.id, 'not restorable: no snapshot of cvat-keys'],
      [old.data.id, 'database outside the restore window'],
    ]);
    expect(list.data.points[0]!.shares).toContainEqual(expect.objectContaining({ share: 'cvat-keys', exists: false }));
  });

  it("list: after a restore moved the environment, a point is judged by its own server's window; a deleted one says so", async () => {
    const before = await backupCreate(env(), runtime, { ...deps, now: () => new Date(Date.now() - 60_000) });
    // the environment now uses a restored server whose backups start later than the point
    const current = `${server}-r202601010000`;
    arm.addPgServer(current, { earliestRestoreDate: new Date().toISOString() });
    const file = join(repo.dir, 'environments', 'test.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\npostgres:\n  serverName: ${current}\n`);
    const list = await backupList(env(), runtime);
    expect(list.data.server).toBe(current);
    expect(list.data.points.map((p) => [p.id, p.state, p.databaseRestorable])).toEqual([[before.data.id, 'restorable', true]]);
    arm.pgServers.delete(server);
    const gone = await backupList(env(), runtime);
    expect(gone.data.points.map((p) => [p.state, p.databaseRestorable])).toEqual([[`database server ${server} no longer exists`, false]]);
  });

  describe('restore', () => {
    let id: string;
    beforeEach(async () => {
      id = (await backupCreate(env(), runtime, { ...deps, now: () => new Date(Date.now() - 60_000) })).data.id;
      // after the recovery point: a file changes, one is deleted, one is added
      files.putFile('cvat-data', 'data/tasks/1/manifest.jsonl', Buffer.from('{"task":1,"changed":true}\n'), 'auto');
      files.putFile('cvat-data', 'data/tasks/2/raw/new.jpg', Buffer.from('new'), 'auto');
      files.putFile('cvat-keys', 'secret_key.py', Buffer.from('KEY = "other"\n'), 'auto');
    });
    const expected = () => restoredServerName(server, new Date(manifestOf(id).pointInTime));

    it('--dry-run shows the plan (new server, files per share) and changes nothing', async () => {
      const result = await backupRestore({ ...env({ dryRun: true }), id }, runtime, deps);
      expect(result.data.server).toEqual({ name: expected(), created: false });
      expect(result.data.shares.map((s) => [s.share, s.files])).toEqual([
        ['cvat-data', 2],
        ['cvat-keys', 1],
      ]);
      expect(arm.requests.filter((r) => r.method === 'PUT')).toHaveLength(0);
      expect(files.counts['file-copy']).toBe(0);
      expect(result.data.next).toEqual(expect.arrayContaining(['       postgres:', `         serverName: ${expected()}`]));
    });

    it('prints next steps that exist: the YAML validates against the environment schema, the targets and addresses are real', async () => {
      const result = await backupRestore({ ...env({ dryRun: true }), id }, runtime, deps);
      const next = result.data.next;
      // 1. the snippet, cut out of the printed lines and appended to the environment file as an operator would, loads
      //    through the catalogue's own loader and moves the server and the host every app reads
      const start = next.findIndex((l) => l.trim() === 'postgres:');
      const snippet = next.slice(start, start + 2).map((l) => l.slice(7));
      const file = join(repo.dir, 'environments', 'test.yaml');
      writeFileSync(file, `${readFileSync(file, 'utf8')}\n${snippet.join('\n')}\n`);
      const loaded = loadEnvironmentConfig('test', { cwd: repo.dir });
      expect(loaded.errors).toBeUndefined();
      expect(resourceNames(loaded.value!).postgresServer).toBe(expected());
      expect(resourceNames(loaded.value!).postgresFqdn).toBe(`${expected()}.postgres.database.azure.com`);
      // 2. every `npx nx run infra:<target>` printed is a target of packages/infra/package.json
      const infra = JSON.parse(readFileSync(resolve(__dirname, '../../infra/package.json'), 'utf8'));
      const targets = [...next.join('\n').matchAll(/npx nx run infra:([a-z:-]+)/g)].map((m) => m[1]!);
      expect(targets).toEqual(['synth', 'deploy']);
      for (const t of targets) expect(Object.keys(infra.scripts)).toContain(t);
      // 3. terraform state rm names the foundation's server and database addresses (pinned in infra's adoption test)
      const rm = next.find((l) => l.includes(' state rm '))!;
      expect(rm.trim()).toBe(
        'terraform -chdir=packages/infra/cdktf.out/stacks/foundation state rm ' +
          'azurerm_postgresql_flexible_server.Postgres_9DC8BB04 azurerm_postgresql_flexible_server_database.Postgres_Database_F02489C9',
      );
      expect(readFileSync(resolve(__dirname, '../../infra/test/stacks/foundation-postgres-adopt.test.ts'), 'utf8')).toContain(
        "toBe('Postgres_9DC8BB04')",
      );
      expect(next[0]).toContain(`(server ${server} is kept)`);
    });

    it('creates the server at the point in time (long-running, polled), then copies the snapshot files back', async () => {
      const network = `/subscriptions/${TEST_SUBSCRIPTION}/resourceGroups/${repo.resourceGroup}/providers/Microsoft.Network`;
      const subnet = `${network}/virtualNetworks/v/subnets/db`;
      const zone = `${network}/privateDnsZones/privatelink.postgres.database.azure.com`;
      arm.pgServers.get(server)!.properties.network = {
        publicNetworkAccess: 'Disabled',
        delegatedSubnetResourceId: subnet,
        privateDnsZoneArmResourceId: zone,
      };
      const result = await backupRestore({ ...env({ yes: true }), id }, runtime, deps);
      expect(result.exitCode ?? EXIT.OK).toBe(EXIT.OK);
      const put = arm.requests.find((r) => r.method === 'PUT' && r.path.endsWith(`/flexibleServers/${expected()}`))!;
      expect(put.query['api-version']).toBe('2025-08-01');
      expect(put.body).toMatchObject({
        properties: {
          createMode: 'PointInTimeRestore',
          sourceServerResourceId:
            `/subscriptions/${TEST_SUBSCRIPTION}/resourceGroups/${repo.resourceGroup}` +
            `/providers/Microsoft.DBforPostgreSQL/flexibleServers/${server}`,
          network: { delegatedSubnetResourceId: subnet, privateDnsZoneArmResourceId: zone },
        },
      });
      expect(Date.parse((put.body as { properties: { pointInTimeUTC: string } }).properties.pointInTimeUTC)).toBe(
        Date.parse(manifestOf(id).pointInTime),
      );
      expect(arm.requests.some((r) => /\/azureAsyncOperation\//i.test(r.path))).toBe(true);
      expect(arm.pgServers.get(expected())!.properties.state).toBe('Ready');
      expect(result.data.server).toMatchObject({
        name: expected(),
        created: true,
        fullyQualifiedDomainName: `${expected()}.postgres.database.azure.com`,
      });
      expect(files.file('cvat-data', 'data/tasks/1/manifest.jsonl')!.data.toString()).toBe('{"task":1}\n');
      expect(files.file('cvat-keys', 'secret_key.py')!.data.toString()).toBe('KEY = "k"\n');
      expect(files.file('cvat-data', 'data/tasks/2/raw/new.jpg')).toBeDefined(); // newer files are kept
      expect(result.data.shares.map((s) => [s.share, s.restored, s.failed.length])).toEqual([
        ['cvat-data', 2, 0],
        ['cvat-keys', 1, 0],
      ]);
      const lines = result.view.flatMap((b) => (b.kind === 'lines' ? b.lines : []));
      expect(lines).toContain(
        `  3. npx nx run infra:deploy -- --env test   (imports ${expected()} and its database, moves every app's CVAT_POSTGRES_HOST)`,
      );
    });

    it('after an earlier restore (postgres.serverName set) restores from the server the point was recorded on', async () => {
      const current = `${server}-r202601010000`;
      arm.addPgServer(current);
      const file = join(repo.dir, 'environments', 'test.yaml');
      writeFileSync(file, `${readFileSync(file, 'utf8')}\npostgres:\n  serverName: ${current}\n`);
      const result = await backupRestore({ ...env({ yes: true }), id }, runtime, deps);
      expect(result.exitCode ?? EXIT.OK).toBe(EXIT.OK);
      // named after the derived server (no stacked -r suffixes), restored from the point's own server
      const put = arm.requests.find((r) => r.method === 'PUT' && r.path.endsWith(`/flexibleServers/${expected()}`))!;
      expect((put.body as { properties: { sourceServerResourceId: string } }).properties.sourceServerResourceId).toMatch(
        new RegExp(`/flexibleServers/${server}$`),
      );
      expect(result.data.next[0]).toContain(`(server ${current} is kept)`);

      // the point's server deleted since: exit 6, nothing created
      arm.pgServers.delete(server);
      const before = arm.requests.filter((r) => r.method === 'PUT').length;
      const gone = await backupRestore({ ...env({ yes: true }), id, serverName: 'another-name-r1' }, runtime, deps).catch(
        (e: CliError) => e,
      );
      expect((gone as CliError).exit).toBe(EXIT.NOT_FOUND);
      expect((gone as CliError).message).toContain(
        `PostgreSQL server '${server}', on which recovery point ${id} was recorded, no longer exists`,
      );
      expect(arm.requests.filter((r) => r.method === 'PUT').length).toBe(before);
    });

    it('a failed server restore leaves the shares untouched and says exactly what exists, exit 1', async () => {
      arm.failPgServerCreate(expected(), 'Restore failed: the source server is being updated.');
      const result = await backupRestore({ ...env({ yes: true }), id }, runtime, deps);
      expect(result.exitCode).toBe(EXIT.FAILED);
      expect(result.data.server.created).toBe(false);
      expect(result.data.steps.map((s) => [s.step, s.status])).toEqual([
        [`create server ${expected()}`, 'failed'],
        ['restore share cvat-data', 'skipped'],
        ['restore share cvat-keys', 'skipped'],
      ]);
      expect(result.data.steps[0]!.detail).toContain('the source server is being updated');
      expect(files.counts['file-copy']).toBe(0);
      expect(files.file('cvat-keys', 'secret_key.py')!.data.toString()).toBe('KEY = "other"\n');
    });

    it('a file that cannot be copied half-way is reported by path; the rest is restored, exit 1', async () => {
      files.addFault({ op: 'file-copy', path: 'data/tasks/1/raw/frame_000.jpg', status: 500, code: 'InternalError' });
      const result = await backupRestore({ ...env({ yes: true }), id }, runtime, deps);
      expect(result.exitCode).toBe(EXIT.FAILED);
      expect(result.data.server.created).toBe(true);
      expect(result.data.shares[0]).toMatchObject({
        share: 'cvat-data',
        files: 2,
        restored: 1,
        failed: [{ path: 'data/tasks/1/raw/frame_000.jpg' }],
      });
      expect(result.data.shares[1]).toMatchObject({ share: 'cvat-keys', restored: 1, failed: [] });
      expect(result.data.steps[1]).toMatchObject({ status: 'failed', detail: expect.stringContaining('1 of 2 files restored') });
      const lines = result.view.flatMap((b) => (b.kind === 'lines' ? b.lines : []));
      expect(lines.some((l) => l.includes(`--server-name ${expected()}`))).toBe(true);
    });

    it('refuses a point whose database time is outside the restore window, before creating anything', async () => {
      arm.pgServers.get(server)!.properties.backup = { backupRetentionDays: 7, earliestRestoreDate: new Date().toISOString() };
      const error = (await backupRestore({ ...env({ yes: true }), id }, runtime, deps).catch((e: unknown) => e)) as CliError;
      expect(error.exit).toBe(EXIT.FAILED);
      expect(error.message).toContain("before the server's earliest restore point");
      expect(arm.requests.filter((r) => r.method === 'PUT')).toHaveLength(0);
    });

    it('an unknown recovery point is exit 6; a malformed id exit 2; no terminal and no --yes exit 3 before any request', async () => {
      await expect(backupRestore({ ...env({ yes: true }), id: 'test-20200101t000000z' }, runtime, deps)).rejects.toMatchObject({
        exit: EXIT.NOT_FOUND,
      });
      await expect(backupRestore({ ...env({ yes: true }), id: '../etc' }, runtime, deps)).rejects.toMatchObject({ exit: EXIT.USAGE });
      const before = arm.requests.length + files.requests.length;
      await expect(backupRestore({ ...env(), id }, runtime, deps)).rejects.toMatchObject({ exit: EXIT.REFUSED });
      expect(arm.requests.length + files.requests.length).toBe(before);
    });
  });

  it('prune: deletes the points outside the rules (snapshots, on-demand backup, manifest last) and keeps the rest', async () => {
    const at = (days: number) => ({ ...deps, now: () => new Date(Date.now() - days * DAY) });
    const p10 = await backupCreate({ ...env(), dbBackup: true }, runtime, at(10));
    const p5 = await backupCreate(env(), runtime, at(5));
    const p1 = await backupCreate(env(), runtime, at(1));
    const dry = await backupPrune({ ...env({ dryRun: true }), keepDays: 3 }, runtime, deps);
    expect(dry.data.removed.map((r) => r.id)).toEqual([p5.data.id, p10.data.id]);
    expect(files.snapshots('cvat-data')).toHaveLength(3);
    const result = await backupPrune({ ...env({ yes: true }), keepDays: 3 }, runtime, deps);
    expect(result.exitCode ?? EXIT.OK).toBe(EXIT.OK);
    expect(result.data.kept).toEqual([p1.data.id]);
    expect(result.data.removed.find((r) => r.id === p10.data.id)).toMatchObject({
      manifestDeleted: true,
      onDemandBackupDeleted: true,
      failed: [],
    });
    expect(files.snapshots('cvat-data').map((s) => s.metadata.cvatbackup)).toEqual([p1.data.id]);
    expect(files.files('cvat-config')).toEqual([`backups/${p1.data.id}.json`]);
    expect(arm.pgBackups.get(server)).toEqual([]);
  });

  it('prune: a snapshot that cannot be deleted keeps its manifest and is reported, exit 1', async () => {
    const p = await backupCreate(env(), runtime, { ...deps, now: () => new Date(Date.now() - 5 * DAY) });
    files.addFault({ op: 'share-delete', nth: 2, status: 409, code: 'ShareSnapshotOperationNotSupported' });
    const result = await backupPrune({ ...env({ yes: true }), keepLast: 0 }, runtime, deps);
    expect(result.exitCode).toBe(EXIT.FAILED);
    expect(result.data.removed[0]).toMatchObject({
      id: p.data.id,
      manifestDeleted: false,
      failed: [expect.stringContaining('snapshot cvat-keys@')],
    });
    expect(result.data.removed[0]!.snapshotsDeleted).toEqual([expect.stringMatching(/^cvat-data@/)]);
    expect(files.files('cvat-config')).toEqual([`backups/${p.data.id}.json`]);
  });

  it('through the CLI: prune needs a rule (exit 2), restore refuses without --yes off a terminal (exit 3), list --json', async () => {
    expect(await runCli(['backup', 'prune', '--env', 'test'], runtime).catch((e: CliError) => e.exit)).toBe(EXIT.USAGE);
    expect(await runCli(['backup', 'prune', '--env', 'test', '--keep-days', 'x'], runtime).catch((e: CliError) => e.exit)).toBe(EXIT.USAGE);
    expect(await runCli(['backup', 'restore', 'test-20261203t000000z', '--env', 'test'], runtime).catch((e: CliError) => e.exit)).toBe(
      EXIT.REFUSED,
    );
    await backupCreate(env(), runtime, deps);
    const out = testRuntime({ cwd: repo.dir, armEndpoint: arm.url, fileEndpoint: files.endpointTemplate, env: runtime.env });
    expect(await runCli(['backup', 'list', '--env', 'test', '--json'], out)).toBe(EXIT.OK);
    const listed = JSON.parse(out.out()) as { points: { state: string }[] };
    expect(listed.points.map((p) => p.state)).toEqual(['restorable']);
  });
});

/**
 * The database-role step: its execution override against the loopback fake ARM server, and its Python against a REAL
 * PostgreSQL (the one .ci/run starts and describes with PGTEST_*) with a real psycopg2, as a CREATEROLE/CREATEDB
 * administrator like Azure's. Without PGTEST_HOST, psql or a python3 with psycopg2 those tests are skipped with the
 * reason printed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeArmClient, type FakeJobScript, startFakeArm } from './support/fake-arm';
import { initJobDefinition } from './support/init-job-definition';
import {
  DATABASE_ROLE_ARGS,
  DATABASE_ROLE_PYTHON,
  databaseRoleTemplate,
  runDatabaseRoleStep,
  SCRAM_VERIFIER_PYTHON,
} from '../../src/deploy/database-role';

const SUB = '00000000-0000-0000-0000-000000000003';
const ROLE_ENV = [
  { name: 'CVAT_POSTGRES_HOST', value: 'cvat-dev-pg.postgres.database.azure.com' },
  { name: 'CVAT_POSTGRES_DBNAME', value: 'cvat' },
  { name: 'CVAT_POSTGRES_USER', value: 'cvat_app' },
  { name: 'CVAT_POSTGRES_PASSWORD', secretRef: 'postgres-cvat-password' },
  { name: 'CVAT_POSTGRES_ADMIN_USER', value: 'cvatadmin' },
  { name: 'CVAT_POSTGRES_ADMIN_PASSWORD', secretRef: 'postgres-admin-password' },
];
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});
const job = (o: Parameters<typeof initJobDefinition>[0] = {}) => {
  const d = initJobDefinition({ env: ROLE_ENV, ...o }) as { name: string; properties: { template: unknown } };
  return { name: d.name, template: d.properties.template } as Parameters<typeof databaseRoleTemplate>[0];
};

describe('the database-role step against a loopback fake ARM server', () => {
  it('reads the job and starts one execution running python3 -c with the job env, secrets by reference', async () => {
    const jobs: Record<string, FakeJobScript> = {
      'cvat-init': { statuses: ['Running', 'Succeeded'], definition: initJobDefinition({ env: ROLE_ENV }) },
    };
    const server = await startFakeArm(jobs, { subscriptionId: SUB, resourceGroup: 'cvat-dev-rg' });
    cleanup.push(() => server.close());
    const outcome = await runDatabaseRoleStep(fakeArmClient(server), {
      resourceGroup: 'cvat-dev-rg',
      jobName: 'cvat-init',
      containerName: 'cvat-init',
      pollIntervalMs: 1,
      sleep: async () => undefined,
    });
    expect(outcome).toMatchObject({ status: 'Succeeded', role: 'cvat_app' });
    const start = server.requests.find((r) => r.method === 'POST')!;
    expect(start.body).toEqual({
      containers: [
        {
          name: 'cvat-init',
          image: 'cvat/server:v2.73.0',
          command: ['python3'],
          args: [...DATABASE_ROLE_ARGS],
          env: ROLE_ENV,
          resources: { cpu: 0.5, memory: '1Gi' },
        },
      ],
    });
  });
});

describe('databaseRoleTemplate', () => {
  it('refuses a job without the administrator and role variables, naming the field and the missing names', () => {
    expect(() => databaseRoleTemplate(job({ env: ROLE_ENV.slice(0, 4) }), 'cvat-init')).toThrow(
      "job 'cvat-init': 'template.containers[0].env' lacks CVAT_POSTGRES_ADMIN_USER, CVAT_POSTGRES_ADMIN_PASSWORD",
    );
  });

  it('refuses a job whose CVAT_POSTGRES_USER is the administrator (the finding this step fixes)', () => {
    const env = ROLE_ENV.map((e) => (e.name === 'CVAT_POSTGRES_USER' ? { ...e, value: 'cvatadmin' } : e));
    expect(() => databaseRoleTemplate(job({ env }), 'cvat-init')).toThrow(/CVAT_POSTGRES_USER \(cvatadmin\) is the administrator/);
  });

  it('keeps every password out of the command line', () => {
    const c = databaseRoleTemplate(job(), 'cvat-init').containers![0];
    expect([...(c.command ?? []), ...(c.args ?? [])].join(' ')).not.toMatch(/postgres-(admin|cvat)-password/);
  });
});

const E = process.env;
const psqlOk = spawnSync('psql', ['--version']).status === 0;
const PYTHON = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import psycopg2']).status === 0);
const SKIP = !E.PGTEST_HOST
  ? 'PGTEST_HOST is not set (run .ci/run, which starts PostgreSQL and exports PGTEST_*)'
  : !psqlOk
    ? 'no psql on PATH'
    : !PYTHON
      ? 'no python3 with psycopg2 (apt-get install python3-psycopg2)'
      : undefined;
if (SKIP) console.warn(`[skipped] database-role script against PostgreSQL: ${SKIP}`);

/** psql as the local superuser over the admin socket (test set-up only). */
function su(sql: string, database = 'postgres'): string {
  const r = spawnSync('psql', ['-h', E.PGTEST_ADMIN_SOCKET!, '-p', E.PGTEST_PORT!, '-U', 'postgres', '-d', database, '-Atqc', sql], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout.trim();
}
/** psql over TCP with a password (SCRAM), as a given login. */
function login(user: string, password: string, sql: string, database = 'sec_roletest') {
  return spawnSync('psql', ['-h', E.PGTEST_HOST!, '-p', E.PGTEST_PORT!, '-U', user, '-d', database, '-Atqc', sql], {
    encoding: 'utf8',
    env: { ...process.env, PGPASSWORD: password, PGSSLMODE: 'require' },
  });
}

(SKIP ? describe.skip : describe)('the database-role script against a real PostgreSQL', () => {
  const adminPassword = `adm-${process.pid}-x7Qp`;
  const rolePassword = `app-${process.pid}-Zk3w`;
  const run = (env: Record<string, string>) =>
    spawnSync(PYTHON!, ['-c', DATABASE_ROLE_PYTHON], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        CVAT_POSTGRES_HOST: E.PGTEST_HOST!,
        CVAT_POSTGRES_PORT: E.PGTEST_PORT!,
        CVAT_POSTGRES_DBNAME: 'sec_roletest',
        CVAT_POSTGRES_USER: 'sec_cvat_app',
        CVAT_POSTGRES_PASSWORD: rolePassword,
        CVAT_POSTGRES_ADMIN_USER: 'sec_pgadmin',
        CVAT_POSTGRES_ADMIN_PASSWORD: adminPassword,
        ...env,
      },
    });
  const teardown = () => {
    su('DROP DATABASE IF EXISTS sec_roletest');
    su('DROP ROLE IF EXISTS cvat_readonly');
    su('DROP ROLE IF EXISTS sec_cvat_app');
    su('DROP ROLE IF EXISTS sec_pgadmin');
  };
  beforeAll(() => {
    teardown();
    // Like Azure's administrator: CREATEROLE and CREATEDB, not a superuser; it created the database and the
    // tables the migrations made before this change (a serial sequence, a view).
    su(`CREATE ROLE sec_pgadmin LOGIN CREATEROLE CREATEDB PASSWORD '${adminPassword}'`);
    su("ALTER ROLE sec_pgadmin SET log_statement = 'all'");
    su('CREATE DATABASE sec_roletest OWNER sec_pgadmin');
    const r = login(
      'sec_pgadmin',
      adminPassword,
      'CREATE TABLE public.engine_task (id serial PRIMARY KEY, name text); CREATE VIEW public.task_names AS SELECT name FROM public.engine_task',
    );
    if (r.status !== 0) throw new Error(r.stderr);
  });
  afterAll(teardown);

  it('creates the role without CREATEDB/CREATEROLE, hands it the database and every object, and is idempotent', () => {
    const first = run({});
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/cvat-db-role: created role sec_cvat_app .* owner of database sec_roletest and of 2 object\(s\)/);
    expect(su("SELECT rolcanlogin, rolcreatedb, rolcreaterole, rolsuper FROM pg_roles WHERE rolname = 'sec_cvat_app'")).toBe('t|f|f|f');
    expect(su("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'sec_roletest'")).toBe('sec_cvat_app');
    expect(
      su(
        "SELECT string_agg(relname || ':' || pg_get_userbyid(relowner), ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace",
        'sec_roletest',
      ),
    ).toBe('engine_task:sec_cvat_app,engine_task_id_seq:sec_cvat_app,engine_task_pkey:sec_cvat_app,task_names:sec_cvat_app');
    // The role logs in with its password (SCRAM verifier computed in Python) and can run a migration-like change.
    const app = login('sec_cvat_app', rolePassword, 'ALTER TABLE public.engine_task ADD COLUMN x int; SELECT current_user');
    expect(app.stderr).toBe('');
    expect(app.stdout.trim()).toBe('sec_cvat_app');
    expect(login('sec_cvat_app', rolePassword, 'CREATE DATABASE sec_other').stderr).toMatch(/permission denied to create database/);
    // The read-only role: reads every table (also one the app role creates later), writes none, logs in nowhere.
    expect(su("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'cvat_readonly'")).toBe('f');
    login('sec_cvat_app', rolePassword, 'CREATE TABLE public.later (id int)');
    const reader = login(
      'sec_pgadmin',
      adminPassword,
      'SET ROLE cvat_readonly; SELECT count(*) FROM public.engine_task; SELECT count(*) FROM public.later',
    );
    expect(reader.stderr).toBe('');
    expect(reader.stdout.trim().split('\n')).toEqual(['0', '0']);
    expect(
      login('sec_pgadmin', adminPassword, "SET ROLE cvat_readonly; INSERT INTO public.engine_task (name) VALUES ('x')").stderr,
    ).toMatch(/permission denied for table engine_task/);
    const second = run({});
    expect(second.stderr).toBe('');
    expect(second.stdout).toMatch(/altered role sec_cvat_app .* 0 object\(s\)/);
  });

  it('never sends the password in clear: the statement log has the verifier, not the password', () => {
    const log = join(E.PGTEST_ADMIN_SOCKET!, 'server.log');
    if (!existsSync(log)) return; // .ci/run writes the server log there; another layout cannot be read.
    const text = readFileSync(log, 'utf8');
    expect(text).toContain('ROLE "sec_cvat_app" WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD \'SCRAM-SHA-256$4096:');
    expect(text).not.toContain(rolePassword);
  });

  it('refuses to run when CVAT_POSTGRES_USER is the administrator', () => {
    const r = run({ CVAT_POSTGRES_USER: 'sec_pgadmin' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('must be the application role, not the administrator');
  });

  it('computes the verifier PostgreSQL itself accepts', () => {
    const r = spawnSync(PYTHON!, ['-c', `${SCRAM_VERIFIER_PYTHON}\nprint(scram_verifier('p4ss', salt=b'0123456789abcdef'))`], {
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).toMatch(/^SCRAM-SHA-256\$4096:MDEyMzQ1Njc4OWFiY2RlZg==\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
  });
});

/**
 * The database-role step of a deploy: one execution of the cvat-init job, with a container override, that makes
 * sure CVAT's own PostgreSQL role exists and owns the CVAT database, so the server, the workers and the migrations
 * log in as that role and never as the server administrator.
 *
 * The role is created by the administrator (Azure's `azure_pg_admin` member, which has CREATEROLE and CREATEDB) with
 * LOGIN, NOCREATEDB and NOCREATEROLE. It owns the database, its `public` schema and every table, view and sequence in
 * it, so Django's migrations (run as the role) can alter them. The administrator password is only on the init job.
 * The step also keeps a NOLOGIN `cvat_readonly` role with SELECT on the schema (also on tables created later), granted
 * to the administrator: `cvat-ops db query` switches to it for read-only statements.
 *
 * The password is sent as a SCRAM-SHA-256 verifier computed in the container, never as plain text, so statement
 * logging (`log_statement`) or pgaudit on the server cannot record it (the verifier format is PostgreSQL's
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, RFC 5803; postgres/postgres src/common/scram-common.c
 * `scram_build_secret`). The driver is the one the cvat/server image already carries (psycopg2-binary in
 * cvat-ai/cvat cvat/requirements/base.in; psycopg 3 is tried too).
 *
 * @see https://learn.microsoft.com/azure/postgresql/flexible-server/how-to-create-users
 */
import type { Job, JobExecutionTemplate } from '@azure/arm-appcontainers';
import { DeployError } from './errors';
import { type InitJobClient, type InitJobOutcome, initJobOverrideTemplate, type RunInitJobOptions, runInitJobOverride } from './init-job';

/** Environment variables the step reads; the init job's container must carry all of them. */
export const DATABASE_ROLE_ENV = [
  'CVAT_POSTGRES_HOST',
  'CVAT_POSTGRES_DBNAME',
  'CVAT_POSTGRES_USER',
  'CVAT_POSTGRES_PASSWORD',
  'CVAT_POSTGRES_ADMIN_USER',
  'CVAT_POSTGRES_ADMIN_PASSWORD',
] as const;

/** The SCRAM-SHA-256 verifier function (also run on its own by the tests against a real PostgreSQL). */
export const SCRAM_VERIFIER_PYTHON = [
  'import base64, hashlib, hmac, os, sys',
  'def scram_verifier(password, salt=None, iterations=4096):',
  '    salt = salt or os.urandom(16)',
  "    salted = hashlib.pbkdf2_hmac('sha256', password.encode('utf-8'), salt, iterations)",
  "    client_key = hmac.new(salted, b'Client Key', 'sha256').digest()",
  '    stored_key = hashlib.sha256(client_key).digest()',
  "    server_key = hmac.new(salted, b'Server Key', 'sha256').digest()",
  "    b64 = lambda b: base64.b64encode(b).decode('ascii')",
  "    return 'SCRAM-SHA-256$%d:%s$%s:%s' % (iterations, b64(salt), b64(stored_key), b64(server_key))",
].join('\n');

/**
 * The Python the step runs (`python3 -c`, no shell): idempotent, one transaction. Reads every value from the
 * environment (secrets through the job's Key Vault references), prints no secret.
 */
export const DATABASE_ROLE_PYTHON = [
  SCRAM_VERIFIER_PYTHON,
  'try:',
  '    import psycopg2 as driver',
  '    from psycopg2 import sql',
  'except ImportError:',
  '    import psycopg as driver',
  '    from psycopg import sql',
  'env = os.environ',
  "admin, role, db = env['CVAT_POSTGRES_ADMIN_USER'], env['CVAT_POSTGRES_USER'], env['CVAT_POSTGRES_DBNAME']",
  'if role == admin:',
  "    sys.exit('cvat-db-role: CVAT_POSTGRES_USER (' + role + ') must be the application role, not the administrator')",
  "conn = driver.connect(host=env['CVAT_POSTGRES_HOST'], port=int(env.get('CVAT_POSTGRES_PORT') or '5432'), user=admin,",
  "    password=env['CVAT_POSTGRES_ADMIN_PASSWORD'], dbname=db, sslmode=env.get('CVAT_POSTGRES_SSLMODE') or 'require', connect_timeout=30)",
  'cur = conn.cursor()',
  'I = sql.Identifier',
  "cur.execute('SELECT 1 FROM pg_roles WHERE rolname = %s', (role,))",
  "verb = 'ALTER' if cur.fetchone() else 'CREATE'",
  "cur.execute(sql.SQL(verb + ' ROLE {} WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD {}').format(",
  "    I(role), sql.Literal(scram_verifier(env['CVAT_POSTGRES_PASSWORD']))))",
  "cur.execute(sql.SQL('GRANT {} TO {}').format(I(role), I(admin)))",
  "cur.execute(sql.SQL('ALTER DATABASE {} OWNER TO {}').format(I(db), I(role)))",
  'cur.execute("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = \'public\'")',
  "if cur.fetchone()[0] not in (role, 'pg_database_owner'):",
  "    cur.execute(sql.SQL('ALTER SCHEMA public OWNER TO {}').format(I(role)))",
  'cur.execute("""SELECT c.relkind, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace',
  "    WHERE n.nspname = 'public' AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = %s)",
  "    AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND NOT EXISTS (SELECT 1 FROM pg_depend d",
  "      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))\"\"\", (role,))",
  "kinds = {'r': 'TABLE', 'p': 'TABLE', 'v': 'VIEW', 'm': 'MATERIALIZED VIEW', 'f': 'FOREIGN TABLE', 'S': 'SEQUENCE'}",
  'moved = 0',
  'for kind, name in cur.fetchall():',
  "    cur.execute(sql.SQL('ALTER ' + kinds[kind] + ' public.{} OWNER TO {}').format(I(name), I(role)))",
  '    moved += 1',
  // The read-only role cvat-ops db query switches to: SELECT on everything in public, now and for tables the app role
  // creates later; NOLOGIN, granted to the administrator so that login can SET ROLE to it.
  "reader = env.get('CVAT_POSTGRES_READONLY_ROLE') or 'cvat_readonly'",
  "cur.execute('SELECT 1 FROM pg_roles WHERE rolname = %s', (reader,))",
  'if not cur.fetchone():',
  "    cur.execute(sql.SQL('CREATE ROLE {} NOLOGIN').format(I(reader)))",
  "cur.execute(sql.SQL('GRANT {} TO {}').format(I(reader), I(admin)))",
  "cur.execute(sql.SQL('GRANT CONNECT ON DATABASE {} TO {}').format(I(db), I(reader)))",
  "cur.execute(sql.SQL('GRANT USAGE ON SCHEMA public TO {}').format(I(reader)))",
  "cur.execute(sql.SQL('GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}').format(I(reader)))",
  "cur.execute(sql.SQL('GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {}').format(I(reader)))",
  "cur.execute(sql.SQL('ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT SELECT ON TABLES TO {}').format(I(role), I(reader)))",
  "cur.execute(sql.SQL('ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT SELECT ON SEQUENCES TO {}').format(I(role), I(reader)))",
  'conn.commit()',
  "print('cvat-db-role: ' + ('altered' if verb == 'ALTER' else 'created') + ' role ' + role + ' (LOGIN NOCREATEDB NOCREATEROLE), owner of database ' + db +",
  "    ' and of ' + str(moved) + ' object(s) moved from other owners')",
].join('\n');

/** Container `command` of the step: Python itself, no shell (the script is one argument). */
export const DATABASE_ROLE_COMMAND: readonly string[] = ['python3'];

/** Container `args` of the step. */
export const DATABASE_ROLE_ARGS: readonly string[] = ['-c', DATABASE_ROLE_PYTHON];

/**
 * The `JobExecutionTemplate` that runs the database-role step in the init job's own container: image, resources and
 * every env entry copied from the deployed job (secret references by reference), only `command` and `args` replaced.
 *
 * Throws {@link DeployError} `BAD_INPUT` naming the field when the job has no such container, or the container lacks the
 * image, resources or one of {@link DATABASE_ROLE_ENV}, or names the administrator as `CVAT_POSTGRES_USER`.
 */
export function databaseRoleTemplate(job: Job, containerName: string): JobExecutionTemplate {
  return initJobOverrideTemplate(job, containerName, {
    step: 'database-role',
    command: DATABASE_ROLE_COMMAND,
    args: DATABASE_ROLE_ARGS,
    requiredEnv: DATABASE_ROLE_ENV,
    missingEnvHint:
      'the init job must carry the administrator (CVAT_POSTGRES_ADMIN_USER/PASSWORD) and the application role (CVAT_POSTGRES_USER/PASSWORD)',
    checkEnv: (env, field) => {
      const value = (name: string) => env.find((e) => e.name === name)?.value;
      const user = value('CVAT_POSTGRES_USER');
      if (user !== undefined && user === value('CVAT_POSTGRES_ADMIN_USER')) {
        throw new DeployError('BAD_INPUT', `${field} CVAT_POSTGRES_USER (${user}) is the administrator; CVAT must log in as its own role`);
      }
    },
  });
}

/** What the database-role step did. */
export interface DatabaseRoleOutcome extends InitJobOutcome {
  /** The role the execution ensured (the job's `CVAT_POSTGRES_USER` value). */
  readonly role?: string;
}

/**
 * Reads the deployed init job, starts one execution with the {@link databaseRoleTemplate} override and waits for it
 * like the migrations (`runInitJob`). Returns the outcome for any terminal state; the caller decides what a failure
 * means (the migrations must not run before it has succeeded once, since they log in as the role).
 */
export async function runDatabaseRoleStep(
  client: InitJobClient,
  options: Omit<RunInitJobOptions, 'template' | 'label' | 'step'> & { readonly containerName: string },
): Promise<DatabaseRoleOutcome> {
  const build = (job: Job) => databaseRoleTemplate(job, options.containerName);
  const { outcome, value } = await runInitJobOverride(client, options, {
    build,
    code: 'INIT_JOB_FAILED',
    step: 'database-role',
    label: 'database role',
  });
  return { ...outcome, role: value('CVAT_POSTGRES_USER') };
}

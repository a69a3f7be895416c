import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from './support/temp-dir';
import { fakeArmClient, type FakeJobScript, startFakeArm } from './support/fake-arm';
import { EXPECTED_SUPERUSER_BODY, initJobDefinition } from './support/init-job-definition';
import { runSuperuserStep, SUPERUSER_ARGS, SUPERUSER_COMMAND, SUPERUSER_PYTHON, superuserTemplate } from '../../src/deploy/superuser';

const SUB = '00000000-0000-0000-0000-000000000002';
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function arm(jobs: Record<string, FakeJobScript>) {
  const server = await startFakeArm(jobs, { subscriptionId: SUB, resourceGroup: 'cvat-dev-rg' });
  cleanup.push(() => server.close());
  return { server, client: fakeArmClient(server) };
}

describe('the superuser step against a loopback fake ARM server', () => {
  it('reads the job, then starts one execution whose body is a complete JobExecutionTemplate with only command and args replaced', async () => {
    const { server, client } = await arm({ 'cvat-init': { statuses: ['Running', 'Succeeded'], definition: initJobDefinition() } });
    const lines: string[] = [];
    const outcome = await runSuperuserStep(client, {
      resourceGroup: 'cvat-dev-rg',
      jobName: 'cvat-init',
      containerName: 'cvat-init',
      pollIntervalMs: 1,
      sleep: async () => undefined,
      log: (l) => lines.push(l),
    });
    expect(outcome).toMatchObject({ executionName: 'cvat-init-exec1', status: 'Succeeded', username: 'admin' });
    const base = `/subscriptions/${SUB}/resourceGroups/cvat-dev-rg/providers/Microsoft.App/jobs/cvat-init`;
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${base}`,
      `POST ${base}/start`,
      `GET ${base}/executions/cvat-init-exec1`,
      `GET ${base}/executions/cvat-init-exec1`,
    ]);
    const start = server.requests.find((r) => r.method === 'POST')!;
    expect(start.body).toEqual(EXPECTED_SUPERUSER_BODY);
    expect(JSON.stringify(start.body)).not.toMatch(/volumeMounts|ephemeralStorage|initContainers/);
    expect(lines).toEqual([
      'superuser: execution cvat-init-exec1 started',
      'superuser: cvat-init-exec1 is Running',
      'superuser: cvat-init-exec1 is Succeeded',
    ]);
  });

  it('returns a failed execution for the caller to report', async () => {
    const { client } = await arm({ 'cvat-init': { statuses: ['Running', 'Failed'], definition: initJobDefinition() } });
    const outcome = await runSuperuserStep(client, {
      resourceGroup: 'cvat-dev-rg',
      jobName: 'cvat-init',
      containerName: 'cvat-init',
      pollIntervalMs: 1,
      sleep: async () => undefined,
    });
    expect(outcome.status).toBe('Failed');
  });

  it('fails naming the job and the superuser step when the job cannot be read, and starts nothing', async () => {
    const { server, client } = await arm({});
    const error = await runSuperuserStep(client, {
      resourceGroup: 'cvat-dev-rg',
      jobName: 'cvat-init',
      containerName: 'cvat-init',
      pollIntervalMs: 1,
      sleep: async () => undefined,
    }).catch((e: unknown) => e as Error & { step?: string; code?: string });
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/could not read job 'cvat-init' in resource group 'cvat-dev-rg': .*was not found/);
    expect((error as { step?: string }).step).toBe('superuser');
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});

describe('superuserTemplate', () => {
  const job = (o: Parameters<typeof initJobDefinition>[0] = {}) => {
    const d = initJobDefinition(o) as { name: string; properties: { template: unknown } };
    return { name: d.name, template: d.properties.template } as Parameters<typeof superuserTemplate>[0];
  };

  it('refuses a job whose container lacks a DJANGO_SUPERUSER_* variable, naming the field and the missing names', () => {
    expect(() => superuserTemplate(job({ env: [{ name: 'DJANGO_SUPERUSER_USERNAME', value: 'admin' }] }), 'cvat-init')).toThrow(
      "job 'cvat-init': 'template.containers[0].env' lacks DJANGO_SUPERUSER_EMAIL, DJANGO_SUPERUSER_PASSWORD",
    );
  });

  it('uses the only container when the names differ, and refuses when there is no container', () => {
    expect(superuserTemplate(job({ containerName: 'main' }), 'cvat-init').containers![0].name).toBe('main');
    expect(() =>
      superuserTemplate(
        { name: 'cvat-init', location: 'eastus', template: { containers: [] } } as Parameters<typeof superuserTemplate>[0],
        'cvat-init',
      ),
    ).toThrow("'template.containers' (none) has no container named 'cvat-init'");
  });

  it('keeps the password out of the command line: it is only an env secret reference', () => {
    const t = superuserTemplate(job(), 'cvat-init');
    const c = t.containers![0];
    expect([...(c.command ?? []), ...(c.args ?? [])].join(' ')).not.toMatch(/password\s*=|--password|cvat-superuser-password/i);
    expect(c.env!.find((e) => e.name === 'DJANGO_SUPERUSER_PASSWORD')).toEqual({
      name: 'DJANGO_SUPERUSER_PASSWORD',
      secretRef: 'cvat-superuser-password',
    });
    expect(SUPERUSER_COMMAND).toEqual(['/bin/sh', '-c']);
  });
});

const PYTHON = spawnSync('python3', ['--version']).status === 0 ? 'python3' : undefined;
const SKIP_PYTHON = PYTHON ? undefined : 'no python3 on PATH: the superuser script tests are skipped';
if (SKIP_PYTHON) console.warn(`[skipped] ${SKIP_PYTHON}`);
const describeWithPython = SKIP_PYTHON ? describe.skip : describe;

describe('the superuser script', () => {
  it('survives sh -c quoting: manage.py shell receives the Python code unchanged', () => {
    const dir = makeTempDir('cvat-superuser-sh-');
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const captured = join(dir, 'argv');
    // A stand-in python3 that records its arguments; `cd` is shadowed because /home/django does not exist here.
    writeFileSync(join(dir, 'python3'), `#!/bin/sh\nprintf '%s' "$1|$2|$3" > '${captured}.head'\nprintf '%s' "$4" > '${captured}'\n`);
    chmodSync(join(dir, 'python3'), 0o755);
    const r = spawnSync('/bin/sh', ['-c', `cd() { :; }; ${SUPERUSER_ARGS[0]}`], { env: { PATH: `${dir}:/usr/bin:/bin` } });
    expect(r.status).toBe(0);
    expect(readFileSync(`${captured}.head`, 'utf8')).toBe('manage.py|shell|-c');
    expect(readFileSync(captured, 'utf8')).toBe(SUPERUSER_PYTHON);
    expect(SUPERUSER_ARGS[0].startsWith('cd /home/django && exec python3 manage.py shell -c "')).toBe(true);
  });
});

describeWithPython('the superuser Python code against a stand-in Django user model', () => {
  /** Runs the code with a fake `django.contrib.auth` whose users are listed in a JSON file. */
  function run(existing: string[]): { status: number | null; stdout: string; calls: unknown[] } {
    const dir = makeTempDir('cvat-superuser-py-');
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const pkg = join(dir, 'django', 'contrib', 'auth');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(dir, 'django', '__init__.py'), '');
    writeFileSync(join(dir, 'django', 'contrib', '__init__.py'), '');
    const calls = join(dir, 'calls.json');
    writeFileSync(
      join(pkg, '__init__.py'),
      [
        'import json',
        `EXISTING = ${JSON.stringify(existing)}`,
        `CALLS = ${JSON.stringify(calls)}`,
        'class Q:',
        '    def __init__(self, hit): self.hit = hit',
        '    def exists(self): return self.hit',
        'class Manager:',
        '    def filter(self, username): return Q(username in EXISTING)',
        '    def create_superuser(self, username, email, password):',
        "        json.dump([username, email, password], open(CALLS, 'w'))",
        'class User:',
        '    objects = Manager()',
        'def get_user_model(): return User',
      ].join('\n'),
    );
    const r = spawnSync(PYTHON!, ['-c', SUPERUSER_PYTHON], {
      env: {
        PATH: process.env.PATH,
        PYTHONPATH: dir,
        DJANGO_SUPERUSER_USERNAME: 'admin',
        DJANGO_SUPERUSER_EMAIL: 'admin@cvat.invalid',
        DJANGO_SUPERUSER_PASSWORD: 's3cret-from-kv',
      },
      encoding: 'utf8',
    });
    let made: unknown[] = [];
    try {
      made = JSON.parse(readFileSync(calls, 'utf8'));
    } catch {
      made = [];
    }
    return { status: r.status, stdout: r.stdout, calls: made };
  }

  it('creates the superuser from the environment when no user of that name exists', () => {
    const r = run([]);
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['admin', 'admin@cvat.invalid', 's3cret-from-kv']);
    expect(r.stdout).toContain('cvat-superuser: created superuser admin');
  });

  it('leaves an existing user alone: no create, no password reset', () => {
    const r = run(['admin']);
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.stdout).toContain('user admin already exists; its password was left unchanged');
  });
});

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resourceNames } from '@cvat-cloud/catalogue';
import { runInfraCli } from '../../src/cli';
import type { InfraIo } from '../../src/commands/context';
import { fakeTerraformPath as makeFakeTerraform } from '../support/fake-terraform';
import { makeTempDir } from '../deploy/support/temp-dir';
import { synthesize, type Synthesized } from '../support/synth';
import { FakeCredential, FakePreflightArmServer, healthyWorld } from './support/fake-preflight-arm-server';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const SUB = '11111111-2222-3333-4444-555555555555';
const SP_ENV = {
  ARM_CLIENT_ID: '00000000-0000-0000-0000-00000000000c',
  ARM_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  ARM_CLIENT_SECRET: 'not-a-real-secret',
  ARM_SUBSCRIPTION_ID: SUB,
};
const cleanup: Array<() => unknown> = [];
let syn: Synthesized;

beforeAll(() => {
  syn = synthesize();
});
afterAll(() => syn?.dispose());
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function tempDir(prefix: string): string {
  const dir = makeTempDir(prefix);
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function armDouble(change: (s: FakePreflightArmServer) => void = () => undefined): Promise<FakePreflightArmServer> {
  const server = new FakePreflightArmServer(healthyWorld());
  change(server);
  await server.start();
  cleanup.push(() => server.stop());
  return server;
}

async function preflightCli(argv: string[], env: NodeJS.ProcessEnv, extra: Partial<InfraIo> = {}) {
  let out = '';
  let err = '';
  const synthCalls: string[] = [];
  const code = await runInfraCli(['preflight', ...argv], {
    env,
    cwd: REPO_ROOT,
    stdinIsTTY: false,
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    synth: async (name: string) => void synthCalls.push(name),
    ...extra,
  });
  return { code, out, err, synthCalls };
}

/** `cvat-infra <argv>` (deploy, plan) in-process; the state root is a scratch folder unless given. */
async function deployMain(argv: string[], io: Omit<InfraIo, 'out'> & { out?: InfraIo['out'] }): Promise<number> {
  const withState = argv.includes('--state-dir') || argv[0] === 'plan' ? argv : [...argv, '--state-dir', tempDir('state-')];
  return runInfraCli(withState, { out: () => undefined, ...io });
}

const fakeTerraformPath = () => makeFakeTerraform(tempDir('cvat-preflight-bin-'));

describe('cvat-infra preflight', () => {
  it('fails fast without credentials exactly like the deploy (exit 5, the ways to authenticate), with no ARM call and no synth', async () => {
    const server = await armDouble();
    const env = { PATH: tempDir('empty-'), HOME: tempDir('h-') };
    const r = await preflightCli(['--env', 'example'], env, { preflightEndpoints: { armEndpoint: server.endpoint } });
    expect(r.code).toBe(5);
    expect(r.err).toContain('cvat-infra: error: no Azure credentials found; nothing was changed.');
    expect(r.err).toContain('the Azure CLI: `az login`');
    expect(server.requests).toEqual([]);
    expect(r.synthCalls).toEqual([]);
    const bin = fakeTerraformPath();
    let deployErr = '';
    const deployCode = await deployMain(['deploy', '--env', 'example'], {
      env: { ...env, PATH: bin.path },
      cwd: REPO_ROOT,
      stdinIsTTY: false,
      err: (t) => {
        deployErr += t;
      },
    });
    expect(deployCode).toBe(5);
    expect(r.err).toBe(deployErr);
  });

  it('rejects bad arguments with exit 2, naming the option and the value', async () => {
    for (const [argv, text] of [
      [['--deployer-ip', '300.1.1.1'], "'--deployer-ip' (300.1.1.1) must be an IP address"],
      [['--deployer-ip', '198.51.100.7', '--detect-ip'], 'cannot be used together'],
      [['--check-timeout', '0'], "'--check-timeout' (0) must be a whole number between 1 and 600"],
      [['--subscription', 'my-sub'], "'--subscription' (my-sub) must be a subscription GUID"],
      [['--wat'], "unknown option '--wat'"],
    ] as const) {
      const r = await preflightCli([...argv], { PATH: tempDir('empty-'), HOME: tempDir('h-'), ...SP_ENV, ARM_SUBSCRIPTION_ID: '' });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toContain(text);
    }
  });

  it('prints help with exit 0 and lists every option', async () => {
    const r = await preflightCli(['--help'], {});
    expect(r.code).toBe(0);
    for (const flag of ['--env', '--subscription', '--deployer-ip', '--detect-ip', '--json', '--check-timeout'])
      expect(r.out).toContain(flag);
  });

  it('runs every check against the loopback ARM double: exit 0 with a JSON report when nothing fails', async () => {
    const server = await armDouble();
    const credential = new FakeCredential();
    const r = await preflightCli(
      ['--env', 'example', '--out', syn.outdir, '--json', '--deployer-ip', '203.0.113.10'],
      { PATH: tempDir('empty-'), HOME: tempDir('h-'), ...SP_ENV },
      {
        preflightEndpoints: { armEndpoint: server.endpoint, maxRetries: 1, credential },
      },
    );
    expect(r.err).not.toContain('FAIL');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({
      ok: true,
      environment: 'example',
      subscriptionId: SUB,
      resourceGroup: 'cvat-example-rg',
      counts: { pass: 10, fail: 0, skip: 0 },
    });
    expect(credential.calls).toBe(1);
    expect(r.synthCalls).toEqual([]);
    expect(r.err).toContain('preflight: 10 passed, 0 failed, 0 skipped');
  });

  it('exits 1 when a check fails, repeating its fix last; --subscription must agree with ARM_SUBSCRIPTION_ID (exit 5)', async () => {
    const server = await armDouble((s) => s.world.takenDnsLabels.push(resourceNames(syn.config).dnsLabel));
    const io = { preflightEndpoints: { armEndpoint: server.endpoint, maxRetries: 0, credential: new FakeCredential() } };
    const env = { PATH: tempDir('empty-'), HOME: tempDir('h-'), ...SP_ENV };
    const r = await preflightCli(['--env', 'example', '--out', syn.outdir], env, io);
    expect(r.code).toBe(1);
    const lines = r.err.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^preflight: FAIL dns-label: set `edge\.dnsLabel`/);
    expect(r.err).toContain('preflight: SKIP deployer-ip');

    const other = await preflightCli(
      ['--env', 'example', '--out', syn.outdir, '--subscription', '99999999-2222-3333-4444-555555555555'],
      env,
      io,
    );
    expect(other.code).toBe(5);
    expect(other.err).toContain('differs from ARM_SUBSCRIPTION_ID');
  });

  it('--detect-ip asks the echo service (the double) and checks that address', async () => {
    const server = await armDouble((s) => (s.world.echoIp = '203.0.113.200'));
    const r = await preflightCli(
      ['--env', 'example', '--out', syn.outdir, '--detect-ip', '--json'],
      { PATH: tempDir('empty-'), HOME: tempDir('h-'), ...SP_ENV },
      {
        preflightEndpoints: { armEndpoint: server.endpoint, ipEchoUrl: `${server.endpoint}/ip`, credential: new FakeCredential() },
      },
    );
    expect(r.code).toBe(0);
    const check = JSON.parse(r.out).checks.find((c: { id: string }) => c.id === 'deployer-ip');
    expect(check).toMatchObject({
      status: 'pass',
      detail: `203.0.113.200 (--detect-ip via 127.0.0.1:${new URL(server.endpoint).port}) is inside 203.0.113.0/24`,
    });
    expect(server.calls(/^GET \/ip$/)).toHaveLength(1);
  });
});

describe('deploy runs preflight before the first plan', () => {
  it('stops in preflight when the deployer address is outside adminCidrs: exit 1, the fix in one line, terraform never started', async () => {
    const server = await armDouble();
    const bin = fakeTerraformPath();
    let err = '';
    const code = await deployMain(['deploy', '--yes', '--env', 'example', '--out', syn.outdir, '--deployer-ip', '198.51.100.7'], {
      env: { PATH: bin.path, HOME: tempDir('h-'), ...SP_ENV },
      cwd: REPO_ROOT,
      stdinIsTTY: false,
      err: (t) => {
        err += t;
      },
      synth: async () => {
        throw new Error('the synth output is current; deploy must not synthesize');
      },
      preflightEndpoints: { armEndpoint: server.endpoint, maxRetries: 0, credential: new FakeCredential() },
    });
    expect(code).toBe(1);
    expect(existsSync(bin.log)).toBe(false);
    expect(err).toContain('cvat-infra: error: preflight: 1 check failed, so nothing was planned or changed:');
    expect(err).toContain('  - deployer-ip: 198.51.100.7 (--deployer-ip) is outside adminCidrs (203.0.113.0/24)');
    expect(err).toContain(
      '    fix: add 198.51.100.7/32 (or its network) to `adminCidrs` in environments/example.yaml, synthesize and rerun\n',
    );
    // The ARM checks ran too (against the double), and passed.
    expect(err).toContain('preflight: PASS resource-providers');
    expect(server.calls(/^GET \/subscriptions\/[^/]+$/)).toHaveLength(1);
  });

  it('--skip-preflight warns and goes on to terraform (here the fake, which records the call)', async () => {
    const server = await armDouble();
    const bin = fakeTerraformPath();
    let err = '';
    const code = await deployMain(['deploy', '--yes', '--env', 'example', '--out', syn.outdir, '--skip-preflight', '--skip-init-job'], {
      env: { PATH: bin.path, HOME: tempDir('h-'), ...SP_ENV },
      cwd: REPO_ROOT,
      stdinIsTTY: false,
      err: (t) => {
        err += t;
      },
      preflightEndpoints: { armEndpoint: server.endpoint, credential: new FakeCredential() },
    });
    expect(err).toContain('preflight: WARNING: skipped (--skip-preflight)');
    expect(server.requests).toEqual([]);
    // Past preflight the deploy starts terraform (the fake, whose first call is the version check).
    expect(readFileSync(bin.log, 'utf8').split('\n')[0]).toBe('version -json');
    void code;
  });

  it('--skip-credential-check skips preflight too (it needs credentials) and says so', async () => {
    const bin = fakeTerraformPath();
    let err = '';
    await deployMain(['deploy', '--yes', '--env', 'example', '--out', syn.outdir, '--skip-credential-check'], {
      env: { PATH: bin.path, HOME: tempDir('h-') },
      cwd: REPO_ROOT,
      stdinIsTTY: false,
      err: (t) => {
        err += t;
      },
      preflight: async () => {
        throw new Error('preflight must not run without credentials');
      },
    });
    expect(err).toContain('preflight: skipped (--skip-credential-check): the checks need Azure credentials');
    expect(existsSync(bin.log)).toBe(true);
  });

  it('refuses contradictory preflight flags', async () => {
    let err = '';
    const code = await deployMain(['deploy', '--skip-preflight', '--detect-ip'], {
      env: {},
      cwd: REPO_ROOT,
      stdinIsTTY: false,
      err: (t) => {
        err += t;
      },
    });
    expect(code).toBe(2);
    expect(err).toContain("'--skip-preflight' cannot be used with '--deployer-ip' or '--detect-ip'");
  });

  it('the preflight flags belong to deploy only', async () => {
    let err = '';
    const code = await deployMain(['plan', '--deployer-ip', '203.0.113.1'], {
      env: {},
      cwd: REPO_ROOT,
      stdinIsTTY: false,
      err: (t) => {
        err += t;
      },
    });
    expect(code).toBe(2);
    expect(err).toContain("unknown option '--deployer-ip'");
  });

  it('runs once per synth output across the stacks of an nx deploy:edge chain, and again for another synth or --preflight-again', async () => {
    const server = await armDouble();
    const bin = fakeTerraformPath();
    const state = tempDir('state-');
    const subscriptionGets = () => server.calls(/^GET \/subscriptions\/[^/]+$/).length;
    const run = async (...extra: string[]) => {
      let err = '';
      const code = await deployMain(
        ['deploy', '--yes', '--env', 'example', '--out', syn.outdir, '--state-dir', state, '--skip-init-job', ...extra],
        {
          env: { PATH: bin.path, HOME: tempDir('h-'), ...SP_ENV },
          cwd: REPO_ROOT,
          stdinIsTTY: false,
          err: (t) => {
            err += t;
          },
          preflightEndpoints: { armEndpoint: server.endpoint, maxRetries: 0, credential: new FakeCredential() },
        },
      );
      return { code, err };
    };
    const foundation = await run('--stack', 'foundation');
    expect(foundation.code).toBe(0);
    expect(subscriptionGets()).toBe(1);
    const apps = await run('--stack', 'apps');
    expect(apps.code).toBe(0);
    expect(apps.err).toMatch(/preflight: not run again, passed \d+ min ago for this synth output and subscription/);
    const edge = await run('--stack', 'edge');
    expect(edge.code).toBe(0);
    expect(subscriptionGets()).toBe(1);
    expect(existsSync(join(state, 'example', 'preflight.json'))).toBe(true);
    await run('--stack', 'edge', '--preflight-again');
    expect(subscriptionGets()).toBe(2);
    const marker = JSON.parse(readFileSync(join(state, 'example', 'preflight.json'), 'utf8'));
    writeFileSync(join(state, 'example', 'preflight.json'), JSON.stringify({ ...marker, synthHash: 'another synth' }));
    await run('--stack', 'edge');
    expect(subscriptionGets()).toBe(3);
  });
});

// The options of deploy, plan, destroy and state-bootstrap as the cvat-infra parser builds them: the command module is
// replaced by a recorder, so these tests run no terraform and read no environment.
import { describe, expect, it, vi } from 'vitest';
import type { DeployArgs } from '../../src/deploy/args';
import { infraCli } from '../support/cli';

const received: DeployArgs[] = [];
vi.mock('../../src/commands/deploy', () => ({
  deployCommand: async (args: DeployArgs) => {
    received.push(args);
    return { data: {}, text: '' };
  },
}));

async function parse(argv: string[], env: Record<string, string> = {}): Promise<DeployArgs> {
  received.length = 0;
  const r = await infraCli(argv, { env });
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return received[0]!;
}

describe('cvat-infra deploy|plan|destroy|state-bootstrap options', () => {
  it('has safe defaults: the example environment, terraform, every stack, confirmation on, 60 s lock timeout', async () => {
    expect(await parse(['deploy'])).toMatchObject({
      command: 'deploy',
      env: 'example',
      yes: false,
      binary: 'terraform',
      stacks: [],
      replace: [],
      skipCredentialCheck: false,
      allowDataLoss: false,
      dryRun: false,
      json: false,
      lockTimeoutSeconds: 60,
      preflightAgain: false,
    });
  });

  it.each([
    [['plan', '--env', 'dev', '--binary', 'tofu'], {}, { command: 'plan', env: 'dev', binary: 'tofu' }],
    [
      ['deploy', '-y', '--stack', 'apps', '--replace', 'azurerm_container_app.cvat-ui', '--replace', 'azurerm_container_app.opa'],
      {},
      { yes: true, stacks: ['apps'], replace: ['azurerm_container_app.cvat-ui', 'azurerm_container_app.opa'] },
    ],
    [['destroy', '--dry-run', '--json'], {}, { command: 'destroy', dryRun: true, json: true }],
    [['deploy'], { TF_BINARY: '/opt/tofu/bin/tofu', CVAT_ENV: 'staging' }, { binary: '/opt/tofu/bin/tofu', env: 'staging' }],
    [['deploy', '--binary', 'terraform'], { TF_BINARY: 'tofu' }, { binary: 'terraform' }],
    [
      ['deploy', '--lock-timeout', '0', '--skip-credential-check', '--force-init-job'],
      {},
      { lockTimeoutSeconds: 0, skipCredentialCheck: true, forceInitJob: true },
    ],
    [['state-bootstrap', '--dry-run'], {}, { command: 'state-bootstrap', dryRun: true }],
    [['deploy', '--ensure-superuser'], {}, { ensureSuperuser: true, forceInitJob: false }],
    [['deploy', '--out', 'x/cdktf.out'], {}, { outDir: 'x/cdktf.out' }],
    [['plan', '--out-dir', 'y'], {}, { outDir: 'y' }],
  ])('parses %j (env %j)', async (argv, env, expected) => {
    expect(await parse(argv as string[], env as Record<string, string>)).toMatchObject(expected);
  });

  it.each([
    [[], 'a command is required'],
    [['apply'], "cvat-infra: error: unknown command 'apply'"],
    [['deploy', 'now'], "too many arguments for 'deploy'"],
    [['deploy', '--yolo'], "unknown option '--yolo'"],
    [['deploy', '--lock-timeout', '5m'], "'--lock-timeout' (5m) must be a whole number between 0 and 3600"],
    [['deploy', '--dry-run'], "'--dry-run' applies to destroy and state-bootstrap; for deploy use the 'plan' command"],
    [['destroy', '--replace', 'a.b'], "unknown option '--replace'"],
    [['plan', '--skip-preflight'], "unknown option '--skip-preflight'"],
    [['deploy', '--skip-init-job', '--force-init-job'], "'--skip-init-job' and '--force-init-job' cannot be used together"],
    [
      ['deploy', '--skip-init-job', '--ensure-superuser'],
      "'--skip-init-job' and '--ensure-superuser' cannot be used together: the superuser step runs in the init job",
    ],
    [['deploy', '--stack', ''], "'--stack' ('') must not be empty"],
    [['deploy', '--binary', ' '], "'--binary' ('') must not be empty"],
    [['deploy', '--deployer-ip', 'home'], "'--deployer-ip' (home) must be an IP address"],
    [['deploy', '--deployer-ip', '198.51.100.7', '--detect-ip'], "'--deployer-ip' and '--detect-ip' cannot be used together"],
  ])('rejects %j with exit 2 and a message naming the option and value', async (argv, message) => {
    received.length = 0;
    const r = await infraCli(argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(received).toEqual([]);
  });

  it('prints help with exit 0, without a command too', async () => {
    const r = await infraCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: cvat-infra [options] [command]');
    for (const cmd of ['synth', 'policy', 'validate', 'preflight', 'cost', 'plan', 'deploy', 'destroy', 'state-bootstrap'])
      expect(r.out).toContain(`  ${cmd}`);
    const deploy = await infraCli(['deploy', '--help']);
    expect(deploy.code).toBe(0);
    expect(deploy.out).toContain('--skip-init-job');
    expect(deploy.out).toContain('docs/exit-codes.md');
  });
});

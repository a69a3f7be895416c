import { describe, expect, it } from 'vitest';
import { parseDeployArgs } from '../../src/deploy/args';

describe('parseDeployArgs', () => {
  it('has safe defaults: terraform, every stack, confirmation on, 60 s lock timeout', () => {
    expect(parseDeployArgs(['deploy'])).toMatchObject({
      command: 'deploy',
      env: undefined,
      yes: false,
      binary: 'terraform',
      stacks: [],
      replace: [],
      skipCredentialCheck: false,
      allowDataLoss: false,
      dryRun: false,
      json: false,
      lockTimeoutSeconds: 60,
    });
  });

  it.each([
    [['plan', '--env', 'dev', '--binary', 'tofu'], {}, { command: 'plan', env: 'dev', binary: 'tofu' }],
    [['deploy', '-y', '--stack', 'apps', '--replace', 'azurerm_container_app.cvat-ui', '--replace', 'azurerm_container_app.opa'], {}, { yes: true, stacks: ['apps'], replace: ['azurerm_container_app.cvat-ui', 'azurerm_container_app.opa'] }],
    [['destroy', '--dry-run', '--json'], {}, { command: 'destroy', dryRun: true, json: true }],
    [['deploy'], { TF_BINARY: '/opt/tofu/bin/tofu', CVAT_ENV: 'staging' }, { binary: '/opt/tofu/bin/tofu', env: 'staging' }],
    [['deploy', '--binary', 'terraform'], { TF_BINARY: 'tofu' }, { binary: 'terraform' }],
    [['deploy', '--lock-timeout', '0', '--skip-credential-check', '--force-init-job'], {}, { lockTimeoutSeconds: 0, skipCredentialCheck: true, forceInitJob: true }],
    [['state-bootstrap', '--dry-run'], {}, { command: 'state-bootstrap', dryRun: true }],
    [['deploy', '--ensure-superuser'], {}, { ensureSuperuser: true, forceInitJob: false }],
    [['deploy'], {}, { ensureSuperuser: false }],
  ])('parses %j (env %j)', (argv, env, expected) => {
    expect(parseDeployArgs(argv, env)).toMatchObject(expected);
  });

  it.each([
    [[], 'a command is required: deploy, plan, destroy, state-bootstrap'],
    [['apply'], "command 'apply' is unknown; expected one of deploy, plan, destroy, state-bootstrap"],
    [['deploy', 'now'], "unexpected argument(s) 'now' after 'deploy'"],
    [['deploy', '--yolo'], "Unknown option '--yolo'"],
    [['deploy', '--lock-timeout', '5m'], "'--lock-timeout' (5m) must be a whole number of seconds between 0 and 3600"],
    [['deploy', '--dry-run'], "'--dry-run' applies to destroy and state-bootstrap; for deploy use the 'plan' command"],
    [['destroy', '--replace', 'a.b'], "'--replace' applies to deploy and plan, not destroy"],
    [['deploy', '--skip-init-job', '--force-init-job'], "'--skip-init-job' and '--force-init-job' cannot be used together"],
    [['deploy', '--skip-init-job', '--ensure-superuser'], "'--skip-init-job' and '--ensure-superuser' cannot be used together: the superuser step runs in the init job"],
    [['deploy', '--stack', ''], "'--stack' ('') must not be empty"],
    [['deploy', '--binary', ' '], "'--binary' ('') must name terraform, tofu or a path"],
  ])('rejects %j with a message naming the option and value', (argv, message) => {
    expect(() => parseDeployArgs(argv)).toThrow(message);
    try {
      parseDeployArgs(argv);
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('accepts --help without a command', () => {
    expect(parseDeployArgs(['--help']).help).toBe(true);
  });
});

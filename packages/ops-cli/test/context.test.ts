import { afterEach, describe, expect, it } from 'vitest';
import { armClientSetup } from '../src/context/azure';
import { loadEnvironment, resolveAzureScope } from '../src/context/environment';
import { findOutput, parseTerraformOutputs, readTerraformOutputs } from '../src/context/terraform';
import { CliError, EXIT } from '@cvat-cloud/runtime';
import { FakeCredential, globals, testRuntime } from './support/test-runtime';
import { TEST_SUBSCRIPTION, tempRepo, type TempRepo } from '@cvat-cloud/testing';

const OTHER_SUBSCRIPTION = '99999999-8888-4777-8666-555555555555';

describe('environment context', () => {
  let repo: TempRepo;
  afterEach(() => repo?.cleanup());

  it('loads an environment with its derived names and resolved catalogue', () => {
    repo = tempRepo('dev');
    const env = loadEnvironment({ env: 'dev' }, { cwd: repo.dir }, 'status');
    expect(env.names.resourceGroup).toBe('cvat-dev-rg');
    expect(env.catalogue.components.some((c) => c.name === 'cvat-server')).toBe(true);
  });

  it('asks for --env when none is given, naming the command', () => {
    expect(() => loadEnvironment({}, { cwd: '/' }, 'db check')).toThrow(/^db check needs an environment: pass --env <name>/);
  });

  it('reports a missing environment file as a configuration error (exit 4) with how to create it', () => {
    repo = tempRepo('dev');
    const e = (() => {
      try {
        loadEnvironment({ env: 'prod' }, { cwd: repo.dir }, 'status');
      } catch (x) {
        return x as CliError;
      }
      throw new Error('expected an error');
    })();
    expect(e.exit).toBe(EXIT.CONFIG);
    expect(e.message).toContain("Environment 'prod' was not found");
    expect(e.message).toContain('Create it from the example and edit it: cp environments/example.yaml environments/prod.yaml');
  });

  it('reports an invalid environment file (exit 4) with every field dot-path', () => {
    repo = tempRepo('dev');
    repo.write('environments/bad.yaml', 'name: bad\npostgres:\n  backupRetentionDays: 99\nnetwork:\n  subnets:\n    apps: 10.0.0.0/33\n');
    try {
      loadEnvironment({ env: 'bad' }, { cwd: repo.dir }, 'status');
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(CliError);
      expect((e as CliError).exit).toBe(4);
      const message = (e as CliError).message;
      expect(message).toMatch(/^Environment 'bad' is invalid:\n/);
      expect(message).toMatch(/\n {2}- .*bad\.yaml: 'postgres\.backupRetentionDays' \(99\) must be between 7 and 35/);
      expect(message).toMatch(/\n {2}- .*bad\.yaml: 'network\.subnets\.apps' \("10\.0\.0\.0\/33"\) must be an IPv4 CIDR/);
    }
  });

  it('resolves subscription and resource group from the environment, with --subscription / --resource-group overriding', () => {
    repo = tempRepo('dev');
    const at = { cwd: repo.dir, env: {} };
    expect(resolveAzureScope(globals({ env: 'dev' }), at, 'status')).toMatchObject({
      subscriptionId: TEST_SUBSCRIPTION,
      resourceGroup: 'cvat-dev-rg',
    });
    expect(resolveAzureScope(globals({ env: 'dev', subscription: OTHER_SUBSCRIPTION, resourceGroup: 'rg-x' }), at, 'status')).toMatchObject(
      {
        subscriptionId: OTHER_SUBSCRIPTION,
        resourceGroup: 'rg-x',
      },
    );
    expect(resolveAzureScope(globals({ subscription: OTHER_SUBSCRIPTION, resourceGroup: 'r' }), at, 'status')).toEqual({
      subscriptionId: OTHER_SUBSCRIPTION,
      resourceGroup: 'r',
    });
    expect(
      resolveAzureScope(globals({ resourceGroup: 'r' }), { cwd: repo.dir, env: { ARM_SUBSCRIPTION_ID: OTHER_SUBSCRIPTION } }, 'status'),
    ).toEqual({
      subscriptionId: OTHER_SUBSCRIPTION,
      resourceGroup: 'r',
    });
  });

  it('refuses a subscription that is not a GUID (2) and an AZURE_SUBSCRIPTION_ID that contradicts the environment (5)', () => {
    repo = tempRepo('dev');
    expect(() => resolveAzureScope(globals({ subscription: 'sub-x', resourceGroup: 'r' }), { cwd: repo.dir, env: {} }, 'status')).toThrow(
      "'--subscription' (sub-x) must be a subscription GUID",
    );
    try {
      resolveAzureScope(globals({ env: 'dev' }), { cwd: repo.dir, env: { AZURE_SUBSCRIPTION_ID: OTHER_SUBSCRIPTION } }, 'status');
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toMatchObject({
        exit: EXIT.AUTH,
        message: expect.stringContaining(`differs from AZURE_SUBSCRIPTION_ID (${OTHER_SUBSCRIPTION})`),
      });
    }
  });

  it('asks for a subscription when the environment has none', () => {
    repo = tempRepo('nosub', 'name: nosub\nedge:\n  mode: none\n  hostname: cvat.example.com\n');
    expect(() => resolveAzureScope(globals({ env: 'nosub' }), { cwd: repo.dir, env: {} }, 'drift')).toThrow(
      "no Azure subscription: set 'subscriptionId' in environment 'nosub', pass --subscription <id> where the command has it, or export ARM_SUBSCRIPTION_ID.",
    );
    expect(() => resolveAzureScope(globals({ resourceGroup: 'r' }), { cwd: repo.dir, env: {} }, 'drift')).toThrow(
      'drift needs a subscription and resource group: pass --env <name>, or --subscription <id> and --resource-group <name>.',
    );
  });
});

describe('terraform outputs', () => {
  it('parses `terraform output -json` and a state file alike', () => {
    expect(parseTerraformOutputs('{"pg_fqdn":{"value":"h","type":"string","sensitive":false}}', 'o.json')).toEqual({ pg_fqdn: 'h' });
    expect(parseTerraformOutputs('{"version":4,"outputs":{"n":{"value":3,"type":"number"}}}', 's.tfstate')).toEqual({ n: 3 });
  });

  it('names the source and the output when the JSON has another shape', () => {
    expect(() => parseTerraformOutputs('[1]', 'o.json')).toThrow('o.json must hold a JSON object of terraform outputs.');
    expect(() => parseTerraformOutputs('{"a":1}', 'o.json')).toThrow("o.json: output 'a' has no 'value'");
    expect(() => parseTerraformOutputs('nope', 'o.json')).toThrow(/^o\.json is not JSON/);
  });

  it('runs `terraform output -json` in the stack directory and falls back to undefined when terraform is unavailable', async () => {
    const calls: string[] = [];
    const outputs = await readTerraformOutputs({
      env: { TF_BINARY: 'tofu', TERRAFORM_BINARY_NAME: 'terraform' },
      stackDir: '/stacks/foundation',
      run: async (file, args, o) => {
        calls.push(`${file} ${args.join(' ')} @${o.cwd}`);
        return '{"postgres_host":{"value":"db.internal"}}';
      },
    });
    expect(calls).toEqual(['tofu output -json -no-color @/stacks/foundation']);
    expect(findOutput(outputs, /postgres.*host/)).toEqual({ name: 'postgres_host', value: 'db.internal' });
    const missing = await readTerraformOutputs({
      env: {},
      stackDir: '/x',
      run: async () => Promise.reject(Object.assign(new Error('spawn terraform ENOENT'), { code: 'ENOENT' })),
    });
    expect(missing).toBeUndefined();
    expect(await readTerraformOutputs({ env: {} })).toBeUndefined();
  });
});

describe('Azure client setup (cvat-ops wiring of the runtime)', () => {
  it('takes the endpoint from the runtime and the retry count from CVAT_OPS_ARM_MAX_RETRIES, and names the variable when refusing http', async () => {
    const credential = new FakeCredential();
    const loop = await armClientSetup({
      ...testRuntime(),
      armEndpoint: 'http://127.0.0.1:4567/',
      env: { CVAT_OPS_ARM_MAX_RETRIES: '2' },
      credential: async () => credential,
    });
    expect(loop.options).toMatchObject({
      endpoint: 'http://127.0.0.1:4567',
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 2 },
    });
    expect(credential.calls).toBe(0);
    await expect(armClientSetup({ ...testRuntime(), armEndpoint: 'http://arm.example.com' })).rejects.toMatchObject({
      exit: EXIT.CONFIG,
      message: expect.stringContaining('Fix CVAT_OPS_ARM_ENDPOINT.'),
    });
  });
});

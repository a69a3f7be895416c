import { afterEach, describe, expect, it } from 'vitest';
import { armClientSetup } from '../src/context/azure';
import { authError } from '../src/context/credential';
import { loadEnvironment, resolveAzureScope } from '../src/context/environment';
import { findOutput, parseTerraformOutputs, readTerraformOutputs } from '../src/context/terraform';
import { ExitError } from '../src/errors';
import { TEST_SUBSCRIPTION, tempRepo, type TempRepo } from './support/temp-repo';
import { FakeCredential, globals, testRuntime } from './support/test-runtime';

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

  it('reports a missing environment file as not found (exit 5) with how to create it', () => {
    repo = tempRepo('dev');
    const e = (() => {
      try {
        loadEnvironment({ env: 'prod' }, { cwd: repo.dir }, 'status');
      } catch (x) {
        return x as ExitError;
      }
      throw new Error('expected an error');
    })();
    expect(e.code).toBe(5);
    expect(e.message).toContain("Environment 'prod' was not found");
    expect(e.message).toContain('Copy environments/example.yaml to environments/prod.yaml');
  });

  it('reports an invalid environment file (exit 4) with every field dot-path', () => {
    repo = tempRepo('dev');
    repo.write('environments/bad.yaml', 'name: bad\npostgres:\n  backupRetentionDays: 99\nnetwork:\n  subnets:\n    apps: 10.0.0.0/33\n');
    try {
      loadEnvironment({ env: 'bad' }, { cwd: repo.dir }, 'status');
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(ExitError);
      expect((e as ExitError).code).toBe(4);
      const message = (e as ExitError).message;
      expect(message).toMatch(/^Environment 'bad' is invalid:\n/);
      expect(message).toMatch(/\n  - .*bad\.yaml: 'postgres\.backupRetentionDays' \(99\) must be between 7 and 35/);
      expect(message).toMatch(/\n  - .*bad\.yaml: 'network\.subnets\.apps' \("10\.0\.0\.0\/33"\) must be an IPv4 CIDR/);
    }
  });

  it('resolves subscription and resource group from the environment, with --subscription / --resource-group overriding', () => {
    repo = tempRepo('dev');
    expect(resolveAzureScope(globals({ env: 'dev' }), { cwd: repo.dir }, 'status')).toMatchObject({ subscriptionId: TEST_SUBSCRIPTION, resourceGroup: 'cvat-dev-rg' });
    expect(resolveAzureScope(globals({ env: 'dev', subscription: 'sub-x', resourceGroup: 'rg-x' }), { cwd: repo.dir }, 'status')).toMatchObject({
      subscriptionId: 'sub-x',
      resourceGroup: 'rg-x',
    });
    expect(resolveAzureScope(globals({ subscription: 's', resourceGroup: 'r' }), { cwd: repo.dir }, 'status')).toEqual({ subscriptionId: 's', resourceGroup: 'r' });
  });

  it('asks for a subscription when the environment has none', () => {
    repo = tempRepo('nosub', 'name: nosub\nedge:\n  mode: none\n  hostname: cvat.example.com\n');
    expect(() => resolveAzureScope(globals({ env: 'nosub' }), { cwd: repo.dir }, 'drift')).toThrow(
      "drift needs a subscription: environment 'nosub' has no 'subscriptionId'; pass --subscription <id> or set AZURE_SUBSCRIPTION_ID.",
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
      env: { TERRAFORM_BINARY_NAME: 'tofu' },
      stackDir: '/stacks/foundation',
      run: async (file, args, o) => {
        calls.push(`${file} ${args.join(' ')} @${o.cwd}`);
        return '{"postgres_host":{"value":"db.internal"}}';
      },
    });
    expect(calls).toEqual(['tofu output -json -no-color @/stacks/foundation']);
    expect(findOutput(outputs, /postgres.*host/)).toEqual({ name: 'postgres_host', value: 'db.internal' });
    const missing = await readTerraformOutputs({ env: {}, stackDir: '/x', run: async () => Promise.reject(Object.assign(new Error('spawn terraform ENOENT'), { code: 'ENOENT' })) });
    expect(missing).toBeUndefined();
    expect(await readTerraformOutputs({ env: {} })).toBeUndefined();
  });
});

describe('Azure client setup', () => {
  it('uses no credential for a plain-http loopback endpoint (test doubles) and the runtime credential otherwise', async () => {
    const credential = new FakeCredential();
    const loop = await armClientSetup({ ...testRuntime(), armEndpoint: 'http://127.0.0.1:4567/', credential: async () => credential });
    expect(loop.credential).toBeUndefined();
    expect(loop.options).toMatchObject({ endpoint: 'http://127.0.0.1:4567', allowInsecureConnection: true });
    const real = await armClientSetup({ ...testRuntime(), credential: async () => credential });
    expect(real.credential).toBe(credential);
    expect(real.options.endpoint).toBe('https://management.azure.com');
  });

  it('refuses plain http to anything but loopback', async () => {
    await expect(armClientSetup({ ...testRuntime(), armEndpoint: 'http://arm.example.com' })).rejects.toMatchObject({ code: 4, message: expect.stringContaining('must use https') });
  });

  it('maps credential and 401/403 failures to exit 4 with the next step', () => {
    const unavailable = Object.assign(new Error('Azure CLI could not be found'), { name: 'CredentialUnavailableError' });
    expect(authError(unavailable, 'listing apps')).toMatchObject({ code: 4, message: expect.stringContaining("Run 'az login'") });
    expect(authError(Object.assign(new Error('denied'), { statusCode: 403 }), 'reading x')).toMatchObject({ code: 4, message: expect.stringContaining('HTTP 403') });
    expect(authError(Object.assign(new Error('boom'), { statusCode: 500 }), 'x')).toBeUndefined();
  });
});

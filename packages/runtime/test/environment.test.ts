import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempRepo, thrownBy, type TempRepo } from '@cvat-cloud/testing';
import { CliError, EXIT, MAX_ENVIRONMENT_FILE_BYTES, environmentRef, formatWarnings, loadEnvironment, requireEnvironmentRef } from '../src';

const failure = (fn: () => unknown): CliError => thrownBy(fn, CliError);

describe('which environment: --env, CVAT_ENV, then the deprecated CVAT_OPS_ENV', () => {
  it('takes --env first, then CVAT_ENV, then CVAT_OPS_ENV with a warning, then the fallback', () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    expect(environmentRef({ flag: 'a', env: { CVAT_ENV: 'b', CVAT_OPS_ENV: 'c' }, warn })).toEqual({ ref: 'a', source: '--env' });
    expect(environmentRef({ env: { CVAT_ENV: 'b', CVAT_OPS_ENV: 'c' }, warn })).toEqual({ ref: 'b', source: 'CVAT_ENV' });
    expect(warnings).toEqual([]);
    expect(environmentRef({ env: { CVAT_OPS_ENV: 'c' }, warn })).toEqual({ ref: 'c', source: 'CVAT_OPS_ENV' });
    expect(warnings).toEqual(['warning: CVAT_OPS_ENV is deprecated; set CVAT_ENV=c instead (CVAT_OPS_ENV will be removed).']);
    environmentRef({ env: { CVAT_OPS_ENV: 'a b;c' }, warn });
    expect(warnings.at(-1)).toBe("warning: CVAT_OPS_ENV is deprecated; set CVAT_ENV='a b;c' instead (CVAT_OPS_ENV will be removed).");
    expect(environmentRef({ env: { CVAT_ENV: '' }, fallback: 'example' })).toEqual({ ref: 'example', source: 'default' });
    expect(environmentRef({ env: {} })).toBeUndefined();
  });

  it('a command that needs one and gets none is a usage error naming it and both ways to give one', () => {
    const e = failure(() => requireEnvironmentRef('db check', { env: {} }));
    expect(e.exit).toBe(EXIT.USAGE);
    expect(e.message).toBe('db check needs an environment: pass --env <name> (environments/<name>.yaml) or set CVAT_ENV.');
  });
});

describe('loadEnvironment: one error format and one exit code (4) for every tool', () => {
  let repo: TempRepo;
  afterEach(() => repo?.cleanup());

  it('loads an environment by name with its derived names and resolved catalogue', () => {
    repo = tempRepo('dev');
    const env = loadEnvironment('dev', { cwd: repo.dir });
    expect(env.ref).toBe('dev');
    expect(env.names.resourceGroup).toBe('cvat-dev-rg');
    expect(env.catalogue.components.some((c) => c.name === 'cvat-server')).toBe(true);
    expect(env.warnings).toEqual([]);
  });

  it('loads an environment by path', () => {
    repo = tempRepo('dev');
    repo.write('elsewhere/x.yaml', 'name: xy\nedge:\n  mode: none\n  hostname: cvat.example.com\n');
    expect(loadEnvironment('elsewhere/x.yaml', { cwd: repo.dir }).config.name).toBe('xy');
  });

  it('a missing file is CONFIG with how to create it', () => {
    repo = tempRepo('dev');
    const e = failure(() => loadEnvironment('prod', { cwd: repo.dir }));
    expect(e.exit).toBe(EXIT.CONFIG);
    expect(e.message).toMatch(
      new RegExp(
        /^Environment 'prod' was not found:\n {2}- 'file' \(".*\/environments\/prod\.yaml"\) must exist\n/.source +
          /Create it from the example and edit it: cp environments\/example\.yaml environments\/prod\.yaml$/.source,
      ),
    );
  });

  it('an invalid file is CONFIG listing every field, its value and what is allowed, with the file', () => {
    repo = tempRepo('dev');
    repo.write('environments/bad.yaml', 'name: bad\npostgres:\n  backupRetentionDays: 99\nnetwork:\n  subnets:\n    apps: 10.0.0.0/33\n');
    const e = failure(() => loadEnvironment('bad', { cwd: repo.dir, checkCommand: 'cvat-ops status --env bad --dry-run' }));
    expect(e.exit).toBe(EXIT.CONFIG);
    expect(e.message).toMatch(/^Environment 'bad' is invalid:\n/);
    expect(e.message).toMatch(/\n {2}- .*bad\.yaml: 'postgres\.backupRetentionDays' \(99\) must be between 7 and 35/);
    expect(e.message).toMatch(/\n {2}- .*bad\.yaml: 'network\.subnets\.apps' \("10\.0\.0\.0\/33"\) must be an IPv4 CIDR/);
    expect(e.message).toMatch(/\nFix the file and check it with: cvat-ops status --env bad --dry-run$/);
    expect((e.data as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['postgres.backupRetentionDays', 'network.subnets.apps']),
    );
  });

  it('YAML syntax errors are CONFIG with the line', () => {
    repo = tempRepo('dev');
    repo.write('environments/broken.yaml', 'name: broken\nedge: [\n');
    const e = failure(() => loadEnvironment('broken', { cwd: repo.dir }));
    expect(e.exit).toBe(EXIT.CONFIG);
    expect(e.message).toMatch(/\n {2}- .*broken\.yaml: 'line \d+' \(\w+\) must be valid YAML/);
  });

  it('a catalogue the overrides make invalid is CONFIG naming the override', () => {
    repo = tempRepo(
      'dev',
      "name: dev\nedge:\n  mode: none\n  hostname: cvat.example.com\ncomponents:\n  cvat-server:\n    env:\n      CVAT_NUM_PROXIES: '2'\n",
    );
    const e = failure(() => loadEnvironment('dev', { cwd: repo.dir }));
    expect(e.exit).toBe(EXIT.CONFIG);
    expect(e.message).toMatch(/^The catalogue resolved for environment 'dev' is invalid:\n {2}- 'components\.cvat-server\.env\[\d+\]'/);
    expect(e.message).toMatch(/\nFix the overrides under 'components' in the environment file\.$/);
  });

  it('a YAML alias bomb is CONFIG in one line, not an exception (the YAML library refuses to expand it)', () => {
    repo = tempRepo('dev');
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]`);
    }
    repo.write('environments/bomb.yaml', `name: bomb\n${levels.join('\n')}\n`);
    const e = failure(() => loadEnvironment('bomb', { cwd: repo.dir }));
    expect(e.exit).toBe(EXIT.CONFIG);
    expect(e.message.split('\n')[0]).toMatch(/^Environment 'bomb' (could not be loaded|is invalid)/);
    expect(e.message).not.toMatch(/\n\s+at /);
  });

  it('a directory given as the environment file is CONFIG, checked before the loader opens it', () => {
    repo = tempRepo('dev');
    mkdirSync(join(repo.dir, 'envdir.yaml'));
    const e = failure(() => loadEnvironment('envdir.yaml', { cwd: repo.dir }));
    expect(e.exit).toBe(EXIT.CONFIG);
    expect(e.message).toBe(
      `Environment 'envdir.yaml' is invalid: ${join(repo.dir, 'envdir.yaml')} is a directory; give an environment name or the path of a .yaml file.`,
    );
  });

  it('a FIFO given as the environment file (by path or by name) is CONFIG at once, not a read that never returns', () => {
    repo = tempRepo('dev');
    execFileSync('mkfifo', [join(repo.dir, 'fifo.yaml'), join(repo.dir, 'environments', 'piped.yaml')]);
    expect(failure(() => loadEnvironment('fifo.yaml', { cwd: repo.dir })).message).toContain(
      'is not a regular file (a FIFO, socket or device)',
    );
    expect(failure(() => loadEnvironment('piped', { cwd: repo.dir })).exit).toBe(EXIT.CONFIG);
  });

  it('a file larger than MAX_ENVIRONMENT_FILE_BYTES is CONFIG before it is read', () => {
    repo = tempRepo('dev');
    repo.write('huge.yaml', `name: huge\n#${'x'.repeat(MAX_ENVIRONMENT_FILE_BYTES)}\n`);
    const e = failure(() => loadEnvironment('huge.yaml', { cwd: repo.dir }));
    expect(e.exit).toBe(EXIT.CONFIG);
    expect(e.message).toMatch(/huge\.yaml has \d+ bytes, more than the 1048576 an environment file may have\.$/);
  });

  it('quotes the suggested copy command, so a hostile name cannot run anything when it is pasted', () => {
    repo = tempRepo('dev');
    const e = failure(() => loadEnvironment('x;touch /tmp/pwned', { cwd: repo.dir }));
    expect(e.message.split('\n').at(-1)).toBe("Create it from the example and edit it: cp environments/example.yaml 'x;touch /tmp/pwned'");
    const p = failure(() => loadEnvironment('envs/$(id).yaml', { cwd: repo.dir }));
    expect(p.message.split('\n').at(-1)).toBe("Create it from the example and edit it: cp environments/example.yaml 'envs/$(id).yaml'");
  });

  it('control characters in the name are shown escaped, keeping the first line one line', () => {
    repo = tempRepo('dev');
    const e = failure(() => loadEnvironment('x\n\u001b[2Jy.yaml', { cwd: repo.dir }));
    expect(e.exit).toBe(EXIT.CONFIG);
    expect(e.message.split('\n')[0]).toBe("Environment 'x\\n\\x1b[2Jy.yaml' was not found:");
  });

  it('formats warnings one per line', () => {
    expect(formatWarnings([{ rule: 'r', path: 'p', message: "'p' (1) is odd", file: 'f.yaml' }])).toEqual([
      "warning: f.yaml: 'p' (1) is odd",
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = resolve(__dirname, '../..');
const require = createRequire(import.meta.url);
const { scriptArgv } = require('../nx/run-script.cjs') as { scriptArgv: (line: string) => string[] };
const nxEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: 'true' };

describe('run-script executor', () => {
  it('passes shell metacharacters, spaces and quotes through an Nx target as one argument each and runs nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-script-'));
    try {
      const marker = join(dir, 'pwned');
      const hostile = [`x;touch ${marker}`, `$(touch ${marker})`, `\`touch ${marker}\``, 'two words', `it's "quoted"`, `a|b&&c>${marker}`];
      const out = execFileSync('npx', ['nx', 'run', 'tools:argv-probe', '--output-style=static', '--', '--env', ...hostile], { cwd: root, env: nxEnv, encoding: 'utf8' });
      const line = out.split('\n').find((l) => l.startsWith('ARGV='));
      expect(JSON.parse(line!.slice('ARGV='.length))).toEqual(['fixed', '--env', ...hostile]);
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails the target, naming the script, when the script line uses shell syntax', () => {
    expect(() => scriptArgv('node a.js && rm -rf x')).toThrow("script 'node a.js && rm -rf x' uses shell syntax");
    expect(scriptArgv('node dist/deploy/cli.js deploy --stack foundation').slice(1)).toEqual(['dist/deploy/cli.js', 'deploy', '--stack', 'foundation']);
    expect(scriptArgv('node x.js')[0]).toBe(process.execPath);
  });
});

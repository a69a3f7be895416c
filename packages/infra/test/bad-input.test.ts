// Hostile and mistaken input through the built CLI (`node dist/cli.js …`, a real process, as Nx and users run it):
// each case asserts the exit code from the one table (docs/exit-codes.md), the one `cvat-infra: error:` line naming
// the value and what is allowed, no stack trace, nothing echoed from a foreign file, and that nothing was written
// or deleted (a snapshot of the scratch folder, and of the repository's local state/, before and after).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const INFRA = join(__dirname, '..');
const CLI = join(INFRA, 'dist', 'cli.js');
const REPO_ROOT = join(INFRA, '..', '..');
const SP_ENV = {
  ARM_CLIENT_ID: '00000000-0000-0000-0000-00000000000c',
  ARM_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  ARM_CLIENT_SECRET: 'not-a-real-secret',
};

let scratch: string;
let emptyHome: string;
let fakeBin: string;

/** Every file and folder below `dir` with its size and mtime (what "nothing changed" is checked against). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      out[relative(dir, p)] = st.isDirectory() ? 'dir' : st.isFIFO() ? 'fifo' : `${st.size}:${st.mtimeMs}`;
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: the test target builds it first (npx nx run infra:build)`);
  scratch = mkdtempSync(join(tmpdir(), 'infra-bad-input-'));
  emptyHome = join(scratch, 'home');
  mkdirSync(emptyHome);
  mkdirSync(join(scratch, 'notes'));
  writeFileSync(join(scratch, 'notes', 'keep.txt'), 'mine');
  writeFileSync(join(scratch, 'a-file.txt'), 'not a folder');
  spawnSync('mkfifo', [join(scratch, 'pipe.yaml')]);
  spawnSync('mkfifo', [join(scratch, 'prices.fifo')]);
  writeFileSync(join(scratch, 'list.yaml'), '- name: dev\n- name: prod\n');
  // the example with its local state moved out of the repository, without saying so on purpose
  const example = readFileSync(join(REPO_ROOT, 'environments', 'example.yaml'), 'utf8');
  writeFileSync(
    join(scratch, 'state-outside.yaml'),
    example.replace(/^stateBackend:\n {2}type: local\n/m, 'stateBackend:\n  type: local\n  path: /var/tmp/cvat-state\n'),
  );
  // nine levels of nine aliases: 9^9 nodes if expanded
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) {
    const [name, prev] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
    bomb.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  writeFileSync(join(scratch, 'bomb.yaml'), `${bomb.join('\n')}\n`);
  fakeBin = join(scratch, 'bin');
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, 'terraform'), `#!/bin/sh\necho "$@" >> '${join(scratch, 'terraform-was-run')}'\n`);
  chmodSync(join(fakeBin, 'terraform'), 0o755);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Case {
  /** What a user did. */
  readonly name: string;
  readonly argv: (dir: string) => string[];
  readonly exit: number;
  /** In the `cvat-infra: error:` line. */
  readonly message: RegExp;
  /** Also somewhere in stderr (the field and value of a multi-issue environment error). */
  readonly detail?: RegExp;
  /** Extra environment (PATH is an empty folder unless given). */
  readonly env?: Record<string, string>;
}

const CASES: Case[] = [
  { name: 'no command', argv: () => [], exit: 2, message: /a command is required: synth, policy, validate/ },
  { name: 'an unknown command', argv: () => ['apply'], exit: 2, message: /unknown command 'apply'/ },
  { name: 'an unknown option', argv: () => ['synth', '--outt', 'x'], exit: 2, message: /unknown option '--outt'/ },
  {
    name: 'shell metacharacters in --env run nothing',
    argv: (d) => ['synth', '--env', `x;touch ${d}/pwned`, '--out', join(d, 'out')],
    exit: 4,
    message: /Environment 'x;touch .*\/pwned' was not found/,
  },
  {
    name: '--env naming a foreign file',
    argv: (d) => ['synth', '--env', '/etc/passwd', '--out', join(d, 'out')],
    exit: 4,
    message: /Environment '\/etc\/passwd'/,
  },
  {
    name: '--env naming a FIFO (would block for ever)',
    argv: (d) => ['synth', '--env', join(d, 'pipe.yaml'), '--out', join(d, 'out')],
    exit: 4,
    message: /pipe\.yaml/,
  },
  {
    name: '--env with a YAML alias bomb',
    argv: (d) => ['synth', '--env', join(d, 'bomb.yaml'), '--out', join(d, 'out')],
    exit: 4,
    message: /bomb\.yaml/,
  },
  {
    name: '--env with a list at the top',
    argv: (d) => ['synth', '--env', join(d, 'list.yaml'), '--out', join(d, 'out')],
    exit: 4,
    message: /list\.yaml/,
  },
  {
    name: 'a local stateBackend.path outside the repository, without allowPathOutsideRepository',
    argv: (d) => ['synth', '--env', join(d, 'state-outside.yaml'), '--out', join(d, 'out')],
    exit: 4,
    message: /Environment '.*state-outside\.yaml' is invalid/,
    detail: /'stateBackend\.path' \("\/var\/tmp\/cvat-state"\) must be relative to packages\/infra and stay inside the repository/,
  },
  {
    name: '--out: a non-empty folder that is not a synth output, without --force',
    argv: (d) => ['synth', '--out', join(d, 'notes')],
    exit: 3,
    message: /is a non-empty folder that is not a synth output \(no manifest\.json\).*--force/,
  },
  { name: '--out: a file', argv: (d) => ['synth', '--out', join(d, 'a-file.txt')], exit: 2, message: /exists and is not a folder/ },
  {
    name: '--out: below a file',
    argv: (d) => ['synth', '--out', join(d, 'a-file.txt', 'out')],
    exit: 2,
    message: /is not writable.*ENOTDIR|cannot be read \(ENOTDIR\)/,
  },
  {
    name: '--out: an unwritable place',
    argv: () => ['synth', '--out', '/proc/cvat-infra-out/cdktf.out'],
    exit: 2,
    message: /'--out' \(\/proc\/cvat-infra-out\/cdktf\.out\) (is not writable|cannot be created)/,
  },
  {
    name: '--out: the file-system root, even with --force',
    argv: () => ['synth', '--out', '/', '--force'],
    exit: 2,
    message: /holds the repository or the working directory/,
  },
  {
    name: '--out: the repository, even with --force',
    argv: () => ['synth', '--out', REPO_ROOT, '--force'],
    exit: 2,
    message: /holds the repository/,
  },
  {
    name: 'cost --active-hours below the range',
    argv: () => ['cost', '--active-hours', '-5'],
    exit: 2,
    message: /'--active-hours' \(-5\) must be a number between 0 and 744/,
  },
  {
    name: 'cost --active-hours not a number',
    argv: () => ['cost', '--active-hours', 'lots'],
    exit: 2,
    message: /'--active-hours' \(lots\) must be a number between 0 and 744/,
  },
  {
    name: 'cost --log-gb above the range',
    argv: () => ['cost', '--log-gb', '1e9'],
    exit: 2,
    message: /'--log-gb' \(1e9\) must be a number between 0 and 100000/,
  },
  {
    name: 'cost --prices naming a foreign file',
    argv: () => ['cost', '--prices', '/etc/passwd'],
    exit: 4,
    message: /'--prices' \(\/etc\/passwd\): price table is not valid JSON/,
  },
  {
    name: 'cost --prices naming a FIFO',
    argv: (d) => ['cost', '--prices', join(d, 'prices.fifo')],
    exit: 4,
    message: /is not a regular file/,
  },
  { name: 'cost --env that does not exist', argv: () => ['cost', '--env', 'nope'], exit: 4, message: /Environment 'nope' was not found/ },
  {
    name: 'policy over a missing synth output',
    argv: (d) => ['policy', '--out', join(d, 'missing')],
    exit: 4,
    message: /cannot read the synth output/,
  },
  {
    name: 'validate a missing synth output',
    argv: (d) => ['validate', '--out', join(d, 'missing'), '--no-terraform'],
    exit: 4,
    message: /cannot read the synth output/,
  },
  {
    name: 'deploy --lock-timeout with a unit',
    argv: () => ['deploy', '--lock-timeout', '5m'],
    exit: 2,
    message: /'--lock-timeout' \(5m\) must be a whole number between 0 and 3600/,
  },
  {
    name: 'deploy --deployer-ip that is not an address',
    argv: () => ['deploy', '--deployer-ip', 'home'],
    exit: 2,
    message: /'--deployer-ip' \(home\) must be an IP address/,
  },
  {
    name: 'deploy --dry-run',
    argv: () => ['deploy', '--dry-run'],
    exit: 2,
    message: /'--dry-run' applies to destroy and state-bootstrap; for deploy use the 'plan' command/,
  },
  { name: 'destroy --replace', argv: () => ['destroy', '--replace', 'a.b'], exit: 2, message: /unknown option '--replace'/ },
  { name: 'deploy --stack empty', argv: () => ['deploy', '--stack', ''], exit: 2, message: /'--stack' \(''\) must not be empty/ },
  {
    name: 'preflight --subscription that is not a GUID',
    argv: () => ['preflight', '--subscription', 'my-sub'],
    exit: 2,
    message: /'--subscription' \(my-sub\) must be a subscription GUID/,
  },
  {
    name: 'plan with a terraform binary that does not exist',
    argv: () => ['plan', '--binary', '/nonexistent/terraform'],
    exit: 7,
    message: /'\/nonexistent\/terraform' was not found/,
  },
  {
    name: 'plan without Azure credentials',
    argv: () => ['plan'],
    exit: 5,
    message: /no Azure credentials found; nothing was changed/,
    env: { PATH: '<fakeBin>' },
  },
  {
    name: 'plan with a subscription that is not a GUID',
    argv: () => ['plan'],
    exit: 4,
    message: /ARM_SUBSCRIPTION_ID \(prod\) must be a subscription GUID/,
    env: { PATH: '<fakeBin>', ...SP_ENV, ARM_SUBSCRIPTION_ID: 'prod' },
  },
];

describe('bad input through the built cvat-infra', () => {
  it('has at least 20 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const before = snapshot(scratch);
    // The repository's local state folder too (its cdktf.out is rewritten by any concurrent `nx run infra:synth`).
    const stateBefore = snapshot(join(INFRA, 'state'));
    const env: Record<string, string> = { HOME: emptyHome, PATH: join(scratch, 'home'), ...(c.env ?? {}) };
    if (env.PATH === '<fakeBin>') env.PATH = fakeBin;
    const r = spawnSync(process.execPath, [CLI, ...c.argv(scratch)], { cwd: INFRA, env, encoding: 'utf8', timeout: 60_000 });
    const errorLine = r.stderr.split('\n').find((l) => l.startsWith('cvat-infra: error:')) ?? '';
    expect({ exit: r.status, signal: r.signal }, r.stderr).toEqual({ exit: c.exit, signal: null });
    expect(errorLine, r.stderr).toMatch(c.message);
    if (c.detail) expect(r.stderr).toMatch(c.detail);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toContain('cvat-infra: error: internal error');
    expect(r.stderr + r.stdout).not.toContain('root:x:0:0');
    expect(snapshot(scratch)).toEqual(before);
    expect(snapshot(join(INFRA, 'state'))).toEqual(stateBefore);
    expect(existsSync(join(scratch, 'pwned'))).toBe(false);
    expect(existsSync(join(scratch, 'terraform-was-run'))).toBe(false);
  });
});

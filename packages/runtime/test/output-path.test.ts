import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, thrownBy, type TempDir } from '@cvat-cloud/testing';
import { CliError, EXIT, checkOutputDirectory, checkOutputPath } from '../src';

const failure = (fn: () => unknown): CliError => thrownBy(fn, CliError);

describe('checkOutputPath', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it('accepts a new file in a writable directory, returns its absolute path and leaves nothing behind', () => {
    expect(checkOutputPath('report.json', { cwd: dir.dir })).toBe(join(dir.dir, 'report.json'));
    expect(readdirSync(dir.dir)).toEqual([]);
  });

  it('refuses an existing file without overwrite (REFUSED, naming the flag and the command), and accepts it with', () => {
    const file = dir.write('drift.json', 'old');
    const e = failure(() =>
      checkOutputPath('drift.json', {
        cwd: dir.dir,
        label: '--output',
        rerun: ['cvat-ops', 'drift', '--env', 'a b', '--output', 'drift.json'],
      }),
    );
    expect(e.exit).toBe(EXIT.REFUSED);
    expect(e.message).toBe(
      '--output (drift.json) already exists; pass --overwrite to replace it, or choose another path. Nothing was changed. ' +
        "Run: cvat-ops drift --env 'a b' --output drift.json --overwrite",
    );
    expect(checkOutputPath('drift.json', { cwd: dir.dir, overwrite: true })).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe('old');
  });

  it('refuses a directory (USAGE from a flag, CONFIG from a variable)', () => {
    mkdirSync(join(dir.dir, 'out'));
    const e = failure(() => checkOutputPath('out', { cwd: dir.dir, label: '--output', overwrite: true }));
    expect(e.exit).toBe(EXIT.USAGE);
    expect(e.message).toBe('--output (out) is a directory; give the path of a file to write, e.g. out/report.json. Nothing was written.');
    expect(failure(() => checkOutputPath('out', { cwd: dir.dir, label: 'CVAT_OPS_OUTPUT', source: 'variable' })).exit).toBe(EXIT.CONFIG);
  });

  it('refuses a FIFO, even with overwrite (writing to it would block)', () => {
    execFileSync('mkfifo', [join(dir.dir, 'pipe')]);
    const e = failure(() => checkOutputPath('pipe', { cwd: dir.dir, overwrite: true }));
    expect(e.exit).toBe(EXIT.USAGE);
    expect(e.message).toContain('is not a regular file');
  });

  it('a missing parent directory is NOT_FOUND naming it', () => {
    const e = failure(() => checkOutputPath('no/such/dir/r.json', { cwd: dir.dir }));
    expect(e.exit).toBe(EXIT.NOT_FOUND);
    expect(e.message).toContain(`the directory ${join(dir.dir, 'no/such/dir')} does not exist`);
  });

  it('a parent that is a file is USAGE', () => {
    dir.write('file', 'x');
    expect(failure(() => checkOutputPath('file/r.json', { cwd: dir.dir })).exit).toBe(EXIT.USAGE);
  });

  it('an unwritable directory is USAGE (checked by creating a probe file, so it also holds for root on /proc)', () => {
    const e = failure(() => checkOutputPath('/proc/cvat-report.json', { label: '--junit' }));
    expect(e.exit).toBe(EXIT.USAGE);
    expect(e.message).toMatch(
      /^--junit \(\/proc\/cvat-report\.json\) cannot be written: the directory \/proc is not writable \(.+\)\. Nothing was written\.$/,
    );
  });

  it.skipIf(process.getuid?.() === 0)('an unwritable directory by permissions is USAGE', () => {
    mkdirSync(join(dir.dir, 'ro'));
    chmodSync(join(dir.dir, 'ro'), 0o500);
    try {
      expect(failure(() => checkOutputPath('ro/r.json', { cwd: dir.dir })).exit).toBe(EXIT.USAGE);
    } finally {
      chmodSync(join(dir.dir, 'ro'), 0o700);
    }
  });

  it('follows a symlink to a directory and refuses it', () => {
    mkdirSync(join(dir.dir, 'real'));
    symlinkSync(join(dir.dir, 'real'), join(dir.dir, 'link'));
    expect(failure(() => checkOutputPath('link', { cwd: dir.dir, overwrite: true })).exit).toBe(EXIT.USAGE);
  });

  it('an empty path or one with NUL is USAGE; control characters are shown escaped', () => {
    expect(failure(() => checkOutputPath('', { cwd: dir.dir })).message).toBe("the output path ('') must be a file path.");
    expect(failure(() => checkOutputPath('a\0b', { cwd: dir.dir })).exit).toBe(EXIT.USAGE);
    writeFileSync(join(dir.dir, 'x\ny'), '');
    expect(failure(() => checkOutputPath('x\ny', { cwd: dir.dir })).message).toMatch(/^the output path \(x\\ny\) already exists/);
  });
});

describe('checkOutputDirectory', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it('accepts a new directory (to be created under a writable ancestor) and an empty one, creating nothing', () => {
    expect(checkOutputDirectory('out/nested', { cwd: dir.dir })).toBe(join(dir.dir, 'out/nested'));
    mkdirSync(join(dir.dir, 'empty'));
    expect(checkOutputDirectory('empty', { cwd: dir.dir })).toBe(join(dir.dir, 'empty'));
    expect(readdirSync(dir.dir)).toEqual(['empty']);
    expect(readdirSync(join(dir.dir, 'empty'))).toEqual([]);
  });

  it('refuses a non-empty directory without overwrite (REFUSED, contents untouched), unless it holds the owned marker', () => {
    dir.write('docs/readme.md', 'mine');
    const e = failure(() => checkOutputDirectory('docs', { cwd: dir.dir, label: '--out', rerun: ['synth', '--out', 'docs'] }));
    expect(e.exit).toBe(EXIT.REFUSED);
    expect(e.message).toBe(
      '--out (docs) is a directory with 1 entry that would be replaced; pass --overwrite to replace it, ' +
        'or choose an empty or new directory. Nothing was changed. Run: synth --out docs --overwrite',
    );
    expect(readFileSync(join(dir.dir, 'docs/readme.md'), 'utf8')).toBe('mine');
    expect(checkOutputDirectory('docs', { cwd: dir.dir, overwrite: true })).toBe(join(dir.dir, 'docs'));
    dir.write('cdktf.out/manifest.json', '{}');
    expect(checkOutputDirectory('cdktf.out', { cwd: dir.dir, ownedMarker: 'manifest.json' })).toBe(join(dir.dir, 'cdktf.out'));
  });

  it('refuses a file, and places that cannot be written (USAGE; CONFIG from a variable)', () => {
    dir.write('file', 'x');
    expect(failure(() => checkOutputDirectory('file', { cwd: dir.dir })).exit).toBe(EXIT.USAGE);
    expect(failure(() => checkOutputDirectory('file/sub', { cwd: dir.dir })).message).toContain('is not a directory');
    expect(failure(() => checkOutputDirectory('/proc/cvat-out', { source: 'variable' })).exit).toBe(EXIT.CONFIG);
    expect(failure(() => checkOutputDirectory('')).exit).toBe(EXIT.USAGE);
  });
});

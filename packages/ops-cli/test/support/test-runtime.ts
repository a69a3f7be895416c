/**
 * Test double of the process runtime: in-memory stdin/stdout/stderr, a fake TokenCredential, no egress lookup
 * (a test that reaches it fails), and endpoints pointing at loopback doubles.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FakeCredential } from '@cvat-cloud/testing';
import type { Runtime } from '../../src/context/runtime';
import type { GlobalOptions } from '../../src/context/global-options';

export { FakeCredential };

/** A runtime plus readers for what was written. */
export interface TestRuntime extends Runtime {
  stdinStream: PassThrough;
  out(): string;
  err(): string;
}

export function testRuntime(overrides: Partial<Runtime> = {}): TestRuntime {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => outChunks.push(c));
  stderr.on('data', (c: Buffer) => errChunks.push(c));
  const credential = new FakeCredential();
  return {
    cwd: process.cwd(),
    stdin,
    stdout,
    stderr,
    isTTY: false,
    credential: async () => credential,
    egressIp: async () => {
      throw new Error('test runtime: egress IP lookup must never run in tests');
    },
    ...overrides,
    // storage upload keeps a record in the state directory: never the real home's from a test
    env: { CVAT_OPS_STATE_DIR: mkdtempSync(join(tmpdir(), 'cvat-ops-state-')), ...(overrides.env ?? {}) },
    stdinStream: stdin,
    out: () => Buffer.concat(outChunks).toString('utf8'),
    err: () => Buffer.concat(errChunks).toString('utf8'),
  };
}

/** Global options with defaults (no env, no json, no yes, no dry-run). */
export function globals(overrides: Partial<GlobalOptions> = {}): GlobalOptions {
  return { json: false, yes: false, dryRun: false, ...overrides };
}

/**
 * Run ids: every object a run creates is named `smoke-<runId>-<what>`, so cleanup can find it by searching
 * for the id (Azure's "randomize globally unique names" advice applied to CVAT objects).
 */
import { randomBytes } from 'node:crypto';
import { SmokeError } from './errors';

/** Accepted run ids: lowercase letters, digits and `-`, 8–40 characters, starting with a letter or digit. */
export const RUN_ID_PATTERN = /^[a-z0-9][a-z0-9-]{7,39}$/;

/** A new run id: `YYYYMMDD-HHMMSS-xxxx` (UTC, 4 random hex digits). */
export function newRunId(now: Date = new Date()): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${randomBytes(2).toString('hex')}`;
}

/** Throws a {@link SmokeError} `usage` unless `runId` matches {@link RUN_ID_PATTERN}. */
export function validateRunId(runId: string, flag = '--run-id'): string {
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new SmokeError('usage', `'${flag}' (${JSON.stringify(runId)}) must be 8-40 lowercase letters, digits or '-', e.g. ${newRunId()}`);
  }
  return runId;
}

/** The name of an object the run creates. */
export function resourceName(runId: string, suffix: string): string {
  return `smoke-${runId}-${suffix}`;
}

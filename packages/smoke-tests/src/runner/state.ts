/**
 * Values checks hand to the checks that depend on them, plus memoised lookups several checks share (one
 * `/api/server/health/` answer read by five health checks, one `/django-rq/` page read by two).
 */
import type { Credentials } from '../http/client';

/** A task the suite created and filled with data. */
export interface TaskFixture {
  readonly id: number;
  readonly name: string;
  readonly frameCount: number;
  /** Annotation jobs (type `annotation`), in id order. */
  readonly jobIds: readonly number[];
  /** Label id of `car`. */
  readonly labelId: number;
}

/** A user the suite registered. */
export interface UserFixture {
  readonly id: number;
  readonly username: string;
  readonly credentials: Credentials;
}

/** Everything checks share. Each field is written by exactly one check (named in its comment). */
export interface RunStateValues {
  /** auth.login: the superuser's Django session (for `/django-rq/`). */
  adminSession?: Credentials;
  /** opa.authz: user A. */
  userA?: UserFixture;
  /** opa.authz: user B. */
  userB?: UserFixture;
  /** import.task-data: the main task (use_cache, annotated and exported later). */
  mainTask?: TaskFixture;
  /** import.task-data: the task the quality check adds a ground-truth job to. */
  qualityTask?: TaskFixture;
  /** import.task-data: the task with 2 consensus replicas per job. */
  consensusTask?: TaskFixture;
  /** annotations.roundtrip: number of shapes written to the main task's first job. */
  annotatedShapes?: number;
  /** export.backup: path of the downloaded task backup. */
  backupFile?: string;
}

/** Shared state of one run. */
export class RunState {
  readonly values: RunStateValues = {};
  private readonly memo = new Map<string, Promise<unknown>>();

  /** The value a dependency wrote; throws when it is missing (a wiring bug in the check graph). */
  need<K extends keyof RunStateValues>(key: K): NonNullable<RunStateValues[K]> {
    const value = this.values[key];
    if (value === undefined || value === null)
      throw new Error(`internal: '${key}' was not produced by the check that should have (check the dependsOn lists)`);
    return value as NonNullable<RunStateValues[K]>;
  }

  /** Runs `fn` once per key; later callers get the same promise (also when it rejected). */
  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let promise = this.memo.get(key) as Promise<T> | undefined;
    if (!promise) {
      promise = fn();
      this.memo.set(key, promise);
      promise.catch(() => undefined);
    }
    return promise;
  }
}

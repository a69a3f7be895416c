/**
 * The check model: a check proves one or more catalogue components, has its own timeout, and declares the
 * checks it needs (whose results it reads from {@link RunState}). Independent checks run in parallel.
 */
import type { ComponentDirectory, ComponentKey } from '../components';
import type { CleanupRegistry } from '../cleanup';
import type { Credentials, CvatClient } from '../http/client';
import type { PollOptions } from '../poll';
import type { RunState } from './state';

/** How a check ended. */
export type CheckStatus =
  /** It proved what it claims. */
  | 'pass'
  /** It ran and the deployment did not do what it should (or did not answer in time). */
  | 'fail'
  /** It was not applicable (analytics disabled, a worker that scales to zero, …); the reason says why. */
  | 'skip'
  /** It could not run because a check it depends on did not pass; it proves nothing either way. */
  | 'blocked'
  /** The run was interrupted before or while it ran. */
  | 'aborted';

/** Settings every check reads. */
export interface SuiteSettings {
  /** CVAT version the server must report, without a leading `v` (e.g. `2.73.0`). */
  readonly expectedVersion: string;
  /** Whether analytics (vector → ClickHouse) is deployed. */
  readonly analytics: boolean;
  /** URL webhook deliveries are sent to. */
  readonly webhookTargetUrl: string;
  /** Poll timing for background requests (total time is bounded by the check's own timeout). */
  readonly poll: Required<Omit<PollOptions, 'signal' | 'totalTimeoutMs'>>;
  /** Directory for generated images and downloads (removed at the end of the run). */
  readonly workDir: string;
  /** Export formats the dataset export check runs. */
  readonly exportFormats: readonly string[];
}

/** What a running check can use. */
export interface CheckContext {
  /** The run id every created object's name carries. */
  readonly runId: string;
  readonly client: CvatClient;
  /** The superuser's credentials (HTTP Basic: no CSRF, no session). */
  readonly admin: Credentials;
  /** Aborts when the check times out or the run is interrupted; pass it to every request and poll. */
  readonly signal: AbortSignal;
  /** Aborts only when the whole run is interrupted; for lookups shared by several checks ({@link RunState.once}). */
  readonly runSignal: AbortSignal;
  readonly settings: SuiteSettings;
  /** Results shared between checks (users, tasks, downloaded files). */
  readonly state: RunState;
  readonly cleanup: CleanupRegistry;
  readonly components: ComponentDirectory;
  /** Milliseconds left before this check's timeout. */
  remainingMs(): number;
  /** Records what the check is doing now (shown when it times out, and as progress). */
  step(text: string): void;
  /** Adds a line of information to the result (shown in reports, does not change the status). */
  note(text: string): void;
  /** A name for something this run creates: `smoke-<runId>-<suffix>`. */
  name(suffix: string): string;
}

/** One check. */
export interface CheckDefinition {
  /** Stable id, `<area>.<what>`, e.g. `import.task-data`. */
  readonly id: string;
  /** One line, present tense, e.g. `task data is imported from uploaded images`. */
  readonly title: string;
  /** What a pass proves, in plain words (docs, `--list`). */
  readonly proves: string;
  /** The components this check proves; a failure is reported against all of them. */
  readonly components: readonly ComponentKey[];
  /** Checks that must pass first. */
  readonly dependsOn: readonly string[];
  /** The check's own time budget, in milliseconds, before `--timeout-multiplier`. */
  readonly timeoutMs: number;
  /** Returns a reason to skip (not applicable here), or `undefined` to run. */
  skip?(context: Pick<CheckContext, 'settings' | 'components'>): string | undefined;
  run(context: CheckContext): Promise<void>;
}

/** The outcome of one check. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  /** Catalogue names of the components it proves. */
  readonly components: readonly string[];
  readonly status: CheckStatus;
  /** Milliseconds from start to end (0 when it did not run). */
  readonly durationMs: number;
  /** Milliseconds after the run started that the check started (for timelines; -1 when it did not run). */
  readonly startedAtMs: number;
  /** Why it failed, was skipped or blocked, in plain words; names the component(s) for failures. */
  readonly reason?: string;
  /** Supporting lines (shape mismatches, notes). */
  readonly details: readonly string[];
}

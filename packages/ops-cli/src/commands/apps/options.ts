import type { GlobalOptions } from '../../context/global-options';
import type { AcaDeps } from '../../azure/target';

/** Options of `cvat-ops apps delete`. */
export interface AppsDeleteOptions extends GlobalOptions {
  /** Component names to delete (exclusive with `all`). */
  names?: string[];
  /** Every catalogue container app and job (enabled or not; the edge VM excluded). */
  all?: boolean;
}

/** Options of `cvat-ops apps restart`. */
export interface AppsRestartOptions extends GlobalOptions {
  /** Component (container app) name. */
  name: string;
}

/** Options of `cvat-ops apps recreate`. */
export interface AppsRecreateOptions extends GlobalOptions {
  /** Component (container app or job) name. */
  name: string;
  /**
   * Terraform resource address to replace.
   * @default - from the synth index (packages/infra/cdktf.out/cvat-index.json, or the one in CVAT_OPS_SYNTH_DIR)
   */
  address?: string;
}

/** Runs a program with inherited stdio and resolves its exit code (injectable in tests). */
export type SpawnRunner = (
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined> },
) => Promise<number | null>;

/** Injectable dependencies of the apps commands (tests). */
export interface AppsDeps extends AcaDeps {
  /** Interval between polls of a long-running delete. @default 5000 */
  pollIntervalMs?: number;
  /** Clock for progress lines. @default Date.now */
  now?: () => number;
  /** Runs the infra deploy for `apps recreate`. @default child_process.spawn with inherited stdio */
  spawn?: SpawnRunner;
}

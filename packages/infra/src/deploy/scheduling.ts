/** Small helpers of the orchestrator's concurrent runs: a mutex, elapsed-time text, apply-progress parsing. */

/** Runs async sections one at a time, in call order. */
export interface Mutex {
  run<T>(section: () => Promise<T>): Promise<T>;
}

/** A promise-chain mutex (no timers, no polling). */
export function createMutex(): Mutex {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(section: () => Promise<T>): Promise<T> {
      const result = tail.then(section, section);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}

/** `42.3s`, `3m05s`, `1h02m`: short, fixed-style elapsed times for progress lines. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}

/** One line of `terraform apply` output, classified. */
export type ApplyEvent =
  | { readonly kind: 'started'; readonly address: string }
  | { readonly kind: 'completed'; readonly address: string }
  | { readonly kind: 'still'; readonly address: string }
  | { readonly kind: 'other' };

// terraform's UI hook messages (hashicorp/terraform internal/command/views/hook_ui.go, PreApply/stillRunning/PostApply;
// exercised against terraform 1.11.4 by test/deploy/orchestrator-parallel.test.ts): "<addr>: Creating...",
// "<addr>: Modifying... [id=…]", "<addr>: Still creating... [10s elapsed]" (newer releases: "[00m10s elapsed]"),
// "<addr>: Creation complete after 2s [id=…]", and the same for Destroying/Destruction; a deposed object's address
// carries " (deposed object …)" and is not counted.
const STARTED = /^(\S+): (?:Creating|Modifying|Destroying)\.\.\.(?: \[.*\])?$/;
const COMPLETED = /^(\S+): (?:Creation|Modifications|Destruction) complete after /;
const STILL = /^(\S+): Still (?:creating|modifying|destroying|reading)\.\.\. \[/;

/** Classifies one (no-colour) line of `terraform apply` output. */
export function classifyApplyLine(line: string): ApplyEvent {
  let m = COMPLETED.exec(line);
  if (m) return { kind: 'completed', address: m[1]! };
  m = STILL.exec(line);
  if (m) return { kind: 'still', address: m[1]! };
  m = STARTED.exec(line);
  if (m) return { kind: 'started', address: m[1]! };
  return { kind: 'other' };
}

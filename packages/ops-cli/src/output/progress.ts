/**
 * Progress for long operations, always on stderr so stdout stays clean for results/JSON:
 * a cli-progress bar on a TTY, one plain line per finished item otherwise, nothing with `--json`.
 */
import type { Runtime } from '../context/runtime';

/** Receives progress of a byte-counted batch of items. */
export interface Progress {
  /** Bytes transferred (called as ranges complete). */
  advance(bytes: number): void;
  /** Undo bytes of an attempt that failed and will be retried or abandoned. */
  rewind(bytes: number): void;
  /** An item finished (`status` e.g. uploaded / skipped / failed). */
  itemDone(name: string, status: string, detail?: string): void;
  stop(): void;
}

/** Human-readable bytes (binary units). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[i]}`;
}

const silent: Progress = { advance: () => undefined, rewind: () => undefined, itemDone: () => undefined, stop: () => undefined };

/**
 * Chooses the progress style: none with `--json`; a cli-progress bar when stderr is a terminal; otherwise one
 * plain line per finished item on stderr (CI logs, `2> file`).
 */
export async function createProgress(
  runtime: Pick<Runtime, 'stderr'>,
  options: { json: boolean; totalBytes: number; totalItems: number; label: string },
): Promise<Progress> {
  if (options.json) return silent;
  if (!(runtime.stderr as NodeJS.WriteStream).isTTY) {
    return {
      advance: () => undefined,
      rewind: () => undefined,
      itemDone: (name, status, detail) => runtime.stderr.write(`${status.padEnd(9)} ${name}${detail ? ` (${detail})` : ''}\n`),
      stop: () => undefined,
    };
  }
  const cliProgress = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      stream: runtime.stderr as NodeJS.WriteStream,
      format: `${options.label} {bar} {percentage}% | {done_h}/{total_h} | {items}/{totalItems} files`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let bytes = 0;
  let items = 0;
  const payload = () => ({ done_h: formatBytes(bytes), total_h: formatBytes(options.totalBytes), items, totalItems: options.totalItems });
  bar.start(Math.max(1, options.totalBytes), 0, payload());
  return {
    advance: (n) => {
      bytes += n;
      bar.update(bytes, payload());
    },
    rewind: (n) => {
      bytes = Math.max(0, bytes - n);
      bar.update(bytes, payload());
    },
    itemDone: () => {
      items++;
      bar.update(bytes, payload());
    },
    stop: () => bar.stop(),
  };
}

/**
 * A one-line progress bar on stderr (bytes, rate, ETA), drawn only on a TTY
 * so that pipes and `--json` output stay clean.
 */
export class Progress {
  #last = 0;
  #done = 0;
  readonly #start = Date.now();
  readonly #enabled: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    options: { enabled?: boolean } = {},
  ) {
    this.#enabled =
      (options.enabled ?? true) && Boolean(process.stderr.isTTY) && total > 0;
  }

  /** Adds `bytes` to the count (for transfers running in parallel). */
  add(bytes: number): void {
    this.update(this.#done + bytes);
  }

  /** Reports the bytes done so far; redraws at most every 100 ms. */
  update(done: number): void {
    this.#done = done;
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#last < 100 && done < this.total) return;
    this.#last = now;
    process.stderr.write(
      `\r\x1b[K${describeProgress(
        this.label,
        done,
        this.total,
        now - this.#start,
      )}`,
    );
  }

  /** Clears the line. */
  done(): void {
    if (this.#enabled) process.stderr.write('\r\x1b[K');
  }
}

/** `label  42% 1.2 GiB / 3.0 GiB  310.5 MiB/s  ETA 6s` */
export function describeProgress(
  label: string,
  done: number,
  total: number,
  elapsedMs: number,
): string {
  const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const eta = rate > 0 ? Math.ceil((total - done) / rate) : undefined;
  const width = 20;
  const filled = Math.round((pct / 100) * width);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(
    width - filled,
  )}] ${pct}% ${formatBytes(done)} / ${formatBytes(total)}  ${formatBytes(
    rate,
  )}/s  ETA ${eta === undefined ? '?' : formatDuration(eta)}`;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Formats a byte count for humans, e.g. `1.5 MiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

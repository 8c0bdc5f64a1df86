/** A one-line byte progress indicator on stderr, drawn only on a TTY. */
export class Progress {
  #last = 0;
  readonly #enabled: boolean;

  constructor(private readonly label: string, private readonly total: number) {
    this.#enabled = Boolean(process.stderr.isTTY) && total > 0;
  }

  /** Reports the bytes done so far; redraws at most every 100 ms. */
  update(done: number): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#last < 100 && done < this.total) return;
    this.#last = now;
    const pct = Math.min(100, Math.floor((done / this.total) * 100));
    process.stderr.write(
      `\r${this.label} ${pct}% (${formatBytes(done)} / ${formatBytes(
        this.total,
      )})`,
    );
  }

  /** Clears the line. */
  done(): void {
    if (this.#enabled) process.stderr.write('\r\x1b[K');
  }
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
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

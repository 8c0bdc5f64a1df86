/**
 * Interning of categorical column values straight from bytes, so that the
 * CSV fast path maps a field to a small integer id without allocating a
 * string per row.
 */

/** FNV-1a offset basis; the scanner hashes field bytes with the same function. */
export const FNV_OFFSET = 0x811c9dc5 | 0;
/** FNV-1a prime. */
export const FNV_PRIME = 16777619;

/** FNV-1a hash of `buf[start, end)`, as a signed 32-bit integer. */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) {
    h = Math.imul(h ^ buf[i], FNV_PRIME);
  }
  return h;
}

/** Error for bad fairness input (missing columns, malformed rows, too many values). */
export class FairnessInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FairnessInputError';
  }
}

/**
 * The distinct values of one column, each with a dense id (0, 1, 2, …) in
 * order of first appearance. Lookups by bytes use an open-addressing table
 * keyed by the FNV-1a hash and confirmed by comparing bytes.
 */
export class ValueDictionary {
  /** Decoded values, indexed by id. */
  readonly values: string[] = [];
  private readonly raw: Uint8Array[] = [];
  private readonly hashes: number[] = [];
  private readonly byString = new Map<string, number>();
  private table = new Int32Array(64);
  private mask = 63;

  constructor(readonly column: string, readonly maxValues: number) {}

  /** Returns the id of the value whose UTF-8 bytes are `buf[start, end)` with hash `hash`. */
  internBytes(
    buf: Uint8Array,
    start: number,
    end: number,
    hash: number,
  ): number {
    const table = this.table;
    const mask = this.mask;
    const len = end - start;
    let slot = hash & mask;
    for (;;) {
      const entry = table[slot];
      if (entry === 0) break;
      const id = entry - 1;
      if (this.hashes[id] === hash) {
        const candidate = this.raw[id];
        if (candidate.length === len) {
          let same = true;
          for (let i = 0; i < len; i++) {
            if (candidate[i] !== buf[start + i]) {
              same = false;
              break;
            }
          }
          if (same) return id;
        }
      }
      slot = (slot + 1) & mask;
    }
    const value = Buffer.from(buf.buffer, buf.byteOffset + start, len).toString(
      'utf8',
    );
    return this.add(
      value,
      Uint8Array.prototype.slice.call(buf, start, end),
      hash,
    );
  }

  /** Returns the id of a value given as a string. */
  internString(value: string): number {
    const known = this.byString.get(value);
    if (known !== undefined) return known;
    const bytes = Buffer.from(value, 'utf8');
    const id = this.internBytes(
      bytes,
      0,
      bytes.length,
      hashBytes(bytes, 0, bytes.length),
    );
    this.byString.set(value, id);
    return id;
  }

  private add(value: string, bytes: Uint8Array, hash: number): number {
    const id = this.values.length;
    if (id >= this.maxValues) {
      throw new FairnessInputError(
        `column "${this.column}" has more than ${this.maxValues} distinct values; fairness metrics need categorical columns (bucket continuous attributes such as age first)`,
      );
    }
    this.values.push(value);
    this.raw.push(bytes);
    this.hashes.push(hash);
    if ((id + 1) * 2 > this.table.length) {
      this.rehash(this.table.length * 2);
    } else {
      this.place(id);
    }
    return id;
  }

  private rehash(size: number) {
    this.table = new Int32Array(size);
    this.mask = size - 1;
    for (let id = 0; id < this.values.length; id++) this.place(id);
  }

  private place(id: number) {
    let slot = this.hashes[id] & this.mask;
    while (this.table[slot] !== 0) slot = (slot + 1) & this.mask;
    this.table[slot] = id + 1;
  }
}

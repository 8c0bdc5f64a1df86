import { MalformedError } from '../report';

/** Dense memo indexes are tracked in a bitset up to this many entries. */
const DENSE_LIMIT = 1 << 27;
/** Indexes stored far outside the dense range (hand-made pickles only). */
const SPARSE_LIMIT = 1 << 20;
/**
 * Tracked values kept at most; beyond this an entry is remembered as
 * untracked, which can only make the verdict stricter (a string that is
 * later a STACK_GLOBAL operand becomes an unresolved global).
 */
const KEPT_VALUES_LIMIT = 2_000_000;

/**
 * The unpickler's memo with bounded memory: which indexes exist is kept in
 * a bitset (one bit per entry, so a pickle of 20 million memoized objects
 * costs 2.5 MB), the most common tracked value (`plain`, a tuple without
 * globals) in a second bitset, and only the values the scanner cares about
 * (strings, globals, tuples holding globals) in a bounded map.
 */
export class BoundedMemo<V> {
  private bits = new Uint8Array(1024);
  private plainBits = new Uint8Array(1024);
  private sparse: Set<number> | undefined;
  private readonly values = new Map<number, V>();
  /** Number of distinct indexes stored (what MEMOIZE uses as the next index). */
  size = 0;

  constructor(private readonly maxEntries: number, private readonly plain: V) {}

  has(i: number): boolean {
    if (i < this.bits.length * 8 && ((this.bits[i >> 3] >> (i & 7)) & 1) === 1)
      return true;
    return this.sparse !== undefined && this.sparse.has(i);
  }

  /**
   * Stores `value` at `i`; `undefined` stores an entry the scanner does not
   * track. `where` describes the position for a limit error.
   */
  set(i: number, value: V | undefined, where: () => string): void {
    if (!this.has(i)) {
      if (this.size >= this.maxEntries) {
        throw new MalformedError(
          'pickle/limit-exceeded',
          `memo larger than ${this.maxEntries} entries`,
          where(),
        );
      }
      this.mark(i, where);
      this.size++;
    } else {
      if (this.values.size > 0) this.values.delete(i);
      this.setPlain(i, false);
    }
    if (value === undefined) return;
    if (value === this.plain) this.setPlain(i, true);
    else if (this.values.size < KEPT_VALUES_LIMIT) this.values.set(i, value);
  }

  /** The kept value, `null` for an entry kept as "other", undefined if absent. */
  get(i: number): V | null | undefined {
    if (!this.has(i)) return undefined;
    if (
      i < this.plainBits.length * 8 &&
      (this.plainBits[i >> 3] >> (i & 7)) & 1
    )
      return this.plain;
    const v = this.values.get(i);
    return v === undefined ? null : v;
  }

  private setPlain(i: number, on: boolean): void {
    if (i >= DENSE_LIMIT) {
      // Far-off indexes keep plain tuples in the map like other values.
      if (on && this.values.size < KEPT_VALUES_LIMIT)
        this.values.set(i, this.plain);
      return;
    }
    if (i >= this.plainBits.length * 8) {
      if (!on) return;
      let n = this.plainBits.length;
      while (n * 8 <= i) n *= 2;
      const grown = new Uint8Array(n);
      grown.set(this.plainBits);
      this.plainBits = grown;
    }
    if (on) this.plainBits[i >> 3] |= 1 << (i & 7);
    else this.plainBits[i >> 3] &= ~(1 << (i & 7));
  }

  private mark(i: number, where: () => string): void {
    if (
      i >= this.bits.length * 8 &&
      i < DENSE_LIMIT &&
      i < this.size * 16 + 8192
    ) {
      let n = this.bits.length;
      while (n * 8 <= i) n *= 2;
      const grown = new Uint8Array(n);
      grown.set(this.bits);
      this.bits = grown;
    }
    if (i < this.bits.length * 8) {
      this.bits[i >> 3] |= 1 << (i & 7);
      return;
    }
    if (!this.sparse) this.sparse = new Set();
    if (this.sparse.size >= SPARSE_LIMIT) {
      throw new MalformedError(
        'pickle/limit-exceeded',
        `more than ${SPARSE_LIMIT} scattered memo indexes`,
        where(),
      );
    }
    this.sparse.add(i);
  }
}

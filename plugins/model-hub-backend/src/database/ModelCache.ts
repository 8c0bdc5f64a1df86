import { ModelChange, ModelChangeFeed } from './ModelChangeFeed';

/** Options of {@link ModelCache}. */
export interface ModelCacheOptions<V = unknown> {
  /** The change events that drop entries (shared by every cache of a replica). */
  feed: ModelChangeFeed;
  /** Entries kept at most; the least recently used go first. */
  maxEntries: number;
  /** How long an entry is trusted without an event: a backstop for what only the clock changes. */
  ttlMs: number;
  /** The clock (tests). */
  clock?: () => number;
  /**
   * The moment a loaded value stops being true by the clock alone (its
   * model unchanged), given the time its lookup began; the entry is
   * trusted until then (and the TTL), and not kept when that is not later
   * than the lookup's time. Default: only the TTL.
   */
  validUntil?: (value: V, at: number) => number;
}

/**
 * Defaults of the read routes' caches (versions GET, gauntlet GET): models
 * kept per cache, and how long an entry is trusted without an event. Only
 * a backstop: every write of what they read is an event, and what the
 * clock changes ends an entry at that moment (`validUntil`).
 */
export const READ_CACHE_DEFAULTS = { maxEntries: 5_000, ttlMs: 300_000 };

/** What an entry is for: a model (lower-cased entity ref) and what of it. */
export interface ModelCacheKey {
  ref: string;
  key: string;
}

interface Entry<V> {
  ref: string;
  value: V;
  at: number;
  /** When the clock alone makes it untrue (see `validUntil`). */
  until: number;
}

/** A load in flight for a model: set when one of the model's events is applied meanwhile. */
interface Ticket {
  stale: boolean;
}

/**
 * Values read from the database per model (lower-cased entity ref) and a
 * key, in this replica's memory: bounded (least recently used out), each
 * trusted for `ttlMs`, and dropped when the model's change events arrive
 * through the {@link ModelChangeFeed}. Every lookup first syncs the feed,
 * so it sees every change committed before it started. A value loaded
 * while one of its model's events was applied is returned but not kept:
 * the load may have read the rows from before that change.
 *
 * Values may depend on the clock: `validUntil` ends an entry when the
 * clock alone would change it. The cache holds nothing of a caller: who
 * may see a model is decided by the caller of the cache.
 */
export class ModelCache<V> {
  readonly #feed: ModelChangeFeed;
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #clock: () => number;
  readonly #validUntil?: (value: V, at: number) => number;
  /** In least-recently-used order. */
  readonly #entries = new Map<string, Entry<V>>();
  /** The keys of each model's entries. */
  readonly #keysOf = new Map<string, Set<string>>();
  /** Loads in flight per model. */
  readonly #loading = new Map<string, Set<Ticket>>();

  constructor(options: ModelCacheOptions<V>) {
    this.#feed = options.feed;
    this.#maxEntries = options.maxEntries;
    this.#ttlMs = options.ttlMs;
    this.#clock = options.clock ?? Date.now;
    this.#validUntil = options.validUntil;
    this.#feed.subscribe(change => this.#apply(change));
  }

  /** The value of `ref` and `key`, loaded with `load` unless cached. */
  async get(ref: string, key: string, load: () => Promise<V>): Promise<V> {
    const [value] = await this.getMany([{ ref, key }], async () => [
      await load(),
    ]);
    return value;
  }

  /**
   * The value of `ref` and `key` when this cache holds it and trusts it
   * (after syncing the feed, so it is as fresh as a load), else undefined;
   * never loads. For a route that can use what another route read.
   */
  async peek(ref: string, key: string): Promise<V | undefined> {
    await this.#feed.sync();
    const hit = this.#entries.get(`${ref}\u0000${key}`);
    return hit && this.#trusted(hit, this.#clock()) ? hit.value : undefined;
  }

  /**
   * The values of many models (each with its key), in the order asked;
   * the misses loaded together with `load`, which returns their values in
   * the order given.
   */
  async getMany(
    items: ReadonlyArray<ModelCacheKey>,
    load: (misses: ModelCacheKey[]) => Promise<V[]>,
  ): Promise<V[]> {
    await this.#feed.sync();
    const now = this.#clock();
    const out = new Array<V>(items.length);
    const misses: ModelCacheKey[] = [];
    const missAt: number[] = [];
    items.forEach((item, i) => {
      const id = `${item.ref}\u0000${item.key}`;
      const hit = this.#entries.get(id);
      if (hit && this.#trusted(hit, now)) {
        this.#entries.delete(id);
        this.#entries.set(id, hit);
        out[i] = hit.value;
      } else {
        misses.push(item);
        missAt.push(i);
      }
    });
    if (misses.length === 0) return out;
    const tickets = misses.map(item => this.#begin(item.ref));
    let loaded: V[];
    try {
      loaded = await load(misses);
    } finally {
      misses.forEach((item, i) => this.#end(item.ref, tickets[i]));
    }
    misses.forEach((item, i) => {
      out[missAt[i]] = loaded[i];
      if (!tickets[i].stale) this.#store(item, loaded[i], now);
    });
    return out;
  }

  #trusted(entry: Entry<V>, now: number): boolean {
    return now - entry.at < this.#ttlMs && now < entry.until;
  }

  #begin(ref: string): Ticket {
    const ticket = { stale: false };
    const tickets = this.#loading.get(ref);
    if (tickets) tickets.add(ticket);
    else this.#loading.set(ref, new Set([ticket]));
    return ticket;
  }

  #end(ref: string, ticket: Ticket): void {
    const tickets = this.#loading.get(ref);
    tickets?.delete(ticket);
    if (tickets?.size === 0) this.#loading.delete(ref);
  }

  #store({ ref, key }: ModelCacheKey, value: V, at: number): void {
    const id = `${ref}\u0000${key}`;
    this.#entries.delete(id);
    const until = this.#validUntil?.(value, at) ?? Infinity;
    if (until <= at) return;
    this.#entries.set(id, { ref, value, at, until });
    const keys = this.#keysOf.get(ref);
    if (keys) keys.add(id);
    else this.#keysOf.set(ref, new Set([id]));
    while (this.#entries.size > this.#maxEntries) {
      const [oldest, entry] = this.#entries.entries().next().value!;
      this.#entries.delete(oldest);
      const oldKeys = this.#keysOf.get(entry.ref);
      oldKeys?.delete(oldest);
      if (oldKeys?.size === 0) this.#keysOf.delete(entry.ref);
    }
  }

  #apply(change: ModelChange): void {
    if ('all' in change) {
      this.#entries.clear();
      this.#keysOf.clear();
      for (const tickets of this.#loading.values()) {
        for (const ticket of tickets) ticket.stale = true;
      }
      return;
    }
    const ref = change.entityRef;
    for (const id of this.#keysOf.get(ref) ?? []) this.#entries.delete(id);
    this.#keysOf.delete(ref);
    for (const ticket of this.#loading.get(ref) ?? []) ticket.stale = true;
  }

  /** Entries held (tests). */
  get size(): number {
    return this.#entries.size;
  }
}

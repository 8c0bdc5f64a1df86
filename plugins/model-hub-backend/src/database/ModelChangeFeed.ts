import { Knex } from 'knex';

/** What a listener of the {@link ModelChangeFeed} is told: one model's ref (lower case), or every model. */
export type ModelChange = { entityRef: string } | { all: true };

/** Options of {@link ModelChangeFeed}. */
export interface ModelChangeFeedOptions {
  db: Knex;
  /** The clock (tests): gaps are timed with it. */
  clock?: () => number;
  /**
   * How long an id missing below the newest seen one is watched for (an
   * event whose transaction committed after a later one's). Once it
   * expires every listener is told that everything changed.
   */
  gapMs?: number;
  /** Gaps watched at most; beyond it, everything changed. */
  maxGaps?: number;
  /**
   * Events are pruned after this long (default one hour); longer than any
   * cache entry lives, so a replica idle for longer holds no entry the
   * pruned events would have dropped.
   */
  retainMs?: number;
}

const TABLE = 'gauntlet_tier_events';

/**
 * The per-model change events of all replicas, read from
 * `gauntlet_tier_events` (written by database triggers in the writing
 * transaction, see the migration `model_change_triggers`).
 * {@link ModelChangeFeed.sync} reads the
 * events after the last one seen and tells the listeners; a request that
 * awaits it first sees every event committed before it started.
 *
 * PostgreSQL hands out ids when rows are inserted, not when their
 * transactions commit: id 11 may become visible before id 10. So ids
 * missing below the newest seen one are re-read as gaps for `gapMs`; a gap
 * that never fills (a rolled-back insert, an event pruned before this
 * replica read it, a transaction open longer than that) tells every
 * listener that everything changed, which is always safe.
 */
export class ModelChangeFeed {
  readonly #db: Knex;
  readonly #clock: () => number;
  readonly #gapMs: number;
  readonly #maxGaps: number;
  readonly #retainMs: number;
  readonly #listeners: Array<(change: ModelChange) => void> = [];
  #lastId: number | undefined;
  /** Missing ids, with when they were noticed. */
  readonly #gaps = new Map<number, number>();
  #lastPrune = 0;
  /** The read in flight, if any. */
  #reading: Promise<void> | undefined;
  /** The read queued behind it, shared by every sync that arrives meanwhile. */
  #queued: Promise<void> | undefined;

  constructor(options: ModelChangeFeedOptions) {
    this.#db = options.db;
    this.#clock = options.clock ?? Date.now;
    this.#gapMs = options.gapMs ?? 60_000;
    this.#maxGaps = options.maxGaps ?? 1_000;
    this.#retainMs = options.retainMs ?? 3_600_000;
  }

  /** Calls `listener` with every change read from now on. */
  subscribe(listener: (change: ModelChange) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Applies the events committed before this call. Concurrent calls share
   * reads, and every call is served by a read that began after it did: a
   * call arriving while a read is in flight waits for the one queued behind
   * it (at 50 concurrent requests, two event queries per round trip instead
   * of fifty).
   */
  sync(): Promise<void> {
    if (this.#queued) return this.#queued;
    if (!this.#reading) return this.#startRead();
    const settled = this.#reading.then(
      () => undefined,
      () => undefined,
    );
    const queued = settled.then(() => {
      this.#queued = undefined;
      return this.#startRead();
    });
    this.#queued = queued;
    return queued;
  }

  #startRead(): Promise<void> {
    const read: Promise<void> = this.#read().finally(() => {
      if (this.#reading === read) this.#reading = undefined;
    });
    this.#reading = read;
    return read;
  }

  #emit(change: ModelChange): void {
    for (const listener of this.#listeners) listener(change);
  }

  /** Reads the events after the last one seen, and those of open gaps (one query). */
  async #read(): Promise<void> {
    if (this.#lastId === undefined) {
      await this.#start();
      return;
    }
    const last = this.#lastId;
    const gaps = [...this.#gaps.keys()];
    const rows: Array<{ id: number | string; entity_ref: string }> =
      await this.#db(TABLE)
        .select('id', 'entity_ref')
        .where('id', '>', last)
        .modify(q => {
          if (gaps.length > 0) q.orWhereIn('id', gaps);
        })
        .orderBy('id');
    const now = this.#clock();
    let next = this.#lastId;
    for (const row of rows) {
      const id = Number(row.id);
      if (id > next) {
        for (let missing = next + 1; missing < id; missing++) {
          if (this.#gaps.size >= this.#maxGaps) break;
          this.#gaps.set(missing, now);
        }
        next = id;
      } else {
        this.#gaps.delete(id);
      }
      this.#emit({ entityRef: row.entity_ref });
    }
    this.#lastId = next;
    let expired = this.#gaps.size >= this.#maxGaps;
    for (const [id, noticed] of this.#gaps) {
      if (now - noticed > this.#gapMs) {
        this.#gaps.delete(id);
        expired = true;
      }
    }
    if (expired) {
      if (this.#gaps.size >= this.#maxGaps) this.#gaps.clear();
      this.#emit({ all: true });
    }
    await this.#prune();
  }

  /**
   * The first read: starts after the newest event, watching the ids
   * missing among the last few hundred (transactions still open).
   */
  async #start(): Promise<void> {
    const rows: Array<{ id: number | string }> = await this.#db(TABLE)
      .select('id')
      .orderBy('id', 'desc')
      .limit(200);
    const ids = rows.map(r => Number(r.id));
    const now = this.#clock();
    const present = new Set(ids);
    for (let id = ids[ids.length - 1] ?? 0; id < (ids[0] ?? 0); id++) {
      if (!present.has(id)) this.#gaps.set(id, now);
    }
    this.#lastId = ids[0] ?? 0;
    this.#lastPrune = Date.now();
    this.#emit({ all: true });
  }

  /**
   * Deletes the events older than `retainMs` (by the wall clock, as the
   * triggers date them), at most every quarter of it per replica.
   */
  async #prune(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastPrune < this.#retainMs / 4) return;
    this.#lastPrune = now;
    await this.#db(TABLE)
      .where('created_at', '<', new Date(now - this.#retainMs))
      .delete();
  }
}

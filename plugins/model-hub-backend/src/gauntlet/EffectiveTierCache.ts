import { Entity } from '@backstage/catalog-model';
import { Knex } from 'knex';
import { BatchedTier, BatchTierReader, modelRefOf } from './BatchTierReader';
import { requestedTierOf } from './runInputs';

/** Options of {@link EffectiveTierCache}. */
export interface EffectiveTierCacheOptions {
  db: Knex;
  reader: BatchTierReader;
  /** How long an entry is trusted without an event; a backstop for clock-driven changes (waiver expiry). */
  ttlMs: number;
  /** The clock. */
  clock: () => Date;
  /** Events older than this are pruned (default one hour). */
  retainMs?: number;
}

interface Entry {
  tier: BatchedTier;
  at: number;
  /** The requested tier the entry was computed for (the entity can change it). */
  requested: string;
}

/**
 * Effective tiers of many models, cached per model and invalidated by tier
 * events: {@link EffectiveTierCache.invalidate} appends a row to
 * `gauntlet_tier_events`, and every lookup first reads the events after the
 * last one this replica saw (one small query), so a gauntlet run, approval,
 * waiver, alias or seal on any replica drops the entry everywhere. Misses
 * are computed together by the {@link BatchTierReader}; a TTL bounds what
 * only the clock changes (a waiver expiring).
 */
export class EffectiveTierCache {
  readonly #db: Knex;
  readonly #reader: BatchTierReader;
  readonly #ttlMs: number;
  readonly #clock: () => Date;
  readonly #retainMs: number;
  readonly #entries = new Map<string, Entry>();
  #lastEventId: number | undefined;
  #lastPrune = 0;
  /** The event read in flight, if any. */
  #reading: Promise<void> | undefined;
  /** The read queued behind it, shared by every lookup that arrives meanwhile. */
  #queued: Promise<void> | undefined;

  constructor(options: EffectiveTierCacheOptions) {
    this.#db = options.db;
    this.#reader = options.reader;
    this.#ttlMs = options.ttlMs;
    this.#clock = options.clock;
    this.#retainMs = options.retainMs ?? 3_600_000;
  }

  /** Records that the tier inputs of a model changed (all replicas see it). */
  async invalidate(entityRef: string): Promise<void> {
    const ref = entityRef.toLocaleLowerCase('en-US');
    this.#entries.delete(ref);
    await this.#db('gauntlet_tier_events').insert({
      entity_ref: ref,
      created_at: this.#clock(),
    });
    const now = this.#clock().getTime();
    if (now - this.#lastPrune > this.#retainMs / 4) {
      this.#lastPrune = now;
      await this.#db('gauntlet_tier_events')
        .where('created_at', '<', new Date(now - this.#retainMs))
        .delete();
    }
  }

  /** The effective tiers of `entities`, keyed by lower-cased entity ref. */
  async getMany(
    entities: readonly Entity[],
  ): Promise<Map<string, BatchedTier>> {
    await this.#applyEvents();
    const now = this.#clock();
    const out = new Map<string, BatchedTier>();
    const misses: Entity[] = [];
    for (const entity of entities) {
      const ref = modelRefOf(entity);
      const hit = this.#entries.get(ref);
      if (
        hit &&
        now.getTime() - hit.at < this.#ttlMs &&
        hit.requested === requestedTierOf(entity)
      ) {
        out.set(ref, hit.tier);
      } else {
        misses.push(entity);
      }
    }
    if (misses.length > 0) {
      const computed = await this.#reader.read(misses, now);
      for (const entity of misses) {
        const ref = modelRefOf(entity);
        const tier = computed.get(ref)!;
        this.#entries.set(ref, {
          tier,
          at: now.getTime(),
          requested: requestedTierOf(entity),
        });
        out.set(ref, tier);
      }
    }
    return out;
  }

  /**
   * Drops the entries of models changed since the last lookup. Concurrent
   * lookups share reads, and every lookup is served by a read that began
   * after it did (so it sees every event committed before it started): a
   * lookup arriving while a read is in flight waits for the one queued
   * behind it. At 50 concurrent searches that is two event queries per
   * round trip instead of fifty.
   */
  #applyEvents(): Promise<void> {
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
    const read: Promise<void> = this.#readEvents().finally(() => {
      if (this.#reading === read) this.#reading = undefined;
    });
    this.#reading = read;
    return read;
  }

  /** Reads the events after the last one seen (one query). */
  async #readEvents(): Promise<void> {
    if (this.#lastEventId === undefined) {
      const row = await this.#db('gauntlet_tier_events')
        .max({ id: 'id' })
        .first();
      this.#lastEventId = Number(row?.id ?? 0);
      this.#entries.clear();
      return;
    }
    const rows: Array<{ id: number | string; entity_ref: string }> =
      await this.#db('gauntlet_tier_events')
        .select('id', 'entity_ref')
        .where('id', '>', this.#lastEventId)
        .orderBy('id');
    for (const row of rows) {
      this.#entries.delete(row.entity_ref);
      this.#lastEventId = Math.max(this.#lastEventId, Number(row.id));
    }
  }
}

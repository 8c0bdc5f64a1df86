import { Entity } from '@backstage/catalog-model';
import { ModelCache } from '../database/ModelCache';
import { ModelChangeFeed } from '../database/ModelChangeFeed';
import { BatchedTier, BatchTierReader, modelRefOf } from './BatchTierReader';
import { requestedTierOf } from './runInputs';

/** Options of {@link EffectiveTierCache}. */
export interface EffectiveTierCacheOptions {
  /** The replica's model change events. */
  feed: ModelChangeFeed;
  reader: BatchTierReader;
  /** How long an entry is trusted without an event; a backstop for clock-driven changes (waiver expiry). */
  ttlMs: number;
  /** The clock. */
  clock: () => Date;
  /** Models kept at most (default 50,000). */
  maxEntries?: number;
}

/**
 * Effective tiers of many models, cached per model (and requested tier)
 * and dropped by the model's change events (a gauntlet run, approval,
 * waiver, alias or seal on any replica; see {@link ModelChangeFeed}).
 * Misses are computed together by the {@link BatchTierReader}; a TTL
 * bounds what only the clock changes (a waiver expiring).
 */
export class EffectiveTierCache {
  readonly #reader: BatchTierReader;
  readonly #clock: () => Date;
  readonly #cache: ModelCache<BatchedTier>;

  constructor(options: EffectiveTierCacheOptions) {
    this.#reader = options.reader;
    this.#clock = options.clock;
    this.#cache = new ModelCache({
      feed: options.feed,
      maxEntries: options.maxEntries ?? 50_000,
      ttlMs: options.ttlMs,
      clock: () => options.clock().getTime(),
    });
  }

  /** The effective tiers of `entities`, keyed by lower-cased entity ref. */
  async getMany(
    entities: readonly Entity[],
  ): Promise<Map<string, BatchedTier>> {
    const byRef = new Map<string, Entity>();
    for (const entity of entities) byRef.set(modelRefOf(entity), entity);
    const items = [...byRef].map(([ref, entity]) => ({
      ref,
      key: `tier:${requestedTierOf(entity)}`,
    }));
    const tiers = await this.#cache.getMany(items, async misses => {
      const computed = await this.#reader.read(
        misses.map(m => byRef.get(m.ref)!),
        this.#clock(),
      );
      return misses.map(m => computed.get(m.ref)!);
    });
    return new Map(items.map((item, i) => [item.ref, tiers[i]]));
  }
}

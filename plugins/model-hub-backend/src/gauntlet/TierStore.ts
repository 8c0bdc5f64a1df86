import { ModelTier } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { Timestamp, toIso } from './storeTime';

interface TierRow {
  entity_ref: string;
  requested_tier: string;
  effective_tier: string | null;
  version: string | null;
  reason: string;
  updated_at: Timestamp;
}

/** A stored effective tier. */
export interface StoredTier {
  entityRef: string;
  requestedTier: ModelTier;
  effectiveTier: ModelTier | null;
  version: string | null;
  reason: string;
  updatedAt: string;
}

/** The last computed effective tier of each model (`gauntlet_tiers`), to detect changes. */
export class TierStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /** The stored effective tier of a model. */
  async get(entityRef: string): Promise<StoredTier | undefined> {
    const row = await this.#db<TierRow>('gauntlet_tiers')
      .where({ entity_ref: entityRef })
      .first();
    return row ? toTier(row) : undefined;
  }

  /**
   * Stores the effective tier; returns the previous one when the tier or
   * requested tier changed (`changed: true`), so callers can audit it.
   */
  async set(
    tier: Omit<StoredTier, 'updatedAt'>,
    now: Date,
  ): Promise<{ changed: boolean; previous?: StoredTier }> {
    const previous = await this.get(tier.entityRef);
    const changed =
      !previous ||
      previous.effectiveTier !== tier.effectiveTier ||
      previous.requestedTier !== tier.requestedTier;
    if (
      !previous ||
      changed ||
      previous.reason !== tier.reason ||
      previous.version !== tier.version
    ) {
      await this.#db('gauntlet_tiers')
        .insert({
          entity_ref: tier.entityRef,
          requested_tier: tier.requestedTier,
          effective_tier: tier.effectiveTier,
          version: tier.version,
          reason: tier.reason.slice(0, 10_000),
          updated_at: now,
        })
        .onConflict('entity_ref')
        .merge();
    }
    return { changed, previous };
  }
}

function toTier(row: TierRow): StoredTier {
  return {
    entityRef: row.entity_ref,
    requestedTier: row.requested_tier as ModelTier,
    effectiveTier: (row.effective_tier as ModelTier | null) ?? null,
    version: row.version,
    reason: row.reason,
    updatedAt: toIso(row.updated_at),
  };
}

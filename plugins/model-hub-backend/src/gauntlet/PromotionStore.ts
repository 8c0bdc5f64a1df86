import { ConflictError, NotFoundError } from '@backstage/errors';
import { ModelTier } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { insertedId, Timestamp, toIso } from './storeTime';
import { PromotionRequest, PromotionRequestState } from './types';

/** A `gauntlet_promotion_requests` row. */
export interface PromotionRow {
  id: number;
  entity_ref: string;
  tier: string;
  state: string;
  comment: string | null;
  requested_by: string;
  requested_at: Timestamp;
  requested_owner: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_comment: string | null;
}

/** Promotion requests of model owners and their decisions (`gauntlet_promotion_requests`). */
export class PromotionStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Creates a pending promotion request.
   * @throws ConflictError when one is already pending for the model
   */
  async create(options: {
    entityRef: string;
    tier: ModelTier;
    comment?: string;
    requestedBy: string;
    /** The model's owner now, as a full ref. */
    requestedOwner?: string;
    now: Date;
  }): Promise<PromotionRequest> {
    return this.#db.transaction(async tx => {
      const pending = await tx<PromotionRow>('gauntlet_promotion_requests')
        .where({ entity_ref: options.entityRef, state: 'pending' })
        .first();
      if (pending) {
        throw new ConflictError(
          `${options.entityRef} already has pending promotion request ${pending.id} (to ${pending.tier})`,
        );
      }
      const [inserted] = await tx('gauntlet_promotion_requests')
        .insert({
          entity_ref: options.entityRef,
          tier: options.tier,
          state: 'pending',
          comment: options.comment ?? null,
          requested_by: options.requestedBy,
          requested_at: options.now,
          requested_owner: options.requestedOwner ?? null,
        })
        .returning('id');
      return toPromotion(
        (await tx<PromotionRow>('gauntlet_promotion_requests')
          .where({ id: insertedId(inserted) })
          .first())!,
      );
    });
  }

  /**
   * Approves or rejects a pending promotion request of the model.
   * @throws NotFoundError when there is no such request for the model
   * @throws ConflictError when it was already decided
   */
  async decide(options: {
    entityRef: string;
    id: number;
    state: Exclude<PromotionRequestState, 'pending'>;
    decidedBy: string;
    comment?: string;
    now: Date;
  }): Promise<PromotionRequest> {
    return this.#db.transaction(async tx => {
      const row = await tx<PromotionRow>('gauntlet_promotion_requests')
        .where({ id: options.id, entity_ref: options.entityRef })
        .first();
      if (!row) {
        throw new NotFoundError(
          `${options.entityRef} has no promotion request ${options.id}`,
        );
      }
      const updated = await tx('gauntlet_promotion_requests')
        .where({ id: options.id, state: 'pending' })
        .update({
          state: options.state,
          decided_by: options.decidedBy,
          decided_at: options.now,
          decision_comment: options.comment ?? null,
        });
      if (updated === 0) {
        throw new ConflictError(
          `Promotion request ${options.id} of ${options.entityRef} was already ${row.state}`,
        );
      }
      return toPromotion(
        (await tx<PromotionRow>('gauntlet_promotion_requests')
          .where({ id: options.id })
          .first())!,
      );
    });
  }

  /** One promotion request of a model. */
  async get(
    entityRef: string,
    id: number,
  ): Promise<PromotionRequest | undefined> {
    const row = await this.#db<PromotionRow>('gauntlet_promotion_requests')
      .where({ id, entity_ref: entityRef })
      .first();
    return row ? toPromotion(row) : undefined;
  }

  /**
   * Marks a pending request approved once its last required approval came
   * in; false when it was no longer pending (decided concurrently).
   */
  async markApproved(options: {
    id: number;
    decidedBy: string;
    comment?: string;
    now: Date;
  }): Promise<boolean> {
    const updated = await this.#db('gauntlet_promotion_requests')
      .where({ id: options.id, state: 'pending' })
      .update({
        state: 'approved',
        decided_by: options.decidedBy,
        decided_at: options.now,
        decision_comment: options.comment ?? null,
      });
    return updated > 0;
  }

  /** Puts approved requests whose approvals were invalidated back to pending. */
  async reopen(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#db('gauntlet_promotion_requests')
      .whereIn('id', ids)
      .andWhere('state', 'approved')
      .update({ state: 'pending', decided_by: null, decided_at: null });
  }

  /** Promotion requests of a model, newest first. */
  async list(entityRef: string): Promise<PromotionRequest[]> {
    const rows = await this.#db<PromotionRow>('gauntlet_promotion_requests')
      .where({ entity_ref: entityRef })
      .orderBy('id', 'desc');
    return rows.map(toPromotion);
  }
}

/** Maps a `gauntlet_promotion_requests` row. */
export function toPromotion(row: PromotionRow): PromotionRequest {
  const p: PromotionRequest = {
    id: Number(row.id),
    entityRef: row.entity_ref,
    tier: row.tier as ModelTier,
    state: row.state as PromotionRequestState,
    requestedBy: row.requested_by,
    requestedAt: toIso(row.requested_at),
  };
  if (row.requested_owner) p.requestedOwner = row.requested_owner;
  if (row.comment) p.comment = row.comment;
  if (row.decided_by) p.decidedBy = row.decided_by;
  if (row.decided_at !== null) p.decidedAt = toIso(row.decided_at);
  if (row.decision_comment) p.decisionComment = row.decision_comment;
  return p;
}

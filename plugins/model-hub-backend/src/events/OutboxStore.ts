import { randomUUID } from 'node:crypto';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { ModelHubEventType } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { migrateModelHub } from '../database/migrate';
import { Timestamp } from '../gauntlet/storeTime';

const TABLE = 'model_hub_webhook_outbox';

/** A (webhook, event) pair to deliver. */
export interface OutboxEntry {
  webhook: string;
  eventId: string;
  eventType: ModelHubEventType;
  entityRef: string;
  /** The JSON body, sent byte for byte on every attempt. */
  payload: string;
  maxAttempts: number;
}

/** A row claimed for one attempt; only the holder of `claimToken` may settle it. */
export interface ClaimedDelivery extends OutboxEntry {
  id: number;
  /** The number of this attempt, 1 for the first. */
  attempt: number;
  claimToken: string;
}

interface OutboxRow {
  id: number | string;
  claim_token: string | null;
  webhook: string;
  event_id: string;
  event_type: string;
  entity_ref: string;
  payload: string;
  attempts: number | string;
  max_attempts: number | string;
  next_attempt_at: Timestamp;
}

/**
 * The durable webhook outbox (issue #21): events wait here until delivered
 * or given up, so retries survive restarts. Sending replicas claim one due
 * row at a time with a lease; see {@link OutboxStore.claimDue}.
 */
export class OutboxStore {
  readonly #db: Knex;

  /** Connects to the plugin database and runs the migrations (unless skipped). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<OutboxStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new OutboxStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /** Adds deliveries due now; an event already queued for a webhook is not queued twice. */
  async enqueue(entries: OutboxEntry[], now: Date): Promise<void> {
    if (entries.length === 0) return;
    await this.#db(TABLE)
      .insert(
        entries.map(e => ({
          webhook: e.webhook,
          event_id: e.eventId,
          event_type: e.eventType,
          entity_ref: e.entityRef,
          payload: e.payload,
          state: 'pending',
          attempts: 0,
          max_attempts: e.maxAttempts,
          next_attempt_at: now,
          created_at: now,
        })),
      )
      .onConflict(['webhook', 'event_id'])
      .ignore();
  }

  /**
   * Claims the most overdue pending row for one attempt, with a lease until
   * `now + leaseMs`, and counts the attempt. One conditional UPDATE decides
   * (on PostgreSQL the candidate is locked `FOR UPDATE SKIP LOCKED`, on
   * SQLite the write lock serializes), so an attempt is claimed by exactly
   * one sender. A row whose claimer died (lease expired) is claimable again
   * as the next attempt. Rows out of attempts whose last claim expired are
   * given up here. Returns undefined when nothing is due.
   */
  async claimDue(
    senderId: string,
    now: Date,
    leaseMs: number,
  ): Promise<ClaimedDelivery | undefined> {
    await this.#giveUpAbandoned(now);
    const token = `${senderId}:${randomUUID()}`.slice(0, 255);
    const isPg = this.#db.client.config.client === 'pg';
    const claimable = (q: Knex.QueryBuilder) =>
      q
        .where('state', 'pending')
        .andWhere('next_attempt_at', '<=', now)
        .andWhere('attempts', '<', this.#db.ref('max_attempts'))
        .andWhere(w =>
          w.whereNull('lease_until').orWhere('lease_until', '<', now),
        );
    for (let round = 0; round < 5; round++) {
      let candidate = claimable(this.#db(TABLE).select('id'))
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(1);
      if (isPg) candidate = candidate.forUpdate().skipLocked();
      const updated = await claimable(
        this.#db(TABLE).where('id', '=', candidate),
      ).update({
        claim_token: token,
        lease_until: new Date(now.getTime() + leaseMs),
        attempts: this.#db.raw('attempts + 1'),
      });
      if (updated > 0) {
        const row = await this.#db<OutboxRow>(TABLE)
          .where({ claim_token: token })
          .first();
        if (!row) return undefined;
        return {
          id: Number(row.id),
          webhook: row.webhook,
          eventId: row.event_id,
          eventType: row.event_type as ModelHubEventType,
          entityRef: row.entity_ref,
          payload: row.payload,
          maxAttempts: Number(row.max_attempts),
          attempt: Number(row.attempts),
          claimToken: token,
        };
      }
      const [{ count }] = await claimable(this.#db(TABLE)).count({
        count: '*',
      });
      if (Number(count) === 0) return undefined;
      // Another sender took the candidate between our read and write; retry.
    }
    return undefined;
  }

  /**
   * Settles a claimed attempt: delivered, retried at `retryAt`, or given up
   * (`retryAt` undefined after a failure). Returns false when the claim was
   * lost (the lease expired and another sender took the row).
   */
  async settle(
    claim: ClaimedDelivery,
    outcome: {
      delivered: boolean;
      httpStatus?: number;
      error?: string;
      retryAt?: Date;
    },
    now: Date,
  ): Promise<boolean> {
    let next: Record<string, unknown>;
    if (outcome.delivered) next = { state: 'delivered', settled_at: now };
    else if (outcome.retryAt) next = { next_attempt_at: outcome.retryAt };
    else next = { state: 'failed', settled_at: now };
    const updated = await this.#db(TABLE)
      .where({ id: claim.id, claim_token: claim.claimToken, state: 'pending' })
      .update({
        claim_token: null,
        lease_until: null,
        last_status: outcome.httpStatus ?? null,
        last_error: outcome.error ?? null,
        ...next,
      });
    return updated > 0;
  }

  /**
   * Deletes delivered rows settled before `before`, `batchSize` at a time so
   * no statement holds many row locks; pending rows (retries still due) and
   * rows given up are kept. Returns how many were deleted.
   */
  async deleteDeliveredBefore(before: Date, batchSize = 1000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const batch = await this.#db(TABLE)
        .select('id')
        .where('state', 'delivered')
        .andWhere('settled_at', '<', before)
        .orderBy('id')
        .limit(batchSize);
      if (batch.length === 0) return deleted;
      deleted += await this.#db(TABLE)
        .whereIn(
          'id',
          batch.map(r => r.id),
        )
        .andWhere('state', 'delivered')
        .delete();
      if (batch.length < batchSize) return deleted;
    }
  }

  async #giveUpAbandoned(now: Date) {
    await this.#db(TABLE)
      .where('state', 'pending')
      .andWhere('attempts', '>=', this.#db.ref('max_attempts'))
      .andWhere(w =>
        w.whereNull('lease_until').orWhere('lease_until', '<', now),
      )
      .update({
        state: 'failed',
        settled_at: now,
        claim_token: null,
        lease_until: null,
        last_error: 'the sender stopped during the last attempt',
      });
  }
}

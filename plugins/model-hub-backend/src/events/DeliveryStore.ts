import { DatabaseService } from '@backstage/backend-plugin-api';
import { WebhookDelivery } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { migrateModelHub } from '../database/migrate';

const TABLE = 'model_hub_webhook_deliveries';

/** Delivery attempts of outbound events to webhooks. */
export class DeliveryStore {
  readonly #db: Knex;

  /** Connects to the plugin database and runs the migrations (unless skipped). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<DeliveryStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new DeliveryStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  async insert(d: Omit<WebhookDelivery, 'id'>): Promise<void> {
    await this.#db(TABLE).insert({
      webhook: d.webhook,
      event_id: d.eventId,
      event_type: d.eventType,
      entity_ref: d.entityRef,
      attempt: d.attempt,
      outcome: d.outcome,
      http_status: d.httpStatus ?? null,
      error: d.error ?? null,
      attempted_at: new Date(d.attemptedAt),
      duration_ms: d.durationMs,
    });
  }

  /** The latest attempts, newest first, optionally of one event. */
  async list(options: {
    limit: number;
    eventId?: string;
  }): Promise<WebhookDelivery[]> {
    const q = this.#db(TABLE);
    if (options.eventId) q.where('event_id', options.eventId);
    const rows = await q
      .orderBy('attempted_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit);
    return rows.map(r => ({
      id: Number(r.id),
      webhook: r.webhook,
      eventId: r.event_id,
      eventType: r.event_type,
      entityRef: r.entity_ref,
      attempt: Number(r.attempt),
      outcome: r.outcome,
      ...(r.http_status !== null ? { httpStatus: Number(r.http_status) } : {}),
      ...(r.error ? { error: r.error } : {}),
      attemptedAt: new Date(r.attempted_at).toISOString(),
      durationMs: Number(r.duration_ms),
    }));
  }
}

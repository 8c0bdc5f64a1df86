import { DatabaseService } from '@backstage/backend-plugin-api';
import { AuditQuery, AuditRecord } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { migrateModelHub } from '../database/migrate';

const TABLE = 'model_hub_audit_trail';

/** An audit record before it is stored. */
export type NewAuditRecord = Omit<AuditRecord, 'id' | 'occurredAt'> & {
  occurredAt: Date;
};

type Row = {
  id: number | string;
  event_id: string;
  outcome: AuditRecord['outcome'];
  actor: string | null;
  entity_ref: string | null;
  team: string | null;
  meta: string;
  occurred_at: Date | string | number;
};

/** The stored audit trail, newest first, filterable by model, team and actor. */
export class AuditTrailStore {
  readonly #db: Knex;

  /** Connects to the plugin database and runs the migrations (unless skipped). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<AuditTrailStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new AuditTrailStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  async insert(record: NewAuditRecord): Promise<void> {
    await this.#db(TABLE).insert({
      event_id: record.eventId,
      outcome: record.outcome,
      actor: record.actor ?? null,
      entity_ref: record.entityRef ?? null,
      team: record.team ?? null,
      meta: JSON.stringify(record.meta),
      occurred_at: record.occurredAt,
    });
  }

  /** Records matching every given filter (exact, case-insensitive refs), newest first. */
  async list(query: AuditQuery & { limit: number }): Promise<AuditRecord[]> {
    const q = this.#db<Row>(TABLE);
    const lower = (s: string) => s.toLocaleLowerCase('en-US');
    if (query.model) q.where('entity_ref', lower(query.model));
    if (query.team) q.where('team', lower(query.team));
    if (query.actor) q.where('actor', query.actor);
    const rows: Row[] = await q
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit);
    return rows.map(r => ({
      id: Number(r.id),
      eventId: r.event_id,
      outcome: r.outcome,
      ...(r.actor ? { actor: r.actor } : {}),
      ...(r.entity_ref ? { entityRef: r.entity_ref } : {}),
      ...(r.team ? { team: r.team } : {}),
      occurredAt: new Date(r.occurred_at).toISOString(),
      meta: JSON.parse(r.meta),
    }));
  }
}

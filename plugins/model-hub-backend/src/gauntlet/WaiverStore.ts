import { Knex } from 'knex';
import { insertedId, Timestamp, toDate, toIso } from './storeTime';
import { GauntletWaiver } from './types';

interface WaiverRow {
  id: number;
  entity_ref: string;
  check_id: string;
  version: string | null;
  reason: string;
  approved_by: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/** Governance waivers of single checks (`gauntlet_waivers`). */
export class WaiverStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /** Records a waiver. */
  async create(options: {
    entityRef: string;
    checkId: string;
    version?: string;
    reason: string;
    approvedBy: string;
    expiresAt: Date;
    now: Date;
  }): Promise<GauntletWaiver> {
    const [inserted] = await this.#db('gauntlet_waivers')
      .insert({
        entity_ref: options.entityRef,
        check_id: options.checkId,
        version: options.version ?? null,
        reason: options.reason,
        approved_by: options.approvedBy,
        created_at: options.now,
        expires_at: options.expiresAt,
      })
      .returning('id');
    const row = await this.#db<WaiverRow>('gauntlet_waivers')
      .where({ id: insertedId(inserted) })
      .first();
    return toWaiver(row!, options.now);
  }

  /** Waivers of a model, newest first, each marked active or not at `now`. */
  async list(entityRef: string, now: Date): Promise<GauntletWaiver[]> {
    const rows = await this.#db<WaiverRow>('gauntlet_waivers')
      .where({ entity_ref: entityRef })
      .orderBy('id', 'desc');
    return rows.map(r => toWaiver(r, now));
  }
}

function toWaiver(row: WaiverRow, now: Date): GauntletWaiver {
  const expiresAt = toDate(row.expires_at);
  const w: GauntletWaiver = {
    id: Number(row.id),
    entityRef: row.entity_ref,
    checkId: row.check_id,
    reason: row.reason,
    approvedBy: row.approved_by,
    createdAt: toIso(row.created_at),
    expiresAt: expiresAt.toISOString(),
    active: expiresAt.getTime() > now.getTime(),
  };
  if (row.version) w.version = row.version;
  return w;
}

import { Knex } from 'knex';
import { insertedId, Timestamp, toDate, toIso } from './storeTime';
import { GauntletWaiver } from './types';

/** A `gauntlet_waivers` row. */
export interface WaiverRow {
  id: number;
  entity_ref: string;
  check_id: string;
  version: string | null;
  reason: string;
  approved_by: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  state: string | null;
  requested_by: string | null;
  requested_owner: string | null;
}

/** Governance waivers of single checks (`gauntlet_waivers`). */
export class WaiverStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Records a waiver request: `pending` until enough approvals come in
   * (see {@link ApprovalStore}); `approvedBy` stays empty until then.
   */
  async create(options: {
    entityRef: string;
    checkId: string;
    version?: string;
    reason: string;
    requestedBy: string;
    /** The model's owner now, as a full ref. */
    requestedOwner?: string;
    expiresAt: Date;
    now: Date;
  }): Promise<GauntletWaiver> {
    const [inserted] = await this.#db('gauntlet_waivers')
      .insert({
        entity_ref: options.entityRef,
        check_id: options.checkId,
        version: options.version ?? null,
        reason: options.reason,
        approved_by: '',
        requested_by: options.requestedBy,
        requested_owner: options.requestedOwner ?? null,
        state: 'pending',
        created_at: options.now,
        expires_at: options.expiresAt,
      })
      .returning('id');
    const row = await this.#db<WaiverRow>('gauntlet_waivers')
      .where({ id: insertedId(inserted) })
      .first();
    return toWaiver(row!, options.now);
  }

  /** One waiver of a model. */
  async get(
    entityRef: string,
    id: number,
    now: Date,
  ): Promise<GauntletWaiver | undefined> {
    const row = await this.#db<WaiverRow>('gauntlet_waivers')
      .where({ id, entity_ref: entityRef })
      .first();
    return row ? toWaiver(row, now) : undefined;
  }

  /** Records the state a waiver's approvals give it (and its last approver). */
  async setState(
    id: number,
    state: 'pending' | 'approved',
    approvedBy: string,
  ): Promise<void> {
    await this.#db('gauntlet_waivers')
      .where({ id })
      .update({ state, approved_by: approvedBy });
  }

  /** Waivers of a model, newest first, each marked active or not at `now`. */
  async list(entityRef: string, now: Date): Promise<GauntletWaiver[]> {
    const rows = await this.#db<WaiverRow>('gauntlet_waivers')
      .where({ entity_ref: entityRef })
      .orderBy('id', 'desc');
    return rows.map(r => toWaiver(r, now));
  }
}

/** Maps a `gauntlet_waivers` row, marked active or not at `now`. */
export function toWaiver(row: WaiverRow, now: Date): GauntletWaiver {
  const expiresAt = toDate(row.expires_at);
  const w: GauntletWaiver = {
    id: Number(row.id),
    entityRef: row.entity_ref,
    checkId: row.check_id,
    reason: row.reason,
    approvedBy: row.approved_by,
    createdAt: toIso(row.created_at),
    expiresAt: expiresAt.toISOString(),
    active: row.state !== 'pending' && expiresAt.getTime() > now.getTime(),
  };
  if (row.version) w.version = row.version;
  if (row.state) w.state = row.state as 'pending' | 'approved';
  if (row.requested_by) w.requestedBy = row.requested_by;
  if (row.requested_owner) w.requestedOwner = row.requested_owner;
  return w;
}

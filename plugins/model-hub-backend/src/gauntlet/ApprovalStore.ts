import { Knex } from 'knex';
import { insertedId, Timestamp, toIso } from './storeTime';
import { GauntletApproval } from './types';

/** What an approval binds to: the tiered version, its manifest and the run seen. */
export interface ApprovalBinding {
  version: string;
  manifestSha256: string;
  runId: number;
  /** When that run finished (for the invalidation notice). */
  runFinishedAt?: string;
}

/** What is approved. */
export type ApprovalSubject = 'promotion' | 'waiver';

/** An approval with what it approves. */
export type StoredApproval = GauntletApproval & {
  subject: ApprovalSubject;
  subjectId: number;
};

/** A `gauntlet_approvals` row. */
export interface ApprovalRow {
  id: number;
  subject: string;
  subject_id: number;
  entity_ref: string;
  approver: string;
  version: string;
  manifest_sha256: string;
  run_id: number;
  comment: string | null;
  approved_at: Timestamp;
  invalidated_at: Timestamp | null;
  invalidated_reason: string | null;
}

/** Approvals of promotions and waivers (`gauntlet_approvals`), kept as history. */
export class ApprovalStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /** Records one approval bound to `binding`. */
  async add(options: {
    subject: ApprovalSubject;
    subjectId: number;
    entityRef: string;
    approver: string;
    binding: ApprovalBinding;
    comment?: string;
    now: Date;
  }): Promise<StoredApproval> {
    const [inserted] = await this.#db('gauntlet_approvals')
      .insert({
        subject: options.subject,
        subject_id: options.subjectId,
        entity_ref: options.entityRef,
        approver: options.approver,
        version: options.binding.version,
        manifest_sha256: options.binding.manifestSha256,
        run_id: options.binding.runId,
        comment: options.comment ?? null,
        approved_at: options.now,
      })
      .returning('id');
    const row = await this.#db<ApprovalRow>('gauntlet_approvals')
      .where({ id: insertedId(inserted) })
      .first();
    return toApproval(row!);
  }

  /** Every approval of a model, oldest first. */
  async list(entityRef: string): Promise<StoredApproval[]> {
    const rows = await this.#db<ApprovalRow>('gauntlet_approvals')
      .where({ entity_ref: entityRef })
      .orderBy('id');
    return rows.map(toApproval);
  }

  /** Marks still-valid approvals invalidated, keeping them as history. */
  async invalidate(
    invalidations: Array<{ id: number; reason: string }>,
    now: Date,
  ): Promise<void> {
    for (const { id, reason } of invalidations) {
      await this.#db('gauntlet_approvals')
        .where({ id })
        .whereNull('invalidated_at')
        .update({
          invalidated_at: now,
          invalidated_reason: reason.slice(0, 1000),
        });
    }
  }
}

/** Maps a `gauntlet_approvals` row. */
export function toApproval(row: ApprovalRow): StoredApproval {
  const a: StoredApproval = {
    id: Number(row.id),
    subject: row.subject as ApprovalSubject,
    subjectId: Number(row.subject_id),
    approver: row.approver,
    version: row.version,
    manifestSha256: row.manifest_sha256,
    runId: Number(row.run_id),
    approvedAt: toIso(row.approved_at),
  };
  if (row.comment) a.comment = row.comment;
  if (row.invalidated_at !== null) a.invalidatedAt = toIso(row.invalidated_at);
  if (row.invalidated_reason) a.invalidatedReason = row.invalidated_reason;
  return a;
}

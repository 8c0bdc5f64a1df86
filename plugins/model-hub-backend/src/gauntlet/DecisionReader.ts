import { Knex } from 'knex';
import { ApprovalRow, StoredApproval, toApproval } from './ApprovalStore';
import { PromotionRow, toPromotion } from './PromotionStore';
import { toWaiver, WaiverRow } from './WaiverStore';
import { GauntletWaiver, PromotionRequest } from './types';

/** The rows of a model's decisions, as read (no clock applied: cacheable). */
export interface DecisionRows {
  promotions: PromotionRow[];
  waivers: WaiverRow[];
  approvals: ApprovalRow[];
}

/** A model's promotion requests and waivers, and every approval of them. */
export interface ModelDecisions {
  /** Newest first. */
  promotions: PromotionRequest[];
  /** Newest first, each marked active or not at `now`. */
  waivers: GauntletWaiver[];
  /** Oldest first. */
  approvals: StoredApproval[];
}

const APPROVAL_COLUMNS: Array<keyof ApprovalRow> = [
  'id',
  'subject',
  'subject_id',
  'entity_ref',
  'approver',
  'version',
  'manifest_sha256',
  'run_id',
  'comment',
  'approved_at',
  'invalidated_at',
  'invalidated_reason',
];

/**
 * Reads what four-eyes decides over for one model in two statements run
 * together: the promotion requests and the waivers, each joined with its
 * approvals (the gauntlet GET, read under load, read the approvals on their
 * own before). An approval always has its subject (both are created for
 * the same model and only deleted together, with the model's card), so
 * these are exactly the model's approvals.
 */
export class DecisionReader {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /** The model's decisions; waivers marked active or not at `now`. */
  async read(entityRef: string, now: Date): Promise<ModelDecisions> {
    return decisionsAt(await this.readRows(entityRef), now);
  }

  /** The rows of the model's decisions. */
  async readRows(entityRef: string): Promise<DecisionRows> {
    const [promotionRows, waiverRows] = await Promise.all([
      this.#withApprovals<PromotionRow>(
        'gauntlet_promotion_requests',
        'promotion',
        entityRef,
      ),
      this.#withApprovals<WaiverRow>('gauntlet_waivers', 'waiver', entityRef),
    ]);
    return {
      promotions: promotionRows.subjects,
      waivers: waiverRows.subjects,
      approvals: [...promotionRows.approvals, ...waiverRows.approvals],
    };
  }

  /** Rows of `table` for the model, newest first, and their approval rows. */
  async #withApprovals<T extends { id: number }>(
    table: string,
    subject: 'promotion' | 'waiver',
    entityRef: string,
  ): Promise<{ subjects: T[]; approvals: ApprovalRow[] }> {
    const rows: Array<Record<string, unknown>> = await this.#db(`${table} as s`)
      .leftJoin('gauntlet_approvals as a', join =>
        join
          .on('a.entity_ref', 's.entity_ref')
          .andOnVal('a.subject', subject)
          .andOn('a.subject_id', 's.id'),
      )
      .where('s.entity_ref', entityRef)
      .orderBy([
        { column: 's.id', order: 'desc' },
        { column: 'a.id', order: 'asc' },
      ])
      .select('s.*', ...APPROVAL_COLUMNS.map(c => `a.${c} as approval_${c}`));
    const subjects: T[] = [];
    const approvals: ApprovalRow[] = [];
    for (const row of rows) {
      const subjectRow = {} as Record<string, unknown>;
      const approvalRow = {} as Record<string, unknown>;
      for (const [key, value] of Object.entries(row)) {
        if (key.startsWith('approval_')) approvalRow[key.slice(9)] = value;
        else subjectRow[key] = value;
      }
      if (Number(subjects[subjects.length - 1]?.id) !== Number(row.id)) {
        subjects.push(subjectRow as T);
      }
      if (approvalRow.id !== null)
        approvals.push(approvalRow as unknown as ApprovalRow);
    }
    return { subjects, approvals };
  }
}

/** The decisions of `rows` (fresh objects), waivers marked active or not at `now`. */
export function decisionsAt(rows: DecisionRows, now: Date): ModelDecisions {
  return {
    promotions: rows.promotions.map(toPromotion),
    waivers: rows.waivers.map(r => toWaiver(r, now)),
    approvals: rows.approvals.map(toApproval).sort((a, b) => a.id - b.id),
  };
}

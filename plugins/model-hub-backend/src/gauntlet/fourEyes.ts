import { ApprovalBinding, StoredApproval } from './ApprovalStore';
import { normalizeRef } from './membership';
import { GauntletWaiver, PromotionRequest } from './types';

/**
 * Why an approval no longer counts for the current binding (the tiered
 * version, its manifest and its latest completed run), or undefined.
 */
export function invalidationReason(
  approval: Pick<StoredApproval, 'version' | 'manifestSha256' | 'runId'>,
  binding: ApprovalBinding | undefined,
): string | undefined {
  if (!binding) {
    return `version ${approval.version} is no longer the tiered version`;
  }
  if (approval.version !== binding.version) {
    return `version ${binding.version} became the tiered one`;
  }
  if (approval.manifestSha256 !== binding.manifestSha256) {
    return `the sealed files of ${binding.version} changed`;
  }
  if (approval.runId !== binding.runId) {
    return `the gauntlet re-ran on ${
      binding.runFinishedAt ?? 'a later date'
    } (run ${binding.runId})`;
  }
  return undefined;
}

/**
 * The distinct people among the approvals that still count, each once:
 * refs differing only in case, or in a default kind or namespace left out,
 * name one user.
 */
export function distinctValidApprovers(
  approvals: ReadonlyArray<{ approver: string; invalidatedAt?: string }>,
): string[] {
  const distinct = new Map<string, string>();
  for (const a of approvals) {
    if (a.invalidatedAt) continue;
    const key =
      normalizeRef(a.approver) ?? a.approver.toLocaleLowerCase('en-US');
    if (!distinct.has(key)) distinct.set(key, a.approver);
  }
  return [...distinct.values()];
}

/** The result of applying the four-eyes rules to a model's decisions. */
export interface FourEyesState {
  /** Promotion requests with their approvals; `approved` only with N valid approvals. */
  promotions: PromotionRequest[];
  /** Waivers with their approvals; active only with N valid approvals. */
  waivers: GauntletWaiver[];
  /** Approvals that stopped counting and are not yet marked so. */
  invalidations: Array<{ id: number; reason: string }>;
}

/**
 * Applies four-eyes: an approval counts only while it is bound to the
 * current binding, and a promotion or waiver stands only with
 * `requiredApprovals` distinct valid approvers. Rows recorded before
 * approvals were bound (no approval rows) do not count.
 */
export function applyFourEyes(options: {
  promotions: PromotionRequest[];
  waivers: GauntletWaiver[];
  approvals: StoredApproval[];
  binding: ApprovalBinding | undefined;
  requiredApprovals: number;
  now: Date;
}): FourEyesState {
  const { binding, requiredApprovals, now } = options;
  const invalidations: FourEyesState['invalidations'] = [];
  const withReasons = options.approvals.map(a => {
    if (a.invalidatedAt) return a;
    const reason = invalidationReason(a, binding);
    if (!reason) return a;
    invalidations.push({ id: a.id, reason });
    return {
      ...a,
      invalidatedAt: now.toISOString(),
      invalidatedReason: reason,
    };
  });
  const of = (subject: StoredApproval['subject'], id: number) =>
    withReasons
      .filter(a => a.subject === subject && a.subjectId === id)
      .map(({ subject: _s, subjectId: _i, ...a }) => a);
  const promotions = options.promotions.map(p => {
    const approvals = of('promotion', p.id);
    const valid = distinctValidApprovers(approvals);
    const state =
      p.state === 'approved' && valid.length < requiredApprovals
        ? 'pending'
        : p.state;
    return { ...p, state, approvals };
  });
  const waivers = options.waivers.map(w => {
    const approvals = of('waiver', w.id);
    const valid = distinctValidApprovers(approvals);
    const approved = valid.length >= requiredApprovals;
    return {
      ...w,
      approvals,
      state: approved ? ('approved' as const) : ('pending' as const),
      approvedBy: approved ? valid[valid.length - 1] : '',
      active: approved && new Date(w.expiresAt).getTime() > now.getTime(),
    };
  });
  return { promotions, waivers, invalidations };
}

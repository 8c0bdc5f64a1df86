import {
  evaluateTierGateChecks,
  ModelTier,
} from '@internal/plugin-model-hub-common';
import { TierGates } from './config';
import {
  GateEvaluation,
  GauntletResult,
  GauntletStatus,
  GauntletWaiver,
  PromotionRequest,
} from './types';
import { isWaivable } from './waiverRules';

/**
 * The tiers a model is checked for, best first: an official request falls
 * back to community; community and external stand alone.
 */
export function tierChain(requested: ModelTier): ModelTier[] {
  return requested === 'official' ? ['official', 'community'] : [requested];
}

/**
 * Whether an approved promotion to `tier` stands (the latest governance
 * decision for that tier approves; a withdrawn request decides nothing).
 */
export function hasApproval(
  requests: PromotionRequest[],
  tier: ModelTier,
): boolean {
  const decided = requests
    .filter(
      r =>
        r.tier === tier && (r.state === 'approved' || r.state === 'rejected'),
    )
    .sort(
      (a, b) =>
        (b.decidedAt ?? '').localeCompare(a.decidedAt ?? '') || b.id - a.id,
    );
  return decided[0]?.state === 'approved';
}

/**
 * Evaluates one tier gate over the latest results of a version: the shared
 * gate of -common, with this hub's active waivers, and for official a
 * governance approval.
 */
export function evaluateGate(options: {
  tier: ModelTier;
  version: string;
  gates: TierGates;
  results: GauntletResult[];
  waivers: GauntletWaiver[];
  approvals: PromotionRequest[];
  now: Date;
}): GateEvaluation {
  const { tier, version, gates, results, waivers, now } = options;
  const { passed, checks, failures } = evaluateTierGateChecks({
    tier,
    gates,
    results,
    waiverFor: (req, result) => {
      const waiver = waivers.find(
        w =>
          w.checkId === req.check &&
          (w.version === undefined || w.version === version) &&
          new Date(w.expiresAt).getTime() > now.getTime() &&
          isWaivable(result),
      );
      return waiver
        ? {
            waiverId: waiver.id,
            reason: waiver.reason,
            approvedBy: waiver.approvedBy,
            expiresAt: waiver.expiresAt,
          }
        : undefined;
    },
  });
  const evaluation: GateEvaluation = { tier, passed, checks, failures };
  if (tier === 'official') {
    evaluation.approved = hasApproval(options.approvals, 'official');
    if (!evaluation.approved) {
      failures.push('no governance approval of a promotion to official');
      evaluation.passed = false;
    }
  }
  return evaluation;
}

/** The earned tier of a model and why. */
export interface EffectiveTierDecision {
  requestedTier: ModelTier;
  effectiveTier: ModelTier | null;
  reason: string;
  status: GauntletStatus;
  gates: GateEvaluation[];
}

/**
 * Decides the effective tier: the requested tier when its gate passes on the
 * latest sealed version (official also needs a governance approval),
 * otherwise the best fallback tier whose gate passes, otherwise none. The
 * reason names what failed, e.g. `requested official; fairness failed: …`.
 */
export function computeEffectiveTier(options: {
  requestedTier: ModelTier;
  /** The latest sealed version, or undefined when there is none. */
  version: string | undefined;
  gates: TierGates;
  /** Latest results per tier for the version. */
  resultsByTier: Partial<Record<ModelTier, GauntletResult[]>>;
  waivers: GauntletWaiver[];
  approvals: PromotionRequest[];
  /** Whether runs for the version are queued or running. */
  runsActive: boolean;
  now: Date;
}): EffectiveTierDecision {
  const { requestedTier, version } = options;
  if (!version) {
    return {
      requestedTier,
      effectiveTier: null,
      reason: `requested ${requestedTier}; the model has no sealed version to check`,
      status: 'not-run',
      gates: [],
    };
  }
  const gates = tierChain(requestedTier).map(tier =>
    evaluateGate({
      tier,
      version,
      gates: options.gates,
      results: options.resultsByTier[tier] ?? [],
      waivers: options.waivers,
      approvals: options.approvals,
      now: options.now,
    }),
  );
  const [requested] = gates;
  const earned = gates.find(g => g.passed);
  const failed = requested.checks.some(
    c => c.status !== 'missing' && !c.passed,
  );
  const missing = requested.checks.some(c => c.status === 'missing');
  let status: GauntletStatus;
  if (requested.passed) status = 'passed';
  else if (failed) status = 'failed';
  else if (missing || options.runsActive) status = 'pending';
  else status = 'failed'; // only the approval is missing
  let reason: string;
  if (requested.passed) {
    const waived = requested.checks.filter(c => c.waived).map(c => c.checkId);
    reason = `${requestedTier} gate passed for version ${version}${
      waived.length ? ` (waived: ${waived.join(', ')})` : ''
    }${requested.approved ? '; approved by governance' : ''}`;
  } else {
    reason = `requested ${requestedTier}; ${requested.failures.join('; ')}`;
    if (earned) reason += `; earned ${earned.tier}`;
    else if (gates.length > 1) {
      reason += `; ${gates
        .slice(1)
        .map(g => `${g.tier} gate: ${g.failures.join('; ')}`)
        .join('; ')}`;
    }
  }
  return {
    requestedTier,
    effectiveTier: earned?.tier ?? null,
    reason,
    status,
    gates,
  };
}

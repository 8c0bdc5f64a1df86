import { GauntletEvaluation } from './TierEvaluator';

/**
 * The moment the clock alone changes a model's evaluation made at `at`
 * (ms), its rows unchanged: the earliest later waiver expiry (a waiver
 * stops being active and stops waiving its check). An evaluation with
 * approvals invalidated but not yet recorded carries the time it was made
 * (their `invalidatedAt`), so it is true only at `at`. Staleness of
 * results and run leases are decided by writes (a refresh or reclaim
 * enqueues or updates runs), never by the evaluation's clock.
 */
export function evaluationValidUntil(
  evaluation: GauntletEvaluation,
  at: number,
): number {
  if (evaluation.invalidations.length > 0) return at;
  let until = Infinity;
  for (const waiver of evaluation.waivers) {
    const expiry = Date.parse(waiver.expiresAt);
    if (expiry > at && expiry < until) until = expiry;
  }
  return until;
}

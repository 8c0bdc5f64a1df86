import { makeCondition } from '../condition';
import { EvaluationContext, iso, ModelContext } from './context';

/** The warning before archiving for inactivity, and the archive itself. */
export function stalenessRule(ctx: EvaluationContext, m: ModelContext) {
  const s = m.staleness;
  const base = { modelRef: m.modelRef, assignee: m.responsible };
  const details = {
    lastActivityAt: s.lastActivityAt ? iso(s.lastActivityAt) : null,
    lastActivitySource: s.lastActivitySource ?? null,
    archiveAt: s.archiveAt ? iso(s.archiveAt) : null,
    staleAfterMonths: ctx.config.staleAfterMonths,
  };
  if (s.state === 'warning') {
    return [
      makeCondition({
        ...base,
        kind: 'stale-warning',
        severity: 'medium',
        dueAt: s.archiveAt,
        title: `Model ${m.label} will be archived for inactivity on ${iso(
          s.archiveAt!,
        ).slice(0, 10)}`,
        description:
          `Model ${
            m.modelRef
          } has had no new version, metadata change or pull since ${iso(
            s.lastActivityAt!,
          )}. It will be archived at ${iso(s.archiveAt!)} (${
            ctx.config.staleAfterMonths
          } months without activity). ` +
          'To keep it, publish a new version or review and update its model card; otherwise set spec.lifecycle to deprecated or archived.',
        details,
      }),
    ];
  }
  if (s.state === 'stale') {
    return [
      makeCondition({
        ...base,
        kind: 'stale-archived',
        severity: 'low',
        title: `Model ${m.label} was archived for inactivity`,
        description:
          `Model ${m.modelRef} has had no activity since ${iso(
            s.lastActivityAt!,
          )} and has been treated as archived since ${iso(s.archiveAt!)}. ` +
          'Set spec.lifecycle to archived to confirm, or publish a new version or update its model card to revive it.',
        details,
      }),
    ];
  }
  return [];
}

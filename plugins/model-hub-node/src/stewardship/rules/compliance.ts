import { makeCondition } from '../condition';
import { compareStrings } from '../refs';
import { assertValidDate, DAY_MS } from '../time';
import { StewardshipCondition } from '../types';
import { EvaluationContext, iso, ModelContext, text } from './context';

function failingCheckSeverity(
  status: 'fail' | 'error',
  m: ModelContext,
): 'critical' | 'high' | 'medium' {
  if (status === 'error') return 'medium';
  return m.model.spec.lifecycle === 'production' ? 'critical' : 'high';
}

/**
 * Gauntlet checks that fail or error on the current version without an
 * active waiver, and active waivers about to expire.
 */
export function complianceRule(ctx: EvaluationContext, m: ModelContext) {
  const compliance = m.compliance;
  if (!compliance) {
    return [];
  }
  const now = ctx.now.getTime();
  const conditions: StewardshipCondition[] = [];
  const base = { modelRef: m.modelRef, assignee: m.responsible };

  const results = new Map<string, (typeof compliance.checks)[number]>();
  for (const check of compliance.checks) {
    if (
      check.version !== undefined &&
      compliance.currentVersion !== undefined &&
      check.version !== compliance.currentVersion
    ) {
      continue;
    }
    if (results.has(check.id)) {
      throw new Error(
        `compliance for ${m.modelRef}: check "${check.id}" has more than one result for the current version`,
      );
    }
    results.set(check.id, check);
  }

  // The latest expiry per check, among waivers still active and expired ones.
  const activeWaiver = new Map<string, Date>();
  const expiredWaiver = new Map<string, Date>();
  for (const waiver of compliance.waivers) {
    assertValidDate(
      waiver.expiresAt,
      `compliance for ${m.modelRef}: waiver of "${waiver.checkId}" expiresAt`,
    );
    const target =
      waiver.expiresAt.getTime() > now ? activeWaiver : expiredWaiver;
    const previous = target.get(waiver.checkId);
    if (!previous || previous.getTime() < waiver.expiresAt.getTime()) {
      target.set(waiver.checkId, waiver.expiresAt);
    }
  }

  const version = compliance.currentVersion ?? null;
  for (const check of [...results.values()].sort((a, b) =>
    compareStrings(a.id, b.id),
  )) {
    if (check.status !== 'fail' && check.status !== 'error') continue;
    if (activeWaiver.has(check.id)) continue;
    const name = check.title ?? check.id;
    const expired = expiredWaiver.get(check.id);
    conditions.push(
      makeCondition({
        ...base,
        kind: 'check-failing',
        severity: failingCheckSeverity(check.status, m),
        discriminator: check.id,
        title:
          check.status === 'fail'
            ? `Check ${name} fails on ${m.label}${version ? ` ${version}` : ''}`
            : `Check ${name} could not run on ${m.label}${
                version ? ` ${version}` : ''
              }`,
        description: text(
          `Gauntlet check "${check.id}" `,
          check.status === 'fail' ? 'fails' : 'ended in an error',
          ' on the current version',
          version && ` (${version})`,
          ` of model ${m.modelRef}`,
          check.message && `: ${check.message}`,
          '. ',
          check.status === 'fail'
            ? 'Fix the model or its model card and publish a new version, or request a waiver.'
            : 'Look at the check log, fix the cause and re-run the gauntlet.',
          expired && ` A waiver for this check expired at ${iso(expired)}.`,
        ),
        details: {
          checkId: check.id,
          status: check.status,
          version,
          message: check.message ?? null,
          waiverExpiredAt: expired ? iso(expired) : null,
        },
      }),
    );
  }

  const windowMs = ctx.config.waiverExpiryWindowDays * DAY_MS;
  for (const [checkId, expiresAt] of [...activeWaiver.entries()].sort(
    ([a], [b]) => compareStrings(a, b),
  )) {
    if (expiresAt.getTime() - now > windowMs) continue;
    const status = results.get(checkId)?.status;
    if (status === 'pass' || status === 'not-applicable') continue;
    conditions.push(
      makeCondition({
        ...base,
        kind: 'waiver-expiring',
        severity: 'medium',
        dueAt: expiresAt,
        discriminator: `${checkId}@${iso(expiresAt)}`,
        title: `Waiver for check ${checkId} on ${m.label} expires on ${iso(
          expiresAt,
        ).slice(0, 10)}`,
        description: text(
          `The waiver for gauntlet check "${checkId}" on model ${
            m.modelRef
          } expires at ${iso(expiresAt)}`,
          status && ` and the check's current result is "${status}"`,
          '. Fix the model so the check passes, or request a renewed waiver before it expires.',
        ),
        details: {
          checkId,
          expiresAt: iso(expiresAt),
          checkStatus: status ?? null,
          version,
        },
      }),
    );
  }
  return conditions;
}

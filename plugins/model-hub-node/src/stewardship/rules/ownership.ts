import { makeCondition } from '../condition';
import { OwnerResolution, OwnerStatus, resolveSteward } from '../resolve';
import { EvaluationContext, ModelContext, text } from './context';

const OWNER_PROBLEMS: Record<Exclude<OwnerStatus, 'ok'>, string> = {
  unset: 'declares no owner',
  invalid: 'declares an owner ref that cannot be parsed',
  'not-found': 'is owned by a group that does not exist in the catalog',
  'not-a-group': 'is owned by an entity that is not a group',
  'no-active-members': 'is owned by a group with no active members',
};

function describeOwner(owner: OwnerResolution): string {
  return owner.ref ?? owner.declared ?? '(none)';
}

/** An orphaned model (no active owning team): a task for governance. */
export function ownershipRule(ctx: EvaluationContext, m: ModelContext) {
  if (m.owner.status === 'ok') {
    return [];
  }
  const status = m.owner.status;
  return [
    makeCondition({
      kind: 'orphaned',
      modelRef: m.modelRef,
      assignee: ctx.config.governanceGroup,
      severity: m.model.spec.lifecycle === 'production' ? 'critical' : 'high',
      title: `Model ${m.label} has no active owning team`,
      description: text(
        `Model ${m.modelRef} ${OWNER_PROBLEMS[status]}`,
        m.owner.declared && ` (${describeOwner(m.owner)})`,
        '. Find the team that uses or maintains it and set spec.owner to a group with at least one active member, or archive the model.',
      ),
      details: {
        reason: status,
        owner: m.owner.ref ?? m.owner.declared ?? null,
      },
    }),
  ];
}

/** A missing, departed or outside steward: a task for the owning team. */
export function stewardRule(ctx: EvaluationContext, m: ModelContext) {
  const steward = resolveSteward(
    m.model.spec.steward,
    m.namespace,
    ctx.catalog,
  );
  const ownerText = m.owner.status === 'ok' ? m.owner.ref : 'the owning team';
  const base = { modelRef: m.modelRef, assignee: m.responsible };

  if (steward.status === 'ok') {
    if (
      m.owner.status !== 'ok' ||
      m.owner.activeMembers.includes(steward.ref!)
    ) {
      return [];
    }
    return [
      makeCondition({
        ...base,
        kind: 'steward-missing',
        severity: 'medium',
        discriminator: `not-member:${steward.ref}`,
        title: `Steward ${steward.ref} is not a member of the owning team ${ownerText}`,
        description:
          `Steward ${steward.ref} is not a member of the owning team ${ownerText} (model ${m.modelRef}). ` +
          `Either add them to ${ownerText} or set spec.steward to one of its members.`,
        details: {
          reason: 'not-member',
          steward: steward.ref!,
          owner: m.owner.ref!,
        },
      }),
    ];
  }

  const reasons: Record<Exclude<typeof steward.status, 'ok'>, string> = {
    unset: 'has no steward',
    invalid: `names a steward ref that cannot be parsed ("${steward.declared}")`,
    'not-found': `names a steward, ${steward.ref}, who is no longer in the catalog`,
    'not-a-user': `names a steward, ${steward.ref}, that is not a user`,
    departed: `names a steward, ${steward.ref}, who has left the organisation`,
  };
  return [
    makeCondition({
      ...base,
      kind: 'steward-missing',
      severity: 'high',
      discriminator: steward.ref ?? steward.declared ?? 'unset',
      title:
        steward.status === 'unset'
          ? `Name a steward for ${m.label}`
          : `Name a new steward for ${m.label}`,
      description:
        `Model ${m.modelRef} ${reasons[steward.status]}. ` +
        `Set spec.steward to an active member of ${ownerText} who is accountable for the model.`,
      details: {
        reason: steward.status,
        steward: steward.ref ?? steward.declared ?? null,
      },
    }),
  ];
}

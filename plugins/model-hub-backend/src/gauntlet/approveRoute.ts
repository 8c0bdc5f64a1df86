import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { GauntletConfig } from './config';
import { GauntletEvaluation } from './TierEvaluator';
import {
  assertCanBind,
  assertIndependentApprover,
  assertNotAuthor,
} from './fourEyesGuard';
import { distinctValidApprovers } from './fourEyes';
import { GauntletRunner, GauntletVersionSource } from './GauntletRunner';
import { TeamDirectory } from './membership';
import { GauntletWaiver, PromotionRequest } from './types';

/** The outcome of one approval: the subject as it now stands. */
export interface ApprovalOutcome<T> {
  subject: T;
  validApprovers: number;
  effectiveTier: string | null;
}

/** A governance member deciding on a model's request (from the router's governance access). */
export interface GovernanceCaller {
  entity: Entity;
  entityRef: string;
  actor: string;
  credentials: BackstageCredentials;
  ownershipEntityRefs: string[];
  /** The catalog's entity of the actor, or undefined when it has none. */
  user: Entity | undefined;
  /** Where the owning team's sub-groups are read. */
  directory: TeamDirectory;
}

/**
 * Records one four-eyes approval of a promotion request or waiver: refuses
 * the requester, members of the owning team and the bound version's authors
 * (403), approvals with
 * nothing to bind to, of a stale run, or twice by one person (409); binds
 * the approval to the tiered version, its manifest and its latest run; the
 * subject stands once `requiredApprovals` distinct valid approvers agree.
 */
export async function approveSubject(options: {
  kind: 'promotion' | 'waiver';
  id: number;
  access: GovernanceCaller;
  body: { comment?: string; runId?: number };
  runner: GauntletRunner;
  /** Where the bound version's authors are read. */
  versions: Pick<GauntletVersionSource, 'getVersion'>;
  gauntletConfig: GauntletConfig;
}): Promise<ApprovalOutcome<PromotionRequest | GauntletWaiver>> {
  const { kind, id, access, body, runner } = options;
  const { entity, entityRef, actor } = access;
  const pick = (e: GauntletEvaluation) =>
    kind === 'promotion'
      ? e.approvals.find(p => p.id === id)
      : e.waivers.find(w => w.id === id);
  const label =
    kind === 'promotion' ? `promotion request ${id}` : `waiver ${id}`;
  // Persist invalidations first, so what is approved is the current state.
  const before = await runner.updateTier(entity);
  const current = pick(before);
  if (!current) {
    throw new NotFoundError(`${entityRef} has no ${label}`);
  }
  if (current.state !== 'pending') {
    throw new ConflictError(
      `${label} of ${entityRef} is already ${current.state}`,
    );
  }
  await assertIndependentApprover({
    actor,
    ownershipEntityRefs: access.ownershipEntityRefs,
    user: access.user,
    requestedBy: current.requestedBy,
    requestedOwner: current.requestedOwner,
    subject: label,
    entity,
    entityRef,
    governanceGroup: options.gauntletConfig.governanceGroup,
    directory: access.directory,
  });
  const binding = assertCanBind({
    binding: before.binding,
    seenRunId: body.runId,
    actor,
    approvals: current.approvals ?? [],
    subject: label,
    entityRef,
  });
  assertNotAuthor({
    actor,
    version: await options.versions.getVersion(entityRef, binding.version),
    subject: label,
    entityRef,
    governanceGroup: options.gauntletConfig.governanceGroup,
  });
  const now = runner.now();
  await runner.store.approvals.add({
    subject: kind,
    subjectId: id,
    entityRef,
    approver: actor,
    binding,
    comment: body.comment,
    now,
  });
  // Count the approvals as recorded now, not as read before this one: an
  // approval recorded meanwhile on another replica counts too, so of two
  // approvers racing, the later one's count sees both.
  const recorded = await runner.updateTier(entity);
  const approvers = distinctValidApprovers(pick(recorded)?.approvals ?? []);
  let after = recorded;
  if (
    kind === 'promotion' &&
    approvers.length >= options.gauntletConfig.requiredApprovals &&
    (await runner.store.promotions.markApproved({
      id,
      decidedBy: actor,
      comment: body.comment,
      now,
    }))
  ) {
    after = await runner.updateTier(entity);
  }
  const subject = pick(after)!;
  return {
    subject,
    validApprovers: approvers.length,
    effectiveTier: after.effectiveTier,
  };
}

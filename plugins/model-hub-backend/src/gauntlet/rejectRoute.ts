import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { GovernanceCaller } from './approveRoute';
import { GauntletConfig } from './config';
import { assertIndependentApprover } from './fourEyesGuard';
import { GauntletRunner } from './GauntletRunner';
import { sameRef } from './membership';
import { PromotionRequest } from './types';

/** A pending promotion request of the model, or 404 / 409. */
async function pendingRequest(
  runner: GauntletRunner,
  entityRef: string,
  id: number,
): Promise<PromotionRequest> {
  const current = await runner.store.promotions.get(entityRef, id);
  if (!current) {
    throw new NotFoundError(`${entityRef} has no promotion request ${id}`);
  }
  if (current.state !== 'pending') {
    throw new ConflictError(
      `promotion request ${id} of ${entityRef} is already ${current.state}`,
    );
  }
  return current;
}

/**
 * Rejects a pending promotion request under the same four-eyes rule as an
 * approval: a governance member who neither requested it nor belongs to the
 * owning team (403 otherwise). The requester withdraws instead.
 */
export async function rejectPromotion(options: {
  id: number;
  access: GovernanceCaller;
  comment?: string;
  runner: GauntletRunner;
  gauntletConfig: GauntletConfig;
}): Promise<PromotionRequest> {
  const { id, access, runner } = options;
  const current = await pendingRequest(runner, access.entityRef, id);
  await assertIndependentApprover({
    actor: access.actor,
    ownershipEntityRefs: access.ownershipEntityRefs,
    user: access.user,
    requestedBy: current.requestedBy,
    requestedOwner: current.requestedOwner,
    subject: `promotion request ${id}`,
    decision: 'reject',
    entity: access.entity,
    entityRef: access.entityRef,
    governanceGroup: options.gauntletConfig.governanceGroup,
    directory: access.directory,
  });
  return runner.store.decidePromotionRequest({
    entityRef: access.entityRef,
    id,
    state: 'rejected',
    decidedBy: access.actor,
    comment: options.comment,
    now: runner.now(),
  });
}

/**
 * Withdraws a pending promotion request: only its requester may, and the
 * request is recorded as withdrawn by them (not as a governance rejection,
 * so an earlier approval of the tier stands).
 */
export async function withdrawPromotion(options: {
  id: number;
  entityRef: string;
  actor: string;
  comment?: string;
  runner: GauntletRunner;
}): Promise<PromotionRequest> {
  const { id, entityRef, actor, runner } = options;
  const current = await pendingRequest(runner, entityRef, id);
  if (!sameRef(current.requestedBy, actor)) {
    throw new NotAllowedError(
      `Only ${current.requestedBy}, who requested promotion request ${id}, can withdraw it; governance rejects it instead`,
    );
  }
  return runner.store.decidePromotionRequest({
    entityRef,
    id,
    state: 'withdrawn',
    decidedBy: actor,
    comment: options.comment,
    now: runner.now(),
  });
}

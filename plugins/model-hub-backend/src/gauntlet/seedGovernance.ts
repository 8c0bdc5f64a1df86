import { Entity } from '@backstage/catalog-model';
import { ApprovalBinding } from './ApprovalStore';
import { GauntletRunner } from './GauntletRunner';

/**
 * Governance decisions of the example seeder, recorded with the same
 * four-eyes rules as the API: requester and approver differ, and each
 * approval binds to the completed gauntlet run of the tiered version (the
 * seeder records them after publishing, once the runs have finished).
 */
export function createSeedGovernance(options: {
  runner: GauntletRunner;
  getEntity(entityRef: string): Promise<Entity | undefined>;
}) {
  const { runner } = options;
  const store = runner.store;
  async function bindingOf(entityRef: string): Promise<{
    entity: Entity;
    binding: ApprovalBinding;
  }> {
    await runner.drain();
    const entity = await options.getEntity(entityRef);
    if (!entity)
      throw new Error(`Seed governance: ${entityRef} not in the catalog`);
    const { binding } = await runner.evaluate(entity);
    if (!binding) {
      throw new Error(
        `Seed governance: ${entityRef} has no completed gauntlet run to approve against`,
      );
    }
    return { entity, binding };
  }
  const assertFourEyes = (requestedBy: string, approvedBy: string) => {
    if (
      requestedBy.toLocaleLowerCase('en-US') ===
      approvedBy.toLocaleLowerCase('en-US')
    ) {
      throw new Error(
        `Seed governance: ${approvedBy} cannot approve their own request (four-eyes)`,
      );
    }
  };
  return {
    async hasDecisions(entityRef: string) {
      const [promotions, waivers] = await Promise.all([
        store.listPromotionRequests(entityRef),
        store.listWaivers(entityRef, runner.now()),
      ]);
      return promotions.length > 0 || waivers.length > 0;
    },
    async approvePromotion(o: {
      entityRef: string;
      tier: 'official' | 'community' | 'external';
      requestedBy: string;
      approvedBy: string;
      comment?: string;
    }) {
      assertFourEyes(o.requestedBy, o.approvedBy);
      const { entity, binding } = await bindingOf(o.entityRef);
      const now = runner.now();
      const request = await store.createPromotionRequest({
        entityRef: o.entityRef,
        tier: o.tier,
        comment: o.comment,
        requestedBy: o.requestedBy,
        now,
      });
      await store.approvals.add({
        subject: 'promotion',
        subjectId: request.id,
        entityRef: o.entityRef,
        approver: o.approvedBy,
        binding,
        comment: o.comment,
        now,
      });
      await store.promotions.markApproved({
        id: request.id,
        decidedBy: o.approvedBy,
        comment: o.comment,
        now,
      });
      await runner.updateTier(entity);
    },
    async addWaiver(o: {
      entityRef: string;
      check: string;
      reason: string;
      requestedBy: string;
      approvedBy: string;
      expiresAt: Date;
    }) {
      assertFourEyes(o.requestedBy, o.approvedBy);
      const { entity, binding } = await bindingOf(o.entityRef);
      const now = runner.now();
      const waiver = await store.createWaiver({
        entityRef: o.entityRef,
        checkId: o.check,
        reason: o.reason,
        requestedBy: o.requestedBy,
        expiresAt: o.expiresAt,
        now,
      });
      await store.approvals.add({
        subject: 'waiver',
        subjectId: waiver.id,
        entityRef: o.entityRef,
        approver: o.approvedBy,
        binding,
        now,
      });
      await runner.updateTier(entity);
    },
  };
}

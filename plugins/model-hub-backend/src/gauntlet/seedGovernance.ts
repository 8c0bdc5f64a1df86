import { AuditorService, AuthService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { audited } from '../service/requests';
import { ModelVersionService } from '../versions/ModelVersionService';
import { approveSubject } from './approveRoute';
import { GauntletConfig } from './config';
import { GauntletRunner } from './GauntletRunner';
import { teamDirectory } from './membership';
import { assertKnownCheck, createWaiverRequest } from './waiverRequest';

/**
 * Governance decisions of the example seeder, recorded through the API's
 * own steps and audit events: the request as its requester
 * (`gauntlet-promotion-request`, `gauntlet-waiver-create`), then the
 * approval as its approver (`gauntlet-promotion-decision`,
 * `gauntlet-waiver-approve`) through {@link approveSubject}, so the same
 * four-eyes rules hold, each approval binds to the completed gauntlet run
 * (the seeder records them after publishing), the audit trail shows who
 * decided, and an approved promotion is published as an event.
 */
export function createSeedGovernance(options: {
  runner: GauntletRunner;
  getEntity(entityRef: string): Promise<Entity | undefined>;
  auditor: AuditorService;
  catalog: CatalogService;
  auth: AuthService;
  gauntletConfig: GauntletConfig;
  versions: Pick<ModelVersionService, 'getVersion' | 'listVersions'>;
}) {
  const { runner, auditor } = options;
  const store = runner.store;
  const directory = teamDirectory(options.catalog, options.auth);
  async function entityOf(entityRef: string): Promise<Entity> {
    // Approvals bind to the completed run of the seeded version.
    await runner.drain();
    const entity = await options.getEntity(entityRef);
    if (!entity) {
      throw new InputError(`Seed governance: ${entityRef} not in the catalog`);
    }
    return entity;
  }
  /** Approves as `approvedBy` with the route's rules and audit event. */
  async function approve(o: {
    kind: 'promotion' | 'waiver';
    id: number;
    entity: Entity;
    entityRef: string;
    approvedBy: string;
    comment?: string;
  }) {
    const promotion = o.kind === 'promotion';
    await audited(
      auditor,
      { startupActor: o.approvedBy },
      promotion ? 'gauntlet-promotion-decision' : 'gauntlet-waiver-approve',
      promotion
        ? { action: 'approve', requestId: String(o.id), model: o.entityRef }
        : { waiverId: String(o.id), model: o.entityRef },
      async () => {
        const value = await approveSubject({
          kind: o.kind,
          id: o.id,
          access: {
            entity: o.entity,
            entityRef: o.entityRef,
            actor: o.approvedBy,
            credentials: await options.auth.getOwnServiceCredentials(),
            // Team membership is read from the catalog (memberOf).
            ownershipEntityRefs: [o.approvedBy],
            user: await directory.user(o.approvedBy),
            directory,
          },
          body: { comment: o.comment },
          runner,
          versions: options.versions,
          gauntletConfig: options.gauntletConfig,
        });
        return {
          value,
          meta: {
            state: value.subject.state,
            approvals: value.validApprovers,
            effectiveTier: value.effectiveTier,
          },
        };
      },
    );
  }
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
      const { entityRef } = o;
      const entity = await entityOf(entityRef);
      const request = await audited(
        auditor,
        { startupActor: o.requestedBy },
        'gauntlet-promotion-request',
        { model: entityRef },
        async () => {
          const value = await store.createPromotionRequest({
            entityRef,
            tier: o.tier,
            comment: o.comment,
            requestedBy: o.requestedBy,
            now: runner.now(),
          });
          return { value, meta: { requestId: value.id, tier: value.tier } };
        },
      );
      await approve({
        kind: 'promotion',
        id: request.id,
        entity,
        entityRef,
        approvedBy: o.approvedBy,
        comment: o.comment,
      });
    },
    async addWaiver(o: {
      entityRef: string;
      check: string;
      reason: string;
      requestedBy: string;
      approvedBy: string;
      expiresAt: Date;
    }) {
      const { entityRef } = o;
      const entity = await entityOf(entityRef);
      const waiver = await audited(
        auditor,
        { startupActor: o.requestedBy },
        'gauntlet-waiver-create',
        { model: entityRef },
        async () => {
          assertKnownCheck(runner, o.check);
          return createWaiverRequest({
            runner,
            versions: options.versions,
            entity,
            entityRef,
            check: o.check,
            reason: o.reason,
            requestedBy: o.requestedBy,
            expiresAt: o.expiresAt,
            now: runner.now(),
          });
        },
      );
      await approve({
        kind: 'waiver',
        id: waiver.id,
        entity,
        entityRef,
        approvedBy: o.approvedBy,
      });
    },
  };
}

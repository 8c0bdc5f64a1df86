import { ConflictError, InputError } from '@backstage/errors';
import {
  modelGauntletRunPermission,
  modelPromotionApprovePermission,
  modelPromotionRequestPermission,
  modelWaiverCreatePermission,
} from '@internal/plugin-model-hub-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { parseBody } from '../service/requests';
import { approveSubject } from './approveRoute';
import { ownerRefOf } from './fourEyesGuard';
import { rejectPromotion, withdrawPromotion } from './rejectRoute';
import {
  decisionBody,
  parseId,
  promotionBody,
  waiverBody,
} from './requestBodies';
import { GauntletRouteContext, MODEL } from './routeContext';
import { assertKnownCheck, createWaiverRequest } from './waiverRequest';

/**
 * The gauntlet's mutation routes, each audited: manual runs, promotion
 * requests and their governance decisions (approve, reject, withdraw),
 * waivers and their approval.
 */
export function addGauntletMutationRoutes(
  router: ReturnType<typeof Router>,
  ctx: GauntletRouteContext,
) {
  const { runner, versions, gauntletConfig, logger } = ctx;
  const { json, access, governanceAccess, auditedModel } = ctx;

  router.post(
    `${MODEL}/versions/:version/gauntlet/runs`,
    json,
    async (req, res) => {
      const runs = await auditedModel(
        req,
        'gauntlet-run-request',
        { version: req.params.version },
        async () => {
          const { entityRef, actor } = await access(
            req,
            modelGauntletRunPermission,
          );
          const version = await versions.getVersion(
            entityRef,
            req.params.version,
          );
          if (version.state !== 'sealed') {
            throw new ConflictError(
              `Version ${version.version} of ${entityRef} is a draft; the gauntlet runs on sealed versions`,
            );
          }
          const value = await runner.enqueue(
            entityRef,
            version.version,
            'manual',
            {
              requestedBy: actor,
              reason: `requested by ${actor}`,
            },
          );
          return { value, meta: { runs: value.map(r => r.id) } };
        },
      );
      void runner
        .drain()
        .catch(e => logger.error(`Gauntlet drain failed: ${e}`));
      res.status(202).json({ items: runs });
    },
  );

  router.post(`${MODEL}/promotion-requests`, json, async (req, res) => {
    const created = await auditedModel(
      req,
      'gauntlet-promotion-request',
      {},
      async () => {
        const { entity, entityRef, actor } = await access(
          req,
          modelPromotionRequestPermission,
        );
        const body = parseBody(promotionBody, req.body);
        const value = await runner.store.createPromotionRequest({
          entityRef,
          tier: body.tier,
          comment: body.comment,
          requestedBy: actor,
          requestedOwner: ownerRefOf(entity),
          now: runner.now(),
        });
        return { value, meta: { requestId: value.id, tier: value.tier } };
      },
    );
    res.status(201).json(created);
  });

  /**
   * An approval of a promotion request or a waiver by a governance member:
   * the same four-eyes rules and audit shape for both (approveRoute.ts).
   */
  const approveHandler =
    (
      kind: 'promotion' | 'waiver',
      permission: typeof modelWaiverCreatePermission,
      eventId: string,
      auditMeta: (id: string) => Record<string, string>,
    ) =>
    async (req: Request, res: express.Response) => {
      const approved = await auditedModel(
        req,
        eventId,
        auditMeta(req.params.id),
        async () => {
          const caller = await governanceAccess(req, permission);
          const body = parseBody(decisionBody, req.body);
          const value = await approveSubject({
            kind,
            id: parseId(
              req.params.id,
              kind === 'promotion' ? 'promotion request' : 'waiver',
            ),
            access: caller,
            body,
            runner,
            versions,
            gauntletConfig,
          });
          return {
            value: value.subject,
            meta: {
              state: value.subject.state,
              approvals: value.validApprovers,
              effectiveTier: value.effectiveTier,
            },
          };
        },
      );
      res.json(approved);
    };

  router.post(
    `${MODEL}/promotion-requests/:id/approve`,
    json,
    approveHandler(
      'promotion',
      modelPromotionApprovePermission,
      'gauntlet-promotion-decision',
      id => ({ action: 'approve', requestId: id }),
    ),
  );

  router.post(
    `${MODEL}/promotion-requests/:id/reject`,
    json,
    async (req, res) => {
      const decided = await auditedModel(
        req,
        'gauntlet-promotion-decision',
        { action: 'reject', requestId: req.params.id },
        async () => {
          const caller = await governanceAccess(
            req,
            modelPromotionApprovePermission,
          );
          const entity = caller.entity;
          const body = parseBody(decisionBody, req.body);
          const value = await rejectPromotion({
            id: parseId(req.params.id, 'promotion request'),
            access: caller,
            comment: body.comment,
            runner,
            gauntletConfig,
          });
          const evaluation = await runner.updateTier(entity);
          return {
            value,
            meta: {
              state: value.state,
              effectiveTier: evaluation.effectiveTier,
            },
          };
        },
      );
      res.json(decided);
    },
  );

  // The requester takes back their own pending request (four-eyes keeps
  // them from rejecting it as governance).
  router.post(
    `${MODEL}/promotion-requests/:id/withdraw`,
    json,
    async (req, res) => {
      const withdrawn = await auditedModel(
        req,
        'gauntlet-promotion-withdraw',
        { requestId: req.params.id },
        async () => {
          const { entityRef, actor } = await access(req);
          const body = parseBody(decisionBody, req.body);
          const value = await withdrawPromotion({
            id: parseId(req.params.id, 'promotion request'),
            entityRef,
            actor,
            comment: body.comment,
            runner,
          });
          return { value, meta: { state: value.state } };
        },
      );
      res.json(withdrawn);
    },
  );

  router.post(
    `${MODEL}/waivers/:id/approve`,
    json,
    approveHandler(
      'waiver',
      modelWaiverCreatePermission,
      'gauntlet-waiver-approve',
      id => ({ waiverId: id }),
    ),
  );

  router.post(`${MODEL}/waivers`, json, async (req, res) => {
    const waiver = await auditedModel(
      req,
      'gauntlet-waiver-create',
      {},
      async () => {
        const { entity, entityRef, actor } = await governanceAccess(
          req,
          modelWaiverCreatePermission,
        );
        const body = parseBody(waiverBody, req.body);
        assertKnownCheck(runner, body.check);
        const now = runner.now();
        const expiresAt = new Date(body.expiresAt);
        if (expiresAt.getTime() <= now.getTime()) {
          throw new InputError(
            `expiresAt ${body.expiresAt} is not in the future`,
          );
        }
        const maxMs = gauntletConfig.maxWaiverDays * 86_400_000;
        if (expiresAt.getTime() - now.getTime() > maxMs) {
          throw new InputError(
            `A waiver may last at most ${gauntletConfig.maxWaiverDays} days (modelHub.gauntlet.maxWaiverDays)`,
          );
        }
        if (body.version) await versions.getVersion(entityRef, body.version);
        return createWaiverRequest({
          runner,
          versions,
          entity,
          entityRef,
          check: body.check,
          version: body.version,
          reason: body.reason,
          requestedBy: actor,
          expiresAt,
          now,
        });
      },
    );
    res.status(201).json(waiver);
  });
}

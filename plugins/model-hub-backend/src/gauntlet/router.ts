import {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  isModelEntity,
  MODEL_HUB_ANNOTATIONS,
  modelGauntletRunPermission,
  ModelHubModelPermission,
  modelPromotionApprovePermission,
  modelPromotionRequestPermission,
  modelWaiverCreatePermission,
} from '@internal/plugin-model-hub-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ownersOnlyMessage } from '../permissions/rules';
import { GauntletConfig } from './config';
import {
  GauntletEvaluation,
  GauntletRunner,
  GauntletVersionSource,
} from './GauntletRunner';
import { isInGroup } from './permissions';
import { approveSubject } from './approveRoute';
import { rejectPromotion, withdrawPromotion } from './rejectRoute';
import { EffectiveTierItem, ModelGauntletResponse } from './types';
import { audited, parseBody } from '../service/requests';
import { accessModel } from '../service/modelAccess';
import { assertKnownCheck, createWaiverRequest } from './waiverRequest';
import { EffectiveTierCache } from './EffectiveTierCache';
import { liveModelLookup, ModelLookup } from '../service/cachedEntityLookup';

/** Dependencies of {@link createGauntletRouter}. */
export interface GauntletRouterOptions {
  runner: GauntletRunner;
  /** Batched, cached effective tiers (for the all-models route). */
  tiers: EffectiveTierCache;
  versions: GauntletVersionSource;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  catalog: CatalogService;
  auditor: AuditorService;
  gauntletConfig: GauntletConfig;
  logger: LoggerService;
  /** The model lookup of the routes (default: the catalog, live). */
  modelLookup?: ModelLookup;
}

const MODEL = '/v1/models/:namespace/:name';

const promotionBody = z.object({
  tier: z.literal('official').default('official'),
  comment: z.string().max(10_000).optional(),
});
const decisionBody = z
  .object({
    comment: z.string().max(10_000).optional(),
    /** The gauntlet run the approver reviewed; 409 when a newer one exists. */
    runId: z.number().int().positive().optional(),
  })
  .default({});
const waiverBody = z.object({
  check: z.string().min(1),
  reason: z.string().trim().min(1).max(10_000),
  expiresAt: z.string().datetime({ offset: true }),
  version: z.string().min(1).optional(),
});

function toResponse(e: GauntletEvaluation): ModelGauntletResponse {
  return {
    entityRef: e.entityRef,
    requestedTier: e.requestedTier,
    effectiveTier: e.effectiveTier,
    reason: e.reason,
    status: e.status,
    version: e.version,
    gates: e.gates,
    checks: e.resultsByTier[e.requestedTier] ?? [],
    activeRuns: e.activeRuns,
    approvals: e.approvals,
    waivers: e.waivers,
    requiredApprovals: e.requiredApprovals,
  };
}

/** The annotations the catalog should carry for a model's gauntlet state. */
export function gauntletAnnotations(e: {
  effectiveTier: string | null;
  status: string;
}): Record<string, string> {
  const annotations: Record<string, string> = {
    [MODEL_HUB_ANNOTATIONS.gauntletStatus]: e.status,
  };
  if (e.effectiveTier)
    annotations[MODEL_HUB_ANNOTATIONS.effectiveTier] = e.effectiveTier;
  return annotations;
}

/**
 * The gauntlet HTTP API, mounted next to the versions API (paths start with
 * `/v1`): gauntlet state and effective tier per model, run history, manual
 * runs, promotion requests and their governance decisions, waivers, and
 * the effective tiers of all models for the catalog.
 */
export async function createGauntletRouter(
  options: GauntletRouterOptions,
): Promise<express.Router> {
  const {
    runner,
    tiers,
    versions,
    httpAuth,
    permissions,
    userInfo,
    catalog,
    auditor,
    gauntletConfig,
    logger,
  } = options;
  const lookupModel = options.modelLookup ?? liveModelLookup(catalog);
  const router = Router();
  // JSON parsing per route: the router is mounted at the plugin root.
  const json = express.json({ limit: '1mb' });

  /** Resolves the model as the caller (404 when invisible) and checks a permission. */
  const access = (req: Request, permission?: ModelHubModelPermission) =>
    accessModel({ httpAuth, permissions, lookupModel }, req, {
      permission,
      denial: (p, entity, entityRef) =>
        denial(p, entity, entityRef, gauntletConfig.governanceGroup),
      modelsOnly: true,
    });

  /** Governance actions: the permission and membership of the governance group. */
  async function governanceAccess(
    req: Request,
    permission: ModelHubModelPermission,
  ) {
    const result = await access(req, permission);
    if (result.credentials.principal.type !== 'user') {
      throw new NotAllowedError(
        `${permission.name} is for members of ${gauntletConfig.governanceGroup}`,
      );
    }
    const info = await userInfo.getUserInfo(result.credentials);
    if (!isInGroup(info.ownershipEntityRefs, gauntletConfig.governanceGroup)) {
      throw new NotAllowedError(
        `Not allowed to ${permission.name} on ${result.entityRef}: only members of ${gauntletConfig.governanceGroup} may`,
      );
    }
    return { ...result, ownershipEntityRefs: info.ownershipEntityRefs };
  }

  /** Runs `fn` inside an audit event about the model of the route. */
  const auditedModel = <T>(
    req: Request,
    eventId: string,
    meta: Record<string, string>,
    fn: () => Promise<{ value: T; meta?: Record<string, unknown> }>,
  ): Promise<T> =>
    audited(
      auditor,
      req,
      eventId,
      { ...meta, model: `model:${req.params.namespace}/${req.params.name}` },
      fn,
    );

  router.get('/v1/gauntlet/checks', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({
      items: runner.checks.map(c => ({
        id: c.id,
        title: c.title,
        description: c.description,
        version: c.version,
      })),
      gates: gauntletConfig.gates,
    });
  });

  router.get('/v1/gauntlet/effective-tiers', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { items } = await catalog.getEntities(
      { filter: { kind: 'Model' } },
      { credentials },
    );
    // One batched, cached computation for all models (not one per model).
    const models = items.filter(isModelEntity);
    const computed = await tiers.getMany(models);
    const out: EffectiveTierItem[] = [...computed.values()].map(e => ({
      entityRef: e.entityRef,
      requestedTier: e.requestedTier,
      effectiveTier: e.effectiveTier,
      status: e.status,
      reason: e.reason,
      version: e.version,
      annotations: gauntletAnnotations(e),
    }));
    res.json({ items: out });
  });

  router.get(`${MODEL}/gauntlet`, async (req, res) => {
    const { entity } = await access(req);
    res.json(toResponse(await runner.evaluate(entity, { cached: true })));
  });

  router.get(`${MODEL}/versions/:version/gauntlet/runs`, async (req, res) => {
    const { entityRef } = await access(req);
    const version = await versions.getVersion(entityRef, req.params.version);
    res.json({
      items: await runner.store.listRuns(entityRef, version.version),
    });
  });

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

  router.get(`${MODEL}/promotion-requests`, async (req, res) => {
    const { entityRef } = await access(req);
    res.json({ items: await runner.store.listPromotionRequests(entityRef) });
  });

  router.post(`${MODEL}/promotion-requests`, json, async (req, res) => {
    const created = await auditedModel(
      req,
      'gauntlet-promotion-request',
      {},
      async () => {
        const { entityRef, actor } = await access(
          req,
          modelPromotionRequestPermission,
        );
        const body = parseBody(promotionBody, req.body);
        const value = await runner.store.createPromotionRequest({
          entityRef,
          tier: body.tier,
          comment: body.comment,
          requestedBy: actor,
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
            catalog,
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
            catalog,
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

  router.get(`${MODEL}/waivers`, async (req, res) => {
    const { entityRef } = await access(req);
    res.json({
      items: await runner.store.listWaivers(entityRef, runner.now()),
    });
  });

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

  return router;
}

function parseId(raw: string, what: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new InputError(`Invalid ${what} id '${raw}'`);
  }
  return id;
}

function denial(
  permission: ModelHubModelPermission,
  entity: Entity,
  entityRef: string,
  governanceGroup: string,
): string {
  if (
    permission.name === modelPromotionApprovePermission.name ||
    permission.name === modelWaiverCreatePermission.name
  ) {
    return `Not allowed to ${permission.name} on ${entityRef}: only members of ${governanceGroup} may`;
  }
  return ownersOnlyMessage(permission.name, entityRef, entity);
}

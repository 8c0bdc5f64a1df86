import {
  isModelEntity,
  MODEL_HUB_ANNOTATIONS,
} from '@internal/plugin-model-hub-common';
import Router from 'express-promise-router';
import { GauntletEvaluation } from './GauntletRunner';
import { GauntletRouteContext, MODEL } from './routeContext';
import { EffectiveTierItem, ModelGauntletResponse } from './types';

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
 * The gauntlet's read routes: the checks and gates, the effective tiers of
 * all models, and per model its gauntlet state, runs, promotion requests
 * and waivers (anyone who can see the model).
 */
export function addGauntletReadRoutes(
  router: ReturnType<typeof Router>,
  ctx: GauntletRouteContext,
) {
  const { runner, tiers, versions, httpAuth, catalog, gauntletConfig } = ctx;
  const { access } = ctx;

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

  router.get(`${MODEL}/promotion-requests`, async (req, res) => {
    const { entityRef } = await access(req);
    res.json({ items: await runner.store.listPromotionRequests(entityRef) });
  });

  router.get(`${MODEL}/waivers`, async (req, res) => {
    const { entityRef } = await access(req);
    res.json({
      items: await runner.store.listWaivers(entityRef, runner.now()),
    });
  });
}

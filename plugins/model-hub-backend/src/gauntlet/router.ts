import express from 'express';
import Router from 'express-promise-router';
import { addGauntletMutationRoutes } from './mutationRoutes';
import { addGauntletReadRoutes } from './readRoutes';
import {
  createGauntletRouteContext,
  GauntletRouterOptions,
} from './routeContext';

/**
 * The gauntlet HTTP API, mounted next to the versions API (paths start with
 * `/v1`): gauntlet state and effective tier per model, run history, manual
 * runs, promotion requests and their governance decisions, waivers, and
 * the effective tiers of all models for the catalog.
 */
export async function createGauntletRouter(
  options: GauntletRouterOptions,
): Promise<express.Router> {
  const ctx = createGauntletRouteContext(options);
  const router = Router();
  addGauntletReadRoutes(router, ctx);
  addGauntletMutationRoutes(router, ctx);
  return router;
}

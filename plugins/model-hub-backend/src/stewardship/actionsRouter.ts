import express from 'express';
import Router from 'express-promise-router';
import { StewardshipActionsRouterOptions } from './actionContext';
import { addModelActionRoutes } from './modelActionRoutes';
import { addTaskActionRoutes } from './taskActionRoutes';

export type { StewardshipActionsRouterOptions } from './actionContext';
export { WAIVABLE_TASK_KINDS } from './taskActionRoutes';

/**
 * The stewardship action routes: snooze a task, ask for a waiver and grant
 * it (four-eyes), name a model's steward and archive a model in the hub.
 * Only signed-in people act, with their own credentials; every action is
 * audited, and the engine honours the outcome on each evaluation.
 */
export function createStewardshipActionsRouter(
  options: StewardshipActionsRouterOptions,
): express.Router {
  const router = Router();
  const context = {
    ...options,
    clock: options.clock ?? (() => new Date()),
    json: express.json({ limit: '16kb' }),
  };
  addTaskActionRoutes(router, context);
  addModelActionRoutes(router, context);
  return router;
}

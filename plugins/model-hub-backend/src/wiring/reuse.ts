import { ModelLookup } from '../service/cachedEntityLookup';
import { setupSimilarModels } from '../similar';
import { setupUsage } from '../usage';
import { ModelHubPluginDeps } from './deps';
import { ModelHubPlatform } from './platform';

/**
 * Reuse: similar models and duplicate effort (issue #18), pull metrics,
 * reuse leaderboards and first-consumer notifications (issue #21); mounts
 * both routers.
 */
export async function wireReuse(
  deps: ModelHubPluginDeps,
  platform: ModelHubPlatform,
  modelLookup: ModelLookup,
) {
  const {
    logger,
    config,
    database,
    httpAuth,
    auth,
    userInfo,
    catalog,
    notifications,
  } = deps;
  const { scheduler, httpRouter } = platform;
  // Similar models and duplicate effort through a term index (issue #18).
  const similar = await setupSimilarModels({
    config,
    database,
    scheduler,
    logger: logger.child({ service: 'similar' }),
    httpAuth,
    auth,
    userInfo,
    catalog,
  });
  httpRouter.use(similar.router);
  // Pull metrics, reuse leaderboards, first-consumer notifications (issue #21).
  const usage = await setupUsage({
    config,
    database,
    scheduler,
    logger: logger.child({ service: 'usage' }),
    httpAuth,
    auth,
    userInfo,
    catalog,
    notifications,
    overlaps: credentials => similar.similar.overlapping(credentials),
    modelLookup,
  });
  httpRouter.use(usage.router);
  return { similar, usage };
}

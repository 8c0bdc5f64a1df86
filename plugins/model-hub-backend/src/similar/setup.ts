import {
  AuthService,
  DatabaseService,
  HttpAuthService,
  LoggerService,
  SchedulerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { readSimilarConfig } from './config';
import { createSimilarModelsRouter } from './router';
import { SimilarIndexStore } from './SimilarIndexStore';
import { SimilarModels } from './SimilarModels';

/** Id of the scheduled refresh of the similar-models index. */
export const SIMILAR_INDEX_TASK_ID = 'model-hub-similar-index';

/**
 * Wires the similar-models term index (issue #18): the store, the service
 * the similar-models and duplicate-effort routes read, its routes, and the
 * scheduled refresh (one replica at a time) that re-indexes only models
 * whose content changed in the catalog.
 */
export async function setupSimilarModels(options: {
  config: Config;
  database: DatabaseService;
  scheduler: SchedulerService;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  auth: AuthService;
  userInfo: UserInfoService;
  catalog: CatalogService;
}) {
  const { logger } = options;
  const config = readSimilarConfig(options.config);
  const similar = new SimilarModels({
    store: await SimilarIndexStore.create({ database: options.database }),
    catalog: options.catalog,
    auth: options.auth,
    userInfo: options.userInfo,
  });
  await options.scheduler.scheduleTask({
    id: SIMILAR_INDEX_TASK_ID,
    frequency: { seconds: config.refreshSeconds },
    timeout: { minutes: 10 },
    scope: 'global',
    fn: async () => {
      const result = await similar.refresh();
      if (result.written + result.removed > 0) {
        logger.info(
          `Similar-models index: ${result.written} written, ${result.removed} removed, ${result.unchanged} unchanged`,
        );
      }
    },
  });
  const router = await createSimilarModelsRouter({
    httpAuth: options.httpAuth,
    similar,
  });
  return { similar, router };
}

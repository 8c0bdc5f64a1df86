import { isModelEntity } from '@internal/plugin-model-hub-common';
import { createLifecycleRouter, DeprecationStore } from '../lifecycle';
import { createRegistryRouter, ModelCardDeletion } from '../registry';
import { ModelHubPluginDeps } from './deps';
import { ModelHubPlatform } from './platform';

/**
 * The catalog-facing routes, in this order: models registered with the hub
 * (and their card deletion), then deprecation and its lifecycle, whose
 * applied deprecations wake the stewardship engine.
 */
export async function wireModelRegistryRoutes(
  deps: ModelHubPluginDeps,
  platform: ModelHubPlatform,
  stewardship: { trigger: (reason: string) => Promise<void> },
) {
  const { logger, database, httpAuth, auth, userInfo, catalog } = deps;
  const { httpRouter, auditor, permissions, registeredModels } = platform;
  const cardDeletion = await ModelCardDeletion.create({ database });
  httpRouter.use(
    await createRegistryRouter({
      store: registeredModels,
      httpAuth,
      auth,
      permissions,
      userInfo,
      catalog,
      auditor,
      logger,
      deleteCard: ref => cardDeletion.delete(ref),
    }),
  );
  httpRouter.use(
    await createLifecycleRouter({
      store: await DeprecationStore.create({ database }),
      httpAuth,
      auth,
      permissions,
      catalog,
      auditor,
      logger,
      async pendingModel(entityRef) {
        const entity = (await registeredModels.get(entityRef))?.entity;
        return entity && isModelEntity(entity) ? entity : undefined;
      },
      // Consumers' migration tasks follow a deprecation right away,
      // not at the next scheduled evaluation.
      onApplied: (_entityRef, reason) => stewardship.trigger(reason),
    }),
  );
}

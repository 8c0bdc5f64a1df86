import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  createDeprecateModelAction,
  createPublishModelVersionAction,
  createRegisterModelAction,
  createRequestModelPromotionAction,
} from './actions';
import { ModelHubClient } from './client/ModelHubClient';

/** The default of `modelHub.scaffolder.catalogWaitSeconds`. */
export const DEFAULT_CATALOG_WAIT_SECONDS = 60;

/**
 * The Model Hub's scaffolder actions (`model-hub:register`,
 * `model-hub:publish-version`, `model-hub:request-promotion`,
 * `model-hub:deprecate`). They call the hub's HTTP API on behalf of the user
 * running the template, so the hub's permission rules apply to that user.
 */
export const scaffolderModuleModelHub = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'model-hub',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        urlReader: coreServices.urlReader,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, discovery, auth, urlReader, catalog, config }) {
        const client = new ModelHubClient({ discovery, auth });
        const catalogWaitSeconds =
          config.getOptionalNumber('modelHub.scaffolder.catalogWaitSeconds') ??
          DEFAULT_CATALOG_WAIT_SECONDS;
        if (!Number.isFinite(catalogWaitSeconds) || catalogWaitSeconds < 0) {
          throw new Error(
            `modelHub.scaffolder.catalogWaitSeconds must be a non-negative number, got ${catalogWaitSeconds}`,
          );
        }
        const catalogWaitMs = catalogWaitSeconds * 1000;
        scaffolder.addActions(
          createRegisterModelAction({ client, catalog, catalogWaitMs }),
          createPublishModelVersionAction({
            client,
            urlReader,
            catalog,
            catalogWaitMs,
          }),
          createRequestModelPromotionAction({ client }),
          createDeprecateModelAction({ client }),
        );
      },
    });
  },
});

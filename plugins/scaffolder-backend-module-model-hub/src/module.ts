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
      },
      async init({ scaffolder, discovery, auth, urlReader, catalog }) {
        const client = new ModelHubClient({ discovery, auth });
        scaffolder.addActions(
          createRegisterModelAction({ client, catalog }),
          createPublishModelVersionAction({ client, urlReader, catalog }),
          createRequestModelPromotionAction({ client }),
          createDeprecateModelAction({ client }),
        );
      },
    });
  },
});

import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { ModelEntityProcessor } from './processor';
import { ModelHubTierClient, ModelHubTierProcessor } from './tiers';

/**
 * Catalog module of the Model Hub: adds the {@link ModelEntityProcessor},
 * which makes `kind: Model` a valid catalog kind, checks dataset Resources and
 * emits the Model relations, and the {@link ModelHubTierProcessor}, which
 * puts the tier each model earned (read from the hub's HTTP API) on it.
 */
export const catalogModuleModelHub = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'model-hub',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
      },
      async init({ catalog, discovery, auth, logger, config }) {
        catalog.addProcessor(new ModelEntityProcessor());
        catalog.addProcessor(
          new ModelHubTierProcessor(
            ModelHubTierClient.fromConfig(config, { discovery, auth, logger }),
          ),
        );
      },
    });
  },
});

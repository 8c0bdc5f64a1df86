import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import {
  ModelHubDeprecationSnapshot,
  ModelHubLifecycleProcessor,
} from './lifecycle';
import { ModelEntityProcessor } from './processor';
import { ModelHubEntityProvider } from './provider';
import { ModelHubTierClient, ModelHubTierProcessor } from './tiers';

/**
 * Catalog module of the Model Hub: adds the {@link ModelEntityProcessor},
 * which makes `kind: Model` a valid catalog kind, checks dataset Resources and
 * emits the Model relations; the {@link ModelHubLifecycleProcessor}, which
 * overlays the deprecations recorded by the hub; the
 * {@link ModelHubTierProcessor}, which puts the tier each model earned on
 * it; and the {@link ModelHubEntityProvider}, which serves the models
 * registered through the hub. All of them read the hub's HTTP API.
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
        scheduler: coreServices.scheduler,
      },
      async init({ catalog, discovery, auth, logger, config, scheduler }) {
        // The lifecycle overlay comes first: the Model processor validates
        // and relates the deprecated entity (preProcessEntity runs for all
        // processors before any validation anyway).
        catalog.addProcessor(
          // One request per refresh window, shared by every model (issue #18).
          new ModelHubLifecycleProcessor(
            ModelHubDeprecationSnapshot.fromConfig(config, { discovery, auth }),
          ),
        );
        catalog.addProcessor(new ModelEntityProcessor());
        catalog.addProcessor(
          new ModelHubTierProcessor(
            ModelHubTierClient.fromConfig(config, { discovery, auth, logger }),
          ),
        );
        catalog.addEntityProvider(
          ModelHubEntityProvider.fromConfig(config, {
            discovery,
            auth,
            logger: logger.child({ provider: 'model-hub' }),
            scheduler,
          }),
        );
      },
    });
  },
});

import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { ModelEntityProcessor } from './processor';

/**
 * Catalog module of the Model Hub: adds the {@link ModelEntityProcessor},
 * which makes `kind: Model` a valid catalog kind, checks dataset Resources and
 * emits the Model relations.
 */
export const catalogModuleModelHub = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'model-hub',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addProcessor(new ModelEntityProcessor());
      },
    });
  },
});

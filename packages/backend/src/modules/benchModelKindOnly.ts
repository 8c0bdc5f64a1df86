/*
 * Benchmark baseline only: `npm run bench:scale` starts a second portal with
 * MODEL_HUB_BENCH_WITHOUT_CATALOG_MODULE=1 to time catalog processing of the
 * same generated catalog without catalog-backend-module-model-hub. The
 * catalog rejects entities of a kind no processor accepts, so this module
 * accepts `kind: Model` and does nothing else (no validation beyond the
 * envelope, no relations, no overlays, no provider): the floor any Model
 * kind costs.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  CatalogProcessor,
  catalogProcessingExtensionPoint,
} from '@backstage/plugin-catalog-node';

class ModelKindOnlyProcessor implements CatalogProcessor {
  getProcessorName() {
    return 'BenchModelKindOnlyProcessor';
  }

  async validateEntityKind(entity: { kind: string }): Promise<boolean> {
    return entity.kind === 'Model';
  }
}

export default createBackendModule({
  pluginId: 'catalog',
  moduleId: 'bench-model-kind-only',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addProcessor(new ModelKindOnlyProcessor());
      },
    });
  },
});

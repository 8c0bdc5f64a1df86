import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  CatalogProcessor,
} from '@backstage/plugin-catalog-node';

/** The Model kind is the hub's; in these tests the catalog only needs to accept it. */
export const acceptModelKind = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'test-model-kind',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        const processor: CatalogProcessor = {
          getProcessorName: () => 'TestModelKind',
          validateEntityKind: async e => e.kind === 'Model',
        };
        catalog.addProcessor(processor);
      },
    });
  },
});

/** Polls `probe` every `intervalMs` until it returns a value, or throws naming `what`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 300_000,
  intervalMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, intervalMs));
  }
}

import { createBackendModule } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
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

/**
 * A team (group with one member) as a catalog entity, so stewardship can
 * assign its models' tasks to it rather than to governance (orphans).
 */
export function teamEntities(team: string, member: string): Entity[] {
  const annotations = {
    'backstage.io/managed-by-location': 'url:https://example.test/org.yaml',
    'backstage.io/managed-by-origin-location':
      'url:https://example.test/org.yaml',
  };
  return [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: team, annotations },
      spec: { type: 'team', children: [], members: [member] },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: member, annotations },
      spec: { memberOf: [team] },
    },
  ];
}

/** A catalog module whose provider emits `entities` once (the org of a test). */
export function staticEntities(entities: Entity[]) {
  return createBackendModule({
    pluginId: 'catalog',
    moduleId: 'test-static-entities',
    register(reg) {
      reg.registerInit({
        deps: { catalog: catalogProcessingExtensionPoint },
        async init({ catalog }) {
          catalog.addEntityProvider({
            getProviderName: () => 'test-static-entities',
            async connect(connection) {
              await connection.applyMutation({
                type: 'full',
                entities: entities.map(entity => ({
                  entity,
                  locationKey: 'test-static-entities',
                })),
              });
            },
          });
        },
      });
    },
  });
}

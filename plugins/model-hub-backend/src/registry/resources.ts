import { AuthService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { RegisteredModelStore } from './RegisteredModelStore';

/**
 * Builds the `getResources` of the `model-hub-model` resource type: each
 * ref resolves to the Model in the catalog (read as the hub), or, when the
 * catalog has no entity under that ref yet (a model registered moments ago,
 * before the entity provider ran), to its registration. Other kinds resolve
 * to undefined.
 */
export function createModelResourceLoader(options: {
  catalog: CatalogService;
  auth: AuthService;
  registeredModels: RegisteredModelStore;
}): (resourceRefs: string[]) => Promise<Array<Entity | undefined>> {
  const { catalog, auth, registeredModels } = options;
  return async resourceRefs => {
    const credentials = await auth.getOwnServiceCredentials();
    const { items } = await catalog.getEntitiesByRefs(
      { entityRefs: resourceRefs },
      { credentials },
    );
    return Promise.all(
      items.map(async (entity, i) => {
        if (entity) {
          return entity.kind.toLocaleLowerCase('en-US') === 'model'
            ? entity
            : undefined;
        }
        return (await registeredModels.get(resourceRefs[i]))?.entity;
      }),
    );
  };
}

/** Splits permissions into those of `resourceType` and the basic ones. */
export function partitionPermissions<
  P extends { type: string; resourceType?: string },
>(permissions: P[], resourceType: string): { resource: P[]; basic: P[] } {
  return {
    resource: permissions.filter(
      p => p.type === 'resource' && p.resourceType === resourceType,
    ),
    basic: permissions.filter(p => p.type === 'basic'),
  };
}

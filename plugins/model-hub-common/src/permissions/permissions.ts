import {
  BasicPermission,
  createPermission,
  isPermission,
  Permission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * Resource type of permissions that act on one Model entity (its versions,
 * files and aliases). The resource ref is the Model's entity ref, e.g.
 * `model:default/support-assistant`.
 */
export const RESOURCE_TYPE_MODEL_HUB_MODEL = 'model-hub-model';

/** A permission that acts on one Model (resource type `model-hub-model`). */
export type ModelHubModelPermission = ResourcePermission<
  typeof RESOURCE_TYPE_MODEL_HUB_MODEL
>;

/**
 * Publishing a version of a model: creating it, uploading its files and
 * sealing it. By default only the model's owners are allowed.
 */
export const modelVersionCreatePermission: ModelHubModelPermission =
  createPermission({
    name: 'model-hub.version.create',
    attributes: { action: 'create' },
    resourceType: RESOURCE_TYPE_MODEL_HUB_MODEL,
  });

/**
 * Setting or moving an alias (e.g. `champion`, `latest`) of a model to one of
 * its sealed versions. By default only the model's owners are allowed.
 */
export const modelAliasUpdatePermission: ModelHubModelPermission =
  createPermission({
    name: 'model-hub.alias.update',
    attributes: { action: 'update' },
    resourceType: RESOURCE_TYPE_MODEL_HUB_MODEL,
  });

/** The permissions that change what a model publishes (versions, files, aliases). */
export const modelHubPublishPermissions: ModelHubModelPermission[] = [
  modelVersionCreatePermission,
  modelAliasUpdatePermission,
];

/** Every permission defined by Model Hub, for registration and policies. */
export const modelHubPermissions: Array<
  ModelHubModelPermission | BasicPermission
> = [...modelHubPublishPermissions];

/** True when `permission` is one of {@link modelHubPublishPermissions}. */
export function isModelHubPublishPermission(
  permission: Permission,
): permission is ModelHubModelPermission {
  return modelHubPublishPermissions.some(p => isPermission(permission, p));
}

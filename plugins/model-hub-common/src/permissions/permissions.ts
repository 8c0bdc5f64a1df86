import {
  BasicPermission,
  createPermission,
  isPermission,
  Permission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { modelVersionImportPermission } from './ingestion';

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

/**
 * Registering a new model with the hub (its birth certificate is stored by
 * the hub and served to the catalog). Not tied to a resource, since the
 * model does not exist yet; the hub also requires the caller to be a member
 * of the team named as the owner.
 */
export const modelRegisterPermission: BasicPermission = createPermission({
  name: 'model-hub.model.register',
  attributes: { action: 'create' },
});

/**
 * Changing the birth certificate of a model registered with the hub. By
 * default only the model's owners are allowed.
 */
export const modelUpdatePermission: ModelHubModelPermission = createPermission({
  name: 'model-hub.model.update',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_MODEL_HUB_MODEL,
});

/**
 * Deprecating a model (naming its successor) or withdrawing a deprecation.
 * By default only the model's owners are allowed.
 */
export const modelDeprecatePermission: ModelHubModelPermission =
  createPermission({
    name: 'model-hub.model.deprecate',
    attributes: { action: 'update' },
    resourceType: RESOURCE_TYPE_MODEL_HUB_MODEL,
  });

/** The permissions that change what a model publishes (versions, files, aliases). */
export const modelHubPublishPermissions: ModelHubModelPermission[] = [
  modelVersionCreatePermission,
  modelAliasUpdatePermission,
];

/**
 * The permissions that, by default, only the model's owners hold: publishing
 * and changing or deprecating the model.
 */
export const modelHubOwnerPermissions: ModelHubModelPermission[] = [
  ...modelHubPublishPermissions,
  modelUpdatePermission,
  modelDeprecatePermission,
];

/** Every permission defined by Model Hub, for registration and policies. */
export const modelHubPermissions: Array<
  ModelHubModelPermission | BasicPermission
> = [
  ...modelHubOwnerPermissions,
  modelRegisterPermission,
  modelVersionImportPermission,
];

/** True when `permission` is one of {@link modelHubOwnerPermissions}. */
export function isModelHubOwnerPermission(
  permission: Permission,
): permission is ModelHubModelPermission {
  return modelHubOwnerPermissions.some(p => isPermission(permission, p));
}

/** True when `permission` is one of {@link modelHubPublishPermissions}. */
export function isModelHubPublishPermission(
  permission: Permission,
): permission is ModelHubModelPermission {
  return modelHubPublishPermissions.some(p => isPermission(permission, p));
}

/*
 * Gauntlet permissions. All act on one model (resource type
 * `model-hub-model`, resource ref the Model's entity ref).
 */

/** Asking for a tier (e.g. official) for a model. Default: the model's owners. */
export const modelPromotionRequestPermission: ModelHubModelPermission =
  createPermission({
    name: 'model-hub.promotion.request',
    attributes: { action: 'create' },
    resourceType: RESOURCE_TYPE_MODEL_HUB_MODEL,
  });

/** Approving or rejecting a promotion request. Default: the governance group. */
export const modelPromotionApprovePermission: ModelHubModelPermission =
  createPermission({
    name: 'model-hub.promotion.approve',
    attributes: { action: 'update' },
    resourceType: RESOURCE_TYPE_MODEL_HUB_MODEL,
  });

/** Waiving a gauntlet check of a model. Default: the governance group. */
export const modelWaiverCreatePermission: ModelHubModelPermission =
  createPermission({
    name: 'model-hub.waiver.create',
    attributes: { action: 'create' },
    resourceType: RESOURCE_TYPE_MODEL_HUB_MODEL,
  });

/** Starting a gauntlet run on demand. Default: the model's owners. */
export const modelGauntletRunPermission: ModelHubModelPermission =
  createPermission({
    name: 'model-hub.gauntlet.run',
    attributes: { action: 'create' },
    resourceType: RESOURCE_TYPE_MODEL_HUB_MODEL,
  });

/** Permissions for the model's owners. */
export const gauntletOwnerPermissions: ModelHubModelPermission[] = [
  modelPromotionRequestPermission,
  modelGauntletRunPermission,
];

/** Permissions for the governance group. */
export const gauntletGovernancePermissions: ModelHubModelPermission[] = [
  modelPromotionApprovePermission,
  modelWaiverCreatePermission,
];

/** Every gauntlet permission, for registration. */
export const gauntletPermissions: ModelHubModelPermission[] = [
  ...gauntletOwnerPermissions,
  ...gauntletGovernancePermissions,
];

/**
 * Reading the audit trail and webhook deliveries (admin views). Default
 * policy: members of the governance group only.
 */
export const modelHubAuditReadPermission = createPermission({
  name: 'model-hub.audit.read',
  attributes: { action: 'read' },
});

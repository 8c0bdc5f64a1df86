import {
  AuthorizeResult,
  createPermission,
  isPermission,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  ModelHubModelPermission,
  RESOURCE_TYPE_MODEL_HUB_MODEL,
} from '@internal/plugin-model-hub-common';
import {
  createModelHubConditionalDecision,
  modelHubConditions,
} from '../permissions/rules';

/*
 * Gauntlet permissions. They belong in @internal/plugin-model-hub-common
 * (src/permissions) next to the publish permissions and live here until they
 * move. All act on one model (resource type `model-hub-model`, resource ref
 * the Model's entity ref).
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

/** Case-insensitive membership of `group` in a user's ownership refs. */
export function isInGroup(
  ownershipEntityRefs: string[],
  group: string,
): boolean {
  const wanted = group.toLocaleLowerCase('en-US');
  return ownershipEntityRefs.some(r => r.toLocaleLowerCase('en-US') === wanted);
}

/**
 * The permission-policy branch for the gauntlet permissions: owners'
 * permissions are conditional on owning the model, governance permissions
 * are allowed to members of the governance group and denied to everyone
 * else. Returns undefined for other permissions, so a policy can fall
 * through to its next branch.
 */
export function gauntletPolicyDecision(
  permission: Permission,
  user: { info: { ownershipEntityRefs: string[] } } | undefined,
  options: { governanceGroup: string },
): PolicyDecision | undefined {
  const claims = user?.info.ownershipEntityRefs ?? [];
  const owner = gauntletOwnerPermissions.find(p => isPermission(permission, p));
  if (owner) {
    return createModelHubConditionalDecision(
      owner,
      modelHubConditions.isModelOwner({ claims }),
    );
  }
  if (gauntletGovernancePermissions.some(p => isPermission(permission, p))) {
    return {
      result: isInGroup(claims, options.governanceGroup)
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    };
  }
  return undefined;
}

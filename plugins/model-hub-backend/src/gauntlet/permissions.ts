import {
  AuthorizeResult,
  isPermission,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  gauntletGovernancePermissions,
  gauntletOwnerPermissions,
} from '@internal/plugin-model-hub-common';
import {
  createModelHubConditionalDecision,
  modelHubConditions,
} from '../permissions/rules';

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
 * through to its next branch. The policy sees only the sign-in claims; the
 * governance routes also require the catalog's membership when the catalog
 * holds the user (membership.ts), so claims it has since revoked do not act.
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

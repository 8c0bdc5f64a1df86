import {
  AuthorizeResult,
  isPermission,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  isStewardshipOwnerPermission,
  stewardshipTaskActPermission,
  stewardshipWaiverApprovePermission,
} from '@internal/plugin-model-hub-common';
import { isInGroup } from '../gauntlet/permissions';
import {
  createModelHubConditionalDecision,
  modelHubConditions,
} from '../permissions/rules';

/**
 * The permission-policy branch for the stewardship actions: reassigning a
 * steward and archiving are for the model's owners; snoozing a task or
 * asking for its waiver is for signed-in users (the hub also requires
 * membership of the task's assignee); granting a waiver is for the
 * governance group. Returns undefined for other permissions. The routes
 * also require the catalog's membership when the catalog holds the user
 * (gauntlet/membership.ts): the claims here may be an hour old.
 */
export function stewardshipPolicyDecision(
  permission: Permission,
  user: { info: { ownershipEntityRefs: string[] } } | undefined,
  options: { governanceGroup: string },
): PolicyDecision | undefined {
  const claims = user?.info.ownershipEntityRefs ?? [];
  if (isStewardshipOwnerPermission(permission)) {
    return createModelHubConditionalDecision(
      permission,
      modelHubConditions.isModelOwner({ claims }),
    );
  }
  if (isPermission(permission, stewardshipTaskActPermission)) {
    return { result: user ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
  }
  if (isPermission(permission, stewardshipWaiverApprovePermission)) {
    return {
      result: isInGroup(claims, options.governanceGroup)
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    };
  }
  return undefined;
}

import {
  AuthorizeResult,
  isPermission,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { modelVersionImportPermission } from '@internal/plugin-model-hub-common';
import {
  createModelHubConditionalDecision,
  modelHubConditions,
} from '../permissions/rules';

/**
 * The default rule of `model-hub.version.import`, for portal policies:
 * the governance group may import any ingested model's versions, the
 * model's owners their own. Undefined for other permissions.
 */
export function importPolicyDecision(
  permission: Permission,
  user: { info: { ownershipEntityRefs: string[] } } | undefined,
  options: { governanceGroup: string },
): PolicyDecision | undefined {
  if (!isPermission(permission, modelVersionImportPermission)) return undefined;
  const claims = user?.info.ownershipEntityRefs ?? [];
  if (claims.includes(options.governanceGroup)) {
    return { result: AuthorizeResult.ALLOW };
  }
  return createModelHubConditionalDecision(
    modelVersionImportPermission,
    modelHubConditions.isModelOwner({ claims }),
  );
}

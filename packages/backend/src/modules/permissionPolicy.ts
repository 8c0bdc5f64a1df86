import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  createModelHubConditionalDecision,
  modelHubConditions,
} from '@internal/plugin-model-hub-backend';
import { isModelHubPublishPermission } from '@internal/plugin-model-hub-common';

/**
 * The portal's permission policy: publishing to a model (versions, files,
 * aliases) is for the model's owners; everything else is allowed.
 */
export class ModelHubPermissionPolicy implements PermissionPolicy {
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (isModelHubPublishPermission(request.permission)) {
      return createModelHubConditionalDecision(
        request.permission,
        modelHubConditions.isModelOwner({
          claims: user?.info.ownershipEntityRefs ?? [],
        }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

/** Installs {@link ModelHubPermissionPolicy} into the permission backend. */
export const modelHubPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'model-hub-policy',
  register(env) {
    env.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new ModelHubPermissionPolicy());
      },
    });
  },
});

export default modelHubPermissionPolicyModule;

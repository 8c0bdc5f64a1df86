import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
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
  gauntletPolicyDecision,
  importPolicyDecision,
  modelHubConditions,
  stewardshipPolicyDecision,
} from '@internal/plugin-model-hub-backend';
import {
  isModelHubOwnerPermission,
  modelHubAuditReadPermission,
  modelHubIngestionSyncPermission,
  modelRegisterPermission,
} from '@internal/plugin-model-hub-common';

/**
 * The portal's permission policy: publishing to a model (versions, files,
 * aliases), changing or deprecating it, running its gauntlet and requesting
 * its promotion are for the model's owners; registering a new model is for
 * signed-in users (the hub also requires membership of the owning team);
 * approving promotions, granting waivers and starting an ingestion sync are
 * for the governance group;
 * everything else is allowed to anyone signed in.
 */
export class ModelHubPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly options: { governanceGroup: string } = {
      governanceGroup: 'group:default/ai-governance',
    },
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const gauntlet = gauntletPolicyDecision(
      request.permission,
      user,
      this.options,
    );
    if (gauntlet) {
      return gauntlet;
    }
    // Importing an ingested model's version: its owners and governance.
    const imports = importPolicyDecision(
      request.permission,
      user,
      this.options,
    );
    if (imports) {
      return imports;
    }
    // The audit trail and webhook deliveries, and "sync now" of an
    // ingestion source: portfolio-wide, so the governance group only.
    if (
      isPermission(request.permission, modelHubAuditReadPermission) ||
      isPermission(request.permission, modelHubIngestionSyncPermission)
    ) {
      return {
        result: user?.info.ownershipEntityRefs.includes(
          this.options.governanceGroup,
        )
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      };
    }
    const stewardship = stewardshipPolicyDecision(
      request.permission,
      user,
      this.options,
    );
    if (stewardship) {
      return stewardship;
    }
    if (isPermission(request.permission, modelRegisterPermission)) {
      return {
        result: user ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      };
    }
    if (isModelHubOwnerPermission(request.permission)) {
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
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(
          new ModelHubPermissionPolicy({
            governanceGroup:
              config.getOptionalString('modelHub.governance.group') ??
              config.getOptionalString('modelHub.governanceGroup') ??
              'group:default/ai-governance',
          }),
        );
      },
    });
  },
});

export default modelHubPermissionPolicyModule;

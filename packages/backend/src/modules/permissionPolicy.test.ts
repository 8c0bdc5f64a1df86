import { mockCredentials } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  modelAliasUpdatePermission,
  modelDeprecatePermission,
  modelHubAuditReadPermission,
  modelHubIngestionSyncPermission,
  modelRegisterPermission,
  modelUpdatePermission,
  modelVersionCreatePermission,
  RESOURCE_TYPE_MODEL_HUB_MODEL,
} from '@internal/plugin-model-hub-common';
import { ModelHubPermissionPolicy } from './permissionPolicy';

function userOf(ref: string, groups: string[]): PolicyQueryUser {
  return {
    credentials: mockCredentials.user(ref),
    info: { userEntityRef: ref, ownershipEntityRefs: [ref, ...groups] },
  };
}

describe('ModelHubPermissionPolicy', () => {
  const policy = new ModelHubPermissionPolicy();
  const alice = userOf('user:default/alice', ['group:default/ml-team']);

  it.each([
    modelVersionCreatePermission,
    modelAliasUpdatePermission,
    modelUpdatePermission,
    modelDeprecatePermission,
  ])('makes $name conditional on owning the model', async permission => {
    expect(await policy.handle({ permission }, alice)).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'model-hub',
      resourceType: RESOURCE_TYPE_MODEL_HUB_MODEL,
      conditions: {
        rule: 'IS_MODEL_OWNER',
        resourceType: RESOURCE_TYPE_MODEL_HUB_MODEL,
        params: {
          claims: ['user:default/alice', 'group:default/ml-team'],
        },
      },
    });
  });

  it('allows registering a model to a signed-in user and denies it to an anonymous caller', async () => {
    expect(
      await policy.handle({ permission: modelRegisterPermission }, alice),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    expect(
      await policy.handle({ permission: modelRegisterPermission }),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('gives an anonymous caller no ownership claims', async () => {
    const decision = await policy.handle({
      permission: modelVersionCreatePermission,
    });
    expect(decision).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: { params: { claims: [] } },
    });
  });

  it('shows the audit trail to the governance group only', async () => {
    const permission = modelHubAuditReadPermission;
    const gina = userOf('user:default/gina', ['group:default/ai-governance']);
    expect((await policy.handle({ permission }, gina)).result).toBe(
      AuthorizeResult.ALLOW,
    );
    expect((await policy.handle({ permission }, alice)).result).toBe(
      AuthorizeResult.DENY,
    );
    expect((await policy.handle({ permission })).result).toBe(
      AuthorizeResult.DENY,
    );
  });

  it('lets only the governance group start an ingestion sync', async () => {
    const fatima = userOf('user:default/fatima', [
      'group:default/ai-governance',
    ]);
    const permission = modelHubIngestionSyncPermission;
    expect(await policy.handle({ permission }, fatima)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(await policy.handle({ permission }, alice)).toEqual({
      result: AuthorizeResult.DENY,
    });
    expect(await policy.handle({ permission })).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('allows everything else', async () => {
    const read = createPermission({
      name: 'catalog.entity.read',
      attributes: { action: 'read' },
    });
    expect(await policy.handle({ permission: read }, alice)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });
});

import { createPermission } from '@backstage/plugin-permission-common';
import {
  isModelHubOwnerPermission,
  isModelHubPublishPermission,
  modelAliasUpdatePermission,
  modelDeprecatePermission,
  modelRegisterPermission,
  modelUpdatePermission,
  modelHubPermissions,
  modelVersionCreatePermission,
  RESOURCE_TYPE_MODEL_HUB_MODEL,
} from './permissions';

describe('model hub permissions', () => {
  it('are resource permissions on models with stable names', () => {
    expect(modelVersionCreatePermission).toEqual({
      type: 'resource',
      name: 'model-hub.version.create',
      attributes: { action: 'create' },
      resourceType: RESOURCE_TYPE_MODEL_HUB_MODEL,
    });
    expect(modelAliasUpdatePermission.name).toBe('model-hub.alias.update');
    expect(modelHubPermissions.map(p => p.name)).toEqual([
      'model-hub.version.create',
      'model-hub.alias.update',
      'model-hub.model.update',
      'model-hub.model.deprecate',
      'model-hub.model.register',
      // owners and governance (the portal policy), so not an owner permission
      'model-hub.version.import',
    ]);
    expect(modelRegisterPermission.type).toBe('basic');
  });

  it('gives owners publishing, updating and deprecating, but not registering', () => {
    expect(isModelHubOwnerPermission({ ...modelDeprecatePermission })).toBe(
      true,
    );
    expect(isModelHubOwnerPermission({ ...modelUpdatePermission })).toBe(true);
    expect(isModelHubOwnerPermission({ ...modelVersionCreatePermission })).toBe(
      true,
    );
    expect(isModelHubOwnerPermission(modelRegisterPermission)).toBe(false);
  });

  it('recognises publish permissions by name, not by identity', () => {
    expect(
      isModelHubPublishPermission({ ...modelVersionCreatePermission }),
    ).toBe(true);
    expect(
      isModelHubPublishPermission(
        createPermission({
          name: 'catalog.entity.read',
          attributes: { action: 'read' },
        }),
      ),
    ).toBe(false);
  });
});

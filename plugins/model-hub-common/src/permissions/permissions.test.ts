import { createPermission } from '@backstage/plugin-permission-common';
import {
  isModelHubPublishPermission,
  modelAliasUpdatePermission,
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
    ]);
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

import { Entity } from '@backstage/catalog-model';
import { isManagedByHub, normalizeRegisteredEntity } from './router';

describe('normalizeRegisteredEntity', () => {
  it('drops what the catalog and the hub write, and defaults the namespace', () => {
    expect(
      normalizeRegisteredEntity({
        apiVersion: 'modelhub.io/v1alpha1',
        kind: 'Model',
        metadata: {
          name: 'm',
          uid: 'u-1',
          etag: 'e-1',
          generation: 3,
          annotations: {
            'modelhub.io/gauntlet-status': 'passed',
            'modelhub.io/deprecated-by': 'user:default/x',
            'modelhub.io/registered-by': 'user:default/x',
            'backstage.io/managed-by-origin-location': 'url:x',
          },
        },
        spec: { owner: 'group:default/a' },
        relations: [{ type: 'ownedBy', targetRef: 'group:default/a' }],
        status: { items: [] },
      }),
    ).toEqual({
      apiVersion: 'modelhub.io/v1alpha1',
      kind: 'Model',
      metadata: { name: 'm', namespace: 'default' },
      spec: { owner: 'group:default/a' },
    });
  });

  it('keeps a namespace and the annotations owners may set', () => {
    expect(
      normalizeRegisteredEntity({
        kind: 'Model',
        metadata: {
          name: 'm',
          namespace: 'ml',
          annotations: { 'modelhub.io/requested-tier': 'official' },
        },
      }),
    ).toEqual({
      kind: 'Model',
      metadata: {
        name: 'm',
        namespace: 'ml',
        annotations: { 'modelhub.io/requested-tier': 'official' },
      },
    });
  });
});

describe('isManagedByHub', () => {
  const withLocation = (location?: string): Entity => ({
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: {
      name: 'm',
      annotations: location
        ? { 'backstage.io/managed-by-location': location }
        : undefined,
    },
  });

  it('recognises the model-hub location type only', () => {
    expect(
      isManagedByHub(
        withLocation(
          'model-hub:http://localhost:7007/api/model-hub/v1/registered-models/default/m',
        ),
      ),
    ).toBe(true);
    expect(isManagedByHub(withLocation('url:https://x/model-hub:'))).toBe(
      false,
    );
    expect(isManagedByHub(withLocation(undefined))).toBe(false);
  });
});

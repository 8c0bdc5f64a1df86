import { screen, within } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { modelEntity } from '../../__testUtils__/fixtures';
import { mockCatalogApi, renderEntityCard } from '../../__testUtils__/render';
import { EntityModelsUsedCard } from './EntityModelsUsedCard';

const service: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'helpdesk', namespace: 'default' },
  spec: { type: 'service' },
  relations: [
    { type: 'dependsOn', targetRef: 'model:default/old-assistant' },
    { type: 'dependsOn', targetRef: 'model:default/gone' },
    { type: 'dependsOn', targetRef: 'resource:default/db' },
  ],
};

describe('EntityModelsUsedCard', () => {
  it('lists used models with tiers, deprecation and missing models', async () => {
    const catalogApi = mockCatalogApi({
      getEntitiesByRefs: jest.fn(async () => ({
        items: [
          modelEntity('old-assistant', {
            spec: {
              lifecycle: 'deprecated',
              successor: 'new-assistant',
              tier: 'official',
            },
          }),
          undefined,
        ],
      })),
    });
    await renderEntityCard(<EntityModelsUsedCard />, {
      entity: service,
      catalogApi,
    });

    const list = await screen.findByRole('list', {
      name: 'Models used by this service',
    });
    expect(catalogApi.getEntitiesByRefs).toHaveBeenCalledWith({
      entityRefs: ['model:default/old-assistant', 'model:default/gone'],
    });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(
      within(items[0]).getByRole('link', { name: /old-assistant/ }),
    ).toHaveAttribute('href', '/catalog/default/model/old-assistant');
    expect(
      within(items[0]).getByLabelText(
        'Tier: Official (requested, not yet earned)',
      ),
    ).toBeInTheDocument();
    expect(items[0]).toHaveTextContent('Deprecated.');
    expect(
      within(items[0]).getByRole('link', { name: /new-assistant/ }),
    ).toHaveAttribute('href', '/catalog/default/model/new-assistant');
    expect(items[1]).toHaveTextContent('Not found in the catalog');
  });

  it('has an empty state for services without models', async () => {
    await renderEntityCard(<EntityModelsUsedCard />, {
      entity: { ...service, relations: [] },
    });
    expect(
      await screen.findByText('This service uses no catalog models'),
    ).toBeInTheDocument();
  });
});

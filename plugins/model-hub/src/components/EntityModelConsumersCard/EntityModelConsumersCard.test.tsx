import { screen, within } from '@testing-library/react';
import { modelEntity } from '../../__testUtils__/fixtures';
import { mockCatalogApi, renderEntityCard } from '../../__testUtils__/render';
import { EntityModelConsumersCard } from './EntityModelConsumersCard';

describe('EntityModelConsumersCard', () => {
  it('lists consuming entities with kind, type and owner', async () => {
    const catalogApi = mockCatalogApi({
      getEntitiesByRefs: jest.fn(async () => ({
        items: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'helpdesk', namespace: 'default' },
            spec: { type: 'service', lifecycle: 'production' },
            relations: [
              { type: 'ownedBy', targetRef: 'group:default/support' },
            ],
          },
        ],
      })),
    });
    await renderEntityCard(<EntityModelConsumersCard />, {
      entity: modelEntity('m', {
        relations: [
          { type: 'dependencyOf', targetRef: 'component:default/helpdesk' },
        ],
      }),
      catalogApi,
    });
    const table = await screen.findByRole('table', {
      name: 'Consumers of this model',
    });
    const row = within(table).getAllByRole('row')[1];
    expect(row).toHaveTextContent('Component');
    expect(row).toHaveTextContent('service');
    expect(within(row).getByRole('link', { name: /support/ })).toHaveAttribute(
      'href',
      '/catalog/default/group/support',
    );
  });

  it('links each consumer with the title it read, and asks for what that title needs', async () => {
    const getEntitiesByRefs = jest.fn(async () => ({
      items: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: 'helpdesk',
            namespace: 'default',
            title: 'Helpdesk Assistant',
          },
          spec: { type: 'service' },
        },
        undefined,
      ],
    }));
    await renderEntityCard(<EntityModelConsumersCard />, {
      entity: modelEntity('m', {
        relations: [
          { type: 'dependencyOf', targetRef: 'component:default/helpdesk' },
          { type: 'dependencyOf', targetRef: 'component:default/gone' },
        ],
      }),
      catalogApi: mockCatalogApi({ getEntitiesByRefs }),
    });
    const table = await screen.findByRole('table', {
      name: 'Consumers of this model',
    });
    // The consumer's own title, from the card's one catalog read (a link by
    // ref would show its name until the presentation API loaded the title).
    expect(
      within(table).getByRole('link', { name: /Helpdesk Assistant/ }),
    ).toHaveAttribute('href', '/catalog/default/component/helpdesk');
    // One the catalog does not know is still linked, by ref.
    expect(within(table).getByRole('link', { name: /gone/ })).toHaveAttribute(
      'href',
      '/catalog/default/component/gone',
    );
    expect(getEntitiesByRefs).toHaveBeenCalledTimes(1);
    expect(getEntitiesByRefs).toHaveBeenCalledWith({
      entityRefs: ['component:default/helpdesk', 'component:default/gone'],
      fields: expect.arrayContaining(['metadata', 'spec.profile.displayName']),
    });
  });

  it('says when nothing consumes the model', async () => {
    await renderEntityCard(<EntityModelConsumersCard />, {
      entity: modelEntity('m'),
    });
    expect(await screen.findByText('No known consumers')).toBeInTheDocument();
  });
});

import { screen, within } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { ModelVersion } from '@internal/plugin-model-hub-common';
import { FakeModelHubApi } from '../../__testUtils__/fixtures';
import { mockCatalogApi, renderEntityCard } from '../../__testUtils__/render';
import { EntityTeamModelsCard } from './EntityTeamModelsCard';

const team: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'marketing', namespace: 'default' },
  spec: { type: 'team', children: [] },
};
const model = (name: string, tier: string): Entity => ({
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name, namespace: 'default', title: `${name} title` },
  spec: {
    type: 'classifier',
    task: 'text-classification',
    owner: 'group:default/marketing',
    lifecycle: 'production',
    tier,
    license: 'Apache-2.0',
  },
});
const version = (v: string, aliases: string[]): ModelVersion =>
  ({
    version: v,
    state: 'sealed',
    aliases,
    files: [],
    createdAt: '2026-11-01T00:00:00Z',
    sealedAt: `2026-11-0${v[0]}T00:00:00Z`,
  } as unknown as ModelVersion);

describe('EntityTeamModelsCard', () => {
  it('lists owned models with tier and latest version under the name, open tasks, and no pulls column without metrics', async () => {
    const getEntities = jest.fn(async () => ({
      items: [model('churn', 'official'), model('upsell', 'community')],
    }));
    await renderEntityCard(<EntityTeamModelsCard />, {
      entity: team,
      catalogApi: mockCatalogApi({ getEntities }),
      modelHubApi: new FakeModelHubApi({
        versions: {
          'model:default/churn': [
            version('1.0.0', []),
            version('2.0.0', ['latest']),
          ],
        },
        tasks: {
          available: true,
          items: ['a', 'b'].map(id => ({
            id,
            dedupKey: id,
            kind: 'model-card-incomplete' as const,
            entityRef: 'model:default/churn',
            assignee: 'group:default/marketing',
            severity: 'low' as const,
            openedAt: '2026-11-01T00:00:00Z',
            updatedAt: '2026-11-01T00:00:00Z',
            title: id,
            description: id,
            details: {},
          })),
        },
      }),
    });
    expect(
      (await screen.findAllByRole('columnheader')).map(c => c.textContent),
    ).toEqual(['Model', 'Open tasks']);
    // In a half-width cell the counts keep their header on one line.
    expect(
      screen.getByRole('columnheader', { name: 'Open tasks' }),
    ).toHaveStyle('white-space: nowrap');
    const churn = (await screen.findByText('churn title')).closest('tr')!;
    const [name, open] = within(churn).getAllByRole('cell');
    expect(name).toHaveTextContent('Latest 2.0.0');
    expect(within(name).getByText(/official/i)).toBeInTheDocument();
    expect(open).toHaveTextContent(/^2$/);
    const upsell = screen.getByText('upsell title').closest('tr')!;
    const [upsellName, upsellOpen] = within(upsell).getAllByRole('cell');
    expect(upsellName).toHaveTextContent('No sealed version');
    expect(upsellOpen).toHaveTextContent(/^0$/);
    expect(screen.queryByText('Pulls')).not.toBeInTheDocument();
    expect(getEntities).toHaveBeenCalledWith({
      filter: { kind: 'Model', 'relations.ownedBy': 'group:default/marketing' },
    });
  });

  it("shows each model's all-time pulls from the usage API, and a dash where usage is unknown", async () => {
    const getModelUsage = jest.fn(async (ref: string) => {
      if (ref === 'model:default/upsell') throw new Error('no usage');
      return { entityRef: ref, pullsAllTime: 4200 };
    });
    await renderEntityCard(<EntityTeamModelsCard />, {
      entity: team,
      catalogApi: mockCatalogApi({
        getEntities: jest.fn(async () => ({
          items: [model('churn', 'official'), model('upsell', 'community')],
        })),
      }),
      modelHubApi: new FakeModelHubApi({
        tasks: { available: true, items: [] },
      }),
      usageApi: { getModelUsage } as any,
    });
    const churn = (await screen.findByText('churn title')).closest('tr')!;
    expect(screen.getByText('Pulls')).toBeInTheDocument();
    expect(within(churn).getAllByRole('cell')[2]).toHaveTextContent(/^4,200$/);
    const upsell = screen.getByText('upsell title').closest('tr')!;
    expect(within(upsell).getByText('—')).toBeInTheDocument();
    expect(getModelUsage).toHaveBeenCalledWith('model:default/churn');
  });
});

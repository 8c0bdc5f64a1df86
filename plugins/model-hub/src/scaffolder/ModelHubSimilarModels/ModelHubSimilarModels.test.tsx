import { screen, within } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { SimilarModelMatch } from '@internal/plugin-model-hub-common';
import { FakeModelHubApi, modelEntity } from '../../__testUtils__/fixtures';
import { mockCatalogApi } from '../../__testUtils__/render';
import { renderField } from '../../__testUtils__/field';
import { ModelHubSimilarModels } from './ModelHubSimilarModels';

// What the hub's similar-models route returns: the catalog fields it indexes
// (no annotations, so no earned tier).
const sentiment = modelEntity('sentiment-classifier', {
  metadata: { title: 'Sentiment Classifier', tags: ['nlp', 'sentiment'] },
  spec: {
    task: 'text-classification',
    owner: 'group:default/marketing',
    tier: 'official',
  },
});
// The same model as the catalog serves it, with the tier it earned.
const sentimentInCatalog = {
  ...sentiment,
  metadata: {
    ...sentiment.metadata,
    annotations: { 'modelhub.io/effective-tier': 'community' },
  },
};
const marketing: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'marketing', namespace: 'default' },
  spec: { profile: { displayName: 'Marketing Analytics' } },
};
const match: SimilarModelMatch = {
  entity: sentiment,
  entityRef: 'model:default/sentiment-classifier',
  score: 0.7,
  sharedWords: ['sentiment'],
  sharedTags: [],
  sameTask: true,
};

function hubAnswering(items: SimilarModelMatch[] | Error) {
  const api = new FakeModelHubApi();
  api.findSimilarModels = jest.fn(async () => {
    if (items instanceof Error) throw items;
    return { items };
  });
  return api;
}

function catalog() {
  const byRef: Record<string, Entity> = {
    'model:default/sentiment-classifier': sentimentInCatalog,
    'group:default/marketing': marketing,
  };
  return mockCatalogApi({
    getEntities: jest.fn(async () => ({ items: [sentiment] })),
    getEntitiesByRefs: jest.fn(async ({ entityRefs }) => ({
      items: entityRefs.map((ref: string) => byRef[ref]),
    })),
  });
}

describe('ModelHubSimilarModels', () => {
  it('lists what the hub ranks as similar, with the team and the earned tier from one catalog call', async () => {
    const catalogApi = catalog();
    const modelHubApi = hubAnswering([match]);
    const { onChange } = await renderField(ModelHubSimilarModels, {
      catalogApi,
      modelHubApi,
      schema: { title: 'Similar models' },
      formContextData: {
        name: 'review-sentiment',
        task: 'text-classification',
        tags: ['nlp'],
      },
    });
    const list = await screen.findByRole('list', { name: 'Similar models' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(1);
    expect(
      await within(items[0]).findByText(
        /already exists in Marketing Analytics/,
      ),
    ).toBeInTheDocument();
    expect(within(items[0]).getByRole('link')).toHaveAttribute(
      'href',
      '/catalog/default/model/sentiment-classifier',
    );
    // The earned tier (catalog annotation), not the requested spec.tier.
    expect(items[0]).toHaveTextContent('Community');
    expect(items[0]).toHaveTextContent('shares name: sentiment; same task');
    expect(modelHubApi.findSimilarModels).toHaveBeenCalledTimes(1);
    expect(modelHubApi.findSimilarModels).toHaveBeenCalledWith({
      name: 'review-sentiment',
      task: 'text-classification',
      tags: ['nlp'],
    });
    // The browser never loads the portfolio to rank it.
    expect(catalogApi.getEntities).not.toHaveBeenCalled();
    expect(catalogApi.getEntitiesByRefs).toHaveBeenCalledTimes(1);
    expect(catalogApi.getEntitiesByRefs).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRefs: [
          'model:default/sentiment-classifier',
          'group:default/marketing',
        ],
      }),
    );
    expect(onChange).toHaveBeenCalledWith([
      'model:default/sentiment-classifier',
    ]);
  });

  it('says "No similar models" when the hub finds none', async () => {
    const catalogApi = catalog();
    const { onChange } = await renderField(ModelHubSimilarModels, {
      catalogApi,
      modelHubApi: hubAnswering([]),
      formContextData: { name: 'invoice-parser', task: 'text-classification' },
    });
    expect(await screen.findByText('No similar models.')).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
    expect(catalogApi.getEntitiesByRefs).not.toHaveBeenCalled();
  });

  it('asks for a name before asking the hub', async () => {
    const modelHubApi = hubAnswering([match]);
    await renderField(ModelHubSimilarModels, {
      catalogApi: catalog(),
      modelHubApi,
    });
    expect(
      screen.getByText(
        'Type a name to see whether a similar model already exists.',
      ),
    ).toBeInTheDocument();
    expect(modelHubApi.findSimilarModels).not.toHaveBeenCalled();
  });

  it('reports a hub failure in one line without blocking the form', async () => {
    await renderField(ModelHubSimilarModels, {
      catalogApi: catalog(),
      modelHubApi: hubAnswering(new Error('model hub unavailable')),
      formContextData: { name: 'review-sentiment' },
    });
    expect(
      await screen.findByText(
        'Could not look for similar models: model hub unavailable',
      ),
    ).toBeInTheDocument();
  });
});

import { screen, within } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { modelEntity } from '../../__testUtils__/fixtures';
import { mockCatalogApi } from '../../__testUtils__/render';
import { renderField } from '../../__testUtils__/field';
import { ModelHubSimilarModels } from './ModelHubSimilarModels';

const sentiment = modelEntity('sentiment-classifier', {
  metadata: {
    title: 'Sentiment Classifier',
    tags: ['nlp', 'sentiment'],
    annotations: { 'modelhub.io/effective-tier': 'official' },
  },
  spec: {
    task: 'text-classification',
    owner: 'group:default/marketing',
    tier: 'official',
  },
});
const churn = modelEntity('churn-classifier', {
  spec: { task: 'tabular-classification', owner: 'marketing' },
});
const marketing: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'marketing', namespace: 'default' },
  spec: { profile: { displayName: 'Marketing Analytics' } },
};

function catalogWith(models: Entity[]) {
  return mockCatalogApi({
    getEntities: jest.fn(async () => ({ items: models })),
    getEntitiesByRefs: jest.fn(async ({ entityRefs }) => ({
      items: entityRefs.map((ref: string) =>
        ref === 'group:default/marketing' ? marketing : undefined,
      ),
    })),
  });
}

describe('ModelHubSimilarModels', () => {
  it('shows an existing model with the same task and a shared name word, its team and tier', async () => {
    const catalogApi = catalogWith([sentiment, churn]);
    const { onChange } = await renderField(ModelHubSimilarModels, {
      catalogApi,
      schema: { title: 'Similar models' },
      formContextData: {
        name: 'review-sentiment',
        task: 'text-classification',
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
    expect(items[0]).toHaveTextContent('Official');
    expect(items[0]).toHaveTextContent('same task');
    expect(catalogApi.getEntities).toHaveBeenCalledWith(
      expect.objectContaining({ filter: { kind: 'Model' } }),
    );
    expect(onChange).toHaveBeenCalledWith([
      'model:default/sentiment-classifier',
    ]);
  });

  it('says "No similar models" when nothing resembles the new model', async () => {
    const { onChange } = await renderField(ModelHubSimilarModels, {
      catalogApi: catalogWith([sentiment, churn]),
      formContextData: { name: 'invoice-parser', task: 'text-classification' },
    });
    expect(await screen.findByText('No similar models.')).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
  });

  it('asks for a name before searching', async () => {
    await renderField(ModelHubSimilarModels, {
      catalogApi: catalogWith([sentiment]),
    });
    expect(
      screen.getByText(
        'Type a name to see whether a similar model already exists.',
      ),
    ).toBeInTheDocument();
  });

  it('reports a catalog failure without blocking the form', async () => {
    await renderField(ModelHubSimilarModels, {
      catalogApi: mockCatalogApi({
        getEntities: jest.fn(async () => {
          throw new Error('catalog down');
        }),
      }),
      formContextData: { name: 'review-sentiment' },
    });
    expect(
      await screen.findByText(
        'Could not look for similar models: catalog down',
      ),
    ).toBeInTheDocument();
  });
});

import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { ModelVersion } from '@internal/plugin-model-hub-common';
import { modelHubApiRef } from '../../api';
import { FakeModelHubApi } from '../../__testUtils__/fixtures';
import {
  ModelSearchResultListItem,
  modelRefOfLocation,
} from './ModelSearchResultListItem';

describe('ModelSearchResultListItem', () => {
  it('shows a model result with its tier, task, framework, licence, latest version and owner', async () => {
    const api = new FakeModelHubApi({
      versions: {
        'model:default/sentiment-classifier': [
          {
            version: '1.2.0',
            state: 'sealed',
            aliases: ['latest'],
            files: [],
            sealedAt: '2026-11-02T00:00:00Z',
          } as unknown as ModelVersion,
        ],
      },
    });
    await renderInTestApp(
      <TestApiProvider apis={[[modelHubApiRef, api]]}>
        <ModelSearchResultListItem
          result={{
            title: 'Sentiment classifier',
            text: 'Classifies product reviews',
            location: '/catalog/default/model/sentiment-classifier',
            owner: 'group:default/marketing-analytics',
            tier: 'official',
            tierEarned: true,
            task: 'text-classification',
            framework: 'onnx',
            license: 'Apache-2.0',
          }}
        />
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(screen.getByText('Sentiment classifier')).toBeInTheDocument();
    expect(screen.getByText(/^Official/)).toBeInTheDocument();
    expect(screen.getByText('Task: text-classification')).toBeInTheDocument();
    expect(screen.getByText('Framework: onnx')).toBeInTheDocument();
    expect(screen.getByText('Licence: Apache-2.0')).toBeInTheDocument();
    expect(await screen.findByText('Latest: 1.2.0')).toBeInTheDocument();
    expect(screen.getByText('marketing-analytics')).toBeInTheDocument();
  });

  it('finds the model ref in a catalog location', () => {
    expect(modelRefOfLocation('/catalog/default/model/Churn%2Dx')).toBe(
      'model:default/churn-x',
    );
    expect(modelRefOfLocation('/catalog/default/component/x')).toBeUndefined();
  });
});

import { Entity } from '@backstage/catalog-model';
import {
  findSimilarModels,
  stemWord,
  tokenizeModelName,
  trigramSimilarity,
} from './similarity';

function model(
  name: string,
  spec: Record<string, unknown>,
  metadata: Partial<Entity['metadata']> = {},
): Entity {
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name, namespace: 'default', ...metadata },
    spec: { lifecycle: 'production', ...spec },
  };
}

// Shaped like the example catalog (examples/models).
const sentimentClassifier = model(
  'sentiment-classifier',
  { task: 'text-classification', owner: 'group:default/marketing' },
  { title: 'Sentiment Classifier', tags: ['nlp', 'sentiment', 'onnx'] },
);
const sentimentClassifierV1 = model(
  'sentiment-classifier-v1',
  { task: 'text-classification', lifecycle: 'deprecated' },
  { title: 'Sentiment Classifier (v1)', tags: ['nlp', 'sentiment'] },
);
const churnClassifier = model(
  'churn-classifier',
  { task: 'tabular-classification' },
  { title: 'Churn Classifier', tags: ['churn', 'tabular'] },
);
const demandForecaster = model(
  'demand-forecaster',
  { task: 'time-series-forecasting' },
  { title: 'Demand Forecaster', tags: ['forecasting', 'logistics'] },
);
const supportAssistant = model(
  'support-assistant',
  { task: 'text-generation' },
  { title: 'Support Assistant', tags: ['llm', 'support'] },
);
const catalog = [
  sentimentClassifier,
  sentimentClassifierV1,
  churnClassifier,
  demandForecaster,
  supportAssistant,
];

describe('stemWord and tokenizeModelName', () => {
  it('reduces inflections of a word to one stem', () => {
    expect(
      ['forecasting', 'forecaster', 'forecasts', 'forecast'].map(stemWord),
    ).toEqual(['forecast', 'forecast', 'forecast', 'forecast']);
    expect(stemWord('detection')).toBe(stemWord('detector'));
    expect(stemWord('class')).toBe('class');
  });

  it('splits names and titles into words without versions or stop words', () => {
    expect(tokenizeModelName('ReviewSentiment-v2')).toEqual([
      'review',
      'sentiment',
    ]);
    expect(tokenizeModelName('Sentiment of the reviews 2024')).toEqual([
      'sentiment',
      'review',
    ]);
  });

  it('scores near-miss spellings by trigram overlap', () => {
    expect(trigramSimilarity('sentiment', 'sentiment')).toBe(1);
    expect(trigramSimilarity('sentimnt', 'sentiment')).toBeGreaterThan(0.5);
    expect(trigramSimilarity('churn', 'sentiment')).toBe(0);
  });
});

describe('findSimilarModels', () => {
  it('finds the sentiment model for a new review-sentiment classifier', () => {
    const matches = findSimilarModels(
      { name: 'review-sentiment', task: 'text-classification' },
      catalog,
    );
    expect(matches.map(m => m.entityRef)).toEqual([
      'model:default/sentiment-classifier',
      'model:default/sentiment-classifier-v1',
    ]);
    expect(matches[0]).toMatchObject({
      sharedWords: ['sentiment'],
      sharedTags: ['sentiment'],
      sameTask: true,
    });
  });

  it('ranks a deprecated model below its live equivalent', () => {
    const [first, second] = findSimilarModels(
      { name: 'sentiment-classifier-v2', task: 'text-classification' },
      catalog,
    );
    expect(first.entityRef).toBe('model:default/sentiment-classifier');
    expect(second.entityRef).toBe('model:default/sentiment-classifier-v1');
    expect(second.score).toBeLessThan(first.score);
  });

  it('does not match on a generic word like "classifier" alone', () => {
    const matches = findSimilarModels(
      { name: 'fraud-classifier', task: 'tabular-classification' },
      catalog,
    );
    expect(matches).toEqual([]);
  });

  it('never matches on the task alone', () => {
    expect(
      findSimilarModels(
        { name: 'invoice-parser', task: 'text-classification' },
        catalog,
      ),
    ).toEqual([]);
  });

  it('matches by shared tags when the names differ', () => {
    const matches = findSimilarModels(
      {
        name: 'parcel-volume',
        tags: ['forecasting', 'logistics'],
        task: 'time-series-forecasting',
      },
      catalog,
    );
    expect(matches.map(m => m.entityRef)).toEqual([
      'model:default/demand-forecaster',
    ]);
    expect(matches[0].sharedTags).toEqual(['forecasting', 'logistics']);
  });

  it('matches a stemmed variant and a typo of a name word', () => {
    expect(
      findSimilarModels({ name: 'demand-forecasting' }, catalog)[0].entityRef,
    ).toBe('model:default/demand-forecaster');
    expect(
      findSimilarModels(
        { name: 'sentimnt-scorer', task: 'text-classification' },
        catalog,
      )[0].entityRef,
    ).toBe('model:default/sentiment-classifier');
  });

  it('respects limit and minScore and returns nothing for an empty query', () => {
    expect(
      findSimilarModels(
        { name: 'sentiment', task: 'text-classification' },
        catalog,
        { limit: 1 },
      ),
    ).toHaveLength(1);
    expect(
      findSimilarModels({ name: 'review-sentiment' }, catalog, {
        minScore: 0.99,
      }),
    ).toEqual([]);
    expect(findSimilarModels({}, catalog)).toEqual([]);
  });
});

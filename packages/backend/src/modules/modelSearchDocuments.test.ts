import { defaultCatalogCollatorEntityTransformer } from '@backstage/plugin-search-backend-module-catalog';
import { modelHubSearchTransformer } from './modelSearchDocuments';

type Entity = Parameters<typeof modelHubSearchTransformer>[0];

const model = (annotations: Record<string, string> = {}): Entity => ({
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: {
    name: 'sentiment-classifier',
    namespace: 'default',
    title: 'Sentiment classifier',
    description: 'Classifies reviews',
    annotations,
  },
  spec: {
    type: 'classifier',
    task: 'text-classification',
    framework: 'onnx',
    owner: 'group:default/marketing-analytics',
    lifecycle: 'production',
    tier: 'official',
    license: 'Apache-2.0',
  },
});

describe('modelHubSearchTransformer', () => {
  it('gives a model document its earned tier, task, framework and licence', () => {
    const doc = modelHubSearchTransformer(
      model({ 'modelhub.io/effective-tier': 'community' }),
    );
    expect(doc).toMatchObject({
      title: 'Sentiment classifier',
      kind: 'Model',
      type: 'classifier',
      owner: 'group:default/marketing-analytics',
      tier: 'community',
      tierEarned: true,
      task: 'text-classification',
      framework: 'onnx',
      license: 'Apache-2.0',
    });
  });

  it('falls back to the claimed tier, marked as not earned', () => {
    const doc = modelHubSearchTransformer(model()) as Record<string, unknown>;
    expect(doc.tier).toBe('official');
    expect(doc.tierEarned).toBe(false);
  });

  it('leaves every other kind as the default document, with empty model fields', () => {
    const component: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'reviews', namespace: 'default' },
      spec: {
        type: 'service',
        owner: 'group:default/x',
        lifecycle: 'production',
      },
    };
    expect(modelHubSearchTransformer(component)).toEqual({
      ...defaultCatalogCollatorEntityTransformer(component),
      tier: '',
      tierEarned: false,
      task: '',
      framework: '',
      license: '',
    });
  });
});

/*
 * Test fixtures shared by the packages that test against the example
 * sentiment classifier (the backend's gauntlet tests, the scaffolder
 * module's actions). Imported by tests only, as
 * `@internal/plugin-model-hub-node/src/testUtils` (listed in the package's
 * `files`); the package's entry point does not export it, so no runtime
 * code carries it.
 */
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';

/** The example sentiment classifier's ref (owned by group:default/marketing). */
export const EXAMPLE_MODEL_REF = 'model:default/sentiment-classifier';

/** The example sentiment classifier's real artifact files (model.onnx, benchmark.csv). */
export const EXAMPLE_ARTIFACTS_DIR = resolvePackagePath(
  '@internal/plugin-model-hub-node',
  '../../examples/artifacts/sentiment-classifier',
);

/** Its catalog entity: claims official, with accuracy, f1 and an evaluation file. */
export const exampleModel: Entity = {
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'sentiment-classifier', namespace: 'default' },
  spec: {
    type: 'classifier',
    task: 'text-classification',
    framework: 'onnx',
    owner: 'group:default/marketing',
    lifecycle: 'production',
    tier: 'official',
    license: 'Apache-2.0',
    trainingData: ['resource:default/product-reviews'],
    metrics: [
      {
        name: 'accuracy',
        value: 0.88,
        dataset: 'resource:default/product-reviews',
      },
      {
        name: 'f1',
        value: 0.8737,
        dataset: 'resource:default/product-reviews',
      },
    ],
    evaluation: {
      file: 'benchmark.csv',
      labelColumn: 'label',
      positiveLabel: 1,
    },
  },
};

/** Its training data set. */
export const exampleDataset: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'product-reviews', namespace: 'default' },
  spec: {
    type: 'dataset',
    owner: 'group:default/marketing',
    dataset: {
      license: 'CC-BY-4.0',
      source: { location: 's3://datalake/reviews/' },
      pii: 'none',
    },
  },
};

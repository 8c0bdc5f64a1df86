import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import {
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import { GauntletVersionSource } from '../gauntlet/GauntletRunner';
import { scanBytes, sha256 } from './fixtures';

/** The owner of the example sentiment classifier's version. */
export const EXAMPLE_UPLOADER = 'user:default/alice';
/** The example sentiment classifier (owned by group:default/marketing). */
export const EXAMPLE_MODEL_REF = 'model:default/sentiment-classifier';
/** The example sentiment classifier's artifact files (model.onnx, benchmark.csv). */
export const EXAMPLE_ARTIFACTS_DIR = path.resolve(
  __dirname,
  '../../../../examples/artifacts/sentiment-classifier',
);
const EXAMPLE = EXAMPLE_ARTIFACTS_DIR;

/** Its catalog entity: claims official, with accuracy and an evaluation file. */
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

/** In-memory versions: one sealed version with the real example ONNX model and benchmark. */
export async function exampleVersions(): Promise<GauntletVersionSource> {
  const contents = new Map<string, Buffer>();
  const files: ModelVersionFile[] = [];
  for (const name of ['model.onnx', 'benchmark.csv']) {
    const bytes = await fs.readFile(path.join(EXAMPLE, name));
    contents.set(sha256(bytes), bytes);
    const scan = await scanBytes(bytes, name);
    files.push({
      path: name,
      size: bytes.length,
      sha256: sha256(bytes),
      format: scan.format,
      scan,
      uploadedBy: EXAMPLE_UPLOADER,
      uploadedAt: '2026-11-27T09:00:00.000Z',
    });
  }
  const version: ModelVersion = {
    entityRef: EXAMPLE_MODEL_REF,
    version: '1.0.0',
    state: 'sealed',
    files,
    aliases: [],
    scanVerdict: 'safe',
    createdBy: EXAMPLE_UPLOADER,
    createdAt: '2026-11-27T09:00:00.000Z',
    sealedAt: '2026-11-27T09:01:00.000Z',
  };
  return {
    async getVersion(entityRef, v) {
      if (entityRef !== EXAMPLE_MODEL_REF || v !== '1.0.0') {
        throw new NotFoundError(`${entityRef} has no version or alias '${v}'`);
      }
      return version;
    },
    async listVersions(entityRef) {
      return entityRef === EXAMPLE_MODEL_REF ? [version] : [];
    },
    async readFile(file) {
      return Readable.from([contents.get(file.sha256)!]);
    },
  };
}

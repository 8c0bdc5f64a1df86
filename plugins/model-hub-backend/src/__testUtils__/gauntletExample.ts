import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { NotFoundError } from '@backstage/errors';
import {
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import {
  EXAMPLE_ARTIFACTS_DIR,
  EXAMPLE_MODEL_REF,
  exampleDataset,
  exampleModel,
} from '@internal/plugin-model-hub-node/src/testUtils';
import { GauntletVersionSource } from '../gauntlet/GauntletRunner';
import { scanBytes, sha256 } from './fixtures';

/** The owner of the example sentiment classifier's version. */
export const EXAMPLE_UPLOADER = 'user:default/alice';
// The example entities and files, shared with the scaffolder module's tests.
export {
  EXAMPLE_ARTIFACTS_DIR,
  EXAMPLE_MODEL_REF,
  exampleDataset,
  exampleModel,
};
const EXAMPLE = EXAMPLE_ARTIFACTS_DIR;

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

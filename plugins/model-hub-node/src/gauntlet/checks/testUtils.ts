import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import {
  ModelEntityV1alpha1,
  ModelTier,
} from '@internal/plugin-model-hub-common';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { scanFile } from '../../scanner';
import { GauntletCheckContext, GauntletCheckFile } from '../check';

/** Root of the repository (for example files). */
export const REPO_ROOT = path.resolve(
  resolvePackagePath('@internal/plugin-model-hub-node'),
  '../..',
);

/** Scans `bytes` with the real scanner and returns them as a version file. */
export async function checkFile(
  filePath: string,
  bytes: Buffer,
): Promise<GauntletCheckFile> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gauntlet-check-'));
  try {
    const tmp = path.join(dir, 'file');
    await fs.writeFile(tmp, bytes);
    const scan = await scanFile(tmp, { displayPath: filePath });
    return {
      path: filePath,
      size: bytes.length,
      sha256: scan.sha256,
      format: scan.format,
      scan,
      uploadedBy: 'user:default/alice',
      uploadedAt: '2026-11-27T00:00:00.000Z',
      open: async () => Readable.from([bytes]),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** A valid Model entity with overrides of its spec and metadata. */
export function model(
  spec: Partial<ModelEntityV1alpha1['spec']> = {},
  metadata: Partial<ModelEntityV1alpha1['metadata']> = {},
): ModelEntityV1alpha1 {
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: {
      name: 'sentiment-classifier',
      namespace: 'default',
      ...metadata,
    },
    spec: {
      type: 'classifier',
      task: 'text-classification',
      owner: 'group:default/ml-team',
      lifecycle: 'production',
      tier: 'community',
      license: 'Apache-2.0',
      ...spec,
    },
  };
}

/** A valid dataset Resource. */
export function dataset(
  name: string,
  info: JsonObject = {},
  annotations?: Record<string, string>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      type: 'dataset',
      owner: 'group:default/data-team',
      dataset: {
        license: 'CC-BY-4.0',
        source: { location: `s3://datalake/${name}/` },
        pii: 'none',
        ...info,
      },
    },
  };
}

/** A check context over the given entity, files, catalog entities and config. */
export function checkContext(options: {
  entity: ModelEntityV1alpha1;
  files?: GauntletCheckFile[];
  catalog?: Entity[];
  config?: JsonObject;
  tier?: ModelTier;
}): GauntletCheckContext {
  const byRef = new Map(
    (options.catalog ?? []).map(e => [stringifyEntityRef(e), e] as const),
  );
  const noop = () => {};
  const logger = {
    error: noop,
    warn: noop,
    info: noop,
    debug: noop,
    child: () => logger,
  };
  return {
    entity: options.entity,
    version: {
      entityRef: stringifyEntityRef(options.entity),
      version: '1.0.0',
      state: 'sealed',
      files: options.files ?? [],
      aliases: [],
      scanVerdict: 'safe',
      createdBy: 'user:default/alice',
      createdAt: '2026-11-27T00:00:00.000Z',
    },
    files: options.files ?? [],
    catalog: { getEntityByRef: async ref => byRef.get(ref) },
    config: new ConfigReader(options.config ?? {}),
    tier: options.tier ?? options.entity.spec.tier,
    logger,
  };
}

/** The safetensors bytes of one F32 tensor. */
export function safetensors(values: number[]): Buffer {
  const data = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => data.writeFloatLE(v, i * 4));
  let header = JSON.stringify({
    weight: {
      dtype: 'F32',
      shape: [values.length],
      data_offsets: [0, data.length],
    },
  });
  header += ' '.repeat((8 - (header.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(header)));
  return Buffer.concat([length, Buffer.from(header, 'utf8'), data]);
}

/** A pickle that would call `os.system('echo')` when loaded (only ever scanned). */
export const MALICIOUS_PICKLE = Buffer.from(
  '800263706f7369780a73797374656d0a710058040000006563686f71018571025271032e',
  'hex',
);

/** A harmless pickle of `{'a': [1, 2, 3]}`. */
export const BENIGN_PICKLE = Buffer.from(
  '80027d710058010000006171015d7102284b014b024b0365732e',
  'hex',
);

import os from 'node:os';
import path from 'node:path';
import { Config } from '@backstage/config';
import { ArtifactStore } from './ArtifactStore';
import { LocalArtifactStore } from './LocalArtifactStore';
import { S3ArtifactStore, S3ArtifactStoreOptions } from './S3ArtifactStore';

/** Default of `modelHub.artifacts.maxUploadBytes`: 10 GiB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024 * 1024;
/** Default of `modelHub.artifacts.local.directory`, relative to the process cwd. */
export const DEFAULT_LOCAL_DIRECTORY = './data/artifacts';

/** The artifact settings read from `modelHub.artifacts`, with defaults applied. */
export interface ArtifactsConfig {
  maxUploadBytes: number;
  stagingDirectory: string;
  store:
    | { type: 'local'; directory: string }
    | ({ type: 's3' } & S3ArtifactStoreOptions);
}

/** Reads `modelHub.artifacts`: S3 when `s3` is set, else the local directory. */
export function readArtifactsConfig(config: Config): ArtifactsConfig {
  const artifacts = config.getOptionalConfig('modelHub.artifacts');
  const maxUploadBytes =
    artifacts?.getOptionalNumber('maxUploadBytes') ?? DEFAULT_MAX_UPLOAD_BYTES;
  if (!Number.isSafeInteger(maxUploadBytes) || maxUploadBytes <= 0) {
    throw new Error(
      `modelHub.artifacts.maxUploadBytes must be a positive integer, got ${maxUploadBytes}`,
    );
  }
  const configuredStaging = artifacts?.getOptionalString('stagingDirectory');
  const s3 = artifacts?.getOptionalConfig('s3');
  if (s3) {
    const accessKeyId = s3.getOptionalString('accessKeyId');
    const secretAccessKey = s3.getOptionalString('secretAccessKey');
    if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
      throw new Error(
        'modelHub.artifacts.s3 needs both accessKeyId and secretAccessKey, or neither',
      );
    }
    return {
      maxUploadBytes,
      stagingDirectory: path.resolve(
        configuredStaging ?? path.join(os.tmpdir(), 'model-hub-staging'),
      ),
      store: {
        type: 's3',
        bucket: s3.getString('bucket'),
        prefix: s3.getOptionalString('prefix'),
        region: s3.getOptionalString('region'),
        endpoint: s3.getOptionalString('endpoint'),
        forcePathStyle: s3.getOptionalBoolean('forcePathStyle'),
        credentials:
          accessKeyId && secretAccessKey
            ? { accessKeyId, secretAccessKey }
            : undefined,
        partSizeBytes: s3.getOptionalNumber('partSizeBytes'),
      },
    };
  }
  const directory = path.resolve(
    artifacts?.getOptionalString('local.directory') ?? DEFAULT_LOCAL_DIRECTORY,
  );
  return {
    maxUploadBytes,
    stagingDirectory: path.resolve(
      configuredStaging ?? path.join(directory, '.staging'),
    ),
    store: { type: 'local', directory },
  };
}

/** Creates the configured artifact store. */
export function createArtifactStore(config: ArtifactsConfig): ArtifactStore {
  if (config.store.type === 's3') {
    const { type: _type, ...options } = config.store;
    return S3ArtifactStore.create(options);
  }
  return new LocalArtifactStore({ directory: config.store.directory });
}

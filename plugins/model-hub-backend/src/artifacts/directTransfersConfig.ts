import { Config } from '@backstage/config';
import { ArtifactStore } from './ArtifactStore';
import { ArtifactsConfig } from './config';
import { S3ArtifactStore } from './S3ArtifactStore';
import {
  S3DirectTransfers,
  S3DirectTransfersOptions,
} from './S3DirectTransfers';

/** Default of `modelHub.artifacts.s3.directTransfers.uploadUrlExpirySeconds`: 1 hour. */
export const DEFAULT_UPLOAD_URL_EXPIRY_SECONDS = 3600;
/** Default of `modelHub.artifacts.s3.directTransfers.downloadUrlExpirySeconds`: 5 minutes. */
export const DEFAULT_DOWNLOAD_URL_EXPIRY_SECONDS = 300;
/** S3 refuses presigned URLs valid for longer than a week. */
const MAX_EXPIRY_SECONDS = 7 * 24 * 3600;

/**
 * Reads `modelHub.artifacts.s3.directTransfers`; undefined unless the S3
 * store is configured and direct transfers are enabled.
 */
export function readDirectTransfersConfig(
  config: Config,
): S3DirectTransfersOptions | undefined {
  const section = config.getOptionalConfig(
    'modelHub.artifacts.s3.directTransfers',
  );
  if (!section || section.getOptionalBoolean('enabled') !== true) {
    return undefined;
  }
  const expiry = (key: string, fallback: number) => {
    const value = section.getOptionalNumber(key) ?? fallback;
    if (!Number.isInteger(value) || value < 1 || value > MAX_EXPIRY_SECONDS) {
      throw new Error(
        `modelHub.artifacts.s3.directTransfers.${key} must be a whole number of seconds in 1..${MAX_EXPIRY_SECONDS}, got ${value}`,
      );
    }
    return value;
  };
  return {
    uploadUrlExpirySeconds: expiry(
      'uploadUrlExpirySeconds',
      DEFAULT_UPLOAD_URL_EXPIRY_SECONDS,
    ),
    downloadUrlExpirySeconds: expiry(
      'downloadUrlExpirySeconds',
      DEFAULT_DOWNLOAD_URL_EXPIRY_SECONDS,
    ),
    publicEndpoint: section.getOptionalString('publicEndpoint'),
  };
}

/**
 * The direct S3 transfers over the configured store, or undefined when they
 * are off (or the store is not S3).
 */
export function createDirectTransfers(
  config: Config,
  artifactsConfig: ArtifactsConfig,
  artifacts: ArtifactStore,
): S3DirectTransfers | undefined {
  const options = readDirectTransfersConfig(config);
  if (
    !options ||
    artifactsConfig.store.type !== 's3' ||
    !(artifacts instanceof S3ArtifactStore)
  ) {
    return undefined;
  }
  const { type: _type, ...s3 } = artifactsConfig.store;
  return S3DirectTransfers.create(artifacts, s3, options);
}

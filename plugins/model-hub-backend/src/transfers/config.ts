import { HumanDuration } from '@backstage/types';
import { Config, readDurationFromConfig } from '@backstage/config';

/** Default of `modelHub.transfers.minPartBytes`: 5 MiB (S3's smallest part). */
export const DEFAULT_MIN_PART_BYTES = 5 * 1024 * 1024;
/** Default of `modelHub.transfers.maxPartBytes`: 1 GiB. */
export const DEFAULT_MAX_PART_BYTES = 1024 * 1024 * 1024;

/** The settings of `modelHub.transfers`, with defaults applied. */
export interface TransfersConfig {
  minPartBytes: number;
  maxPartBytes: number;
  /** Multipart uploads idle for this long are collected with their parts. */
  abandonedAfter: HumanDuration;
  /** How often the collection runs. */
  collectEvery: HumanDuration;
  /**
   * How long, in ms, one caller's authorization of an upload (the catalog
   * lookup and the permission decision) is reused for its parts; 0 checks
   * every part. Starting and completing an upload are always checked live.
   */
  partAuthorizationMs: number;
}

/** Default of `modelHub.transfers.partAuthorizationSeconds`. */
export const DEFAULT_PART_AUTHORIZATION_SECONDS = 30;

/** Reads `modelHub.transfers`. */
export function readTransfersConfig(config: Config): TransfersConfig {
  const section = config.getOptionalConfig('modelHub.transfers');
  const minPartBytes =
    section?.getOptionalNumber('minPartBytes') ?? DEFAULT_MIN_PART_BYTES;
  const maxPartBytes =
    section?.getOptionalNumber('maxPartBytes') ?? DEFAULT_MAX_PART_BYTES;
  if (
    !Number.isSafeInteger(minPartBytes) ||
    !Number.isSafeInteger(maxPartBytes) ||
    minPartBytes < 1 ||
    maxPartBytes < minPartBytes
  ) {
    throw new Error(
      `modelHub.transfers.minPartBytes (${minPartBytes}) and maxPartBytes (${maxPartBytes}) must be positive integers, min ≤ max`,
    );
  }
  const partAuthorizationSeconds =
    section?.getOptionalNumber('partAuthorizationSeconds') ??
    DEFAULT_PART_AUTHORIZATION_SECONDS;
  if (
    !Number.isFinite(partAuthorizationSeconds) ||
    partAuthorizationSeconds < 0
  ) {
    throw new Error(
      `modelHub.transfers.partAuthorizationSeconds (${partAuthorizationSeconds}) must be a number ≥ 0; 0 checks every part`,
    );
  }
  return {
    minPartBytes,
    maxPartBytes,
    partAuthorizationMs: partAuthorizationSeconds * 1000,
    abandonedAfter: section?.has('abandonedAfter')
      ? readDurationFromConfig(section, { key: 'abandonedAfter' })
      : { hours: 24 },
    collectEvery: section?.has('collectEvery')
      ? readDurationFromConfig(section, { key: 'collectEvery' })
      : { hours: 1 },
  };
}

import { Config } from '@backstage/config';

/** Default of `modelHub.artifacts.staging.maxAgeMinutes`. */
export const DEFAULT_STAGING_MAX_AGE_MINUTES = 60;
/** Default of `modelHub.artifacts.gc.graceHours`. */
export const DEFAULT_GC_GRACE_HOURS = 24;
/** Default of `modelHub.artifacts.gc.frequencyMinutes`. */
export const DEFAULT_GC_FREQUENCY_MINUTES = 30;
/** A seal that has not finished after this long died with its request. */
export const STALE_SEAL_MINUTES = 10;

/** The recovery settings, with defaults applied. */
export interface RecoveryConfig {
  stagingMaxAgeMinutes: number;
  gcGraceHours: number;
  frequencyMinutes: number;
}

/** Reads the recovery settings from `modelHub.artifacts`. */
export function readRecoveryConfig(config: Config): RecoveryConfig {
  const read = (key: string, fallback: number, min: number) => {
    const value =
      config.getOptionalNumber(`modelHub.artifacts.${key}`) ?? fallback;
    if (!Number.isFinite(value) || value < min) {
      throw new Error(
        `modelHub.artifacts.${key} must be a number of at least ${min}, got ${value}`,
      );
    }
    return value;
  };
  return {
    stagingMaxAgeMinutes: read(
      'staging.maxAgeMinutes',
      DEFAULT_STAGING_MAX_AGE_MINUTES,
      1,
    ),
    gcGraceHours: read('gc.graceHours', DEFAULT_GC_GRACE_HOURS, 0),
    frequencyMinutes: read(
      'gc.frequencyMinutes',
      DEFAULT_GC_FREQUENCY_MINUTES,
      1,
    ),
  };
}

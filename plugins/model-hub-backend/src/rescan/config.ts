import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';

/** What the backend reads from `modelHub.scanner`. */
export interface ScannerConfig {
  /**
   * Options passed to the scanner. `trustedGlobals` extends the pickle
   * allowlist with an organization's own known-safe callables.
   */
  scanOptions: { trustedGlobals?: string[] };
  rescan: {
    /** Whether stored files are rescanned when the scanner version changes. */
    enabled: boolean;
    /** Files scanned and committed per batch. */
    batchSize: number;
    /**
     * Bytes of not yet rescanned files a gauntlet run rescans itself, so it
     * never decides on an older scanner's verdict; beyond this its verdicts
     * are pending and earn no tier.
     */
    inlineMaxBytes: number;
    /** How often the (usually idle) rescan task looks for work. */
    schedule: SchedulerServiceTaskScheduleDefinition;
  };
}

/** Default of `modelHub.scanner.rescan.inlineMaxBytes`: 256 MiB. */
export const DEFAULT_INLINE_RESCAN_BYTES = 256 * 1024 * 1024;

/** Defaults: check every 30 minutes, first 30 seconds after start, batches of 50. */
export const DEFAULT_RESCAN_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { hours: 6 },
  initialDelay: { seconds: 30 },
};

/** Reads `modelHub.scanner`, with defaults, failing with the key on bad values. */
export function readScannerConfig(config: Config): ScannerConfig {
  const scanner = config.getOptionalConfig('modelHub.scanner');
  const trustedGlobals = scanner?.getOptionalStringArray('trustedGlobals');
  for (const name of trustedGlobals ?? []) {
    if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$/.test(name)) {
      throw new Error(
        `modelHub.scanner.trustedGlobals: '${name}' is not a dotted module.name`,
      );
    }
  }
  const rescan = scanner?.getOptionalConfig('rescan');
  const batchSize = rescan?.getOptionalNumber('batchSize') ?? 50;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new Error(
      `modelHub.scanner.rescan.batchSize must be a whole number from 1 to 10000, got ${batchSize}`,
    );
  }
  const inlineMaxBytes =
    rescan?.getOptionalNumber('inlineMaxBytes') ?? DEFAULT_INLINE_RESCAN_BYTES;
  if (!Number.isSafeInteger(inlineMaxBytes) || inlineMaxBytes < 0) {
    throw new Error(
      `modelHub.scanner.rescan.inlineMaxBytes must be a whole number of bytes, got ${inlineMaxBytes}`,
    );
  }
  const schedule = rescan?.getOptionalConfig('schedule');
  return {
    scanOptions: trustedGlobals ? { trustedGlobals } : {},
    rescan: {
      enabled: rescan?.getOptionalBoolean('enabled') ?? true,
      batchSize,
      inlineMaxBytes,
      schedule: schedule
        ? readSchedulerServiceTaskScheduleDefinitionFromConfig(schedule)
        : DEFAULT_RESCAN_SCHEDULE,
    },
  };
}
